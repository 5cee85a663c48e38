import type { SessionStore } from '@sessionlayer/session-core'

/** What the prompt's Sign out uses of the store: its `disconnect`, and its status to forget the choice by. */
export type SignOutStore = Pick<SessionStore, 'disconnect' | 'getSnapshot' | 'subscribe'>

/**
 * The re-auth prompt as a tiny external store: `request()` is the store's `onReauthRequired`
 * hook (it resolves when the user signs in again), and the UI reads `isPending()` to show the
 * prompt and `signedOut()` to tell the user's Sign out from a failure.
 */
export interface ReauthGate {
  /**
   * Waits for the user; the store re-authenticates when it resolves. `signal` (the hook's) aborts
   * when the store stops waiting — another tab signed in again, or the session ended (Sign out
   * included): the prompt goes away.
   */
  readonly request: (signal?: AbortSignal) => Promise<void>
  /** The user signed in again. */
  readonly confirm: () => void
  /**
   * The user chose Sign out: `store.disconnect()`, as the Disconnect button — the wallet is asked to
   * disconnect, every tab is signed out, and the store, no longer waiting, closes the prompt. The
   * choice is remembered ({@link ReauthGate.signedOut}) until a session is connecting or connected again.
   */
  readonly signOut: (store: SignOutStore) => Promise<void>
  /** Whether the session ended by the user's Sign out in this tab's prompt, and was not connected since. */
  readonly signedOut: () => boolean
  /** Whether the prompt is showing. */
  readonly isPending: () => boolean
  /** Calls `listener` whenever the prompt shows or hides, or `signedOut()` changes. */
  readonly subscribe: (listener: () => void) => () => void
}

/**
 * Whether the rejection of an op `enqueue`d during the re-auth tells that the session was signed
 * out meanwhile — Sign out in the prompt, the user's Disconnect, or a sign-out in another tab —
 * rather than a failure: the store rejects it with `REAUTH_FAILED` and a `null` cause (the message,
 * `'The session ended before the operation ran'`, is for people; the code and the cause are for
 * code). An expiry another tab told of (its `SESSION_EXPIRED` error as the cause) is none.
 * @param error - what an `enqueue` rejected with
 * @returns true for a sign-out during the re-auth
 */
export const isSignedOutMeanwhile = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'REAUTH_FAILED' && 'cause' in error && error.cause === null

/**
 * Why an op `enqueue`d during the re-auth was not sent, when that was no failure: the user chose
 * Sign out in this tab's prompt, or the session was signed out otherwise meanwhile.
 * @param error - what the `enqueue` rejected with
 * @param gate - this tab's prompt
 * @returns `'you signed out'`, `'signed out'`, or `null` for a failure
 */
export const notSentBecause = (error: unknown, gate: Pick<ReauthGate, 'signedOut'>): 'you signed out' | 'signed out' | null =>
  isSignedOutMeanwhile(error) ? (gate.signedOut() ? 'you signed out' : 'signed out') : null

/**
 * Creates the re-auth prompt.
 * @returns the gate
 */
export function createReauthGate(): ReauthGate {
  let pending: { resolve: () => void; reject: (error: Error) => void } | null = null
  let signedOut = false
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const listener of listeners) listener()
  }
  const settle = () => {
    const current = pending
    pending = null
    notify()
    return current
  }
  return {
    request: (signal) =>
      new Promise<void>((resolve, reject) => {
        settle()?.reject(new Error('A newer re-auth prompt replaced this one'))
        const mine = { resolve, reject }
        pending = mine
        notify()
        signal?.addEventListener('abort', () => {
          if (pending === mine) settle()?.reject(new Error('The store no longer waits for this prompt'))
        })
      }),
    confirm: () => settle()?.resolve(),
    signOut: (store) => {
      // a second Sign out (a double click) asks the wallet nothing more: the session has ended
      if (signedOut) return Promise.resolve()
      signedOut = true
      // told for as long as the session stays ended: a connect (here, in another tab, a restore) forgets it
      const stop = store.subscribe(() => {
        const { status } = store.getSnapshot()
        if (status !== 'connecting' && status !== 'connected') return
        stop()
        signedOut = false
        notify()
      })
      notify()
      return store.disconnect()
    },
    signedOut: () => signedOut,
    isPending: () => pending !== null,
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
