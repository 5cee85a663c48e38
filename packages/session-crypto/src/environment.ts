import type { IndexedDBFactoryLike, WebCryptoLike, WebStorageLike } from './types'

/**
 * The browser globals this package may use, each possibly missing (Node, SSR, old browsers):
 * `(globalThis as Globals)`, read only inside operations, never at import time. (A type, not a
 * variable holding `globalThis`: a bundle then needs no variable of its own for it.)
 * @internal
 */
export type Globals = {
  crypto?: WebCryptoLike
  indexedDB?: IndexedDBFactoryLike
  localStorage?: WebStorageLike
  location?: { origin?: string }
}

/**
 * An error saying what is unavailable, with the original failure as `cause` (SPEC K7).
 * @param what - the missing or failing facility
 * @param cause - the original error
 * @returns the error
 * @internal
 */
export const unavailable = (what: string, cause?: unknown): Error =>
  Error(`${what} is unavailable`, { cause })
