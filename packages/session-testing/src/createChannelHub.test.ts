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
  it('M2: delivers asynchronously, never inside postMessage, and not to a channel closed before the delivery, as BroadcastChannel does', async () => {
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    const b = hub.channelFactory('x')
    const c = hub.channelFactory('x')
    const got = { b: [] as unknown[], c: [] as unknown[] }
    b.onmessage = (e) => got.b.push(e.data)
    c.onmessage = (e) => got.c.push(e.data)
    a.postMessage('one')
    expect(got).toEqual({ b: [], c: [] })
    c.close()
    await tick()
    expect(got).toEqual({ b: ['one'], c: [] })
  })
  it('M2: each receiver gets its own structured clone of the message as it was posted, and sent records it by channel name', async () => {
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    const b = hub.channelFactory('x')
    const c = hub.channelFactory('x')
    hub.channelFactory('y').postMessage({ other: true })
    const got: { n: number }[] = []
    b.onmessage = (e) => {
      const data = e.data as { n: number }
      got.push(data)
      data.n = 99
    }
    c.onmessage = (e) => got.push(e.data as { n: number })
    const message = { n: 1 }
    a.postMessage(message)
    message.n = 2
    await tick()
    expect(got).toEqual([{ n: 99 }, { n: 1 }])
    expect(hub.sent).toEqual([{ name: 'y', data: { other: true } }, { name: 'x', data: { n: 1 } }])
    // a message that cannot be cloned throws in postMessage (DataCloneError), as BroadcastChannel does
    expect(() => a.postMessage({ f: () => 1 })).toThrow()
  })
  it('sent keeps the latest 10,000 messages, so that a hub that carries a long-lived demo holds no copy of every message', () => {
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    for (let n = 0; n <= 10_000; n++) a.postMessage({ n })
    expect(hub.sent).toHaveLength(10_000)
    expect(hub.sent[0]).toEqual({ name: 'x', data: { n: 1 } })
    expect(hub.sent.at(-1)).toEqual({ name: 'x', data: { n: 10_000 } })
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
