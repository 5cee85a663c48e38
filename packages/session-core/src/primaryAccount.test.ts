import { describe, expect, it } from 'vitest'
import { primaryAccount } from './primaryAccount'

describe('primaryAccount', () => {
  it('§2.1, C18: only an account’s own primary flag counts: one it inherits (a polluted prototype lends it every account) does not make it the active one', () => {
    const inherited = Object.create({ primary: true }, { partyId: { value: 'mallory::1', enumerable: true } }) as { partyId: string }
    expect(primaryAccount([inherited, { partyId: 'alice::1', primary: true }])?.partyId).toBe('alice::1')
    // with no own flag anywhere, the first account is the active one
    expect(primaryAccount([inherited, { partyId: 'bob::2' }])).toBe(inherited)
    expect(primaryAccount([])).toBeNull()
  })
})
