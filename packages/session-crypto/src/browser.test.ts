import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import type * as Crypto from './index'

// Real Chromium, two pages of one origin sharing one real IndexedDB and WebCrypto: the BUILT
// package, bundled by esbuild. Proves K6 across tabs: two tabs racing on the very first write
// create one key, and each reads what the other wrote.
const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const runnable = existsSync(CHROMIUM) && existsSync(dist)
// CI always has Chromium and a build: there, a missing one is a failure, not a skip.
const skip = !runnable && !process.env.CI

interface Esbuild {
  build(options: { entryPoints: string[]; bundle: true; format: 'iife'; globalName: string; write: false; logLevel: 'silent' }): Promise<{ outputFiles: { text: string }[] }>
}
declare global {
  interface Window {
    SessionCrypto: typeof Crypto
  }
}

async function loadEsbuild(): Promise<Esbuild> {
  try {
    const specifier = 'esbuild'
    return (await import(/* @vite-ignore */ specifier)) as Esbuild
  } catch {
    const hoisted = new URL('../../../node_modules/.pnpm/node_modules/esbuild/lib/main.js', import.meta.url)
    return (await import(/* @vite-ignore */ pathToFileURL(fileURLToPath(hoisted)).href)) as Esbuild
  }
}

let setup: Promise<{ browser: Browser; server: Server; a: Page; b: Page }> | undefined

function open() {
  setup ??= (async () => {
    if (!runnable) throw new Error(`session-crypto browser test: ${existsSync(CHROMIUM) ? 'dist is missing (build first)' : `${CHROMIUM} is missing`}`)
    const { build } = await loadEsbuild()
    const bundle = await build({ entryPoints: [dist], bundle: true, format: 'iife', globalName: 'SessionCrypto', write: false, logLevel: 'silent' })
    const script = bundle.outputFiles[0]?.text ?? ''
    const page = `<!doctype html><meta charset="utf-8"><title>session-crypto</title><script src="/session-crypto.js"></script>`
    const server = createServer((req, res) => {
      const js = req.url === '/session-crypto.js'
      res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' })
      // the page again in a frame: sandboxed without allow-same-origin (an opaque origin), or of
      // another site (localhost under a 127.0.0.1 page: third-party storage)
      const port = (server.address() as AddressInfo).port
      const frames: Record<string, string | undefined> = { '/sandboxed': '<iframe sandbox="allow-scripts" src="/"></iframe>', '/third-party': `<iframe src="http://localhost:${port}/"></iframe>` }
      res.end(js ? script : (frames[req.url ?? ''] ?? page))
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
  const { browser, server } = await setup.catch(() => ({ browser: null, server: null }))
  await browser?.close()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
})

/** In a page: the first write to a fresh database (`origin` names it), then a read. */
const write = (page: Page, origin: string, value: string) =>
  page.evaluate(
    async ([origin, value]) => {
      const storage = window.SessionCrypto.createEncryptedIndexedDBStorage({ origin })
      await storage.setItem('sessionlayer.session', value)
      return storage.getItem('sessionlayer.session')
    },
    [origin, value] as const,
  )

/** In a page: everything the database of `origin` holds, the key as its type. */
const dump = (page: Page, origin: string) =>
  page.evaluate(
    (origin) =>
      new Promise<string[]>((resolve, reject) => {
        const request = indexedDB.open(`sessionlayer::${origin}`)
        request.onerror = () => reject(request.error ?? new Error('open failed'))
        request.onsuccess = () => {
          const db = request.result
          const out: string[] = []
          const tx = db.transaction(['keys', 'blobs'], 'readonly')
          for (const name of ['keys', 'blobs']) {
            const cursor = tx.objectStore(name).openCursor()
            cursor.onsuccess = () => {
              const c = cursor.result
              if (!c) return
              const v: unknown = c.value
              out.push(`${name}/${typeof c.key === "string" ? c.key : JSON.stringify(c.key)}=${v instanceof CryptoKey ? `CryptoKey(${v.algorithm.name},${String(v.extractable)})` : String(v)}`)
              c.continue()
            }
          }
          tx.oncomplete = () => {
            db.close()
            resolve(out.sort())
          }
        }
      }),
    origin,
  )

describe('session-crypto in Chromium', () => {
  it.skipIf(skip)('K6: two tabs racing on the first write of an origin create one non-extractable key and read each other', async () => {
    const { a, b } = await open()
    for (let i = 0; i < 20; i++) {
      const origin = `https://race-${i}.example`
      const [readA, readB] = await Promise.all([write(a, origin, 'from-a:alice::1220'), write(b, origin, 'from-b:alice::1220')])
      // both tabs hold the one key: each reads the last value written, whoever wrote it
      const last = await a.evaluate((origin) => window.SessionCrypto.createEncryptedIndexedDBStorage({ origin }).getItem('sessionlayer.session'), origin)
      expect(['from-a:alice::1220', 'from-b:alice::1220']).toContain(last)
      expect(await b.evaluate((origin) => window.SessionCrypto.createEncryptedIndexedDBStorage({ origin }).getItem('sessionlayer.session'), origin)).toBe(last)
      expect([readA, readB].every((r) => r === 'from-a:alice::1220' || r === 'from-b:alice::1220')).toBe(true)
      const rows = await dump(a, origin)
      expect(rows.filter((r) => r.startsWith('keys/'))).toEqual(['keys/key=CryptoKey(AES-GCM,false)'])
      expect(rows.join('\n')).not.toContain('alice')
    }
    // 20 rounds of two pages: a correctness check, given time to finish on a loaded machine
  }, 30_000)

  it.skipIf(skip)('K7: where Chromium denies IndexedDB to a frame (sandboxed without allow-same-origin; a third-party frame whose storage is blocked) each operation rejects "IndexedDB is unavailable" with the browser\'s error as its cause, none throws', async () => {
    const { a } = await open()
    for (const [path, cause] of [
      // `indexedDB` reads as an IDBFactory there: it is open() that throws
      ['/sandboxed', 'SecurityError'],
      // open() fails with an error event: "The user denied permission to access the database."
      ['/third-party', 'UnknownError'],
    ] as const) {
      const page = await a.context().newPage()
      await page.goto(new URL(path, a.url()).href)
      const frame = page.frames()[1]!
      await frame.waitForFunction(() => window.SessionCrypto)
      const outcomes = await frame.evaluate(async () => {
        const storage = window.SessionCrypto.createEncryptedIndexedDBStorage()
        const out: (string | boolean)[] = [indexedDB instanceof IDBFactory]
        for (const run of [() => storage.setItem('sessionlayer.session', 'alice::1220'), () => storage.getItem('sessionlayer.session'), () => storage.removeItem('sessionlayer.session')]) {
          let p: Promise<unknown>
          try {
            p = run()
          } catch {
            out.push('threw')
            continue
          }
          out.push(await p.then(
            () => 'resolved',
            (error: unknown) => `${(error as Error).message} / ${((error as Error).cause as Error | undefined)?.name}`,
          ))
        }
        return out
      })
      const rejected = `IndexedDB is unavailable / ${cause}`
      expect([path, ...outcomes]).toEqual([path, true, rejected, rejected, rejected])
      await page.close()
    }
  }, 30_000)
})
