import type { CIP0103Account, CIP0103Provider, CIP0103RequestArgs } from '@sessionlayer/session-core'

/**
 * How {@link MockWallet.failNext} fails a call: a bare `{ code, message }` object (the message
 * defaults to the one of the CIP-0103 error table for the EIP-1193 codes 4001, 4100, 4200, 4900,
 * 4901, the JSON-RPC 2.0 codes -32700, -32600 to -32603 and the EIP-1474 codes -32000 to -32005,
 * else `'Request failed'`), `'http'`
 * for the error shape of the HTTP transport
 * (a 500 whose body carries a JSON-RPC 4100), or `{ raw }` to reject with any value.
 * @public
 */
export type MockFailure = { readonly code: number; readonly message?: string } | { readonly raw: unknown } | 'http'

/**
 * How the wallet answers `connect`: at once (`approve`), with a 4001 (`reject`), with
 * `isConnected: false` and a `userUrl` then an event (`async`), or when the test decides (`manual`).
 * @public
 */
export type MockConnectMode = 'approve' | 'reject' | 'async' | 'manual'

/**
 * Options of {@link createMockWallet}. All optional.
 * @public
 */
export interface MockWalletOptions {
  /** The accounts (copied). Default: `alice::1220aa` (primary) and `bob::1220bb`. */
  accounts?: readonly CIP0103Account[]
  /** The CAIP-2 network id. Default `'canton:devnet'`. */
  networkId?: string
  /** The JSON Ledger API URL. Default `'http://127.0.0.1:7575'`. */
  ledgerApi?: string
  /** How `connect` is answered. Default `'approve'`. */
  connectMode?: MockConnectMode
  /**
   * Where an `async` connect sends the user: in every `connect` and `isConnected` answer and the
   * connection of a connection's events, as the official wallet gateway sends it, and the `userUrl`
   * of the wallet's `provider` in its StatusEvents. Default `'http://127.0.0.1/mock-wallet/approve'`.
   */
  userUrl?: string
  /**
   * Delay of every answer, through `globalThis.setTimeout` read at call time (fake timers apply).
   * Default 0: answers on a microtask, without any timer. The signed and executed `txChanged` of
   * a `prepareExecute` follow its answer by this delay, on a timer even when it is 0.
   */
  latencyMs?: number
  /**
   * When the wallet's events reach the attached providers (tabs). `'task'` (the default): each
   * event reaches each tab on a task of its own, in the order the wallet sent it, as a real
   * wallet's message reaches a page (an extension's `postMessage`, a gateway's event stream):
   * through a timer of 0 ms (`globalThis.setTimeout` looked up at the send, so fake timers control
   * it), after the microtasks that follow the wallet action, so after an answer of `latencyMs` 0
   * too (with the default `order`). A tab detached meanwhile hears nothing more. `'sync'`: every tab hears the events at the
   * end of the wallet action that sent them, before the control returns and before its answer,
   * which a real wallet never does (for tests written for events that arrive at once). Either
   * way, {@link MockProvider.emit} called by the test delivers at once.
   */
  delivery?: 'task' | 'sync'
  /**
   * The order of an answer against the events of the wallet, with `delivery: 'task'`.
   * `'gateway'` (the default): the answer settles after `latencyMs`, apart from the events, so
   * before the events its own action causes, as a wallet gateway answers over HTTP and sends its
   * events on a stream of their own. `'extension'`: once `latencyMs` is over, the answer reaches
   * the tab that asked on the queue of the events, behind every event already on its way to it
   * (those its own action causes too), as a browser-extension wallet sends both on one port: the
   * `statusChanged` and `connected` of a `connect` reach the tab before its answer. A tab detached
   * meanwhile still hears its answers. Ignored with `delivery: 'sync'`.
   */
  order?: 'gateway' | 'extension'
  /** Start connected (restore scenarios). Default false. */
  connected?: boolean
  /** The access token. Default `'mock-token-1'`, then `'mock-token-2'`, … after each {@link MockWallet.rotateToken}; a token given here gets `-2`, `-3`, … appended. */
  accessToken?: string
}

/**
 * Options of {@link MockWallet.rotateToken}.
 * @public
 */
export interface MockRotateTokenOptions {
  /** Tell the connected dApp the new token (`statusChanged`), as a new session is told. Default false. */
  readonly announce?: boolean
}

/**
 * One recorded request.
 * @public
 */
export interface MockCall {
  /** The method. */
  readonly method: string
  /** The params, when given. */
  readonly params?: unknown
}

/**
 * One request recorded by the wallet, with the provider that sent it.
 * @public
 */
export interface MockWalletCall extends MockCall {
  /** The provider's index, in the order providers were attached, from 0. */
  readonly provider: number
}

