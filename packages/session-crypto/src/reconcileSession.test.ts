import { describe, expect, it } from 'vitest'
import { reconcileSession } from './reconcileSession'
import type { SessionSnapshot } from './types'

const alice = { partyId: 'alice::1220ab' }
const snapshot: SessionSnapshot = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 0 }

describe('reconcileSession', () => {
  it('K3: matches when party and network agree, whatever else differs', () => {
    expect(reconcileSession(snapshot, { account: { partyId: 'alice::1220ab' }, networkId: 'canton:devnet' })).toEqual({ matches: true, diffs: [] })
  })

  it('K3: reports a party change', () => {
    expect(reconcileSession(snapshot, { account: { partyId: 'bob::1220cd' }, networkId: 'canton:devnet' })).toEqual({
      matches: false,
      diffs: [{ field: 'account', persisted: 'alice::1220ab', live: 'bob::1220cd' }],
    })
  })

  it('K3: reports a network change', () => {
    expect(reconcileSession(snapshot, { account: alice, networkId: 'canton:mainnet' })).toEqual({
      matches: false,
      diffs: [{ field: 'networkId', persisted: 'canton:devnet', live: 'canton:mainnet' }],
    })
  })

  it('K3: reports both, account first, and compares nulls', () => {
    expect(reconcileSession(snapshot, { account: null, networkId: null })).toEqual({
      matches: false,
      diffs: [
        { field: 'account', persisted: 'alice::1220ab', live: null },
        { field: 'networkId', persisted: 'canton:devnet', live: null },
      ],
    })
    expect(reconcileSession({ ...snapshot, account: null, networkId: null }, { account: null, networkId: null }).matches).toBe(true)
    expect(reconcileSession({ ...snapshot, account: null }, { account: alice, networkId: 'canton:devnet' }).diffs).toEqual([
      { field: 'account', persisted: null, live: 'alice::1220ab' },
    ])
  })

  it('K3, K1: an empty party or network id (\'\') is none, as everywhere an id enters: it matches null, and a diff reports it as null', () => {
    const none = { ...snapshot, account: null, accounts: [], networkId: null }
    expect(reconcileSession(none, { account: { partyId: '' }, networkId: '' })).toEqual({ matches: true, diffs: [] })
    expect(reconcileSession({ ...snapshot, networkId: '' }, { account: alice, networkId: null })).toEqual({ matches: true, diffs: [] })
    expect(reconcileSession(snapshot, { account: { partyId: '' }, networkId: '' })).toEqual({
      matches: false,
      diffs: [
        { field: 'account', persisted: 'alice::1220ab', live: null },
        { field: 'networkId', persisted: 'canton:devnet', live: null },
      ],
    })
  })

  it('K3, K1: a persisted party id that is empty (\'\') is no party, as a live one is: it matches no live account, and a diff reports it as null', () => {
    const empty = { ...snapshot, account: { partyId: '' }, accounts: [] }
    expect(reconcileSession(empty, { account: null, networkId: 'canton:devnet' })).toEqual({ matches: true, diffs: [] })
    expect(reconcileSession(empty, { account: alice, networkId: 'canton:devnet' })).toEqual({
      matches: false,
      diffs: [{ field: 'account', persisted: null, live: 'alice::1220ab' }],
    })
  })

  it('K3: is pure: inputs are not touched and equal inputs give equal results', () => {
    const frozen = Object.freeze({ ...snapshot, accounts: Object.freeze([alice]) })
    const live = Object.freeze({ account: Object.freeze({ partyId: 'bob::1' }), networkId: 'canton:devnet' })
    expect(reconcileSession(frozen, live)).toEqual(reconcileSession(frozen, live))
    expect(frozen.account).toBe(alice)
  })
})
