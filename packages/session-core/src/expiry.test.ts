import { inspect } from 'node:util'
import { createChannelHub, createMockProvider, type MockProviderOptions } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { stubPage } from '../test/page'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import type { ExpiryOptions, SessionState, SessionStoreOptions } from './types'

/** Lets the wallet's events on their way reach the tabs: each arrives on a task of its own, as from a real wallet. */
const walletEvents = async () => {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await new Promise((resolve) => setTimeout(resolve, 0))
}

const DAY = 86_400_000
const CHANNEL = 'sessionlayer.session.sync::null::sessionlayer.session'

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

/**
 * 'sync': the user leaves in the wallet as the re-auth hook starts, and the hook asks the wallet
 * again at once, before a task could bring the wallet's word of it (a task later, that word would
 * come while the hook's prompt is open).
 */
const SYNC: MockProviderOptions = { delivery: 'sync' }

async function connected(expiry: ExpiryOptions, options: SessionStoreOptions = {}, mock: MockProviderOptions = {}) {
  const provider = createMockProvider(mock)
  const storage = createMemoryStorage()
  const store = createSessionStore(provider, { storage, expiry, ...options })
  const expired = vi.fn()
  store.on('session:expired', expired)
  await store.connect()
  // the connection's events (statusChanged, connected) arrive a task after its answer
  await walletEvents()
  return { provider, wallet: provider.wallet, store, storage, expired }
}

