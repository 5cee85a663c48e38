import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Core from '@sessionlayer/session-core'
import type * as Testing from '@sessionlayer/session-testing'
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs'
import { ALICE, APPS, BOB, ROOT, text } from './support'

// The page lifecycle in real Chromium: the back/forward cache (bfcache), frozen tabs, and a tab
// that shows again after a system sleep. Playwright's own launch turns the bfcache off
// (--disable-back-forward-cache) and keeps every page it drives visible and unfreezable (its focus
// emulation), so this file starts Chromium itself with the project's flags and drives the
// browser's default profile over CDP without those overrides: there a page really enters the
// bfcache on navigation (pageshow `persisted`), and Page.setWebLifecycleState really freezes it.
//
// What Chromium does, as these tests show:
// - a page with an open BroadcastChannel, an IndexedDB connection and the store's timers enters
//   the bfcache, and comes back from it with its store as it was;
// - a BroadcastChannel message to a cached page evicts it: Back then loads it anew, and the
//   store restores silently (C9) — a cached tab never misses another tab's sign-out (M3);
// - a cached page that holds a Web Lock another page asks for is evicted, and the lock goes to
//   that page: a cached tab never keeps the reconnect leadership from the other tabs (M6);
// - a frozen page keeps its Web Locks and runs no timer, but its BroadcastChannel messages still
//   arrive; the tab that waits for the reconnect lock takes the attempts over (M6, C17), and the
//   lock with them (`steal`): it is granted at once, and the frozen page's request rejects with an
//   AbortError once that page resumes, right after the timers that came due while it was frozen;
// - `storage` events of writes made while a page was cached reach it after the restore: the demo
//   wallet (its state in the profile's localStorage) catches up, and the store with it (C7, C11);
// - timers whose time passed while the page was cached or frozen fire right after it resumes;
//   a system sleep is different (the timers do not count it): the page showing again
//   (visibilitychange) checks the session's deadline at once (C12).

const PACKAGES = ['session-core', 'session-crypto', 'session-sync', 'session-testing']

/** What a lab page exposes (as `lifecycleLab`): the built packages, and what its test keeps there. */
interface Lab {
  core: typeof Core
  testing: typeof Testing
  store: Core.SessionStore
  provider: ReturnType<typeof Testing.createMockProvider>
  events: string[]
  /** Set once per document: gone when the page was loaded anew (evicted from the bfcache). */
  loadedAt: number
  shows: boolean[]
}
declare global {
  var lifecycleLab: Lab
}

const LAB = `<!doctype html><meta charset="utf-8"><title>lab</title>
<script type="importmap">${JSON.stringify({ imports: Object.fromEntries(PACKAGES.map((name) => [`@sessionlayer/${name}`, `/pkg/${name}/index.js`])) })}</script>
<script type="module">
import * as core from '@sessionlayer/session-core'
import * as testing from '@sessionlayer/session-testing'
const shows = []
addEventListener('pageshow', (e) => shows.push(e.persisted))
window.lifecycleLab = { core, testing, events: [], loadedAt: performance.timeOrigin, shows }
</script>`

let proc: ChildProcess | undefined
let dir = ''
let server: Server | undefined
let browser: Browser | undefined
let context: BrowserContext
let origin = ''
const errors: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const [, name, file] = /^\/pkg\/([a-z-]+)\/([\w.-]+\.js)$/.exec(url.pathname) ?? []
    const asset = /^\/vanilla\/(index\.html|assets\/[\w.-]+\.js)?$/.exec(url.pathname)
    if (asset) {
      const file = path.join(APPS.vanilla, asset[1] ?? 'index.html')
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(readFileSync(file))
    } else if (name && file && PACKAGES.includes(name)) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path.join(ROOT, 'packages', name, 'dist', file)))
    } else if (url.pathname === '/lab') res.writeHead(200, { 'content-type': 'text/html' }).end(LAB)
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>away</title>')
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  dir = mkdtempSync(path.join(os.tmpdir(), 'sessionlayer-lifecycle-'))
  const child = spawn(CHROMIUM, [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${dir}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  proc = child
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stderr.on('data', (chunk: Buffer) => {
      out += String(chunk)
      const found = /DevTools listening on (ws:\S+)/.exec(out)?.[1]
      if (found) resolve(found)
    })
    child.once('exit', () => reject(new Error(`chromium exited: ${out}`)))
  })
  // noDefaults (an option of playwright-core's protocol, not in its typings): no focus emulation in
  // the default profile, so that its pages can be hidden and frozen
  browser = await chromium.connectOverCDP(endpoint, { timeout: 30_000, noDefaults: true } as { timeout: number })
  const first = browser.contexts()[0]
  if (!first) throw new Error('no default browser context')
  context = first
}, 60_000)

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  // Chromium and its helper processes (its own process group): they may still write to the profile
  // folder after the browser process itself has gone
  if (proc?.pid && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((resolve) => proc?.once('exit', resolve))
    try {
      process.kill(-proc.pid, 'SIGKILL')
    } catch {
      proc.kill('SIGKILL')
    }
    await exited
  }
  await new Promise((resolve) => server?.close(resolve))
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 })
  expect(errors).toEqual([])
})

