import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type * as Core from '@sessionlayer/session-core'
import type * as Testing from '@sessionlayer/session-testing'
import { BOB, connectAndApprove, openLab, text, useHarness } from './support'

// Many tabs of one profile in real Chromium: 12 tabs of the vanilla example (broadcast, reconnect,
// the default encrypted IndexedDB storage) share the demo wallet. For each user action every tab
// counts what it did — wallet requests, messages posted on BroadcastChannel, reads and writes of
// the stored session, notifications of its subscriber — and the test bounds those counts, so that
// work growing with the square of the number of tabs, the entry written by every tab for one
// change, or a storm of messages shows up as a failure. Counts only: no timing is asserted.

const harness = useHarness()

const TABS = 12

/** What each tab counts, from before any page script runs. */
interface Counts {
  /** wallet requests by method */
  wallet: Record<string, number>
  /** BroadcastChannel messages posted, by `kind` */
  posts: Record<string, number>
  /** IndexedDB operations on the blobs store (the stored session): put, get, delete */
  idb: Record<string, number>
  /** subscriber notifications (the example renders its status on every one) */
  renders: number
  /** what those renders showed, in order: the status, and the error when it changed (for failure messages) */
  trail: string[]
}
/** What a lab tab keeps: the built packages, its store and wallet, and what its callbacks saw. */
interface ScaleLab {
  core: typeof Core
  testing: typeof Testing
  store: Core.SessionStore
  wallet: Testing.MockWallet
  invalidated: string[]
  expired: number
}
declare global {
  var __scale: Counts
  var scaleLab: ScaleLab
}

/** Installs the counters in every tab of `context`, before any page script runs. */
async function instrument(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const counts: Counts = { wallet: {}, posts: {}, idb: {}, renders: 0, trail: [] }
    const bump = (map: Record<string, number>, key: string) => {
      map[key] = (map[key] ?? 0) + 1
    }
    globalThis.__scale = counts
    // the dApp's requests to the demo wallet (the official postMessage protocol; events carry no id)
    globalThis.addEventListener('message', (event: MessageEvent<{ type?: string; request?: { id?: unknown; method?: string } }>) => {
      const { type, request } = event.data
      if (type === 'SPLICE_WALLET_REQUEST' && request?.id != null && request.method) bump(counts.wallet, request.method)
    })
    const original = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)?.value as (...args: unknown[]) => unknown
    const post = original(BroadcastChannel.prototype, 'postMessage')
    BroadcastChannel.prototype.postMessage = function (this: BroadcastChannel, message: unknown) {
      const kind = (message as { kind?: unknown } | null)?.kind
      bump(counts.posts, typeof kind === 'string' ? kind : '?')
      post.call(this, message)
    }
    for (const op of ['put', 'get', 'delete'] as const) {
      const run = original(IDBObjectStore.prototype, op)
      Object.defineProperty(IDBObjectStore.prototype, op, {
        configurable: true,
        writable: true,
        value(this: IDBObjectStore, ...args: unknown[]) {
          if (this.name === 'blobs') bump(counts.idb, op)
          return run.apply(this, args)
        },
      })
    }
    // The example renders on every notification, setting the status text (a childList mutation
    // even when the text is the same).
    new MutationObserver((records) => {
      for (const record of records) {
        const id = record.target instanceof Element ? record.target.getAttribute('data-testid') : null
        if (id === 'status') counts.renders++
        // the text this render set (the node it added), not the element's text by now
        if (id === 'status' || id === 'error') counts.trail.push(`${id}: ${record.addedNodes[0]?.textContent ?? ''}`)
      }
    }).observe(document, { subtree: true, childList: true })
  })
}

const counts = (tab: Page) => tab.evaluate(() => JSON.parse(JSON.stringify(globalThis.__scale)) as Counts)
const sum = (map: Record<string, number>) => Object.values(map).reduce((a, b) => a + b, 0)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** What each tab did since `before`. */
function delta(before: Counts[], after: Counts[]): Counts[] {
  const diff = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(b).flatMap(([k, v]) => (v - (a[k] ?? 0) ? [[k, v - (a[k] ?? 0)]] : [])))
  return after.map((b, i) => {
    const a = before[i] ?? { wallet: {}, posts: {}, idb: {}, renders: 0, trail: [] }
    return { wallet: diff(a.wallet, b.wallet), posts: diff(a.posts, b.posts), idb: diff(a.idb, b.idb), renders: b.renders - a.renders, trail: b.trail.slice(a.trail.length) }
  })
}

