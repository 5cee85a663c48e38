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

  it('§2.1, C18: an empty list has no active account, not one its prototype lends at index 0 (a polluted `Object.prototype[0]`, which every array inherits)', () => {
    const mallory = { partyId: 'mallory::1', primary: true }
    const empty = Object.setPrototypeOf([], Object.create(Array.prototype, { 0: { value: mallory } })) as { partyId: string }[]
    expect(empty[0]).toBe(mallory)
    expect(primaryAccount(empty)).toBeNull()
  })
})
