import { describe, expect, it } from 'vitest'
import * as entry from './index'

describe('@sessionlayer/session-sync entry', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "syncChannelName",
      ]
    `)
  })
  it('M1: binds the channel name to origin and storage key', () => {
    expect(entry.syncChannelName('https://a.example', 'k')).toBe('sessionlayer.session.sync::https://a.example::k')
    expect(entry.syncChannelName('https://a.example', 'k')).not.toBe(entry.syncChannelName('https://b.example', 'k'))
  })
})
