import { createChannelHub, type HubChannel } from '@sessionlayer/session-testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { openSyncChannel, type SyncChannel } from './openSyncChannel'
import { syncChannelName } from './syncChannelName'
import type { BroadcastChannelLike, SyncMessage } from './types'

const NAME = syncChannelName('https://app.example', 'sessionlayer.session')
const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

/** Opens `count` tabs on one hub, each recording what it receives. */
function openTabs(count: number, name = NAME) {
  const hub = createChannelHub()
  const tabs = Array.from({ length: count }, (_, i) => {
    const received: SyncMessage[] = []
    const channel = openSyncChannel(name, { channelFactory: hub.channelFactory, tabId: `tab-${i}`, now: () => 1000 + i })
    channel.subscribe((message) => received.push(message))
    return { channel, received }
  })
  return { hub, tabs }
}

/** A channel whose underlying end the test drives directly. */
function openWithFake(options: { tabId?: string; maxBytes?: number } = {}) {
  const fake: BroadcastChannelLike & { onmessage: ((event: { data: unknown }) => void) | null } = {
    onmessage: null,
    postMessage: vi.fn(),
    close: vi.fn(),
    unref: vi.fn(),
  }
  const channel = openSyncChannel(NAME, { channelFactory: () => fake, ...options })
  const received: SyncMessage[] = []
  channel.subscribe((message) => received.push(message))
  const deliver = (data: unknown) => fake.onmessage?.({ data })
  return { fake, channel, received, deliver }
}

