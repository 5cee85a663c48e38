import { DISCONNECTED_STATE, type SessionState } from '@sessionlayer/session-core'
import { useRef, useSyncExternalStore } from 'react'
import { useSessionContext } from './SessionContext'
import { shallowEqual } from './shallowEqual'

/**
 * A slice of the session of the nearest `<SessionProvider>`; the component re-renders only when
 * the selected value changes according to `isEqual`. The selection is memoised per snapshot,
 * selector and `isEqual`, so an inline selector is fine, and a new `isEqual` applies at once.
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
  const memo = useRef<[SessionState, typeof selector, typeof isEqual, T]>(null)
  // The memoised selection for this snapshot, selector and isEqual, else a new one (the previous
  // value while `isEqual` holds); `state` takes the new selection once read (one name less in the
  // bundle). A new isEqual (one that depends on a prop) selects again at once, as a new selector
  // does: the value the previous one kept may not be the one it keeps (§4, C2).
  const select = (state: SessionState | T, last = memo.current): T =>
    (shallowEqual([state, selector, isEqual], last)
      ? // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- never equal to no memo
        last!
      : (memo.current = [state as SessionState, selector, isEqual, ((state = selector(state as SessionState)), last) && isEqual(last[3], state) ? last[3] : state]))[3]
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.getSnapshot()),
    () => select(initialState ?? DISCONNECTED_STATE),
  )
}
