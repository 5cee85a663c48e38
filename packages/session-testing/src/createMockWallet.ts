import type { CIP0103Account, CIP0103ConnectResult, CIP0103Network, CIP0103RequestArgs, CIP0103StatusEvent } from '@sessionlayer/session-core'
import { answerLater, inOrder, record, Rejection, rpcError, toRejection } from './answerLater'
import type { MockCall, MockFailure, MockRotateTokenOptions, MockWallet, MockWalletCall, MockWalletOptions } from './types'

/** Delivers one wallet event to a provider's listeners (a copy of the arguments for the provider when `copy`). @internal */
export type MockDeliver = (event: string, args: readonly unknown[], copy: boolean) => unknown

/** A provider's link to its wallet. @internal */
export interface MockWalletPort {
  /** Answers one request. */
  readonly request: (args: CIP0103RequestArgs) => Promise<unknown>
  /** Stops event delivery to this provider. */
  readonly detach: () => void
}

type Attach = (deliver: MockDeliver, calls: MockCall[]) => MockWalletPort

const ports = /* @__PURE__ */ new WeakMap<MockWallet, Attach>()

/**
 * Attaches a provider to a wallet made by {@link createMockWallet}.
 * @param wallet - the wallet
 * @param deliver - receives the wallet's events
 * @param calls - where the provider's requests are recorded
 * @returns the provider's link
 * @internal
 */
export function attachToWallet(wallet: MockWallet, deliver: MockDeliver, calls: MockCall[]): MockWalletPort {
  const attach = ports.get(wallet)
  if (!attach) throw new TypeError('createMockProvider: `wallet` must be made by createMockWallet()')
  return attach(deliver, calls)
}

const account = (hint: string, ns: string, primary: boolean, networkId: string): CIP0103Account => ({
  partyId: `${hint}::${ns}`,
  primary,
  status: 'allocated',
  hint,
  publicKey: `mock-public-key-${hint}`,
  namespace: ns,
  networkId,
  signingProviderId: 'participant',
})

type Rule = { method: string; times: number } & ({ kind: 'fail'; error: MockFailure } | { kind: 'hang' } | { kind: 'late'; delayMs: number })
type Pending = ((approved: boolean, code: number) => void) | null

/**
 * A fresh answer each time: the caller owns what it receives and may change it. A wallet reports
 * its network connection only to a connected dApp: not connected, the official wallet answers
 * `isNetworkConnected: false` as well, for the reason `Unauthenticated`; connected, both reasons
 * are `OK`. Its `status` tells an unauthenticated dApp the connection's reason too
 * (`Unauthenticated`); its `connect` and `isConnected` give none, but the `userUrl`.
 */
const connection = (isConnected: boolean): CIP0103ConnectResult =>
  isConnected ? { isConnected, reason: 'OK', isNetworkConnected: isConnected, networkReason: 'OK' } : { isConnected, isNetworkConnected: isConnected, networkReason: 'Unauthenticated' }

/**
 * Creates a mock CIP-0103 wallet: deterministic, in memory, and driven by the test. It answers in a
 * wallet gateway's order by default, in a browser extension's with `order: 'extension'`. Attach
 * providers (tabs) to it with `createMockProvider({ wallet })`.
 *
 * @param options - accounts, network, connect mode, latency, event delivery and order, initial connection, token
 * @returns the wallet and its controls
 * @example
 * ```ts
 * const wallet = createMockWallet({ connectMode: 'async' })
 * const tab = createMockProvider({ wallet })
 * await tab.request({ method: 'connect' }) // { isConnected: false, isNetworkConnected: false, networkReason: 'Unauthenticated', userUrl }
 * wallet.approve() // emits statusChanged, then connected (the same StatusEvent)
 * ```
 * @public
 */
