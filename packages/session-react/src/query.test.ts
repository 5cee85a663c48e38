import { describe, expect, it } from 'vitest'
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
})
