import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type * as Testing from '@sessionlayer/session-testing'
import { chromium, type Browser, type Frame } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import type * as Core from './index'

// Real Chromium: the BUILT package (its session-crypto and session-sync included) and the built
// mock wallet, each bundled by esbuild, in a top-level page, in frames with an opaque origin, and
// on a file:// page. Proves the default storage of K7 and C15 where a browser decides it.
const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const testingDist = fileURLToPath(new URL('../../session-testing/dist/index.js', import.meta.url))
const runnable = existsSync(CHROMIUM) && existsSync(dist) && existsSync(testingDist)
// CI always has Chromium and a build: there, a missing one is a failure, not a skip.
const skip = !runnable && !process.env.CI

/** The part of esbuild's JS API used here (esbuild is not a dependency of this package). */
interface Esbuild {
  build(options: { entryPoints: string[]; bundle: true; format: 'iife'; globalName: string; write: false; logLevel: 'silent' }): Promise<{ outputFiles: { text: string }[] }>
}
declare global {
  interface Window {
    SessionCore: typeof Core
    SessionTesting: typeof Testing
    /** Calls of `IDBFactory.prototype.open` in this document, counted from before the bundle runs. */
    idbOpens: number
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

// Classic scripts, relative: they load the same from http://, from a srcdoc frame (its parent's
// base URL) and from file:// (where module scripts would be refused).
const page = `<!doctype html><meta charset="utf-8"><title>session-core</title>
<script>
  idbOpens = 0
  const open = IDBFactory.prototype.open
  IDBFactory.prototype.open = function (...args) {
    idbOpens++
    return open.apply(this, args)
  }
</script>
<script src="session-core.js"></script><script src="session-testing.js"></script>`
const srcdoc = page.replaceAll('&', '&amp;').replaceAll('"', '&quot;')

let setup: Promise<{ browser: Browser; server: Server; dir: string; url: string }> | undefined

/** Serves the page, its frames and the bundles on 127.0.0.1, and writes them to a temp dir. */
function open() {
  setup ??= (async () => {
    if (!runnable) throw new Error(`session-core browser tests: ${existsSync(CHROMIUM) ? 'dist is missing (build session-core and session-testing first)' : `${CHROMIUM} is missing`}`)
    const { build } = await loadEsbuild()
    const bundle = async (entry: string, globalName: string) => (await build({ entryPoints: [entry], bundle: true, format: 'iife', globalName, write: false, logLevel: 'silent' })).outputFiles[0]!.text
    const files: Record<string, string> = { '/': page, '/session-core.js': await bundle(dist, 'SessionCore'), '/session-testing.js': await bundle(testingDist, 'SessionTesting') }
    const dir = mkdtempSync(join(tmpdir(), 'session-core-browser-'))
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name === '/' ? 'index.html' : name), text)
    // the page again in a frame of an opaque origin (sandboxed without allow-same-origin), by
    // URL or inline; and inline in a frame of the page's own origin
    const frames: Record<string, string> = {
      '/sandboxed': '<!doctype html><iframe sandbox="allow-scripts" src="/"></iframe>',
      '/sandboxed-srcdoc': `<!doctype html><iframe sandbox="allow-scripts" srcdoc="${srcdoc}"></iframe>`,
      '/srcdoc': `<!doctype html><iframe srcdoc="${srcdoc}"></iframe>`,
    }
    const server = createServer((req, res) => {
      const js = req.url?.endsWith('.js') ?? false
      res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' })
      res.end(files[req.url ?? ''] ?? frames[req.url ?? ''] ?? page)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
    return { browser, server, dir, url }
  })()
  return setup
}

afterAll(async () => {
  if (!setup) return
  const { browser, server, dir } = await setup.catch(() => ({ browser: null, server: null, dir: null }))
  await browser?.close()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A fresh page (own context: own IndexedDB) at `url`, once the bundles of `frame` (0: the page) ran. */
async function visit(url: string, frame = 0): Promise<Frame> {
  const { browser } = await open()
  const context = await browser.newContext()
  const tab = await context.newPage()
  await tab.goto(url)
  const target = tab.frames()[frame]!
  await target.waitForFunction(() => window.SessionTesting)
  return target
}

/**
 * In a document: a store of the default storage over a mock wallet that starts connected or not;
 * `init()`, and a connect, a disconnect and a connect again where the wallet is not connected yet.
 * What it ended in, each `storage:error`, and the IndexedDB opens it made.
 */
const useStore = (frame: Frame, connected: boolean) =>
  frame.evaluate(async (connected) => {
    const store = window.SessionCore.createSessionStore(window.SessionTesting.createMockProvider({ connected }))
    const errors: string[] = []
    store.on('storage:error', (e) => errors.push(`${e.operation}: ${(e.error as Error).message} / ${((e.error as Error).cause as Error | undefined)?.name}`))
    const before = Date.now()
    const init = await store.init()
    const steps = [init.status]
    if (!connected) {
      steps.push((await store.connect()).status)
      await store.disconnect()
      steps.push(store.getSnapshot().status)
      steps.push((await store.connect()).status)
    }
    const state = store.getSnapshot()
    // a storage:error follows the failed operation: give one the time to come
    await new Promise((resolve) => setTimeout(resolve, 100))
    store.destroy()
    return { origin: self.origin, protocol: location.protocol, steps, party: state.account?.partyId, connectedAt: state.connectedAt, before, errors, idbOpens: window.idbOpens }
  }, connected)

/** In a document: the session database of its origin, once it holds the entry (its value as read). */
const persisted = async (frame: Frame) => {
  const handle = await frame.waitForFunction(async () => {
    const name = `sessionlayer::${location.origin}`
    if (!(await indexedDB.databases()).some((db) => db.name === name)) return false
    return new Promise<string | false>((resolve, reject) => {
      const request = indexedDB.open(name)
      request.onerror = () => reject(request.error ?? new Error('open failed'))
      request.onsuccess = () => {
        const db = request.result
        const get = db.transaction('blobs', 'readonly').objectStore('blobs').get('sessionlayer.session')
        get.onsuccess = () => {
          db.close()
          resolve(typeof get.result === 'string' ? `${name}=${get.result}` : false)
        }
      }
    })
  })
  return (await handle.jsonValue()) as string
}

/** Connect, the entry lands in IndexedDB encrypted, reload: `init()` restores that very session (C9). */
async function restoresAcrossReload(frame: Frame, origin: string, protocol: string, database: string) {
  const first = await useStore(frame, false)
  expect(first).toMatchObject({ origin, protocol, steps: ['disconnected', 'connected', 'disconnected', 'connected'], party: 'alice::1220aa', errors: [] })
  expect(first.idbOpens).toBeGreaterThan(0)
  const entry = await persisted(frame)
  expect(entry.startsWith(`${database}=sl1.`)).toBe(true)
  expect(entry).not.toContain('alice')
  await frame.page().reload()
  await frame.waitForFunction(() => window.SessionTesting)
  const second = await useStore(frame, true)
  // the live wallet confirms the session; its connection time is the persisted one, from before
  // the reload (a store without that entry would say now)
  expect(second).toMatchObject({ steps: ['connected'], party: 'alice::1220aa', connectedAt: first.connectedAt, errors: [] })
  expect(second.before).toBeGreaterThan(first.connectedAt!)
  await frame.page().context().close()
}

describe('session-core default storage in Chromium', () => {
  it.skipIf(skip)('K7, C15, C9: a top-level http page persists to encrypted IndexedDB by default; after a reload init() restores the session from it', async () => {
    const { url } = await open()
    await restoresAcrossReload(await visit(url), url.slice(0, -1), 'http:', `sessionlayer::${url.slice(0, -1)}`)
  }, 30_000)

  it.skipIf(skip)("K7, C15, C9: in a frame sandboxed with allow-scripts only (by URL, or srcdoc), whose IndexedDB is denied, the default is memory: the store connects, opens no IndexedDB, emits no storage:error", async () => {
    const { url } = await open()
    for (const [path, protocol] of [
      ['sandboxed', 'http:'],
      ['sandboxed-srcdoc', 'about:'],
    ] as const) {
      const frame = await visit(url + path, 1)
      const outcome = await useStore(frame, false)
      // Chromium gives the frame an `indexedDB` whose open() throws: what the store must not call
      const denied = await frame.evaluate(() => {
        try {
          indexedDB.open('probe')
          return 'opened'
        } catch (error) {
          return (error as Error).name
        }
      })
      expect({ path, ...outcome, denied }).toMatchObject({ path, origin: 'null', protocol, steps: ['disconnected', 'connected', 'disconnected', 'connected'], party: 'alice::1220aa', errors: [], idbOpens: 0, denied: 'SecurityError' })
      await frame.page().context().close()
    }
  }, 30_000)

  it.skipIf(skip)("K7, C15: a srcdoc frame that is not sandboxed has its parent's origin and keeps the encrypted IndexedDB default", async () => {
    const { url } = await open()
    const frame = await visit(`${url}srcdoc`, 1)
    const outcome = await useStore(frame, false)
    expect(outcome).toMatchObject({ origin: url.slice(0, -1), protocol: 'about:', steps: ['disconnected', 'connected', 'disconnected', 'connected'], party: 'alice::1220aa', errors: [] })
    expect(outcome.idbOpens).toBeGreaterThan(0)
    // the database is named after `location.origin`, which an about:srcdoc URL serializes as 'null'
    // (while `self.origin` is the parent's): it lives in the parent origin's IndexedDB all the same
    expect(await persisted(frame)).toMatch(/^sessionlayer::null=sl1\./)
    await frame.page().context().close()
  }, 30_000)

  it.skipIf(skip)("K7, C15, C9: a file:// page, whose origin is 'null' too but whose IndexedDB works, keeps the encrypted IndexedDB default and restores after a reload", async () => {
    const { dir } = await open()
    await restoresAcrossReload(await visit(pathToFileURL(join(dir, 'index.html')).href), 'null', 'file:', 'sessionlayer::file://')
  }, 30_000)
})