/** A lab page of the test origin: the built packages on `globalThis.lifecycleLab`. */
async function openLab(): Promise<Page> {
  const page = await context.newPage()
  page.on('pageerror', (error) => errors.push(`lab: ${error.message}`))
  await page.goto(`${origin}/lab`)
  await page.waitForFunction(() => 'lifecycleLab' in globalThis)
  return page
}

/** Creates the page's store over its own mock wallet (options given as JSON) and connects it. */
async function connectLab(page: Page, options: Record<string, unknown>, clockSkew?: { after: number; by: number }): Promise<void> {
  await page.evaluate(
    async ([options, skew]) => {
      const { core, testing } = globalThis.lifecycleLab
      const provider = testing.createMockProvider()
      // A wall clock that jumps ahead `by` ms `after` ms from now, while the timers stand still: a system sleep.
      const jumpAt = skew ? Date.now() + skew.after : Infinity
      const clock = skew && {
        now: () => Date.now() + (Date.now() >= jumpAt ? skew.by : 0),
        setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
        clearTimeout: (handle: unknown) => {
          clearTimeout(handle as number)
        },
      }
      const store = core.createSessionStore(provider, { ...options, ...(clock ? { clock } : {}) })
      Object.assign(globalThis.lifecycleLab, { store, provider })
      for (const type of ['reconnect:attempt', 'reconnect:succeeded', 'reconnect:gaveup', 'session:expired'] as const) {
        store.on(type, () => globalThis.lifecycleLab.events.push(type))
      }
      await store.connect()
    },
    [options, clockSkew] as const,
  )
  expect(await snapshot(page)).toMatchObject({ status: 'connected' })
}

const snapshot = (page: Page) => page.evaluate(() => {
  const { status, lastError } = globalThis.lifecycleLab.store.getSnapshot()
  return { status, code: lastError?.code ?? null }
})
const events = (page: Page) => page.evaluate(() => globalThis.lifecycleLab.events)

