import type { Globals } from './environment'
import { parseSyncMessage } from './parseSyncMessage'
import type { BroadcastChannelLike, ChannelFactory, SyncMessage } from './types'

/**
 * Options of {@link openSyncChannel}.
 * @public
 */
export interface SyncChannelOptions {
  /**
   * Creates the underlying channel. Default: the global `BroadcastChannel`, in a page or a worker
   * only (where it links the tabs and workers of the origin); on the server the channel is a no-op.
   */
  channelFactory?: ChannelFactory | undefined
  /**
   * This channel's id (1 to 64 characters). Default: a random id made when the channel opens.
   * It names one open channel, not a browser tab across reloads: `seq` starts again at 1 in every
   * channel, so a channel reopened under an id other tabs already heard would read as stale (M2).
   * Keep the default unless each open gets a fresh id.
   */
  tabId?: string | undefined
  /** The clock for `at`. Default: `Date.now`, looked up at each post. */
  now?: (() => number) | undefined
  /**
   * The largest size of a message's `data`, sent or received, in UTF-8 bytes of its JSON (a CJK
   * character counts three, an emoji four). Default: 8192.
   */
  maxBytes?: number | undefined
}

/**
 * One tab's end of the sync channel (SPEC M2): validated, per-sender ordered, never echoed and
 * never rebroadcast.
 * @public
 */
export interface SyncChannel {
  /** This tab's id, carried by every message it posts. */
  readonly tabId: string
  /** True while an underlying channel is open (false on the server, without `BroadcastChannel`, and after `close()`). */
  readonly isLive: boolean
  /**
   * Posts a message to the other tabs. Never throws: a message that cannot go out is not sent.
   *
   * @remarks
   *
   * `data` goes out as `JSON.stringify` writes it. `NaN` and `±Infinity` arrive as `null`, and
   * `undefined`, function and symbol values are left out (`null` in an array). So a receiver checks
   * the type of every field it reads.
   *
   * The message is not sent when its data is something JSON cannot carry: a class instance such as
   * a `Date` or `Map`, a `BigInt`, a cycle, or a `__proto__` / `constructor` / `prototype` key. Nor
   * is it sent when the data is over `maxBytes`, when the `kind` is outside
   * `/^[a-z][a-z0-9:_-]{0,31}$/`, or when the channel is closed or failing.
   *
   * Messages go out in the order posted. That holds also for one posted by a listener while a
   * channel that delivers inside `postMessage` (a custom one) still delivers the one before.
   *
   * @param kind - what happened, e.g. `disconnected`
   * @param data - a plain JSON object (default `{}`)
   */
  post(kind: string, data?: Record<string, unknown>): void
  /**
   * Listens to valid messages from other tabs. A listener that throws, or an async one that
   * rejects, does not stop the others; its error is dropped, never left unhandled.
   * @param listener - receives a fresh, deeply frozen copy of each message
   * @returns a function that removes the listener
   */
  subscribe(listener: (message: SyncMessage) => void): () => void
  /** Closes the underlying channel (once) and drops every listener: nothing is delivered after it, to a listener added later either. Idempotent. */
  close(): void
}

/**
 * Opens the multi-tab sync channel `name` (see `syncChannelName`). Never throws: where no channel
 * can be made, it is a no-op with `isLive === false`.
 *
 * @remarks
 *
 * Every message is `{ v: 1, kind, seq, tabId, at, ch, data }`. Received messages are
 * schema-validated, copied and frozen. A message from another channel, from this tab, or with a
 * `seq` not above the last one accepted from its sender is dropped.
 *
 * No channel is made on the server, without `BroadcastChannel`, or where the browser refuses one
 * (the constructor throws). Chromium makes one on an opaque origin (a frame sandboxed without
 * `allow-same-origin`): it is live, yet links no other tab, as each such frame is an origin of its
 * own. The underlying channel is `unref`'d, so it never keeps a Node process alive.
 *
 *
 * @param name - the channel name
 * @param options - channel factory, tab id, clock and size bound
 * @returns the channel
 * @example
 * ```ts
 * const channel = openSyncChannel(syncChannelName(location.origin, 'sessionlayer.session'))
 * const stop = channel.subscribe((m) => {
 *   if (m.kind === 'disconnected') console.log('tab', m.tabId, 'disconnected')
 * })
 * channel.post('disconnected')
 * ```
 * @public
 */
