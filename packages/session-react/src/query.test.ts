import { describe, expect, it } from 'vitest'
import { CONNECTED_STATE } from '../test/helpers'
import * as query from './query'

describe('query entry', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(query).sort()).toEqual(['SESSION_QUERY_KEY_ROOT', 'sessionQueryKey', 'useSessionQueryInvalidation'])
  })
  it('scopes keys to network and party', () => {
    expect(query.sessionQueryKey({ networkId: 'canton:devnet', account: { partyId: 'alice::1' } }, 'holdings', 2)).toEqual([
      'sessionlayer',
      'canton:devnet',
      'alice::1',
      'holdings',
      2,
    ])
    expect(query.sessionQueryKey({ networkId: null, account: null })).toEqual(['sessionlayer', null, null])
  })
  it('§4: a whole SessionState (or what useSession returns) gives the same key as its network and account alone', () => {
    const session = { ...CONNECTED_STATE, isConnected: true, connect: () => Promise.resolve(CONNECTED_STATE) }
    for (const source of [CONNECTED_STATE, session]) {
      expect(query.sessionQueryKey(source, 'holdings')).toEqual(['sessionlayer', 'canton:devnet', 'alice::1220aa', 'holdings'])
    }
  })
})
