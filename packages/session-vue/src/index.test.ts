import { expect, it } from 'vitest'
import * as entry from './index'

it('exports exactly its public names', () => {
  expect(Object.keys(entry).sort()).toEqual([
    'SESSION_KEY',
    'createSessionPlugin',
    'provideSession',
    'useAccount',
    'useSession',
    'useSessionEvent',
    'useSessionStore',
  ])
  expect(entry.SESSION_KEY).toBe(Symbol.for('sessionlayer.session'))
})
