import { expect, it } from 'vitest'
import * as entry from './index'

it('exports exactly its public names', () => {
  expect(Object.keys(entry).sort()).toEqual(['createChannelHub', 'createMockLockManager', 'createMockProvider', 'createMockWallet'])
})
