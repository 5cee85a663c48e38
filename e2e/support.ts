import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs'
import { serveStatic } from '../scripts/serve.mjs'

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Where each built example is mounted on the test server. */
export const APPS = {
  react: path.join(ROOT, 'examples/react-dapp/dist'),
  vue: path.join(ROOT, 'examples/vue-dapp/dist'),
  vanilla: path.join(ROOT, 'examples/vanilla/dist'),
} as const

/** A browser and a static server for one test file. */
export interface Harness {
  readonly browser: Browser
  /** `http://127.0.0.1:<port>/<app>/` (with `?wallet=mock` etc. appended by the caller). */
  url(app: keyof typeof APPS, query?: string): string
  /**
   * A fresh profile: its pages share the origin, IndexedDB, BroadcastChannel and Web Locks. With
   * `clock`, its timers and `Date` run on Playwright's clock (see {@link passShortTtl}), installed
   * before any tab opens: time flows as usual until a test moves it ahead, in every tab and frame at once.
   */
  context(options?: { clock?: boolean }): Promise<BrowserContext>
  /** A new tab in `context` with `app` loaded; page errors and console errors / warnings are collected into `errors`. */
  open(context: BrowserContext, app: keyof typeof APPS, query?: string): Promise<Page>
  /** Uncaught errors and console errors / warnings of every page opened through `open`. */
  readonly errors: string[]
  close(): Promise<void>
}

/**
 * Launches Debian Chromium and serves the built examples on 127.0.0.1 (a random port), each app
 * under its own path: `/react/`, `/vue/`, `/vanilla/`.
 * @returns the harness
 */
export async function startHarness(): Promise<Harness> {
  const mounts = Object.fromEntries(Object.entries(APPS).map(([app, dir]) => [`/${app}/`, dir]))
  const server = await serveStatic(mounts, 0)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  const contexts: BrowserContext[] = []
  const errors: string[] = []
  const url = (app: keyof typeof APPS, query = '') => `${server.url}${app}/${query}`
  return {
    browser,
    errors,
    url,
    async context(options) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 700 } })
      contexts.push(context)
      if (options?.clock) await context.clock.install()
      return context
    },
    async open(context, app, query) {
      if (!existsSync(path.join(APPS[app], 'index.html'))) throw new Error(`examples: ${app} is not built (pnpm e2e builds it first)`)
      const page = await context.newPage()
      page.on('pageerror', (error) => errors.push(`${app}: ${error.message}`))
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') errors.push(`${app}: console.${message.type()}: ${message.text()} (${message.location().url})`)
      })
      await page.goto(url(app, query))
      return page
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined)
      await browser.close()
      await server.close()
    },
  }
}

/**
 * Starts a harness before the file's tests and closes it after them, checking that no page threw
 * an uncaught error or logged a console error or warning (React and Vue warnings, failed loads).
 * @returns the harness, for use inside tests
 */
export function useHarness(): () => Harness {
  let harness: Harness | undefined
  beforeAll(async () => {
    harness = await startHarness()
  })
  afterAll(async () => {
    if (!harness) return
    await harness.close()
    expect(harness.errors).toEqual([])
  })
  return () => {
    if (!harness) throw new Error('the e2e harness did not start')
    return harness
  }
}

/**
 * Where screenshots go: `examples/artifacts/` when regenerating them (`pnpm screenshots`), else
 * a scratch folder, so that a normal e2e run leaves the committed PNGs alone.
 * @returns the folder (created)
 */
export function screenshotDir(): string {
  const dir = process.env.SESSIONLAYER_SCREENSHOTS === '1' ? path.join(ROOT, 'examples/artifacts') : path.join(ROOT, '.artifacts-tmp')
  mkdirSync(dir, { recursive: true })
  return dir
}

/** The demo wallet's parties (examples/demo-wallet). */
export const ALICE = 'alice::1220f3a9c2e4b7d1'
export const BOB = 'bob::1220b04d7e91a6c3'

/**
 * The text of the element with a `data-testid`, trimmed.
 * @param page - the tab
 * @param testId - the test id
 * @returns the text ('' when absent)
 */
export async function text(page: Page, testId: string): Promise<string> {
  const locator = page.getByTestId(testId)
  return (await locator.count()) ? ((await locator.first().textContent()) ?? '').trim() : ''
}

/**
 * Clicks Connect in the dApp and Approve in the demo wallet's panel.
 * @param page - the tab
 */
export async function connectAndApprove(page: Page): Promise<void> {
  await page.getByTestId('connect').click()
  await page.getByTestId('wallet-approve').click()
}

