import { IDBFactory } from 'fake-indexeddb'
import { createEncryptedIndexedDBStorage, decodeSessionEnvelope, restoreSession, type SessionStorage } from '@sessionlayer/session-crypto'
import { createChannelHub, createMockProvider, createMockWallet, type MockWallet } from '@sessionlayer/session-testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCookieStorage } from './createCookieStorage'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { DISCONNECTED_STATE } from './machine'
import { readSessionState } from './readSessionState'
import type { SessionStoreOptions } from './types'

/** Lets the wallet's events on their way reach the tabs: each arrives on a task of its own, as from a real wallet. */
const walletEvents = async () => {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await new Promise((resolve) => setTimeout(resolve, 0))
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

/** A storage that records every write, over memory. */
function recording() {
  const base = createMemoryStorage()
  const writes: string[] = []
  const storage: SessionStorage = {
    getItem: (k) => base.getItem(k),
    setItem: (k, v) => {
      writes.push(v)
      return base.setItem(k, v)
    },
    removeItem: (k) => base.removeItem(k),
  }
  return { storage, writes }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

/** A storage whose every write waits for the test to let it through (`gates`, in order). */
function gated() {
  const map = new Map<string, string>()
  const gates: (() => void)[] = []
  let started = 0
  const storage: SessionStorage = {
    getItem: (k) => Promise.resolve(map.get(k) ?? null),
    setItem: (k, v) =>
      new Promise<void>((resolve) => {
        started++
        gates.push(() => {
          map.set(k, v)
          resolve()
        })
      }),
    removeItem: (k) => Promise.resolve(void map.delete(k)),
  }
  return { map, gates, storage, writes: () => started }
}

describe('persistence', () => {
  it('C15: written once per connection, whatever the event order, and never before connected', async () => {
    const { storage, writes } = recording()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage })
    store.subscribe((s) => {
      if (s.status !== 'connected') expect(writes).toHaveLength(0)
    })
    await store.connect()
    await flush()
    expect(writes).toHaveLength(1)
    const envelope = decodeSessionEnvelope(writes[0])
    expect(envelope).toMatchObject({ version: 1, networkId: 'canton:devnet', account: { partyId: 'alice::1220aa' } })
    expect(envelope?.accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    const status = await provider.request({ method: 'status' })
    provider.wallet.emitRaw('statusChanged', status)
    provider.wallet.emitRaw('accountsChanged', provider.wallet.state().accounts)
    await walletEvents()
    await flush()
    expect(writes).toHaveLength(1)
    // a wallet that announces its accounts as it connects, before its answer
    const announced = recording()
    // 'sync': its events, and the accounts it announces as it hears them, reach the tab before the
    // answer, as over an extension's port
    const announcing = createMockProvider({ delivery: 'sync' })
    announcing.on('connected', () => {
      announcing.wallet.emitRaw('accountsChanged', announcing.wallet.state().accounts)
    })
    const other = createSessionStore(announcing, { storage: announced.storage })
    await other.connect()
    await flush()
    expect(announced.writes).toHaveLength(1)
    expect(decodeSessionEnvelope(announced.writes[0])?.accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(announcing.calls.map((c) => c.method)).toEqual(['connect'])
    other.destroy()
  })

  it('C15: rewritten on party and network change', async () => {
    const { storage, writes } = recording()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage })
    await store.connect()
    provider.wallet.switchParty('bob::1220bb')
    await flush()
    provider.wallet.switchNetwork('canton:testnet')
    await flush()
    expect(writes.map((w) => decodeSessionEnvelope(w)).map((e) => [e?.account?.partyId, e?.networkId, e?.account?.networkId])).toEqual([
      ['alice::1220aa', 'canton:devnet', 'canton:devnet'],
      ['bob::1220bb', 'canton:devnet', 'canton:devnet'],
      ['bob::1220bb', 'canton:testnet', 'canton:devnet'],
      // the wallet then tells the accounts, which moved with it
      ['bob::1220bb', 'canton:testnet', 'canton:testnet'],
    ])
  })

  it('C15: a burst of changes while a write is in flight costs one more write, of the latest state', async () => {
    const { storage, writes } = recording()
    // 'sync': the whole burst reaches the store while the write of its first change is in flight (a
    // wallet's burst over tasks of their own does so while a slower write is)
    const provider = createMockProvider({ delivery: 'sync' })
    const store = createSessionStore(provider, { storage })
    await store.connect()
    await flush()
    provider.wallet.switchParty('bob::1220bb')
    for (let i = 0; i < 50; i++) provider.wallet.switchNetwork(`canton:net-${i}`)
    provider.wallet.switchParty('alice::1220aa')
    await flush()
    expect(writes.map((w) => decodeSessionEnvelope(w)).map((e) => [e?.account?.partyId, e?.networkId])).toEqual([
      ['alice::1220aa', 'canton:devnet'],
      ['bob::1220bb', 'canton:devnet'],
      ['alice::1220aa', 'canton:net-49'],
    ])
  })

  it('C15: a save after a removal is written after it, never folded into the write before', async () => {
    const { map, gates, storage } = gated()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage })
    await store.connect() // write 1, held
    provider.wallet.switchNetwork('canton:testnet') // write 2, queued behind write 1
    void store.disconnect() // removal, queued behind write 2
    await flush()
    await store.connect() // must be written after the removal
    for (let i = 0; i < 10 && (gates.length || i < 2); i++) {
      gates.shift()?.()
      await flush()
    }
    expect(store.getSnapshot().status).toBe('connected')
    expect(decodeSessionEnvelope(map.get('sessionlayer.session') ?? null)?.networkId).toBe('canton:testnet')
  })

  it('C6, C15: a write still queued as the session signs out writes the session it was queued for, then the removal runs: no storage:error, no entry left', async () => {
    const { map, gates, storage, writes } = gated()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage })
    const errors: unknown[] = []
    store.on('storage:error', (e) => errors.push(e))
    await store.connect() // write 1, held
    provider.wallet.switchNetwork('canton:testnet') // write 2, queued behind write 1
    await walletEvents()
    const signedOut = store.disconnect() // removal, queued behind write 2
    await flush()
    expect(store.getSnapshot().status).toBe('disconnected')
    for (let i = 0; i < 10 && (gates.length || i < 2); i++) {
      gates.shift()?.()
      await flush()
    }
    await signedOut
    expect(errors).toEqual([])
    expect(writes()).toBe(2)
    expect(map.has('sessionlayer.session')).toBe(false)
  })

  /**
   * Writes held at the storage: a connect (write 1), a network switch (write 2, behind it; `settled`:
   * its event taken before what follows), a disconnect (the removal, behind write 2), a connect again
   * (write 3, behind the removal); write 1 lands and write 2 starts, then five switches: they are
   * folded into write 3, which is written once, with the last of them.
   */
  const foldedAfterRemoval = async (settled: boolean) => {
    const { map, gates, storage, writes } = gated()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage })
    await store.connect() // write 1, held
    provider.wallet.switchNetwork('canton:testnet') // write 2, queued behind write 1
    if (settled) await walletEvents()
    void store.disconnect() // removal, queued behind write 2
    await flush()
    await store.connect() // write 3, queued behind the removal
    gates.shift()?.() // write 1 lands, write 2 starts
    await flush()
    for (let i = 0; i < 5; i++) provider.wallet.switchNetwork(`canton:net-${i}`) // into write 3
    await walletEvents()
    for (let i = 0; i < 10 && (gates.length || i < 2); i++) {
      gates.shift()?.()
      await flush()
    }
    expect(writes()).toBe(3)
    expect(decodeSessionEnvelope(map.get('sessionlayer.session') ?? null)?.networkId).toBe('canton:net-4')
  }

  it('C15: changes made while the writes before a removal still wait are folded into the one write queued after it, also once the first of those writes starts', async () => {
    await foldedAfterRemoval(false)
  })

  it('C15: a write queued before a removal that starts once the session is back leaves the write queued after the removal open: the changes made then are folded into it, not written once more', async () => {
    await foldedAfterRemoval(true)
  })

  it('C15: rewritten on re-authentication, with the new session times, and not while the hook runs', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    try {
      const { storage, writes } = recording()
      let finish!: () => void
      const onReauthRequired = () => new Promise<void>((resolve) => (finish = resolve))
      const store = createSessionStore(createMockProvider(), { storage, expiry: { ttlMs: 60_000, onReauthRequired } })
      await store.connect()
      await vi.advanceTimersByTimeAsync(0)
      expect(writes.map((w) => decodeSessionEnvelope(w)?.expiresAt)).toEqual([1_060_000])
      await vi.advanceTimersByTimeAsync(60_000)
      expect(store.getSnapshot().status).toBe('reconnecting')
      // the hook still runs: nothing is written before the store is connected again
      expect(writes).toHaveLength(1)
      finish()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', connectedAt: 1_060_000, expiresAt: 1_120_000 })
      expect(writes).toHaveLength(2)
      expect(decodeSessionEnvelope(writes[1])).toMatchObject({ connectedAt: 1_060_000, expiresAt: 1_120_000, account: { partyId: 'alice::1220aa' } })
      expect(await storage.getItem('sessionlayer.session')).toBe(writes[1])
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C15: persistSnapshot false writes only the marker', async () => {
    const { storage, writes } = recording()
    const store = createSessionStore(createMockProvider(), { storage, persistSnapshot: false })
    await store.connect()
    await flush()
    expect(writes).toEqual(['1'])
  })

  it('C9, C12, M4: a restore that read no entry and finds the wallet not connected removes nothing: a session another tab persists meanwhile is kept', async () => {
    const base = createMemoryStorage()
    const removed: string[] = []
    let reads = 0
    const storage: SessionStorage = {
      getItem: async (k) => {
        const value = await base.getItem(k)
        // the removal's check: another tab connects and persists right after it read
        if (++reads === 2) await base.setItem(k, 'the other tab\'s session')
        return value
      },
      setItem: (k, v) => base.setItem(k, v),
      removeItem: (k) => {
        removed.push(k)
        return base.removeItem(k)
      },
    }
    const store = createSessionStore(createMockProvider(), { storage })
    expect(await store.init()).toMatchObject({ status: 'disconnected', lastError: null })
    await flush()
    // nothing read, nothing to remove: the removal, given the key alone, would take the other tab's entry
    expect(removed).toEqual([])
    await base.setItem('sessionlayer.session', "the other tab's session")
    await flush()
    expect(await base.getItem('sessionlayer.session')).toBe("the other tab's session")
  })

  it('C9, M4: a storage that answers undefined for an absent entry (idb-keyval\'s get, a Map) read no entry: a restore that finds the wallet not connected keeps the session another tab persisted meanwhile', async () => {
    const base = createMemoryStorage()
    const removed: string[] = []
    const storage = {
      getItem: async (k: string) => (await base.getItem(k)) ?? undefined,
      setItem: (k: string, v: string) => base.setItem(k, v),
      removeItem: (k: string) => {
        removed.push(k)
        return base.removeItem(k)
      },
    } as unknown as SessionStorage
    const provider = createMockProvider()
    const request = provider.request.bind(provider)
    // another tab connects and persists while this tab's restore asks its wallet
    provider.request = async (args) => {
      if (args.method === 'status') await base.setItem('sessionlayer.session', "the other tab's session")
      return request(args)
    }
    const errors: unknown[] = []
    const store = createSessionStore(provider, { storage })
    store.on('storage:error', (e) => errors.push(e))
    expect(await store.init()).toMatchObject({ status: 'disconnected', lastError: null })
    await flush()
    expect(removed).toEqual([])
    expect(await base.getItem('sessionlayer.session')).toBe("the other tab's session")
    expect(errors).toEqual([])
  })

  it('C9, C15: an entry the storage answers as no string (a custom adapter that gives a fresh object at each read) is no session: a restore that finds the wallet not connected removes it', async () => {
    const base = new Map<string, unknown>([['sessionlayer.session', 'a value the adapter hands back parsed']])
    const removed: string[] = []
    const storage = {
      // a new object at each read: never the same one twice
      getItem: async (k: string) => (base.has(k) ? { value: base.get(k) } : null),
      setItem: async (k: string, v: string) => void base.set(k, v),
      removeItem: async (k: string) => {
        removed.push(k)
        base.delete(k)
      },
    } as unknown as SessionStorage
    const errors: unknown[] = []
    const store = createSessionStore(createMockProvider(), { storage })
    store.on('storage:error', (e) => errors.push(e))
    expect(await store.init()).toMatchObject({ status: 'disconnected', lastError: null })
    await flush()
    expect(removed).toEqual(['sessionlayer.session'])
    expect(base.has('sessionlayer.session')).toBe(false)
    expect(errors).toEqual([])
  })

  it('C15: access tokens are never persisted', async () => {
    const { storage, writes } = recording()
    const provider = createMockProvider({ accessToken: 'SECRET-TOKEN-123' })
    const store = createSessionStore(provider, { storage, expiry: { ttlMs: 1e6 } })
    await store.connect()
    provider.wallet.rotateToken()
    provider.wallet.switchNetwork('canton:testnet')
    provider.wallet.emitRaw('accountsChanged', [{ partyId: 'alice::1220aa', primary: true, accessToken: 'SECRET-TOKEN-123', topologyTransactions: 'tx' }])
    await flush()
    expect(writes.length).toBeGreaterThan(1)
    for (const w of writes) {
      expect(w).not.toContain('SECRET-TOKEN')
      expect(w).not.toContain('mock-token')
      expect(w).not.toContain('topologyTransactions')
    }
  })

  it('C15: a failing storage never breaks the session: storage:error, state intact', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    const storage: SessionStorage = {
      getItem: () => Promise.reject(new Error('blocked')),
      setItem: () => Promise.reject(quota),
      removeItem: () => {
        throw new Error('sync throw')
      },
    }
    const provider = createMockProvider({ connected: true })
    const store = createSessionStore(provider, { storage })
    const errors: unknown[] = []
    store.on('storage:error', (e) => errors.push(e))
    expect((await store.restore()).status).toBe('connected')
    await flush()
    provider.wallet.switchParty('bob::1220bb')
    await flush()
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    await store.disconnect()
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(errors).toEqual([
      { operation: 'get', error: new Error('blocked') },
      { operation: 'set', error: quota },
      { operation: 'set', error: quota },
      { operation: 'remove', error: new Error('sync throw') },
    ])
  })

  it('C15, K1: a session the envelope encoder refuses (a clock that answers NaN: no finite connectedAt) is a storage:error with the session intact, and nothing undecodable is written', async () => {
    const { storage, writes } = recording()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage, clock: { now: () => Number.NaN, setTimeout, clearTimeout } })
    const errors: [string, unknown][] = []
    store.on('storage:error', ({ operation, error }) => errors.push([operation, error]))
    await store.connect()
    await flush()
    expect(errors).toEqual([['set', expect.objectContaining({ name: 'TypeError', message: 'This session snapshot would not decode' })]])
    expect(writes).toEqual([])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    store.destroy()
  })

  it('C15, §2.5: a session too large for its cookie is a storage:error with the session intact, and the previous session\'s cookie is gone, so a reload does not bring that party back', async () => {
    const cookies = new Map<string, string>()
    const storage = createCookieStorage({
      adapter: {
        get: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        set: (cookie) => {
          const [pair = ''] = cookie.split('; ')
          const [name = '', value = ''] = pair.split('=')
          if (cookie.includes('; Max-Age=0')) cookies.delete(name)
          else cookies.set(name, value)
        },
      },
    })
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage })
    const errors: [string, unknown][] = []
    store.on('storage:error', ({ operation, error }) => errors.push([operation, error]))
    await store.connect()
    await flush()
    expect((await readSessionState(storage)).account?.partyId).toBe('alice::1220aa')
    const [alice] = provider.wallet.state().accounts
    const carol = { ...alice, partyId: 'carol::1220cc', hint: 'carol' }
    const others = Array.from({ length: 40 }, (_, i) => ({ ...carol, partyId: `party${i}::${'0'.repeat(64)}`, primary: false }))
    provider.wallet.setAccounts([carol, ...others])
    await flush()
    expect(errors).toEqual([['set', expect.objectContaining({ name: 'SessionError', code: -32602 })]])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'carol::1220cc' } })
    expect(store.getSnapshot().accounts).toHaveLength(41)
    expect(await readSessionState(storage)).toBe(DISCONNECTED_STATE)
    store.destroy()
  })

  it('C15, C17: a write or a removal that never answers is a storage:error with TIMEOUT after requestTimeoutMs, the session unaffected', async () => {
    vi.useFakeTimers()
    try {
      const hang = () => new Promise<void>(() => undefined)
      const storage: SessionStorage = { getItem: () => Promise.resolve(null), setItem: hang, removeItem: hang }
      const store = createSessionStore(createMockProvider(), { storage, requestTimeoutMs: 1000 })
      const failures: [string, unknown][] = []
      store.on('storage:error', ({ operation, error }) => failures.push([operation, (error as { code?: unknown }).code]))
      await store.connect()
      await vi.advanceTimersByTimeAsync(999)
      expect(failures).toEqual([])
      await vi.advanceTimersByTimeAsync(1)
      expect(failures).toEqual([['set', 'TIMEOUT']])
      expect(store.getSnapshot().status).toBe('connected')
      const left = store.disconnect()
      await vi.advanceTimersByTimeAsync(1000)
      await left
      expect(failures).toEqual([['set', 'TIMEOUT'], ['remove', 'TIMEOUT']])
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C11, C14, M5: a change made while a write is in flight is broadcast once it is persisted, after the change before it; destroy() sends it at once, as the channel closes, and nothing after', async () => {
    const key = 'sessionlayer.session'
    const map = new Map<string, string>()
    const log: string[] = []
    /** While set, each write waits for the test to let it through (a slow encrypted IndexedDB). */
    let gates: (() => void)[] | null = null
    const storage: SessionStorage = {
      getItem: (k) => Promise.resolve(map.get(k) ?? null),
      setItem: (k, v) => {
        const { account, networkId } = decodeSessionEnvelope(v) ?? {}
        log.push(`persist:${account?.partyId}@${networkId}`)
        const write = () => {
          map.set(k, v)
        }
        if (!gates) {
          write()
          return Promise.resolve()
        }
        return new Promise<void>((resolve) => {
          gates?.push(() => {
            write()
            resolve()
          })
        })
      },
      removeItem: (k) => Promise.resolve(void map.delete(k)),
    }
    /** Each message, with the party a tab that reads the storage as it hears it finds. */
    const postMessage = (m: { kind: string }) => void log.push(`post:${m.kind}:${decodeSessionEnvelope(map.get(key) ?? null)?.account?.partyId}`)
    for (const destroyed of [false, true]) {
      map.clear()
      gates = null
      const provider = createMockProvider()
      const store = createSessionStore(provider, { storage, broadcast: { channelFactory: () => ({ onmessage: null, postMessage, close() {} }) } })
      await store.connect()
      await flush()
      log.length = 0
      gates = []
      // the wallet reports a network switch and a party switch back to back
      provider.wallet.switchNetwork('canton:testnet')
      provider.wallet.switchParty('bob::1220bb')
      await walletEvents()
      if (destroyed) store.destroy()
      for (let i = 0; i < 5; i++) {
        gates.shift()?.()
        await flush()
      }
      // the network switch: no write was waiting, its broadcast follows the write at once (as before);
      // the party switch: its write waited its turn, and its broadcast waits for it — unless the
      // tab closes first: the other tabs still hear of it (they ask their own wallets)
      expect(log).toEqual(['persist:alice::1220aa@canton:testnet', 'post:network:alice::1220aa', ...(destroyed ? ['post:party:alice::1220aa', 'persist:bob::1220bb@canton:testnet'] : ['persist:bob::1220bb@canton:testnet', 'post:party:bob::1220bb'])])
      store.destroy()
    }
  })

  it('M3, C6: a disconnect reaches the other tabs at once, before the wallet is asked, and a change held behind a write never after it', async () => {
    const log: string[] = []
    /** While set, each write waits for the test to let it through (a slow encrypted IndexedDB). */
    let gates: (() => void)[] | null = null
    const storage: SessionStorage = {
      getItem: () => Promise.resolve(null),
      setItem: () => (gates ? new Promise<void>((resolve) => gates?.push(resolve)) : Promise.resolve()),
      removeItem: () => Promise.resolve(void log.push('remove')),
    }
    for (const slow of [false, true]) {
      gates = slow ? [] : null
      const provider = createMockProvider()
      const store = createSessionStore(provider, { storage, broadcast: { channelFactory: () => ({ onmessage: null, postMessage: (m: { kind: string }) => void log.push(`post:${m.kind}`), close() {} }) } })
      await store.connect() // its write is held while slow
      provider.wallet.switchParty('bob::1220bb') // a write queued behind it, its broadcast too
      await flush()
      const request = provider.request.bind(provider)
      provider.request = (args) => (log.push(`wallet:${args.method}`), request(args))
      log.length = 0
      const leaving = store.disconnect()
      // the other tabs hear it first, its removal waiting behind the held write or not
      expect(log).toEqual(slow ? ['post:disconnected', 'wallet:disconnect'] : ['remove', 'post:disconnected', 'wallet:disconnect'])
      for (let i = 0; i < 5; i++) {
        gates?.shift()?.()
        await flush()
      }
      await leaving
      // the party switch held behind its write is dropped: the disconnect stays the last word
      expect(log.filter((entry) => entry.startsWith('post:'))).toEqual(['post:disconnected'])
      store.destroy()
    }
  })

  it('default storage: encrypted IndexedDB where IndexedDB and WebCrypto exist — no party id in clear', async () => {
    const idb = new IDBFactory()
    vi.stubGlobal('indexedDB', idb)
    const provider = createMockProvider()
    const store = createSessionStore(provider)
    await store.connect()
    await store.disconnect()
    await store.connect()
    // The writes land as WebCrypto and IndexedDB answer, which takes longer on a busy machine:
    // wait for the key and the session's ciphertext, however long they take.
    await vi.waitFor(async () => {
      const raw = await dumpIndexedDB(idb)
      expect(raw.join('\n')).toContain('[CryptoKey secret]')
      expect(raw.join('\n')).toContain('"sl1.')
    }, { timeout: 10_000, interval: 20 })
    expect((await dumpIndexedDB(idb)).join('\n')).not.toContain('alice')
    store.destroy()
    // What a reload reads decrypts to the session (once the last write has landed).
    await vi.waitFor(async () => {
      const saved = await restoreSession(createEncryptedIndexedDBStorage({ indexedDB: idb }), 'sessionlayer.session')
      expect(saved?.account?.partyId).toBe('alice::1220aa')
    }, { timeout: 10_000, interval: 20 })
  })

  it.each([
    // as Chromium 156 tells it: the document's origin is opaque, `location` is its URL's
    ['a frame sandboxed without allow-same-origin', { origin: 'https://app.example', protocol: 'https:' }],
    ['a sandboxed srcdoc frame', { origin: 'null', protocol: 'about:' }],
  ])("K7, C15, §2.5: in %s (origin 'null'), where IndexedDB is there but denied, the default storage is memory: IndexedDB is never opened, no storage:error", async (_, location) => {
    const open = vi.fn(() => {
      throw new DOMException("Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context.", 'SecurityError')
    })
    vi.stubGlobal('indexedDB', { open })
    vi.stubGlobal('origin', 'null')
    vi.stubGlobal('location', location)
    const store = createSessionStore(createMockProvider())
    const errors: unknown[] = []
    store.on('storage:error', (e) => errors.push(e))
    await store.restore()
    expect(await store.connect()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    await store.disconnect()
    await store.connect()
    // a reload of this frame would find nothing anyway: the session is kept in memory meanwhile
    await flush()
    expect(open).not.toHaveBeenCalled()
    expect(errors).toEqual([])
    store.destroy()
  })

  it("K7, §2.5: a file:// page, whose origin is 'null' too but whose IndexedDB works, keeps the encrypted IndexedDB default", async () => {
    const idb = new IDBFactory()
    vi.stubGlobal('indexedDB', idb)
    vi.stubGlobal('origin', 'null')
    vi.stubGlobal('location', { origin: 'file://', protocol: 'file:' })
    const store = createSessionStore(createMockProvider())
    await store.connect()
    await vi.waitFor(async () => {
      expect((await dumpIndexedDB(idb)).join('\n')).toContain('"sl1.')
    }, { timeout: 10_000, interval: 20 })
    store.destroy()
  })

  it('default storage: memory where IndexedDB is missing (Node, SSR)', async () => {
    expect(globalThis.indexedDB).toBeUndefined()
    const store = createSessionStore(createMockProvider())
    expect((await store.connect()).status).toBe('connected')
  })
})

