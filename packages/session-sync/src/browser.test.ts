import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import type * as Sync from './index'

// Real Chromium, two pages of one origin: the BUILT package, bundled by esbuild, over the real
// BroadcastChannel and Web Locks.
const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const runnable = existsSync(CHROMIUM) && existsSync(dist)
if (existsSync(CHROMIUM) && !existsSync(dist)) console.warn('session-sync: dist is missing, run the build first; the browser tests are skipped')

/** The part of esbuild's JS API used here (esbuild is not a dependency of this package). */
interface Esbuild {
  build(options: { entryPoints: string[]; bundle: true; format: 'iife'; globalName: string; write: false; logLevel: 'silent' }): Promise<{ outputFiles: { text: string }[] }>
}
declare global {
  interface Window {
    SessionSync: typeof Sync
    channel: Sync.SyncChannel
    received: Sync.SyncMessage[]
    lock: Sync.TabLock
  }
}

async function loadEsbuild(): Promise<Esbuild> {
  try {
    const specifier = 'esbuild'
    return (await import(/* @vite-ignore */ specifier)) as Esbuild
  } catch {
    // pnpm keeps esbuild in its virtual store; it is not a dependency of this package
    const hoisted = new URL('../../../node_modules/.pnpm/node_modules/esbuild/lib/main.js', import.meta.url)
    return (await import(/* @vite-ignore */ pathToFileURL(fileURLToPath(hoisted)).href)) as Esbuild
  }
}

let setup: Promise<{ browser: Browser; server: Server; a: Page; b: Page }> | undefined

