import { describe, expect, it } from 'vitest'
import * as entry from './index'

describe('@sessionlayer/session-sync entry', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "createTabLock",
        "getWebLocks",
        "openSyncChannel",
        "syncChannelName",
      ]
    `)
  })
})
