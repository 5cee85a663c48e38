import { describe, expect, it } from 'vitest'
import { DISCONNECTED_STATE } from './machine'
import { sessionQueryKey } from './sessionQueryKey'

describe('sessionQueryKey', () => {
  it('§4: the key is the root, the network, the party, then the parts; null (never undefined) for a session without network or account', () => {
    expect(sessionQueryKey({ networkId: 'canton:devnet', account: { partyId: 'alice::1' } }, 'holdings', 2)).toEqual(['sessionlayer', 'canton:devnet', 'alice::1', 'holdings', 2])
    const empty = sessionQueryKey(DISCONNECTED_STATE, 'holdings')
    expect(empty).toEqual(['sessionlayer', null, null, 'holdings'])
    expect(empty[2]).toBeNull()
  })
})