/**
 * What the wallet holds, for assertions (copies).
 * @public
 */
export interface MockWalletState {
  /** Whether the dApp is connected (remembered through a drop). */
  readonly connected: boolean
  /** Whether the wallet is unreachable ({@link MockWallet.drop}). */
  readonly dropped: boolean
  /** The accounts. */
  readonly accounts: CIP0103Account[]
  /** The network id. */
  readonly networkId: string
  /** The current access token. */
  readonly accessToken: string
  /** `async` or `manual` connects the user has not answered yet ({@link MockWallet.approve} / {@link MockWallet.reject}). */
  readonly pendingConnects: number
}

/**
 * The state of a mock browser-extension wallet (one per browser profile) and the controls a test
 * drives it with. Every provider attached to it shares its connection and receives its events,
 * except while it is dropped ({@link MockWallet.drop}): then no event reaches the dApp until
 * {@link MockWallet.recover}.
 * @public
 */
export interface MockWallet {
  /** The requests of every attached provider, in order: the latest 10,000. */
  readonly calls: readonly MockWalletCall[]
  /**
   * Completes pending `async` / `manual` connects as approved by the user, with `statusChanged`,
   * then `connected` (no `accountsChanged`, as the official wallet gateway tells a connection: the
   * dApp reads the accounts); nothing when none is pending. While dropped, the dApp gets
   * the answer when the wallet recovers.
   */
  approve(): void
  /**
   * Completes pending `async` / `manual` connects as declined by the user; nothing when none is
   * pending. While dropped, the dApp gets the answer when the wallet recovers.
   * @param code - the error code of a `manual` connect's rejection (default 4001)
   */
  reject(code?: number): void
  /**
   * Changes how later `connect` requests are answered.
   * @param mode - the connect mode
   */
  setConnectMode(mode: MockConnectMode): void
  /**
   * Makes an account the primary one and emits `accountsChanged` when the dApp is connected (a
   * wallet tells its accounts only to a connected dApp, which reads them once it connects).
   * @param partyId - one of the accounts' party id
   * @throws `Error` when no account has that party id
   */
  switchParty(partyId: string): void
  /**
   * Replaces the accounts and emits `accountsChanged` when the dApp is connected. Without a
   * `primary` one among them, `getPrimaryAccount`, `signMessage`, `prepareExecute` and
   * `prepareExecuteAndWait` reject -32603, as the official wallet does.
   * @param accounts - the new accounts (copied)
   */
  setAccounts(accounts: readonly CIP0103Account[]): void
  /**
   * Moves the wallet (and its accounts) to another network; when connected, emits `statusChanged`
   * with the new network, then `accountsChanged` with the moved accounts.
   * @param networkId - the CAIP-2 network id
   */
  switchNetwork(networkId: string): void
  /**
   * Transient loss: emits `statusChanged` with `reason: 'wallet unreachable'`, then nothing until
   * {@link MockWallet.recover}. Meanwhile `status` reports the wallet unreachable, reads and
   * `connect` reject 4900, and what the user does in the wallet (approve, switch party, …) changes
   * its state without an event. The connection is remembered.
   */
  drop(): void
  /**
   * Ends a drop and tells the dApp the wallet's state.
   *
   * @remarks
   *
   * When the wallet is connected, it tells `statusChanged` with the full status, then `connected`
   * for an `async` connect answered meanwhile or a connection made meanwhile, as the official
   * wallet gateway tells a connection.
   *
   * When the wallet is not connected, it tells `connected`, then `statusChanged`, as
   * {@link MockWallet.reject} tells a decline, when a connect waiting for its user was answered
   * meanwhile; else `statusChanged` alone (a connection it made on its own and that was undone
   * meanwhile declined no prompt).
   *
   * Then it tells `accountsChanged` when the accounts changed meanwhile while the dApp was
   * connected, and it is connected now.
   *
   * A `manual` connect answered meanwhile settles now. A connect answered meanwhile is answered
   * with where the wallet stands by then (approved when it is connected, else declined), not with a
   * replay of what has since been undone.
   */
  recover(): void
  /**
   * The user disconnects the dApp in the wallet UI: emits `statusChanged` with `isConnected: false`
   * (`reason: 'disconnect'`, `networkReason: 'removed session'`), and ends pending connects as
   * declined, as {@link MockWallet.reject} does (a `disconnect` request does the same).
   */
  disconnectFromWallet(): void
  /**
   * The wallet connects the dApp on its own (its UI, another tab): emits `statusChanged`, then
   * `connected` (as every connection is told), and completes pending connects as approved, as {@link MockWallet.approve} does.
   */
  connectFromWallet(): void
  /**
   * Makes the next call(s) of a method reject.
   * @param method - the method, or `'*'` for any
   * @param error - a bare `{ code, message }`, `'http'` for the HTTP-transport shape, or `{ raw }`
   * @param times - how many calls fail (default 1; below 1, none)
   */
  failNext(method: string, error: MockFailure, times?: number): void
  /**
   * Makes the next call(s) of a method never settle.
   * @param method - the method, or `'*'` for any
   * @param times - how many calls hang (default 1; below 1, none)
   */
  hangNext(method: string, times?: number): void
  /**
   * Makes the next transaction(s) fail in the wallet after `txChanged` pending, as a transaction
   * the user declines or the ledger rejects: `txChanged` `{ status: 'failed', commandId }` (the
   * official `TxChangedFailedEvent`) follows instead of signed and executed, and
   * `prepareExecuteAndWait` rejects as the official dApp SDK does:
   * `{ status: 'error', error: 3, details: 'Transaction with commandId … failed to execute.' }`.
   * @param times - how many `prepareExecute` / `prepareExecuteAndWait` transactions fail (default 1; below 1, none)
   */
  failNextTransaction(times?: number): void
  /**
   * Makes the next call of a method answer correctly, but only after a delay.
   * @param method - the method, or `'*'` for any
   * @param delayMs - the delay, through `globalThis.setTimeout`
   */
  answerLate(method: string, delayMs: number): void
  /**
   * Issues a new access token: `status` and `getActiveNetwork` report it. By default the dApp is not
   * told (a token the wallet refreshed on its own: the dApp finds out on a 401, SPEC L2).
   * @param options - `announce: true` tells it as the official wallet gateway tells a new session
   * (the user signed in again): `statusChanged` with the new token in its `network` and `session`,
   * when the dApp is connected (while dropped, the status on recovery carries it)
   */
  rotateToken(options?: MockRotateTokenOptions): void
  /**
   * Emits any payload, as given (not copied), to every attached provider, even while dropped, as
   * the wallet's other events reach them (its `delivery`).
   * @param event - the event name
   * @param payload - the payload
   */
  emitRaw(event: string, payload: unknown): void
  /**
   * What the wallet holds.
   * @returns a copy of the wallet state
   */
  state(): MockWalletState
}