export function createMockWallet(options: MockWalletOptions = {}): MockWallet {
  let networkId = options.networkId ?? 'canton:devnet'
  const { ledgerApi = 'http://127.0.0.1:7575', userUrl = 'http://127.0.0.1/mock-wallet/approve', latencyMs = 0 } = options
  let connectMode = options.connectMode ?? 'approve'
  let accounts = (structuredClone(options.accounts) as CIP0103Account[] | undefined) ?? [
    account('alice', '1220aa', true, networkId),
    account('bob', '1220bb', false, networkId),
  ]
  let connected = options.connected ?? false
  let dropped = false
  let tokens = 1
  const token = () => (tokens === 1 ? (options.accessToken ?? 'mock-token-1') : `${options.accessToken ?? 'mock-token'}-${tokens}`)
  /** The answer to `connect` and `isConnected`, and the connection a connection's events tell: with the `userUrl`, as the official wallet gateway sends them. */
  const result = (isConnected: boolean): CIP0103ConnectResult => ({ ...connection(isConnected), userUrl })
  const calls: MockWalletCall[] = []
  const rules: Rule[] = []
  const pending: Pending[] = []
  const attached = new Set<MockDeliver>()
  let attachedCount = 0
  let sequence = 0
  /** The messages signed so far: each signature's `messageId` is its number. */
  let signed = 0
  /** What a dropped wallet owes the dApp once it is back: the answers to its connects. */
  const owed: (() => void)[] = []
  let accountsMoved = false
  let failingTx = 0

  /** The events of the wallet action under way, delivered once it is over. */
  const outbox: [string, unknown[], boolean][] = []
  let acting = 0
  /**
   * Delivers the events to every tab in the order the wallet sent them: at once (`sync`), or each
   * on a task of its own (`task`), also where fake timers run a later timer first, and with the
   * next one where a timer was dropped ({@link inOrder}).
   */
  const post = inOrder(options.delivery)
  /**
   * How an answer reaches its tab: apart from the events, after its latency (`gateway`), or on the
   * queue of the events, behind those the wallet sent before it (`extension`).
   */
  const reply = options.order === 'extension' && options.delivery !== 'sync' ? post : undefined
  const send = (event: string, payload: unknown, copy = true) => {
    outbox.push([event, [payload], copy])
  }
  /**
   * A wallet action (a control, the answer to a request) tells the tabs what it did once it is
   * over, as a wallet posts its events: a listener that drives the wallet meanwhile (the user
   * disconnecting the moment a tab sees the connection) has its events follow, for every tab.
   * Delivered at once, they would reach the tabs not yet told before the events they follow, and
   * those tabs would end on the state the wallet has just left. Each tab hears each event on a task
   * of its own, as a wallet's message reaches a page (`delivery: 'task'`), or at the end of the
   * action (`delivery: 'sync'`).
   */
  const act =
    <A extends unknown[], R>(action: (...args: A) => R) =>
    (...args: A): R => {
      acting++
      try {
        return action(...args)
      } finally {
        if (acting === 1) for (let next; (next = outbox.shift()); ) for (const deliver of [...attached])
            // A tab that a listener of an earlier tab detached (closed) no longer hears the event
            // either, nor one detached while the event was on its way.
            post(() => {
              if (attached.has(deliver)) deliver(...next)
            })
        acting--
      }
    }
  /**
   * A dropped wallet is unreachable, as an extension whose service is gone: the dApp hears none of
   * its events until it recovers, and then the state it is in by then. A wallet tells its accounts
   * only to a dApp it is connected to (the connection tells them).
   */
  const emit = (event: string, payload: unknown) => {
    if (event === 'accountsChanged' && !connected) return
    if (!dropped) send(event, payload)
    else if (event === 'accountsChanged') accountsMoved = true
  }
  /** The active network, with the current token: what `getActiveNetwork` answers and a connected status tells. */
  const network = (): CIP0103Network => ({ networkId, ledgerApi, accessToken: token() })
  const status = (
    now: CIP0103ConnectResult = connected && !dropped ? connection(true) : { ...connection(false), reason: dropped ? 'wallet unreachable' : 'Unauthenticated' },
  ): CIP0103StatusEvent => ({
    provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser', url: 'http://127.0.0.1/mock-wallet', userUrl },
    connection: now,
    ...(now.isConnected && { network: network(), session: { accessToken: token(), userId: 'mock-user' } }),
  })
  /**
   * The user's answer settles every pending connect once: `async` ones hear it as a `connected`
   * event (CIP-0103: a StatusEvent; `reason` tells a declined connect from a plain disconnect), as
   * does every connection made (`tell`): the official wallet gateway sends `connected` on each.
   * @returns whether an `async` connect was among them
   */
  const settle = (approved: boolean, code = 4001, tell = false): boolean => {
    const list = pending.splice(0)
    const async = list.includes(null)
    const answer = (ok: boolean) => {
      if ((tell && ok) || async) emit('connected', status(ok ? result(true) : { ...connection(false), reason: 'rejected' }))
      for (const reply of list) reply?.(ok, code)
    }
    // A dropped wallet answers once it is back, with where it stands by then: an approval that a
    // disconnect has since undone is no connection any more, and a connection made since (from
    // the wallet, or by another tab) is one. A stale answer would show the dApp a connection that
    // is gone, or one it must then take back.
    if (dropped) owed.push(() => answer(connected))
    else answer(approved)
    return async
  }
  /**
   * However the wallet connects (a connect, the user, another tab), it tells it as the official
   * wallet gateway does: statusChanged, then connected (the same StatusEvent of the now-connected
   * wallet), and settles the connects waiting for the user as approved.
   */
  const becomeConnected = () => {
    connected = true
    emit('statusChanged', status(result(true)))
    settle(true, 4001, true)
  }
  /**
   * A disconnect, asked by the dApp or made in the wallet, also ends the connects still waiting,
   * and is told as the official wallet gateway tells it: reason `disconnect`, and the network
   * reason `disconnect` (the dApp's request) or `removed session` (the user, in the wallet).
   */
  const becomeDisconnected = (networkReason = 'disconnect') => {
    connected = false
    settle(false)
    emit('statusChanged', status({ ...connection(false), reason: 'disconnect', networkReason }))
  }
  const setAccounts = (next: CIP0103Account[]) => {
    accounts = next
    emit('accountsChanged', accounts)
  }

  /** A connect while connected is answered at once, and told as any connection is. */
  const connect = (): unknown => {
    if (!connected)
      switch (connectMode) {
        case 'reject':
          return rpcError(4001)
        case 'async':
          pending.push(null)
          return result(false)
        case 'manual':
          return new Promise((resolve) => {
            pending.push((approved, code) => {
              resolve(approved ? result(true) : rpcError(code))
            })
          })
      }
    becomeConnected()
    return result(true)
  }

  /** Answers a request when its delay is over; a returned `Rejection` becomes the rejection. */
  const answer = (method: string, params: unknown): unknown => {
    // A field of the params; params that are no object have none of the names read here (no
    // primitive's prototype has them), so they read as absent.
    const param = (name: string): unknown => (params as Partial<Record<string, unknown>> | null | undefined)?.[name]
    if (method === 'status') return status()
    if (method === 'isConnected') return dropped ? status().connection : result(connected)
    // The official wallet gateway ends a session only where there is one: a dApp not connected hears
    // nothing (its connects waiting for the user still end, declined).
    if (method === 'disconnect') {
      if (connected) becomeDisconnected()
      else settle(false)
      return null
    }
    if (!/^(connect|listAccounts|getPrimaryAccount|getActiveNetwork|signMessage|prepareExecute|prepareExecuteAndWait|ledgerApi)$/.test(method)) return rpcError(4200)
    if (dropped) return rpcError(4900)
    if (method === 'connect') return connect()
    if (!connected) return rpcError(4100)
    const primary = accounts.find((a) => a.primary)
    // The official wallet signs and submits as the primary account unless told whom to act as, and
    // has no other to answer getPrimaryAccount with (its answer is a Wallet, never null): without
    // one it refuses them.
    if (!primary && /^(getP|sig|prep)/.test(method)) return rpcError(-32603, 'No primary wallet found')
    switch (method) {
      case 'listAccounts':
        return structuredClone(accounts)
      case 'getPrimaryAccount':
        return structuredClone(primary)
      case 'getActiveNetwork':
        return network()
      case 'signMessage': {
        // The official wallet tells the signing as a MessageSignatureEvent (pending, then signed
        // once the user approved), and answers with the signature.
        const message = param('message')
        if (typeof message !== 'string') return rpcError(-32602)
        const messageId = `mock-message-${++signed}`
        const signature = `mock-signature:${message}`
        emit('messageSignature', { status: 'pending', messageId })
        emit('messageSignature', { status: 'signed', messageId, signature })
        return { signature }
      }
      case 'ledgerApi': {
        const resource = param('resource')
        // The official LedgerApiResult is the Ledger API's JSON answer itself, an object. The
        // official LedgerApiParams take a lower-case request method, and its wallet refuses any other.
        return typeof resource === 'string' && /^(get|post|patch|put|delete)$/.test(param('requestMethod') as string) ? { ok: true, resource } : rpcError(-32602)
      }
      default: {
        // The official PrepareExecuteParams requires the commands, a non-empty list (the Ledger API
        // submits no empty transaction). The wallet acts as the parties of `actAs`, all the user's,
        // and signs as the first; as the primary account without them.
        const actAs = param('actAs') ?? []
        const commands = param('commands')
        if (!Array.isArray(commands) || !commands.length || !Array.isArray(actAs)) return rpcError(-32602)
        const stray: unknown = actAs.find((p) => !accounts.some((a) => a.partyId === p))
        const signer = accounts.find((a) => a.partyId === (actAs[0] ?? primary?.partyId))
        if (stray !== undefined || !signer) return rpcError(-32600, `Acting party ${String(stray)} does not belong to user`)
        const n = ++sequence
        const given = param('commandId')
        const commandId = typeof given === 'string' ? given : `mock-command-${n}`
        const tx = { status: 'executed', commandId, payload: { updateId: `mock-update-${n}`, completionOffset: n } }
        const failed = failingTx > 0 && !!failingTx--
        // The statuses of the official TxChangedEvent, in order: the acting account signs (its
        // signing provider), then the wallet executes; or the transaction fails.
        const run = () => {
          if (failed) emit('txChanged', { status: 'failed', commandId })
          else {
            emit('txChanged', { status: 'signed', commandId, payload: { signature: `mock-signature:${commandId}`, signedBy: signer.signingProviderId ?? 'participant', party: signer.partyId } })
            emit('txChanged', tx)
          }
        }
        emit('txChanged', { status: 'pending', commandId })
        // prepareExecute answers once the transaction is prepared, and the wallet signs and executes
        // it later (once the user approved it): a dApp that listens only once it has the answer, as
        // the official dApp SDK's prepareExecuteAndWait does, still hears it; a dApp that
        // disconnected meanwhile no longer does
        if (method === 'prepareExecute') {
          globalThis.setTimeout(act(() => connected && run()), latencyMs)
          return null
        }
        // prepareExecuteAndWait answers once the transaction is executed, with its executed event,
        // or rejects as the official dApp SDK does (its ErrorCode.TransactionFailed is 3)
        run()
        return failed ? new Rejection({ status: 'error', error: 3, details: `Transaction with commandId ${commandId} failed to execute.` }) : { tx }
      }
    }
  }

  const takeRule = (method: string): Rule | undefined => {
    const i = rules.findIndex((r) => r.method === method || r.method === '*')
    const rule = rules[i]
    if (rule && --rule.times <= 0) rules.splice(i, 1)
    return rule
  }

  const wallet: MockWallet = {
    calls,
    approve: act(() => {
      if (pending.length > 0) becomeConnected()
    }),
    reject: act((code?: number) => {
      if (settle(false, code)) emit('statusChanged', status())
    }),
    setConnectMode(mode) {
      connectMode = mode
    },
    switchParty: act((partyId: string) => {
      if (!accounts.some((a) => a.partyId === partyId)) throw new Error(`switchParty: the wallet has no account ${partyId}`)
      setAccounts(accounts.map((a) => ({ ...a, primary: a.partyId === partyId })))
    }),
    setAccounts: act((next: readonly CIP0103Account[]) => {
      setAccounts(structuredClone([...next]))
    }),
    switchNetwork: act((next: string) => {
      networkId = next
      if (connected) emit('statusChanged', status())
      // CIP-0103: accountsChanged carries every account that changed, and each moved with the wallet
      setAccounts(accounts.map((a) => ({ ...a, networkId: next })))
    }),
    drop: act(() => {
      if (dropped) return
      dropped = true
      send('statusChanged', status())
    }),
    recover: act(() => {
      if (!dropped) return
      dropped = false
      const moved = accountsMoved
      accountsMoved = false
      // Back, the wallet tells what happened meanwhile, in the order of its events when reachable:
      // a connection as the official wallet gateway tells one (statusChanged, then connected, both
      // with the userUrl), a decline as reject() does (connected, then statusChanged).
      const now = () => emit('statusChanged', status(owed.length ? result(true) : undefined))
      if (connected) now()
      for (const answer of owed.splice(0)) answer()
      if (!connected) now()
      if (moved) emit('accountsChanged', accounts)
    }),
    disconnectFromWallet: act(() => becomeDisconnected('removed session')),
    connectFromWallet: act(becomeConnected),
    // `times >= 1` also keeps out NaN, which would never count down and so never run out.
    failNext(method, error, times = 1) {
      if (times >= 1) rules.push({ method, times, kind: 'fail', error })
    },
    hangNext(method, times = 1) {
      if (times >= 1) rules.push({ method, times, kind: 'hang' })
    },
    failNextTransaction(times = 1) {
      if (times >= 1) failingTx += times
    },
    answerLate(method, delayMs) {
      rules.push({ method, times: 1, kind: 'late', delayMs })
    },
    // A new session (the user signed in again) is told as the official wallet gateway tells one: a
    // statusChanged with the new token, to a connected dApp.
    rotateToken: act((options?: MockRotateTokenOptions) => {
      tokens++
      if (options?.announce && connected) emit('statusChanged', status())
    }),
    emitRaw: act((event: string, payload: unknown) => {
      send(event, payload, false)
    }),
    state: () => ({ connected, dropped, accounts: structuredClone(accounts), networkId, accessToken: token(), pendingConnects: pending.length }),
  }

  ports.set(wallet, (deliver, providerCalls) => {
    const index = attachedCount++
    attached.add(deliver)
    return {
      request(args) {
        const { method, params: given } = (args as Partial<CIP0103RequestArgs> | null | undefined) ?? {}
        // The wallet answers a request it cannot read, so as late as any other answer.
        if (typeof method !== 'string') return answerLater(latencyMs, () => rpcError(-32600), reply)
        // A wallet transport copies the params as it sends them (postMessage clones, HTTP
        // serializes): the wallet answers what was sent, and params it cannot copy fail the
        // request before the wallet sees it, with the transport's DataCloneError.
        let params: unknown
        try {
          params = structuredClone(given)
        } catch (error) {
          return answerLater(0, () => new Rejection(error))
        }
        // Each record holds a copy of its own: a test that changes one changes neither the other
        // nor the answer on its way.
        const call = (): MockCall => (params === undefined ? { method } : { method, params: structuredClone(params) })
        record(providerCalls, call())
        record(calls, { provider: index, ...call() })
        const rule = takeRule(method)
        if (rule?.kind === 'hang') return new Promise(() => undefined)
        if (rule?.kind === 'fail') return answerLater(latencyMs, () => toRejection(rule.error), reply)
        return answerLater(rule?.kind === 'late' ? rule.delayMs : latencyMs, act(() => answer(method, params)), reply)
      },
      detach() {
        attached.delete(deliver)
      },
    }
  })
  return wallet
}