/**
 * The counts once no tab counts anything more over a quiet 0.7 s — or after 14 s of activity (a
 * storm, which the bounds then catch).
 */
async function settled(tabs: Page[]): Promise<Counts[]> {
  let last = JSON.stringify(await Promise.all(tabs.map(counts)))
  for (let round = 0; round < 20; round++) {
    await sleep(700)
    const now = JSON.stringify(await Promise.all(tabs.map(counts)))
    if (now === last) break
    last = now
  }
  return JSON.parse(last) as Counts[]
}

/** The counts of all tabs together. */
function total(per: Counts[]): Counts {
  const add = (pick: (c: Counts) => Record<string, number>) =>
    per.reduce<Record<string, number>>((acc, c) => {
      for (const [k, v] of Object.entries(pick(c))) acc[k] = (acc[k] ?? 0) + v
      return acc
    }, {})
  return { wallet: add((c) => c.wallet), posts: add((c) => c.posts), idb: add((c) => c.idb), renders: per.reduce((a, c) => a + c.renders, 0), trail: [] }
}

/** Per tab, the sum of a count over `keys` (all of them without). */
const of = (map: Record<string, number>, ...keys: string[]) => (keys.length ? keys.reduce((a, k) => a + (map[k] ?? 0), 0) : sum(map))
/** The indexes of the tabs whose `pick` is above 0. */
const which = (per: Counts[], pick: (c: Counts) => number) => per.flatMap((c, i) => (pick(c) > 0 ? [i] : []))

