import { describe, expect, it } from 'vitest'
import { decodeSessionEnvelope } from './decodeSessionEnvelope'
import { encodeSessionEnvelope } from './encodeSessionEnvelope'
import type { SessionSnapshot } from './types'

const alice = { partyId: 'alice::1220ab', primary: true, status: 'allocated', hint: 'alice', networkId: 'canton:devnet' }
const bob = { partyId: 'bob::1220cd', primary: false, disabled: true, reason: 'offboarded' }
const snapshot: SessionSnapshot = { account: alice, accounts: [alice, bob], networkId: 'canton:devnet', connectedAt: 1_700_000_000_000 }

describe('encodeSessionEnvelope', () => {
  it('K1: writes { version: 1, account, accounts, networkId, connectedAt } as JSON', () => {
    expect(JSON.parse(encodeSessionEnvelope(snapshot))).toEqual({ version: 1, ...snapshot })
  })

  it('K1: writes expiresAt only when the snapshot has one', () => {
    expect(JSON.parse(encodeSessionEnvelope(snapshot))).not.toHaveProperty('expiresAt')
    expect(JSON.parse(encodeSessionEnvelope({ ...snapshot, expiresAt: 1_700_000_060_000 }))).toMatchObject({ expiresAt: 1_700_000_060_000 })
  })

  it('K1: reduces accounts to the persisted fields, so no token or topology rides along', () => {
    const wallet = {
      ...alice,
      accessToken: 'secret-token',
      topologyTransactions: 'CjIKMAouCg==',
      nested: { token: 'secret-token' },
      hint: 42,
    }
    const text = encodeSessionEnvelope({ ...snapshot, account: wallet, accounts: [wallet], lastError: 'x' } as unknown as SessionSnapshot)
    expect(text).not.toContain('secret-token')
    expect(text).not.toContain('topology')
    expect(text).not.toContain('lastError')
    const { partyId, primary, status, networkId } = alice
    expect(JSON.parse(text)).toEqual({ version: 1, account: { partyId, primary, status, networkId }, accounts: [{ partyId, primary, status, networkId }], networkId: 'canton:devnet', connectedAt: snapshot.connectedAt })
  })

  it('K1, C15: a networkId that is not a string (the whole network object, with its access token, from JavaScript) is written as null: no token rides along', () => {
    const network = { networkId: 'canton:devnet', ledgerApi: 'https://ledger.example', accessToken: 'secret-token' }
    const text = encodeSessionEnvelope({ ...snapshot, networkId: network } as unknown as SessionSnapshot)
    expect(text).not.toContain('secret-token')
    expect(JSON.parse(text)).toMatchObject({ version: 1, networkId: null })
  })

  it('K1: an empty network id (\'\') is no network: it is written as null, as it reads', () => {
    const text = encodeSessionEnvelope({ ...snapshot, networkId: '' })
    expect(JSON.parse(text)).toMatchObject({ version: 1, networkId: null })
    expect(decodeSessionEnvelope(text)?.networkId).toBeNull()
  })

  it('K1: a snapshot that would not decode throws a clear TypeError instead of writing a session lost at the next reload', () => {
    const bad: [string, unknown][] = [
      ['an account without a partyId', { ...snapshot, accounts: [alice, { primary: false }] }],
      ['an empty partyId', { ...snapshot, account: null, accounts: [{ partyId: '' }] }],
      ['a partyId that is no string', { ...snapshot, account: { partyId: 42 }, accounts: [{ partyId: 42 }] }],
      ['null among the accounts', { ...snapshot, accounts: [alice, null] }],
      ['an active account not among the accounts', { ...snapshot, accounts: [bob] }],
      ['no accounts list', { ...snapshot, accounts: undefined }],
      ['no connectedAt', { ...snapshot, connectedAt: undefined }],
      ['a NaN connectedAt', { ...snapshot, connectedAt: Number.NaN }],
      ['a string connectedAt', { ...snapshot, connectedAt: '1700000000000' }],
      ['an infinite expiresAt', { ...snapshot, expiresAt: Infinity }],
      ['a NaN expiresAt (JSON writes it as null, which reads as no expiry)', { ...snapshot, expiresAt: Number.NaN }],
      ['a text over 4 MiB', { ...snapshot, accounts: [{ ...alice, hint: 'x'.repeat(4 * 1024 * 1024) }] }],
    ]
    for (const [what, value] of bad) {
      expect(() => encodeSessionEnvelope(value as SessionSnapshot), what).toThrow(new TypeError('This session snapshot would not decode'))
    }
  })

  it('K1: a snapshot whose accounts own no partyId (an inherited one, a getter that throws, a revoked proxy) throws the same clear TypeError', () => {
    const inherited = Object.create(alice) as typeof alice
    const throwing = Object.defineProperty({}, 'partyId', {
      enumerable: true,
      get() {
        throw new Error('not readable')
      },
    })
    const { proxy, revoke } = Proxy.revocable({ ...alice }, {})
    revoke()
    for (const account of [inherited, throwing, proxy]) {
      expect(() => encodeSessionEnvelope({ ...snapshot, account, accounts: [account, bob] } as unknown as SessionSnapshot)).toThrow(new TypeError('This session snapshot would not decode'))
      expect(() => encodeSessionEnvelope({ ...snapshot, account: bob, accounts: [account, bob] } as unknown as SessionSnapshot)).toThrow(new TypeError('This session snapshot would not decode'))
    }
  })

  it('K1: an active account told by a getter that changes between reads is written only if it is still one of the accounts', () => {
    let reads = 0
    const changing = Object.defineProperty({}, 'partyId', { enumerable: true, get: () => (++reads == 1 ? alice.partyId : 'mallory::1') })
    expect(() => encodeSessionEnvelope({ ...snapshot, account: changing, accounts: [changing, bob] } as unknown as SessionSnapshot)).toThrow(new TypeError('This session snapshot would not decode'))
  })

  it('K1: an expiresAt of null (no expiry, as a SessionState has it) is left out, so the text decodes', () => {
    const text = encodeSessionEnvelope({ ...snapshot, expiresAt: null } as unknown as SessionSnapshot)
    expect(JSON.parse(text)).not.toHaveProperty('expiresAt')
    expect(decodeSessionEnvelope(text)).toEqual({ version: 1, ...snapshot })
  })

  it('K1: what it writes decodes back to the same session', () => {
    const withExpiry = { ...snapshot, expiresAt: 1_700_000_060_000 }
    expect(decodeSessionEnvelope(encodeSessionEnvelope(withExpiry))).toEqual({ version: 1, ...withExpiry })
    expect(decodeSessionEnvelope(encodeSessionEnvelope({ account: null, accounts: [], networkId: null, connectedAt: 0 }))).toEqual({ version: 1, account: null, accounts: [], networkId: null, connectedAt: 0 })
  })
})
