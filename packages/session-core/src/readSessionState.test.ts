import { createEncryptedIndexedDBStorage, createEncryptedStorage, encodeSessionEnvelope, type SessionStorage } from '@sessionlayer/session-crypto'
import { IDBFactory } from 'fake-indexeddb'
import { createMockWallet, createMockProvider } from '@sessionlayer/session-testing'
import { describe, expect, it, vi } from 'vitest'
import { createCookieStorage } from './createCookieStorage'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { DISCONNECTED_STATE } from './machine'
import { readSessionState } from './readSessionState'

const alice = { partyId: 'alice::1', primary: true }

describe('readSessionState', () => {
  it('turns a persisted session into a frozen connected state for server rendering', async () => {
    const storage = createMemoryStorage()
    await storage.setItem('sessionlayer.session', encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 5, expiresAt: 500 }))
    const state = await readSessionState(storage, { now: 10 })
    expect(state).toEqual({ status: 'connected', account: alice, accounts: [alice], networkId: 'canton:devnet', lastError: null, connectedAt: 5, expiresAt: 500 })
    expect(Object.isFrozen(state)).toBe(true)
  })

  it('C2, C9: the state has the shape of the one the store restores: account one of the frozen accounts, connectedAt never after now', async () => {
    const storage = createMemoryStorage()
    const wallet = createMockWallet()
    const page = createSessionStore(createMockProvider({ wallet }), { storage })
    await page.connect()
    page.destroy()
    const hint = await readSessionState(storage)
    const next = createSessionStore(createMockProvider({ wallet }), { storage })
    const restored = await next.init()
    next.destroy()
    expect(hint).toEqual(restored)
    // a binding's or an app's `account === accounts[i]`, or a write to an account, is the same before and after hydration
    for (const state of [hint, restored]) {
      expect(state.accounts.indexOf(state.account!)).toBe(0)
      expect(state.accounts.every((a) => Object.isFrozen(a))).toBe(true)
    }
    // a plain JSON snapshot whose account is not the primary one, written in the future: the store
    // shows the primary account, connected at most now (C12)
    const bob = { partyId: 'bob::1' }
    await storage.setItem('sessionlayer.session', JSON.stringify({ account: bob, accounts: [bob, alice], networkId: 'n', connectedAt: 50 }))
    const legacy = await readSessionState(storage, { now: 10 })
    expect(legacy.account).toBe(legacy.accounts[1])
    expect(legacy).toMatchObject({ account: alice, connectedAt: 10 })
  })

  it('reads the request cookies through a cookie adapter', async () => {
    const value = encodeURIComponent(encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 1 }))
    const storage = createCookieStorage({ adapter: { get: () => `a=b; sessionlayer.app=*2F*00*00${value}`, set: () => {} } })
    expect((await readSessionState(storage, { storageKey: 'app' })).account).toEqual(alice)
  })

  it('§2.5, K8/K5: an encrypted cookie reads on the server under the key and the page origin; without the origin it is corrupt there, and cleared', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    const written: string[] = []
    const origin = 'https://app.example'
    // the browser: cookies through document.cookie, the origin from location
    await createEncryptedStorage(createCookieStorage({ adapter: { get: () => '', set: (c) => written.push(c) } }), { key, origin }).setItem(
      'sessionlayer.session',
      encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 1 }),
    )
    const header = written.map((c) => c.split('; ')[0]).join('; ')
    // the server: the request's Cookie header, the response's Set-Cookie, and no location
    const server = (options: { origin?: string }) => {
      const setCookie: string[] = []
      const cookies = createCookieStorage({ adapter: { get: () => header, set: (c) => setCookie.push(c) } })
      return { storage: createEncryptedStorage(cookies, { key, ...options }), setCookie }
    }
    const withOrigin = server({ origin })
    expect((await readSessionState(withOrigin.storage)).account).toEqual(alice)
    expect(withOrigin.setCookie).toEqual([])
    const withoutOrigin = server({})
    expect(await readSessionState(withoutOrigin.storage)).toBe(DISCONNECTED_STATE)
    expect(withoutOrigin.setCookie).toEqual(['sessionlayer.sessionlayer.session=*2F*00*00; Path=/; SameSite=Lax; Max-Age=0'])
  })

  it('C10: the marker of a store with persistSnapshot: false reads as disconnected and stays, so the next page still restores', async () => {
    const wallet = createMockWallet()
    const jar = new Map<string, string>()
    // the cookies a browser keeps, and the Set-Cookie headers a server response sends
    const setCookie: string[] = []
    const cookies = (sent: string[] = []) =>
      createCookieStorage({
        adapter: {
          get: () => [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
          set: (cookie) => {
            sent.push(cookie)
            const [pair = ''] = cookie.split('; ')
            const at = pair.indexOf('=')
            if (cookie.includes('Max-Age=0')) jar.delete(pair.slice(0, at))
            else jar.set(pair.slice(0, at), pair.slice(at + 1))
          },
        },
      })
    const page = createSessionStore(createMockProvider({ wallet }), { storage: cookies(), persistSnapshot: false })
    await page.connect()
    page.destroy()
    expect(jar.size).toBe(1)
    // the server renders the next request: nothing to show, and nothing to clear
    expect(await readSessionState(cookies(setCookie))).toBe(DISCONNECTED_STATE)
    expect(setCookie).toEqual([])
    const next = createSessionStore(createMockProvider({ wallet }), { storage: cookies(), persistSnapshot: false })
    expect((await next.init()).status).toBe('connected')
    next.destroy()
  })

  it('K2: a corrupt entry, or one expiring at now, is removed; a session written since it was read is kept', async () => {
    const storage = createMemoryStorage()
    await storage.setItem('sessionlayer.session', '{not json')
    expect(await readSessionState(storage)).toBe(DISCONNECTED_STATE)
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    await storage.setItem('sessionlayer.session', encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 1, expiresAt: 3 }))
    expect(await readSessionState(storage, { now: 3 })).toBe(DISCONNECTED_STATE)
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    // another tab saves its session between the read of a corrupt entry and its removal
    const fresh = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 2 })
    const texts = ['{not json', fresh]
    const removed: string[] = []
    const racing = {
      getItem: () => Promise.resolve(texts.shift() ?? null),
      setItem: () => Promise.resolve(),
      removeItem: (key: string) => {
        removed.push(key)
        return Promise.resolve()
      },
    }
    expect(await readSessionState(racing)).toBe(DISCONNECTED_STATE)
    expect(texts).toEqual([])
    expect(removed).toEqual([])
  })

  it('K2: a storage that answers undefined for an absent entry (idb-keyval, a Map) has nothing removed, as restoreSession reads it: no removal by key, which deletes a session another tab writes just before it', async () => {
    const map = new Map<string, string>()
    const removed: string[] = []
    let reads = 0
    const storage = {
      // undefined for an absent entry, as Map#get; another tab saves its session after the second read
      getItem: (key: string) => {
        const text = map.get(key)
        if (++reads == 2) map.set(key, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 2 }))
        return Promise.resolve(text)
      },
      setItem: (key: string, value: string) => Promise.resolve(void map.set(key, value)),
      removeItem: (key: string) => Promise.resolve(void removed.push(key)),
    } as unknown as SessionStorage
    expect(await readSessionState(storage)).toBe(DISCONNECTED_STATE)
    expect(removed).toEqual([])
  })

  it('K2: an entry the storage answers as no string (a custom adapter that gives a fresh object at each read) is corrupt, and removed, as the store removes it', async () => {
    const removed: string[] = []
    const storage = {
      // a new object at each read: never the same one twice
      getItem: () => Promise.resolve(removed.length ? null : { value: 'parsed' }),
      setItem: () => Promise.resolve(),
      removeItem: (key: string) => Promise.resolve(void removed.push(key)),
    } as unknown as SessionStorage
    expect(await readSessionState(storage)).toBe(DISCONNECTED_STATE)
    expect(removed).toEqual(['sessionlayer.session'])
  })

  it('K2: with the encrypted storage, an expired entry is removed only while it holds what was read: a session another tab writes just before the removal is kept', async () => {
    const indexedDB = new IDBFactory()
    const tab = createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://app.example' })
    const other = createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://app.example' })
    const expired = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 1, expiresAt: 3 })
    const fresh = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 4 })
    await tab.setItem('sessionlayer.session', expired)
    // the other tab persists its new session after this one read the expired entry twice
    const racing: SessionStorage = { ...tab, removeItem: (...args) => other.setItem('sessionlayer.session', fresh).then(() => tab.removeItem(...args)) }
    expect(await readSessionState(racing, { now: 3 })).toBe(DISCONNECTED_STATE)
    expect(await other.getItem('sessionlayer.session')).toBe(fresh)
    // with nothing written meanwhile, the expired entry is removed
    await tab.setItem('sessionlayer.session', expired)
    expect(await readSessionState(tab, { now: 3 })).toBe(DISCONNECTED_STATE)
    expect(await other.getItem('sessionlayer.session')).toBeNull()
  })

  it('absent, expired, corrupt or unreadable → the disconnected state, never a rejection', async () => {
    const storage = createMemoryStorage()
    expect(await readSessionState(storage)).toBe(DISCONNECTED_STATE)
    await storage.setItem('sessionlayer.session', encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 1, expiresAt: 2 }))
    expect(await readSessionState(storage, { now: 3 })).toBe(DISCONNECTED_STATE)
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    await storage.setItem('sessionlayer.session', '{not json')
    expect(await readSessionState(storage)).toBe(DISCONNECTED_STATE)
    const failing = { getItem: () => Promise.reject(new Error('no')), setItem: () => Promise.resolve(), removeItem: () => Promise.resolve() }
    expect(await readSessionState(failing)).toBe(DISCONNECTED_STATE)
  })

  it('options given as null (as a JSON configuration has them) keep their defaults, as for createCookieStorage and the store: the session reads, never a rejection', async () => {
    const storage = createMemoryStorage()
    await storage.setItem('sessionlayer.session', encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 1 }))
    const read = (options: unknown) => readSessionState(storage, options as Parameters<typeof readSessionState>[1])
    await expect(read(null)).resolves.toMatchObject({ status: 'connected', account: alice })
    await expect(read({ storageKey: null, now: null })).resolves.toMatchObject({ status: 'connected', account: alice })
  })

  it('K2, C12: a `now` of 0 (a clock at the epoch, as fake timers may start) is a time like any other: an entry expiring later reads as the session and is kept', async () => {
    const storage = createMemoryStorage()
    const entry = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 0, expiresAt: 1000 })
    await storage.setItem('sessionlayer.session', entry)
    expect(await readSessionState(storage, { now: 0 })).toMatchObject({ status: 'connected', account: alice, expiresAt: 1000 })
    expect(await storage.getItem('sessionlayer.session')).toBe(entry)
  })

  it('K2, C12: a `now` that is no finite number (NaN, ±Infinity, a string, an object) reads at the current time, as restoreSession does: a valid entry reads as the session and is kept, an expired one is still removed', async () => {
    for (const now of [NaN, Infinity, -Infinity, 'soon', {}]) {
      const storage = createMemoryStorage()
      const read = () => readSessionState(storage, { now: now as number })
      for (const expiresAt of [Date.now() + 60_000, undefined]) {
        const entry = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 5, expiresAt })
        await storage.setItem('sessionlayer.session', entry)
        expect(await read()).toMatchObject({ status: 'connected', account: alice, connectedAt: 5 })
        expect(await storage.getItem('sessionlayer.session')).toBe(entry)
      }
      await storage.setItem('sessionlayer.session', encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 5, expiresAt: Date.now() - 1 }))
      expect(await read()).toBe(DISCONNECTED_STATE)
      expect(await storage.getItem('sessionlayer.session')).toBeNull()
    }
  })

  it('C17: the default timeoutMs is 10 s to the millisecond; a timeoutMs of 0 or less is that default, and one beyond a timer\'s reach (2 ** 31 ms or more) waits as long as a timer can, never ending the read at once', async () => {
    vi.useFakeTimers()
    try {
      const hung: SessionStorage = { getItem: () => new Promise(() => undefined), setItem: async () => undefined, removeItem: async () => undefined }
      const reads = [readSessionState(hung), readSessionState(hung, { timeoutMs: 0 }), readSessionState(hung, { timeoutMs: -5 }), readSessionState(hung, { timeoutMs: 2 ** 40 })]
      const settled = reads.map(() => false)
      reads.forEach((read, i) => void read.then(() => (settled[i] = true)))
      await vi.advanceTimersByTimeAsync(9_999)
      expect(settled).toEqual([false, false, false, false])
      await vi.advanceTimersByTimeAsync(1)
      expect(settled).toEqual([true, true, true, false])
      await vi.advanceTimersByTimeAsync(2 ** 31 - 1 - 10_001)
      expect(settled[3]).toBe(false)
      await vi.advanceTimersByTimeAsync(1)
      expect(settled[3]).toBe(true)
      await expect(reads[3]).resolves.toBe(DISCONNECTED_STATE)
    } finally {
      vi.useRealTimers()
    }
  })

  it('C17: a storage that never answers (a hung remote store behind server rendering) reads as the disconnected state once timeoutMs passed (default 10 s), the read or the removal of an expired entry alike; no timer is left once it answered', async () => {
    vi.useFakeTimers()
    try {
      const hung: SessionStorage = { getItem: () => new Promise(() => undefined), setItem: async () => undefined, removeItem: async () => undefined }
      const reads = [readSessionState(hung), readSessionState(hung, { timeoutMs: 50 })]
      const settled: unknown[] = []
      reads.forEach((read, i) => void read.then((state) => (settled[i] = state)))
      await vi.advanceTimersByTimeAsync(50)
      expect(settled).toEqual([undefined, DISCONNECTED_STATE])
      await vi.advanceTimersByTimeAsync(10_000 - 50)
      expect(settled).toEqual([DISCONNECTED_STATE, DISCONNECTED_STATE])
      // an expired entry whose removal never ends
      const expired = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 5, expiresAt: 6 })
      const stuck: SessionStorage = { getItem: async () => expired, setItem: async () => undefined, removeItem: () => new Promise(() => undefined) }
      const read = readSessionState(stuck, { now: 10, timeoutMs: 100 })
      await vi.advanceTimersByTimeAsync(100)
      await expect(read).resolves.toBe(DISCONNECTED_STATE)
      // a storage that answers leaves no timer behind (nothing holds a server process)
      const storage = createMemoryStorage()
      await storage.setItem('sessionlayer.session', encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 5, expiresAt: 1e9 }))
      await expect(readSessionState(storage, { now: 10 })).resolves.toMatchObject({ status: 'connected' })
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})
