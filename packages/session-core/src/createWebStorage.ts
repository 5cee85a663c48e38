import type { SessionStorage, WebStorageLike } from '@sessionlayer/session-crypto'
import { attempt } from './attempt'

/**
 * A `SessionStorage` over Web Storage (`localStorage` or `sessionStorage`), unencrypted: the
 * party id is readable by anyone who opens devtools; prefer the default encrypted storage, or
 * wrap this one with `createEncryptedStorage`. SSR-safe: a missing storage, or one that throws
 * (quota, privacy mode), makes the operation reject; nothing throws synchronously.
 *
 * @param storage - the Web Storage, or a function returning it (looked up at each operation)
 * @returns the storage
 * @example
 * ```ts
 * createSessionStore(provider, { storage: createWebStorage(() => globalThis.sessionStorage) })
 * ```
 * @public
 */
export function createWebStorage(storage: WebStorageLike | (() => WebStorageLike | undefined) | undefined): SessionStorage {
  const run = <T>(fn: (s: WebStorageLike) => T): Promise<T> =>
    attempt(() => {
      const s = typeof storage === 'function' ? storage() : storage
      if (!s) throw new Error('Web Storage is not available here')
      return fn(s)
    })
  return {
    getItem: (key) => run((s) => s.getItem(key)),
    setItem: (key, value) => run((s) => s.setItem(key, value)),
    removeItem: (key) => run((s) => s.removeItem(key)),
  }
}
