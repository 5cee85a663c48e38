import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEncryptedStorage } from './createEncryptedStorage'
import { encodeSessionEnvelope } from './encodeSessionEnvelope'
import { restoreSession } from './restoreSession'
import { createMapStorage } from './test-storage'

// Fuzzing of the decoders that read bytes written by someone else: stored ciphertexts (K5) and
// stored envelopes read back through restoreSession (K2). Whatever is in storage, a read never
// throws, returns null or the exact value that was written, and a rejected entry is removed.

const KEY = 'sessionlayer.session'
const VALUE = encodeSessionEnvelope({ account: { partyId: 'alice::1220ab', primary: true }, accounts: [{ partyId: 'alice::1220ab', primary: true }], networkId: 'canton:devnet', connectedAt: 1 })
const runs = Number(process.env.SESSIONLAYER_FUZZ_RUNS ?? 300)
const newKey = () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='

// Fuzzing takes about a second alone, and several times that on a busy machine.
describe('encrypted storage fuzzing', { timeout: 30_000 }, () => {
  it('K5 (fuzz): arbitrary stored text reads as null and is removed, never throws', async () => {
    const key = await newKey()
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^sl1\.[A-Za-z0-9+/=]{0,24}\.[A-Za-z0-9+/=]{0,80}$/)), async (text) => {
        const base = createMapStorage()
        base.map.set(KEY, text)
        await expect(createEncryptedStorage(base, { key }).getItem(KEY)).resolves.toBeNull()
        expect(base.map.has(KEY)).toBe(false)
      }),
      { numRuns: runs },
    )
  })

  it('K5 (fuzz): any change to a real ciphertext — a character, a cut, an insertion — reads as null and is removed', async () => {
    const key = await newKey()
    const base = createMapStorage()
    const storage = createEncryptedStorage(base, { key })
    await storage.setItem(KEY, VALUE)
    const blob = base.map.get(KEY) ?? ''
    const edit = fc.oneof(
      fc.tuple(fc.nat({ max: blob.length - 1 }), fc.constantFrom(...B64.split(''), '.', '-', '\u00e9')).map(([i, c]) => blob.slice(0, i) + c + blob.slice(i + 1)),
      fc.nat({ max: blob.length - 1 }).map((i) => blob.slice(0, i)),
      fc.tuple(fc.nat({ max: blob.length }), fc.string({ minLength: 1, maxLength: 4 })).map(([i, s]) => blob.slice(0, i) + s + blob.slice(i)),
    )
    await fc.assert(
      fc.asyncProperty(edit, async (text) => {
        base.map.set(KEY, text)
        const read = await storage.getItem(KEY)
        if (text === blob) expect(read).toBe(VALUE)
        else {
          // base64 padding variants can decode to the same bytes; anything else is rejected
          expect([null, VALUE]).toContain(read)
          if (read === null) expect(base.map.has(KEY)).toBe(false)
        }
      }),
      { numRuns: runs },
    )
  })

  it('K2 (fuzz): restoreSession over arbitrary stored JSON returns null or a valid envelope, removing what it rejects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string()), fc.integer({ min: 0, max: 2 ** 40 }), async (text, now) => {
        const base = createMapStorage()
        base.map.set(KEY, text)
        const envelope = await restoreSession(base, KEY, now)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        if (envelope === null) expect(base.map.has(KEY)).toBe(false)
        else {
          expect(envelope.version).toBe(1)
          expect(envelope.expiresAt === undefined || envelope.expiresAt > now).toBe(true)
          expect(base.map.get(KEY)).toBe(text)
        }
      }),
      { numRuns: runs },
    )
  })
})
