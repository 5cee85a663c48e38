import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type * as Core from '@sessionlayer/session-core'
import type * as Testing from '@sessionlayer/session-testing'
import { ALICE, BOB, connectAndApprove, connectWithShortTtl, openLab, SHORT_TTL_MS, recordWalletRequests, text, walletRequests, useHarness } from './support'

// What only a real browser shows: several tabs of one profile with real BroadcastChannel, Web Locks
// (released by the browser as a tab closes or reloads) and the encrypted IndexedDB storage.

const harness = useHarness()

const status = (page: Page) => text(page, 'status')
/** How many `status` requests the tab sent its wallet (a reconnect attempt sends one). */
const probes = async (page: Page) => (await walletRequests(page)).filter((m) => m === 'status').length
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `n` tabs of the vanilla example in one fresh profile, connected in the first one. */
async function connectedTabs(n: number): Promise<{ context: BrowserContext; tabs: Page[] }> {
  const h = harness()
  const context = await h.context()
  await recordWalletRequests(context)
  const first = await h.open(context, 'vanilla')
  const tabs = [first]
  for (let i = 1; i < n; i++) tabs.push(await h.open(context, 'vanilla'))
  for (const tab of tabs) await expect.poll(() => status(tab)).toBe('disconnected')
  await connectAndApprove(first)
  for (const tab of tabs) await expect.poll(() => status(tab)).toBe('connected')
  return { context, tabs }
}

/** The tabs that sent `status` requests since `since` (their counts then), by index. */
async function probing(tabs: Page[], since: number[]): Promise<number[]> {
  const now = await Promise.all(tabs.map(probes))
  return tabs.flatMap((_, i) => ((now[i] ?? 0) > (since[i] ?? 0) ? [i] : []))
}

/** What a lab page exposes: the built packages, and what its test keeps there. */
interface Lab {
  core: typeof Core
  testing: typeof Testing
  store: Core.SessionStore
  expired: Core.SessionEventMap['session:expired'][]
}
declare global {
  var lab: Lab
}


