import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeSessionEnvelope } from './decodeSessionEnvelope'
import { encodeSessionEnvelope } from './encodeSessionEnvelope'
import { migrateSessionEnvelope } from './migrateSessionEnvelope'
import type { SessionEnvelope } from './types'

const STRING_FIELDS = ['partyId', 'hint', 'status', 'publicKey', 'namespace', 'networkId', 'signingProviderId', 'reason']
const BOOLEAN_FIELDS = ['primary', 'disabled']

/** An independent statement of what a valid envelope is. */
function expectValidEnvelope(envelope: SessionEnvelope): void {
  expect(Object.getPrototypeOf(envelope)).toBeNull()
  expect(Object.keys(envelope).every((k) => ['version', 'account', 'accounts', 'networkId', 'connectedAt', 'expiresAt'].includes(k))).toBe(true)
  expect(envelope.version).toBe(1)
  expect(Array.isArray(envelope.accounts)).toBe(true)
  for (const account of envelope.accounts) {
    expect(Object.getPrototypeOf(account)).toBe(Object.prototype)
    expect(typeof account.partyId === 'string' && account.partyId.length > 0).toBe(true)
    for (const [key, value] of Object.entries(account)) {
      if (STRING_FIELDS.includes(key)) expect(typeof value).toBe('string')
      else if (BOOLEAN_FIELDS.includes(key)) expect(typeof value).toBe('boolean')
      else throw new Error(`unexpected account key ${key}`)
    }
  }
  if (envelope.account !== null) expect(envelope.accounts.some((a) => a.partyId === envelope.account?.partyId)).toBe(true)
  expect(envelope.networkId === null || typeof envelope.networkId === 'string').toBe(true)
  expect(Number.isFinite(envelope.connectedAt)).toBe(true)
  expect(envelope.expiresAt === undefined || Number.isFinite(envelope.expiresAt)).toBe(true)
}

const expectNoPollution = () => {
  const probe = {} as Record<string, unknown>
  for (const key of ['polluted', 'partyId', 'version', 'account', 'accounts', 'isAdmin']) expect(probe[key]).toBeUndefined()
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys)
}
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort()

const keys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'version', 'account', 'accounts', 'partyId', 'networkId', 'connectedAt', 'expiresAt', 'primary', 'polluted')
const accountArb = fc.record(
  {
    partyId: fc.oneof(fc.string(), fc.constant('alice::1220')),
    primary: fc.oneof(fc.boolean(), fc.string()),
    hint: fc.oneof(fc.string(), fc.integer()),
    __proto__: fc.record({ polluted: fc.boolean() }),
  },
  { requiredKeys: ['partyId'] },
)
const envelopeLike = fc.record(
  {
    version: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.double(), fc.constant(undefined), fc.string()),
    account: fc.oneof(fc.constant(null), accountArb),
    accounts: fc.oneof(fc.array(accountArb, { maxLength: 4 }), fc.anything()),
    partyId: fc.string(),
    networkId: fc.oneof(fc.constant(null), fc.string(), fc.integer()),
    connectedAt: fc.oneof(fc.integer(), fc.double(), fc.string()),
    expiresAt: fc.oneof(fc.integer(), fc.double(), fc.constant(undefined)),
  },
  { requiredKeys: [] },
)

// Made once, as the file loads: fast-check builds its table of every code point (over a second
// alone, several on a busy machine) when this arbitrary is made, which inside the test counted
// against its timeout and failed it now and then.
const binaryString = fc.string({ unit: 'binary' })

afterEach(expectNoPollution)

