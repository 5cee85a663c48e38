// Real-browser figures in Debian Chromium through playwright-core: restore-to-connected after a
// reload (default encrypted IndexedDB storage over a connected wallet), cross-tab disconnect
// latency over the real BroadcastChannel (tab A's disconnect() call to tab B's `disconnected`
// notification, on the shared wall clock of one browser), and persistence in real IndexedDB.
// The page is served on 127.0.0.1, cross-origin isolated so that timers have full resolution.
import { build } from 'esbuild'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM, CHROMIUM_ARGS as ARGS } from '../../scripts/chromium.mjs'
import { median, percentile } from './report.mjs'

const RUNS = 31

const bundle = await build({
  entryPoints: [fileURLToPath(new URL('./page/main.mjs', import.meta.url))],
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  write: false,
  logLevel: 'silent',
})
const script = bundle.outputFiles[0].text
const html = '<!doctype html><meta charset="utf-8"><title>SessionLayer bench</title><script src="/bench.js"></script>'
const server = createServer((req, res) => {
  const js = req.url?.startsWith('/bench.js')
  res.writeHead(200, {
    'content-type': js ? 'text/javascript' : 'text/html',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
    'cross-origin-resource-policy': 'same-origin',
  })
  res.end(js ? script : html)
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const origin = `http://127.0.0.1:${server.address().port}`
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })

try {
  const context = await browser.newContext()

  // restore-to-connected after reload: the first load persists, the next RUNS reloads restore
  const page = await context.newPage()
  await page.goto(`${origin}/?mode=restore`)
  await page.evaluate(() => window.bench.restored)
  const sinceNavigation = []
  const sinceInit = []
  for (let i = 0; i < RUNS; i++) {
    await page.reload()
    const r = await page.evaluate(() => window.bench.restored)
    sinceNavigation.push(r.sinceNavigation)
    sinceInit.push(r.sinceInit)
  }
  const persisted = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open(`sessionlayer::${location.origin}`)
        open.onsuccess = () => {
          const req = open.result.transaction('blobs').objectStore('blobs').get('bench.session')
          req.onsuccess = () => resolve(typeof req.result === 'string' && req.result.startsWith('sl1.'))
        }
        open.onerror = () => resolve(false)
      }),
  )
  if (!persisted) throw new Error('restore bench: the session was not persisted encrypted in IndexedDB')

  // cross-tab disconnect latency
  const [a, b] = [await context.newPage(), await context.newPage()]
  await Promise.all([a.goto(`${origin}/?mode=tab`), b.goto(`${origin}/?mode=tab`)])
  await Promise.all([a.evaluate(() => window.bench.init()), b.evaluate(() => window.bench.init())])
  const latencies = []
  for (let i = 0; i < RUNS; i++) {
    for (const p of [a, b]) {
      await p.evaluate(() => window.bench.reconnect())
      await p.waitForFunction(() => window.bench.status() === 'connected')
    }
    const sentAt = await a.evaluate(() => window.bench.disconnect())
    await b.waitForFunction(() => window.bench.disconnectedAt !== null)
    const receivedAt = await b.evaluate(() => window.bench.disconnectedAt)
    latencies.push(receivedAt - sentAt)
  }

  // persistence in real IndexedDB
  const p = await context.newPage()
  await p.goto(`${origin}/?mode=persist`)
  const persistence = await p.evaluate(() => window.bench.persist())

  process.stdout.write(
    JSON.stringify({
      id: 'browser',
      chromium: browser.version(),
      runs: RUNS,
      restore: { sinceNavigation: median(sinceNavigation), sinceInit: median(sinceInit), p90SinceInit: percentile(sinceInit, 90) },
      crossTab: { median: median(latencies), p90: percentile(latencies, 90), max: Math.max(...latencies) },
      persistence: { where: `Chromium ${browser.version()} (IndexedDB)`, ...persistence },
    }),
  )
} finally {
  await browser.close()
  server.close()
}
