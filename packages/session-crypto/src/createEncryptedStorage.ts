import { fromBase64, toBase64 } from './base64'
import { type Globals, unavailable } from './environment'
import type { CryptoKeyLike, SessionStorage, WebCryptoLike } from './types'

/**
 * Options shared by the encrypted storages.
 * @public
 */
export interface EncryptionOptions {
  /**
   * The origin that ciphertexts (and database and blob names) are bound to. Default:
   * `globalThis.location.origin`, read at the first operation, else `'null'`.
   */
  origin?: string | undefined
  /** The WebCrypto implementation. Default: `globalThis.crypto`, read at each operation. */
  crypto?: WebCryptoLike | undefined
}

/**
 * Options of {@link createEncryptedStorage}.
 * @public
 */
export interface CreateEncryptedStorageOptions extends EncryptionOptions {
  /** The AES-GCM-256 key (ideally non-extractable) that encrypts every value. */
  key: CryptoKeyLike
}

/**
 * A storage whose `removeItem` may be given the value the entry is expected to hold: one that can
 * check it in the removal's own step (the IndexedDB base, in one transaction; the encrypted
 * storages, down to their base) removes the entry only if it still holds it; any other storage
 * ignores it. The encrypted storages give their base, when an unreadable blob is removed, that
 * blob; restoreSession gives a storage the value it read.
 * @internal
 */
export interface BaseStorage extends SessionStorage {
  /** Removes `key`; with `value`, only while it still holds that value, where the storage can tell. */
  removeItem(key: string, value?: string): Promise<unknown>
  /** Set on the encrypted storages: only their `removeItem` is given a value (see {@link CHECKS}). */
  [CHECKS]?: 1
}

/**
 * Marks a storage whose `removeItem(key, value)` removes the entry only while it holds `value`.
 * Any other storage is given the key alone: a second argument may mean something else to it
 * (localforage's and many a callback-style store's callback), which then fails.
 * `Symbol.for`, so that session-core and separate copies of this package agree.
 * @internal
 */
export const CHECKS = Symbol.for('sessionlayer.checks')

/** Resolves, for one operation, the storage holding the ciphertexts and the AES key. @internal */
export type OpenEncryptedStorage = (crypto: WebCryptoLike, origin: string) => Promise<readonly [BaseStorage, CryptoKeyLike]>


/**
 * The AES-GCM envelope around a base storage: a fresh random 12-byte IV per write, and
 * additional authenticated data binding each ciphertext to its origin and storage key.
 * The environment is resolved at each operation, never before: the origin once, WebCrypto each
 * time (a missing `crypto.subtle` rejects the operation). Operations run one after another in
 * call order, so a removal issued after a write is never overtaken by the slower encryption.
 *
 * @param options - origin and WebCrypto overrides
 * @param open - resolves the base storage and the key
 * @returns the encrypting storage
 * @internal
 */
