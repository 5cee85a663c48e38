import type { SessionState, SessionStore } from '@sessionlayer/session-core'
import { inject, type InjectionKey, type Ref } from 'vue'

/**
 * What {@link createSessionPlugin} and {@link provideSession} provide under {@link SESSION_KEY}.
 * @public
 */
export interface SessionContext {
  /** The session store (a plugin-owned store is created on first access on the server). */
  readonly store: SessionStore
  /** True when rendering on the server: composables never subscribe there. */
  readonly server: boolean
  /**
   * What the server renders (null: the disconnected state). Composables report it on the server,
   * and in a component that hydrates server HTML until that component has mounted (also when it
   * hydrates after the app's mount, e.g. an async `setup` under `<Suspense>`); then the store.
   * Read when a composable is called.
   */
  readonly initial: Readonly<Ref<SessionState | null>>
}

/**
 * The injection key of the session context. Made with `Symbol.for`, so that several copies of
 * this package in one bundle still share it.
 * @public
 */
export const SESSION_KEY: InjectionKey<SessionContext> = Symbol.for('sessionlayer.session')

/**
 * True where no `window` exists (the server), read at call time.
 * @internal
 */
export const isServer = (): boolean => !(globalThis as { window?: unknown }).window

/**
 * True for a session store (what `createSessionStore` returns).
 * @internal
 */
export const isStore = (value: unknown): value is SessionStore =>
  typeof (value as Partial<SessionStore> | null)?.subscribe === 'function'

/**
 * The session context of the current component or app.
 * @returns the context
 * @throws `Error` when neither `createSessionPlugin` nor `provideSession` provided one
 * @internal
 */
export function injectSession(): SessionContext {
  const context = inject(SESSION_KEY, null)
  if (!context) {
    throw Error('Missing createSessionPlugin or provideSession')
  }
  return context
}
