import { DISCONNECTED_STATE, type SessionState } from '@sessionlayer/session-core'
import { useRef, useSyncExternalStore } from 'react'
import { useSessionContext } from './SessionContext'

/**
 * A slice of the session of the nearest `<SessionProvider>`; the component re-renders only when
 * the selected value changes according to `isEqual`. The selection is memoised per snapshot and
 * selector, so an inline selector is fine.
 *
 * @param selector - picks the value from the state (pure)
 * @param isEqual - compares the previous and the next selection (default `Object.is`)
 * @returns the selected value (the previous reference while `isEqual` holds)
 * @throws `Error` outside `<SessionProvider>`
 * @example
 * ```tsx
 * const networkId = useSessionSelector((s) => s.networkId)
 * const partyIds = useSessionSelector(
 *   (s) => s.accounts.map((a) => a.partyId),
 *   (a, b) => a.join() === b.join(),
 * )
 * ```
 * @public
 */
export function useSessionSelector<T>(selector: (state: SessionState) => T, isEqual: (a: T, b: T) => boolean = Object.is): T {
  const [store, initialState] = useSessionContext()
  const memo = useRef<[SessionState, typeof selector, T]>(null)
  // The memoised selection for this snapshot and selector, else a new one (the previous value while
  // `isEqual` holds); `state` takes the new selection once read (one name less in the bundle).
  const select = (state: SessionState | T, last = memo.current): T =>
    (last?.[0] === state && last[1] === selector
      ? last
      : (memo.current = [state as SessionState, selector, ((state = selector(state as SessionState)), last) && isEqual(last[2], state) ? last[2] : state]))[2]
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.getSnapshot()),
    () => select(initialState ?? DISCONNECTED_STATE),
  )
}
