import { createMemoryStorage, createSessionStore, SessionError, type SessionStore, type SessionStoreOptions } from '@sessionlayer/session-core'
import { createChannelHub, createMockProvider, createMockWallet, type MockProvider } from '@sessionlayer/session-testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createReauthGate, isSignedOutMeanwhile, notSentBecause, type ReauthGate } from './reauthGate'

const stores: SessionStore[] = []

afterEach(() => {
  for (const store of stores.splice(0)) store.destroy()
})

/** A store whose session expires after 20 ms into `hook` (with `options` for tabs of one origin). */
function expiringStore(hook: (signal: AbortSignal) => Promise<void>, provider: MockProvider = createMockProvider(), options: SessionStoreOptions = {}) {
  const store = createSessionStore(provider, {
    storage: createMemoryStorage(),
    ...options,
    expiry: { ttlMs: 20, onReauthRequired: ({ signal }) => hook(signal) },
  })
  stores.push(store)
  return store
}

/** Enqueues a transfer once `store` waits for its re-auth hook; `held`: what it rejects with (null once signed). */
async function holdTransfer(store: SessionStore) {
  await vi.waitFor(() => {
    expect(store.getSnapshot().status).toBe('reconnecting')
  })
  const held = store.enqueue(() => 'signed').then(
    () => null,
    (e: unknown) => e,
  )
  return { held }
}

/**
 * A connected session that expires into `hook` (the prompt's, unless another is given), and a
 * transfer enqueued while the hook waits.
 */
async function transferHeldDuring(hook: (signal: AbortSignal) => Promise<void>) {
  const provider = createMockProvider()
  const store = expiringStore(hook, provider)
  await store.connect()
  const { held } = await holdTransfer(store)
  return { store, provider, held }
}

/** Two tabs of one origin on one wallet, each with its re-auth prompt, connected; a transfer held in each. */
async function twoTabsHeld() {
  const hub = createChannelHub()
  const wallet = createMockWallet()
  const storage = createMemoryStorage()
  const tab = () => {
    const reauth = createReauthGate()
    const provider = createMockProvider({ wallet })
    const store = expiringStore((signal) => reauth.request(signal), provider, { storage, broadcast: { channelFactory: hub.channelFactory, lockManager: null } })
    return { reauth, provider, store }
  }
  const a = tab()
  const b = tab()
  await a.store.connect()
  await b.store.restore()
  const held = [(await holdTransfer(a.store)).held, (await holdTransfer(b.store)).held]
  return { a, b, held }
}

const disconnects = (provider: MockProvider) => provider.calls.filter(({ method }) => method === 'disconnect').length

describe('the re-auth prompt', () => {
  it('C6, C12, C13: Sign out in the prompt ends the session as Disconnect does; the transfer it held was not sent — you signed out', async () => {
    const reauth = createReauthGate()
    const { store, provider, held } = await transferHeldDuring((signal) => reauth.request(signal))
    expect(reauth.isPending()).toBe(true)
    expect(reauth.signedOut()).toBe(false)
    await reauth.signOut(store)
    const error = await held
    expect(error).toMatchObject({ code: 'REAUTH_FAILED', message: 'The session ended before the operation ran', cause: null })
    expect(notSentBecause(error, reauth)).toBe('you signed out')
    expect(reauth.isPending()).toBe(false)
    expect(reauth.signedOut()).toBe(true)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
    expect(disconnects(provider)).toBe(1)
    // pressed again (a double click): the wallet is not asked again
    await reauth.signOut(store)
    expect(disconnects(provider)).toBe(1)
  })

  it('C6, C12: the Sign out is told until a session connects again, and a later Disconnect is none', async () => {
    const reauth = createReauthGate()
    const { store } = await transferHeldDuring((signal) => reauth.request(signal))
    const seen: boolean[] = []
    reauth.subscribe(() => seen.push(reauth.signedOut()))
    await reauth.signOut(store)
    expect(seen.at(-1)).toBe(true)
    await store.connect()
    expect(reauth.signedOut()).toBe(false)
    expect(seen.at(-1)).toBe(false)
    await store.disconnect()
    expect(reauth.signedOut()).toBe(false)
  })

  it('C6, C12, C13, M3: Sign out in one tab signs every tab out: the transfer held in the other was not sent — signed out; each tab asks its wallet to disconnect once', async () => {
    const { a, b, held } = await twoTabsHeld()
    expect(b.reauth.isPending()).toBe(true)
    await a.reauth.signOut(a.store)
    const [mine, theirs] = await Promise.all(held)
    expect(notSentBecause(mine, a.reauth)).toBe('you signed out')
    expect(notSentBecause(theirs, b.reauth)).toBe('signed out')
    await vi.waitFor(() => {
      expect(b.store.getSnapshot().status).toBe('disconnected')
    })
    expect(b.store.getSnapshot().lastError).toBeNull()
    expect(b.reauth.isPending()).toBe(false)
    expect(b.reauth.signedOut()).toBe(false)
    expect([disconnects(a.provider), disconnects(b.provider)]).toEqual([1, 1])
  })

  it('C12, C13: a re-auth that fails is a failure, for the transfer it held and for lastError', async () => {
    let fail: ((error: Error) => void) | undefined
    const { store, held } = await transferHeldDuring(
      () =>
        new Promise((_resolve, reject) => {
          fail = reject
        }),
    )
    fail?.(new Error('The wallet could not sign in'))
    const error = await held
    expect(error).toMatchObject({ code: 'REAUTH_FAILED', cause: { message: 'The wallet could not sign in' } })
    expect(notSentBecause(error, createReauthGate())).toBeNull()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED' } })
  })

  it('C6, C13: Disconnect while the prompt is open: the transfer it held was signed out meanwhile, not by the prompt, nor a failure', async () => {
    const reauth = createReauthGate()
    const { store, held } = await transferHeldDuring((signal) => reauth.request(signal))
    await store.disconnect()
    const error = await held
    expect(error).toMatchObject({ code: 'REAUTH_FAILED' })
    expect(isSignedOutMeanwhile(error)).toBe(true)
    expect(notSentBecause(error, reauth)).toBe('signed out')
    expect(reauth.isPending()).toBe(false)
  })

  it('C12, C13, M3: a failed re-auth, an expiry another tab told of, or any other error is no sign-out meanwhile', () => {
    const signedOut: Pick<ReauthGate, 'signedOut'> = { signedOut: () => true }
    const expired = new SessionError('The session ended before the operation ran', 'REAUTH_FAILED', new SessionError('The session expired', 'SESSION_EXPIRED'))
    for (const error of [null, undefined, 'REAUTH_FAILED', new Error('The session ended before the operation ran'), expired, new SessionError('Re-authentication failed', 'REAUTH_FAILED', new Error('x')), new SessionError('Reconnect cancelled', 'REAUTH_FAILED'), new SessionError('The session ended before the operation ran', 4900, null), { code: 'REAUTH_FAILED', message: 'The session ended before the operation ran' }]) {
      expect(isSignedOutMeanwhile(error)).toBe(false)
      expect(notSentBecause(error, signedOut)).toBeNull()
    }
  })
})