export function openSyncChannel(name: string, options: SyncChannelOptions = {}): SyncChannel {
  const {
    maxBytes = 8192,
    now = () => Date.now(),
    // a random id, where crypto.randomUUID is missing (an insecure context) one from the clock and Math.random
    tabId = (globalThis.crypto as Partial<Crypto> | undefined)?.randomUUID?.() ?? Date.now().toString(36) + Math.random().toString(36).slice(2),
    channelFactory,
  } = options
  const Channel = (globalThis as Globals).BroadcastChannel
  /** Typed to return anything: an async listener's promise is caught below. */
  const listeners = new Set<(message: SyncMessage) => unknown>()
  /** The last `seq` accepted from each sender's tab id, the least recently heard first. */
  const last = new Map<unknown, number>()
  let channel: BroadcastChannelLike | null | undefined
  let closed = false
  let seq = 0
  /** The messages being posted, the first one on its way (see `post`). */
  let outbox: SyncMessage[] = []
  try {
    // By default only in a page or a worker, whose channels link the origin's tabs and workers: a
    // server's BroadcastChannel (Node, Deno) links the requests of every user. A global that is no
    // constructor throws here, and the channel is a no-op.
    channel = channelFactory ? channelFactory(name) : ((globalThis as Globals).document ?? (globalThis as Globals).WorkerGlobalScope) && Channel ? new Channel(name) : null
    channel?.unref?.()
    if (channel) {
      channel.onmessage = (event: { data: unknown }) => {
        try {
          // no event, or one whose data cannot be read (a custom channel's), throws here: none. Nothing
          // after it throws (each listener's throw is caught on its own), so this catches that read only.
          const m = parseSyncMessage(event.data, name, maxBytes)
          // closed: a custom channel may go on delivering after its close(), to a listener added since
          // a first message from a tab: `seq <= undefined` is false, as `seq <= 0` (a valid `seq` is positive)
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- undefined compares as above
          if (!m || closed || m.tabId === tabId || m.seq <= last.get(m.tabId)!) return
          last.delete(m.tabId)
          // the oldest sender is forgotten beyond 256, so the ordering state stays bounded
          if (last.set(m.tabId, m.seq).size > 256) last.delete(last.keys().next().value)
          // a listener removed meanwhile (by an earlier one, or by close()) gets no more
          for (const listener of [...listeners]) {
            try {
              // an async listener's rejection is dropped as a throw is, never left unhandled
              if (listeners.has(listener)) void (listener(m) as Partial<Promise<unknown>> | undefined)?.catch?.(() => undefined)
            } catch {
              // isolated: one failing listener must not starve the others
            }
          }
        } catch {
          // see above
        }
      }
    }
  } catch {
    channel = null
  }
  return {
    tabId,
    get isLive() {
      return !!channel && !closed
    },
    post(kind, data = {}) {
      try {
        const m = channel && !closed && parseSyncMessage({ v: 1, kind, seq: seq + 1, tabId, at: now(), ch: name, data }, name, maxBytes)
        // A channel that delivers inside postMessage (a custom one) may run a listener that has this
        // tab post again: that message goes once this one reached every tab, or a tab would get it
        // first and drop this one as stale (M2).
        if (m) {
          seq++
          if (outbox.push(m) < 2) for (; outbox[0]; outbox.shift()) channel?.postMessage(outbox[0])
        }
      } catch {
        // a channel closed underneath us, or a failing clock: the message is not sent
        outbox = []
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    close() {
      if (closed) return
      closed = true
      listeners.clear()
      try {
        channel?.close()
      } catch {
        // already closed by the environment
      }
    },
  }
}