describe('expiry', () => {
  it('C6, C12: a subscriber that reports activity as the session signs out after its idle deadline passed unseen (a system sleep) does not expire the session that ended: no session:expired, no SESSION_EXPIRED', async () => {
    const onInvalidate = vi.fn()
    const { store, expired } = await connected({ idleTimeoutMs: 60_000 }, { onInvalidate })
    // the deadline passes while the timers stand still
    vi.setSystemTime(1_000_000 + 61_000)
    const seen: string[] = []
    store.subscribe((state) => {
      seen.push(state.status)
      // the app's activity, e.g. a click handler the sign-out's render ran
      if (state.status === 'disconnected') store.touch()
    })
    await store.disconnect()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(seen).toEqual(['disconnected'])
    expect(expired).not.toHaveBeenCalled()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
    expect(onInvalidate.mock.calls.map((call) => (call[0] as { type: string }).type)).toEqual(['disconnected'])
    store.destroy()
  })

  it('C12: a TTL expires the session ttlMs after it connected: disconnected, SESSION_EXPIRED, entry removed', async () => {
    const onInvalidate = vi.fn()
    const { store, storage, expired, provider } = await connected({ ttlMs: 60_000 }, { onInvalidate })
    expect(store.getSnapshot().expiresAt).toBe(1_000_000 + 60_000)
    await vi.advanceTimersByTimeAsync(59_999)
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_060_000, reason: 'ttl' })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null })
    expect(store.getSnapshot().lastError?.code).toBe('SESSION_EXPIRED')
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    expect(provider.calls.map((c) => c.method)).toContain('disconnect')
    expect(onInvalidate).toHaveBeenLastCalledWith({ type: 'expired', previous: 'alice::1220aa', current: null, source: 'local' })
  })

  it('C12, C6: an expiry without a re-auth hook notifies, emits session:expired and calls onInvalidate at once, and removes the entry and leaves the wallet after it read the entry (docs/state-machine.md#events)', async () => {
    const order: string[] = []
    const { store, storage, provider } = await connected({ ttlMs: 60_000 }, { onInvalidate: (e) => void order.push(`onInvalidate ${e.type}`) })
    const { getItem, removeItem } = storage
    storage.getItem = (key) => (order.push('read'), getItem(key))
    storage.removeItem = (key) => (order.push('remove'), removeItem(key))
    const request = provider.request.bind(provider)
    vi.spyOn(provider, 'request').mockImplementation((args) => (args.method == 'disconnect' && order.push('wallet disconnect'), request(args)))
    store.subscribe((state) => void order.push(state.status))
    store.on('session:expired', () => void order.push('session:expired'))
    await vi.advanceTimersByTimeAsync(60_000)
    // the read that starts as it expires may be issued before onInvalidate runs, in the same task
    expect(order.filter((step) => step != 'read')).toEqual(['disconnected', 'session:expired', 'onInvalidate expired', 'remove', 'wallet disconnect'])
    expect(order.indexOf('read')).toBeGreaterThan(order.indexOf('session:expired'))
    expect(order.indexOf('read')).toBeLessThan(order.indexOf('remove'))
  })

  it('C12: a 30-day TTL does not fire early (no 2^31 ms timer overflow) and fires on time', async () => {
    const { store, expired } = await connected({ ttlMs: 30 * DAY })
    await vi.advanceTimersByTimeAsync(29 * DAY)
    expect(expired).not.toHaveBeenCalled()
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(DAY - 1)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('C12: a TTL of years works', async () => {
    const { expired } = await connected({ ttlMs: 5 * 365 * DAY })
    await vi.advanceTimersByTimeAsync(5 * 365 * DAY - 1)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('C12: a disconnect disarms the expiry of a TTL of years also once its timer was re-armed past the 2^31 ms a timer holds: no timer stays', async () => {
    // 10 years: the first check is due in 36.5 days (1 % of what is left), past the 24.8 days of
    // one timer, so it is re-armed on the way
    const { store, expired } = await connected({ ttlMs: 10 * 365 * DAY })
    await vi.advanceTimersByTimeAsync(30 * DAY)
    expect(vi.getTimerCount()).toBe(1)
    await store.disconnect()
    await walletEvents() // the wallet's word of the sign-out, on its way to the tab
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10 * DAY)
    expect(expired).not.toHaveBeenCalled()
    store.destroy()
  })

  it.each([
    ['expiry survives a reload: a restored session keeps its expiresAt', {}],
    // the reloaded page counts its idle time from the restore: 1_040_000 + 20_000, the persisted expiresAt
    ['idle and TTL deadlines on the same millisecond in a session restored after a reload: one expiry, reason ttl', { idleTimeoutMs: 20_000 }],
  ])('C12: %s', async (_, idle) => {
    const { store, storage, wallet } = await connected({ ttlMs: 60_000 })
    await vi.advanceTimersByTimeAsync(40_000)
    store.destroy()
    const reloaded = createSessionStore(createMockProvider({ wallet }), { storage, expiry: { ttlMs: 60_000, ...idle } })
    const expired = vi.fn()
    reloaded.on('session:expired', expired)
    expect((await reloaded.restore()).expiresAt).toBe(1_060_000)
    await vi.advanceTimersByTimeAsync(19_999)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_060_000, reason: 'ttl' })
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
  })

  it('C12: idle expiry fires after idleTimeoutMs without touch() or enqueue activity', async () => {
    const { store, expired } = await connected({ idleTimeoutMs: 10_000 })
    await vi.advanceTimersByTimeAsync(9_000)
    store.touch()
    await vi.advanceTimersByTimeAsync(9_000)
    await store.enqueue(() => 'work')
    await vi.advanceTimersByTimeAsync(9_999)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_000_000 + 18_000 + 10_000, reason: 'idle' })
    expect(store.getSnapshot().status).toBe('disconnected')
  })

  it('C12: an idleTimeoutMs or ttlMs of 0 or Infinity, or absent (undefined, null), sets none: the session does not expire', async () => {
    for (const ms of [0, -0, '0', Infinity, 'Infinity', undefined, null]) {
      for (const expiry of [{ idleTimeoutMs: ms }, { ttlMs: ms }] as unknown as ExpiryOptions[]) {
        const { store, expired } = await connected(expiry)
        await vi.advanceTimersByTimeAsync(30 * DAY)
        expect(expired).not.toHaveBeenCalled()
        expect(store.getSnapshot()).toMatchObject({ status: 'connected', expiresAt: null })
        store.destroy()
      }
    }
  })

  it('C12, misuse: an idleTimeoutMs or ttlMs that is given but no number of 0 or more (a negative number, NaN, a string such as "8h", a boolean, an array) throws a SessionError -32602 naming the option and the kind of value, and leaves no listener or channel behind: never a session without the expiry asked for', () => {
    const kinds: [unknown, string][] = [[-1, '-1'], [-Infinity, '-Infinity'], [Number.NaN, 'NaN'], ['-5', 'string'], ['8h', 'string'], ['', 'string'], [true, 'boolean'], [[1], 'object'], [{}, 'object'], [1n, 'bigint']]
    for (const [value, kind] of kinds) {
      for (const option of ['ttlMs', 'idleTimeoutMs']) {
        const provider = createMockProvider()
        const hub = createChannelHub()
        const create = () => createSessionStore(provider, { storage: createMemoryStorage(), expiry: { [option]: value }, broadcast: { channelFactory: hub.channelFactory } })
        expect(create, `${option}: ${String(value)}`).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: expect.stringContaining(`expiry.${option}`) as string }))
        expect(create).toThrow(new RegExp(`got ${kind}$`))
        expect(provider.listenerCount()).toBe(0)
        expect(hub.openCount()).toBe(0)
      }
    }
    // a long string is not echoed
    expect(() => createSessionStore(createMockProvider(), { expiry: { ttlMs: 'x'.repeat(1e5) as never } })).toThrow(expect.objectContaining({ message: expect.stringMatching(/^.{0,200}$/) as string }))
  })

  it('C12, misuse: an expiry that is no object (a number of ms, a string, true) throws a SessionError -32602 naming the kind of value, never the value, and leaves no listener, channel or timer behind; absent (undefined, null) or false sets none', async () => {
    for (const [value, kind] of [[3_600_000, 'number'], ['yes', 'string'], ['x'.repeat(1e5), 'string'], [true, 'boolean'], [1n, 'bigint'], [() => ({ ttlMs: 1 }), 'function']] as const) {
      const provider = createMockProvider()
      const hub = createChannelHub()
      const timers = vi.getTimerCount()
      const create = () => createSessionStore(provider, { storage: createMemoryStorage(), expiry: value as never, broadcast: { channelFactory: hub.channelFactory } })
      expect(create, String(value).slice(0, 20)).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: `createSessionStore needs expiry as an object: got ${kind}` }))
      expect(provider.listenerCount()).toBe(0)
      expect(hub.openCount()).toBe(0)
      expect(vi.getTimerCount()).toBe(timers)
    }
    for (const expiry of [undefined, null, false]) {
      const { store, expired } = await connected(expiry as never)
      await vi.advanceTimersByTimeAsync(30 * DAY)
      expect(expired).not.toHaveBeenCalled()
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', expiresAt: null })
      store.destroy()
    }
  })

  it('C12, C11, misuse: an onReauthRequired or onInvalidate that is given but no function (a promise from calling the hook instead of passing it, a string, an object) throws a SessionError -32602 naming the option and the kind of value, and leaves nothing behind; absent, null or false is none', async () => {
    const reauth = vi.fn(() => Promise.resolve())
    for (const [value, kind] of [[reauth(), 'object'], ['reauth', 'string'], [{}, 'object'], [true, 'boolean'], [1, 'number']] as const) {
      for (const [name, options] of [
        ['expiry.onReauthRequired', { expiry: { ttlMs: 60_000, onReauthRequired: value } }],
        ['onInvalidate', { onInvalidate: value }],
      ] as const) {
        const provider = createMockProvider()
        const hub = createChannelHub()
        const timers = vi.getTimerCount()
        const create = () => createSessionStore(provider, { storage: createMemoryStorage(), broadcast: { channelFactory: hub.channelFactory }, ...(options as SessionStoreOptions) })
        expect(create, `${name}: ${kind}`).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: `createSessionStore needs ${name} as a function: got ${kind}` }))
        expect(provider.listenerCount()).toBe(0)
        expect(hub.openCount()).toBe(0)
        expect(vi.getTimerCount()).toBe(timers)
      }
    }
    // none: the session expires without a re-auth, and changes are told with no invalidation to call
    for (const none of [undefined, null, false]) {
      const { store, expired } = await connected({ ttlMs: 60_000, onReauthRequired: none as never }, { onInvalidate: none as never })
      const errors = vi.fn()
      store.on('error', errors)
      await vi.advanceTimersByTimeAsync(60_000)
      expect(expired).toHaveBeenCalledTimes(1)
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
      expect(errors).not.toHaveBeenCalled()
      store.destroy()
    }
  })

  it('C12: an idleTimeoutMs or ttlMs given as a numeric string (read from configuration) is that many ms: the session expires on time', async () => {
    for (const expiry of [{ ttlMs: '60000' }, { idleTimeoutMs: '60000' }] as unknown as ExpiryOptions[]) {
      const { store, expired } = await connected(expiry)
      const end = Date.now() + 60_000
      expect(store.getSnapshot().expiresAt ?? end).toBe(end)
      await vi.advanceTimersByTimeAsync(59_999)
      expect(expired).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(1)
      expect(expired).toHaveBeenCalledWith({ expiredAt: end, reason: 'ttlMs' in expiry ? 'ttl' : 'idle' })
      expect(store.getSnapshot().status).toBe('disconnected')
      store.destroy()
    }
  })

  it('C12: a 30-day idle timeout does not fire early (no 2^31 ms timer overflow) and fires on time', async () => {
    const { store, expired } = await connected({ idleTimeoutMs: 30 * DAY })
    await vi.advanceTimersByTimeAsync(30 * DAY - 1)
    expect(expired).not.toHaveBeenCalled()
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_000_000 + 30 * DAY, reason: 'idle' })
  })

  it('C7, C12: a reconnect after a wallet drop is no activity: the idle timeout still counts from the last touch()', async () => {
    const { store, wallet, expired } = await connected({ idleTimeoutMs: 60_000 }, { reconnect: true })
    await vi.advanceTimersByTimeAsync(30_000)
    store.touch() // the user's last activity
    await vi.advanceTimersByTimeAsync(50_000)
    wallet.drop() // the extension reloads while the user is away
    await vi.advanceTimersByTimeAsync(1_000)
    wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(8_999)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_090_000, reason: 'idle' })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
  })

  it('C7, C12: activity while the store reconnects does not hold off the expiry: the TTL ends the session on time, and it is never shown connected after it', async () => {
    const { store, wallet, expired } = await connected({ ttlMs: 120_000, idleTimeoutMs: 60_000 }, { reconnect: { baseDelayMs: 10_000, factor: 1, maxAttempts: 10 } })
    const statuses: string[] = []
    store.subscribe((state) => statuses.push(state.status))
    await vi.advanceTimersByTimeAsync(50_000)
    store.touch()
    await vi.advanceTimersByTimeAsync(50_000)
    wallet.drop() // at 100 s, the idle deadline is 110 s and the TTL 120 s
    await vi.advanceTimersByTimeAsync(5_000)
    store.touch() // at 105 s the user is still there: the idle deadline moves to 165 s
    await vi.advanceTimersByTimeAsync(15_000)
    expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_120_000, reason: 'ttl' })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    wallet.recover()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(statuses).not.toContain('connected')
  })

  it('C12: activity as the session connects (a subscriber that enqueues) counts from the connection, not from the store creation', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage(), expiry: { idleTimeoutMs: 60_000 } })
    const expired = vi.fn()
    store.on('session:expired', expired)
    await vi.advanceTimersByTimeAsync(3_600_000) // the page was open an hour before the user connected
    store.subscribe((state) => {
      if (state.status === 'connected') void store.enqueue(() => 'load the portfolio')
    })
    await store.connect()
    await vi.advanceTimersByTimeAsync(0)
    expect(expired).not.toHaveBeenCalled()
    expect(store.getSnapshot().status).toBe('connected')
  })

  it('C12: a TTL longer than a timer waits at once (60 days) still ends on time when the system slept through part of it', async () => {
    const { store, expired } = await connected({ ttlMs: 60 * DAY })
    await vi.advanceTimersByTimeAsync(20 * DAY)
    // the laptop sleeps 40 days: the wall clock moves on, the timers do not
    vi.setSystemTime(Date.now() + 40 * DAY)
    expect(store.getSnapshot().status).toBe('connected')
    // it ends once the timer set for the first 2^31 − 1 ms is done (a second after), not 35 days later
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1 - 20 * DAY + 1000)
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_000_000 + 60 * DAY, reason: 'ttl' })
    expect(store.getSnapshot().status).toBe('disconnected')
  })

  for (const [limit, expiry] of [['TTL', { ttlMs: 8 * 3_600_000 }], ['idle timeout', { idleTimeoutMs: 8 * 3_600_000 }]] as const) {
    it(`C12: after a system sleep past the ${limit} whose time the timers do not count, the session is no longer shown connected a minute after the wake, with no activity nor wallet event`, async () => {
      const { store, expired } = await connected(expiry)
      await vi.advanceTimersByTimeAsync(7 * 3_600_000)
      // the laptop sleeps 8 h: the wall clock moves on, the timers stand still (they fire what is left after the wake)
      vi.setSystemTime(Date.now() + 8 * 3_600_000)
      expect(store.getSnapshot().status).toBe('connected')
      await vi.advanceTimersByTimeAsync(60_000)
      expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_000_000 + 8 * 3_600_000, reason: limit === 'TTL' ? 'ttl' : 'idle' })
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 'SESSION_EXPIRED' } })
      await vi.advanceTimersByTimeAsync(8 * 3_600_000)
      expect(expired).toHaveBeenCalledTimes(1)
    })
  }

  for (const [limit, expiry] of [['TTL', { ttlMs: 8 * 3_600_000 }], ['idle timeout', { idleTimeoutMs: 8 * 3_600_000 }]] as const) {
    it(`C12: after a system sleep past the ${limit}, the page showing again (visibilitychange) ends the session at once, not up to a minute later; a destroyed store no longer listens`, async () => {
      // the page's window (the event bubbles from its document to it)
      const { page, listening } = stubPage()
      try {
        const { store, expired } = await connected(expiry)
        const other = (await connected(expiry)).store
        expect(listening('visibilitychange')).toBe(2)
        other.destroy()
        expect(listening('visibilitychange')).toBe(1)
        await vi.advanceTimersByTimeAsync(7 * 3_600_000)
        // the page shows again without a sleep: nothing changes, the deadline stays where it was
        const snapshot = store.getSnapshot()
        page.dispatchEvent(new Event('visibilitychange'))
        expect(store.getSnapshot()).toBe(snapshot)
        // the laptop sleeps 8 h: the wall clock moves on, the timers stand still; the user opens it and sees the tab
        vi.setSystemTime(Date.now() + 8 * 3_600_000)
        page.dispatchEvent(new Event('visibilitychange'))
        expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_000_000 + 8 * 3_600_000, reason: limit === 'TTL' ? 'ttl' : 'idle' })
        expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 'SESSION_EXPIRED' } })
        store.destroy()
        expect(listening('visibilitychange')).toBe(0)
        page.dispatchEvent(new Event('visibilitychange'))
        await vi.advanceTimersByTimeAsync(8 * 3_600_000)
        expect(expired).toHaveBeenCalledTimes(1)
      } finally {
        vi.unstubAllGlobals()
      }
    })
  }

  it('C14, §5: on a server whose global takes listeners (Deno) and has no document, a store made for a request and never destroyed adds no listener to that global, so it is not kept alive by it', async () => {
    const add = vi.fn()
    vi.stubGlobal('addEventListener', add)
    vi.stubGlobal('removeEventListener', vi.fn())
    try {
      // a store for each request, with every option that listens in a page, never destroyed
      for (let i = 0; i < 3; i++) await connected({ ttlMs: 3_600_000, idleTimeoutMs: 600_000 }, { broadcast: true })
      expect(add).not.toHaveBeenCalled()
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('C12: a page shown again before the deadline re-arms the expiry check for the time really left: a sleep that held the check back no longer delays the end by up to a minute', async () => {
    const { page } = stubPage()
    try {
      const { store, expired } = await connected({ ttlMs: 3_600_000 })
      await vi.advanceTimersByTimeAsync(3_600_000 - 90_000)
      // the laptop sleeps 80 s, 10 s before the deadline: the check armed for a minute is held back
      vi.setSystemTime(Date.now() + 80_000)
      page.dispatchEvent(new Event('visibilitychange'))
      expect(store.getSnapshot().status).toBe('connected')
      await vi.advanceTimersByTimeAsync(10_000)
      expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_000_000 + 3_600_000, reason: 'ttl' })
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('C12: a session whose TTL passed during a system sleep that began right after it connected ends within 1 % of the TTL after the wake', async () => {
    const { store, expired } = await connected({ ttlMs: 8 * 3_600_000 })
    // the laptop sleeps 9 h at once
    vi.setSystemTime(Date.now() + 9 * 3_600_000)
    await vi.advanceTimersByTimeAsync((8 * 3_600_000) / 100 - 1)
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_000_000 + 8 * 3_600_000, reason: 'ttl' })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 'SESSION_EXPIRED' } })
  })

  it('C12: without a sleep, the expiry timer checking the clock before the deadline changes nothing: no event, no notification, no wallet call, the same snapshot, one pending timer', async () => {
    const { store, provider, expired } = await connected({ ttlMs: 8 * 3_600_000, idleTimeoutMs: 3 * 3_600_000 })
    await vi.advanceTimersByTimeAsync(0) // the mock wallet's own zero-delay work after the connect
    const events = vi.fn()
    for (const type of ['connect:pending', 'reconnect:scheduled', 'reconnect:attempt', 'reconnect:succeeded', 'reconnect:gaveup', 'session:expired', 'party:changed', 'network:changed', 'invalidate', 'storage:error', 'error'] as const) store.on(type, events)
    const notified = vi.fn()
    store.subscribe(notified)
    const snapshot = store.getSnapshot()
    const calls = provider.calls.length
    expect(vi.getTimerCount()).toBe(1)
    // activity every 2 h keeps the idle timeout off; the TTL ends the session after 8 h
    for (let t = 60_000; t < 8 * 3_600_000; t += 60_000) {
      await vi.advanceTimersByTimeAsync(60_000)
      if (t % (2 * 3_600_000) == 0) store.touch()
      expect(vi.getTimerCount()).toBe(1)
    }
    await vi.advanceTimersByTimeAsync(59_999)
    expect(events).not.toHaveBeenCalled()
    expect(notified).not.toHaveBeenCalled()
    expect(store.getSnapshot()).toBe(snapshot)
    expect(provider.calls.length).toBe(calls)
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_000_000 + 8 * 3_600_000, reason: 'ttl' })
  })

  it('C12: after a system sleep, the first touch() finds the idle session expired instead of reviving it', async () => {
    const { store, expired } = await connected({ idleTimeoutMs: 60_000 })
    await vi.advanceTimersByTimeAsync(10_000)
    // the laptop sleeps for two hours: the wall clock moves on, the timers do not fire
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    store.touch() // the user's first click after waking up
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_060_000, reason: 'idle' })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it("C6, C12: a session that expired before its connection's events came (a system sleep right after connect(); a gateway's events come after its answers) keeps SESSION_EXPIRED once they come: the wallet, asked, says it is not connected", async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage(), expiry: { idleTimeoutMs: 60_000 } })
    await store.connect()
    // the laptop sleeps for two hours: the connection's statusChanged(true) and connected events are still on their way
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    store.touch()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    await walletEvents()
    await walletEvents()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    store.destroy()
  })

  it('C12: a session found past both its idle and TTL deadlines expired at the earlier one, and says so', async () => {
    const { store, expired } = await connected({ ttlMs: 3_600_000, idleTimeoutMs: 600_000 })
    // the user leaves, the laptop sleeps for three hours, then the timers fire late
    vi.setSystemTime(Date.now() + 3 * 3_600_000)
    await vi.advanceTimersByTimeAsync(600_000)
    expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_600_000, reason: 'idle' })
    expect(store.getSnapshot().status).toBe('disconnected')
  })

  // Idle and TTL deadlines on the same millisecond: the TTL is the hard cap the app set, which no
  // activity could have moved, so that is the reason told — in the event, to the hook, and to the
  // other tabs — whichever way the store finds the deadline passed.
  it('C12: idle and TTL deadlines on the same millisecond, on a live timer: one expiry, reason ttl, in the event and to the re-auth hook', async () => {
    for (const hook of [false, true]) {
      const onReauthRequired = vi.fn(() => new Promise<void>(() => undefined))
      const onInvalidate = vi.fn()
      const { store, expired } = await connected({ ttlMs: 60_000, idleTimeoutMs: 20_000, ...(hook && { onReauthRequired }) }, { onInvalidate })
      for (const wait of [15_000, 15_000, 10_000]) {
        await vi.advanceTimersByTimeAsync(wait)
        store.touch()
      }
      // the idle deadline is now 1_040_000 + 20_000: the TTL's
      await vi.advanceTimersByTimeAsync(19_999)
      expect(expired).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(1)
      expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_060_000, reason: 'ttl' })
      if (hook) {
        expect(onReauthRequired).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ expiredAt: 1_060_000, reason: 'ttl' }))
        expect(store.getSnapshot().status).toBe('reconnecting')
      } else {
        expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
        expect(onInvalidate).toHaveBeenLastCalledWith({ type: 'expired', previous: 'alice::1220aa', current: null, source: 'local' })
      }
      store.destroy()
      vi.setSystemTime(1_000_000)
    }
  })

  it('C12: idle and TTL deadlines on the same millisecond, after a system sleep past both (the clock jumped): one expiry at that millisecond, reason ttl, found by the first touch() or by the late timer', async () => {
    for (const found of ['touch', 'timer'] as const) {
      const { store, expired } = await connected({ ttlMs: 60_000, idleTimeoutMs: 60_000 })
      // the laptop sleeps for three hours: the wall clock moves on, the timers do not fire
      vi.setSystemTime(Date.now() + 3 * 3_600_000)
      if (found == 'touch') store.touch()
      else await vi.advanceTimersByTimeAsync(60_000)
      expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_060_000, reason: 'ttl' })
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
      await vi.advanceTimersByTimeAsync(60_000)
      expect(expired).toHaveBeenCalledTimes(1)
      store.destroy()
      vi.setSystemTime(1_000_000)
    }
  })


  for (const [limit, expiry] of [['idle timeout', { idleTimeoutMs: 600_000 }], ['TTL', { ttlMs: 600_000 }]] as const) {
    it(`C7, C12: after a system sleep past the ${limit} during a reconnect, the wallet coming back (by an event or an attempt) finds the session expired: never shown connected, no reconnect:succeeded, nothing persisted`, async () => {
      for (const silent of [false, true]) {
        const { store, wallet, provider, storage, expired } = await connected(expiry, { reconnect: { baseDelayMs: 5_000, factor: 1, maxAttempts: 5 } })
        const statuses: string[] = []
        store.subscribe((state) => statuses.push(state.status))
        const succeeded = vi.fn()
        store.on('reconnect:succeeded', succeeded)
        wallet.drop()
        await vi.advanceTimersByTimeAsync(1_000)
        // the laptop sleeps for three hours: the wall clock moves on, the timers do not fire
        vi.setSystemTime(Date.now() + 3 * 3_600_000)
        await storage.removeItem('sessionlayer.session')
        // the wallet comes back: it says so, or only the next attempt finds out
        if (silent) provider.detach()
        wallet.recover()
        await vi.advanceTimersByTimeAsync(4_000)
        expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_600_000, reason: limit === 'TTL' ? 'ttl' : 'idle' })
        expect(statuses).toEqual(['reconnecting', 'disconnected'])
        expect(succeeded).not.toHaveBeenCalled()
        expect(store.getSnapshot().lastError?.code).toBe('SESSION_EXPIRED')
        expect(await storage.getItem('sessionlayer.session')).toBeNull()
        store.destroy()
        vi.setSystemTime(1_000_000)
      }
    })
  }

  it('C7, C12: a reconnect while the clock is set back keeps the session\'s connectedAt and expiresAt: once the clock is put right again, the session does not expire an hour early', async () => {
    const HOUR = 3_600_000
    const { store, wallet, storage, expired } = await connected({ ttlMs: 2 * HOUR }, { reconnect: { baseDelayMs: 1_000, factor: 1 } })
    expect(store.getSnapshot()).toMatchObject({ connectedAt: 1_000_000, expiresAt: 1_000_000 + 2 * HOUR })
    await vi.advanceTimersByTimeAsync(60_000)
    // the user (or NTP) sets the clock back an hour; the wallet drops and comes back meanwhile
    vi.setSystemTime(Date.now() - HOUR)
    wallet.drop()
    await vi.advanceTimersByTimeAsync(500)
    wallet.recover()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', connectedAt: 1_000_000, expiresAt: 1_000_000 + 2 * HOUR })
    expect(await storage.getItem('sessionlayer.session')).toContain(`"expiresAt":${1_000_000 + 2 * HOUR}`)
    // the clock is put right again, 61.5 s after the connect: the session has its 2 h less 61.5 s to go
    vi.setSystemTime(Date.now() + HOUR)
    store.touch()
    expect(store.getSnapshot().status).toBe('connected')
    vi.setSystemTime(1_000_000 + 2 * HOUR - 1)
    store.touch()
    expect(expired).not.toHaveBeenCalled()
    expect(store.getSnapshot().status).toBe('connected')
    vi.setSystemTime(1_000_000 + 2 * HOUR)
    store.touch()
    expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_000_000 + 2 * HOUR, reason: 'ttl' })
  })

  it('C12, C14: a re-auth that ends in the turn it began (a click after a system sleep that touches, then signs out or closes the tab) never calls the hook: no prompt opens with its signal already aborted', async () => {
    for (const end of ['disconnect', 'destroy'] as const) {
      const onReauthRequired = vi.fn(() => new Promise<void>(() => undefined))
      const { store, expired } = await connected({ idleTimeoutMs: 60_000, onReauthRequired })
      vi.setSystemTime(Date.now() + 3_600_000)
      store.touch()
      if (end === 'disconnect') void store.disconnect()
      else store.destroy()
      await vi.advanceTimersByTimeAsync(0)
      expect(expired).toHaveBeenCalledOnce()
      expect(onReauthRequired).not.toHaveBeenCalled()
      if (end === 'disconnect') expect(store.getSnapshot().status).toBe('disconnected')
      vi.setSystemTime(1_000_000)
    }
  })

  it('C12, C13: after a system sleep past the TTL, an enqueued op waits for the re-auth instead of running on the expired session', async () => {
    const onReauthRequired = vi.fn(() => new Promise(() => {}))
    const { store } = await connected({ ttlMs: 60_000, onReauthRequired })
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    const op = vi.fn()
    void store.enqueue(op)
    await vi.advanceTimersByTimeAsync(0)
    expect(op).not.toHaveBeenCalled()
    expect(onReauthRequired).toHaveBeenCalledWith({ reason: 'ttl', expiredAt: 1_060_000, signal: expect.any(AbortSignal) })
    expect(store.getSnapshot().status).toBe('reconnecting')
  })

  it('C12: with onReauthRequired the store is reconnecting while the hook runs, then connected with a new TTL', async () => {
    let finish!: () => void
    const onReauthRequired = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)))
    const { store } = await connected({ ttlMs: 60_000, onReauthRequired })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(onReauthRequired).toHaveBeenCalledWith({ reason: 'ttl', expiredAt: 1_060_000, signal: expect.any(AbortSignal) })
    expect(store.getSnapshot().status).toBe('reconnecting')
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    finish()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', connectedAt: 1_060_000, expiresAt: 1_120_000 })
    await vi.advanceTimersByTimeAsync(59_999)
    expect(store.getSnapshot().status).toBe('connected')
  })

  it('C12: a rejecting hook → disconnected with lastError REAUTH_FAILED', async () => {
    const cause = new Error('user went away')
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => Promise.reject(cause) })
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(store.getSnapshot().lastError).toMatchObject({ code: 'REAUTH_FAILED', cause })
  })

  it('C12, C15: a hook that rejects with a wallet error carrying an access token → REAUTH_FAILED without it as cause', async () => {
    const rejection = { code: 4100, message: 'Unauthorized', data: { session: { accessToken: 'secret-session' } } }
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a wallet's bare error, passed on by the hook
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => Promise.reject(rejection) })
    await vi.advanceTimersByTimeAsync(1000)
    const { lastError } = store.getSnapshot()
    expect(lastError).toMatchObject({ code: 'REAUTH_FAILED' })
    expect(JSON.stringify(lastError?.cause ?? null)).not.toContain('secret')
  })

  it('C12, C15: a hook that rejects with an Error whose message quotes the bearer token → REAUTH_FAILED without it as cause', async () => {
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => Promise.reject(new Error('refused: Bearer secret-session')) })
    await vi.advanceTimersByTimeAsync(1000)
    const { lastError } = store.getSnapshot()
    expect(lastError).toMatchObject({ code: 'REAUTH_FAILED' })
    expect(inspect(lastError)).not.toContain('secret')
  })

  it('C12, C13, C17: a hook that never settles fails the re-auth after exactly connectTimeoutMs, as a rejecting one: its signal aborted, held ops rejected', async () => {
    let signal: AbortSignal | undefined
    let finish!: () => void
    const { store, provider } = await connected(
      { ttlMs: 1000, onReauthRequired: (e) => new Promise<void>((resolve) => ((signal = e.signal), (finish = resolve))) },
      { connectTimeoutMs: 5_000 },
    )
    await vi.advanceTimersByTimeAsync(1000)
    const op = vi.fn()
    const held = store.enqueue(op)
    const rejected = expect(held).rejects.toMatchObject({ code: 'REAUTH_FAILED', cause: { code: 'TIMEOUT' } })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(store.getSnapshot().status).toBe('reconnecting')
    expect(signal?.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 'REAUTH_FAILED', cause: { code: 'TIMEOUT' } } })
    expect(signal?.aborted).toBe(true)
    await rejected
    expect(op).not.toHaveBeenCalled()
    expect(provider.calls.map((c) => c.method)).toContain('disconnect')
    // the hook that settles later changes nothing
    const after = store.getSnapshot()
    finish()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(store.getSnapshot()).toBe(after)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C13, C17: an op the hook itself enqueues waits for the re-auth to end, so a hook that awaits it fails the re-auth after connectTimeoutMs, with the op rejected, never run (documented on onReauthRequired)', async () => {
    const op = vi.fn()
    let held: Promise<unknown> | undefined
    const { store } = await connected(
      { ttlMs: 1000, onReauthRequired: () => (held = store.enqueue(op)) },
      { connectTimeoutMs: 5_000 },
    )
    await vi.advanceTimersByTimeAsync(1000)
    const rejected = expect(held).rejects.toMatchObject({ code: 'REAUTH_FAILED' })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(store.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(store.getSnapshot().lastError).toMatchObject({ code: 'REAUTH_FAILED', cause: { code: 'TIMEOUT' } })
    await rejected
    expect(op).not.toHaveBeenCalled()
  })

  it('C12: the hook of a re-auth that a disconnect() ended, settling while a later re-auth runs, ends nothing: the later one waits for its own hook', async () => {
    const finish: (() => void)[] = []
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise<void>((resolve) => finish.push(resolve)) })
    await vi.advanceTimersByTimeAsync(1000)
    await store.disconnect()
    await store.connect()
    await vi.advanceTimersByTimeAsync(1000)
    expect(finish).toHaveLength(2)
    expect(store.getSnapshot().status).toBe('reconnecting')
    finish[0]!()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('reconnecting')
    finish[1]!()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('connected')
  })

  it('C12: the hook of a re-auth that a disconnect() ended, settling while a later re-auth runs, leaves that one abortable: a disconnect() then aborts the later hook\'s signal', async () => {
    const finish: (() => void)[] = []
    const signals: AbortSignal[] = []
    const { store } = await connected({
      ttlMs: 1000,
      onReauthRequired: ({ signal }) =>
        new Promise<void>((resolve) => {
          signals.push(signal)
          finish.push(resolve)
        }),
    })
    await vi.advanceTimersByTimeAsync(1000)
    await store.disconnect()
    await store.connect()
    await vi.advanceTimersByTimeAsync(1000)
    expect(signals.map((s) => s.aborted)).toEqual([true, false])
    finish[0]!()
    await vi.advanceTimersByTimeAsync(0)
    await store.disconnect()
    expect(signals.map((s) => s.aborted)).toEqual([true, true])
  })

  it('C12, C14, C17: the bound of the re-auth hook ends with it: a hook that resolves in time re-arms the session, and one ended by disconnect() or destroy() leaves no timer', async () => {
    let finish!: () => void
    const a = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise<void>((resolve) => (finish = resolve)) }, { connectTimeoutMs: 5_000 })
    await vi.advanceTimersByTimeAsync(1000 + 4_999)
    finish()
    await vi.advanceTimersByTimeAsync(0)
    expect(a.store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null, expiresAt: 1_005_999 + 1000 })
    expect(vi.getTimerCount()).toBe(1) // the new TTL's, only
    await vi.advanceTimersByTimeAsync(999)
    expect(a.store.getSnapshot().status).toBe('connected')
    a.store.destroy()
    for (const end of ['disconnect', 'destroy'] as const) {
      const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise(() => {}) }, { connectTimeoutMs: 5_000 })
      await vi.advanceTimersByTimeAsync(1000)
      if (end === 'disconnect') await store.disconnect()
      else store.destroy()
      await walletEvents() // the wallet's word of the sign-out, on its way to the tab
      expect(vi.getTimerCount()).toBe(0)
      store.destroy()
    }
  })

  it('C8, C12, C13: cancelReconnect() stops a reconnect, not a re-auth — the hook goes on and its success reconnects; disconnect() ends the re-auth: its signal aborts and the queued ops reject with REAUTH_FAILED', async () => {
    let finish!: () => void
    let signal!: AbortSignal
    const hook = vi.fn((e: { signal: AbortSignal }) => {
      signal = e.signal
      return new Promise<void>((resolve) => (finish = resolve))
    })
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: hook })
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('reconnecting')
    const held = store.enqueue(() => 'ran')
    store.cancelReconnect()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: null })
    expect(signal.aborted).toBe(false)
    finish()
    await expect(held).resolves.toBe('ran')
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
    // the next expiry's re-auth, ended from outside the hook
    await vi.advanceTimersByTimeAsync(1000)
    expect(hook).toHaveBeenCalledTimes(2)
    const rejected = store.enqueue(() => 'never')
    await store.disconnect()
    expect(signal.aborted).toBe(true)
    await expect(rejected).rejects.toMatchObject({ code: 'REAUTH_FAILED' })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null })
    store.destroy()
  })

  it('C12: the hook resolving while the wallet is gone is a failed re-auth', async () => {
    const { store, wallet } = await connected({
      ttlMs: 1000,
      onReauthRequired: () => {
        wallet.disconnectFromWallet()
      },
    })
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(store.getSnapshot().lastError?.code).toBe('REAUTH_FAILED')
  })

  it('C12: a hook that reconnects through store.connect() returns to connected', async () => {
    const { store, wallet } = await connected({
      ttlMs: 1000,
      onReauthRequired: async () => {
        wallet.disconnectFromWallet()
        await store.connect()
      },
    })
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('connected')
  })

  it('C4, C12: a connect() the hook makes that the wallet refuses resolves with lastError set, so the hook can fail the re-auth', async () => {
    let seen: SessionState | null = null
    const { store, wallet } = await connected({
      ttlMs: 1000,
      onReauthRequired: async () => {
        wallet.failNext('connect', { code: 4001, message: 'User rejected' }) // the user declines in the wallet
        seen = await store.connect()
        if (seen.lastError) throw seen.lastError
      },
    })
    await vi.advanceTimersByTimeAsync(1000)
    expect(seen).toMatchObject({ status: 'reconnecting', lastError: { code: 4001 } })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED', cause: { code: 4001 } } })
  })

  it('C3, C4, C12: a connect() the hook makes that the user declines in an asynchronous wallet resolves with lastError set, so the hook can fail the re-auth', async () => {
    let seen: SessionState | null = null
    const { store, wallet } = await connected({
      ttlMs: 1000,
      onReauthRequired: async () => {
        wallet.disconnectFromWallet() // the wallet's own session ended too: it asks its user again
        wallet.setConnectMode('async')
        seen = await store.connect()
        if (seen.lastError) throw seen.lastError
      },
    })
    const pending = vi.fn()
    store.on('connect:pending', pending)
    const declines = new Set<unknown>()
    store.subscribe((s) => {
      if (s.lastError?.code === 4001) declines.add(s.lastError)
    })
    await vi.advanceTimersByTimeAsync(1000)
    expect(pending).toHaveBeenCalledWith({ userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    expect(seen).toBeNull()
    wallet.reject() // the user declines in the wallet: it emits connected / statusChanged(isConnected: false)
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toMatchObject({ status: 'reconnecting', lastError: { code: 4001 } })
    expect(declines.size).toBe(1) // one decline, though both events say it (C2)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 'REAUTH_FAILED', cause: { code: 4001 } } })
  })

  it.each([
    ['statusChanged first, then the connected event', 'async'],
    ['the connected event, then the refused connect request', 'manual'],
  ] as const)('C2, C3, C4, C12: a decline of the hook\'s connect() that the wallet tells twice (%s) is one error: one change, one 4001', async (_, mode) => {
    let seen: SessionState | null = null
    const { store, wallet, provider } = await connected({
      ttlMs: 1000,
      onReauthRequired: async () => {
        wallet.disconnectFromWallet()
        wallet.setConnectMode(mode)
        seen = await store.connect()
        if (seen.lastError) throw seen.lastError
      },
    })
    const declines = new Set<unknown>()
    store.subscribe((s) => {
      if (s.lastError?.code === 4001) declines.add(s.lastError)
    })
    await vi.advanceTimersByTimeAsync(1000)
    provider.detach() // only what this test emits (and the answer to the request) reaches the store now
    if (mode === 'async') provider.emit('statusChanged', { connection: { isConnected: false, reason: 'rejected' } })
    provider.emit('connected', { isConnected: false, reason: 'rejected' })
    wallet.reject() // a manual wallet refuses the request (4001)
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toMatchObject({ status: 'reconnecting', lastError: { code: 4001 } })
    expect(declines.size).toBe(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED', cause: { code: 4001 } } })
    expect(store.getSnapshot().lastError?.cause).toBe([...declines][0])
  })

  it("C4, C12: a re-auth that starts while a reconnect's failed attempt is lastError tells the wallet's decline during the hook, not that older error", async () => {
    const during: unknown[] = []
    const { store, wallet, provider } = await connected(
      {
        ttlMs: 1000,
        onReauthRequired: async () => {
          during.push(store.getSnapshot().lastError)
          provider.emit('connected', { isConnected: false, reason: 'rejected' }) // the user declined in the wallet
          during.push(store.getSnapshot().lastError)
        },
      },
      { reconnect: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 100 } },
    )
    wallet.drop()
    await vi.advanceTimersByTimeAsync(500)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: { code: 4900 } })
    await vi.advanceTimersByTimeAsync(500)
    expect(during).toMatchObject([null, { code: 4001, message: 'rejected' }])
  })

  it('C3, C12: a connect() the hook makes that the user approves in an asynchronous wallet resolves without lastError, even after an earlier decline', async () => {
    const seen: SessionState[] = []
    const { store, wallet } = await connected({
      ttlMs: 1000,
      onReauthRequired: async () => {
        wallet.disconnectFromWallet()
        wallet.setConnectMode('async')
        seen.push(await store.connect()) // declined
        const again = await store.connect() // asked again, approved
        seen.push(again)
        if (again.lastError) throw again.lastError
      },
    }, {}, SYNC)
    await vi.advanceTimersByTimeAsync(1000)
    wallet.reject()
    await vi.advanceTimersByTimeAsync(0)
    wallet.approve()
    await walletEvents()
    await vi.advanceTimersByTimeAsync(0)
    expect(seen.map((s) => s.lastError?.code ?? null)).toEqual([4001, null])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null, connectedAt: 1_001_000, expiresAt: 1_002_000 })
  })

  it("C3, C12: a connect() the hook asks again at once after the user declined in an asynchronous wallet waits for the user, though the wallet's statusChanged(false) of that decline comes after its answer (a gateway)", async () => {
    const seen: SessionState[] = []
    const { store, wallet, provider } = await connected({
      ttlMs: 1000,
      onReauthRequired: async () => {
        wallet.disconnectFromWallet()
        wallet.setConnectMode('async')
        seen.push(await store.connect()) // declined
        const again = await store.connect() // asked again at once, approved
        seen.push(again)
        if (again.lastError) throw again.lastError
      },
    }, {}, SYNC)
    await vi.advanceTimersByTimeAsync(1000)
    // the user declines: the wallet's `connected` event tells it, its statusChanged(false) comes
    // only after the answer to the connect() the hook asks again
    provider.emit('connected', { isConnected: false, reason: 'rejected' })
    await vi.advanceTimersByTimeAsync(0)
    expect(seen.map((s) => s.lastError?.code ?? null)).toEqual([4001])
    provider.emit('statusChanged', { connection: { isConnected: false, reason: 'rejected' } })
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toHaveLength(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: null })
    wallet.approve()
    await vi.advanceTimersByTimeAsync(0)
    expect(seen.map((s) => s.lastError?.code ?? null)).toEqual([4001, null])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
  })

  it("C6, C7, C12: a hook that signs out and connects again stays connected as the wallet's word of that sign-out comes after the answer to its connect() (a gateway): no drop, no reconnect, no change", async () => {
    const seen: SessionState[] = []
    const scheduled = vi.fn()
    const { store } = await connected(
      {
        ttlMs: 1000,
        onReauthRequired: async () => {
          await store.disconnect()
          const state = await store.connect()
          if (state.lastError) throw state.lastError
        },
      },
      { reconnect: true },
    )
    store.subscribe((state) => seen.push(state))
    store.on('reconnect:scheduled', scheduled)
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
    // the wallet's events, set going in the expiry's timer, arrive a task later each: the word of
    // the sign-out, then the new connection's statusChanged(true) and connected
    await vi.advanceTimersByTimeAsync(10)
    expect(seen.map((s) => [s.status, s.lastError?.code ?? null])).toEqual([
      ['reconnecting', null],
      ['disconnected', null],
      ['connecting', null],
      ['connected', null],
    ])
    expect(scheduled).not.toHaveBeenCalled()
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null, connectedAt: 1_001_000, expiresAt: 1_002_000 })
    store.destroy()
  })

  it.each([
    ['C4, C12, C17: a connect() the hook makes that the user never answers in an asynchronous wallet resolves as the re-auth fails, connectTimeoutMs after it began', 0],
    ["C12, C17: connectTimeoutMs bounds the whole re-auth, the wallet's slow answer to the hook's connect() that it asks its user included", 4_000],
  ])('%s', async (_name, answerAfterMs) => {
    let seen: SessionState | null = null
    const { store, wallet } = await connected(
      {
        ttlMs: 1000,
        onReauthRequired: async () => {
          wallet.disconnectFromWallet()
          wallet.setConnectMode('async')
          // { isConnected: false, userUrl } comes that much later
          if (answerAfterMs) wallet.answerLate('connect', answerAfterMs)
          seen = await store.connect()
          if (seen.lastError) throw seen.lastError
        },
      },
      { connectTimeoutMs: 5_000 },
      SYNC,
    )
    await vi.advanceTimersByTimeAsync(1000 + 4_999)
    expect(seen).toBeNull()
    await vi.advanceTimersByTimeAsync(1)
    // one bound, the hook's: the connect() it made tells how the re-auth ended, nothing fires twice
    const failed = { status: 'disconnected', lastError: { code: 'REAUTH_FAILED', cause: { code: 'TIMEOUT' } } }
    expect(seen).toMatchObject(failed)
    expect(store.getSnapshot()).toMatchObject(failed)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C3, C12, C17: a connect() the app makes during the re-auth, waiting for the user of an asynchronous wallet, ends with the re-auth at the hook\'s bound', async () => {
    let hookConnect: Promise<SessionState> | undefined
    const { store, wallet } = await connected(
      {
        ttlMs: 1000,
        onReauthRequired: async () => {
          wallet.disconnectFromWallet()
          wallet.setConnectMode('async')
          hookConnect = store.connect() // nobody answers this prompt
          await new Promise(() => undefined)
        },
      },
      { connectTimeoutMs: 5_000 },
      SYNC,
    )
    await vi.advanceTimersByTimeAsync(1000 + 3_000)
    const settled: string[] = []
    for (const [who, call] of [['hook', hookConnect], ['app', store.connect()]] as const) void call?.then(() => settled.push(who))
    await vi.advanceTimersByTimeAsync(1_999)
    expect(settled).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(settled.sort()).toEqual(['app', 'hook'])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED', cause: { code: 'TIMEOUT' } } })
  })

  it('C3, C4, C12: a connect() the app makes during the re-auth, the user then signing out and connecting again before the wallet answers, settles as that connect does, never while connecting', async () => {
    const provider = createMockProvider({ latencyMs: 10 })
    const store = createSessionStore(provider, { storage: createMemoryStorage(), expiry: { ttlMs: 1000, onReauthRequired: () => new Promise(() => undefined) } })
    void store.connect()
    await vi.advanceTimersByTimeAsync(100)
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('reconnecting')
    const first = store.connect() // a click on Connect while the re-auth prompt shows
    await vi.advanceTimersByTimeAsync(0)
    void store.disconnect()
    const second = store.connect()
    const settled: SessionState[] = []
    void first.then((state) => settled.push(state))
    await vi.advanceTimersByTimeAsync(10)
    expect(settled.map((state) => state.status)).not.toContain('connecting')
    await vi.advanceTimersByTimeAsync(100)
    expect(await first).toBe(await second)
  })

  it('C12: a hook that resolves although the user declined its connect() in an asynchronous wallet is a failed re-auth', async () => {
    let seen: SessionState | null = null
    const { store, wallet } = await connected({
      ttlMs: 1000,
      onReauthRequired: async () => {
        wallet.disconnectFromWallet()
        wallet.setConnectMode('async')
        seen = await store.connect()
      },
    }, {}, SYNC)
    await vi.advanceTimersByTimeAsync(1000)
    wallet.reject()
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toMatchObject({ status: 'reconnecting', lastError: { code: 4001 } })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 'REAUTH_FAILED' } })
  })

  it('C12: any disconnect disarms the expiry timers', async () => {
    const { store, expired } = await connected({ ttlMs: 1000, idleTimeoutMs: 500 })
    await store.disconnect()
    await walletEvents() // the wallet's word of the sign-out, on its way to the tab
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(expired).not.toHaveBeenCalled()
  })

  it('C13: ops queued during re-auth run one after another in submission order after the hook succeeds', async () => {
    let finish!: () => void
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise<void>((r) => (finish = r)) })
    await vi.advanceTimersByTimeAsync(1000)
    const log: string[] = []
    const op = (name: string, ms: number) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`)
        setTimeout(() => {
          log.push(`end ${name}`)
          resolve(name)
        }, ms)
      })
    const results = [store.enqueue(op('a', 30)), store.enqueue(op('b', 10)), store.enqueue(op('c', 20))]
    await vi.advanceTimersByTimeAsync(100)
    expect(log).toEqual([])
    finish()
    await vi.advanceTimersByTimeAsync(100)
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c'])
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  /**
   * A store (with `options`) whose session expires every second and re-authenticates through a
   * hook each time, past its first expiry (the first re-auth runs), and its mock `wallet`:
   * `hooks[i](ok)` settles the i-th re-auth. `op(name, ms)` is an op that logs its name and the
   * status as it starts, and resolves with its name `ms` later; `settled(p)` is an op's value, or
   * its error's code.
   */
  const reauths = async (options: SessionStoreOptions = {}) => {
    const hooks: ((ok: boolean) => void)[] = []
    const onReauthRequired = () => new Promise<void>((resolve, reject) => hooks.push((ok) => (ok ? resolve() : reject(new Error('declined')))))
    const { store, wallet } = await connected({ ttlMs: 1000, onReauthRequired }, options)
    await vi.advanceTimersByTimeAsync(1000) // the first re-auth
    const log: string[] = []
    const op = (name: string, ms = 0) => () => {
      log.push(`${name} (${store.getSnapshot().status})`)
      return new Promise<string>((resolve) => setTimeout(() => resolve(name), ms))
    }
    const settled = (p: Promise<string>) => p.then((v) => v, (e: unknown) => (e as { code: string }).code)
    return { store, wallet, hooks, log, op, settled }
  }

  /**
   * Ops b, c and d, held across two re-auths while op a ran: after a, they ran on the
   * re-authenticated session, one after another (`ok`), or failed with the second re-auth and never
   * ran on the session it ended.
   */
  const heldAcrossReauths = async (ok: boolean, log: string[], results: Promise<string>[]) => {
    expect(log).toEqual(ok ? ['a (connected)', 'b (connected)', 'c (connected)', 'd (connected)'] : ['a (connected)'])
    expect(await Promise.all(results)).toEqual(ok ? ['a', 'b', 'c', 'd'] : ['a', 'REAUTH_FAILED', 'REAUTH_FAILED', 'REAUTH_FAILED'])
  }

  it('C13: ops held by a re-auth whose turn comes while the next re-auth runs wait for that one too, ahead of the ops it holds, and fail with it', async () => {
    for (const outcome of ['succeeds', 'fails'] as const) {
      const { store, hooks, log, op, settled } = await reauths()
      const results = [store.enqueue(op('a', 1500)), store.enqueue(op('b')), store.enqueue(op('c'))].map(settled)
      hooks[0]?.(true)
      await vi.advanceTimersByTimeAsync(1000) // the new session expires while a still runs: the second re-auth
      expect(store.getSnapshot().status).toBe('reconnecting')
      expect(hooks).toHaveLength(2)
      results.push(settled(store.enqueue(op('d'))))
      await vi.advanceTimersByTimeAsync(1000) // a ends during the second re-auth: b, c and d wait for it
      expect(log).toEqual(['a (connected)'])
      hooks[1]?.(outcome === 'succeeds')
      await vi.advanceTimersByTimeAsync(10)
      await heldAcrossReauths(outcome === 'succeeds', log, results)
      store.destroy()
    }
  })

  it('C13: ops held by a re-auth that have not started as the session expires again wait for the next re-auth also when the op running then ends after it: they run before the ops that one held, or fail with it, never on the session it ended', async () => {
    for (const outcome of ['succeeds', 'fails', 'disconnect'] as const) {
      const { store, hooks, log, op, settled } = await reauths()
      const results = [store.enqueue(op('a', 1500)), store.enqueue(op('b')), store.enqueue(op('c'))].map(settled)
      hooks[0]?.(true)
      await vi.advanceTimersByTimeAsync(1000) // the new session expires while a still runs: the second re-auth
      expect(store.getSnapshot().status).toBe('reconnecting')
      results.push(settled(store.enqueue(op('d'))))
      // the second re-auth ends while a still runs
      if (outcome === 'disconnect') await store.disconnect()
      else hooks[1]?.(outcome === 'succeeds')
      await vi.advanceTimersByTimeAsync(1000) // a ends
      await heldAcrossReauths(outcome === 'succeeds', log, results)
      store.destroy()
    }
  })

  it('C13: an op a subscriber enqueues as the re-auth ends runs after the ops held until then; when the hook fails, it runs, as on any session that is not re-authenticating', async () => {
    for (const outcome of ['succeeds', 'fails'] as const) {
      let settle!: () => void
      const hook = () => new Promise<void>((resolve, reject) => (settle = outcome === 'succeeds' ? resolve : () => reject(new Error('declined'))))
      const { store } = await connected({ ttlMs: 1000, pendingQueueSize: 1, onReauthRequired: hook })
      await vi.advanceTimersByTimeAsync(1000)
      const log: string[] = []
      // how each op's promise settles, told as soon as it does
      const outcomes: Promise<string>[] = []
      const track = (op: Promise<unknown>) => outcomes.push(op.then(() => 'fulfilled', () => 'rejected'))
      track(store.enqueue(() => log.push('held')))
      // a subscriber that sends what the app waited for once the session is back (or gone)
      store.subscribe((state) => {
        if (state.status !== 'reconnecting' && outcomes.length === 1) track(store.enqueue(() => log.push('late')))
      })
      settle()
      await vi.advanceTimersByTimeAsync(0)
      expect(outcomes).toHaveLength(2)
      const settled = await Promise.all(outcomes)
      if (outcome === 'succeeds') {
        expect(log).toEqual(['held', 'late'])
        expect(settled).toEqual(['fulfilled', 'fulfilled'])
      } else {
        expect(log).toEqual(['late'])
        expect(settled).toEqual(['rejected', 'fulfilled'])
      }
      store.destroy()
    }
  })

  it('C13: ops held by a re-auth whose turn had not come as the session expired again, released by the next re-auth while the op running then still runs, start only once it ended: one after another', async () => {
    const { store, hooks } = await reauths()
    const log: string[] = []
    const op = (name: string, ms?: number) => () => {
      log.push(`${name} starts`)
      return new Promise<string>((resolve) => {
        const end = () => {
          log.push(`${name} ends`)
          resolve(name)
        }
        if (ms) setTimeout(end, ms)
        else end()
      })
    }
    const results = [store.enqueue(op('a', 1500)), store.enqueue(op('b')), store.enqueue(op('c'))]
    hooks[0]?.(true)
    await vi.advanceTimersByTimeAsync(1000) // the new session expires while a still runs: the second re-auth
    expect(store.getSnapshot().status).toBe('reconnecting')
    results.push(store.enqueue(op('d')))
    hooks[1]?.(true) // it succeeds while a still runs
    await vi.advanceTimersByTimeAsync(0)
    expect(log).toEqual(['a starts'])
    await vi.advanceTimersByTimeAsync(500) // a ends
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd'])
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends', 'd starts', 'd ends'])
    store.destroy()
  })

  it('C13: an op a subscriber enqueues as the session expires again, while ops an earlier re-auth released still wait their turn, runs after them once the re-auth succeeds: in submission order', async () => {
    const { store, hooks } = await reauths()
    const log: string[] = []
    const op = (name: string, ms = 0) => () => {
      log.push(name)
      return new Promise<string>((resolve) => setTimeout(() => resolve(name), ms))
    }
    const results = [store.enqueue(op('a', 1500)), store.enqueue(op('b')), store.enqueue(op('c'))]
    hooks[0]?.(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('connected')
    // a subscriber that sends something as it hears of the second re-auth
    const unsubscribe = store.subscribe((state) => {
      if (state.status === 'reconnecting') {
        unsubscribe()
        results.push(store.enqueue(op('d')))
      }
    })
    await vi.advanceTimersByTimeAsync(1000) // the new session expires while a still runs: the second re-auth
    expect(results).toHaveLength(4)
    hooks[1]?.(true)
    await vi.advanceTimersByTimeAsync(1000) // a ends
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd'])
    expect(log).toEqual(['a', 'b', 'c', 'd'])
    store.destroy()
  })

  it('C13: an op a subscriber enqueues as a re-auth succeeds, whose turn has not come as the session expires again, fails with the next re-auth as the ops held with it do: it never runs on the session that ended', async () => {
    const { store, hooks, log, op, settled } = await reauths()
    const results = [store.enqueue(op('a', 1500)), store.enqueue(op('b'))].map(settled)
    // a subscriber that sends what the app waited for once the session is back
    const unsubscribe = store.subscribe((state) => {
      if (state.status === 'connected') {
        unsubscribe()
        results.push(settled(store.enqueue(op('late'))))
      }
    })
    hooks[0]?.(true)
    await vi.advanceTimersByTimeAsync(1000) // the new session expires while a still runs: the second re-auth
    expect(store.getSnapshot().status).toBe('reconnecting')
    results.push(settled(store.enqueue(op('d'))))
    hooks[1]?.(false)
    await vi.advanceTimersByTimeAsync(1000) // a ends
    expect(log).toEqual(['a (connected)'])
    expect(await Promise.all(results)).toEqual(['a', 'REAUTH_FAILED', 'REAUTH_FAILED', 'REAUTH_FAILED'])
  })

  it("C6, C7, C13: the session ends while the first op a re-auth released still runs (disconnect(), the user in the wallet, another tab's sign-out or expiry, a drop not reconnected, a connect() during the reconnect): the ops whose turn has not come reject with REAUTH_FAILED, as held ops do on a sign-out during the re-auth, and never run on the store the session left", async () => {
    for (const end of ['disconnect()', 'wallet', 'another tab', "another tab's expiry", 'drop', 'connect()'] as const) {
      const hub = createChannelHub()
      const { store, wallet, hooks, log, op, settled } = await reauths({ reconnect: end === 'connect()', broadcast: { channelFactory: hub.channelFactory, lockManager: null } })
      const results = [store.enqueue(op('a', 500)), store.enqueue(op('b')), store.enqueue(op('c'))].map(settled)
      hooks[0]?.(true)
      await vi.advanceTimersByTimeAsync(0)
      expect(log, end).toEqual(['a (connected)'])
      if (end === 'disconnect()') await store.disconnect()
      else if (end === 'wallet') wallet.disconnectFromWallet()
      else if (end.startsWith('another tab')) hub.channelFactory(CHANNEL).postMessage({ v: 1, kind: end === 'another tab' ? 'disconnected' : 'expired', seq: 1, tabId: 'other-tab', at: Date.now(), ch: CHANNEL, data: {} })
      else {
        wallet.drop()
        await vi.advanceTimersByTimeAsync(0)
        if (end === 'connect()') {
          expect(store.getSnapshot().status).toBe('reconnecting')
          void store.connect()
        }
      }
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status, end).not.toBe('connected')
      await vi.advanceTimersByTimeAsync(500) // a ends
      expect(log, end).toEqual(['a (connected)'])
      expect(await Promise.all(results), end).toEqual(['a', 'REAUTH_FAILED', 'REAUTH_FAILED'])
      store.destroy()
    }
  })

  it('C6, C13: the ops a re-auth released that had not started as the user signed out reject with the SessionError held ops get on a sign-out during the re-auth: REAUTH_FAILED, "The session ended before the operation ran"; after a drop the store does not reconnect from, its error is the cause', async () => {
    for (const end of ['disconnect()', 'drop'] as const) {
      const { store, wallet, hooks, op } = await reauths({ reconnect: false })
      void store.enqueue(op('a', 500))
      const b = store.enqueue(op('b'))
      hooks[0]?.(true)
      await vi.advanceTimersByTimeAsync(0)
      const ended = expect(b).rejects.toMatchObject({ name: 'SessionError', code: 'REAUTH_FAILED', message: 'The session ended before the operation ran', cause: end === 'drop' ? expect.objectContaining({ code: 4900 }) : null })
      if (end === 'drop') wallet.drop()
      else void store.disconnect()
      await walletEvents()
      await ended
      store.destroy()
    }
  })

  it("C6, C12, C13: the user signs out while an op a re-auth released never settles, and signs in again: the ops behind it reject at the sign-out, never joining the next session's re-auth queue, and the ops that re-auth holds run once it succeeds, not behind the op that never settles", async () => {
    const { store, hooks, log, op, settled } = await reauths()
    const results = [store.enqueue(() => (log.push('a'), new Promise<string>(() => {}))), store.enqueue(op('b')), store.enqueue(op('c'))].map(settled)
    hooks[0]?.(true)
    await vi.advanceTimersByTimeAsync(0)
    await store.disconnect()
    await store.connect() // another session, maybe of another party
    expect(await Promise.all(results.slice(1))).toEqual(['REAUTH_FAILED', 'REAUTH_FAILED'])
    await vi.advanceTimersByTimeAsync(1000) // it expires: its re-auth
    expect(hooks).toHaveLength(2)
    const d = settled(store.enqueue(op('d')))
    hooks[1]?.(true)
    await vi.advanceTimersByTimeAsync(0)
    expect(await d).toBe('d')
    expect(log).toEqual(['a', 'd (connected)'])
    store.destroy()
  })

  it('C6, C13: an op a subscriber enqueues as the user signs out while ops a re-auth released wait their turn, and one enqueued once signed out, run at once, as on any store that is not re-authenticating: only the released ones fail', async () => {
    const { store, hooks, log, op, settled } = await reauths()
    const results = [store.enqueue(op('a', 500)), store.enqueue(op('b'))].map(settled)
    hooks[0]?.(true)
    await vi.advanceTimersByTimeAsync(0)
    const unsubscribe = store.subscribe((state) => {
      if (state.status === 'disconnected') {
        unsubscribe()
        results.push(settled(store.enqueue(op('signing out'))))
      }
    })
    await store.disconnect()
    results.push(settled(store.enqueue(op('signed out'))))
    await vi.advanceTimersByTimeAsync(500) // a ends
    expect(log).toEqual(['a (connected)', 'signing out (disconnected)', 'signed out (disconnected)'])
    expect(await Promise.all(results)).toEqual(['a', 'REAUTH_FAILED', 'signing out', 'signed out'])
    store.destroy()
  })

  it('C6, C7, C13: a connect() during a reconnect, with the wallet back, while the first op a re-auth released still runs, starts a new session: the ops whose turn has not come reject with REAUTH_FAILED at once and never run on it', async () => {
    const { store, wallet, hooks, log, op, settled } = await reauths({ reconnect: true })
    const results = [store.enqueue(op('a', 500)), store.enqueue(op('b')), store.enqueue(op('c'))].map(settled)
    hooks[0]?.(true)
    await vi.advanceTimersByTimeAsync(0)
    wallet.drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('reconnecting')
    wallet.recover()
    const connecting = store.connect() // the user signs in again before the reconnect is through
    expect(store.getSnapshot().status).toBe('connecting')
    expect(await Promise.all(results.slice(1))).toEqual(['REAUTH_FAILED', 'REAUTH_FAILED'])
    await connecting
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(500) // a ends
    expect(await results[0]).toBe('a')
    expect(log).toEqual(['a (connected)'])
    store.destroy()
  })

  it('C7, C8, C13: a reconnect that gives up, or that cancelReconnect() stops, while the first op a re-auth released still runs: the ops whose turn has not come reject with REAUTH_FAILED, "The session ended before the operation ran", its error as the cause, and never run', async () => {
    for (const end of ['gives up', 'cancelReconnect()'] as const) {
      const { store, wallet, hooks, log, op } = await reauths({ reconnect: { baseDelayMs: 100, factor: 1, maxAttempts: 1 } })
      const a = store.enqueue(op('a', 500))
      const b = store.enqueue(op('b'))
      const rejected = expect(b, end).rejects.toMatchObject({ name: 'SessionError', code: 'REAUTH_FAILED', message: 'The session ended before the operation ran', cause: expect.objectContaining({ code: 4900 }) })
      hooks[0]?.(true)
      await vi.advanceTimersByTimeAsync(0)
      wallet.drop()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status, end).toBe('reconnecting')
      if (end === 'cancelReconnect()') store.cancelReconnect()
      await vi.advanceTimersByTimeAsync(200) // the attempt fails: the reconnect gives up
      expect(store.getSnapshot().status, end).toBe('disconnected')
      await rejected
      await vi.advanceTimersByTimeAsync(500) // a ends
      expect(await a, end).toBe('a')
      expect(log, end).toEqual(['a (connected)'])
      store.destroy()
    }
  })

  it('C6, C13: once a re-auth failed, or the user signed out during it, the ops it held are rejected and gone: an op enqueued in the next session runs at once', async () => {
    for (const end of ['declined', 'disconnect()'] as const) {
      const { store, hooks, log, op, settled } = await reauths()
      const held = settled(store.enqueue(op('a')))
      if (end === 'declined') hooks[0]?.(false)
      else void store.disconnect()
      expect(await held, end).toBe('REAUTH_FAILED')
      expect(store.getSnapshot().status, end).toBe('disconnected')
      await store.connect()
      let next: string | undefined
      void settled(store.enqueue(op('b'))).then((result) => (next = result))
      await vi.advanceTimersByTimeAsync(0)
      expect(next, end).toBe('b')
      expect(log, end).toEqual(['b (connected)'])
      store.destroy()
    }
  })

  it('C7, C13, C15: a party switch, or a drop the store reconnects from, while ops a re-auth released run one after another ends no session: those whose turn has not come run after the one running, in order', async () => {
    for (const change of ['party switch', 'reconnect'] as const) {
      const { store, wallet, hooks, log, op, settled } = await reauths({ reconnect: true })
      const results = [store.enqueue(op('a', 500)), store.enqueue(op('b')), store.enqueue(op('c'))].map(settled)
      hooks[0]?.(true)
      await vi.advanceTimersByTimeAsync(0)
      if (change === 'party switch') wallet.switchParty('bob::1220bb')
      else {
        wallet.drop()
        await vi.advanceTimersByTimeAsync(0)
        expect(store.getSnapshot().status).toBe('reconnecting')
        wallet.recover()
      }
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot(), change).toMatchObject({ status: 'connected', account: { partyId: change === 'party switch' ? 'bob::1220bb' : expect.any(String) } })
      await vi.advanceTimersByTimeAsync(510) // a ends, then b and c run
      expect(log, change).toEqual(['a (connected)', 'b (connected)', 'c (connected)'])
      expect(await Promise.all(results), change).toEqual(['a', 'b', 'c'])
      store.destroy()
    }
  })

  it('C13: a failing hook rejects every queued op with REAUTH_FAILED carrying the hook error', async () => {
    let fail!: (e: unknown) => void
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise<void>((_, r) => (fail = r)) })
    await vi.advanceTimersByTimeAsync(1000)
    const cause = new Error('declined')
    const op = vi.fn()
    const queued = [store.enqueue(op), store.enqueue(op)]
    fail(cause)
    for (const q of queued) await expect(q).rejects.toMatchObject({ code: 'REAUTH_FAILED', cause })
    expect(op).not.toHaveBeenCalled()
  })

  it('C13: an op over the queue bound rejects at once with QUEUE_FULL', async () => {
    const { store } = await connected({ ttlMs: 1000, pendingQueueSize: 2, onReauthRequired: () => new Promise(() => {}) })
    await vi.advanceTimersByTimeAsync(1000)
    void store.enqueue(() => 1)
    void store.enqueue(() => 2)
    // it names the option that bounds the queue
    await expect(store.enqueue(() => 3)).rejects.toMatchObject({ code: 'QUEUE_FULL', message: 'expiry.pendingQueueSize operations already wait' })
  })

  it('C13: a pendingQueueSize of 0 holds no op: each rejects at once with QUEUE_FULL', async () => {
    for (const pendingQueueSize of [0, '0']) {
      const { store } = await connected({ ttlMs: 1000, pendingQueueSize: pendingQueueSize as number, onReauthRequired: () => new Promise(() => {}) })
      await vi.advanceTimersByTimeAsync(1000)
      expect(store.getSnapshot().status).toBe('reconnecting') // the re-auth runs
      const op = vi.fn()
      await expect(store.enqueue(op)).rejects.toMatchObject({ code: 'QUEUE_FULL' })
      expect(op).not.toHaveBeenCalled()
      store.destroy()
    }
  })

  it('C13: a pendingQueueSize of Infinity holds every op, with no QUEUE_FULL: 1,000 of them run after the re-auth, in submission order', async () => {
    let signIn!: () => void
    const { store } = await connected({ ttlMs: 1000, pendingQueueSize: Infinity, onReauthRequired: () => new Promise<void>((resolve) => (signIn = resolve)) })
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('reconnecting')
    const ran: number[] = []
    const held = Array.from({ length: 1000 }, (_, n) => store.enqueue(() => void ran.push(n)))
    await vi.advanceTimersByTimeAsync(0)
    expect(ran).toEqual([])
    signIn()
    await Promise.all(held)
    expect(ran).toEqual(Array.from({ length: 1000 }, (_, n) => n))
    store.destroy()
  })

  it('C13: a pendingQueueSize that is not a number of 0 or more (empty, not numeric, negative, NaN) is the default 32, as for the other options; a numeric string is its number', async () => {
    for (const [pendingQueueSize, bound] of [['', 32], ['many', 32], [-1, 32], [Number.NaN, 32], [null, 32], ['3', 3]] as const) {
      const { store } = await connected({ ttlMs: 1000, pendingQueueSize: pendingQueueSize as number, onReauthRequired: () => new Promise(() => {}) })
      await vi.advanceTimersByTimeAsync(1000)
      expect(store.getSnapshot().status).toBe('reconnecting') // the re-auth runs
      const held = Array.from({ length: bound }, () => store.enqueue(() => 'held'))
      await expect(store.enqueue(() => 'one too many')).rejects.toMatchObject({ code: 'QUEUE_FULL' })
      store.destroy()
      for (const op of held) await expect(op).rejects.toMatchObject({ code: 'DESTROYED' })
    }
  })

  it('C13: a pendingQueueSize that is no number (true, false, an array) is the default 32, not 1 or 0', async () => {
    for (const pendingQueueSize of [true, false, [1]]) {
      const { store } = await connected({ ttlMs: 1000, pendingQueueSize: pendingQueueSize as unknown as number, onReauthRequired: () => new Promise(() => {}) })
      await vi.advanceTimersByTimeAsync(1000)
      expect(store.getSnapshot().status).toBe('reconnecting') // the re-auth runs
      const held = Array.from({ length: 32 }, () => store.enqueue(() => 'held'))
      await expect(store.enqueue(() => 'one too many')).rejects.toMatchObject({ code: 'QUEUE_FULL' })
      store.destroy()
      for (const op of held) await expect(op).rejects.toMatchObject({ code: 'DESTROYED' })
    }
  })

  it('C13: enqueue of something that is not a function rejects at once with a SessionError (code -32602, invalid params) that tells what it was given, during a re-auth too, and takes no place in the queue', async () => {
    const { store } = await connected({ ttlMs: 1000, pendingQueueSize: 1, onReauthRequired: () => new Promise(() => {}) })
    for (const [bad, kind] of [[undefined, 'undefined'], [null, 'object'], ['op', 'string'], [{ then: 1 }, 'object'], [Promise.resolve(1), 'object']] as const) {
      await expect(store.enqueue(bad as never)).rejects.toMatchObject({ name: 'SessionError', code: -32602, message: `enqueue needs a function: got ${kind}` })
    }
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('reconnecting') // the re-auth runs
    await expect(store.enqueue(42 as never)).rejects.toMatchObject({ name: 'SessionError', code: -32602, message: 'enqueue needs a function: got number' })
    const held = store.enqueue(() => 1) // the one place of the queue is still free
    await expect(store.enqueue(() => 2)).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    store.destroy()
    await expect(held).rejects.toMatchObject({ code: 'DESTROYED' })
  })

  /** Ops for `enqueue`: each records its name as it starts, and resolves with it `ms` later. */
  const timedOps = (ms: number) => {
    const started: string[] = []
    const op = (name: string) => () =>
      new Promise<string>((resolve) => {
        started.push(name)
        setTimeout(() => {
          resolve(name)
        }, ms)
      })
    return { started, op }
  }

  it('C13, C14: destroy while the queued ops run one after another: those not started yet reject with DESTROYED and never run', async () => {
    let finish!: () => void
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise<void>((r) => (finish = r)) })
    await vi.advanceTimersByTimeAsync(1000)
    const { started, op } = timedOps(50)
    const a = store.enqueue(op('a'))
    const b = store.enqueue(op('b'))
    const bSettled = expect(b).rejects.toMatchObject({ code: 'DESTROYED' })
    finish()
    await vi.advanceTimersByTimeAsync(10)
    expect(started).toEqual(['a'])
    store.destroy()
    await vi.advanceTimersByTimeAsync(100)
    expect(await a).toBe('a') // already handed over: it finishes
    await bSettled
    expect(started).toEqual(['a'])
  })

  it('C13, C14: destroy while a queued op runs and the session has expired again (a second re-auth): the ops not started yet reject with DESTROYED, not left waiting', async () => {
    let finish!: () => void
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise<void>((r) => (finish = r)) })
    await vi.advanceTimersByTimeAsync(1000)
    const { started, op } = timedOps(2000)
    const a = store.enqueue(op('a'))
    const b = store.enqueue(op('b'))
    const outcome = vi.fn()
    b.then(outcome, outcome)
    finish()
    await vi.advanceTimersByTimeAsync(1000) // the re-authenticated session expires while `a` runs
    expect(store.getSnapshot().status).toBe('reconnecting')
    store.destroy()
    await vi.advanceTimersByTimeAsync(1000)
    expect(await a).toBe('a')
    expect(outcome).toHaveBeenCalledWith(expect.objectContaining({ code: 'DESTROYED' }))
    expect(started).toEqual(['a'])
  })

  it('C13, C14: destroy while an op a re-auth released never settles: the ops waiting their turn behind it, also those the next re-auth released, reject with DESTROYED at once and never run', async () => {
    const { store, hooks } = await reauths()
    const started: string[] = []
    const outcomes: unknown[] = []
    const track = (p: Promise<unknown>) => void p.then(outcomes.push.bind(outcomes), (e: unknown) => outcomes.push((e as { code: unknown }).code))
    track(store.enqueue(() => (started.push('a'), new Promise(() => {}))))
    track(store.enqueue(() => started.push('b')))
    hooks[0]?.(true)
    await vi.advanceTimersByTimeAsync(1000) // the re-authenticated session expires while `a` runs
    expect(store.getSnapshot().status).toBe('reconnecting')
    track(store.enqueue(() => started.push('c')))
    hooks[1]?.(true)
    await vi.advanceTimersByTimeAsync(0)
    store.destroy()
    await vi.advanceTimersByTimeAsync(0)
    expect(outcomes).toEqual(['DESTROYED', 'DESTROYED'])
    expect(started).toEqual(['a'])
  })

  it('C13, C14: an op enqueued as the re-auth fails, by a subscriber that then destroys the store, rejects with DESTROYED and never runs', async () => {
    let decline!: (error: Error) => void
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise<void>((_, reject) => (decline = reject)) })
    await vi.advanceTimersByTimeAsync(1000)
    const early = store.enqueue(() => 'early')
    const earlySettled = expect(early).rejects.toMatchObject({ code: 'DESTROYED' })
    const ran = vi.fn()
    let late: Promise<unknown> | undefined
    store.subscribe((state) => {
      if (state.status === 'disconnected' && !late) {
        late = store.enqueue(ran)
        late.catch(() => undefined) // checked below
        store.destroy()
      }
    })
    decline(new Error('declined'))
    await vi.advanceTimersByTimeAsync(0)
    await earlySettled
    await expect(late).rejects.toMatchObject({ code: 'DESTROYED' })
    expect(ran).not.toHaveBeenCalled()
  })

  it('C14: destroy rejects queued ops with DESTROYED', async () => {
    const { store } = await connected({ ttlMs: 1000, onReauthRequired: () => new Promise(() => {}) })
    await vi.advanceTimersByTimeAsync(1000)
    const queued = store.enqueue(() => 1)
    store.destroy()
    await expect(queued).rejects.toMatchObject({ code: 'DESTROYED' })
  })
})