describe(`${TABS} real tabs of the vanilla example, one demo wallet: the work of each user action is bounded per tab`, () => {
  it('M3–M6, C2, C15: connect, party and network switch, drop with the leading tab closing, recovery and disconnect each cost every tab a bounded number of wallet requests, messages, stored-entry writes and notifications; no tab answers another, one tab reconnects', async () => {
    const h = harness()
    const context = await h.context()
    await instrument(context)
    let tabs: Page[] = []
    for (let i = 0; i < TABS; i++) tabs.push(await h.open(context, 'vanilla'))
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe('disconnected')
    let base = await settled(tabs)
    const measured: Record<string, Counts> = {}
    /** What each tab did for `action` since the previous one. */
    const step = (action: string, now: Counts[]) => {
      const d = delta(base, now)
      measured[action] = total(d)
      base = now
      return d
    }
    const [first] = tabs
    if (!first) throw new Error('no tab')

    // Connect in one tab: it alone asks the wallet to connect and tells the others once (M4); each
    // other tab reads its accounts once and writes the entry at most twice (its own connection,
    // then the session times of the first tab's); no tab sends anything for another's message.
    await connectAndApprove(first)
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe('connected')
    let d = step('connect', await settled(tabs))
    expect(measured.connect?.wallet).toMatchObject({ connect: 1 })
    expect(measured.connect?.posts).toEqual({ connected: 1 })
    expect(which(d, (c) => of(c.posts)), `messages per tab: ${JSON.stringify(d.map((c) => c.posts))}`).toEqual([0])
    for (const c of d) {
      expect(of(c.wallet, 'listAccounts')).toBeLessThanOrEqual(1)
      expect(of(c.wallet)).toBeLessThanOrEqual(2)
      expect(of(c.idb, 'put')).toBeLessThanOrEqual(2)
      expect(c.renders, `what the tab showed: ${JSON.stringify(c.trail)}`).toBeGreaterThanOrEqual(1)
      expect(c.renders, `what the tab showed: ${JSON.stringify(c.trail)}`).toBeLessThanOrEqual(2)
    }

    // A party switch in the wallet, which tells every tab: each tab notifies once, writes at most
    // once and tells the others at most once; a tab hearing of it first from other tabs re-reads
    // its accounts at most once, however many tell it before its own wallet does. Messages and
    // reads grow with the tabs, not with their square.
    await first.getByTestId('wallet-party').selectOption(BOB)
    for (const tab of tabs) await expect.poll(() => text(tab, 'party')).toBe(BOB)
    d = step('party', await settled(tabs))
    expect(of(measured.party?.posts ?? {})).toBeLessThanOrEqual(TABS)
    for (const c of d) {
      expect(c.renders, `what the tab showed: ${JSON.stringify(c.trail)}`).toBe(1)
      expect(of(c.posts, 'party')).toBe(of(c.posts))
      expect(of(c.posts)).toBeLessThanOrEqual(1)
      expect(of(c.idb, 'put')).toBeLessThanOrEqual(1)
      expect(of(c.wallet), `wallet requests per tab: ${JSON.stringify(d.map((t) => t.wallet))}`).toBeLessThanOrEqual(1)
    }

    // A network switch (the wallet tells the network, then the accounts on it: two changes).
    await first.getByTestId('wallet-network').selectOption('canton:testnet')
    for (const tab of tabs) await expect.poll(() => text(tab, 'network')).toBe('canton:testnet')
    d = step('network', await settled(tabs))
    expect(of(measured.network?.posts ?? {})).toBeLessThanOrEqual(TABS)
    for (const c of d) {
      expect(c.renders, `what the tab showed: ${JSON.stringify(c.trail)}`).toBeLessThanOrEqual(2)
      expect(of(c.posts, 'network')).toBe(of(c.posts))
      expect(of(c.posts)).toBeLessThanOrEqual(1)
      expect(of(c.idb, 'put')).toBeLessThanOrEqual(2)
      expect(of(c.wallet, 'getActiveNetwork', 'listAccounts')).toBe(of(c.wallet))
      expect(of(c.wallet, 'getActiveNetwork')).toBeLessThanOrEqual(1)
      expect(of(c.wallet)).toBeLessThanOrEqual(2)
    }

    // The wallet drops: one tab (the holder of the reconnect lock) probes the wallet and tells of
    // its attempts; the others notify once (reconnecting) and do nothing else (M6).
    await first.getByTestId('wallet-drop').click()
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe('reconnecting')
    // attempts #1 and #2 (0.5 s and 1.5 s after the drop)
    await expect.poll(async () => which(delta(base, await Promise.all(tabs.map(counts))), (c) => of(c.wallet, 'status') - 1), { timeout: 10_000 }).toHaveLength(1)
    d = step('drop', await Promise.all(tabs.map(counts)))
    const leaders = which(d, (c) => of(c.wallet, 'status'))
    expect(leaders).toHaveLength(1)
    expect(which(d, (c) => of(c.posts)), `messages per tab: ${JSON.stringify(d.map((c) => c.posts))}`).toEqual(leaders)
    expect(which(d, (c) => of(c.wallet)), `wallet requests per tab: ${JSON.stringify(d.map((c) => c.wallet))}`).toEqual(leaders)
    for (const c of d) expect(of(c.idb, 'put', 'delete')).toBe(0)
    d.forEach((c, i) => {
      if (!leaders.includes(i)) expect(c.renders, `what the tab showed: ${JSON.stringify(c.trail)}`).toBe(1)
    })

    // The leading tab closes: exactly one of the eleven others takes the attempts over.
    const leader = tabs[leaders[0] ?? -1]
    if (!leader) throw new Error('no leading tab')
    tabs = tabs.filter((tab) => tab !== leader)
    base = base.filter((_, i) => i !== leaders[0])
    await leader.close()
    await expect.poll(async () => which(delta(base, await Promise.all(tabs.map(counts))), (c) => of(c.wallet, 'status')), { timeout: 10_000 }).toHaveLength(1)
    // the next attempt (4 s later) is the same tab's
    await expect.poll(async () => which(delta(base, await Promise.all(tabs.map(counts))), (c) => of(c.wallet, 'status') - 1), { timeout: 10_000 }).toHaveLength(1)
    d = step('leader closed', await Promise.all(tabs.map(counts)))
    const next = which(d, (c) => of(c.wallet, 'status'))
    expect(next).toHaveLength(1)
    expect(which(d, (c) => of(c.wallet)), `wallet requests per tab: ${JSON.stringify(d.map((c) => c.wallet))}`).toEqual(next)
    expect(which(d, (c) => of(c.posts)), `messages per tab: ${JSON.stringify(d.map((c) => c.posts))}`).toEqual(next)
    for (const tab of tabs) expect(await text(tab, 'status')).toBe('reconnecting')

    // The wallet is back, and tells every tab: each reads its accounts once (and at most checks
    // where the wallet stands once), writes once and notifies once; the leading tab tells the
    // others of its outcome, no one else sends anything.
    const [other] = tabs
    if (!other) throw new Error('no tab')
    await other.getByTestId('wallet-restore').click()
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe('connected')
    d = step('recover', await settled(tabs))
    expect(which(d, (c) => of(c.posts)), `messages per tab: ${JSON.stringify(d.map((c) => c.posts))}`).toEqual(next)
    expect(d[next[0] ?? -1]?.posts).toEqual({ connected: 1 })
    for (const c of d) {
      expect(of(c.wallet, 'listAccounts')).toBeLessThanOrEqual(1)
      expect(of(c.wallet, 'status')).toBeLessThanOrEqual(1)
      expect(of(c.wallet)).toBeLessThanOrEqual(2)
      expect(of(c.idb, 'put')).toBeLessThanOrEqual(1)
      expect(c.renders, `what the tab showed: ${JSON.stringify(c.trail)}`).toBeLessThanOrEqual(2)
    }
    for (const tab of tabs) expect(await text(tab, 'party')).toBe(BOB)

    // Disconnect in one tab: it tells the others once; every tab leaves its own wallet once and
    // notifies once (M3); the entry is removed once: the other tabs remove it only while it still
    // holds what they wrote — each reads it and, when it is still there, reads it again as it
    // removes it and once more in its removal's transaction — and the tab that signs out, which
    // may land its removal after theirs, finds nothing left to remove. A tab notifies once — or
    // twice when its wallet's word of the sign-out overtook the other tab's message: the demo wallet
    // tells its tabs through `storage` events, which BroadcastChannel does not wait for, and a drop
    // heard first is a drop (C7: reconnecting, then disconnected as the message comes).
    await other.getByTestId('disconnect').click()
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe('disconnected')
    d = step('disconnect', await settled(tabs))
    expect(measured.disconnect?.posts).toEqual({ disconnected: 1 })
    expect(which(d, (c) => of(c.posts)), `messages per tab: ${JSON.stringify(d.map((c) => c.posts))}`).toEqual([0])
    expect(of(measured.disconnect?.idb ?? {}, 'delete'), `stored-entry work per tab: ${JSON.stringify(d.map((c) => c.idb))}`).toBe(1)
    for (const c of d) {
      expect(c.wallet).toEqual({ disconnect: 1 })
      const shown = c.trail.filter((t) => t.startsWith('status: '))
      expect(shown, `what the tab showed: ${JSON.stringify(c.trail)}`).toEqual(c.renders == 2 ? ['status: reconnecting', 'status: disconnected'] : ['status: disconnected'])
      expect(of(c.idb, 'put')).toBe(0)
      expect(of(c.idb, 'get')).toBeLessThanOrEqual(3)
    }
    console.log(`measured with ${TABS} tabs (totals over the tabs):\n${Object.entries(measured).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}`)
    await context.close()
  })
})