/**
 * Options of {@link createMockProvider}: the wallet to attach to, or the options of a wallet of
 * its own (ignored when `wallet` is given).
 * @public
 */
export interface MockProviderOptions extends MockWalletOptions {
  /** The wallet shared with other providers (tabs). Default: a new wallet of its own. */
  wallet?: MockWallet
}

/**
 * A listener of a {@link MockProvider}.
 * @public
 */
export type MockListener = (...args: never[]) => void

/**
 * One dApp-side CIP-0103 provider (one tab) over a {@link MockWallet}.
 * @public
 */
export interface MockProvider extends CIP0103Provider {
  /** The wallet it is attached to. */
  readonly wallet: MockWallet
  /** Its requests, in order: the latest 10,000. */
  readonly calls: readonly MockCall[]
  /**
   * What its listeners threw, caught: as the official provider's `emit` stops at a throw, the
   * listeners after the one that threw miss that event (other tabs and later events do not).
   */
  readonly listenerErrors: readonly unknown[]
  /**
   * Sends a request to the wallet; see the package README for the semantics of each method.
   * @param args - `{ method, params }`
   * @returns the answer; rejects with a bare `{ code, message }` object
   */
  request(args: CIP0103RequestArgs): Promise<unknown>
  /**
   * Adds a listener (several times if added several times).
   * @param event - the event name
   * @param listener - called synchronously with the event's payload
   * @returns the provider
   */
  on(event: string, listener: MockListener): MockProvider
  /**
   * Removes the listener: every registration of it, as the official `DappSyncProvider` does.
   * @param event - the event name
   * @param listener - the listener
   * @returns the provider
   */
  removeListener(event: string, listener: MockListener): MockProvider
  /**
   * Delivers an event synchronously to this provider's listeners only, in registration order,
   * whatever the wallet's `delivery`: the test plays the wallet here and decides when the event
   * arrives (the wallet's own events, {@link MockWallet.emitRaw} too, follow its `delivery`).
   * @param event - the event name
   * @param args - the payload, as given
   * @returns whether a listener was ever added for the event: `true` even once they were all
   * removed, as the official `DappSyncProvider` returns
   */
  emit(event: string, ...args: unknown[]): boolean
  /**
   * Counts listeners (leak tests: 0 once a store is destroyed).
   * @param event - one event, or every event when omitted
   * @returns the count
   */
  listenerCount(event?: string): number
  /** Stops receiving the wallet's events, like a closed tab; requests still reach the wallet. */
  detach(): void
}
