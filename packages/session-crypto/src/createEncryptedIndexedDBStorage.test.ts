import { forceCloseDatabase, IDBDatabase, IDBFactory, IDBObjectStore } from 'fake-indexeddb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEncryptedIndexedDBStorage } from './createEncryptedIndexedDBStorage'
import { createEncryptedLocalStorage } from './createEncryptedLocalStorage'
import { restoreSession } from './restoreSession'
import { createMemoryWebStorage, openRaw, readStore, writeRecord } from './test-storage'

const KEY = 'sessionlayer.session'
const ORIGIN = 'https://app.example'
const DB = `sessionlayer::${ORIGIN}`
const VALUE = JSON.stringify({ version: 1, account: { partyId: 'alice::1220ab' }, accounts: [{ partyId: 'alice::1220ab' }] })

const setup = (origin = ORIGIN) => {
  const indexedDB = new IDBFactory()
  return { indexedDB, storage: createEncryptedIndexedDBStorage({ indexedDB, origin }) }
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('createEncryptedIndexedDBStorage', () => {
  it('K4: round-trips across fresh storage instances', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    const fresh = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    await expect(fresh.getItem(KEY)).resolves.toBe(VALUE)
    await expect(fresh.getItem('absent')).resolves.toBeNull()
    await fresh.removeItem(KEY)
    await expect(storage.getItem(KEY)).resolves.toBeNull()
  })

  it('K4: keeps the key and the ciphertexts in the database sessionlayer::<origin> (stores keys, blobs)', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    const db = await openRaw(indexedDB, DB)
    expect([...db.objectStoreNames].sort()).toEqual(['blobs', 'keys'])
    const keys = await readStore(db, 'keys')
    const blobs = await readStore(db, 'blobs')
    db.close()
    expect([...keys.keys()]).toEqual(['key'])
    expect([...blobs.keys()]).toEqual([KEY])
    expect(blobs.get(KEY)).toMatch(/^sl1\.[A-Za-z0-9+/]{16}\.[A-Za-z0-9+/]+=*$/)
  })

  it('K4: the key is AES-GCM-256, non-extractable, and cannot be exported', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    const db = await openRaw(indexedDB, DB)
    const key = (await readStore(db, 'keys')).get('key') as CryptoKey
    db.close()
    expect(key).toBeInstanceOf(CryptoKey)
    expect(key.extractable).toBe(false)
    expect(key.algorithm).toEqual({ name: 'AES-GCM', length: 256 })
    expect([...key.usages].sort()).toEqual(['decrypt', 'encrypt'])
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow()
    await expect(crypto.subtle.exportKey('jwk', key)).rejects.toThrow()
  })

  it('K4: no plaintext party id in any stored blob; 25 writes of one value give 25 ciphertexts', async () => {
    const { indexedDB, storage } = setup()
    const db = await openRaw(indexedDB, DB, 1, (d) => {
      d.createObjectStore('keys')
      d.createObjectStore('blobs')
    })
    const seen = new Set<unknown>()
    for (let i = 0; i < 25; i++) {
      await storage.setItem(KEY, VALUE)
      const blob = (await readStore(db, 'blobs')).get(KEY)
      expect(typeof blob).toBe('string')
      expect(blob).not.toContain('alice')
      expect(blob).not.toContain('1220ab')
      seen.add(blob)
    }
    db.close()
    expect(seen.size).toBe(25)
  })

  it('K5: tampered, truncated, unknown-format and garbage blobs read as null and are removed', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    const db = await openRaw(indexedDB, DB)
    const blob = (await readStore(db, 'blobs')).get(KEY) as string
    const [, iv, data] = blob.split('.') as [string, string, string]
    const tampered = `sl1.${iv}.${data.startsWith('A') ? 'B' : 'A'}${data.slice(1)}`
    for (const value of [tampered, blob.slice(0, -6), `sl9.${iv}.${data}`, 'garbage', 42, { blob }, null]) {
      await writeRecord(db, 'blobs', KEY, value)
      await expect(storage.getItem(KEY)).resolves.toBeNull()
      expect((await readStore(db, 'blobs')).has(KEY)).toBe(false)
    }
    db.close()
  })

  it('K5: a blob swapped to another key reads as null and is removed', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem('a', VALUE)
    const db = await openRaw(indexedDB, DB)
    await writeRecord(db, 'blobs', 'b', (await readStore(db, 'blobs')).get('a'))
    await expect(storage.getItem('b')).resolves.toBeNull()
    expect([...(await readStore(db, 'blobs')).keys()]).toEqual(['a'])
    db.close()
    await expect(storage.getItem('a')).resolves.toBe(VALUE)
  })

  it('K5: after the key is rotated (another tab upgrades the database and drops the key), old blobs read as null and are removed', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    // The upgrade closes this tab's connection (versionchange) and deletes the key record.
    const db = await openRaw(indexedDB, DB, 2, (_, tx) => tx.objectStore('keys').delete('key'))
    db.close()
    const fresh = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    await expect(fresh.getItem(KEY)).resolves.toBeNull()
    await expect(storage.getItem(KEY)).resolves.toBeNull()
    const after = await openRaw(indexedDB, DB)
    expect((await readStore(after, 'blobs')).size).toBe(0)
    expect((await readStore(after, 'keys')).size).toBe(1)
    after.close()
    await storage.setItem(KEY, VALUE)
    await expect(fresh.getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K5/K6: removing an unreadable blob never deletes a value another tab wrote meanwhile', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, 'old')
    const db = await openRaw(indexedDB, DB)
    const blob = (await readStore(db, 'blobs')).get(KEY) as string
    await writeRecord(db, 'blobs', KEY, `${blob.slice(0, -4)}AAAA`) // tampered tag
    db.close()
    vi.resetModules()
    const other = (await import('./createEncryptedIndexedDBStorage')).createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    // the other tab writes while this tab is still failing to decrypt the tampered blob
    const decrypt = crypto.subtle.decrypt.bind(crypto.subtle)
    let written: Promise<unknown> | undefined
    vi.spyOn(crypto.subtle, 'decrypt').mockImplementation(async (...args) => {
      written ??= other.setItem(KEY, VALUE)
      await written
      return decrypt(...args)
    })
    await expect(storage.getItem(KEY)).resolves.toBeNull()
    vi.restoreAllMocks()
    await expect(other.getItem(KEY)).resolves.toBe(VALUE)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K5/K6: an unreadable blob is removed only if it is still the one read when the removal runs: a write another tab queued in between is kept', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    const db = await openRaw(indexedDB, DB)
    const fresh = (await readStore(db, 'blobs')).get(KEY) as string // what the other tab writes
    await writeRecord(db, 'blobs', KEY, `${fresh.slice(0, -4)}AAAA`) // tampered tag
    // The other tab's write is queued after this tab read the blob again, before its removal:
    // IndexedDB runs the two readwrite transactions in the order they were created.
    const transaction = IDBDatabase.prototype.transaction
    let written: Promise<void> | undefined
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      if (!written && this !== db && args[1] === 'readwrite') written = writeRecord(db, 'blobs', KEY, fresh)
      return transaction.apply(this, args)
    })
    await expect(storage.getItem(KEY)).resolves.toBeNull()
    expect(written).toBeDefined()
    await written
    vi.restoreAllMocks()
    expect((await readStore(db, 'blobs')).get(KEY)).toBe(fresh)
    db.close()
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })

  /**
   * A database whose key record is `record` (no usable key) and whose blob under KEY is a real
   * ciphertext of VALUE under another key, as a tab opening it finds it.
   */
  const corrupted = async (record: unknown) => {
    const other = new IDBFactory()
    await createEncryptedIndexedDBStorage({ indexedDB: other, origin: ORIGIN }).setItem(KEY, VALUE)
    const source = await openRaw(other, DB)
    const blob = (await readStore(source, 'blobs')).get(KEY)
    source.close()
    const indexedDB = new IDBFactory()
    const db = await openRaw(indexedDB, DB, 1, (d) => {
      d.createObjectStore('keys')
      d.createObjectStore('blobs')
    })
    await writeRecord(db, 'keys', 'key', record)
    await writeRecord(db, 'blobs', KEY, blob)
    return { indexedDB, db }
  }
  const aes = (length: number, extractable: boolean, usages: KeyUsage[] = ['encrypt', 'decrypt']) => crypto.subtle.generateKey({ name: 'AES-GCM', length }, extractable, usages)
  const unusable: [string, () => Promise<unknown>][] = [
    ['a string', async () => 'garbage'],
    ['null', async () => null],
    ['0', async () => 0],
    ['a plain object', async () => ({ type: 'secret', algorithm: { name: 'AES-GCM' } })],
    ['an extractable AES-GCM-256 key', () => aes(256, true)],
    ['an AES-GCM-128 key', () => aes(128, false)],
    ['an AES-GCM key that cannot encrypt', () => aes(256, false, ['decrypt'])],
    ['an AES-CBC key', () => crypto.subtle.generateKey({ name: 'AES-CBC', length: 256 }, false, ['encrypt', 'decrypt'])],
    ['an HMAC key', () => crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])],
  ]

  it('K4, K5, K7: a key record that is no usable key (corrupt, a string, extractable, of another algorithm) is replaced by a fresh non-extractable AES-GCM-256 key: a read answers null and removes what it cannot decrypt, a write is kept and reads back in another tab', async () => {
    for (const [what, make] of unusable) {
      const { indexedDB, db } = await corrupted(await make())
      const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
      await expect(storage.getItem(KEY), what).resolves.toBeNull()
      expect((await readStore(db, 'blobs')).has(KEY), what).toBe(false)
      await expect(storage.setItem(KEY, VALUE), what).resolves.toBeUndefined()
      await expect(storage.removeItem('other'), what).resolves.toBeUndefined()
      const key = (await readStore(db, 'keys')).get('key') as CryptoKey
      db.close()
      expect(key, what).toBeInstanceOf(CryptoKey)
      expect(key.extractable, what).toBe(false)
      expect(key.algorithm, what).toEqual({ name: 'AES-GCM', length: 256 })
      expect([...key.usages].sort(), what).toEqual(['decrypt', 'encrypt'])
      vi.resetModules()
      const tab = (await import('./createEncryptedIndexedDBStorage')).createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
      await expect(tab.getItem(KEY), what).resolves.toBe(VALUE)
    }
  })

  it('K6: first writes of two tabs racing over an unusable key record replace it with exactly one key and lose nothing', async () => {
    for (const [what, make] of unusable) {
      const { indexedDB, db } = await corrupted(await make())
      db.close()
      vi.resetModules()
      const other = (await import('./createEncryptedIndexedDBStorage')).createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
      const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
      await Promise.all([storage.setItem('a', 'from a'), other.setItem('b', 'from b')])
      await expect(storage.getItem('b'), what).resolves.toBe('from b')
      await expect(other.getItem('a'), what).resolves.toBe('from a')
    }
  })

  it('K6: concurrent first writes from several instances create exactly one key and lose nothing', async () => {
    const indexedDB = new IDBFactory()
    const storages = Array.from({ length: 8 }, () => createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN }))
    await Promise.all(storages.map((s, i) => s.setItem(`k${i}`, `${VALUE}#${i}`)))
    const reader = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    for (let i = 0; i < storages.length; i++) await expect(reader.getItem(`k${i}`)).resolves.toBe(`${VALUE}#${i}`)
    const db = await openRaw(indexedDB, DB)
    expect((await readStore(db, 'keys')).size).toBe(1)
    db.close()
  })

  it('K6: two independent copies of the module (as two tabs) racing on first writes share one stored key', async () => {
    const indexedDB = new IDBFactory()
    vi.resetModules()
    const other = await import('./createEncryptedIndexedDBStorage')
    expect(other.createEncryptedIndexedDBStorage).not.toBe(createEncryptedIndexedDBStorage)
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey')
    const a = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const b = other.createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    await Promise.all([a.setItem('a', 'from a'), b.setItem('b', 'from b')])
    expect(generateKey).toHaveBeenCalledTimes(2)
    await expect(a.getItem('b')).resolves.toBe('from b')
    await expect(b.getItem('a')).resolves.toBe('from a')
    const db = await openRaw(indexedDB, DB)
    expect((await readStore(db, 'keys')).size).toBe(1)
    db.close()
  })

  it('K6: the connection and key are opened once and reused across operations and instances', async () => {
    const indexedDB = new IDBFactory()
    const open = vi.spyOn(indexedDB, 'open')
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey')
    const a = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const b = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    await Promise.all([a.setItem('x', '1'), b.setItem('y', '2'), a.getItem('y'), b.removeItem('z')])
    await a.getItem('x')
    expect(open).toHaveBeenCalledTimes(1)
    expect(generateKey).toHaveBeenCalledTimes(1)
  })

  it('K6: a connection closed by another tab (versionchange) is reopened on next use', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    const db = await openRaw(indexedDB, DB, 5, (d) => d.createObjectStore('other'))
    db.close()
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    await storage.setItem('second', 'v')
    await expect(storage.getItem('second')).resolves.toBe('v')
  })

  it('K6: a write in flight when another tab upgrades the database is not lost', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, 'first')
    // another tab upgrades the database while this tab is encrypting its next write
    const encrypt = crypto.subtle.encrypt.bind(crypto.subtle)
    let upgraded: Promise<void> | undefined
    vi.spyOn(crypto.subtle, 'encrypt').mockImplementation(async (...args) => {
      upgraded ??= openRaw(indexedDB, DB, 2).then((db) => {
        db.close()
      })
      await upgraded
      return encrypt(...args)
    })
    await expect(storage.setItem(KEY, 'second')).resolves.toBeUndefined()
    vi.restoreAllMocks()
    await expect(storage.getItem(KEY)).resolves.toBe('second')
  })

  it('K6: after the database is deleted, the next write recreates it with a new key', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    await new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(DB)
      req.onsuccess = resolve
      req.onerror = reject
      req.onblocked = () => reject(new Error('the storage kept the database open'))
    })
    await expect(storage.getItem(KEY)).resolves.toBeNull()
    await storage.setItem(KEY, 'again')
    await expect(storage.getItem(KEY)).resolves.toBe('again')
  })

  it('K7: a transaction that never settles as the browser force-closes the connection (site data cleared) fails at the close event and runs again on a new connection: the storage never hangs', async () => {
    const { storage } = setup()
    await storage.setItem(KEY, 'first')
    // Chromium: a transaction made just before the close event neither completes nor aborts
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementationOnce(function (this: IDBDatabase) {
      // (fake-indexeddb types its argument as the IDBDatabase class)
      queueMicrotask(() => forceCloseDatabase(this as unknown as typeof IDBDatabase))
      return { objectStore: () => ({ put: () => ({}) }) } as unknown as IDBTransaction
    })
    await expect(storage.setItem(KEY, 'second')).resolves.toBeUndefined()
    vi.restoreAllMocks()
    await expect(storage.getItem(KEY)).resolves.toBe('second')
  })

  it('K6, K7: a write in flight as site data is cleared is not lost to the clearing: the first open after the forced close, which Chromium aborts while it still clears, is tried again', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, 'first')
    // Chromium: the transaction in flight neither completes nor aborts, the connection gets its
    // close event, and an open made at once fails with "AbortError: The connection was closed."
    // (the next one, a few ms later, succeeds)
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementationOnce(function (this: IDBDatabase) {
      // (fake-indexeddb types its argument as the IDBDatabase class)
      queueMicrotask(() => forceCloseDatabase(this as unknown as typeof IDBDatabase))
      vi.spyOn(indexedDB, 'open').mockImplementationOnce(() => {
        const aborted = { error: new DOMException('The connection was closed.', 'AbortError'), onerror: () => undefined }
        setTimeout(() => aborted.onerror())
        return aborted as unknown as IDBOpenDBRequest
      })
      return { objectStore: () => ({ put: () => ({}) }) } as unknown as IDBTransaction
    })
    await expect(storage.setItem(KEY, 'second')).resolves.toBeUndefined()
    vi.restoreAllMocks()
    await expect(storage.getItem(KEY)).resolves.toBe('second')
  })

  // The order the IndexedDB spec gives when site data is cleared: the connection is marked closing,
  // each running transaction aborts (with an AbortError; Chromium's backend gives an UnknownError),
  // then the connection gets the close event.
  const abortThenClose = (mode: IDBTransactionMode, error = 'AbortError', meanwhile?: () => void, closing = true) => {
    const transaction = IDBDatabase.prototype.transaction
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      const tx = transaction.apply(this, args)
      if (args[1] == mode) {
        vi.restoreAllMocks()
        // (fake-indexeddb types its argument as the IDBDatabase class)
        const db = this as unknown as typeof IDBDatabase & { _closePending: boolean }
        tx.addEventListener('abort', () =>
          queueMicrotask(() => {
            forceCloseDatabase(db)
            meanwhile?.()
          }),
        )
        // (fake-indexeddb aborts with an error only from inside)
        queueMicrotask(() => {
          db._closePending = closing
          ;(tx as unknown as { _abort: (name: string) => void })._abort(error)
        })
      }
      return tx
    })
  }

  it.each(['AbortError', 'UnknownError'])('K7: a transaction aborted (%s) before the forced close event, the spec\'s order when site data is cleared, runs again on a new connection, as after a close first', async (error) => {
    const { storage } = setup()
    await storage.setItem(KEY, 'first')
    abortThenClose('readwrite', error)
    await expect(storage.setItem(KEY, 'second')).resolves.toBeUndefined()
    await expect(storage.getItem(KEY)).resolves.toBe('second')
    abortThenClose('readonly', error)
    await expect(storage.getItem(KEY)).resolves.toBe('second')
  })

  it('K6, K7: as Chromium clears site data, a write in flight aborts with "UnknownError: Connection is closing because of: Force close delete origin" while the connection still takes new transactions, and gets its close event after: the write runs again on a new connection and is kept', async () => {
    const { storage } = setup()
    await storage.setItem(KEY, 'first')
    abortThenClose('readwrite', 'UnknownError', undefined, false)
    await expect(storage.setItem(KEY, 'second')).resolves.toBeUndefined()
    await expect(storage.getItem(KEY)).resolves.toBe('second')
  })

  it('K2, K6: restoreSession\'s removal of what it read, run again after a forced close, checks again: a session another tab wrote meanwhile is kept', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, 'other tab')
    const other = await openRaw(indexedDB, DB)
    const written = (await readStore(other, 'blobs')).get(KEY)
    await storage.setItem(KEY, VALUE)
    // the other tab writes between the close and the removal's second run
    abortThenClose('readwrite', 'AbortError', () => void writeRecord(other, 'blobs', KEY, written))
    // (VALUE is no valid envelope: restoreSession removes it)
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    await expect(storage.getItem(KEY)).resolves.toBe('other tab')
    other.close()
  })

  it('K7: a connection the browser lost without a close event (WebKit: every transaction throws "The database connection is closing") is dropped: the operation runs again on a new connection, and so do the next ones', async () => {
    const { storage } = setup()
    await storage.setItem(KEY, 'first')
    const transaction = IDBDatabase.prototype.transaction
    const lost = new Set<IDBDatabase>() // the connection in use
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      if (!lost.size) lost.add(this)
      if (lost.has(this)) throw new DOMException('The database connection is closing.', 'InvalidStateError')
      return transaction.apply(this, args)
    })
    await expect(storage.setItem(KEY, 'second')).resolves.toBeUndefined()
    await expect(storage.getItem(KEY)).resolves.toBe('second')
  })

  it('K6, K7: a lost connection found again by an operation that took it before it was replaced drops nothing but itself: the connection now in use stays in use', async () => {
    const indexedDB = new IDBFactory()
    const [a, b] = [createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN }), createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })]
    await a.setItem(KEY, 'first')
    const open = vi.spyOn(indexedDB, 'open')
    // b takes the connection in use, then encrypts until the test lets go
    const encrypt = crypto.subtle.encrypt.bind(crypto.subtle)
    let letGo!: () => void
    const held = new Promise<void>((resolve) => (letGo = resolve))
    const encrypting = vi.spyOn(crypto.subtle, 'encrypt').mockImplementationOnce(async (...args) => {
      await held
      return encrypt(...args)
    })
    const write = b.setItem('b', 'from b')
    await vi.waitFor(() => expect(encrypting).toHaveBeenCalledTimes(1))
    // meanwhile the browser loses that connection without a word (WebKit), and a finds it so first
    const transaction = IDBDatabase.prototype.transaction
    const lost = new Set<IDBDatabase>()
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      if (!lost.size) lost.add(this)
      if (lost.has(this)) throw new DOMException('The database connection is closing.', 'InvalidStateError')
      return transaction.apply(this, args)
    })
    await a.setItem(KEY, 'second')
    expect(open).toHaveBeenCalledTimes(1)
    // b's write finds the lost connection too: it runs again on the new one, not on a third
    letGo()
    await write
    expect(open).toHaveBeenCalledTimes(1)
    await expect(b.getItem(KEY)).resolves.toBe('second')
    await expect(a.getItem('b')).resolves.toBe('from b')
    expect(open).toHaveBeenCalledTimes(1)
  })

  it('K6, K7: a write that fails on a connection still open (quota) is not run again, and the connection stays in use', async () => {
    const indexedDB = new IDBFactory()
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    await storage.setItem(KEY, VALUE)
    const open = vi.spyOn(indexedDB, 'open')
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    })
    await expect(storage.setItem(KEY, 'bigger')).rejects.toMatchObject({ message: 'IndexedDB is unavailable', closed: false })
    expect(put).toHaveBeenCalledTimes(1)
    put.mockRestore()
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    expect(open).not.toHaveBeenCalled()
  })

  it('K6: an operation leaves no listener behind on the connection it used: a long-lived tab piles none up', async () => {
    const { storage } = setup()
    const listening = new Set<unknown>()
    const add = IDBDatabase.prototype.addEventListener
    const remove = IDBDatabase.prototype.removeEventListener
    vi.spyOn(IDBDatabase.prototype, 'addEventListener').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['addEventListener']>) {
      if (args[0] === 'close') listening.add(args[1])
      add.apply(this, args)
    })
    vi.spyOn(IDBDatabase.prototype, 'removeEventListener').mockImplementation(function (this: IDBDatabase, ...args: Parameters<IDBDatabase['removeEventListener']>) {
      if (args[0] === 'close') listening.delete(args[1])
      remove.apply(this, args)
    })
    for (let i = 0; i < 3; i++) {
      await storage.setItem(KEY, VALUE)
      await storage.getItem(KEY)
      await storage.removeItem('other')
    }
    expect(listening.size).toBe(0)
  })

  it('K6: a removal finds what is there in its own transaction: an entry another tab removed first is not deleted again, one that is there is deleted once', async () => {
    const { indexedDB, storage } = setup()
    const other = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    await storage.setItem(KEY, VALUE)
    const deletes = vi.spyOn(IDBObjectStore.prototype, 'delete')
    await other.removeItem(KEY)
    expect(deletes).toHaveBeenCalledTimes(1)
    await storage.removeItem(KEY)
    expect(deletes).toHaveBeenCalledTimes(1)
    expect(await storage.getItem(KEY)).toBeNull()
  })

  it('K4: different origins are isolated', async () => {
    const indexedDB = new IDBFactory()
    const a = createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://a.example' })
    const b = createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://b.example' })
    await a.setItem(KEY, 'from a')
    await expect(b.getItem(KEY)).resolves.toBeNull()
    await b.setItem(KEY, 'from b')
    await expect(a.getItem(KEY)).resolves.toBe('from a')
    // Even a blob copied into the other origin's database does not decrypt there.
    const dbA = await openRaw(indexedDB, 'sessionlayer::https://a.example')
    const dbB = await openRaw(indexedDB, 'sessionlayer::https://b.example')
    await writeRecord(dbB, 'blobs', KEY, (await readStore(dbA, 'blobs')).get(KEY))
    await expect(b.getItem(KEY)).resolves.toBeNull()
    dbA.close()
    dbB.close()
    expect((await indexedDB.databases()).map((d) => d.name).sort()).toEqual(['sessionlayer::https://a.example', 'sessionlayer::https://b.example'])
  })

  it('K4: the origin defaults to location.origin read at the first operation, else "null"', async () => {
    const indexedDB = new IDBFactory()
    const storage = createEncryptedIndexedDBStorage({ indexedDB })
    vi.stubGlobal('location', { origin: 'https://late.example' })
    await storage.setItem(KEY, VALUE)
    vi.unstubAllGlobals()
    await createEncryptedIndexedDBStorage({ indexedDB }).setItem(KEY, VALUE)
    expect((await indexedDB.databases()).map((d) => d.name).sort()).toEqual(['sessionlayer::https://late.example', 'sessionlayer::null'])
  })

  it('K7: without IndexedDB, creating never throws and every operation rejects with a clear error', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const storage = createEncryptedIndexedDBStorage()
    await expect(storage.getItem(KEY)).rejects.toThrow('IndexedDB is unavailable')
    await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('IndexedDB is unavailable')
    await expect(storage.removeItem(KEY)).rejects.toThrow('IndexedDB is unavailable')
  })

  it('K7: where reading indexedDB throws (storage denied in a sandboxed frame), operations reject with a clear error', async () => {
    const denied = new DOMException('access is denied for this document', 'SecurityError')
    vi.stubGlobal('indexedDB', undefined)
    Object.defineProperty(globalThis, 'indexedDB', {
      configurable: true,
      get: () => {
        throw denied
      },
    })
    for (const storage of [createEncryptedIndexedDBStorage({ origin: ORIGIN }), createEncryptedLocalStorage({ origin: ORIGIN, localStorage: createMemoryWebStorage() })]) {
      const error = await storage.setItem(KEY, VALUE).catch((e: unknown) => e)
      expect((error as Error).message).toBe('IndexedDB is unavailable')
      expect((error as Error).cause).toBe(denied)
      await expect(storage.getItem(KEY)).rejects.toThrow('IndexedDB is unavailable')
    }
  })

  it('K7: globals are read at the first operation, not when the storage is created', async () => {
    const reads: string[] = []
    for (const name of ['indexedDB', 'crypto', 'location']) {
      const value: unknown = (globalThis as Record<string, unknown>)[name]
      vi.stubGlobal(name, undefined)
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get: () => {
          reads.push(name)
          return name === 'indexedDB' ? new IDBFactory() : value
        },
      })
    }
    const storage = createEncryptedIndexedDBStorage()
    expect(reads).toEqual([])
    await storage.setItem(KEY, VALUE)
    expect(reads).toEqual(expect.arrayContaining(['indexedDB', 'crypto', 'location']))
  })

  it('K7: without crypto.subtle every operation rejects with a clear error', async () => {
    const storage = createEncryptedIndexedDBStorage({ indexedDB: new IDBFactory(), crypto: {} as Crypto })
    await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('WebCrypto (crypto.subtle) is unavailable')
    await expect(storage.getItem(KEY)).rejects.toThrow(/WebCrypto/)
  })

  it('K7: a blocked open rejects, with the original event as cause', async () => {
    const blocked = { type: 'blocked' }
    const indexedDB = {
      open: () => {
        const req = {} as IDBOpenDBRequest
        setTimeout(() => {
          req.onblocked?.(blocked as IDBVersionChangeEvent)
        })
        return req
      },
    } as unknown as IDBFactory
    const error = await createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN }).getItem(KEY).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe('IndexedDB is unavailable')
    expect((error as Error).cause).toBe(blocked)
  })

  it('K7: a failing open (private mode) rejects, and the next operation tries again', async () => {
    const real = new IDBFactory()
    let failures = 1
    const denied = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError')
    const indexedDB = {
      open: (name: string) => {
        if (failures-- > 0) throw denied
        return real.open(name)
      },
    } as unknown as IDBFactory
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const error = await storage.setItem(KEY, VALUE).catch((e: unknown) => e)
    expect((error as Error).message).toBe('IndexedDB is unavailable')
    expect((error as Error).cause).toBe(denied)
    await storage.setItem(KEY, VALUE)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K6, K7: an open that keeps being aborted (AbortError, as while Chromium clears site data) runs the operation again twice at most, then rejects with a clear error; the next operation opens anew', async () => {
    const real = new IDBFactory()
    let aborts = 5
    let opens = 0
    const indexedDB = {
      open: (name: string) => {
        opens++
        if (aborts-- <= 0) return real.open(name)
        const aborted = { error: new DOMException('The connection was closed.', 'AbortError'), onerror: () => undefined }
        setTimeout(() => aborted.onerror())
        return aborted as unknown as IDBOpenDBRequest
      },
    } as unknown as IDBFactory
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const error = await storage.setItem(KEY, VALUE).catch((e: unknown) => e)
    expect((error as Error).message).toBe('IndexedDB is unavailable')
    expect((error as Error).cause).toMatchObject({ name: 'AbortError' })
    expect(opens).toBe(3)
    aborts = 0
    await storage.setItem(KEY, VALUE)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    expect(opens).toBe(4)
  })

  it('K7: a key that cannot be stored (quota) rejects each operation and leaves no connection open behind it', async () => {
    const real = new IDBFactory()
    const connections: IDBDatabase[] = []
    const indexedDB = {
      open: (name: string) => {
        const req = real.open(name)
        req.addEventListener('success', () => connections.push(req.result))
        return req
      },
    } as unknown as IDBFactory
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quota
    })
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    for (let i = 0; i < 3; i++) await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('IndexedDB is unavailable')
    expect(connections).toHaveLength(3)
    // a closed connection refuses new transactions: none of the failed ones is left open
    for (const db of connections) expect(() => db.transaction('keys')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    vi.restoreAllMocks()
    await storage.setItem(KEY, VALUE)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K7: a quota error on write rejects with the original error as cause', async () => {
    const { storage } = setup()
    await storage.setItem(KEY, VALUE)
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw quota
    })
    const error = await storage.setItem(KEY, 'bigger').catch((e: unknown) => e)
    expect((error as Error).message).toBe('IndexedDB is unavailable')
    expect((error as Error).cause).toBe(quota)
    vi.restoreAllMocks()
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })
})

