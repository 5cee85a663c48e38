import type { Globals } from './environment'
import type { LockManagerLike } from './types'

/**
 * Options of {@link createTabLock}.
 * @public
 */
export interface TabLockOptions {
  /**
   * The lock manager. Default: `navigator.locks` when present in a page or a worker (read when the
   * lock is created; absent in non-secure contexts, never used on the server), else an in-tab
   * fallback. `null` forces the fallback.
   */
  lockManager?: LockManagerLike | null | undefined
}

/**
 * Options of {@link TabLock.runExclusive}.
 * @public
 */
export interface RunExclusiveOptions {
  /**
   * Stops waiting for the lock: the call rejects with the abort reason and `fn` never runs. An
   * abort after the lock is granted does not interrupt `fn`. Anything but an `AbortSignal` (`null`,
   * a plain object) rejects the call with a `TypeError`, as Web Locks do, also without them.
   */
  signal?: AbortSignal | undefined
  /** Do not wait: when the lock is held the call rejects at once and `fn` never runs. Not with `signal`: the pair rejects with `NotSupportedError`, as Web Locks do, also without them. */
  ifAvailable?: boolean | undefined
}

/**
 * The outcome of {@link TabLock.tryRunExclusive}.
 * @public
 */
export type TryRunResult<T> = { ran: true; value: T } | { ran: false }

/**
 * Named exclusive locks, across tabs with Web Locks (SPEC M6).
 * @public
 */
export interface TabLock {
  /** True when the locks are Web Locks, shared by every tab of the origin; false for the in-tab fallback (also once Web Locks refused a request as they will every request, e.g. with a `SecurityError`). */
  readonly crossTab: boolean
  /**
   * Waits for the lock `name`, runs `fn` while holding it, and releases it when `fn` settles
   * (a throw or rejection releases it too and rejects the call).
   * @param name - the lock name
   * @param fn - the work to run while holding the lock
   * @param options - abort signal, or `ifAvailable` not to wait
   * @returns what `fn` returns
   */
  runExclusive<T>(name: string, fn: () => T | Promise<T>, options?: RunExclusiveOptions): Promise<T>
  /**
   * Runs `fn` only if the lock `name` is free right now; otherwise resolves `{ ran: false }` at once.
   * @param name - the lock name
   * @param fn - the work to run while holding the lock
   * @returns `{ ran: true, value }` or `{ ran: false }`
   */
  tryRunExclusive<T>(name: string, fn: () => T | Promise<T>): Promise<TryRunResult<T>>
}

/**
 * One FIFO queue of requests per name, each its grant and what a steal ends it with; the head holds
 * the lock. Web Locks semantics, in one tab: a `steal` takes the lock from the head, whose request
 * rejects with an `AbortError` (its callback runs on, holding nothing), and runs at once, ahead of
 * the queued ones, which stay queued; `signal` with `ifAvailable`, and a name starting with `-`, reject
 * with `NotSupportedError`. A name is read as a string, as Web Locks read it (`7` is the lock `"7"`).
 * @internal
 */
export function createLocalLocks(): LockManagerLike {
  const queues = new Map<string, [grant: () => void, steal: () => void][]>()
  return {
    request<T>(name: string, { ifAvailable, signal, steal }: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => T | Promise<T>) {
      return new Promise<T>((resolve, reject) => {
        // a DOMString, as Web Locks read the name: 7 is the lock "7", a symbol throws a TypeError
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-template-expression -- a JavaScript caller's name may be none
        name = `${name}`
        const queue = queues.get(name) ?? []
        // misuse that Web Locks reject: code tested without them must not fail only in a browser
        if ((signal && ifAvailable) || name.startsWith('-')) throw new DOMException('signal with ifAvailable, or a name starting with "-"', 'NotSupportedError')
        if (signal?.aborted) throw signal.reason
        // callbacks run asynchronously, as with Web Locks, so timing does not depend on the manager
        const call = (lock: unknown) => Promise.resolve(lock).then(callback)
        if (ifAvailable && queue.length) {
          resolve(call(null))
          return
        }
        const abort = () => {
          queue.splice(queue.indexOf(entry), 1)
          reject(signal?.reason as Error)
        }
        const grant = () => {
          signal?.removeEventListener('abort', abort)
          call({ name })
            .finally(() => {
              // a holder whose lock was stolen (no longer the head: index -1) releases nothing
              if (queue.indexOf(entry)) return
              queue.shift()
              if (queue[0]) queue[0][0]()
              else queues.delete(name)
            })
            .then(resolve, reject)
        }
        const entry: [() => void, () => void] = [grant, () => reject(Object.assign(new Error(`Lock "${name}" was stolen`), { name: 'AbortError' }))]
        queues.set(name, queue)
        signal?.addEventListener('abort', abort)
        if (steal) {
          queue.shift()?.[1]()
          queue.unshift(entry)
          grant()
        } else if (queue.push(entry) === 1) grant()
      })
    },
  }
}

/**
 * The Web Locks manager that locks across tabs, or null where there is none. For code that only
 * needs a lock when it spans tabs, without {@link createTabLock}'s in-tab fallback.
 *
 * @remarks
 *
 * It is `options.lockManager` when given, else `navigator.locks` in a page or a worker, read at the
 * call. `navigator.locks` is absent in non-secure contexts; a server's process-wide one is not used.
 *
 * It is null when there is none, when `lockManager` is null, or when reading `navigator.locks`
 * throws (as in some sandboxed or opaque-origin frames): the caller then works within its own tab.
 *
 * @param options - the lock manager
 * @returns the cross-tab lock manager, or null
 * @example
 * ```ts
 * const locks = getWebLocks()
 * await (locks ? locks.request('refresh', {}, refresh) : refresh())
 * ```
 * @public
 */
