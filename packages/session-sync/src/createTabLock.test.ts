import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLocalLocks, createTabLock, getWebLocks, type RunExclusiveOptions, type TabLock } from './createTabLock'
import type { LockManagerLike } from './types'
import { createMockLockManager } from '@sessionlayer/session-testing'

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

/** A promise with its resolver, to hold a lock until the test lets go. */
function gate() {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

/** Two tabs over one Web Locks manager, the first holding `name` until `release()` (which settles with its request). */
async function secondTabWhileHeld(name: string) {
  const locks = createMockLockManager()
  const [tabA, tabB] = [createTabLock({ lockManager: locks }), createTabLock({ lockManager: locks })]
  const held = gate()
  const leader = tabA.runExclusive(name, () => held.promise)
  await tick()
  return { tabB, release: () => (held.open(), leader) }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe.each([
  ['the in-tab fallback', () => createTabLock({ lockManager: null }), false],
  ['Web Locks (in-memory LockManager)', () => createTabLock({ lockManager: createMockLockManager() }), true],
] as const)('createTabLock over %s', (_, create, crossTab) => {
  it(`M6: crossTab is ${crossTab}`, () => {
    expect(create().crossTab).toBe(crossTab)
  })

  it('M6: runExclusive with both signal and ifAvailable rejects with NotSupportedError, as Web Locks do, and never runs fn: code that passes its tests without Web Locks does not fail in a browser', async () => {
    const lock: TabLock = create()
    const fn = vi.fn()
    await expect(lock.runExclusive('k', fn, { signal: new AbortController().signal, ifAvailable: true })).rejects.toMatchObject({ name: 'NotSupportedError' })
    expect(fn).not.toHaveBeenCalled()
    // the lock is free, as it was
    await expect(lock.runExclusive('k', () => 'free', { ifAvailable: true })).resolves.toBe('free')
  })

  it('M6: a signal that is no AbortSignal (null, a plain object, from JavaScript) rejects with a TypeError, as Web Locks do, and never runs fn; the lock keeps its kind', async () => {
    const lock: TabLock = create()
    for (const signal of [null, {}]) {
      const fn = vi.fn()
      await expect(lock.runExclusive('k', fn, { signal } as unknown as RunExclusiveOptions)).rejects.toThrow(TypeError)
      expect(fn).not.toHaveBeenCalled()
    }
    expect(lock.crossTab).toBe(crossTab)
    await expect(lock.runExclusive('k', () => 'free')).resolves.toBe('free')
  })

  it('M6: options that are a function (from JavaScript) are an object like any other, as for Web Locks (a WebIDL dictionary): their fields are read, the call is no misuse', async () => {
    const lock: TabLock = create()
    const controller = new AbortController()
    controller.abort()
    const fn = vi.fn()
    const options = (fields: RunExclusiveOptions) => Object.assign(() => undefined, fields) as unknown as RunExclusiveOptions
    await expect(lock.runExclusive('k', fn, options({ signal: controller.signal }))).rejects.toMatchObject({ name: 'AbortError' })
    expect(fn).not.toHaveBeenCalled()
    await expect(lock.runExclusive('k', () => 'free', options({ ifAvailable: true }))).resolves.toBe('free')
    expect(lock.crossTab).toBe(crossTab)
  })

  it('M6: a Symbol name, or options that are no object (a number, a string, true, from JavaScript), reject with a TypeError, as Web Locks do, and never run fn; the lock keeps its kind, and null options are the defaults, as for Web Locks', async () => {
    const lock: TabLock = create()
    const fn = vi.fn()
    const calls = [
      () => lock.runExclusive(Symbol('k') as unknown as string, fn),
      () => lock.tryRunExclusive(Symbol('k') as unknown as string, fn),
      ...[5, 'ifAvailable', true].map((options) => () => lock.runExclusive('k', fn, options as RunExclusiveOptions)),
    ]
    for (const call of calls) await expect(call()).rejects.toThrow(TypeError)
    expect(fn).not.toHaveBeenCalled()
    expect(lock.crossTab).toBe(crossTab)
    await expect(lock.runExclusive('k', () => 'free', null as unknown as RunExclusiveOptions)).resolves.toBe('free')
    await expect(lock.runExclusive('k', () => 'free')).resolves.toBe('free')
    expect(lock.crossTab).toBe(crossTab)
  })

  it('M6: a lock name starting with "-" rejects with NotSupportedError, as Web Locks do, and never runs fn: code that passes its tests without Web Locks does not fail in a browser', async () => {
    const lock: TabLock = create()
    const fn = vi.fn()
    await expect(lock.runExclusive('-k', fn)).rejects.toMatchObject({ name: 'NotSupportedError' })
    await expect(lock.tryRunExclusive('-k', fn)).rejects.toMatchObject({ name: 'NotSupportedError' })
    expect(fn).not.toHaveBeenCalled()
    // a "-" within the name is no misuse
    await expect(lock.runExclusive('k-', () => 'free')).resolves.toBe('free')
  })

  it('M6: runs one holder at a time, in FIFO order, and returns what fn returns', async () => {
    const lock: TabLock = create()
    const log: string[] = []
    let inside = 0
    let most = 0
    const work = (id: string) => async () => {
      most = Math.max(most, ++inside)
      log.push(`${id}+`)
      await tick()
      log.push(`${id}-`)
      inside--
      return id
    }
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => lock.runExclusive('k', work(id))))
    expect(results).toEqual(['a', 'b', 'c', 'd'])
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-', 'd+', 'd-'])
    expect(most).toBe(1)
    expect(await lock.runExclusive('k', () => 42)).toBe(42)
  })

  it('M6: runs fn asynchronously, never inside the call, as Web Locks do', async () => {
    const lock = create()
    const fn = vi.fn(() => 1)
    const running = lock.runExclusive('k', fn)
    const trying = lock.tryRunExclusive('other', fn)
    expect(fn).not.toHaveBeenCalled()
    await Promise.all([running, trying])
    expect(fn).toHaveBeenCalledTimes(2)
  })

  it('M6: different names do not exclude each other', async () => {
    const lock = create()
    const held = gate()
    const first = lock.runExclusive('a', () => held.promise)
    expect(await lock.runExclusive('b', () => 'b')).toBe('b')
    held.open()
    await first
  })

  it('M6: tryRunExclusive resolves { ran: false } at once while the lock is held, and runs when it is free', async () => {
    const lock = create()
    const held = gate()
    const holder = lock.runExclusive('k', () => held.promise)
    await tick()
    const fn = vi.fn(() => 'value')
    expect(await lock.tryRunExclusive('k', fn)).toEqual({ ran: false })
    expect(fn).not.toHaveBeenCalled()
    held.open()
    await holder
    expect(await lock.tryRunExclusive('k', fn)).toEqual({ ran: true, value: 'value' })
    expect(await lock.tryRunExclusive('k', async () => 'async')).toEqual({ ran: true, value: 'async' })
  })

  it('M6: tryRunExclusive holds the lock while fn runs', async () => {
    const lock = create()
    const held = gate()
    const trying = lock.tryRunExclusive('k', () => held.promise)
    await tick()
    expect(await lock.tryRunExclusive('k', () => 1)).toEqual({ ran: false })
    held.open()
    expect(await trying).toEqual({ ran: true, value: undefined })
  })

  it('M6: runExclusive with ifAvailable rejects at once while the lock is held and never runs fn', async () => {
    const lock = create()
    const held = gate()
    const holder = lock.runExclusive('k', () => held.promise)
    await tick()
    const fn = vi.fn()
    await expect(lock.runExclusive('k', fn, { ifAvailable: true })).rejects.toThrow(/held/)
    expect(fn).not.toHaveBeenCalled()
    held.open()
    await holder
    expect(await lock.runExclusive('k', () => 'free', { ifAvailable: true })).toBe('free')
  })

  it('M6: aborting while waiting rejects with the abort reason, never runs fn, and keeps the queue moving', async () => {
    const lock = create()
    const held = gate()
    const log: string[] = []
    const holder = lock.runExclusive('k', async () => {
      await held.promise
      log.push('holder')
    })
    const abort = new AbortController()
    const waiting = lock.runExclusive('k', () => log.push('aborted one'), { signal: abort.signal })
    const next = lock.runExclusive('k', () => log.push('next'))
    const reason = new Error('stop waiting')
    abort.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    held.open()
    await Promise.all([holder, next])
    expect(log).toEqual(['holder', 'next'])
  })

  it('M6: an already aborted signal rejects without running fn', async () => {
    const lock = create()
    const fn = vi.fn()
    await expect(lock.runExclusive('k', fn, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone')
    expect(fn).not.toHaveBeenCalled()
    expect(await lock.tryRunExclusive('k', () => 'free')).toEqual({ ran: true, value: 'free' })
  })

  it('M6: an already aborted signal rejects at once also while the lock is held, without waiting for the holder, and never runs fn', async () => {
    const lock = create()
    const held = gate()
    const holder = lock.runExclusive('k', () => held.promise)
    await tick()
    const fn = vi.fn()
    const reason = new Error('gone')
    const settled = vi.fn()
    lock.runExclusive('k', fn, { signal: AbortSignal.abort(reason) }).catch(settled)
    await tick()
    expect(settled).toHaveBeenCalledWith(reason)
    held.open()
    await holder
    await tick()
    expect(fn).not.toHaveBeenCalled()
  })

  it('M6: aborting after the lock is granted does not interrupt the holder', async () => {
    const lock = create()
    const abort = new AbortController()
    const held = gate()
    const holder = lock.runExclusive(
      'k',
      async () => {
        await held.promise
        return 'done'
      },
      { signal: abort.signal },
    )
    await tick()
    abort.abort()
    expect(await lock.tryRunExclusive('k', () => 1)).toEqual({ ran: false })
    held.open()
    expect(await holder).toBe('done')
  })

  it('M6: a throwing or rejecting fn releases the lock and rejects', async () => {
    const lock = create()
    const syncError = new Error('sync')
    const asyncError = new Error('async')
    const results = await Promise.allSettled([
      lock.runExclusive('k', () => {
        throw syncError
      }),
      lock.runExclusive('k', () => Promise.reject(asyncError)),
      lock.tryRunExclusive('other', () => {
        throw syncError
      }),
      lock.runExclusive('k', () => 'after'),
    ])
    expect(results).toEqual([
      { status: 'rejected', reason: syncError },
      { status: 'rejected', reason: asyncError },
      { status: 'rejected', reason: syncError },
      { status: 'fulfilled', value: 'after' },
    ])
    expect(await lock.tryRunExclusive('other', () => 'free')).toEqual({ ran: true, value: 'free' })
  })
})

describe('createTabLock defaults', () => {
  it('M6: uses navigator.locks, read when the lock is created', async () => {
    const locks = createMockLockManager()
    vi.stubGlobal('document', {})
    vi.stubGlobal('navigator', { locks })
    const lock = createTabLock()
    expect(lock.crossTab).toBe(true)
    expect(await lock.runExclusive('k', () => 'ok')).toBe('ok')
    expect(locks.requests).toBe(1)
  })

  it('M6: without Web Locks (Node, non-secure contexts) falls back to the in-tab lock', async () => {
    vi.stubGlobal('navigator', {})
    expect(createTabLock().crossTab).toBe(false)
    vi.stubGlobal('navigator', undefined)
    const lock = createTabLock()
    expect(lock.crossTab).toBe(false)
    expect(await lock.runExclusive('k', () => 'ok')).toBe('ok')
  })

  it('M6: a lock manager that grants an already aborted request (Chromium, same task) never runs fn', async () => {
    const eager = { request: <T>(_: string, __: unknown, callback: (lock: unknown) => T | Promise<T>) => Promise.resolve().then(() => callback({})) }
    const lock = createTabLock({ lockManager: eager })
    const abort = new AbortController()
    const fn = vi.fn()
    const running = lock.runExclusive('k', fn, { signal: abort.signal })
    abort.abort(new Error('gave up'))
    await expect(running).rejects.toThrow('gave up')
    expect(fn).not.toHaveBeenCalled()
  })

  it.each([
    ['reject the request', () => Promise.reject(new DOMException('The request was denied.', 'SecurityError'))],
    [
      'throw (a polyfill)',
      () => {
        throw new DOMException('The request was denied.', 'SecurityError')
      },
    ],
  ])('M6: where Web Locks %s (a sandboxed frame, SecurityError), the work still runs, under an in-tab lock', async (_, request) => {
    const lock = createTabLock({ lockManager: { request } })
    const held = gate()
    const first = lock.runExclusive('k', () => held.promise.then(() => 'first'))
    await tick()
    // the in-tab fallback: one holder at a time, as without Web Locks
    expect(await lock.tryRunExclusive('k', () => 'second')).toEqual({ ran: false })
    expect(lock.crossTab).toBe(false)
    held.open()
    expect(await first).toBe('first')
    expect(await lock.tryRunExclusive('k', () => 'third')).toEqual({ ran: true, value: 'third' })
    // other refusals are not masked: an abort still rejects with its reason
    const abort = new AbortController()
    abort.abort(new Error('gave up'))
    const fn = vi.fn()
    await expect(lock.runExclusive('k', fn, { signal: abort.signal })).rejects.toThrow('gave up')
    expect(fn).not.toHaveBeenCalled()
  })

  it.each([
    ['reject with a TypeError (a polyfill)', () => Promise.reject(new TypeError('locks.request is not supported'))],
    [
      'throw a TypeError (a polyfill or an environment without the three-argument form)',
      () => {
        throw new TypeError('Illegal invocation')
      },
    ],
    // a lock manager given by JavaScript may refuse with anything: no error, no name, null (C18)
    ['reject with undefined (a lock manager given that refuses with no error)', () => Promise.reject(undefined)], // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- what a lock manager given may reject with
    [
      'throw null (a lock manager given)',
      () => {
        throw null // eslint-disable-line @typescript-eslint/only-throw-error -- what a lock manager given may throw
      },
    ],
    ['reject with an object without a name', () => Promise.reject({ message: 'denied' })], // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- what a lock manager given may reject with
  ])('M6: where Web Locks %s, the work still runs, under an in-tab lock', async (_, request) => {
    const lock = createTabLock({ lockManager: { request } })
    await expect(lock.runExclusive('k', () => 'ran')).resolves.toBe('ran')
    expect(lock.crossTab).toBe(false)
    const held = gate()
    const first = lock.runExclusive('k', () => held.promise)
    await tick()
    expect(await lock.tryRunExclusive('k', () => 'second')).toEqual({ ran: false })
    held.open()
    await first
  })

  it.each([
    ['InvalidStateError (a document no longer fully active)', 'InvalidStateError'],
    ['AbortError (a document torn down while its request waits)', 'AbortError'],
  ])('M6: a request Web Locks drop with %s rejects and never runs fn while another tab holds the lock; later calls still lock across tabs', async (_, errorName) => {
    const locks = createMockLockManager()
    const refusal = new DOMException('The lock request was dropped.', errorName)
    let drop = true
    // tab B's manager takes its first request and drops it later, while it waits behind tab A
    const tornDown: LockManagerLike = {
      request: (name, options, callback) => {
        if (!drop) return locks.request(name, options, callback)
        drop = false
        return tick().then(() => Promise.reject(refusal))
      },
    }
    const [tabA, tabB] = [createTabLock({ lockManager: locks }), createTabLock({ lockManager: tornDown })]
    const held = gate()
    const leader = tabA.runExclusive('sessionlayer.reconnect::k', () => held.promise)
    await tick()
    const fn = vi.fn()
    await expect(tabB.runExclusive('sessionlayer.reconnect::k', fn)).rejects.toBe(refusal)
    expect(fn).not.toHaveBeenCalled()
    // tab A still leads: tab B, asking again, does not get the lock as well
    expect(tabB.crossTab).toBe(true)
    expect(await tabB.tryRunExclusive('sessionlayer.reconnect::k', fn)).toEqual({ ran: false })
    expect(fn).not.toHaveBeenCalled()
    held.open()
    await leader
    expect(await tabB.tryRunExclusive('sessionlayer.reconnect::k', () => 'b')).toEqual({ ran: true, value: 'b' })
  })

  it('M6: a request Web Locks refuse while this tab holds the lock through them (a polyfill without ifAvailable) waits for that holder under the in-tab lock, instead of running beside it', async () => {
    const locks = createMockLockManager()
    const request: LockManagerLike['request'] = (name, options, callback) => {
      if (options.ifAvailable) throw new TypeError('ifAvailable is not supported')
      return locks.request(name, options, callback)
    }
    const lock = createTabLock({ lockManager: { request } })
    const held = gate()
    const log: string[] = []
    const holder = lock.runExclusive('k', async () => {
      log.push('holder+')
      await held.promise
      log.push('holder-')
    })
    await tick()
    expect(await lock.tryRunExclusive('k', () => log.push('tried'))).toEqual({ ran: false })
    expect(lock.crossTab).toBe(false)
    const next = lock.runExclusive('k', () => log.push('next'))
    await tick()
    held.open()
    await Promise.all([holder, next])
    expect(log).toEqual(['holder+', 'holder-', 'next'])
  })

  it('M6: a request Web Locks reject as misuse (NotSupportedError: signal with ifAvailable, a name starting with "-") rejects, and later ones still use Web Locks', async () => {
    const request = vi.fn((name: string) => (name.startsWith('-') ? Promise.reject(new DOMException('Names starting with "-" are reserved.', 'NotSupportedError')) : Promise.resolve('web')))
    const lock = createTabLock({ lockManager: { request } as unknown as LockManagerLike })
    const fn = vi.fn()
    await expect(lock.runExclusive('-k', fn)).rejects.toThrow('reserved')
    expect(fn).not.toHaveBeenCalled()
    expect(lock.crossTab).toBe(true)
    await expect(lock.runExclusive('k', fn)).resolves.toBe('web')
  })

  it('M6: a lock name that is not a string is read as its string, as Web Locks read it (a DOMString): with Web Locks it runs fn and the tab keeps locking across tabs', async () => {
    // a browser's request(name, …) converts the name to a string first
    const request: LockManagerLike['request'] = (name: unknown, _options, callback) => Promise.resolve({ name: String(name) }).then(callback)
    const lock = createTabLock({ lockManager: { request } })
    await expect(lock.runExclusive(7 as unknown as string, () => 'ran')).resolves.toBe('ran')
    await expect(lock.tryRunExclusive(7 as unknown as string, () => 'tried')).resolves.toEqual({ ran: true, value: 'tried' })
    expect(lock.crossTab).toBe(true)
  })

  it('M6: without Web Locks, a lock name that is not a string is the lock of its string, as Web Locks read it: 7 and "7" exclude each other', async () => {
    const lock = createTabLock({ lockManager: null })
    const held = gate()
    const log: string[] = []
    const holder = lock.runExclusive(7 as unknown as string, async () => {
      log.push('7+')
      await held.promise
      log.push('7-')
    })
    await tick()
    expect(await lock.tryRunExclusive('7', () => log.push('tried'))).toEqual({ ran: false })
    const next = lock.runExclusive('7', () => log.push('"7"'))
    await tick()
    held.open()
    await Promise.all([holder, next])
    expect(log).toEqual(['7+', '7-', '"7"'])
    // a symbol has no string: a TypeError, as Web Locks throw, and fn never runs
    const fn = vi.fn()
    await expect(lock.runExclusive(Symbol('k') as unknown as string, fn)).rejects.toBeInstanceOf(TypeError)
    expect(fn).not.toHaveBeenCalled()
  })

  it('M6: a lock manager given that grants a name starting with "-" (no browser) is the judge of it: fn runs, as before the in-tab lock refused such names', async () => {
    const request: LockManagerLike['request'] = (name, _options, callback) => Promise.resolve({ name }).then(callback)
    const lock = createTabLock({ lockManager: { request } })
    await expect(lock.runExclusive('-k', () => 'ran')).resolves.toBe('ran')
    await expect(lock.tryRunExclusive('-k', () => 'tried')).resolves.toEqual({ ran: true, value: 'tried' })
    expect(lock.crossTab).toBe(true)
  })

  it('M6: getWebLocks is the given manager, else navigator.locks at the call, else null; never a fallback', () => {
    const locks = createMockLockManager()
    const given = createMockLockManager()
    vi.stubGlobal('document', {})
    vi.stubGlobal('navigator', undefined)
    expect(getWebLocks()).toBeNull()
    vi.stubGlobal('navigator', {})
    expect(getWebLocks()).toBeNull()
    vi.stubGlobal('navigator', { locks })
    expect(getWebLocks()).toBe(locks)
    expect(getWebLocks({ lockManager: given })).toBe(given)
    expect(getWebLocks({ lockManager: null })).toBeNull()
  })

  it('M6: where reading navigator.locks throws (a sandboxed or opaque-origin frame, a hostile polyfill), getWebLocks is null and createTabLock locks in-tab, instead of throwing', async () => {
    vi.stubGlobal('document', {})
    vi.stubGlobal('navigator', {
      get locks() {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      },
    })
    expect(getWebLocks()).toBeNull()
    const lock = createTabLock()
    expect(lock.crossTab).toBe(false)
    expect(await lock.runExclusive('k', () => 'ok')).toBe('ok')
  })

  it('M6: on the server (no document) navigator.locks is not used: one process serves many users, whose work must not queue behind each other', async () => {
    // Node 24.5 and Deno have a process-wide navigator.locks
    const locks = createMockLockManager()
    vi.stubGlobal('document', undefined)
    vi.stubGlobal('navigator', { locks })
    expect(getWebLocks()).toBeNull()
    const lock = createTabLock()
    expect(lock.crossTab).toBe(false)
    expect(await lock.runExclusive('k', () => 'ok')).toBe('ok')
    expect(locks.requests).toBe(0)
    // a manager given explicitly is used as given
    expect(getWebLocks({ lockManager: locks })).toBe(locks)
  })

  it('M6: in a worker (no document) navigator.locks is used: it locks across the tabs and workers of the origin', () => {
    const locks = createMockLockManager()
    vi.stubGlobal('document', undefined)
    vi.stubGlobal('WorkerGlobalScope', function WorkerGlobalScope() {})
    vi.stubGlobal('navigator', { locks })
    expect(getWebLocks()).toBe(locks)
    expect(createTabLock().crossTab).toBe(true)
  })

  it('M6: lockManager null forces the fallback even where Web Locks exist', () => {
    const locks = createMockLockManager()
    vi.stubGlobal('navigator', { locks })
    expect(createTabLock({ lockManager: null }).crossTab).toBe(false)
  })

  it('M6: tabs sharing Web Locks exclude each other; fallback locks are per tab', async () => {
    const { tabB, release } = await secondTabWhileHeld('sessionlayer.reconnect::k')
    expect(await tabB.tryRunExclusive('sessionlayer.reconnect::k', () => 'b')).toEqual({ ran: false })
    const fallbackA = createTabLock({ lockManager: null })
    const fallbackB = createTabLock({ lockManager: null })
    const other = gate()
    const own = fallbackA.runExclusive('k', () => other.promise)
    await tick()
    expect(await fallbackB.tryRunExclusive('k', () => 'b')).toEqual({ ran: true, value: 'b' })
    other.open()
    await Promise.all([release(), own])
  })
})

describe('createTabLock over Web Locks when a request fails', () => {
  it('M6: an error fn throws while holding a Web Lock (a TypeError, as Web Locks refusing would be) is fn\'s: the call rejects with it, fn runs once, and the tab keeps locking across tabs', async () => {
    const lock = createTabLock({ lockManager: createMockLockManager() })
    const error = new TypeError('bad input')
    const fn = vi.fn(() => {
      throw error
    })
    await expect(lock.runExclusive('k', fn)).rejects.toBe(error)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(lock.crossTab).toBe(true)
  })

  it('M6: aborting a request that waits for another tab\'s Web Lock rejects with the abort reason, whatever its name, never runs fn, and the tab keeps locking across tabs', async () => {
    const { tabB, release } = await secondTabWhileHeld('k')
    const abort = new AbortController()
    const fn = vi.fn()
    const waiting = tabB.runExclusive('k', fn, { signal: abort.signal })
    const reason = new Error('stop waiting')
    abort.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(tabB.crossTab).toBe(true)
    expect(await tabB.tryRunExclusive('k', fn)).toEqual({ ran: false })
    await release()
    expect(fn).not.toHaveBeenCalled()
  })
})

describe('createTabLock over Web Locks given a signal that is no AbortSignal', () => {
  it('M6: the call is misuse, not Web Locks refusing every request: it rejects while another tab holds the lock, never runs fn beside that holder, and the tab keeps locking across tabs', async () => {
    const { tabB, release } = await secondTabWhileHeld('sessionlayer.reconnect::k')
    const fn = vi.fn()
    await expect(tabB.runExclusive('sessionlayer.reconnect::k', fn, { signal: null } as unknown as RunExclusiveOptions)).rejects.toThrow(TypeError)
    expect(fn).not.toHaveBeenCalled()
    expect(tabB.crossTab).toBe(true)
    expect(await tabB.tryRunExclusive('sessionlayer.reconnect::k', fn)).toEqual({ ran: false })
    expect(fn).not.toHaveBeenCalled()
    await release()
  })
})

describe('createTabLock over Web Locks given a Symbol name or options that are no object', () => {
  it('M6: the call is misuse, not Web Locks refusing every request: it never runs fn beside another tab\'s holder, and the tab keeps locking across tabs', async () => {
    const { tabB, release } = await secondTabWhileHeld('sessionlayer.reconnect::k')
    const fn = vi.fn()
    await expect(tabB.runExclusive(Symbol('k') as unknown as string, fn)).rejects.toThrow(TypeError)
    await expect(tabB.runExclusive('sessionlayer.reconnect::k', fn, 1 as unknown as RunExclusiveOptions)).rejects.toThrow(TypeError)
    expect(fn).not.toHaveBeenCalled()
    expect(tabB.crossTab).toBe(true)
    expect(await tabB.tryRunExclusive('sessionlayer.reconnect::k', fn)).toEqual({ ran: false })
    expect(fn).not.toHaveBeenCalled()
    await release()
  })
})

describe('the in-tab fallback lock manager', () => {
  it('M6: steal takes the lock from its holder, as Web Locks do: the holder\'s request rejects with an AbortError, the stealer runs at once, the queued requests stay queued behind it', async () => {
    const locks = createLocalLocks()
    const log: string[] = []
    const holder = gate()
    const holding = locks.request('k', {}, () => holder.promise.then(() => log.push('holder ends')))
    const queued = locks.request('k', {}, () => log.push('queued'))
    await tick()
    const stealer = gate()
    const stealing = locks.request('k', { steal: true }, async (lock) => {
      log.push(`stealer ${JSON.stringify(lock)}`)
      await stealer.promise
      log.push('stealer ends')
    })
    await expect(holding).rejects.toMatchObject({ name: 'AbortError' })
    await tick()
    expect(log).toEqual(['stealer {"name":"k"}'])
    // the holder ending (its callback ran on) releases nothing: the stealer still holds the lock
    holder.open()
    await tick()
    expect(log).toEqual(['stealer {"name":"k"}', 'holder ends'])
    expect(await locks.request('k', { ifAvailable: true }, (lock) => lock)).toBeNull()
    stealer.open()
    await Promise.all([stealing, queued])
    expect(log).toEqual(['stealer {"name":"k"}', 'holder ends', 'stealer ends', 'queued'])
    expect(await locks.request('k', { ifAvailable: true }, (lock) => lock)).toEqual({ name: 'k' })
  })

  it('M6: a request aborted while it waits leaves the queue: its callback never runs, and the next one runs after the holder', async () => {
    const locks = createLocalLocks()
    const held = gate()
    const holding = locks.request('k', {}, () => held.promise)
    const abort = new AbortController()
    const aborted = vi.fn()
    const waiting = locks.request('k', { signal: abort.signal }, aborted)
    const next = vi.fn(() => 'next')
    const queued = locks.request('k', {}, next)
    abort.abort(new Error('stop waiting'))
    await expect(waiting).rejects.toThrow('stop waiting')
    held.open()
    await holding
    expect(await queued).toBe('next')
    expect(aborted).not.toHaveBeenCalled()
  })

  it('M6: steal of a free lock is a plain grant', async () => {
    const locks = createLocalLocks()
    expect(await locks.request('k', { steal: true }, (lock) => lock)).toEqual({ name: 'k' })
    expect(await locks.request('k', {}, () => 'next')).toBe('next')
  })
})
