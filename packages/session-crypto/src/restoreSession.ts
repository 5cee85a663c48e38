import { CHECKS, type BaseStorage } from './createEncryptedStorage'
import { decodeSessionEnvelope } from './decodeSessionEnvelope'
import type { SessionEnvelope, SessionStorage } from './types'

/**
 * Reads the persisted session (SPEC K2). Resolves null — never rejects — when the entry is
 * absent or the storage throws; resolves null and removes the entry when it is corrupt, of an
 * unknown version, or expired (`expiresAt <= now`), unless a new value was written meanwhile (the
 * encrypted storages check that in the removal itself, so even one written just before it is
 * kept). A failing removal is ignored.
 *
 * @param storage - where the envelope lives
 * @param key - its storage key
 * @param now - the current time (ms since epoch); the clock's when it is no finite number
 * @returns the envelope, or null
 * @example
 * ```ts
 * const session = await restoreSession(createEncryptedIndexedDBStorage(), 'sessionlayer.session')
 * ```
 * @public
 */
export async function restoreSession(
  storage: SessionStorage,
  key: string,
  now: number = Date.now(),
): Promise<SessionEnvelope | null> {
  // a `now` that is no finite number (NaN, a string, null) is no time to expire at: the clock's
  if (!Number.isFinite(now)) now = Date.now()
  try {
    const text = await storage.getItem(key)
    // undefined too (idb-keyval's get, a Map): absent, nothing to remove
    if (text == null) return null
    const envelope = decodeSessionEnvelope(text)
    if (envelope && (envelope.expiresAt ?? Infinity) > now) return envelope
    // only this entry: a session written since it was read is kept, also one written between this
    // check and the removal where the storage checks again as it removes (the encrypted ones do)
    // (any other storage is given the key alone, see CHECKS)
    // One that is no string (a custom storage that answers a new object at each read) is no session
    // of any tab: it goes too.
    const base: BaseStorage = storage
    const held: unknown = await storage.getItem(key)
    if (held === text || (held != null && typeof held != 'string')) await (base[CHECKS] ? base.removeItem(key, text) : storage.removeItem(key))
  } catch {
    // an unavailable storage reads as no session; a failed removal is retried next time
  }
  return null
}
