import type { SessionEventMap, SessionEventType } from '@sessionlayer/session-core'
import { useEffect, useInsertionEffect, useMemo } from 'react'
import { useSessionContext } from './SessionContext'

/**
 * Listens to one event of the store of the nearest `<SessionProvider>` (`store.on`) while the
 * component is mounted. The handler may be a new function on every render: the listener calls
 * the latest one and is added once per store and type. Nothing listens on the server.
 *
 * @param type - the event type, e.g. `'party:changed'` or `'reconnect:gaveup'`
 * @param handler - called with that event's payload; may be async (a rejection becomes an `error` event)
 * @throws `Error` outside `<SessionProvider>`
 * @example
 * ```tsx
 * useSessionEvent('session:expired', (e) => toast(`Session expired (${e.reason})`))
 * ```
 * @public
 */
export function useSessionEvent<T extends SessionEventType>(type: T, handler: (event: SessionEventMap[T]) => unknown): void {
  const [{ on }] = useSessionContext()
  // The latest handler per store and type: a listener of the previous store or type, attached until
  // the effects run, calls the handler last rendered for its store and type, never another's.
  const latest = useMemo(() => ({}) as Record<T, typeof handler>, [on])
  useInsertionEffect(() => {
    latest[type] = handler
  })
  useEffect(() => on(type, (event) => latest[type](event)), [on, type])
}