export function getWebLocks(options: TabLockOptions = {}): LockManagerLike | null {
  // Only in a page or a worker, whose locks span the origin's tabs: a server's navigator.locks
  // (Node 24.5, Deno) is process-wide, shared by the requests of every user. A getter that throws
  // (a sandboxed or opaque-origin frame, a hostile polyfill) is no Web Locks either.
  try {
    return (options.lockManager === undefined ? ((globalThis as Globals).document ?? (globalThis as Globals).WorkerGlobalScope) && (globalThis as Globals).navigator?.locks : options.lockManager) ?? null
  } catch {
    return null
  }
}

/**
 * Creates named exclusive locks (SPEC M6). With Web Locks (`navigator.locks`) a lock name is held
 * by one tab of the origin at a time, which gives leadership.
 *
 * @remarks
 *
 * The tab holding the name (e.g. `sessionlayer.reconnect::<storageKey>`) runs the work. The others
 * wait in line or follow its outcome by message on the sync channel. When the leader closes, the
 * next waiting tab gets the lock.
 *
 * Without Web Locks the fallback gives the same semantics within this lock only, a FIFO mutex per
 * name, and every tab works on its own.
 *
 * It does so too from the first request that Web Locks refuse as they will every request. That is a
 * `SecurityError` in a sandboxed frame or an opaque origin, a polyfill's `TypeError`, or any other
 * failure but those below. The fallback comes after what this tab holds through Web Locks: a holder
 * granted by them holds the in-tab lock too.
 *
 * A request dropped as its document is torn down or not fully active rejects with that error and
 * never runs `fn`, as another tab may hold the lock. That is an `InvalidStateError`, or an
 * `AbortError` without an abort of the caller's signal. Later calls use Web Locks again.
 *
 * An abort and misuse reject too: `NotSupportedError` for `signal` with `ifAvailable` or a name
 * starting with `-`; a `TypeError` for a Symbol name, options that are no object (a number, a
 * string, `true`) or a `signal` that is no `AbortSignal`, as Web Locks reject them (`null` options
 * are the defaults).
 *
 * @param options - the lock manager (default `navigator.locks`, else in-tab)
 * @returns the tab lock
 * @example
 * ```ts
 * const lock = createTabLock()
 * const result = await lock.tryRunExclusive('sessionlayer.reconnect::key', () => reconnect())
 * if (!result.ran) waitForTheLeadersMessage()
 * ```
 * @public
 */
export function createTabLock(options: TabLockOptions = {}): TabLock {
  const web = getWebLocks(options)
  const local = createLocalLocks()
  let refused = false
  const request = <T>(name: string, options: RunExclusiveOptions, callback: (lock: unknown) => T | Promise<T>): Promise<T> => {
    // A Symbol name, options that are no object (a number, a string, true) or a signal that is no
    // AbortSignal (null, a plain object), from JavaScript, are misuse, which Web Locks reject with a
    // TypeError: rejected here, with them and without, and never taken for Web Locks refusing every
    // request, which would run fn beside another tab's holder (M6).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a JavaScript caller's name, options and signal may be anything
    if (typeof name == 'symbol' || Object(options) !== options || (options.signal !== undefined && typeof options.signal?.addEventListener != 'function')) return Promise.reject(new TypeError('Invalid lock name, options or signal'))
    let granted = false
    const call = (lock: unknown) => {
      granted = true
      return callback(lock)
    }
    return web && !refused
      ? new Promise<T>((resolve) => {
          // A grant holds the in-tab lock too: a request that falls back to it later, while this one
          // runs (Web Locks refusing, say, only ifAvailable), waits for it instead of running beside it.
          // Not for a name the fallback refuses (a "-" one, which a given manager may grant): no such
          // request ever waits there, and the manager, not the fallback, judges what it grants.
          // eslint-disable-next-line @typescript-eslint/prefer-string-starts-ends-with -- a JavaScript caller's name may be no string
          resolve(web.request(name, options, (lock) => (lock && name[0] != '-' ? local.request(name, {}, () => call(lock)) : call(lock))))
        }).catch((error: unknown) => {
          // Web Locks refused the request itself, as they will every request (SecurityError: a sandboxed
          // frame, an opaque origin, storage access denied; a polyfill's TypeError): from now on this
          // tab locks on its own. An abort and misuse (NotSupportedError) are passed on, and so is a
          // request dropped as its document is torn down or leaves the page (InvalidStateError,
          // AbortError): another tab may hold the lock, so fn must not run, and a document that is
          // fully active again (back from the back/forward cache) asks Web Locks as before (M6).
          if (granted || options.signal?.aborted || /^(NotSupported|InvalidState|Abort)Error$/.test((error as Error | null)?.name ?? '')) throw error
          refused = true
          return local.request(name, options, call)
        })
      : local.request(name, options, call)
  }
  return {
    get crossTab() {
      return !!web && !refused
    },
    // null options (from JavaScript) are the defaults, as for Web Locks (a WebIDL dictionary)
    runExclusive: <T>(name: string, fn: () => T | Promise<T>, options: RunExclusiveOptions | null = {}) =>
      request<T>(name, (options ??= {}), (lock) => {
        // Chromium still grants a request aborted in the task that made it: never run fn then
        options.signal?.throwIfAborted()
        return lock ? fn() : Promise.reject(new Error(`Lock "${name}" is held`))
      }),
    tryRunExclusive: <T>(name: string, fn: () => T | Promise<T>) =>
      request<TryRunResult<T>>(name, { ifAvailable: true }, async (lock) => (lock ? { ran: true, value: await fn() } : { ran: false })),
  }
}
