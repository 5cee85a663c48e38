/**
 * The part of `BroadcastChannel` the sync channel uses; the in-memory hub of
 * `@sessionlayer/session-testing` implements it too.
 * @public
 */
export interface BroadcastChannelLike {
  /**
   * Receives messages posted by other channels of the same name. Declared with method syntax
   * (bivariant in its event) so that the platform's own `BroadcastChannel`, whose handler takes
   * a full `MessageEvent`, is a `BroadcastChannelLike` too.
   */
  onmessage: { handle(event: { data: unknown }): void }['handle'] | null
  /** Posts a structured clone to the other channels of the same name. */
  postMessage(message: unknown): void
  /** Closes the channel. */
  close(): void
  /** Node's `BroadcastChannel` only: lets the process exit while the channel is open. */
  unref?: () => void
}

/**
 * Creates a channel for a name. Defaults to the global `BroadcastChannel` in browsers.
 * @public
 */
export type ChannelFactory = (name: string) => BroadcastChannelLike

/**
 * A validated message of the sync protocol (SPEC M2).
 * @public
 */
export interface SyncMessage {
  /** Protocol version. */
  readonly v: 1
  /** What happened (e.g. `disconnected`, `party`). */
  readonly kind: string
  /** Per-sender sequence number, strictly increasing. */
  readonly seq: number
  /** The sending tab's random id. */
  readonly tabId: string
  /** When it was sent (ms since epoch). */
  readonly at: number
  /** The channel name it was sent on (foreign messages are dropped). */
  readonly ch: string
  /** Kind-specific data: a plain JSON object (validated by the receiver). */
  readonly data: Readonly<Record<string, unknown>>
}

/**
 * The subset of the Web Locks `LockManager` the tab lock uses.
 * @public
 */
export interface LockManagerLike {
  /**
   * Requests a lock; see the Web Locks API. `steal` takes the lock from the request that holds it
   * (its `request` rejects with an `AbortError`) and is granted at once, ahead of the queued ones;
   * a manager that does not know it may ignore it or reject the request.
   */
  request<T>(
    name: string,
    options: { mode?: 'exclusive' | 'shared'; ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => T | Promise<T>,
  ): Promise<T>
}
