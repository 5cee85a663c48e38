import { describe, expect, it } from 'vitest'
import { createChannelHub } from './createChannelHub'

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('createChannelHub', () => {
  it('delivers to the other channels of the same name, never back to the sender', async () => {
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    const b = hub.channelFactory('x')
    const other = hub.channelFactory('y')
    const got = { a: [] as unknown[], b: [] as unknown[], other: [] as unknown[] }
    a.onmessage = (e) => got.a.push(e.data)
    b.onmessage = (e) => got.b.push(e.data)
    other.onmessage = (e) => got.other.push(e.data)
    a.postMessage({ n: 1 })
    a.postMessage({ n: 2 })
    await tick()
    expect(got).toEqual({ a: [], b: [{ n: 1 }, { n: 2 }], other: [] })
  })
  it('stops delivery after close and counts open channels', async () => {
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    const b = hub.channelFactory('x')
    const got: unknown[] = []
    b.onmessage = (e) => got.push(e.data)
    expect(hub.openCount()).toBe(2)
    b.close()
    a.postMessage('late')
    await tick()
    expect(got).toEqual([])
    expect(hub.openCount()).toBe(1)
    expect(() => { b.postMessage('x') }).toThrow()
  })
  it('M1: unref() is accepted like Node\'s BroadcastChannel and changes nothing', async () => {
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    const b = hub.channelFactory('x')
    const got: unknown[] = []
    b.onmessage = (e) => got.push(e.data)
    a.unref()
    b.unref()
    a.postMessage('still delivered')
    await tick()
    expect(got).toEqual(['still delivered'])
    expect(hub.openCount()).toBe(2)
  })
})