describe('decodeSessionEnvelope', () => {
  it('K1: non-strings, oversized text and non-JSON read as null', () => {
    for (const value of [undefined, null, 42, {}, [], '', 'not json', '{"version":1', 'null', '"text"', '[]']) {
      expect(decodeSessionEnvelope(value)).toBeNull()
    }
    // built by hand: the encoder refuses to write it
    const big = JSON.stringify({ version: 1, account: null, accounts: [{ partyId: 'a::1', hint: 'x'.repeat(4 * 1024 * 1024) }], networkId: null, connectedAt: 0 })
    expect(decodeSessionEnvelope(big)).toBeNull()
  })

  it('K1: a stored text of exactly 4 MiB decodes; one character more reads as null', () => {
    const text = (hint: string) => JSON.stringify({ version: 1, account: null, accounts: [{ partyId: 'a::1', hint }], networkId: null, connectedAt: 0 })
    const fits = text('x'.repeat(2 ** 22 - text('').length))
    expect(fits).toHaveLength(2 ** 22)
    expect(decodeSessionEnvelope(fits)?.accounts).toHaveLength(1)
    expect(decodeSessionEnvelope(text('x'.repeat(2 ** 22 + 1 - text('').length)))).toBeNull()
  })

  it('K1: what the encoder writes for a wallet with many parties (200, about 75 KB) decodes again', () => {
    const accounts = Array.from({ length: 200 }, (_, i) => ({
      partyId: `party-${i}::1220${'ab'.repeat(32)}`,
      hint: `party-${i}`,
      status: 'allocated',
      publicKey: 'A'.repeat(44),
      namespace: `1220${'cd'.repeat(32)}`,
      networkId: 'canton:mainnet',
      signingProviderId: 'participant',
      primary: i === 0,
    }))
    const text = encodeSessionEnvelope({ account: accounts[0] ?? null, accounts, networkId: 'canton:mainnet', connectedAt: 1 })
    expect(text.length).toBeGreaterThan(65_536)
    expect(decodeSessionEnvelope(text)?.accounts).toHaveLength(200)
  })

  it('K1: an envelope whose accounts are no array (an object, a string, an array-like) reads as null, not as an empty list', () => {
    const envelope = { version: 1, account: null, networkId: null, connectedAt: 0 }
    expect(decodeSessionEnvelope(JSON.stringify({ ...envelope, accounts: [] }))).not.toBeNull()
    for (const accounts of [{}, { length: 0 }, '', 'ab', null]) expect(decodeSessionEnvelope(JSON.stringify({ ...envelope, accounts }))).toBeNull()
  })

  it('K1: decodes and migrates a stored legacy snapshot', () => {
    expect(decodeSessionEnvelope('{"partyId":"alice::1220","networkId":"canton:mainnet"}')).toEqual({
      version: 1,
      account: { partyId: 'alice::1220' },
      accounts: [{ partyId: 'alice::1220' }],
      networkId: 'canton:mainnet',
      connectedAt: 0,
    })
    expect(decodeSessionEnvelope('{"version":2,"account":null,"accounts":[],"networkId":null,"connectedAt":0}')).toBeNull()
  })

  it('K1: __proto__ in stored JSON never pollutes Object.prototype', () => {
    const text = '{"__proto__":{"polluted":true},"version":1,"account":null,"accounts":[{"partyId":"a::1","__proto__":{"polluted":true}}],"networkId":null,"connectedAt":0,"constructor":{"prototype":{"polluted":true}}}'
    const envelope = decodeSessionEnvelope(text)
    expect(envelope).toEqual({ version: 1, account: null, accounts: [{ partyId: 'a::1' }], networkId: null, connectedAt: 0 })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('K1 (property): arbitrary strings never throw; the result is null or a valid envelope', () => {
    fc.assert(
      fc.property(binaryString, (text) => {
        const result = decodeSessionEnvelope(text)
        if (result !== null) expectValidEnvelope(result)
      }),
      { numRuns: 500 },
    )
  })

  it('K1 (property): arbitrary JSON values never throw; the result is null or a valid envelope', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), envelopeLike), (value) => {
        const text = JSON.stringify(value) as string | undefined
        const decoded = decodeSessionEnvelope(text)
        if (decoded !== null) expectValidEnvelope(decoded)
        const migrated = migrateSessionEnvelope(value)
        if (migrated !== null) expectValidEnvelope(migrated)
      }),
      { numRuns: 1000 },
    )
  })

  it('K1 (property): arbitrary values with __proto__ keys never throw nor pollute', () => {
    fc.assert(
      fc.property(fc.anything({ key: keys, withNullPrototype: true, withObjectString: true, withBoxedValues: true, withSparseArray: true, withMap: true }), (value) => {
        const migrated = migrateSessionEnvelope(value)
        if (migrated !== null) expectValidEnvelope(migrated)
        expectNoPollution()
      }),
      { numRuns: 1000 },
    )
  })

  it('K1 (property): objects with arbitrary version numbers migrate only from known versions', () => {
    let valid = 0
    fc.assert(
      fc.property(envelopeLike, (value) => {
        const migrated = migrateSessionEnvelope(value)
        if (migrated === null) return
        valid++
        expectValidEnvelope(migrated)
        expect([undefined, 0, 1]).toContain(value.version)
      }),
      { numRuns: 2000 },
    )
    expect(valid).toBeGreaterThan(0)
  })

  it('K1 (property): every valid envelope round-trips through encode and decode (an empty network id as null)', () => {
    const account = fc.record(
      { partyId: fc.string({ minLength: 1 }), primary: fc.boolean(), status: fc.string(), disabled: fc.boolean() },
      { requiredKeys: ['partyId'] },
    )
    fc.assert(
      fc.property(
        fc.array(account, { maxLength: 4 }),
        fc.option(fc.string()),
        fc.integer({ min: 0 }),
        fc.option(fc.integer({ min: 0 }), { nil: undefined }),
        (accounts, networkId, connectedAt, expiresAt) => {
          const snapshot = { account: accounts[0] ?? null, accounts, networkId, connectedAt, ...(expiresAt === undefined ? {} : { expiresAt }) }
          // an empty network id is no network: it comes back as null
          expect(decodeSessionEnvelope(encodeSessionEnvelope(snapshot))).toEqual({ version: 1, ...snapshot, networkId: networkId === '' ? null : networkId })
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('decodeSessionEnvelope where Object.prototype is polluted', () => {
  it('K1, K2: an envelope without expiresAt has none, and one written from a snapshot without it gets none', () => {
    const proto = Object.prototype as Record<string, unknown>
    const alice = { partyId: 'alice::1220', primary: true }
    const text = JSON.stringify({ version: 1, account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1 })
    proto.expiresAt = 1
    try {
      expect(decodeSessionEnvelope(text)?.expiresAt).toBeUndefined()
      const written = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1 })
      expect(Object.hasOwn(JSON.parse(written) as object, 'expiresAt')).toBe(false)
    } finally {
      delete proto.expiresAt
    }
  })

  it('K1, K2: a legacy (version 0) envelope reads only its own fields: it gains no expiry, network, version or party from the prototype', () => {
    const proto = Object.prototype as Record<string, unknown>
    const legacy = '{"partyId":"alice::1220","networkId":"canton:devnet"}'
    const expected = { version: 1, account: { partyId: 'alice::1220' }, accounts: [{ partyId: 'alice::1220' }], networkId: 'canton:devnet', connectedAt: 0 }
    const polluted = { expiresAt: 1, version: 1, account: { partyId: 'mallory::1220' }, accounts: [{ partyId: 'mallory::1220' }], connectedAt: 'x' }
    for (const [key, value] of Object.entries(polluted)) {
      proto[key] = value
      try {
        expect(decodeSessionEnvelope(legacy)).toEqual(expected)
        expect(decodeSessionEnvelope('{"account":{"partyId":"alice::1220"},"networkId":"canton:devnet"}')).toEqual(expected)
        // an object that names no party is none, whatever the prototype says
        expect(decodeSessionEnvelope('{}')).toBeNull()
        expect(decodeSessionEnvelope('{"account":null}')).toBeNull()
      } finally {
        Reflect.deleteProperty(proto, key)
      }
    }
    proto.partyId = 'mallory::1220'
    try {
      expect(decodeSessionEnvelope('{}')).toBeNull()
      expect(decodeSessionEnvelope('{"networkId":"canton:devnet"}')).toBeNull()
    } finally {
      delete proto.partyId
    }
  })
})