describe('the persisted entry outlives a failure that does not end the session', () => {
  const KEY = 'sessionlayer.session'
  const TTL = 60_000
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Tab A connected with a TTL and `broadcast`; tab B, of the same origin, opens 30 s later. */
  async function liveInTabA(options: SessionStoreOptions = {}) {
    vi.useFakeTimers({ now: 1_000_000 })
    const storage = createMemoryStorage()
    const hub = createChannelHub()
    const wallet = createMockWallet()
    const shared: SessionStoreOptions = { storage, requestTimeoutMs: 1_000, connectTimeoutMs: 2_000, expiry: { ttlMs: TTL }, broadcast: { channelFactory: hub.channelFactory, lockManager: null }, ...options }
    const a = createSessionStore(createMockProvider({ wallet }), shared)
    await a.connect()
    await vi.advanceTimersByTimeAsync(30_000)
    const entry = await storage.getItem(KEY)
    expect(decodeSessionEnvelope(entry)).toMatchObject({ connectedAt: 1_000_000, expiresAt: 1_060_000 })
    const open = (w: MockWallet = wallet) => createSessionStore(createMockProvider({ wallet: w }), shared)
    return { a, open, storage, wallet, entry }
  }
  const fails = (wallet: MockWallet, method: 'status' | 'connect', how: 'throws' | 'does not answer', times = 1) =>
    how === 'throws' ? wallet.failNext(method, { code: -32603, message: 'busy' }, times) : wallet.hangNext(method, times)

  it.each(['throws', 'does not answer'] as const)('C9, C12, C15, M4: a tab whose restore probe %s leaves the entry of the session another tab lives on: a reload there keeps its expiry', async (how) => {
    const { a, open, storage, wallet, entry } = await liveInTabA()
    fails(wallet, 'status', how)
    const b = open()
    const restoring = b.init()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(await restoring).toMatchObject({ status: 'disconnected', lastError: { code: how === 'throws' ? -32603 : 'TIMEOUT' } })
    expect(a.getSnapshot().status).toBe('connected')
    expect(await storage.getItem(KEY)).toBe(entry)
    a.destroy()
    expect(await open().init()).toMatchObject({ status: 'connected', connectedAt: 1_000_000, expiresAt: 1_060_000 })
  })

  it.each(['throws', 'does not answer'] as const)('C4, C15, M4: a connect() in another tab, whose wallet is not connected, that the user declines or that %s leaves the entry of the session the first tab lives on', async (how) => {
    const { a, open, storage, entry } = await liveInTabA()
    const own = createMockWallet()
    own.setConnectMode('reject')
    expect(await open(own).connect()).toMatchObject({ status: 'disconnected', lastError: { code: 4001 } })
    fails(own, 'connect', how)
    const connecting = open(own).connect()
    await vi.advanceTimersByTimeAsync(2_000)
    expect(await connecting).toMatchObject({ status: 'disconnected', lastError: { code: how === 'throws' ? -32603 : 'TIMEOUT' } })
    expect(a.getSnapshot().status).toBe('connected')
    expect(await storage.getItem(KEY)).toBe(entry)
  })

  it.each(['gives up', 'is cancelled'] as const)('C7, C8, C15, M4: a reconnect in another tab whose wallet does not answer, that %s, leaves the entry of the session the first tab lives on', async (how) => {
    const { a, open, storage, entry } = await liveInTabA({ reconnect: { maxAttempts: 2 } })
    const own = createMockWallet({ connected: true })
    const b = open(own)
    await b.init()
    expect(await storage.getItem(KEY)).toBe(entry)
    own.emitRaw('statusChanged', { connection: { isConnected: false, isNetworkConnected: true } })
    fails(own, 'status', 'throws', 2)
    if (how === 'gives up') await vi.advanceTimersByTimeAsync(500 + 1_000)
    else {
      await vi.advanceTimersByTimeAsync(500)
      b.cancelReconnect()
    }
    expect(b.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: -32603 } })
    expect(a.getSnapshot().status).toBe('connected')
    expect(await storage.getItem(KEY)).toBe(entry)
  })

  it.each(['is not connected', 'is connected, the time being up'] as const)('C9, C10, C12: an entry a failed probe left never connects by itself: a later restore whose wallet %s ends it, as C9 or the expiry path says', async (wallet) => {
    vi.useFakeTimers({ now: 1_000_000 })
    const storage = createMemoryStorage()
    const provider = createMockProvider()
    const open = () => createSessionStore(provider, { storage, expiry: { ttlMs: TTL } })
    const first = open()
    await first.connect()
    await walletEvents() // the connection's events reach the tab before it is closed
    first.destroy()
    // a reload whose probe the wallet fails: the entry stays
    provider.wallet.failNext('status', { code: -32603, message: 'busy' })
    expect(await open().init()).toMatchObject({ status: 'disconnected', lastError: { code: -32603 } })
    expect(decodeSessionEnvelope(await storage.getItem(KEY))).toMatchObject({ connectedAt: 1_000_000, expiresAt: 1_060_000 })
    const expiring = wallet !== 'is not connected'
    if (expiring) await vi.advanceTimersByTimeAsync(TTL)
    else provider.wallet.disconnectFromWallet()
    await walletEvents()
    const late = open()
    const expired = vi.fn()
    late.on('session:expired', expired)
    const seen: string[] = []
    late.subscribe((state) => seen.push(state.status))
    expect(await late.init()).toMatchObject({ status: 'disconnected', account: null, lastError: expiring ? { code: 'SESSION_EXPIRED' } : null })
    expect(expired.mock.calls).toEqual(expiring ? [[{ expiredAt: 1_060_000, reason: 'ttl' }]] : [])
    expect(seen).not.toContain('connected')
    await vi.advanceTimersByTimeAsync(0)
    expect(await storage.getItem(KEY)).toBeNull()
  })

  it('C7, C15: a reconnect whose wallet answers that it is not connected until it gives up removes the entry: that session ended', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const storage = createMemoryStorage()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage, reconnect: { maxAttempts: 2 } })
    await store.connect()
    provider.wallet.drop()
    await vi.advanceTimersByTimeAsync(500 + 1_000)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900 } })
    expect(await storage.getItem(KEY)).toBeNull()
  })
})

