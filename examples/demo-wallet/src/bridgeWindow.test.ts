import { DappSyncProvider } from '@canton-network/core-provider-dapp'
import { WindowTransport } from '@canton-network/core-rpc-transport'
import { createMemoryStorage, createSessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { bridgeWindow } from './bridgeWindow'

/** A window whose postMessage reaches its own 'message' listeners asynchronously, as in a browser. */
class WindowShim extends EventTarget {
  readonly location = { origin: 'http://127.0.0.1' }
  readonly frames: unknown[] = []
  postMessage(data: unknown) {
    this.frames.push(structuredClone(data))
    setTimeout(() => {
      const event = new Event('message') as Event & { data: unknown; source: unknown }
      event.data = structuredClone(data)
      event.source = this
      this.dispatchEvent(event)
    }, 0)
  }
}

let win: WindowShim
beforeEach(() => {
  win = new WindowShim()
  vi.stubGlobal('window', win) // WindowTransport listens for responses on the global window
})
afterEach(() => {
  vi.unstubAllGlobals()
})

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('bridgeWindow: the postMessage protocol of a browser-extension wallet', () => {
  it('answers the official DappSyncProvider, pushes wallet events, and keeps error codes', async () => {
    const backend = createMockProvider({ connectMode: 'reject' })
    const stop = bridgeWindow(win as unknown as Window, backend)
    const store = createSessionStore(new DappSyncProvider(new WindowTransport(win as unknown as Window)), { storage: createMemoryStorage() })

    const rejected = await store.connect()
    expect(rejected.lastError?.code).toBe(4001)
    expect(win.frames).toContainEqual({
      type: 'SPLICE_WALLET_RESPONSE',
      response: { jsonrpc: '2.0', id: expect.any(String) as string, error: { code: 4001, message: expect.any(String) as string } },
    })

    backend.wallet.setConnectMode('approve')
    const state = await store.connect()
    expect(state.status).toBe('connected')
    expect(state.account?.partyId).toBe('alice::1220aa')

    // A wallet event reaches the page as a request frame without an id.
    backend.wallet.switchParty('bob::1220bb')
    await until(() => store.getSnapshot().account?.partyId === 'bob::1220bb')
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    const pushed = win.frames.find((f) => (f as { request?: { method?: string } }).request?.method === 'accountsChanged')
    expect(pushed).toMatchObject({ type: 'SPLICE_WALLET_REQUEST', request: { jsonrpc: '2.0', method: 'accountsChanged' } })
    expect((pushed as { request: object }).request).not.toHaveProperty('id')

    stop()
    backend.wallet.switchParty('alice::1220aa')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb') // the bridge is gone
    store.destroy()
  })

  it('pushes the messageSignature events of signMessage to the page, as the official dApp API sends them', async () => {
    const backend = createMockProvider({ connected: true })
    const stop = bridgeWindow(win as unknown as Window, backend)
    const page = new DappSyncProvider(new WindowTransport(win as unknown as Window))
    const seen: string[] = []
    page.on('messageSignature', (event: { status: string }) => seen.push(`messageSignature:${event.status}`))
    await page.request({ method: 'signMessage', params: { message: 'hi' } })
    await until(() => seen.length === 2)
    expect(seen).toEqual(['messageSignature:pending', 'messageSignature:signed'])
    stop()
  })

  it('ignores its own event frames, responses, foreign frames and messages from other windows', async () => {
    const backend = createMockProvider()
    const stop = bridgeWindow(win as unknown as Window, backend)
    win.postMessage({ type: 'SPLICE_WALLET_REQUEST', request: { jsonrpc: '2.0', method: 'connect' } }) // no id: an event
    win.postMessage({ type: 'SPLICE_WALLET_RESPONSE', response: { jsonrpc: '2.0', id: '1', result: null } })
    win.postMessage({ type: 'OTHER', request: { id: '2', method: 'connect' } })
    const foreign = new Event('message') as Event & { data: unknown; source: unknown }
    foreign.data = { type: 'SPLICE_WALLET_REQUEST', request: { jsonrpc: '2.0', id: '3', method: 'connect' } }
    foreign.source = {}
    win.dispatchEvent(foreign)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(backend.calls).toEqual([])
    stop()
  })
})
