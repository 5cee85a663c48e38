import { attachToWallet, createMockWallet } from './createMockWallet'
import type { MockCall, MockListener, MockProvider, MockProviderOptions } from './types'

/**
 * Creates a mock CIP-0103 provider: one tab of a dApp talking to a mock wallet.
 * It behaves like a real wallet (each event on a task of its own, the answer before or after the
 * events on their way as a wallet gateway or an extension gives it (`order`), bare
 * `{ code, message }` rejections, events to every tab of the wallet), deterministically and under
 * fake timers.
 *
 * @param options - `wallet` to share one wallet between tabs, or the options of a wallet of its own
 * @returns the provider; `provider.wallet` drives the wallet
 * @throws `TypeError` when `options.wallet` was not made by `createMockWallet`
 * @example
 * ```ts
 * const provider = createMockProvider()
 * provider.on('accountsChanged', (accounts: CIP0103Account[]) => console.log(accounts))
 * await provider.request({ method: 'connect' })
 * provider.wallet.switchParty('bob::1220bb')
 * ```
 * @public
 */
export function createMockProvider(options: MockProviderOptions = {}): MockProvider {
  const wallet = options.wallet ?? createMockWallet(options)
  /** Each event's listeners; a list is never changed in place, so an emit walks it without copying it. */
  const listeners = new Map<string, ((...args: unknown[]) => void)[]>()
  const calls: MockCall[] = []
  const listenerErrors: unknown[] = []

  const dispatch = (event: string, args: readonly unknown[], copy: boolean) => {
    const list = listeners.get(event)
    if (!list) return false
    // One copy for the tab, which its listeners share: the official provider hands each of them the
    // params of the one message it received, so what one listener changes, the next one sees.
    const given = copy ? structuredClone(args) : args
    // a listener added or removed meanwhile makes a new list: this one stays as it was
    try {
      for (const listener of list) listener(...given)
    } catch (error) {
      // the official provider's emit stops at a throw: the listeners after it miss the event
      listenerErrors.push(error)
    }
    return true
  }
  const port = attachToWallet(wallet, dispatch, calls)

  const provider: MockProvider = {
    wallet,
    calls,
    listenerErrors,
    request: port.request,
    on(event, listener: MockListener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener as (...args: unknown[]) => void])
      return provider
    },
    removeListener(event, listener: MockListener) {
      // every registration of it, as the official provider filters it out; like it, the emptied
      // list stays, so emit still returns true for the event
      const list = listeners.get(event)
      if (list) listeners.set(event, list.filter((l) => l !== listener))
      return provider
    },
    emit: (event, ...args) => dispatch(event, args, false),
    listenerCount: (event) => (event === undefined ? [...listeners.values()].flat() : (listeners.get(event) ?? [])).length,
    detach: port.detach,
  }
  return provider
}