/** Navigates away and Back; what the page was: `persisted` (from the bfcache) and why not. */
async function awayAndBack(page: Page, whileAway: () => Promise<unknown> = () => Promise.resolve()): Promise<{ persisted: boolean; reasons: string[] }> {
  const cdp = await context.newCDPSession(page)
  const reasons: string[] = []
  await cdp.send('Page.enable')
  cdp.on('Page.backForwardCacheNotUsed', (e: { notRestoredExplanations: { reason: string }[] }) => {
    for (const { reason } of e.notRestoredExplanations) reasons.push(reason)
  })
  const loadedAt = await page.evaluate(() => globalThis.lifecycleLab.loadedAt)
  await page.goto(`${origin}/away`)
  await whileAway()
  // a page from the bfcache fires no load event
  await page.goBack({ waitUntil: 'commit' })
  await page.waitForFunction(() => 'lifecycleLab' in globalThis && globalThis.lifecycleLab.shows.length > 0)
  const [again, shows] = await page.evaluate(() => [globalThis.lifecycleLab.loadedAt, globalThis.lifecycleLab.shows] as const)
  await cdp.detach()
  const persisted = again === loadedAt && shows.at(-1) === true
  return { persisted, reasons }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the back/forward cache', () => {
  it('C9, C14: a connected tab (BroadcastChannel, encrypted IndexedDB storage, expiry timer) enters the bfcache and Back shows the same store, still connected, its channel still heard (M3)', async () => {
    const page = await openLab()
    await connectLab(page, { broadcast: true, storageKey: 'bf.kept', expiry: { ttlMs: 3_600_000 } })
    const back = await awayAndBack(page, () => sleep(300))
    expect(back).toEqual({ persisted: true, reasons: [] })
    expect(await snapshot(page)).toEqual({ status: 'connected', code: null })
    // its channel still works: another tab's sign-out reaches it (M3)
    const other = await openLab()
    await connectLab(other, { broadcast: true, storageKey: 'bf.kept' })
    await other.evaluate(() => globalThis.lifecycleLab.store.disconnect())
    await expect.poll(() => snapshot(page)).toEqual({ status: 'disconnected', code: null })
    await other.close()
    await page.close()
  })

  it('M3: a cached tab that another tab signs out in is evicted by the BroadcastChannel message: Back loads it anew (its store restores afresh), never the ended session from the cache', async () => {
    const a = await openLab()
    await connectLab(a, { broadcast: true, storageKey: 'bf.signout' })
    const back = await awayAndBack(a, async () => {
      const b = await openLab()
      await connectLab(b, { broadcast: true, storageKey: 'bf.signout' })
      await b.evaluate(() => globalThis.lifecycleLab.store.disconnect())
      await sleep(300)
      await b.close()
    })
    expect(back.persisted).toBe(false)
    expect(back.reasons.join(' ')).toMatch(/BroadcastChannel/i)
    await a.close()
  })

  it('M6: a cached tab that leads a reconnect is evicted as another tab asks for the reconnect lock, which that tab then gets', async () => {
    const a = await openLab()
    await connectLab(a, { broadcast: true, storageKey: 'bf.lock', reconnect: { baseDelayMs: 200, maxDelayMs: 200, maxAttempts: 1000 } })
    await a.evaluate(() => {
      globalThis.lifecycleLab.provider.wallet.drop()
    })
    await expect.poll(() => events(a)).toContain('reconnect:attempt')
    let granted = ''
    const back = await awayAndBack(a, async () => {
      const b = await openLab()
      granted = await b.evaluate(() =>
        Promise.race([
          navigator.locks.request('sessionlayer.reconnect::bf.lock', () => 'granted'),
          new Promise<string>((resolve) => setTimeout(() => resolve('still held'), 5_000)),
        ]),
      )
      await b.close()
    })
    expect(granted).toBe('granted')
    expect(back.persisted).toBe(false)
    await a.close()
  })

  it('C12: a session whose TTL passed while its tab was cached is expired as the tab comes back, not shown connected', async () => {
    const page = await openLab()
    await connectLab(page, { storageKey: 'bf.ttl', expiry: { ttlMs: 1_500 } })
    const back = await awayAndBack(page, () => sleep(2_000))
    expect(back.persisted).toBe(true)
    await expect.poll(() => snapshot(page), { timeout: 500, interval: 50 }).toEqual({ status: 'disconnected', code: 'SESSION_EXPIRED' })
    await page.close()
  })

  it('C12: after a system sleep past the TTL (the wall clock jumped, the timers did not count it), the tab showing again ends the session at once, not up to a minute later', async () => {
    const page = await openLab()
    // a one-hour TTL: the expiry check is armed for a minute; the system "sleeps" two hours a second from now
    await connectLab(page, { storageKey: 'bf.sleep', expiry: { ttlMs: 3_600_000 } }, { after: 1_000, by: 7_200_000 })
    const back = await awayAndBack(page, () => sleep(1_500))
    expect(back.persisted).toBe(true)
    await expect.poll(() => snapshot(page), { timeout: 1_000, interval: 50 }).toEqual({ status: 'disconnected', code: 'SESSION_EXPIRED' })
    expect(await events(page)).toEqual(['session:expired'])
    await page.close()
  })
})

