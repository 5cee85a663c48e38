import type { LockManagerLike } from '@sessionlayer/session-core'

/**
 * A held or pending request, as reported by {@link MockLockManager.query}.
 * @public
 */
export interface MockLockInfo {
  /** The lock name. */
  readonly name: string
  /** The lock mode. */
  readonly mode: 'exclusive' | 'shared'
  /**
   * The client (tab, worker) that holds or asked for it, as `navigator.locks.query()` tells it: set
   * for the requests made through a {@link MockLockManager.client} view, absent for the others.
   */
  readonly clientId?: string
}

/** What the mock passes to a granted callback (the Web Locks `Lock`). */
type MockLock = Omit<MockLockInfo, 'clientId'>

type LockOptions = Parameters<LockManagerLike['request']>[1]
type LockCallback<T> = (lock: unknown) => T | Promise<T>

/**
 * An in-memory Web Locks `LockManager` with `navigator.locks.query()`-like inspection.
 * @public
 */
export interface MockLockManager extends LockManagerLike {
  /**
   * Requests a lock with the default options (exclusive, waiting for it), as
   * `navigator.locks.request(name, callback)` does.
   * @param name - the lock name
   * @param callback - called with the lock once granted; the lock is held until its result settles
   * @returns what `callback` returns
   */
  request<T>(name: string, callback: (lock: unknown) => T | Promise<T>): Promise<T>
  /**
   * Requests a lock; see the Web Locks API.
   * @param name - the lock name
   * @param options - `mode`, `ifAvailable`, `steal`, `signal`
   * @param callback - called with the lock once granted (with `null` for an `ifAvailable` request that cannot be granted at once)
   * @returns what `callback` returns
   */
  request<T>(
    name: string,
    options: { mode?: 'exclusive' | 'shared'; ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => T | Promise<T>,
  ): Promise<T>
  /**
   * The held locks and the queued requests, in grant order. Synchronous, unlike the Promise of
   * `navigator.locks.query()`: a test reads the locks at the point it asserts, before the next
   * grant (grants run on microtasks); `await locks.query()` works too.
   * @returns a copy of the held and the pending locks
   */
  query(): { held: MockLockInfo[]; pending: MockLockInfo[] }
  /**
   * The same locks as one client of the origin (a tab, a worker) sees them, as its own
   * `navigator.locks`: its requests are held or queued under `clientId`, which `query()` — of any
   * view — tells for each of them, as Web Locks do. A tab can so tell its lock from the one another
   * tab holds under the same name, e.g. after a `steal`.
   * @param clientId - the client's id (`Client.id` in a browser)
   * @returns a lock manager over the same locks, whose requests are that client's
   */
  client(clientId: string): MockLockManager
  /** How many `request` calls were made, through every view. */
  readonly requests: number
}

interface Pending extends MockLock {
  readonly clientId: string | undefined
  grant(): void
  /** Ends the request of this held lock, which another request stole. */
  stolen(): void
}

const notSupported = (message: string) => new DOMException(message, 'NotSupportedError')

/**
 * Creates an in-memory Web Locks `LockManager`. One instance stands for one origin: every tab given
 * the same instance shares its locks.
 *
 * @remarks
 *
 * It takes `request(name, callback)` and `request(name, options, callback)`, with exclusive and
 * shared modes per name.
 *
 * Each name has a FIFO request queue: a later request never overtakes an earlier one, even a shared
 * one. With `ifAvailable` it calls back with `null` when the lock cannot be granted at once.
 *
 * Some requests reject with a `TypeError` without taking or queueing for the lock. That is a
 * request without a callback, one with options that are not an object (a number, a string), or one
 * with a `signal` that is not an `AbortSignal` (`null`, a plain object). A mode other than
 * `exclusive` or `shared` rejects with a `TypeError` too.
 *
 * An already aborted signal rejects at once. Aborting a queued request removes it and rejects with
 * the abort reason. Aborting after the grant changes nothing.
 *
 * `signal` with `ifAvailable` or `steal` rejects with `NotSupportedError`, and so does `steal` with
 * `ifAvailable` or a shared mode. Names starting with `-` are rejected. Each of these rejects the
 * returned promise, and never throws from `request`.
 *
 * The name is read as Web Locks read it, as a string. `7` and `'7'` are one lock, which `query()`
 * and the granted lock name `'7'`. A Symbol rejects with a `TypeError`.
 *
 * `steal` releases the locks held under its name at once. Their `request` rejects with an
 * `AbortError` `DOMException`, and their callbacks run on, holding nothing. The stealing request is
 * granted ahead of the queued requests, which stay queued.
 *
 * The lock is released when the callback's result settles, and only then does `request` settle with
 * it. Callbacks run asynchronously, never inside `request`.
 *
 * Every tab (store, tab lock) given the same instance shares its locks. In multi-tab tests it is
 * the `lockManager` of the store's `broadcast` option. Its {@link MockLockManager.client} views are
 * the `navigator.locks` of each tab, whose locks `query()` tells apart by `clientId`.
 *
 * @returns the lock manager
 * @example
 * ```ts
 * const lockManager = createMockLockManager()
 * const tabA = createSessionStore(providerA, { broadcast: { channelFactory: hub.channelFactory, lockManager } })
 * const tabB = createSessionStore(providerB, { broadcast: { channelFactory: hub.channelFactory, lockManager } })
 * ```
 * @public
 */
export function createMockLockManager(): MockLockManager {
  const held: Pending[] = []
  const queues = new Map<string, Pending[]>()
  let requests = 0

  const grantable = (name: string, mode: MockLockInfo['mode']) =>
    held.every((lock) => lock.name !== name || (mode === 'shared' && lock.mode === 'shared'))

  const processQueue = (name: string) => {
    const queue = queues.get(name) ?? []
    for (let next = queue[0]; next && grantable(name, next.mode); next = queue[0]) {
      queue.shift()
      next.grant()
    }
    if (queue.length === 0) queues.delete(name)
  }

  const info = ({ name, mode, clientId }: Pending): MockLockInfo => (clientId === undefined ? { name, mode } : { name, mode, clientId })

  const view = (clientId?: string): MockLockManager => ({
    get requests() {
      return requests
    },
    query: () => ({
      held: held.map(info),
      pending: [...queues.values()].flat().map(info),
    }),
    client: view,
    request<T>(lockName: unknown, ...args: [LockCallback<T>] | [LockOptions | null | undefined, LockCallback<T>]): Promise<T> {
      requests++
      // what Web Locks refuse or cannot read rejects, never throws: their request() returns a Promise
      try {
        // the name is a DOMString: 7 and "7" are one lock; a Symbol is a TypeError (String() would take it)
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-template-expression -- misuse from JavaScript
        const name = `${lockName as string}`
        // request(name, callback), as Web Locks tell the forms apart: by the number of arguments
        const [options, callback] = args.length === 1 ? [{}, args[0]] : args
        // options given as undefined or null are the defaults, as for any WebIDL dictionary; a primitive is a TypeError
        if (options != null && Object(options) !== options) throw new TypeError('options is not an object')
        // read member by member in the dictionary's order, as WebIDL reads it
        const { ifAvailable = false, mode: modeOption = 'exclusive', signal, steal } = options ?? {}
        // checked before anything else, as WebIDL reads the arguments: a misuse takes no lock
        if (typeof callback !== 'function') throw new TypeError('callback is not a function')
        // an enum value is read as a string: new String('shared') is 'shared', a Symbol a TypeError
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-template-expression -- misuse from JavaScript
        const mode = `${modeOption}`
        if (mode !== 'exclusive' && mode !== 'shared') throw new TypeError(`'${mode}' is not a valid LockMode`)
        // any AbortSignal (of this realm or another), not null nor a plain object
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- misuse from JavaScript
        if (signal !== undefined && typeof signal?.addEventListener !== 'function') throw new TypeError('signal is not an AbortSignal')
        if (name.startsWith('-')) throw notSupported('Names starting with "-" are reserved')
        if (steal && (ifAvailable || mode !== 'exclusive')) throw notSupported('steal needs an exclusive request that waits')
        if (signal && (ifAvailable || steal)) throw notSupported('signal cannot be combined with ifAvailable or steal')
        if (signal?.aborted) throw signal.reason as Error
        const queue = queues.get(name) ?? []
        if (ifAvailable && (queue.length > 0 || !grantable(name, mode))) {
          return Promise.resolve().then(() => callback(null))
        }
        return new Promise<T>((resolve, reject) => {
          const lock: MockLock = Object.freeze({ name, mode })
          const onAbort = () => {
            const index = queue.indexOf(entry)
            if (index < 0) return
            queue.splice(index, 1)
            reject(signal?.reason as Error)
            processQueue(name)
          }
          const entry: Pending = {
            name,
            mode,
            clientId,
            grant() {
              signal?.removeEventListener('abort', onAbort)
              held.push(entry)
              // released when the callback's result settles, and only then does the request settle
              Promise.resolve()
                .then(() => callback(lock))
                .finally(() => {
                  // a lock stolen meanwhile is no longer held: its end releases nothing
                  const index = held.indexOf(entry)
                  if (index < 0) return
                  held.splice(index, 1)
                  processQueue(name)
                })
                .then(resolve, reject)
            },
            stolen: () => reject(new DOMException("Lock broken by another request with the 'steal' option.", 'AbortError')),
          }
          signal?.addEventListener('abort', onAbort)
          if (steal) {
            for (const lock of held.filter((lock) => lock.name === name)) {
              held.splice(held.indexOf(lock), 1)
              lock.stolen()
            }
            queue.unshift(entry)
          } else queue.push(entry)
          queues.set(name, queue)
          processQueue(name)
        })
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as Web Locks reject with it
        return Promise.reject(error)
      }
    },
  })
  return view()
}
