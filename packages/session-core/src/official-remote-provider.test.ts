/**
 * The store through the official `@canton-network/core-provider-dapp` providers that reach a wallet
 * over HTTP: `DappAsyncProvider(url, sessionToken?)` (JSON-RPC over `HttpTransport`, the wallet's
 * events over server-sent events, the sign-in message on the window) and `DappSyncProvider` over an
 * `HttpTransport` (no events). A stand-in wallet gateway on 127.0.0.1 answers JSON-RPC from a mock
 * wallet and streams its events; Node has no `EventSource`, so a small one over `fetch` stands in
 * for the browser's.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DappAsyncProvider, DappSyncProvider } from '@canton-network/core-provider-dapp'
import { HttpTransport } from '@canton-network/core-rpc-transport'
import type { SessionStorage } from '@sessionlayer/session-crypto'
import { createChannelHub, createMockProvider, type MockProvider } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import type { Clock } from './types'
import { WindowShim } from '../test/windowShim'

/** The browser's EventSource, as far as the provider uses it: named events, `onmessage`, `onerror`, `close()`. */
class FetchEventSource extends EventTarget {
  static readonly open = new Set<FetchEventSource>()
  onmessage: ((event: MessageEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  private readonly abort = new AbortController()
  constructor(readonly url: string) {
    super()
    FetchEventSource.open.add(this)
    void this.run()
  }
  private async run() {
    try {
      const response = await fetch(this.url, { signal: this.abort.signal, headers: { accept: 'text/event-stream' } })
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
      const decoder = new TextDecoder()
      let buffer = ''
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          let type = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim()
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
          }
          if (!data.length) continue
          const event = new MessageEvent(type, { data: data.join('\n') })
          if (type === 'message') this.onmessage?.(event)
          else this.dispatchEvent(event)
        }
      }
      throw new Error('stream ended')
    } catch {
      if (FetchEventSource.open.has(this)) this.onerror?.(new Event('error'))
    }
  }
  close() {
    FetchEventSource.open.delete(this)
    this.abort.abort()
  }
}

type Answer = (method: string, res: ServerResponse) => boolean

/**
 * A stand-in remote wallet gateway: JSON-RPC on POST `/api/v0/dapp`, the wallet's events as
 * server-sent events on GET `/api/v0/dapp/events?token=…` (event name = CIP-0103 event, data = its
 * payload as JSON). `answer` may take over a request (an HTTP error, a hang, a dropped socket).
 */
