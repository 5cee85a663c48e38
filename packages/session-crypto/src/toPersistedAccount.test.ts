import { describe, expect, it } from 'vitest'
import { toPersistedAccount } from './toPersistedAccount'

describe('toPersistedAccount', () => {
  it('K1: keeps the party fields of the right type and nothing else', () => {
    const wallet = JSON.parse(
      '{"partyId":"alice::1220","primary":true,"status":"allocated","hint":"alice","publicKey":"pk","namespace":"1220","networkId":"canton:devnet","signingProviderId":"participant","disabled":false,"reason":"","accessToken":"secret","topologyTransactions":["tx"],"__proto__":{"polluted":true}}',
    ) as unknown
    const account = toPersistedAccount(wallet)
    expect(account).toEqual({
      partyId: 'alice::1220',
      primary: true,
      status: 'allocated',
      hint: 'alice',
      publicKey: 'pk',
      namespace: '1220',
      networkId: 'canton:devnet',
      signingProviderId: 'participant',
      disabled: false,
      reason: '',
    })
    expect(Object.getPrototypeOf(account)).toBe(Object.prototype)
    expect(JSON.stringify(account)).not.toContain('secret')
  })

  it('C18: leaves out known fields of the wrong type', () => {
    expect(toPersistedAccount({ partyId: 'bob::1', primary: 'yes', status: 7, disabled: 1, hint: null })).toEqual({ partyId: 'bob::1' })
  })

  it('C18: null for a value without a non-empty string partyId, never a throw', () => {
    for (const value of [null, undefined, 0, 'alice::1', [], {}, { partyId: '' }, { partyId: 42 }, { hint: 'alice' }]) {
      expect(toPersistedAccount(value)).toBeNull()
    }
  })

  it('C18: an account that cannot be read (a throwing getter, a revoked proxy) is null, never a throw', () => {
    const { proxy, revoke } = Proxy.revocable({ partyId: 'alice::1' }, {})
    revoke()
    const getter = Object.defineProperty({ partyId: 'alice::1' }, 'hint', {
      enumerable: true,
      get() {
        throw new Error('not readable')
      },
    })
    for (const value of [proxy, getter]) {
      expect(() => toPersistedAccount(value)).not.toThrow()
      expect(toPersistedAccount(value)).toBeNull()
    }
  })

  it('C18: a partyId the account does not own (a class getter, a prototype, a proxy that lists no key) is none: null', () => {
    const party = 'alice::1'
    class Account {
      get partyId() {
        return party
      }
    }
    const inherited = Object.create({ partyId: 'alice::1' }) as unknown
    const hidden = new Proxy({}, { get: (_, key) => (key === 'partyId' ? 'alice::1' : undefined) })
    const nonEnumerable = Object.defineProperty({}, 'partyId', { value: 'alice::1' })
    for (const value of [new Account(), inherited, hidden, nonEnumerable]) expect(toPersistedAccount(value)).toBeNull()
  })

  it('C18: an own getter is read once: the copy keeps the party it told then', () => {
    let reads = 0
    const account = Object.defineProperty({}, 'partyId', { enumerable: true, get: () => (++reads == 1 ? 'alice::1' : 'bob::1') })
    expect(toPersistedAccount(account)).toEqual({ partyId: 'alice::1' })
    expect(reads).toBe(1)
  })

  it('K1, C18: reads only the fields an account has, where Object.prototype is polluted', () => {
    const proto = Object.prototype as Record<string, unknown>
    proto.partyId = 'mallory::1220ff'
    proto.primary = true
    try {
      expect(toPersistedAccount({ hint: 'no party' })).toBeNull()
      const account = toPersistedAccount({ partyId: 'alice::1220' })
      expect(Object.hasOwn(account!, 'primary')).toBe(false)
      expect(account?.partyId).toBe('alice::1220')
    } finally {
      delete proto.partyId
      delete proto.primary
    }
  })
})
