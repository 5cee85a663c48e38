import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChannelHubOptions, HubChannel } from './createChannelHub'
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

/**
 * Node's own `BroadcastChannel`: the hub stands in for it, so both must pass the same tests. Its
 * names get a prefix of this run's own, as its channels reach every thread of the process.
 */
const platform = () => {
  const made: BroadcastChannel[] = []
  const prefix = `${crypto.randomUUID()}:`
  afterEach(() => {
    for (const channel of made.splice(0)) channel.close()
  })
  return (name: string) => {
    const channel = new BroadcastChannel(prefix + name)
    made.push(channel)
    return channel as unknown as HubChannel
  }
}
/** A hub of its own for every test. */
const hub = (options?: ChannelHubOptions) => () => {
  let factory = createChannelHub(options).channelFactory
  beforeEach(() => {
    factory = createChannelHub(options).channelFactory
  })
  return (name: string) => factory(name)
}

/** A channel and what it received, in order. */
const listen = (channel: HubChannel) => {
  const got: unknown[] = []
  channel.onmessage = (e) => got.push(e.data)
  return got
}
/** Resolves once `got` holds `value`: the platform's channel delivers outside the timers, so its delivery is awaited, never timed. */
const until = (got: unknown[], value: unknown) =>
  new Promise<void>((resolve) => {
    const check = () => (got.includes(value) ? resolve() : setImmediate(check))
    check()
  })
/** Lets every microtask queued so far (and those they queue, a hundred deep) run. */
const microtasks = async () => {
  for (let i = 0; i < 100; i++) await Promise.resolve()
}

describe.each([
  ['BroadcastChannel', platform, 'task'],
  ['createChannelHub', hub(), 'task'],
  ["createChannelHub({ delivery: 'microtask' })", hub({ delivery: 'microtask' }), 'microtask'],
])('M2: as %s', (_, make, delivery) => {
  const open = make()

  it(`delivers on a ${delivery}, never inside postMessage`, async () => {
    const a = open('x')
    const got = listen(open('x'))
    a.postMessage('one')
    expect(got).toEqual([])
    // a task of its own comes after the microtasks that follow the post
    await microtasks()
    expect(got).toEqual(delivery === 'task' ? [] : ['one'])
    await until(got, 'one')
    expect(got).toEqual(['one'])
  })

  it('delivers every message once, in the order posted, from several senders, never back to a sender', async () => {
    const a = open('x')
    const b = open('x')
    const c = open('x')
    const got = { a: listen(a), b: listen(b), c: listen(c) }
    a.postMessage('a1')
    b.postMessage('b1')
    a.postMessage('a2')
    await until(got.c, 'a2')
    await until(got.b, 'a2')
    await until(got.a, 'b1')
    expect(got).toEqual({ a: ['b1'], b: ['a1', 'a2'], c: ['a1', 'b1', 'a2'] })
  })

  it('gives each receiver its own clone of the message as it was posted', async () => {
    const a = open('x')
    const b = open('x')
    const c = open('x')
    const got = { b: listen(b), c: listen(c) }
    const message = { n: 1, list: [1] }
    a.postMessage(message)
    message.n = 2
    message.list.push(2)
    a.postMessage('end')
    await until(got.b, 'end')
    await until(got.c, 'end')
    expect(got.b[0]).toEqual({ n: 1, list: [1] })
    expect(got.b[0]).not.toBe(got.c[0])
  })

  it('throws a DataCloneError at postMessage for a value it cannot clone, and sends nothing', async () => {
    const a = open('x')
    const got = listen(open('x'))
    for (const value of [() => 1, { f: () => 1 }, Symbol('s'), { s: Symbol('s') }]) {
      expect(() => a.postMessage(value)).toThrow(expect.objectContaining({ name: 'DataCloneError' }))
      let thrown: unknown
      try {
        a.postMessage(value)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(DOMException)
    }
    a.postMessage('end')
    await until(got, 'end')
    expect(got).toEqual(['end'])
  })

  it('close() stops delivery to the channel, of the messages already on their way too, and its postMessage throws InvalidStateError', async () => {
    const a = open('x')
    const b = open('x')
    const c = open('x')
    const got = { a: listen(a), b: listen(b), c: listen(c) }
    a.postMessage('queued')
    b.close()
    b.close()
    expect(() => b.postMessage('after close')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    a.postMessage('end')
    await until(got.c, 'end')
    expect(got).toEqual({ a: [], b: [], c: ['queued', 'end'] })
  })

  it('delivers what a channel posted before its close(), and nothing to it after', async () => {
    const a = open('x')
    const b = open('x')
    const got = { a: listen(a), b: listen(b) }
    a.postMessage('before close')
    a.close()
    b.postMessage('to a closed channel')
    const c = open('x')
    c.postMessage('end')
    await until(got.b, 'end')
    expect(got).toEqual({ a: [], b: ['before close', 'end'] })
  })

  it('reaches the channels open at the post only, with the onmessage they have when it arrives', async () => {
    const a = open('x')
    const b = open('x')
    a.postMessage('one')
    const late = open('x')
    const got = { b: listen(b), late: listen(late) }
    a.postMessage('end')
    await until(got.late, 'end')
    await until(got.b, 'end')
    expect(got).toEqual({ b: ['one', 'end'], late: ['end'] })
  })

  it('compares channel names exactly', async () => {
    const a = open('x')
    const got = { upper: listen(open('X')), spaced: listen(open('x ')), same: listen(open('x')) }
    a.postMessage('one')
    a.postMessage('end')
    await until(got.same, 'end')
    expect(got).toEqual({ upper: [], spaced: [], same: ['one', 'end'] })
  })
})

describe('createChannelHub, where it differs from BroadcastChannel', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('keeps hubs apart: a channel hears only the channels of its own hub', async () => {
    const one = createChannelHub()
    const two = createChannelHub()
    const got = { one: listen(one.channelFactory('x')), two: listen(two.channelFactory('x')) }
    one.channelFactory('x').postMessage('to one')
    await tick()
    expect(got).toEqual({ one: ['to one'], two: [] })
    expect(two.sent).toEqual([])
  })

  it('delivers in the order posted under fake timers too, where a timer of 0 ms set in a timer\'s callback is due 1 ms later than one set outside', () => {
    vi.useFakeTimers()
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    const got = listen(hub.channelFactory('x'))
    setTimeout(() => a.postMessage('one'), 10)
    vi.advanceTimersByTime(10)
    a.postMessage('two')
    vi.advanceTimersByTime(1)
    expect(got).toEqual(['one', 'two'])
  })

  it('delivers a message whose timer was dropped (fake timers uninstalled with it on its way) with the next one, in order: a hub reused by the next test is not a message behind from then on', async () => {
    const hub = createChannelHub()
    const a = hub.channelFactory('x')
    const got = listen(hub.channelFactory('x'))
    vi.useFakeTimers()
    a.postMessage('left over')
    vi.useRealTimers()
    a.postMessage('one')
    await tick()
    expect(got).toEqual(['left over', 'one'])
    a.postMessage('two')
    await tick()
    expect(got).toEqual(['left over', 'one', 'two'])
  })

  it('delivers on a timer of 0 ms through the global setTimeout looked up at the post, so that fake timers control it', async () => {
    const hub = createChannelHub()
    vi.useFakeTimers()
    const a = hub.channelFactory('x')
    const got = listen(hub.channelFactory('x'))
    a.postMessage('one')
    await microtasks()
    expect(got).toEqual([])
    vi.advanceTimersByTime(0)
    expect(got).toEqual(['one'])
  })
})
