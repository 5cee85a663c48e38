import { encodeSessionEnvelope } from '@sessionlayer/session-crypto'
import { describe, expect, it } from 'vitest'
import { createCookieStorage } from './createCookieStorage'
import { createMemoryStorage } from './createMemoryStorage'
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

  it('reads the request cookies through a cookie adapter', async () => {
    const value = encodeURIComponent(encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'n', connectedAt: 1 }))
    const storage = createCookieStorage({ adapter: { get: () => `a=b; sessionlayer.app=${value}`, set: () => {} } })
    expect((await readSessionState(storage, { storageKey: 'app' })).account).toEqual(alice)
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
})
