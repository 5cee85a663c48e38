import { createMemoryStorage, createSessionStore, SessionError, type SessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createReauthGate, isSignedOutMeanwhile, isSignOut, SignedOut } from './reauthGate'

const stores: SessionStore[] = []

afterEach(() => {
  for (const store of stores.splice(0)) store.destroy()
})

/**
 * A session that expires into `hook` (the prompt's, unless another is given), and a transfer
 * enqueued while the hook waits.
 */
async function transferHeldDuring(hook: (signal: AbortSignal) => Promise<void>) {
  const store = createSessionStore(createMockProvider(), {
    storage: createMemoryStorage(),
    expiry: { ttlMs: 20, onReauthRequired: ({ signal }) => hook(signal) },
  })
  stores.push(store)
  await store.connect()
  await vi.waitFor(() => {
    expect(store.getSnapshot().status).toBe('reconnecting')
  })
  const held = store.enqueue(() => 'signed').then(
    () => null,
    (e: unknown) => e,
  )
  return { store, held }
}

describe('the re-auth prompt', () => {
  it('C12, C13: Sign out in the prompt: the transfer it held and lastError both tell the user signed out', async () => {
    const reauth = createReauthGate()
    const { store, held } = await transferHeldDuring((signal) => reauth.request(signal))
    expect(reauth.isPending()).toBe(true)
    reauth.decline()
    const error = await held
    expect(error).toMatchObject({ code: 'REAUTH_FAILED' })
    expect(isSignOut(error)).toBe(true)
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(isSignOut(store.getSnapshot().lastError)).toBe(true)
  })

  it('C12, C13: a re-auth that fails for another reason is no sign-out, for the transfer nor for lastError', async () => {
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
    expect(isSignOut(error)).toBe(false)
    expect(store.getSnapshot().lastError?.code).toBe('REAUTH_FAILED')
    expect(isSignOut(store.getSnapshot().lastError)).toBe(false)
  })

  it('C6, C13: Disconnect while the prompt is open: the transfer it held was signed out meanwhile, not a sign-out in the prompt nor a failure', async () => {
    const reauth = createReauthGate()
    const { store, held } = await transferHeldDuring((signal) => reauth.request(signal))
    await store.disconnect()
    const error = await held
    expect(error).toMatchObject({ code: 'REAUTH_FAILED' })
    expect(isSignedOutMeanwhile(error)).toBe(true)
    expect(isSignOut(error)).toBe(false)
    expect(reauth.isPending()).toBe(false)
  })

  it('C12, C13, M3: a prompt Sign out, a failed re-auth or an expiry another tab told of is no sign-out meanwhile', async () => {
    const reauth = createReauthGate()
    const { held } = await transferHeldDuring((signal) => reauth.request(signal))
    reauth.decline()
    expect(isSignedOutMeanwhile(await held)).toBe(false)
    const expired = new SessionError('Disconnected', 'REAUTH_FAILED', new SessionError('The session expired', 'SESSION_EXPIRED'))
    for (const error of [null, undefined, expired, new SessionError('Re-authentication failed', 'REAUTH_FAILED', new Error('x')), new SessionError('Reconnect cancelled', 'REAUTH_FAILED'), new SessionError('Disconnected', 4900, null), { code: 'REAUTH_FAILED', message: 'Disconnected' }]) {
      expect(isSignedOutMeanwhile(error)).toBe(false)
    }
  })

  it('C12, C13: what is not a REAUTH_FAILED error with a SignedOut cause is no sign-out', () => {
    for (const error of [null, undefined, 'REAUTH_FAILED', 4001, new Error('x'), { code: 'REAUTH_FAILED' }, { code: 'REAUTH_FAILED', cause: new Error('x') }, { code: 4001, cause: null }, { code: 4001, cause: new SignedOut() }, new SignedOut()]) {
      expect(isSignOut(error)).toBe(false)
    }
  })
})
