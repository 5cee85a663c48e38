import type { BroadcastChannelLike, LockManagerLike } from './types'

/**
 * The globals this package may use, each possibly missing (Node, SSR, old browsers), read only
 * inside calls, never at import time. `BroadcastChannel` and `navigator.locks` are used only in a
 * page or a worker (`document` or `WorkerGlobalScope` exists), where they span the tabs and
 * workers of the origin: a server's (Node, Deno) would span the requests of every user.
 * `(globalThis as Globals)`, a type rather than a variable holding `globalThis`: a bundle then
 * needs no variable of its own for it.
 * @internal
 */
export type Globals = {
  document?: object
  WorkerGlobalScope?: object
  navigator?: { locks?: LockManagerLike }
  BroadcastChannel?: new (name: string) => BroadcastChannelLike
}
