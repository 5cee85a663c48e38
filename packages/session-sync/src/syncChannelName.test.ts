import { describe, expect, it } from 'vitest'
import { syncChannelName } from './syncChannelName'

describe('syncChannelName', () => {
  it('M1: binds the channel name to origin and storage key', () => {
    expect(syncChannelName('https://a.example', 'k')).toBe('sessionlayer.session.sync::https://a.example::k')
  })
  it('M1: another origin or another storage key is another channel', () => {
    const name = syncChannelName('https://a.example', 'k')
    expect(syncChannelName('https://b.example', 'k')).not.toBe(name)
    expect(syncChannelName('https://a.example', 'k2')).not.toBe(name)
  })
})
