import { describe, expect, it } from 'vitest'
import { migrateSessionEnvelope } from './migrateSessionEnvelope'

const alice = { partyId: 'alice::1220ab', primary: true }
const bob = { partyId: 'bob::1220cd' }
const v1 = { version: 1, account: alice, accounts: [alice, bob], networkId: 'canton:devnet', connectedAt: 1000 }

describe('migrateSessionEnvelope', () => {
  it('K1: returns a valid current envelope as a fresh object', () => {
    const result = migrateSessionEnvelope(v1)
    expect(result).toEqual(v1)
    expect(result).not.toBe(v1)
    expect(result?.account).not.toBe(alice)
    expect(migrateSessionEnvelope({ ...v1, expiresAt: 2000 })).toEqual({ ...v1, expiresAt: 2000 })
  })

  it('K1: migrates a v0 legacy snapshot with account and accounts to v1', () => {
    expect(migrateSessionEnvelope({ account: alice, accounts: [alice, bob], networkId: 'canton:devnet', connectedAt: 5 })).toEqual({
      version: 1,
      account: alice,
      accounts: [alice, bob],
      networkId: 'canton:devnet',
      connectedAt: 5,
    })
  })

  it('K1: migrates a v0 legacy { partyId, networkId } to v1 with defaults', () => {
    expect(migrateSessionEnvelope({ partyId: 'alice::1220ab', networkId: 'canton:devnet' })).toEqual({
      version: 1,
      account: { partyId: 'alice::1220ab' },
      accounts: [{ partyId: 'alice::1220ab' }],
      networkId: 'canton:devnet',
      connectedAt: 0,
    })
    expect(migrateSessionEnvelope({ version: 0, account: alice })).toEqual({ version: 1, account: alice, accounts: [alice], networkId: null, connectedAt: 0 })
  })

  it('K1, K2: a v0 legacy snapshot keeps its expiresAt (a SessionSnapshot written as plain JSON), so it still expires', () => {
    const legacy = { account: alice, accounts: [alice, bob], networkId: 'canton:devnet', connectedAt: 5, expiresAt: 3_600_005 }
    expect(migrateSessionEnvelope(legacy)).toEqual({ version: 1, ...legacy })
    expect(migrateSessionEnvelope({ partyId: 'alice::1220ab', expiresAt: 10 })).toMatchObject({ expiresAt: 10 })
    expect(migrateSessionEnvelope({ ...legacy, expiresAt: '3600005' })).toBeNull()
    // a SessionState written as plain JSON says "no expiry" with null
    expect(migrateSessionEnvelope({ status: 'connected', ...legacy, lastError: null, expiresAt: null })).toEqual({ version: 1, ...legacy, expiresAt: undefined })
    expect(migrateSessionEnvelope({ ...legacy, expiresAt: null })).not.toHaveProperty('expiresAt')
  })

  it('K1, K2: a v1 envelope whose expiresAt is null (no expiry, as encodeSessionEnvelope wrote a SessionState without a TTL before it left null out, or another writer) reads as no expiry, as a v0 one does, not as invalid', () => {
    expect(migrateSessionEnvelope({ ...v1, expiresAt: null })).toEqual(v1)
    expect(migrateSessionEnvelope({ ...v1, expiresAt: null })).not.toHaveProperty('expiresAt')
    expect(migrateSessionEnvelope({ ...v1, expiresAt: '2000' })).toBeNull()
  })

  it('K1: a v0 snapshot that names no party, or an invalid one, is null rather than a guess', () => {
    expect(migrateSessionEnvelope({})).toBeNull()
    expect(migrateSessionEnvelope({ networkId: 'canton:devnet', connectedAt: 5 })).toBeNull()
    expect(migrateSessionEnvelope({ partyId: '' })).toBeNull()
    expect(migrateSessionEnvelope({ partyId: 42 })).toBeNull()
    expect(migrateSessionEnvelope({ account: alice, accounts: [bob] })).toBeNull()
  })

  it('K1: a v0 snapshot whose party is only in its accounts list, or that has none, names no active party: null, not a session without one', () => {
    expect(migrateSessionEnvelope({ accounts: [alice], networkId: 'canton:devnet', connectedAt: 5 })).toBeNull()
    expect(migrateSessionEnvelope({ version: 0, account: null, accounts: [] })).toBeNull()
    expect(migrateSessionEnvelope({ account: null, accounts: [alice, bob], networkId: 'canton:devnet' })).toBeNull()
  })

  it('K1: an unknown (future) or malformed version is null', () => {
    for (const version of [2, 99, -1, 1.5, NaN, Infinity, '1', '0', true, false, 'constructor', '__proto__', 'toString', [1], {}]) {
      expect(migrateSessionEnvelope({ ...v1, version })).toBeNull()
    }
  })

  it('K1: a version of -0 is version 0 (a legacy snapshot), and one of 0n, [0] or " 0" is unknown: null', () => {
    const legacy = { account: alice, accounts: [alice, bob], networkId: 'canton:devnet', connectedAt: 5 }
    expect(migrateSessionEnvelope({ ...legacy, version: -0 })).toEqual({ ...legacy, version: 1 })
    for (const version of [0n, [0], ' 0', -1e-300]) expect(migrateSessionEnvelope({ ...legacy, version })).toBeNull()
  })

  it('K1: every field is type-checked', () => {
    const invalid: unknown[] = [
      { ...v1, accounts: 'alice' },
      { ...v1, accounts: undefined },
      { ...v1, accounts: [alice, null] },
      { ...v1, accounts: [alice, 'bob'] },
      { ...v1, accounts: [alice, [bob]] },
      { ...v1, accounts: [alice, { partyId: '' }] },
      { ...v1, accounts: [alice, { partyId: 7 }] },
      { ...v1, accounts: [alice, { ...bob, primary: 'yes' }] },
      { ...v1, accounts: [alice, { ...bob, status: 3 }] },
      { ...v1, accounts: [alice, { ...bob, hint: null }] },
      { ...v1, account: undefined },
      { ...v1, account: 'alice::1220ab' },
      { ...v1, account: { partyId: 'carol::1220ef' } },
      { ...v1, networkId: 7 },
      { ...v1, networkId: undefined },
      { ...v1, connectedAt: '1000' },
      { ...v1, connectedAt: NaN },
      { ...v1, connectedAt: Infinity },
      { ...v1, expiresAt: '2000' },
      { ...v1, expiresAt: -Infinity },
      null,
      undefined,
      'v1',
      42,
      [v1],
    ]
    for (const value of invalid) expect(migrateSessionEnvelope(value)).toBeNull()
  })

  it('K1: accepts a null account and a null network', () => {
    expect(migrateSessionEnvelope({ ...v1, account: null, networkId: null })).toEqual({ ...v1, account: null, networkId: null })
  })

  it('K1: an empty network id (\'\') is no network: it reads as null, in v1 and in a v0 legacy snapshot, as an empty party id is no party', () => {
    expect(migrateSessionEnvelope({ ...v1, networkId: '' })).toEqual({ ...v1, networkId: null })
    expect(migrateSessionEnvelope({ partyId: 'alice::1220ab', networkId: '' })).toMatchObject({ version: 1, account: { partyId: 'alice::1220ab' }, networkId: null })
  })

  it('K1: unknown keys are dropped and __proto__ keys are never copied', () => {
    const parsed = JSON.parse(
      '{"version":1,"__proto__":{"polluted":1},"extra":1,"account":{"partyId":"a::1","__proto__":{"polluted":1},"token":"t"},"accounts":[{"partyId":"a::1","constructor":{"prototype":{"polluted":1}}}],"networkId":null,"connectedAt":1}',
    ) as unknown
    const result = migrateSessionEnvelope(parsed)
    expect(result).toEqual({ version: 1, account: { partyId: 'a::1' }, accounts: [{ partyId: 'a::1' }], networkId: null, connectedAt: 1 })
    expect(Object.keys(result!.account!)).toEqual(['partyId'])
    expect(Object.getPrototypeOf(result)).toBeNull()
    expect(Object.hasOwn(result!, '__proto__')).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('K1: a throwing getter reads as null, not a throw', () => {
    const hostile = { ...v1, get accounts(): unknown[] { throw new Error('boom') } }
    expect(migrateSessionEnvelope(hostile)).toBeNull()
  })
})

describe('migrateSessionEnvelope given a value that is no envelope object', () => {
  it('K1: a parsed array (a stored text of up to 4 MiB: millions of entries) is null without a read of its entries, as a string is: the 4 MiB bound keeps a hostile blob cheap to refuse', () => {
    const reads = { keys: 0, fields: 0 }
    const array = new Proxy(new Array<number>(1_000_000).fill(0), {
      ownKeys: (target) => (reads.keys++, Reflect.ownKeys(target)),
      getOwnPropertyDescriptor: (target, key) => (reads.fields++, Reflect.getOwnPropertyDescriptor(target, key)),
      get: (target, key, receiver) => (reads.fields++, Reflect.get(target, key, receiver) as unknown),
    })
    expect(migrateSessionEnvelope(array)).toBeNull()
    expect(reads.keys).toBe(0)
    expect(reads.fields).toBeLessThan(20)
    for (const value of ['x'.repeat(2 ** 22), [], [v1], 'version', 1, true]) expect(migrateSessionEnvelope(value)).toBeNull()
  })
})
