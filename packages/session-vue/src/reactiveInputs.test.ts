import { createMemoryStorage, createSessionStore, type CIP0103Provider, type CIP0103RequestArgs } from '@sessionlayer/session-core'
import { createMockProvider, type MockProvider } from '@sessionlayer/session-testing'
import { describe, expect, it } from 'vitest'
import { markRaw, reactive, toRaw } from 'vue'

/** A wallet SDK's provider class, with private fields (as the official dApp provider SDKs have). */
class ClassProvider implements CIP0103Provider {
  readonly #mock: MockProvider
  constructor(mock: MockProvider) {
    this.#mock = mock
  }
  request(args: CIP0103RequestArgs) {
    return this.#mock.request(args)
  }
  on(event: string, listener: (...args: never[]) => void) {
    this.#mock.on(event, listener)
    return this
  }
  removeListener(event: string, listener: (...args: never[]) => void) {
    this.#mock.removeListener(event, listener)
    return this
  }
}

describe('a store handed Vue reactive() inputs', () => {
  it('§5, C3, C6: works with a reactive() provider and reactive() options', async () => {
    const mock = createMockProvider()
    const options = reactive({ storage: createMemoryStorage(), reconnect: { baseDelayMs: 1 }, expiry: { ttlMs: 60_000 } })
    const store = createSessionStore(reactive(mock), options)
    expect((await store.connect()).account?.partyId).toBe('alice::1220aa')
    mock.wallet.switchParty('bob::1220bb')
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    await store.disconnect()
    expect(store.getSnapshot().status).toBe('disconnected')
    store.destroy()
    expect(mock.listenerCount()).toBe(0)
  })

  it('§5: a reactive() provider of a class with private fields is refused at once with its cause, and markRaw() or toRaw() (as documented) make it work', async () => {
    const mock = createMockProvider()
    let error: unknown
    try {
      createSessionStore(reactive(new ClassProvider(mock)), { storage: createMemoryStorage() })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'INVALID_PROVIDER', cause: expect.objectContaining({ message: expect.stringMatching(/private/) }) })
    expect(mock.listenerCount()).toBe(0)

    // markRaw(): the provider stays raw even when it is put in reactive state; toRaw(): the raw one back from reactive state
    const state = reactive({ marked: markRaw(new ClassProvider(mock)), plain: new ClassProvider(mock) })
    for (const provider of [state.marked, toRaw(state.plain)]) {
      const store = createSessionStore(provider, { storage: createMemoryStorage() })
      expect((await store.connect()).status).toBe('connected')
      await store.disconnect()
      store.destroy()
    }
  })
})