/** Serves a page and the bundle on 127.0.0.1, opens it twice in one browser context. */
function open() {
  setup ??= (async () => {
    // CI always has Chromium and a build: there, a missing one fails instead of skipping
    if (!runnable) throw new Error(`session-sync browser tests: ${existsSync(CHROMIUM) ? 'dist is missing (build first)' : `${CHROMIUM} is missing`}`)
    const { build } = await loadEsbuild()
    const bundle = await build({ entryPoints: [dist], bundle: true, format: 'iife', globalName: 'SessionSync', write: false, logLevel: 'silent' })
    const script = bundle.outputFiles[0]!.text
    const page = `<!doctype html><meta charset="utf-8"><title>session-sync</title><script src="/session-sync.js"></script>
<script>
  channel = SessionSync.openSyncChannel(SessionSync.syncChannelName(location.origin, 'sessionlayer.session'))
  received = []
  channel.subscribe((m) => received.push(m))
  lock = SessionSync.createTabLock()
</script>`
    const server = createServer((req, res) => {
      const js = req.url === '/session-sync.js'
      res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' })
      // the page again, in a frame sandboxed without allow-same-origin: an opaque origin
      res.end(js ? script : req.url === '/sandboxed' ? '<!doctype html><iframe sandbox="allow-scripts" src="/"></iframe>' : page)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
    const context = await browser.newContext()
    const [a, b] = await Promise.all([context.newPage(), context.newPage()])
    await Promise.all([a.goto(url), b.goto(url)])
    return { browser, server, a, b }
  })()
  return setup
}

afterAll(async () => {
  if (!setup) return
  const { browser, server } = await setup
  await browser.close()
  await new Promise((resolve) => server.close(resolve))
})

describe('session-sync in Chromium', () => {
  it.skipIf(!runnable && !process.env.CI)(
    'M2: a message posted in page A arrives once in page B and never back in A; junk is ignored',
    async () => {
      const { a, b } = await open()
      expect(await a.evaluate(() => [window.isSecureContext, window.channel.isLive, window.channel.tabId !== ''])).toEqual([true, true, true])
      const tabA = await a.evaluate(() => {
        window.channel.post('party', { previous: null, current: 'alice::1' })
        return window.channel.tabId
      })
      await b.waitForFunction(() => window.received.length > 0)
      // junk straight on the raw channel, from page B: A must ignore it
      await b.evaluate(() => {
        const raw = new BroadcastChannel(window.SessionSync.syncChannelName(location.origin, 'sessionlayer.session'))
        const ch = window.SessionSync.syncChannelName(location.origin, 'sessionlayer.session')
        for (const junk of [null, 'x', { v: 2 }, { v: 1, kind: 'party', seq: 1, tabId: 'evil', at: 1, ch, data: JSON.parse('{"__proto__":{"polluted":1}}') }]) raw.postMessage(junk)
        raw.postMessage({ v: 1, kind: 'marker', seq: 1, tabId: 'raw', at: 1, ch, data: {} })
        raw.close()
      })
      await a.waitForFunction(() => window.received.length > 0)
      await new Promise((resolve) => setTimeout(resolve, 200))
      const inB = await b.evaluate(() => window.received)
      // B's own raw channel is another BroadcastChannel object: B's sync channel gets the marker too
      expect(inB.map((m) => m.kind)).toEqual(['party', 'marker'])
      expect(inB[0]).toEqual({ v: 1, kind: 'party', seq: 1, tabId: tabA, at: expect.any(Number), ch: expect.stringMatching(/^sessionlayer\.session\.sync::http:\/\/127\.0\.0\.1:\d+::sessionlayer\.session$/), data: { previous: null, current: 'alice::1' } })
      expect(await a.evaluate(() => [window.received.map((m) => m.kind), ({} as Record<string, unknown>).polluted])).toEqual([['marker'], undefined])
    },
    60_000,
  )

  it.skipIf(!runnable && !process.env.CI)(
    'M6: Web Locks grant a lock name to one page at a time, and an aborted request never runs fn',
    async () => {
      const { a, b } = await open()
      expect(await a.evaluate(() => window.lock.crossTab)).toBe(true)
      await a.evaluate(() => {
        const w = window as unknown as { heldA: Promise<{ start: number; end: number }>; acquired: boolean }
        w.acquired = false
        w.heldA = window.lock.runExclusive('sessionlayer.reconnect::sessionlayer.session', async () => {
          w.acquired = true
          const start = Date.now()
          await new Promise((resolve) => setTimeout(resolve, 300))
          return { start, end: Date.now() }
        })
      })
      await a.waitForFunction(() => (window as unknown as { acquired: boolean }).acquired)
      const [tried, bStart] = await b.evaluate(async () => {
        const name = 'sessionlayer.reconnect::sessionlayer.session'
        const tried = await window.lock.tryRunExclusive(name, () => 'b')
        return [tried, await window.lock.runExclusive(name, () => Date.now())] as const
      })
      // in a fresh page, a request queued and aborted in one task is still granted later by
      // Chromium (the abort precedes the page's lock connection): fn must not run
      const fresh = await a.context().newPage()
      await fresh.goto(a.url())
      const abortedEarly = await fresh.evaluate(async () => {
        let ran = false
        let release = () => {}
        const holder = window.lock.runExclusive('early', () => new Promise<void>((resolve) => (release = resolve)))
        const abort = new AbortController()
        const pending = window.lock.runExclusive('early', () => (ran = true), { signal: abort.signal })
        abort.abort(new Error('gave up'))
        await new Promise((resolve) => setTimeout(resolve, 20))
        release()
        await holder
        const outcome = await pending.then(
          () => 'resolved',
          (error: unknown) => (error as Error).message,
        )
        return { ran, outcome }
      })
      await fresh.close()
      expect(abortedEarly).toEqual({ ran: false, outcome: 'gave up' })
      const heldA = await a.evaluate(() => (window as unknown as { heldA: Promise<{ start: number; end: number }> }).heldA)
      expect(tried).toEqual({ ran: false })
      expect(heldA.end - heldA.start).toBeGreaterThanOrEqual(290)
      expect(bStart).toBeGreaterThanOrEqual(heldA.end)
    },
    60_000,
  )

  it.skipIf(!runnable && !process.env.CI)(
    'M1, M6: in a frame sandboxed without allow-same-origin (an opaque origin) the channel opens but links no other tab, and Web Locks refuse: the work runs under the in-tab lock',
    async () => {
      const { a } = await open()
      const frames = await Promise.all(
        [0, 1].map(async () => {
          const page = await a.context().newPage()
          await page.goto(new URL('/sandboxed', a.url()).href)
          const frame = page.frames()[1]!
          await frame.waitForFunction(() => window.received)
          return frame
        }),
      )
      const [x, y] = frames as [(typeof frames)[0], (typeof frames)[0]]
      const inA = await a.evaluate(() => window.received.length)
      // Chromium makes the channel there (a browser that refuses one gives a no-op channel), under
      // the page's own name, as `location.origin` still tells the URL's origin: it reaches no one
      expect(await x.evaluate(() => [self.origin, window.channel.isLive])).toEqual(['null', true])
      await x.evaluate(() => window.channel.post('party', { previous: null, current: 'alice::1' }))
      expect(await x.evaluate(() => window.SessionSync.syncChannelName(location.origin, 'sessionlayer.session'))).toBe(await a.evaluate(() => window.SessionSync.syncChannelName(location.origin, 'sessionlayer.session')))
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect([await y.evaluate(() => window.received.length), await a.evaluate(() => window.received.length)]).toEqual([0, inA])
      // navigator.locks is there, each request refused with a SecurityError: the lock falls back in-tab
      const locked = await x.evaluate(async () => {
        const refused = await navigator.locks.request('probe', () => 'granted').catch((error: unknown) => (error as Error).name)
        const before = window.lock.crossTab
        const ran = await window.lock.runExclusive('sessionlayer.reconnect::sessionlayer.session', () => 'ran')
        return [refused, before, ran, window.lock.crossTab]
      })
      expect(locked).toEqual(['SecurityError', true, 'ran', false])
      await Promise.all(frames.map((frame) => frame.page().close()))
    },
    60_000,
  )
})