describe('an IndexedDB open that never answers (Safari 14.1 on a first load, some private modes, a versionchange never ended)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /**
   * A factory whose first open returns a request that fires nothing until `answer()`, which then
   * opens `real` and passes its events on; every later open is `real`'s own.
   */
  const hanging = (real = new IDBFactory()) => {
    const hung = {} as { -readonly [K in keyof IDBOpenDBRequest]?: IDBOpenDBRequest[K] }
    const opens: string[] = []
    let name = ''
    const indexedDB = {
      open: (db: string) => {
        opens.push(db)
        if (opens.length > 1) return real.open(db)
        name = db
        return hung
      },
    } as unknown as IDBFactory
    /** The hung open answers at last: its upgrade, then its success; resolves with the database it opened. */
    const answer = () =>
      new Promise<IDBDatabase>((resolve) => {
        const req = real.open(name)
        Object.defineProperty(hung, 'result', { get: () => req.result })
        req.onupgradeneeded = (event) => {
          hung.onupgradeneeded?.call(hung as IDBOpenDBRequest, event)
        }
        req.onsuccess = (event) => {
          hung.onsuccess?.call(hung as IDBOpenDBRequest, event)
          resolve(req.result)
        }
      })
    return { indexedDB, real, hung, opens, answer }
  }
  const ticks = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  }

  it('K7: an open unanswered for 10 s fails its operation with a clear error, and the next operation opens anew', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { indexedDB, opens } = hanging()
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    let failure: unknown
    void storage.setItem(KEY, VALUE).catch((e: unknown) => (failure = e))
    await vi.advanceTimersByTimeAsync(9_999)
    expect(failure).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    await ticks()
    expect((failure as Error | undefined)?.message).toBe('IndexedDB is unavailable')
    expect(((failure as Error).cause as Error).message).toBe('IndexedDB did not answer within 10000 ms')
    vi.useRealTimers()
    await storage.setItem(KEY, VALUE)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    expect(opens).toHaveLength(2)
  })

  it('K7: a hung open that answers late is closed at once and never used; its late upgrade does no harm', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { indexedDB, real, opens, answer } = hanging()
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const write = storage.setItem(KEY, VALUE).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await write).toBeInstanceOf(Error)
    vi.useRealTimers()
    const late = await answer()
    // closed: a closed connection refuses new transactions
    expect(() => late.transaction('keys')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    // its upgrade made the database as the storage makes it: the next operation opens and uses it
    await storage.setItem(KEY, VALUE)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    expect(opens).toHaveLength(2)
    const db = await openRaw(real, DB)
    expect([...db.objectStoreNames].sort()).toEqual(['blobs', 'keys'])
    db.close()
  })

  it('K7: a blocked open that goes through later is closed, not left open', async () => {
    const { indexedDB, hung, answer } = hanging()
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const write = storage.setItem(KEY, VALUE).catch((e: unknown) => e)
    await ticks()
    // another tab holds the database in a versionchange, then lets it go
    const blocked = { type: 'blocked' } as IDBVersionChangeEvent
    hung.onblocked?.call(hung as IDBOpenDBRequest, blocked)
    expect(((await write) as Error).cause).toBe(blocked)
    const late = await answer()
    expect(() => late.transaction('keys')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
  })

  it('C14: a blocked open clears its timer as it fails: none is left to fire', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { indexedDB, hung } = hanging()
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const write = storage.setItem(KEY, VALUE).catch((e: unknown) => e)
    await ticks()
    expect(vi.getTimerCount()).toBe(1)
    hung.onblocked?.call(hung as IDBOpenDBRequest, { type: 'blocked' } as IDBVersionChangeEvent)
    expect(await write).toBeInstanceOf(Error)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C14: the bound arms one timer that keeps no Node process alive, cleared once the open answers', async () => {
    const timeouts = vi.spyOn(globalThis, 'setTimeout')
    const clears = vi.spyOn(globalThis, 'clearTimeout')
    const { storage } = setup()
    await storage.setItem(KEY, VALUE)
    const armed = timeouts.mock.results.filter((r) => r.type == 'return').map((r): NodeJS.Timeout => r.value)
    expect(armed).toHaveLength(1)
    expect(armed[0]?.hasRef()).toBe(false)
    expect(clears).toHaveBeenCalledWith(armed[0])
    timeouts.mockRestore()
    clears.mockRestore()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const hung = createEncryptedIndexedDBStorage({ indexedDB: hanging().indexedDB, origin: ORIGIN })
    const write = hung.setItem(KEY, VALUE).catch(() => undefined)
    await ticks()
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(10_000)
    await write
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('a database of a later release (a deploy or a rollback: tabs of two releases share it)', () => {
  it('K4, K7: a database a later release upgraded to a higher version, keeping the stores, is used as it is (opened at its own version: never a VersionError)', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, VALUE)
    // the later release opens at version 3 and adds a store while this tab's connection is open
    const db = await openRaw(indexedDB, DB, 3, (d) => d.createObjectStore('audit'))
    db.close()
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    const fresh = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    await fresh.setItem('other', VALUE)
    await expect(fresh.getItem('other')).resolves.toBe(VALUE)
    const after = await openRaw(indexedDB, DB)
    expect(after.version).toBe(3)
    expect([...after.objectStoreNames].sort()).toEqual(['audit', 'blobs', 'keys'])
    after.close()
  })

  it('K7: a database a later release laid out anew (no `keys` or `blobs` store) rejects every operation with the clear unavailable error and is left untouched', async () => {
    const indexedDB = new IDBFactory()
    const db = await openRaw(indexedDB, DB, 2, (d) => d.createObjectStore('vault'))
    await writeRecord(db, 'vault', KEY, 'the later release\'s entry')
    db.close()
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    for (const operation of [() => storage.getItem(KEY), () => storage.setItem(KEY, VALUE), () => storage.removeItem(KEY)]) {
      const error = (await operation().catch((e: unknown) => e)) as Error
      expect(error.message).toBe('IndexedDB is unavailable')
      expect((error.cause as DOMException).name).toBe('NotFoundError')
    }
    const after = await openRaw(indexedDB, DB)
    expect(after.version).toBe(2)
    expect([...after.objectStoreNames]).toEqual(['vault'])
    expect([...(await readStore(after, 'vault')).values()]).toEqual(['the later release\'s entry'])
    after.close()
  })
})