async function standInGateway(backend: MockProvider) {
  const streams = new Set<ServerResponse>()
  const seen: { method: string; authorization: string | undefined }[] = []
  const gateway = {
    url: '',
    seen,
    streams,
    answer: null as Answer | null,
    send(event: string, data: unknown) {
      for (const res of streams) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
  for (const event of ['statusChanged', 'accountsChanged', 'connected', 'txChanged', 'chainChanged']) {
    backend.on(event, (payload: unknown) => gateway.send(event, payload))
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url?.startsWith('/api/v0/dapp/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.flushHeaders()
      streams.add(res)
      res.on('close', () => streams.delete(res))
      return
    }
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body) as { id: string; method: string; params?: unknown }
      seen.push({ method, authorization: req.headers.authorization })
      if (gateway.answer?.(method, res)) return
      const reply = (status: number, payload: object) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ jsonrpc: '2.0', id, ...payload }))
      }
      // as the official gateway answers: a failed call with an HTTP error status and the JSON-RPC error as its body
      backend.request({ method, params }).then(
        (result) => reply(200, { result: result ?? null }),
        (raw: unknown) => {
          const error = raw as { code?: number; message?: string }
          reply(error.code === 4001 ? 403 : 500, { error: { code: error.code ?? -32603, message: error.message ?? 'error' } })
        },
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v0/dapp`
  return gateway
}

/** The global timers, counting what the store arms and has not yet seen run or cleared. */
function countingClock() {
  const live = new Set<unknown>()
  const clock: Clock = {
    now: () => Date.now(),
    setTimeout: (fn, ms) => {
      const handle: unknown = setTimeout(() => {
        live.delete(handle)
        fn()
      }, ms)
      live.add(handle)
      return handle
    },
    clearTimeout: (handle) => {
      live.delete(handle)
      clearTimeout(handle as ReturnType<typeof setTimeout>)
    },
  }
  return { clock, live }
}

/** Every persisted byte of a memory storage, as text. */
const persistedText = async (storage: SessionStorage, key = 'sessionlayer.session') => String(await storage.getItem(key))

const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
}

const TOKEN = 'gateway-session-token-1'

let win: WindowShim
const gateways: { close(): Promise<void> }[] = []
beforeEach(() => {
  win = new WindowShim()
  vi.stubGlobal('window', win)
  vi.stubGlobal('EventSource', FetchEventSource)
})
afterEach(async () => {
  for (const source of FetchEventSource.open) source.close()
  await Promise.all(gateways.splice(0).map((g) => g.close()))
  vi.unstubAllGlobals()
})

const gatewayFor = async (backend: MockProvider) => {
  const gateway = await standInGateway(backend)
  gateways.push(gateway)
  return gateway
}

describe('through the official remote provider (DappAsyncProvider over HTTP and server-sent events)', () => {
  it('C11, C18: a party switch and an emptied account list told over the event stream reach the store (the provider spreads a JSON array into the listener\'s arguments)', async () => {
    const backend = createMockProvider({ connected: true })
    const gateway = await gatewayFor(backend)
    const store = createSessionStore(new DappAsyncProvider(gateway.url, TOKEN), { storage: createMemoryStorage() })
    expect((await store.restore()).account?.partyId).toBe('alice::1220aa')
    await until(() => gateway.streams.size === 1)
    const parties = vi.fn()
    store.on('party:changed', parties)
    backend.wallet.switchParty('bob::1220bb')
    await until(() => store.getSnapshot().account?.partyId === 'bob::1220bb')
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'bob::1220bb' } })
    expect(store.getSnapshot().accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    // the wallet's list emptied (its parties removed): `data: []`, a listener called with no argument
    gateway.send('accountsChanged', [])
    await until(() => store.getSnapshot().accounts.length === 0)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: null, accounts: [] })
    expect(parties.mock.calls).toEqual([
      [{ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' }],
      [{ previous: 'bob::1220bb', current: null, source: 'local' }],
    ])
    store.destroy()
  })

  it('C3, C15: an async connect hands on the wallet\'s userUrl, completes on the sign-in message, and a reload restores it silently; neither the access token nor the gateway session token is persisted or broadcast', async () => {
    const backend = createMockProvider({ connectMode: 'async', userUrl: 'http://127.0.0.1/wallet/login?session=1' })
    const gateway = await gatewayFor(backend)
    const storage = createMemoryStorage()
    const hub = createChannelHub()
    const options = { storage, broadcast: { channelFactory: hub.channelFactory } }
    const store = createSessionStore(new DappAsyncProvider(gateway.url), options)
    const pending = vi.fn()
    store.on('connect:pending', pending)
    const connecting = store.connect()
    await until(() => pending.mock.calls.length > 0)
    expect(pending).toHaveBeenCalledWith({ userUrl: 'http://127.0.0.1/wallet/login?session=1' })
    expect(store.getSnapshot().status).toBe('connecting')
    // the user signs in at userUrl; the wallet's page tells the dApp's window
    backend.wallet.approve()
    win.postMessage({ type: 'SPLICE_WALLET_IDP_AUTH_SUCCESS', token: TOKEN, sessionId: 'session-1' })
    const state = await connecting
    expect(state).toMatchObject({ status: 'connected', networkId: 'canton:devnet', account: { partyId: 'alice::1220aa' }, lastError: null })
    // from the sign-in on, the provider speaks with the gateway's session token
    expect(gateway.seen.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`)
    const accessToken = backend.wallet.state().accessToken
    const persisted = await persistedText(storage)
    expect(persisted).toContain('alice::1220aa')
    for (const secret of [accessToken, TOKEN]) {
      expect(persisted).not.toContain(secret)
      expect(JSON.stringify(hub.sent)).not.toContain(secret)
    }
    store.destroy()

    // a reload: the dApp keeps the gateway session token, a new provider and store over the same storage
    const reloaded = createSessionStore(new DappAsyncProvider(gateway.url, TOKEN), options)
    const calls = gateway.seen.length
    expect(await reloaded.restore()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(gateway.seen.slice(calls).map((c) => c.method)).not.toContain('connect')
    expect(await persistedText(storage)).not.toContain(accessToken)
    expect(JSON.stringify(hub.sent)).not.toContain(accessToken)
    reloaded.destroy()
  })

  it('C19, C6: a sign-in the app opened itself connects a disconnected store; a sign-out in the wallet told over the stream disconnects it and removes the persisted entry', async () => {
    const backend = createMockProvider()
    const gateway = await gatewayFor(backend)
    const storage = createMemoryStorage()
    const store = createSessionStore(new DappAsyncProvider(gateway.url), { storage })
    backend.wallet.connectFromWallet()
    win.postMessage({ type: 'SPLICE_WALLET_IDP_AUTH_SUCCESS', token: TOKEN, sessionId: 'session-2' })
    await until(() => store.getSnapshot().status === 'connected')
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, networkId: 'canton:devnet' })
    await until(() => gateway.streams.size === 1)
    expect(await persistedText(storage)).toContain('alice::1220aa')
    backend.wallet.disconnectFromWallet()
    await until(() => store.getSnapshot().status === 'disconnected')
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, accounts: [], lastError: null })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    store.destroy()
  })

  it('C7, C8, C15: a wallet drop told over the event stream reconnects on the backoff schedule, and a network switch reaches the store; neither persists nor broadcasts a token', async () => {
    const backend = createMockProvider({ connected: true })
    const gateway = await gatewayFor(backend)
    const storage = createMemoryStorage()
    const hub = createChannelHub()
    const store = createSessionStore(new DappAsyncProvider(gateway.url, TOKEN), { storage, broadcast: { channelFactory: hub.channelFactory }, reconnect: { baseDelayMs: 20, maxAttempts: 20 } })
    await store.restore()
    await until(() => gateway.streams.size === 1)
    const attempts = vi.fn()
    store.on('reconnect:attempt', attempts)
    backend.wallet.drop()
    await until(() => store.getSnapshot().status === 'reconnecting')
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
    await until(() => attempts.mock.calls.length > 0)
    backend.wallet.recover()
    await until(() => store.getSnapshot().status === 'connected')
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, lastError: null })
    expect(gateway.seen.map((c) => c.method)).not.toContain('connect')
    backend.wallet.switchNetwork('canton:testnet')
    await until(() => store.getSnapshot().networkId === 'canton:testnet')
    expect(store.getSnapshot().networkId).toBe('canton:testnet')
    // re-persisted and told to the other tabs after the reconnect and the switch, without a token (C15)
    await until(() => hub.sent.some((m) => JSON.stringify(m).includes('canton:testnet')))
    expect(JSON.stringify(hub.sent)).toContain('canton:testnet')
    const persisted = await persistedText(storage)
    expect(persisted).toContain('canton:testnet')
    for (const secret of [backend.wallet.state().accessToken, TOKEN]) {
      expect(persisted).not.toContain(secret)
      expect(JSON.stringify(hub.sent)).not.toContain(secret)
    }
    store.destroy()
  })

  it('C4: each error shape of the HTTP transport keeps its code and message: an HTTP error with a JSON-RPC body, a 401 with a text body, a network failure', async () => {
    const backend = createMockProvider()
    const gateway = await gatewayFor(backend)
    const store = createSessionStore(new DappAsyncProvider(gateway.url, TOKEN), { storage: createMemoryStorage() })
    backend.wallet.setConnectMode('reject')
    expect((await store.connect()).lastError).toMatchObject({ name: 'SessionError', code: 4001, message: 'User Rejected Request' })
    gateway.answer = (_method, res) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: 4100, message: 'Not authorized for this party' } }))
      return true
    }
    expect((await store.connect()).lastError).toMatchObject({ code: 4100, message: 'Not authorized for this party' })
    gateway.answer = (_method, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' })
      res.end('jwt expired')
      return true
    }
    const unauthorized = await store.connect()
    expect(unauthorized).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 401, message: 'Unauthorized' } })
    gateway.answer = (_method, res) => {
      res.socket?.destroy()
      return true
    }
    const unreachable = await store.connect()
    expect(unreachable.status).toBe('disconnected')
    expect(unreachable.lastError).toMatchObject({ name: 'SessionError', message: 'fetch failed' })
    expect(unreachable.lastError?.cause).toBeInstanceOf(TypeError)
    store.destroy()
  })

  it('C4: a 401 of an auth proxy or API gateway in front of the wallet, over HTTP/2 (no status text), keeps the message of its `{ message }` body, and its status as the code', async () => {
    const backend = createMockProvider()
    const gateway = await gatewayFor(backend)
    const store = createSessionStore(new DappAsyncProvider(gateway.url, TOKEN), { storage: createMemoryStorage() })
    // HTTP/2 has no reason phrase: the browser's statusText is empty
    gateway.answer = (_method, res) => {
      res.writeHead(401, '', { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: 'jwt expired' }))
      return true
    }
    expect(await store.connect()).toMatchObject({ status: 'disconnected', lastError: { code: 401, message: 'jwt expired' } })
    gateway.answer = (_method, res) => {
      res.writeHead(403, '', { 'content-type': 'application/json' })
      res.end(JSON.stringify({ code: 16, message: 'origin not allowed' }))
      return true
    }
    expect(await store.restore()).toMatchObject({ status: 'disconnected', lastError: { code: 403, message: 'origin not allowed' } })
    store.destroy()
  })

  it('C17: a gateway that never answers cannot hang the store: restore and connect fail with TIMEOUT, and a late answer changes nothing', async () => {
    const backend = createMockProvider({ connected: true })
    const gateway = await gatewayFor(backend)
    const held: ServerResponse[] = []
    gateway.answer = (_method, res) => (held.push(res), true)
    const store = createSessionStore(new DappAsyncProvider(gateway.url, TOKEN), { storage: createMemoryStorage(), requestTimeoutMs: 100, connectTimeoutMs: 150 })
    expect(await store.restore()).toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
    expect(await store.connect()).toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
    const settled = store.getSnapshot()
    for (const res of held) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, result: { isConnected: true, isNetworkConnected: true } }))
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(store.getSnapshot()).toBe(settled)
    store.destroy()
  })

  it('C14: destroy() leaves no listener of the store on the provider and no timer of the store armed', async () => {
    const backend = createMockProvider({ connected: true })
    const gateway = await gatewayFor(backend)
    const provider = new DappAsyncProvider(gateway.url, TOKEN)
    const { clock, live } = countingClock()
    const store = createSessionStore(provider, { storage: createMemoryStorage(), clock, reconnect: true, expiry: { ttlMs: 60_000, idleTimeoutMs: 30_000 } })
    await store.restore()
    const listeners = (provider as unknown as { listeners: Record<string, unknown[]> }).listeners
    expect(Object.values(listeners).flat().length).toBeGreaterThan(0)
    backend.wallet.drop()
    await until(() => store.getSnapshot().status === 'reconnecting')
    store.destroy()
    expect(Object.values(listeners).flat()).toEqual([])
    expect(live.size).toBe(0)
    // events the provider still receives reach no store
    backend.wallet.recover()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(store.getSnapshot().status).toBe('reconnecting')

    // destroyed while an async connect waits for the user: the connect settles (with the state the
    // store was left in, as every call in flight at destroy()), its bound is cleared
    backend.wallet.disconnectFromWallet()
    backend.wallet.setConnectMode('async')
    const waiting = createSessionStore(provider, { storage: createMemoryStorage(), clock })
    const pending = vi.fn()
    waiting.on('connect:pending', pending)
    const connecting = waiting.connect()
    await until(() => pending.mock.calls.length > 0)
    waiting.destroy()
    expect(await connecting).toBe(waiting.getSnapshot())
    expect(Object.values(listeners).flat()).toEqual([])
    expect(live.size).toBe(0)
  })
})

