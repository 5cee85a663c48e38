import { expect, it } from 'vitest'
import * as entry from './index'

it('exports exactly its public names', () => {
  expect(Object.keys(entry).sort()).toEqual(['SESSION_KEY'])
  expect(entry.SESSION_KEY).toBe(Symbol.for('sessionlayer.session'))
})