describe(`${TABS} real tabs, each with its own store and onInvalidate: invalidation and expiry`, () => {
  it('M3, M5, C11, C12: a party switch calls every tab\'s onInvalidate once and an expiry once more; a session that expires in every tab at once is told at most once by each and leaves each tab\'s wallet once', async () => {
    const h = harness()
    const context = await h.context()
    await instrument(context)
    const tabs: Page[] = []
    for (let i = 0; i < TABS; i++) tabs.push(await openLab(h, context, h.url('vanilla', 'scale-lab/'), 'scaleLab', 'invalidated: [], expired: 0'))
    // each tab's own wallet (an extension tells every tab), connected from the second tab on; the
    // default storage (encrypted IndexedDB), a 5 s session
    for (const [i, tab] of tabs.entries()) {
      await tab.evaluate((connected) => {
        const { core, testing } = globalThis.scaleLab
        const wallet = testing.createMockWallet({ connected })
        const store = core.createSessionStore(testing.createMockProvider({ wallet }), {
          broadcast: true,
          reconnect: true,
          expiry: { ttlMs: 5_000 },
          onInvalidate: (e) => {
            globalThis.scaleLab.invalidated.push(e.type)
          },
        })
        store.subscribe(() => globalThis.__scale.renders++)
        store.on('session:expired', () => globalThis.scaleLab.expired++)
        Object.assign(globalThis.scaleLab, { store, wallet })
      }, i > 0)
    }
    const status = (tab: Page) => tab.evaluate(() => globalThis.scaleLab.store.getSnapshot().status)
    let base = await Promise.all(tabs.map(counts))
    const [first] = tabs
    if (!first) throw new Error('no tab')
    await first.evaluate(() => globalThis.scaleLab.store.connect())
    for (const tab of tabs) await expect.poll(() => status(tab)).toBe('connected')
    let d = delta(base, await settled(tabs))
    expect(of(total(d).posts)).toBe(1)

    // The user switches party in the wallet, which tells every tab.
    base = await Promise.all(tabs.map(counts))
    for (const tab of tabs) await tab.evaluate(() => globalThis.scaleLab.wallet.switchParty(globalThis.scaleLab.wallet.state().accounts[1]?.partyId ?? ''))
    for (const tab of tabs) await expect.poll(() => tab.evaluate(() => globalThis.scaleLab.invalidated)).toEqual(['party:changed'])
    d = delta(base, await settled(tabs))
    for (const c of d) {
      expect(c.renders).toBe(1)
      expect(of(c.posts)).toBeLessThanOrEqual(1)
      expect(of(c.idb, 'put')).toBeLessThanOrEqual(1)
    }

    // The session ends at the same moment in every tab (one expiry time): each tab tells of it once
    // at most, invalidates once, leaves its own wallet once and reads the entry a bounded number
    // of times — not once more for every other tab that told of the same end (M3, C12).
    base = await Promise.all(tabs.map(counts))
    const leaves = (tab: Page) => tab.evaluate(() => globalThis.scaleLab.wallet.calls.filter((call) => call.method === 'disconnect').length)
    for (const tab of tabs) await expect.poll(() => status(tab), { timeout: 15_000 }).toBe('disconnected')
    d = delta(base, await settled(tabs))
    for (const [i, tab] of tabs.entries()) {
      expect(await tab.evaluate(() => [globalThis.scaleLab.invalidated, globalThis.scaleLab.expired])).toEqual([['party:changed', 'expired'], 1])
      expect(await leaves(tab)).toBe(1)
      expect(d[i]?.renders).toBe(1)
      expect(of(d[i]?.posts ?? {}, 'expiry')).toBeLessThanOrEqual(1)
      expect(of(d[i]?.posts ?? {}, 'expired')).toBeLessThanOrEqual(1)
      expect(of(d[i]?.posts ?? {})).toBe(of(d[i]?.posts ?? {}, 'expiry', 'expired'))
      expect(of(d[i]?.idb ?? {}, 'put')).toBe(0)
      // the check that no tab began a session since, before the tab leaves its wallet; a checked
      // removal: a read, and while the entry is there one more as it removes it and one in its
      // removal's own transaction
      expect(of(d[i]?.idb ?? {}, 'get')).toBeLessThanOrEqual(4)
    }
    expect(of(total(d).idb, 'delete'), `stored-entry work per tab: ${JSON.stringify(d.map((c) => c.idb))}`).toBe(1)
    console.log(`lab, ${TABS} tabs: expiry ${JSON.stringify(total(d))}`)
    await context.close()
  })
})