describe('through the official DappSyncProvider over an HttpTransport (no events)', () => {
  it('C3, C9, C4, C17, C14: connects, restores after a reload, keeps error codes, times out, and leaves nothing behind', async () => {
    const backend = createMockProvider()
    const gateway = await gatewayFor(backend)
    const url = new URL(gateway.url)
    const storage = createMemoryStorage()
    const { clock, live } = countingClock()
    const provider = new DappSyncProvider(new HttpTransport(url, TOKEN))
    const store = createSessionStore(provider, { storage, clock, requestTimeoutMs: 100 })
    expect(await store.connect()).toMatchObject({ status: 'connected', networkId: 'canton:devnet', account: { partyId: 'alice::1220aa' } })
    expect(gateway.seen.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true)
    expect(await persistedText(storage)).not.toContain(backend.wallet.state().accessToken)
    store.destroy()
    expect(Object.values((provider as unknown as { listeners: Record<string, unknown[]> }).listeners).flat()).toEqual([])
    expect(live.size).toBe(0)

    const reloaded = createSessionStore(new DappSyncProvider(new HttpTransport(url, TOKEN)), { storage, clock, requestTimeoutMs: 100 })
    const calls = gateway.seen.length
    expect(await reloaded.restore()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(gateway.seen.slice(calls).map((c) => c.method)).not.toContain('connect')
    await reloaded.disconnect()
    backend.wallet.setConnectMode('reject')
    expect((await reloaded.connect()).lastError).toMatchObject({ code: 4001 })
    gateway.answer = () => true
    expect(await reloaded.restore()).toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
    reloaded.destroy()
    expect(live.size).toBe(0)
  })
})
