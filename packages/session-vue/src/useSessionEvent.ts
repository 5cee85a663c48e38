import type { SessionEventMap, SessionEventType } from '@sessionlayer/session-core'
import { onScopeDispose } from 'vue'
import { injectSession } from './SESSION_KEY'

/**
 * Listens to one store event (`party:changed`, `reconnect:scheduled`, `invalidate`, …) until the
 * component (or effect scope) is disposed. Nothing is attached on the server.
 *
 * @param type - the event type
 * @param handler - receives the event's payload, typed by `type`; may be async (a rejection becomes an `error` event)
 * @throws `Error` when neither `createSessionPlugin` nor `provideSession` provided a store
 * @example
 * ```ts
 * useSessionEvent('party:changed', ({ previous, current }) => {
 *   console.log(`party ${previous} -> ${current}`)
 * })
 * ```
 * @public
 */
export function useSessionEvent<T extends SessionEventType>(type: T, handler: (event: SessionEventMap[T]) => unknown): void {
  const context = injectSession()
  if (!context.server) onScopeDispose(context.store.on(type, handler))
}
