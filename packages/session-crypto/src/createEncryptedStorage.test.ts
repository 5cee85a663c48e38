import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEncryptedStorage } from './createEncryptedStorage'
import { restoreSession } from './restoreSession'
import { createCallbackStorage, createMapStorage } from './test-storage'
import type { SessionStorage } from './types'

const KEY = 'sessionlayer.session'
const VALUE = '{"version":1,"account":{"partyId":"alice::1220ab"}}'
const newKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('createEncryptedStorage', () => {
  it('K8: round-trips through any SessionStorage, storing only sl1 ciphertexts', async () => {
    const base = createMapStorage()
    const key = await newKey()
    await createEncryptedStorage(base, { key, origin: 'https://app.example' }).setItem(KEY, VALUE)
    const blob = base.map.get(KEY)!
    expect(blob).toMatch(/^sl1\.[A-Za-z0-9+/]{16}\.[A-Za-z0-9+/]+=*$/)
    expect(blob).not.toContain('alice')
    const fresh = createEncryptedStorage(base, { key, origin: 'https://app.example' })
    await expect(fresh.getItem(KEY)).resolves.toBe(VALUE)
    await fresh.removeItem(KEY)
    expect(base.map.size).toBe(0)
    await expect(fresh.getItem(KEY)).resolves.toBeNull()
  })

  it('K5, K8: reading an absent entry only reads the base: it writes and removes nothing there (a server cookie store would send a Set-Cookie)', async () => {
    const base = createMapStorage()
    const writes: string[] = []
    const watched = { ...base, setItem: (k: string, v: string) => (writes.push(`set ${k}`), base.setItem(k, v)), removeItem: (k: string) => (writes.push(`remove ${k}`), base.removeItem(k)) }
    const storage = createEncryptedStorage(watched, { key: await newKey() })
    await expect(storage.getItem(KEY)).resolves.toBeNull()
    expect(writes).toEqual([])
  })

  it('K5, K6, K8: a base that answers undefined for an absent entry (idb-keyval\'s get, a Map) reads as absent: nothing is removed, so a value another tab writes right after the read is kept', async () => {
    const key = await newKey()
    const written = createMapStorage()
    await createEncryptedStorage(written, { key }).setItem(KEY, VALUE)
    const map = new Map<string, string>()
    const removed: string[] = []
    const base: SessionStorage = {
      // another tab writes its session right after this read answered that there is none
      getItem: (k) => {
        const value = map.get(k)
        map.set(k, written.map.get(KEY)!)
        return Promise.resolve(value as string | null)
      },
      setItem: (k, v) => Promise.resolve(map.set(k, v)),
      removeItem: (k) => Promise.resolve(removed.push(k) && map.delete(k)),
    }
    const storage = createEncryptedStorage(base, { key })
    await expect(storage.getItem(KEY)).resolves.toBeNull()
    expect(removed).toEqual([])
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K4, K5: only the 12-byte IV of the sl1 format is read: a blob under the right key and binding but with another IV length reads as null and is removed', async () => {
    const base = createMapStorage()
    const key = await newKey()
    const origin = 'https://app.example'
    const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    const blob = async (ivLength: number) => {
      const iv = crypto.getRandomValues(new Uint8Array(ivLength))
      const additionalData = new TextEncoder().encode(JSON.stringify(['sessionlayer:v1', origin, KEY]))
      return `sl1.${b64(iv)}.${b64(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, new TextEncoder().encode(VALUE)))}`
    }
    const storage = createEncryptedStorage(base, { key, origin })
    base.map.set(KEY, await blob(12)) // the format as written
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    base.map.set(KEY, await blob(15)) // 20 base64 characters, no padding
    await expect(storage.getItem(KEY)).resolves.toBeNull()
    expect(base.map.has(KEY)).toBe(false)
  })

  it('K4: every write uses a fresh IV: 25 writes of one value give 25 ciphertexts', async () => {
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key: await newKey() })
    const blobs = new Set<string>()
    const ivs = new Set<string>()
    for (let i = 0; i < 25; i++) {
      await storage.setItem(KEY, VALUE)
      const blob = base.map.get(KEY)!
      blobs.add(blob)
      ivs.add(blob.split('.')[1]!)
    }
    expect(blobs.size).toBe(25)
    expect(ivs.size).toBe(25)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K4: each write takes a fresh 12-byte IV from crypto.getRandomValues, so storages sharing one key (tabs) never repeat an IV', async () => {
    const drawn: Uint8Array[] = []
    const webCrypto = {
      subtle: crypto.subtle,
      getRandomValues: (array: Uint8Array<ArrayBuffer>) => {
        drawn.push(crypto.getRandomValues(array))
        return array
      },
    } as unknown as Crypto
    const key = await newKey()
    const base = createMapStorage()
    const written: string[] = []
    // three storages (as three tabs) over one base and one key, two writes each
    for (let tab = 0; tab < 3; tab++) {
      const storage = createEncryptedStorage(base, { key, crypto: webCrypto })
      for (let i = 0; i < 2; i++) {
        await storage.setItem(KEY, VALUE)
        written.push(base.map.get(KEY)!.split('.')[1]!)
      }
    }
    expect(drawn.map((iv) => iv.length)).toEqual([12, 12, 12, 12, 12, 12])
    // the IV written is the one drawn for that write, every one different
    expect(written).toEqual(drawn.map((iv) => btoa(String.fromCharCode(...iv))))
    expect(new Set(written).size).toBe(6)
  })

  it('K8/K5: a blob copied to another storage key reads as null and is removed', async () => {
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key: await newKey() })
    await storage.setItem('a', VALUE)
    base.map.set('b', base.map.get('a')!)
    await expect(storage.getItem('b')).resolves.toBeNull()
    expect(base.map.has('b')).toBe(false)
    await expect(storage.getItem('a')).resolves.toBe(VALUE)
  })

  it('K8/K5: a blob copied to another origin reads as null and is removed', async () => {
    const base = createMapStorage()
    const key = await newKey()
    await createEncryptedStorage(base, { key, origin: 'https://a.example' }).setItem(KEY, VALUE)
    await expect(createEncryptedStorage(base, { key, origin: 'https://b.example' }).getItem(KEY)).resolves.toBeNull()
    expect(base.map.has(KEY)).toBe(false)
  })

  it('K5: a wrong key reads as null and the entry is removed', async () => {
    const base = createMapStorage()
    await createEncryptedStorage(base, { key: await newKey() }).setItem(KEY, VALUE)
    await expect(createEncryptedStorage(base, { key: await newKey() }).getItem(KEY)).resolves.toBeNull()
    expect(base.map.has(KEY)).toBe(false)
  })

  it('K5, K7, K8: a key that cannot decrypt at all (no decrypt usage, another algorithm, no CryptoKey) rejects the read and removes nothing', async () => {
    const base = createMapStorage()
    const key = await newKey()
    await createEncryptedStorage(base, { key }).setItem(KEY, VALUE)
    const blob = base.map.get(KEY)
    const unusable = [
      await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']),
      await crypto.subtle.generateKey({ name: 'AES-CBC', length: 256 }, false, ['encrypt', 'decrypt']),
      {} as CryptoKey,
    ]
    for (const wrong of unusable) {
      // a misconfigured key, not an unreadable value: the session is still there for the right key
      await expect(createEncryptedStorage(base, { key: wrong }).getItem(KEY)).rejects.toThrow()
      expect(base.map.get(KEY)).toBe(blob)
    }
    await expect(createEncryptedStorage(base, { key }).getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K5, K8: after a key rotation the old value reads as null and is removed also with a WebCrypto whose failed decryption is a plain Error', async () => {
    const base = createMapStorage()
    await createEncryptedStorage(base, { key: await newKey() }).setItem(KEY, VALUE)
    // as @peculiar/webcrypto and other Node-based implementations reject: not a DOMException
    const subtle = {
      generateKey: crypto.subtle.generateKey.bind(crypto.subtle),
      encrypt: crypto.subtle.encrypt.bind(crypto.subtle),
      decrypt: (...args: Parameters<typeof crypto.subtle.decrypt>) =>
        crypto.subtle.decrypt(...args).catch(() => Promise.reject(new Error('Unsupported state or unable to authenticate data'))),
    }
    const webCrypto = { subtle, getRandomValues: crypto.getRandomValues.bind(crypto) } as unknown as Crypto
    const rotated = createEncryptedStorage(base, { key: await newKey(), crypto: webCrypto })
    await expect(rotated.getItem(KEY)).resolves.toBeNull()
    expect(base.map.has(KEY)).toBe(false)
  })

  it('K5: tampered, truncated, unknown-format and garbage values read as null and are removed', async () => {
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key: await newKey() })
    await storage.setItem(KEY, VALUE)
    const blob = base.map.get(KEY)!
    const [, iv, data] = blob.split('.') as [string, string, string]
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
    const bad = [
      `sl1.${iv}.${flip(data, 3)}`,
      `sl1.${flip(iv, 0)}.${data}`,
      `sl1.${iv}.${data.slice(0, -8)}`,
      `sl1.${iv}.${data.slice(0, 12)}`,
      `sl1.${iv.slice(0, 12)}.${data}`,
      `sl2.${iv}.${data}`,
      `${blob}.extra`,
      `sl1.${iv}`,
      'sl1..',
      'garbage',
      '',
      VALUE,
    ]
    for (const value of bad) {
      base.map.set(KEY, value)
      await expect(storage.getItem(KEY)).resolves.toBeNull()
      expect(base.map.has(KEY)).toBe(false)
    }
  })

  it('K5, K8: an undecryptable value is removed from a base whose removeItem takes a callback as its second argument (localforage) by its key alone', async () => {
    const base = createCallbackStorage()
    base.map.set(KEY, 'sl1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA')
    await expect(createEncryptedStorage(base, { key: await newKey() }).getItem(KEY)).resolves.toBeNull()
    await Promise.resolve()
    expect(base.map.size).toBe(0)
    expect(base.failures).toEqual([])
  })

  it('K5: an undecryptable value reads as null even when the base storage cannot remove it', async () => {
    const base = createMapStorage()
    const key = await newKey()
    await createEncryptedStorage(base, { key }).setItem(KEY, VALUE)
    base.map.set(KEY, `${base.map.get(KEY)!.slice(0, -4)}AAAA`) // tampered tag
    // e.g. a server cookie adapter once the response headers were sent
    const readOnly = { ...base, removeItem: () => Promise.reject(new Error('ERR_HTTP_HEADERS_SENT')) }
    await expect(createEncryptedStorage(readOnly, { key }).getItem(KEY)).resolves.toBeNull()
    const throwing = { ...base, removeItem: (): Promise<void> => { throw new Error('ERR_HTTP_HEADERS_SENT') } }
    await expect(createEncryptedStorage(throwing, { key }).getItem(KEY)).resolves.toBeNull()
    expect(base.map.has(KEY)).toBe(true) // left in place, unreadable: no silent success claimed
  })

  it('K7: without crypto.subtle every write rejects with a clear error, and creating never throws', async () => {
    const base = createMapStorage()
    const key = await newKey()
    const storage = createEncryptedStorage(base, { key, crypto: {} as Crypto })
    await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('WebCrypto (crypto.subtle) is unavailable')
    base.map.set(KEY, 'sl1.x.y')
    await expect(storage.getItem(KEY)).rejects.toThrow(/WebCrypto/)
    expect(base.map.has(KEY)).toBe(true)
    expect(() => createEncryptedStorage(base, undefined as never)).not.toThrow()
    await expect(createEncryptedStorage(base, undefined as never).getItem(KEY)).rejects.toThrow()
  })

  it('K7: a failing base storage rejects the operation (no silent loss)', async () => {
    const base = { ...createMapStorage(), setItem: () => Promise.reject(new Error('quota')), getItem: () => Promise.reject(new Error('gone')) }
    const storage = createEncryptedStorage(base, { key: await newKey() })
    await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('quota')
    await expect(storage.getItem(KEY)).rejects.toThrow('gone')
  })

  it('K7: a base storage that rejects with no error object (undefined, null) passes that reason on, not an internal TypeError', async () => {
    for (const reason of [undefined, null]) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what such storages do
      const fail = () => Promise.reject(reason)
      const storage = createEncryptedStorage({ getItem: fail, setItem: fail, removeItem: fail }, { key: await newKey() })
      for (const operation of [storage.getItem(KEY), storage.setItem(KEY, VALUE), storage.removeItem(KEY)]) {
        await expect(operation.then(() => 'resolved', (error: unknown) => error)).resolves.toBe(reason)
      }
    }
  })

  it('K8: an empty string is a value like any other: it reads back as written and is not removed as unreadable', async () => {
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key: await newKey() })
    await storage.setItem(KEY, '')
    await expect(storage.getItem(KEY)).resolves.toBe('')
    expect(base.map.has(KEY)).toBe(true)
  })

  it('K4, K8: the origin is read once, at the first operation: a later change of location does not make what was written unreadable', async () => {
    const base = createMapStorage()
    vi.stubGlobal('location', { origin: 'https://app.example' })
    const storage = createEncryptedStorage(base, { key: await newKey() })
    await storage.setItem(KEY, VALUE)
    vi.stubGlobal('location', { origin: 'https://other.example' })
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
    expect(base.map.has(KEY)).toBe(true)
  })

  it('K8: stores unicode faithfully', async () => {
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key: await newKey() })
    const text = JSON.stringify({ hint: 'zoë 🦊 日本', big: 'x'.repeat(200_000) })
    await storage.setItem(KEY, text)
    await expect(storage.getItem(KEY)).resolves.toBe(text)
  })

  it('K8: a value that starts with a byte order mark (U+FEFF) reads back exactly as written', async () => {
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key: await newKey() })
    for (const text of ['\uFEFF', '\uFEFF{"a":1}', '\uFEFF\uFEFFx']) {
      await storage.setItem(KEY, text)
      await expect(storage.getItem(KEY)).resolves.toBe(text)
    }
  })

  it('K2, K6, K8: restoreSession removing an expired session keeps one another tab wrote while the removal decrypted the entry', async () => {
    const base = createMapStorage()
    const key = await newKey()
    const other = createEncryptedStorage(base, { key, origin: 'https://app.example' })
    const fresh = JSON.stringify({ version: 1, account: { partyId: 'bob::1220' }, accounts: [{ partyId: 'bob::1220' }], networkId: null, connectedAt: 5 })
    let decrypts = 0
    let written: Promise<unknown> | undefined
    const racing = {
      getRandomValues: <T extends ArrayBufferView>(array: T) => crypto.getRandomValues(array),
      subtle: {
        encrypt: crypto.subtle.encrypt.bind(crypto.subtle),
        decrypt: async (...args: Parameters<SubtleCrypto['decrypt']>) => {
          const plain = await crypto.subtle.decrypt(...args)
          // the third decryption is the removal's own check: another tab writes meanwhile
          if (++decrypts === 3) await (written = other.setItem(KEY, fresh))
          return plain
        },
      },
    } as unknown as Crypto
    const storage = createEncryptedStorage(base, { key, origin: 'https://app.example', crypto: racing })
    const expired = JSON.stringify({ version: 1, account: null, accounts: [], networkId: null, connectedAt: 0, expiresAt: 10 })
    await other.setItem(KEY, expired)
    await expect(restoreSession(storage, KEY, 100)).resolves.toBeNull()
    expect(written).toBeDefined()
    await expect(other.getItem(KEY)).resolves.toBe(fresh)
  })

  it('K8: operations apply in call order even when an earlier encryption is slower', async () => {
    let delay = 30
    const slowFirst = {
      getRandomValues: <T extends ArrayBufferView>(array: T) => crypto.getRandomValues(array),
      subtle: {
        decrypt: crypto.subtle.decrypt.bind(crypto.subtle),
        encrypt: async (...args: Parameters<SubtleCrypto['encrypt']>) => {
          const wait = delay
          delay = 0
          await new Promise((resolve) => setTimeout(resolve, wait))
          return crypto.subtle.encrypt(...args)
        },
      },
    } as unknown as Crypto
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key: await newKey(), crypto: slowFirst })
    void storage.setItem(KEY, 'old')
    void storage.setItem(KEY, 'new')
    await storage.getItem(KEY)
    await expect(storage.getItem(KEY)).resolves.toBe('new')
    delay = 30
    void storage.setItem(KEY, 'resurrected?')
    await storage.removeItem(KEY)
    expect(base.map.has(KEY)).toBe(false)
  })
})
