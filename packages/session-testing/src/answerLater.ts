import type { MockFailure } from './types'

/**
 * The messages of the CIP-0103 error table: the codes of EIP-1193, JSON-RPC 2.0 and EIP-1474. Any
 * other code is 'Request failed'.
 */
const MESSAGES: Partial<Record<number, string>> = {
  4001: 'User Rejected Request',
  4100: 'Unauthorized',
  4200: 'Unsupported Method',
  4900: 'Disconnected',
  4901: 'Chain Disconnected',
  [-32700]: 'Parse error',
  [-32600]: 'Invalid request',
  [-32601]: 'Method not found',
  [-32602]: 'Invalid params',
  [-32603]: 'Internal error',
  [-32000]: 'Invalid input',
  [-32001]: 'Resource not found',
  [-32002]: 'Resource unavailable',
  [-32003]: 'Transaction rejected',
  [-32004]: 'Method not supported',
  [-32005]: 'Limit exceeded',
}

/** A rejection value, told apart from an answer. @internal */
export class Rejection {
  /** @param value - what the request rejects with */
  constructor(readonly value: unknown) {}
}

/**
 * A CIP-0103 error as wallets reject with it: a bare object, not an `Error`.
 * @param code - the EIP-1193 / JSON-RPC code
 * @param message - the message (default: the standard one of the code)
 * @returns the rejection
 * @internal
 */
export const rpcError = (code: number, message = MESSAGES[code] ?? 'Request failed'): Rejection => new Rejection({ code, message })

/**
 * The rejection a {@link MockFailure} stands for (a fresh value each time).
 * @param failure - the failure
 * @returns the rejection
 * @internal
 */
export const toRejection = (failure: MockFailure): Rejection =>
  failure === 'http'
    ? new Rejection({
        error: { code: 500, message: 'Internal Server Error', data: '{"jsonrpc":"2.0","id":"1","error":{"code":4100,"message":"Unauthorized"}}' },
      })
    : 'raw' in failure
      ? new Rejection(failure.raw)
      : rpcError(failure.code, failure.message)

/**
 * Settles an answer: a {@link Rejection} rejects with its value, anything else resolves.
 * @param result - the answer
 * @returns the answer
 * @internal
 */
export function unwrap(result: unknown): unknown {
  if (result instanceof Rejection) throw result.value
  return result
}

/**
 * Answers after `ms` through `globalThis.setTimeout` looked up now (so fake timers apply), or on
 * a microtask without any timer when `ms` is 0. With `post`, the answer, once computed, reaches the
 * caller through it: behind what was posted before it (an extension's one port).
 * @param ms - the delay
 * @param run - computes the answer when the delay is over
 * @param post - delivers the computed answer (see {@link inOrder}; its delivery returns true, an
 * answer); at once when omitted
 * @returns the settled answer
 * @internal
 */
export function answerLater(ms: number, run: () => unknown, post?: (deliver: () => unknown) => void): Promise<unknown> {
  return new Promise<void>((resolve) => {
    if (ms > 0) globalThis.setTimeout(resolve, ms)
    else resolve()
  })
    .then(run)
    .then((result) => (post ? new Promise((resolve) => post(() => (resolve(result), true))) : result))
    .then(unwrap)
}

/**
 * Adds `item` to a record of a mock (its calls, a hub's messages), which keeps the latest 10,000: a
 * demo tab open for days, or a long test, holds no copy of everything since it began.
 * @param list - the record
 * @param item - what happened
 * @internal
 */
export const record = <T>(list: T[], item: T): unknown => list.push(item) > 1e4 && list.shift()

/**
 * Delivers in order: each delivery runs on a timer of 0 ms (`globalThis.setTimeout` looked up at
 * the post, so fake timers control it; `task`, the default), on a microtask (`microtask`) or at
 * once (`sync`), and makes the deliveries on their way up to its own, if that one still waits. So
 * they run in the order posted, also where fake timers run a later timer first (a timer of 0 ms
 * set in a timer's callback is due 1 ms later than one set outside), and one whose timer was
 * dropped (fake timers uninstalled meanwhile) goes with the next. A delivery that returns true (an
 * answer, which settles a promise) ends the ones made on the way: the rest follow on a timer of
 * their own, so the microtasks of the answer run before the next delivery, as a page runs those
 * of each message before the next one.
 * @param delivery - when a delivery runs
 * @returns posts one delivery
 * @internal
 */
export const inOrder = (delivery?: 'task' | 'microtask' | 'sync') => {
  /** The deliveries on their way, the oldest first. */
  const queue: (() => unknown)[] = []
  return (own: () => unknown) => {
    queue.push(own)
    const later = () => (delivery === 'microtask' ? queueMicrotask : globalThis.setTimeout)(upTo)
    const upTo = () => {
      while (queue.includes(own)) if ((queue.shift() as () => unknown)() && queue.includes(own)) return later()
    }
    if (delivery === 'sync') upTo()
    else later()
  }
}