export function encryptStorage(options: EncryptionOptions, open: OpenEncryptedStorage): BaseStorage {
  let origin: string | undefined
  let last: Promise<unknown> = Promise.resolve()
  /**
   * Runs `task` for `key` once every operation called before it has settled, with the
   * environment resolved then.
   */
  const run = <T>(
    key: string,
    task: (base: BaseStorage, decrypt: (blob: string | null) => Promise<string | null>, encrypt: (value: string) => Promise<string>) => Promise<T>,
  ): Promise<T> => {
    const operation = async () => {
      const crypto = options.crypto ?? (globalThis as Globals).crypto
      if (!crypto?.subtle) throw unavailable('WebCrypto (crypto.subtle)')
      origin ??= options.origin ?? (globalThis as Globals).location?.origin ?? 'null'
      // AES-GCM with the additional data that binds a ciphertext to its origin and storage key
      const algorithm = { name: 'AES-GCM' as const, additionalData: new TextEncoder().encode(JSON.stringify(['sessionlayer:v1', origin, key])) }
      const [base, cryptoKey] = await open(crypto, origin)
      return task(
        base,
        /**
         * The plaintext of `blob`; null when there is none, or it is unreadable (wrong or rotated key,
         * tampered or swapped ciphertext, bad base64), whatever error the WebCrypto implementation gives.
         * A key that cannot decrypt at all (no `decrypt` usage, another algorithm, no CryptoKey) says
         * nothing of the value: that read fails (K7). A leading U+FEFF is part of the value, not a byte
         * order mark to drop.
         */
        async (blob) => {
          // `sl1.<base64 12-byte IV>.<base64 ciphertext and 16-byte tag>`; anything else is corrupt
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- exec reads null as "null", which is no ciphertext
          const [, iv, data] = /^sl1\.([\w+/]{16})\.([\w+/]{22,}=*)$/.exec(blob!) ?? []
          try {
            // a match has both parts, no match neither
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- see above
            if (iv) return new TextDecoder(undefined, { ignoreBOM: true }).decode(await crypto.subtle.decrypt({ ...algorithm, iv: fromBase64(iv) }, cryptoKey, fromBase64(data!)))
          } catch (error) {
            if (cryptoKey.algorithm.name != 'AES-GCM' || !cryptoKey.usages.includes('decrypt')) throw error
          }
          return null
        },
        // the ciphertext of `value`, under a fresh random 12-byte IV
        async (value) => {
          const iv = crypto.getRandomValues(new Uint8Array(12))
          const data = await crypto.subtle.encrypt({ ...algorithm, iv }, cryptoKey, new TextEncoder().encode(value))
          return `sl1.${toBase64(iv)}.${toBase64(data)}`
        },
      )
    }
    // A connection closed under a running operation (another tab upgraded or deleted the
    // database) is reopened when the operation runs again: it encrypts again under whatever key is
    // current, so the write is not lost (K6). Twice at most: as it clears site data, Chromium
    // aborts the first open after its forced close too (K7).
    const again = (error: unknown) => {
      if ((error as { closed?: boolean } | null | undefined)?.closed) return operation()
      throw error
    }
    const result = last.then(operation).catch(again).catch(again)
    last = result.catch(() => undefined)
    return result
  }
  return {
    // CHECKS: Symbol.for gives that very symbol, with no module variable in a bundle
    [Symbol.for('sessionlayer.checks')]: 1,
    getItem: (key) =>
      run(key, async (base, decrypt) => {
        const blob = await base.getItem(key)
        // undefined too (idb-keyval's get, a Map): absent, not unreadable, so nothing is removed
        if (blob == null) return null
        const value = await decrypt(blob)
        if (value !== null) return value
        try {
          // only this blob: every base checks it again in the removal's own step, so a value another
          // tab wrote since it was read is not lost (K6)
          await base.removeItem(key, blob)
        } catch {
          // K5: the read still answers null. A base that cannot write now (a server cookie adapter
          // after the headers went out) leaves the entry; the next read finds it unreadable again.
        }
        return null
      }),
    setItem: (key, value) =>
      run(key, async (base, _, encrypt) => {
        await base.setItem(key, await encrypt(value))
      }),
    // With `value` (restoreSession gives what it read), only while the entry still decrypts to it,
    // and, where the base checks as it removes, still holds that ciphertext: a session another tab
    // wrote meanwhile is kept (K2, K6).
    removeItem: (key, value?: string) =>
      run(key, async (base, decrypt) => {
        const blob = value === undefined ? undefined : await base.getItem(key)
        if (blob === undefined || (await decrypt(blob)) === value) await base.removeItem(key, blob as string | undefined)
      }),
  }
}

/**
 * Wraps any `SessionStorage` (cookie, Web Storage, a server-side store) with the AES-GCM-256
 * envelope of the encrypted backends, under a key the caller supplies (SPEC K8).
 *
 * @remarks
 *
 * Values are stored as `sl1.<iv>.<ciphertext>` (base64).
 *
 * A value that fails to decrypt reads as null and is removed (SPEC K5). That is a value under the
 * wrong key, tampered, copied from another key or origin, or of an unknown format. It still reads
 * as null when the base storage fails to remove it.
 *
 * A key that cannot decrypt at all (without the `decrypt` usage, of another algorithm) rejects the
 * read and removes nothing.
 *
 * Nothing throws synchronously: a missing `crypto.subtle` rejects the operation.
 *
 * @param base - the storage that holds the ciphertexts
 * @param options - the key, and optionally the origin and WebCrypto implementation
 * @returns the encrypting storage
 * @example
 * ```ts
 * const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
 * const storage = createEncryptedStorage(createCookieStorage({ name: 'sl' }), { key })
 * ```
 * @public
 */
export function createEncryptedStorage(base: SessionStorage, options: CreateEncryptedStorageOptions): SessionStorage {
  // The base is given the key alone as it removes (see CHECKS). With a blob, only that blob: read
  // again right before the removal, as the decryption before it gave another tab time to write (K6).
  const own: BaseStorage = {
    getItem: (k) => base.getItem(k),
    setItem: (k, v) => base.setItem(k, v),
    removeItem: async (k, blob) => {
      if (blob === undefined || (await base.getItem(k)) === blob) await base.removeItem(k)
    },
  }
  return encryptStorage(options, () => Promise.resolve([own, options.key]))
}
