/**
 * The re-auth prompt as a tiny external store: `request()` is the store's `onReauthRequired`
 * hook (it resolves when the user signs in again, rejects when they decline), and the UI reads
 * `isPending()` to show the prompt.
 */
export interface ReauthGate {
  /**
   * Waits for the user; the store re-authenticates when it resolves. `signal` (the hook's) aborts
   * when the store stops waiting — another tab signed in again, or the session ended: the prompt goes away.
   */
  readonly request: (signal?: AbortSignal) => Promise<void>
  /** The user signed in again. */
  readonly confirm: () => void
  /** The user declined: the store disconnects. */
  readonly decline: () => void
  /** Whether the prompt is showing. */
  readonly isPending: () => boolean
  /** Calls `listener` whenever the prompt shows or hides. */
  readonly subscribe: (listener: () => void) => () => void
}

/**
 * Why the prompt's hook rejects when the user chose Sign out: the store then ends the session with
 * `REAUTH_FAILED` and this error as its `cause`, which {@link isSignOut} tells from a failure.
 */
export class SignedOut extends Error {
  constructor() {
    super('The user declined to sign in again')
    this.name = 'SignedOut'
  }
}

/**
 * Whether a session's `lastError`, or the rejection of an op `enqueue`d during the re-auth, is the
 * user's own choice to sign out in the re-auth prompt rather than a re-authentication that failed.
 * @param error - the store's `lastError`, or what an `enqueue` rejected with
 * @returns true for a sign-out
 */
export const isSignOut = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'REAUTH_FAILED' && 'cause' in error && error.cause instanceof SignedOut

/**
 * Whether the rejection of an op `enqueue`d during the re-auth tells that the session was signed out
 * meanwhile, outside the prompt (the user's Disconnect, or a sign-out in another tab), rather than a
 * failure: the store rejects it with `REAUTH_FAILED`, message `'Disconnected'` and a `null` cause. An
 * expiry another tab told of (its `SESSION_EXPIRED` error as the cause) is none.
 * @param error - what an `enqueue` rejected with
 * @returns true for a sign-out during the re-auth
 */
export const isSignedOutMeanwhile = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === 'REAUTH_FAILED' && 'message' in error && error.message === 'Disconnected' && 'cause' in error && error.cause === null

/**
 * Creates the re-auth prompt.
 * @returns the gate
 */
export function createReauthGate(): ReauthGate {
  let pending: { resolve: () => void; reject: (error: Error) => void } | null = null
  const listeners = new Set<() => void>()
  const settle = () => {
    const current = pending
    pending = null
    for (const listener of listeners) listener()
    return current
  }
  return {
    request: (signal) =>
      new Promise<void>((resolve, reject) => {
        settle()?.reject(new Error('A newer re-auth prompt replaced this one'))
        const mine = { resolve, reject }
        pending = mine
        for (const listener of listeners) listener()
        signal?.addEventListener('abort', () => {
          if (pending === mine) settle()?.reject(new Error('The store no longer waits for this prompt'))
        })
      }),
    confirm: () => settle()?.resolve(),
    decline: () => settle()?.reject(new SignedOut()),
    isPending: () => pending !== null,
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