describe('several real tabs (BroadcastChannel, Web Locks)', () => {
  it('M6: after a drop one tab of three runs the attempts; closing it mid-reconnect hands them to one other tab; every tab reconnects', async () => {
    const { context, tabs } = await connectedTabs(3)
    const before = await Promise.all(tabs.map(probes))
    await tabs[1]?.getByTestId('wallet-drop').click()
    for (const tab of tabs) await expect.poll(() => status(tab)).toBe('reconnecting')
    // attempts #1 and #2 run 0.5 s and 1.5 s after the drop: both in one tab, none in the others
    await expect.poll(async () => (await Promise.all(tabs.map(probes))).some((n, i) => n >= (before[i] ?? 0) + 2), { timeout: 10_000 }).toBe(true)
    const leaders = await probing(tabs, before)
    expect(leaders).toHaveLength(1)
    const leader = tabs.find((_, i) => i === leaders[0])
    if (!leader) throw new Error('no tab runs the attempts')

    // The leading tab closes: the browser releases its lock, and exactly one other tab goes on.
    const rest = tabs.filter((tab) => tab !== leader)
    const since = await Promise.all(rest.map(probes))
    await leader.close()
    await expect.poll(() => probing(rest, since), { timeout: 10_000 }).toHaveLength(1)
    await sleep(1_500)
    expect(await probing(rest, since)).toHaveLength(1)
    for (const tab of rest) expect(await status(tab)).toBe('reconnecting')

    await rest[0]?.getByTestId('wallet-restore').click()
    for (const tab of rest) {
      await expect.poll(() => status(tab)).toBe('connected')
      expect(await text(tab, 'party')).toBe(ALICE)
    }
    await context.close()
  })

  it('M6: a tab reloaded mid-reconnect leaves the attempts to the other tab, and both end connected once the wallet is back', async () => {
    const { context, tabs } = await connectedTabs(2)
    const [a, b] = tabs as [Page, Page]
    const before = await Promise.all(tabs.map(probes))
    await a.getByTestId('wallet-drop').click()
    await expect.poll(async () => (await Promise.all(tabs.map(probes))).some((n, i) => n >= (before[i] ?? 0) + 1), { timeout: 10_000 }).toBe(true)
    const leaders = await probing(tabs, before)
    expect(leaders).toHaveLength(1)
    const [leader, other] = leaders[0] === 0 ? [a, b] : [b, a]

    const since = await probes(other)
    await leader.reload()
    await expect.poll(() => probes(other), { timeout: 10_000 }).toBeGreaterThan(since)
    expect(await status(other)).toBe('reconnecting')
    await other.getByTestId('wallet-restore').click()
    for (const tab of [a, b]) {
      await expect.poll(() => status(tab)).toBe('connected')
      expect(await text(tab, 'party')).toBe(ALICE)
    }
    await context.close()
  })

  it('C12: the activity of a tab the user closes still counts in the other tabs (idle expiry)', async () => {
    const h = harness()
    const context = await h.context()
    const lab = () => openLab(h, context, h.url('react', 'lab/'), 'lab', 'expired: []')
    const tabs = [await lab(), await lab()] as const
    for (const tab of tabs) {
      await tab.evaluate(async () => {
        const { core, testing } = globalThis.lab
        const store = core.createSessionStore(testing.createMockProvider(), { broadcast: true, expiry: { idleTimeoutMs: 3_000 } })
        globalThis.lab.store = store
        store.on('session:expired', (e) => globalThis.lab.expired.push(e))
        await store.connect()
      })
    }
    const [a, b] = tabs
    await expect.poll(() => b.evaluate(() => globalThis.lab.store.getSnapshot().status)).toBe('connected')
    // The user works in tab A for a while (told to tab B at most once per quarter of the idle
    // timeout), then closes it: the browser runs no destroy().
    const lastTouch = await a.evaluate(async () => {
      const end = Date.now() + 600
      while (Date.now() < end) {
        globalThis.lab.store.touch()
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      globalThis.lab.store.touch()
      return Date.now()
    })
    await a.close()
    await expect.poll(() => b.evaluate(() => globalThis.lab.expired.length), { timeout: 10_000 }).toBe(1)
    const [expired] = await b.evaluate(() => globalThis.lab.expired)
    expect(expired?.reason).toBe('idle')
    // B expires idleTimeoutMs after A's last activity, not after the last one A happened to tell
    expect(expired?.expiredAt).toBeGreaterThanOrEqual(lastTouch + 3_000 - 50)
    await context.close()
  })
})

describe('the default storage (encrypted IndexedDB)', () => {
  it('K6, C10: two tabs persisting the first session at once share one key; a tab opened after the party changed in the wallet decrypts it and reports the change with source restore', async () => {
    const h = harness()
    const context = await h.context()
    await recordWalletRequests(context)
    // a fresh profile: the connect in A and the restore it starts in B both write first
    const a = await h.open(context, 'react')
    const a2 = await h.open(context, 'react')
    await expect.poll(() => status(a)).toBe('disconnected')
    await connectAndApprove(a)
    for (const tab of [a, a2]) await expect.poll(() => text(tab, 'party')).toBe(ALICE)

    // The raw IndexedDB, through a page of the origin with no app: one key, one opaque blob.
    const blank = h.url('react', 'blank')
    await context.route(blank, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title>' }))
    const wallet = await context.newPage()
    await wallet.goto(blank)
    const counts = () =>
      wallet.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open(`sessionlayer::${location.origin}`)
          req.onsuccess = () => resolve(req.result)
          req.onerror = () => reject(req.error ?? new Error('open failed'))
        })
        const count = (name: string) =>
          new Promise<number>((resolve) => {
            const req = db.transaction(name).objectStore(name).count()
            req.onsuccess = () => resolve(req.result)
          })
        const result = [await count('keys'), await count('blobs')]
        db.close()
        return result
      })
    await expect.poll(counts).toEqual([1, 1])
    await a.close()
    await a2.close()

    // No dApp tab is open: the user switches to Bob in the wallet (its per-profile state).
    await wallet.evaluate((bob) => {
      const state = JSON.parse(localStorage.getItem('demo-wallet:state') ?? '{}') as Record<string, unknown>
      localStorage.setItem('demo-wallet:state', JSON.stringify({ ...state, partyId: bob }))
    }, BOB)
    await wallet.close()

    const b = await h.open(context, 'react')
    await expect.poll(() => status(b)).toBe('connected')
    await expect.poll(() => text(b, 'party')).toBe(BOB)
    await expect.poll(() => b.getByTestId('event').filter({ hasText: 'party:changed' }).filter({ hasText: '(restore)' }).count()).toBe(1)
    expect(await walletRequests(b)).not.toContain('connect')
    await context.close()
  })

  it('C12: the TTL survives a reload (the persisted expiresAt is read back), and a session that expired while no tab was open is not revived', async () => {
    const h = harness()
    // the clock jumps ahead instead of the test waiting: 4 s with the tab open, then past the TTL with none open
    const context = await h.context({ clock: true })
    const a = await h.open(context, 'react')
    await connectWithShortTtl(a)
    await context.clock.fastForward(4_000)
    await a.reload()
    await expect.poll(() => status(a)).toBe('connected')
    expect(await text(a, 'expiry-countdown')).toMatch(/^Expires in 0:0[0-6]$/)
    await a.close()

    await context.clock.fastForward(SHORT_TTL_MS + 1_000 - 4_000)
    const b = await h.open(context, 'react')
    await b.getByTestId('reauth-prompt').waitFor({ timeout: 10_000 })
    expect(await status(b)).toBe('reconnecting')
    expect(await b.getByTestId('event').filter({ hasText: 'session:expired' }).count()).toBe(1)
    await context.close()
  })
})