/** The demo wallet's shortest session TTL, the one {@link connectWithShortTtl} picks. */
export const SHORT_TTL_MS = 10_000

/**
 * Sets the demo wallet's session TTL to 10 s, reloads (the dApp reads the TTL when it creates its
 * store), then connects and approves: the tab ends connected with a 10 s session.
 * @param page - the tab
 */
export async function connectWithShortTtl(page: Page): Promise<void> {
  await page.getByTestId('wallet-ttl').selectOption({ label: '10 s' })
  await page.reload()
  await expect.poll(() => text(page, 'status')).toBe('disconnected')
  await connectAndApprove(page)
  await expect.poll(() => text(page, 'status')).toBe('connected')
}

/**
 * Lets the short session of {@link connectWithShortTtl} run out without waiting 10 s for it: the clock
 * of `context` (made with `h.context({ clock: true })`) jumps {@link SHORT_TTL_MS} ahead in every tab
 * and frame at once, firing the timers that fall due meanwhile, as after that much time. IndexedDB,
 * WebCrypto, BroadcastChannel and Web Locks stay real.
 * @param context - the profile
 */
export async function passShortTtl(context: BrowserContext): Promise<void> {
  await context.clock.fastForward(SHORT_TTL_MS)
}

/**
 * Polls `read` until it returns `expected`, moving the clock of `context` (made with
 * `h.context({ clock: true })`) `stepMs` ahead before each read: a chain of timers, such as the
 * reconnect backoff, runs to its end without the wall-clock wait, each timer still firing after
 * the answer that armed it.
 * @param context - the profile
 * @param read - what to poll
 * @param expected - the value to wait for
 * @param stepMs - how far the clock moves before each read
 */
export async function pollWithClock<T>(context: BrowserContext, read: () => Promise<T>, expected: T, stepMs = 500): Promise<void> {
  await expect
    .poll(
      async () => {
        await context.clock.fastForward(stepMs)
        return read()
      },
      { timeout: 20_000 },
    )
    .toEqual(expected)
}

/**
 * Records the method of every request the page sends to the wallet over postMessage, in
 * `window.__walletRequests` (installed before any page script runs, in every tab of the context).
 * @param context - the profile
 */
export async function recordWalletRequests(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const log: string[] = []
    Object.assign(globalThis, { __walletRequests: log })
    globalThis.addEventListener('message', (event: MessageEvent<{ type?: string; request?: { id?: unknown; method?: string } }>) => {
      const { type, request } = event.data
      if (type === 'SPLICE_WALLET_REQUEST' && request?.id != null && request.method) log.push(request.method)
    })
  })
}

/**
 * The wallet requests the page sent since it loaded (see {@link recordWalletRequests}).
 * @param page - the tab
 * @returns the methods, in order
 */
export function walletRequests(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { __walletRequests: string[] }).__walletRequests)
}

/**
 * A tab of the test origin with no app, at `base` (a folder URL of the harness): the BUILT packages
 * (`packages/<name>/dist`) through an import map, on `globalThis[name]` as `{ core, testing, ...state }`,
 * for a test to drive a store itself.
 */
export async function openLab(h: Harness, context: BrowserContext, base: string, name: string, state: string): Promise<Page> {
  const names = ['session-core', 'session-crypto', 'session-sync', 'session-testing']
  const imports = Object.fromEntries(names.map((pkg) => [`@sessionlayer/${pkg}`, `./pkg/${pkg}/index.js`]))
  const html = `<!doctype html><meta charset="utf-8"><title>lab</title>
<script type="importmap">${JSON.stringify({ imports })}</script>
<script type="module">
import * as core from '@sessionlayer/session-core'
import * as testing from '@sessionlayer/session-testing'
window.${name} = { core, testing, ${state} }
</script>`
  await context.route(`${base}**`, (route) => {
    const rel = new URL(route.request().url()).pathname.slice(new URL(base).pathname.length)
    const [, pkg, file] = /^pkg\/([a-z-]+)\/([\w.-]+\.js)$/.exec(rel) ?? []
    if (pkg && file && names.includes(pkg)) {
      return route.fulfill({ contentType: 'text/javascript', body: readFileSync(path.join(ROOT, 'packages', pkg, 'dist', file), 'utf8') })
    }
    return route.fulfill({ contentType: 'text/html', body: html })
  })
  const page = await context.newPage()
  page.on('pageerror', (error) => h.errors.push(`lab: ${error.message}`))
  await page.goto(base)
  await page.waitForFunction((key) => key in globalThis, name)
  return page
}