describe('the back/forward cache, with the vanilla example and its demo wallet', () => {
  it('C7, C11: a tab cached while the user switched party and then disconnected in the wallet (no dApp tab open) comes back from the cache showing the wallet as it is now (the storage events wait for it)', async () => {
    const page = await context.newPage()
    page.on('pageerror', (error) => errors.push(`vanilla: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(`vanilla: console.${message.type()}: ${message.text()}`)
    })
    await page.goto(`${origin}/vanilla/`)
    await expect.poll(() => text(page, 'status')).toBe('disconnected')
    await page.getByTestId('connect').click()
    await page.getByTestId('wallet-approve').click()
    await expect.poll(() => text(page, 'status')).toBe('connected')
    expect(await text(page, 'party')).toBe(ALICE)
    await page.evaluate(() => Object.assign(globalThis, { marker: 1 }))
    // the wallet's state is the profile's localStorage: changed from a page of no dApp
    const wallet = async (patch: Record<string, unknown>) => {
      const other = await context.newPage()
      await other.goto(`${origin}/away`)
      await other.evaluate((patch) => {
        const state = JSON.parse(localStorage.getItem('demo-wallet:state') ?? '{}') as Record<string, unknown>
        localStorage.setItem('demo-wallet:state', JSON.stringify({ ...state, ...patch }))
      }, patch)
      await other.close()
    }
    await page.goto(`${origin}/away`)
    await wallet({ partyId: BOB })
    await page.goBack({ waitUntil: 'commit' })
    await expect.poll(() => page.evaluate(() => 'marker' in globalThis)).toBe(true)
    await expect.poll(() => text(page, 'party')).toBe(BOB)
    expect(await text(page, 'status')).toBe('connected')
    await page.goto(`${origin}/away`)
    await wallet({ connected: false })
    await page.goBack({ waitUntil: 'commit' })
    await expect.poll(() => page.evaluate(() => 'marker' in globalThis)).toBe(true)
    // the wallet says its session ended (reason 'disconnect'): no drop to retry, the tab is out at once (C7)
    await expect.poll(() => text(page, 'status')).toBe('disconnected')
    await page.close()
  })
})

describe('frozen tabs', () => {
  it('C12: the last activity of a tab the browser hides and freezes before it told the other tabs still counts there (idle expiry)', async () => {
    const options = { broadcast: true, storageKey: 'frozen.idle', expiry: { idleTimeoutMs: 3_000 } }
    const a = await openLab()
    const b = await openLab()
    await connectLab(a, options)
    await connectLab(b, options)
    await a.bringToFront()
    expect(await a.evaluate(() => document.visibilityState)).toBe('visible')
    // the user works in tab A for a while (told to tab B at most once per quarter of the idle timeout)
    const lastTouch = await a.evaluate(async () => {
      const end = Date.now() + 600
      while (Date.now() < end) {
        globalThis.lifecycleLab.store.touch()
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      globalThis.lifecycleLab.store.touch()
      return Date.now()
    })
    // then the browser hides and freezes tab A: none of its timers runs, and it runs no pagehide
    const cdp = await context.newCDPSession(a)
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    await b.evaluate(() => {
      globalThis.lifecycleLab.store.on('session:expired', (e) => globalThis.lifecycleLab.events.push(`expired at ${String(e.expiredAt)}`))
    })
    await expect.poll(() => events(b), { timeout: 10_000 }).toContain('session:expired')
    const expiredAt = Number((await events(b)).find((e) => e.startsWith('expired at '))?.slice(11))
    // B expires idleTimeoutMs after A's last activity, not after the last one A happened to tell
    expect(expiredAt).toBeGreaterThanOrEqual(lastTouch + 3_000 - 50)
    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    await cdp.detach()
    await a.close()
    await b.close()
  })

  it('M6, C17: a frozen tab that holds the reconnect lock keeps it, but the other tab takes the attempts over; both reconnect once the wallets are back', async () => {
    const options = { broadcast: true, storageKey: 'frozen.lead', requestTimeoutMs: 1_000, reconnect: { baseDelayMs: 200, maxDelayMs: 500, maxAttempts: 1000 } }
    const a = await openLab()
    const b = await openLab()
    await connectLab(a, options)
    await connectLab(b, options)
    // A's wallet drops first: A takes the lock and runs the attempts; then B's, and B follows A
    await a.evaluate(() => {
      globalThis.lifecycleLab.provider.wallet.drop()
    })
    // A is a background tab now (B opened after it): its timers run at most once a second
    expect(await a.evaluate(() => document.visibilityState)).toBe('hidden')
    await expect.poll(() => events(a), { timeout: 5_000 }).toContain('reconnect:attempt')
    await b.evaluate(() => {
      globalThis.lifecycleLab.provider.wallet.drop()
    })
    await expect.poll(() => snapshot(b)).toMatchObject({ status: 'reconnecting' })
    await sleep(1_000)
    expect(await events(b)).toEqual([])

    const cdp: CDPSession = await context.newCDPSession(a)
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    // the lock stays with the frozen tab
    const held = await b.evaluate(() => navigator.locks.query().then((q) => (q.held ?? []).some((l) => l.name === 'sessionlayer.reconnect::frozen.lead')))
    expect(held).toBe(true)
    // B's wait for the leader's next word is overdue: it runs the attempts itself
    await expect.poll(() => events(b), { timeout: 10_000 }).toContain('reconnect:attempt')

    await b.evaluate(() => {
      globalThis.lifecycleLab.provider.wallet.recover()
    })
    await expect.poll(() => snapshot(b)).toEqual({ status: 'connected', code: null })
    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    await a.evaluate(() => {
      globalThis.lifecycleLab.provider.wallet.recover()
    })
    await expect.poll(() => snapshot(a)).toEqual({ status: 'connected', code: null })
    await cdp.detach()
    await a.close()
    await b.close()
  })

  it('M6: the tab that takes the attempts over from a frozen leader takes its reconnect lock too (steal): at the next drop it holds the lock at once; the woken tab follows, and the lock never has two holders', async () => {
    const options = { broadcast: true, storageKey: 'frozen.steal', requestTimeoutMs: 1_000, reconnect: { baseDelayMs: 200, maxDelayMs: 500, maxAttempts: 1000 } }
    const name = 'sessionlayer.reconnect::frozen.steal'
    const a = await openLab()
    const b = await openLab()
    await connectLab(a, options)
    await connectLab(b, options)
    // each page's client id, as navigator.locks.query() names the holders
    const clientId = (page: Page) => page.evaluate(() => navigator.locks.request('whoami', async () => (await navigator.locks.query()).held?.find((l) => l.name === 'whoami')?.clientId))
    const [idA, idB] = [await clientId(a), await clientId(b)]
    expect(idA).not.toBe(idB)
    const locks = () =>
      b.evaluate(async (name) => {
        const { held = [], pending = [] } = await navigator.locks.query()
        return { held: held.filter((l) => l.name === name).map((l) => l.clientId), pending: pending.filter((l) => l.name === name).map((l) => l.clientId) }
      }, name)
    const wallet = (page: Page, action: 'drop' | 'recover') =>
      page.evaluate((action) => {
        globalThis.lifecycleLab.provider.wallet[action]()
      }, action)
    await wallet(a, 'drop')
    await expect.poll(() => events(a), { timeout: 5_000 }).toContain('reconnect:attempt')
    await wallet(b, 'drop')
    await expect.poll(locks).toEqual({ held: [idA], pending: [idB] })

    const cdp = await context.newCDPSession(a)
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
    await expect.poll(() => events(b), { timeout: 10_000 }).toContain('reconnect:attempt')
    // B took the lock from the frozen tab: its queued request gave way to the one that took it
    expect(await locks()).toEqual({ held: [idB], pending: [] })
    await wallet(b, 'recover')
    await expect.poll(() => snapshot(b)).toEqual({ status: 'connected', code: null })
    // B keeps the lock a second after it reconnected (its message of it reaches the other tabs first), then lets it go
    await expect.poll(locks, { timeout: 3_000 }).toEqual({ held: [], pending: [] })
    // the next drop: B holds the lock at once, not after its wait for the frozen tab's word
    await wallet(b, 'drop')
    await expect.poll(locks, { timeout: 500, interval: 50 }).toEqual({ held: [idB], pending: [] })
    await wallet(b, 'recover')
    await expect.poll(() => snapshot(b)).toEqual({ status: 'connected', code: null })

    // A wakes a while later: its attempt, long due, first asks navigator.locks.query() which tab holds the lock (none, or B: not A).
    // A woken page's tasks come in no fixed order, and A's own wallet is still down: hearing that B
    // reconnected, A checks its wallet and, that failing, leads its own attempts (C7). So at most
    // one attempt of A's own, and never two holders of the lock.
    const attempts = async (page: Page) => (await events(page)).filter((e) => e === 'reconnect:attempt').length
    const before = await attempts(a)
    await sleep(1_000)
    await cdp.send('Page.setWebLifecycleState', { state: 'active' })
    await sleep(600)
    expect(await attempts(a)).toBeLessThanOrEqual(before + 1)
    expect((await locks()).held.length).toBeLessThanOrEqual(1)
    await wallet(a, 'recover')
    await expect.poll(() => snapshot(a)).toEqual({ status: 'connected', code: null })
    expect(await snapshot(b)).toEqual({ status: 'connected', code: null })
    await expect.poll(locks, { timeout: 3_000 }).toEqual({ held: [], pending: [] })
    await cdp.detach()
    await a.close()
    await b.close()
  })
})