/** Every value of every object store of every database, serialised (CryptoKeys as their type). */
async function dumpIndexedDB(idb: IDBFactory): Promise<string[]> {
  const out: string[] = []
  for (const info of await idb.databases()) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = idb.open(info.name ?? '')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error ?? new Error("open failed"))
    })
    for (const name of db.objectStoreNames) {
      const values = await new Promise<unknown[]>((resolve) => {
        const req = db.transaction(name).objectStore(name).getAll()
        req.onsuccess = () => resolve(req.result)
      })
      for (const v of values) out.push(JSON.stringify(v, (_k, x: unknown) => (x instanceof CryptoKey ? `[CryptoKey ${x.type}]` : x instanceof Uint8Array ? `[bytes ${x.length}]` : x)))
    }
    db.close()
  }
  return out
}

describe('a session that ends by itself removes only the entry it read or wrote, never another tab\'s', () => {
  const KEY = 'sessionlayer.session'
  const HOUR = 3_600_000
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  /**
   * Tabs of one origin over one storage — a plain one shared as localStorage is, or encrypted
   * IndexedDB, opened by each tab on its own — with `broadcast` on or off. `settled()` waits until
   * no storage operation of any tab is in flight; `entry()` reads what a reload would read.
   */
  function origin(broadcast: boolean, kind: 'plain' | 'encrypted') {
    const idb = new IDBFactory()
    const plain = createMemoryStorage()
    const hub = createChannelHub()
    let pending = 0
    const track = <T,>(run: () => Promise<T>) => {
      pending++
      return run().finally(() => pending--)
    }
    const storage = (): SessionStorage => {
      const base = (kind === 'plain' ? plain : createEncryptedIndexedDBStorage({ indexedDB: idb })) as SessionStorage & { removeItem(k: string, v?: string): Promise<void> }
      const checks = Symbol.for('sessionlayer.checks')
      return Object.assign(
        {
          getItem: (k: string) => track(() => base.getItem(k)),
          setItem: (k: string, v: string) => track(() => base.setItem(k, v)),
          removeItem: (k: string, v?: string) => track(() => (v === undefined ? base.removeItem(k) : base.removeItem(k, v))),
        },
        checks in base ? { [checks]: (base as unknown as Record<symbol, unknown>)[checks] } : {},
      )
    }
    const reader = storage()
    const open = (wallet: MockWallet, options: SessionStoreOptions = {}) =>
      createSessionStore(createMockProvider({ wallet }), {
        storage: storage(),
        expiry: { ttlMs: HOUR },
        broadcast: broadcast && { channelFactory: hub.channelFactory, lockManager: null },
        ...options,
      })
    const settled = async () => {
      do await pause(5)
      while (pending)
    }
    const entry = async () => decodeSessionEnvelope(await reader.getItem(KEY))
    return { open, settled, entry }
  }

  const cases = [
    [false, 'plain'],
    [true, 'plain'],
    [false, 'encrypted'],
    [true, 'encrypted'],
  ] as const

  it.each(cases)('C7, C12, M4: a reconnect that gives up while another tab (own wallet) connected and persisted keeps that tab\'s entry: its reload keeps its expiry (broadcast %s, %s storage)', async (broadcast, kind) => {
    const { open, settled, entry } = origin(broadcast, kind)
    const own = createMockWallet()
    const b = open(own, { reconnect: { baseDelayMs: 50, maxAttempts: 2 } })
    await b.connect()
    await settled()
    own.drop()
    const wallet = createMockWallet({ networkId: 'canton:testnet' })
    const a = open(wallet)
    const connected = await a.connect()
    await settled()
    expect(await entry()).toMatchObject({ networkId: 'canton:testnet', connectedAt: connected.connectedAt, expiresAt: connected.expiresAt })
    await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900 } }), { timeout: 5_000 })
    await settled()
    expect(a.getSnapshot().status).toBe('connected')
    expect(await entry()).toMatchObject({ networkId: 'canton:testnet', connectedAt: connected.connectedAt, expiresAt: connected.expiresAt })
    a.destroy()
    b.destroy()
    expect(await open(wallet).init()).toMatchObject({ status: 'connected', networkId: 'canton:testnet', connectedAt: connected.connectedAt, expiresAt: connected.expiresAt })
  })

  // With `broadcast` on, a connected tab takes up another tab's connection as its own session (M4):
  // there the entry is one session's, written by both.
  it.each(cases.filter(([broadcast]) => !broadcast))('C7, M4: a drop without a reconnect policy while another tab (own wallet) connected and persisted keeps that tab\'s entry (broadcast %s, %s storage)', async (broadcast, kind) => {
    const { open, settled, entry } = origin(broadcast, kind)
    const own = createMockWallet()
    const b = open(own)
    await b.connect()
    await settled()
    const a = open(createMockWallet({ networkId: 'canton:testnet' }))
    const connected = await a.connect()
    await settled()
    own.drop()
    await walletEvents()
    expect(b.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900 } })
    await settled()
    expect(a.getSnapshot().status).toBe('connected')
    expect(await entry()).toMatchObject({ networkId: 'canton:testnet', connectedAt: connected.connectedAt, expiresAt: connected.expiresAt })
  })

  it('C7, M4: a drop keeps the entry another tab (own wallet) persisted also where the app wraps the encrypted storage by spreading it, its removeItem taking the key alone: the store checks the entry itself before it removes', async () => {
    const idb = new IDBFactory()
    // as an app wraps its storage, e.g. to log removals
    const wrapped = (): SessionStorage => {
      const base = createEncryptedIndexedDBStorage({ indexedDB: idb })
      return { ...base, removeItem: (k: string) => base.removeItem(k) }
    }
    const reader = createEncryptedIndexedDBStorage({ indexedDB: idb })
    const own = createMockWallet()
    const b = createSessionStore(createMockProvider({ wallet: own }), { storage: wrapped() })
    await b.connect()
    await vi.waitFor(async () => expect(decodeSessionEnvelope(await reader.getItem(KEY))).toMatchObject({ networkId: 'canton:devnet' }))
    const a = createSessionStore(createMockProvider({ wallet: createMockWallet({ networkId: 'canton:testnet' }) }), { storage: wrapped() })
    await a.connect()
    await vi.waitFor(async () => expect(decodeSessionEnvelope(await reader.getItem(KEY))).toMatchObject({ networkId: 'canton:testnet' }))
    own.drop()
    await walletEvents()
    expect(b.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900 } })
    await pause(100)
    expect(a.getSnapshot().status).toBe('connected')
    expect(decodeSessionEnvelope(await reader.getItem(KEY))).toMatchObject({ networkId: 'canton:testnet' })
    a.destroy()
    b.destroy()
  })

  it.each(cases.filter(([broadcast]) => !broadcast))('C6: a disconnect() removes the entry whoever wrote it, also one another tab (own wallet) wrote after this tab (broadcast %s, %s storage)', async (broadcast, kind) => {
    const { open, settled, entry } = origin(broadcast, kind)
    const a = open(createMockWallet())
    await a.connect()
    await settled()
    const b = open(createMockWallet({ networkId: 'canton:testnet' }))
    await b.connect()
    await settled()
    expect(await entry()).toMatchObject({ networkId: 'canton:testnet' })
    await a.disconnect()
    await settled()
    expect(await entry()).toBeNull()
    a.destroy()
    b.destroy()
  })

  it.each(cases.filter(([broadcast]) => !broadcast))('C12, M4: an expiry without a hook in one tab keeps the entry of a session another tab (own wallet) connected later and persisted (broadcast %s, %s storage)', async (broadcast, kind) => {
    const { open, settled, entry } = origin(broadcast, kind)
    const b = open(createMockWallet(), { expiry: { ttlMs: 300 } })
    await b.connect()
    await settled()
    const a = open(createMockWallet({ networkId: 'canton:testnet' }))
    const connected = await a.connect()
    await settled()
    await vi.waitFor(() => expect(b.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } }), { timeout: 5_000 })
    await settled()
    expect(a.getSnapshot().status).toBe('connected')
    expect(await entry()).toMatchObject({ networkId: 'canton:testnet', connectedAt: connected.connectedAt, expiresAt: connected.expiresAt })
  })

  it.each(cases)('C7, C12, C15: with no other tab, a reconnect that gives up, a drop and an expiry still remove this tab\'s own entry (broadcast %s, %s storage)', async (broadcast, kind) => {
    const { open, settled, entry } = origin(broadcast, kind)
    const ends = {
      'gives up': [{ reconnect: { baseDelayMs: 20, maxAttempts: 2 } }, (w: MockWallet) => w.drop()],
      drops: [{}, (w: MockWallet) => w.disconnectFromWallet()],
      expires: [{ expiry: { ttlMs: 200 } }, () => undefined],
    } as const
    for (const [options, end] of Object.values(ends)) {
      const wallet = createMockWallet()
      const store = open(wallet, options)
      await store.connect()
      await settled()
      expect(await entry()).not.toBeNull()
      end(wallet)
      await vi.waitFor(() => expect(store.getSnapshot().status).toBe('disconnected'), { timeout: 5_000 })
      await settled()
      expect(await entry()).toBeNull()
      store.destroy()
    }
  })
})