const message = (patch: Record<string, unknown> = {}) => ({ v: 1, kind: 'party', seq: 1, tabId: 'other', at: 5, ch: NAME, data: {}, ...patch })

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('openSyncChannel over the channel hub', () => {
  it('M2: posts { v, kind, seq, tabId, at, ch, data } with seq starting at 1 and strictly increasing', async () => {
    const { hub, tabs } = openTabs(2)
    const [a, b] = tabs
    a!.channel.post('party', { current: 'p::1' })
    a!.channel.post('disconnected')
    await tick()
    expect(hub.sent.map((s) => s.data)).toEqual([
      { v: 1, kind: 'party', seq: 1, tabId: 'tab-0', at: 1000, ch: NAME, data: { current: 'p::1' } },
      { v: 1, kind: 'disconnected', seq: 2, tabId: 'tab-0', at: 1000, ch: NAME, data: {} },
    ])
    expect(b!.received).toEqual(hub.sent.map((s) => s.data))
    expect(a!.received).toEqual([])
  })

  it('M2: a receiving tab gets a frozen message and never rebroadcasts (3 tabs, no loops)', async () => {
    const { hub, tabs } = openTabs(3)
    tabs.forEach(({ channel }, i) => {
      channel.post('activity', { i })
    })
    await tick()
    await tick()
    expect(hub.sent).toHaveLength(3)
    expect(hub.sent.map((s) => (s.data as SyncMessage).tabId)).toEqual(['tab-0', 'tab-1', 'tab-2'])
    tabs.forEach(({ received }, i) => {
      expect(received).toHaveLength(2)
      expect(received.map((m) => m.tabId).sort()).toEqual(['tab-0', 'tab-1', 'tab-2'].filter((_, j) => j !== i))
      expect(received.every((m) => Object.isFrozen(m) && Object.isFrozen(m.data))).toBe(true)
    })
  })

  it('M1: a channel of another storage key receives nothing', async () => {
    const hub = createChannelHub()
    const a = openSyncChannel(NAME, { channelFactory: hub.channelFactory })
    const other = openSyncChannel(syncChannelName('https://app.example', 'other'), { channelFactory: hub.channelFactory })
    const got = vi.fn()
    other.subscribe(got)
    a.post('disconnected')
    await tick()
    expect(got).not.toHaveBeenCalled()
  })

  it('M2: junk on the channel is ignored without throwing and Object.prototype stays clean', async () => {
    const { hub, tabs } = openTabs(1)
    const [tab] = tabs
    const raw: HubChannel = hub.channelFactory(NAME)
    const junk: unknown[] = [
      null,
      undefined,
      'disconnected',
      42,
      [message()],
      message({ v: 2 }),
      { kind: 'party', seq: 1, tabId: 'other', at: 5, ch: NAME, data: {} },
      message({ kind: 42 }),
      message({ kind: 'Not valid' }),
      message({ seq: '1' }),
      message({ seq: 0 }),
      message({ tabId: '' }),
      message({ at: 'now' }),
      message({ data: 'x' }),
      message({ data: JSON.parse('{"__proto__":{"polluted":1}}') }),
      message({ data: { deep: [JSON.parse('{"__proto__":{"polluted":1}}')] } }),
      message({ data: { constructor: { prototype: { polluted: 1 } } } }),
      message({ data: { a: { prototype: { polluted: 1 } } } }),
      message({ data: { s: 'x'.repeat(8200) } }),
      message({ ch: syncChannelName('https://app.example', 'other') }),
      message({ ch: syncChannelName('https://evil.example', 'sessionlayer.session') }),
      message({ tabId: 'tab-0' }),
    ]
    for (const data of junk) raw.postMessage(data)
    await tick()
    expect(tab!.received).toEqual([])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    raw.postMessage(message())
    await tick()
    expect(tab!.received).toEqual([message()])
  })

  it('M2: a stale or duplicate seq from the same tab is dropped; each sender is ordered on its own', async () => {
    const { hub, tabs } = openTabs(1)
    const raw = hub.channelFactory(NAME)
    for (const [tabId, seq] of [['x', 1], ['x', 3], ['x', 3], ['x', 2], ['y', 1], ['x', 4], ['y', 1], ['y', 2]] as const) {
      raw.postMessage(message({ tabId, seq }))
    }
    await tick()
    expect(tabs[0]!.received.map((m) => `${m.tabId}${m.seq}`)).toEqual(['x1', 'x3', 'y1', 'x4', 'y2'])
  })

  it('M2: never delivers a message carrying its own tabId (an echoing transport)', () => {
    const { channel, received, deliver, fake } = openWithFake({ tabId: 'me' })
    channel.post('activity')
    deliver((fake.postMessage as ReturnType<typeof vi.fn>).mock.calls[0]![0])
    deliver(message({ tabId: 'me', seq: 99 }))
    expect(received).toEqual([])
  })

  it('M2: forgets the oldest sender beyond 256, keeping the ordering state bounded', () => {
    const { received, deliver } = openWithFake()
    deliver(message({ tabId: 'first', seq: 5 }))
    for (let i = 0; i < 255; i++) deliver(message({ tabId: `t${i}`, seq: 1 }))
    deliver(message({ tabId: 'first', seq: 5 }))
    expect(received).toHaveLength(256) // 256 senders remembered: the replay is dropped
    deliver(message({ tabId: 'one-more', seq: 1 }))
    deliver(message({ tabId: 'first', seq: 5 }))
    expect(received).toHaveLength(258) // `first` was forgotten: its seq counts afresh
  })

  it('M2: beyond 256 senders, the least recently heard one is forgotten, not the one heard first that still talks', () => {
    const { received, deliver } = openWithFake()
    deliver(message({ tabId: 'first', seq: 5 }))
    for (let i = 0; i < 255; i++) deliver(message({ tabId: `t${i}`, seq: 1 }))
    deliver(message({ tabId: 'first', seq: 6 })) // heard again: now the most recent sender
    deliver(message({ tabId: 'one-more', seq: 1 })) // the 257th: `t0` is forgotten
    expect(received).toHaveLength(258)
    deliver(message({ tabId: 'first', seq: 6 }))
    deliver(message({ tabId: 'first', seq: 4 }))
    expect(received).toHaveLength(258) // `first` is still known: its stale messages are dropped
    deliver(message({ tabId: 't0', seq: 1 }))
    expect(received).toHaveLength(259) // `t0` was forgotten: its seq counts afresh
  })

  it('M2: listeners get a fresh copy, never the received object', () => {
    const { received, deliver } = openWithFake()
    const list = [1]
    const raw = message({ data: { list } })
    deliver(raw)
    expect(received[0]).toEqual(raw)
    expect(received[0]).not.toBe(raw)
    list.push(2)
    expect(received[0]!.data).toEqual({ list: [1] })
    expect(() => {
      ;(received[0]!.data.list as number[]).push(3)
    }).toThrow(TypeError)
  })

  it('M2: a throwing listener does not stop the others and never throws out of onmessage', () => {
    const { channel, received, deliver } = openWithFake()
    channel.subscribe(() => {
      throw new Error('listener bug')
    })
    const last = vi.fn()
    channel.subscribe(last)
    expect(() => deliver(message())).not.toThrow()
    expect(received).toHaveLength(1)
    expect(last).toHaveBeenCalledTimes(1)
  })

  it('M2: an async listener that rejects does not stop the others and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const { channel, received, deliver } = openWithFake()
      // eslint-disable-next-line @typescript-eslint/no-misused-promises -- an async listener is the case under test
      channel.subscribe(async () => {
        await Promise.resolve()
        throw new Error('refetch failed')
      })
      const last = vi.fn()
      channel.subscribe(last)
      deliver(message())
      await tick()
      await tick()
      expect(received).toHaveLength(1)
      expect(last).toHaveBeenCalledTimes(1)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('M2: a listener removed by an earlier one during a delivery does not receive that message', () => {
    const { channel, deliver } = openWithFake()
    const removed = vi.fn()
    let stop = () => {}
    channel.subscribe(() => stop())
    stop = channel.subscribe(removed)
    deliver(message())
    expect(removed).not.toHaveBeenCalled()
  })

  it('M2: a listener added by another during a delivery does not receive that message, only the next one', () => {
    const { channel, deliver } = openWithFake()
    const added = vi.fn<(message: SyncMessage) => void>()
    let first = true
    channel.subscribe(() => {
      if (first) channel.subscribe(added)
      first = false
    })
    deliver(message())
    expect(added).not.toHaveBeenCalled()
    deliver(message({ seq: 2 }))
    expect(added.mock.calls.map(([m]) => m.seq)).toEqual([2])
  })

  it('M2: close() from a listener stops the delivery to the listeners after it', () => {
    const { channel, received, deliver } = openWithFake()
    channel.subscribe(() => channel.close())
    const after = vi.fn()
    channel.subscribe(after)
    deliver(message())
    expect(received).toHaveLength(1)
    expect(after).not.toHaveBeenCalled()
  })

  it('M2: never throws out of onmessage for a malformed event', () => {
    const { fake, received } = openWithFake()
    expect(() => (fake.onmessage as unknown as (event?: unknown) => void)()).not.toThrow()
    expect(received).toEqual([])
  })

  it('M2: never throws out of onmessage for an event whose data cannot be read (a custom channel\'s)', () => {
    const { fake, received, deliver } = openWithFake()
    const event = {
      get data(): unknown {
        throw new Error('unreadable')
      },
    }
    expect(() => fake.onmessage?.(event)).not.toThrow()
    expect(received).toEqual([])
    deliver(message({ tabId: 'other', seq: 1 }))
    expect(received).toHaveLength(1) // the channel goes on
  })

  it('M2: over a custom channel that delivers inside postMessage, a message a listener makes the sender post reaches every tab after the one being delivered: none is reordered or dropped as stale', () => {
    // a synchronous transport: each open channel gets the message before postMessage returns
    const open: (BroadcastChannelLike & { onmessage: ((event: { data: unknown }) => void) | null })[] = []
    const channelFactory = () => {
      const end = {
        onmessage: null as ((event: { data: unknown }) => void) | null,
        postMessage: (data: unknown) => {
          for (const peer of open) if (peer !== end) peer.onmessage?.({ data: structuredClone(data) })
        },
        close: () => undefined,
      }
      open.push(end)
      return end
    }
    const [a, b, c] = ['a', 'b', 'c'].map((tabId) => openSyncChannel(NAME, { channelFactory, tabId }))
    const seen = (channel: SyncChannel) => {
      const kinds: string[] = []
      channel.subscribe((m) => kinds.push(m.kind))
      return kinds
    }
    const inB = seen(b!)
    // B's listener makes A post again, while A's first message is still on its way to the other tabs
    b!.subscribe((m) => {
      if (m.kind === 'first') a!.post('second')
    })
    const inBLater = seen(b!)
    const inC = seen(c!)
    a!.post('first')
    expect(inC).toEqual(['first', 'second'])
    expect(inB).toEqual(['first', 'second'])
    expect(inBLater).toEqual(['first', 'second'])
    // the channel goes on as before
    a!.post('third')
    expect(inC).toEqual(['first', 'second', 'third'])
  })

  it('M2: a post the underlying channel failed to send holds back none of the later ones', () => {
    const { fake, channel } = openWithFake()
    const postMessage = fake.postMessage as ReturnType<typeof vi.fn>
    postMessage.mockImplementationOnce(() => {
      throw new DOMException('busy', 'DataCloneError')
    })
    channel.post('first')
    channel.post('second')
    channel.post('third')
    expect(postMessage.mock.calls.map(([m]) => (m as SyncMessage).kind)).toEqual(['first', 'second', 'third'])
  })

  it('unsubscribe stops one listener only', async () => {
    const { tabs } = openTabs(2)
    const extra = vi.fn()
    const stop = tabs[1]!.channel.subscribe(extra)
    stop()
    tabs[0]!.channel.post('activity')
    await tick()
    expect(extra).not.toHaveBeenCalled()
    expect(tabs[1]!.received).toHaveLength(1)
  })

  it('close stops delivery, closes the underlying channel once and is idempotent; post after close is a no-op', async () => {
    const { hub, tabs } = openTabs(2)
    const [a, b] = tabs
    expect(hub.openCount()).toBe(2)
    b!.channel.close()
    b!.channel.close()
    expect(hub.openCount()).toBe(1)
    expect(b!.channel.isLive).toBe(false)
    a!.channel.post('activity')
    await tick()
    expect(b!.received).toEqual([])
    const sent = hub.sent.length
    expect(() => b!.channel.post('activity')).not.toThrow()
    expect(hub.sent).toHaveLength(sent)

    const { fake, channel } = openWithFake()
    channel.close()
    channel.close()
    expect(fake.close).toHaveBeenCalledTimes(1)
    channel.post('activity')
    expect(fake.postMessage).not.toHaveBeenCalled()
  })

  it('M2: after close() nothing is delivered, also by a custom channel whose close() does nothing or fails, to a listener added after it', () => {
    const { fake, channel, received, deliver } = openWithFake()
    fake.close = vi.fn(() => {
      throw new Error('close failed')
    })
    channel.close()
    const late = vi.fn()
    channel.subscribe(late)
    deliver(message())
    expect(channel.isLive).toBe(false)
    expect(late).not.toHaveBeenCalled()
    expect(received).toEqual([])
  })

  it('close stops delivery of messages already in flight', async () => {
    const { tabs } = openTabs(2)
    tabs[0]!.channel.post('activity')
    tabs[1]!.channel.close()
    await tick()
    expect(tabs[1]!.received).toEqual([])
  })

  it('M2: post never throws and sends nothing for a payload that is not JSON-safe, too large in UTF-8 bytes or of a bad kind', () => {
    const { channel, fake } = openWithFake({ maxBytes: 64 })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const bad: [string, Record<string, unknown>?][] = [
      ['Party'],
      ['', {}],
      ['activity', { n: 1n }],
      ['activity', cyclic],
      ['activity', { m: new Map() }],
      ['activity', { when: new Date(0) }],
      ['activity', { s: 'x'.repeat(64) }],
      // 30 characters, 74 bytes in UTF-8
      ['activity', { s: '一'.repeat(22) }],
      ['activity', JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>],
    ]
    for (const [kind, data] of bad) expect(() => channel.post(kind, data)).not.toThrow()
    expect(fake.postMessage).not.toHaveBeenCalled()
    channel.post('activity', { ok: true })
    expect(fake.postMessage).toHaveBeenCalledWith(expect.objectContaining({ seq: 1, data: { ok: true } }))
  })

  it('M2: post sends data as JSON writes it: NaN and Infinity arrive as null, undefined and function values are left out, and the receiver sees only JSON values', async () => {
    const { hub, tabs } = openTabs(2)
    tabs[0]!.channel.post('activity', { nan: NaN, big: -Infinity, gone: undefined, fn: () => 1, list: [NaN, undefined, () => 1, 2] })
    await tick()
    expect(hub.sent).toHaveLength(1)
    expect(tabs[1]!.received.map((m) => m.data)).toEqual([{ nan: null, big: null, list: [null, null, null, 2] }])
    expect(Object.keys(tabs[1]!.received[0]!.data)).toEqual(['nan', 'big', 'list'])
  })

  it('post swallows a failing underlying channel or clock', () => {
    const failing: BroadcastChannelLike = {
      onmessage: null,
      postMessage: () => {
        throw new DOMException('closed', 'InvalidStateError')
      },
      close: () => {
        throw new Error('close failed')
      },
    }
    const channel = openSyncChannel(NAME, { channelFactory: () => failing })
    expect(() => channel.post('activity')).not.toThrow()
    expect(() => channel.close()).not.toThrow()
    const clockless = openWithFake()
    const broken = openSyncChannel(NAME, {
      channelFactory: () => clockless.fake,
      now: () => {
        throw new Error('clock')
      },
    })
    expect(() => broken.post('activity')).not.toThrow()
    expect(clockless.fake.postMessage).not.toHaveBeenCalled()
  })

  it('M2: by default data is bounded at 8192 UTF-8 bytes of its JSON, sent and received', () => {
    const { channel, fake, received, deliver } = openWithFake()
    // {"s":""} is 8 bytes around the string
    const sized = (bytes: number) => ({ s: 'x'.repeat(bytes - 8) })
    deliver(message({ data: sized(8193) }))
    deliver(message({ seq: 2, data: sized(8192) }))
    expect(received.map((m) => m.seq)).toEqual([2])
    channel.post('over', sized(8193))
    channel.post('fits', sized(8192))
    expect((fake.postMessage as ReturnType<typeof vi.fn>).mock.calls.map(([m]) => (m as SyncMessage).kind)).toEqual(['fits'])
  })

  it('a smaller maxBytes on the receiver drops larger payloads', () => {
    const { received, deliver } = openWithFake({ maxBytes: 20 })
    deliver(message({ data: { s: 'x'.repeat(20) } }))
    deliver(message({ seq: 2, data: { s: 'x' } }))
    expect(received.map((m) => m.seq)).toEqual([2])
  })

  it('calls unref on the underlying channel so it never keeps a Node process alive', () => {
    const { fake, channel } = openWithFake()
    expect(fake.unref).toHaveBeenCalledTimes(1)
    expect(channel.isLive).toBe(true)
  })

  it('a random tab id is made at open time, different for every channel, at most 64 characters', () => {
    const ids = new Set(Array.from({ length: 20 }, () => openSyncChannel(NAME).tabId))
    expect(ids.size).toBe(20)
    for (const id of ids) expect(id.length).toBeGreaterThan(0)
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(64)
    vi.stubGlobal('crypto', undefined)
    const fallback = openSyncChannel(NAME)
    expect(fallback.tabId).toMatch(/^[a-z0-9]{8,64}$/)
    expect(openSyncChannel(NAME).tabId).not.toBe(fallback.tabId)
  })
})

describe('openSyncChannel environment (M1)', () => {
  it('M1: in Node without a factory the channel is a no-op, although Node has a global BroadcastChannel', async () => {
    expect(typeof globalThis.BroadcastChannel).toBe('function')
    const spy = new BroadcastChannel(NAME)
    const seen = vi.fn()
    spy.onmessage = seen
    const a = openSyncChannel(NAME)
    const b = openSyncChannel(NAME)
    const got = vi.fn()
    b.subscribe(got)
    expect(a.isLive).toBe(false)
    expect(b.isLive).toBe(false)
    expect(() => a.post('disconnected')).not.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(got).not.toHaveBeenCalled()
    expect(seen).not.toHaveBeenCalled()
    spy.close()
    a.close()
  })

  it('M1: in a browser-like context the global BroadcastChannel carries messages between channels', async () => {
    vi.stubGlobal('document', {})
    const a = openSyncChannel(NAME)
    const b = openSyncChannel(NAME)
    const got = new Promise<SyncMessage>((resolve) => b.subscribe(resolve))
    expect(a.isLive).toBe(true)
    a.post('connected', { partyId: 'p::1' })
    const received = await got
    expect(received).toMatchObject({ kind: 'connected', tabId: a.tabId, seq: 1, data: { partyId: 'p::1' } })
    a.close()
    b.close()
  })

  it('M1: in a worker (no document) the global BroadcastChannel carries messages between channels, as it links the workers and tabs of the origin', async () => {
    vi.stubGlobal('document', undefined)
    vi.stubGlobal('WorkerGlobalScope', function WorkerGlobalScope() {})
    const a = openSyncChannel(NAME)
    const b = openSyncChannel(NAME)
    const got = new Promise<SyncMessage>((resolve) => b.subscribe(resolve))
    expect(a.isLive).toBe(true)
    expect(b.isLive).toBe(true)
    a.post('disconnected')
    expect(await got).toMatchObject({ kind: 'disconnected', tabId: a.tabId, seq: 1 })
    a.close()
    b.close()
  })

  it('M1: a BroadcastChannel that cannot be created (a browser that refuses one on an opaque origin) gives a no-op channel, never a throw', () => {
    vi.stubGlobal('document', {})
    vi.stubGlobal(
      'BroadcastChannel',
      function OpaqueOriginChannel() {
        throw new DOMException('opaque origin', 'SecurityError')
      },
    )
    let channel: SyncChannel | undefined
    expect(() => (channel = openSyncChannel(NAME))).not.toThrow()
    expect(channel?.isLive).toBe(false)
    expect(() => channel?.post('activity')).not.toThrow()
    expect(() => channel?.close()).not.toThrow()
    expect(openSyncChannel(NAME, { channelFactory: () => { throw new Error('nope') } }).isLive).toBe(false)
  })

  it('M1: a custom channel that fails as it is set up (its unref throws, or it takes no onmessage) gives a no-op channel, never a throw', () => {
    const postMessage = vi.fn()
    const broken = [
      {
        onmessage: null,
        postMessage,
        close: vi.fn(),
        unref: () => {
          throw new Error('no unref here')
        },
      },
      Object.freeze({ onmessage: null, postMessage, close: vi.fn() }),
    ]
    for (const fake of broken) {
      const channel = openSyncChannel(NAME, { channelFactory: () => fake })
      expect(channel.isLive).toBe(false)
      channel.post('party')
    }
    expect(postMessage).not.toHaveBeenCalled()
  })

  it('M1: without BroadcastChannel in a browser-like context the channel is a no-op', () => {
    vi.stubGlobal('document', {})
    vi.stubGlobal('BroadcastChannel', undefined)
    expect(openSyncChannel(NAME).isLive).toBe(false)
  })
})
