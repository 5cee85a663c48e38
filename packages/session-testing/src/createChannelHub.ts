import { inOrder, record } from './answerLater'
/**
 * A `BroadcastChannel`-shaped endpoint of a {@link ChannelHub}.
 * @public
 */
export interface HubChannel {
  /** The channel name. */
  readonly name: string
  /** Receives what the other channels of this name post. */
  onmessage: ((event: { data: unknown }) => void) | null
  /** Sends a structured clone to every other open channel of this name. */
  postMessage(message: unknown): void
  /**
   * Stops delivery to this channel, of the messages already on their way too (what it posted
   * before still arrives); its `postMessage` throws an `InvalidStateError` from then on.
   */
  close(): void
  /** Does nothing: a hub channel never keeps the process alive (Node's `BroadcastChannel.unref`). */
  unref(): void
}

/**
 * In-memory `BroadcastChannel`s: every channel of one name receives what the others post, never
 * its own messages, on a task of its own and in order, as a structured clone.
 * @public
 */
export interface ChannelHub {
  /** A `channelFactory` for the store's `broadcast` option. */
  readonly channelFactory: (name: string) => HubChannel
  /** The messages posted, the latest 10,000, by channel name (for assertions). */
  readonly sent: readonly { readonly name: string; readonly data: unknown }[]
  /** Open channels. */
  openCount(): number
}

/**
 * Options of {@link createChannelHub}.
 * @public
 */
export interface ChannelHubOptions {
  /**
   * When a message reaches the other channels. `'task'` (the default): on a task of its own, as
   * `BroadcastChannel` delivers it, through a timer of 0 ms (`globalThis.setTimeout` looked up at
   * the post, so fake timers control it), after the microtasks that follow the post.
   * `'microtask'`: on a microtask, before any timer, which a real channel never does (for tests
   * written for messages that arrive at once).
   */
  readonly delivery?: 'task' | 'microtask'
}

/**
 * Creates an in-memory channel hub (one per test: tabs that share a hub talk to each other).
 * @param options - when messages are delivered
 * @returns the hub
 * @public
 */
export function createChannelHub(options: ChannelHubOptions = {}): ChannelHub {
  const open = new Set<HubChannel>()
  const sent: { name: string; data: unknown }[] = []
  /** Delivers the messages in the order posted. */
  const post = inOrder(options.delivery)
  const channelFactory = (name: string): HubChannel => {
    let closed = false
    const channel: HubChannel = {
      name,
      onmessage: null,
      postMessage(message) {
        if (closed) throw new DOMException('channel closed', 'InvalidStateError')
        const data = structuredClone(message)
        record(sent, { name, data })
        for (const peer of open) {
          if (peer !== channel && peer.name === name) {
            post(() => {
              if (open.has(peer)) peer.onmessage?.({ data: structuredClone(data) })
            })
          }
        }
      },
      close() {
        closed = true
        open.delete(channel)
      },
      unref: () => undefined,
    }
    open.add(channel)
    return channel
  }
  return { channelFactory, sent, openCount: () => open.size }
}
