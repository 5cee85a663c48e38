import { expect, it } from 'vitest'
import * as entry from './index'

it('exports exactly its public names', () => {
  expect(Object.keys(entry).sort()).toEqual([
    'SessionProvider',
    'useAccount',
    'useClientSession',
    'useSession',
    'useSessionEvent',
    'useSessionSelector',
    'useSessionStore',
  ])
})
