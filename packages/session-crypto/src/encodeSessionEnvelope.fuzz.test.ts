import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeSessionEnvelope } from './decodeSessionEnvelope'
import { encodeSessionEnvelope } from './encodeSessionEnvelope'
import type { SessionSnapshot } from './types'

// Fuzzing of the encoder against its own decoder: whatever a caller hands over, the text written
// is one that reads back, or nothing is written at all. A text the decoder rejects would be a
// session silently lost at the next reload (restoreSession removes it).

const runs = Number(process.env.SESSIONLAYER_FUZZ_RUNS ?? 300)

const valid = fc.record(
  {
    partyId: fc.string({ minLength: 1 }),
    primary: fc.boolean(),
    status: fc.constantFrom('initializing', 'initialized', 'allocated', 'removed'),
    hint: fc.string(),
    disabled: fc.boolean(),
  },
  { requiredKeys: ['partyId'] },
)
// near misses of an account (no partyId, an empty or non-string one, not an object) and anything
const account = fc.oneof(valid, valid.map((a) => ({ ...a, partyId: undefined })), fc.record({ partyId: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null)) }), fc.anything())
const time = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, null, undefined, '1700000000000'), fc.anything())
const snapshot = fc
  .record({ accounts: fc.oneof({ weight: 4, arbitrary: fc.array(account, { maxLength: 4 }) }, fc.anything()), networkId: fc.oneof(fc.string(), fc.constant(null), fc.anything()), connectedAt: time, expiresAt: time })
  .chain((s) =>
    fc.record({
      // the active account: mostly one of `accounts`, as a store hands it over, else anything
      account: fc.oneof(Array.isArray(s.accounts) && s.accounts.length ? fc.constantFrom(...(s.accounts as unknown[])) : fc.constant(null), fc.constant(null), account, fc.constant(undefined)),
      rest: fc.constant(s),
    }),
  )
  .map(({ account, rest }) => ({ account, ...rest }) as unknown as SessionSnapshot)

describe('encodeSessionEnvelope fuzzing', { timeout: 30_000 }, () => {
  it('K1 (fuzz): encode never writes a text that decode rejects: it either throws a clear TypeError or writes one that decodes', () => {
    fc.assert(
      fc.property(snapshot, (s) => {
        let text: string
        try {
          text = encodeSessionEnvelope(s)
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError)
          expect((error as Error).message).toBe('This session snapshot would not decode')
          return
        }
        expect(decodeSessionEnvelope(text)).not.toBeNull()
      }),
      { numRuns: runs * 10 },
    )
  })

  it('K1 (fuzz): a valid snapshot (accounts with a partyId, the active one among them or null, finite times) always encodes, and decodes back to itself (an empty network id as null)', () => {
    const times = fc.record({ connectedAt: fc.maxSafeInteger(), expiresAt: fc.option(fc.maxSafeInteger(), { nil: undefined }) })
    const session = fc.tuple(fc.uniqueArray(valid, { selector: (a) => a.partyId, maxLength: 5 }), fc.option(fc.string(), { nil: null }), times).chain(([accounts, networkId, { connectedAt, expiresAt }]) =>
      fc.constantFrom(null, ...accounts).map((active) => ({ account: active, accounts, networkId, connectedAt, ...(expiresAt === undefined ? {} : { expiresAt }) })),
    )
    fc.assert(
      fc.property(session, (s) => {
        // an empty network id is no network: it comes back as null
        expect(decodeSessionEnvelope(encodeSessionEnvelope(s))).toEqual({ version: 1, ...s, networkId: s.networkId === '' ? null : s.networkId })
      }),
      { numRuns: runs * 10 },
    )
  })
})
