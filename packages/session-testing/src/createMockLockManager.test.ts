import { describe, expect, it, vi } from 'vitest'
import { createMockLockManager } from './createMockLockManager'

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('createMockLockManager (Web Locks emulation used by the tests)', () => {
  it('M6: calls back asynchronously with the lock, and releases it before request settles', async () => {
    const locks = createMockLockManager()
    const callback = vi.fn((lock: unknown) => {
      expect(locks.query().held).toEqual([{ name: 'k', mode: 'exclusive' }])
      return lock
    })
    const request = locks.request('k', {}, callback)
    expect(callback).not.toHaveBeenCalled()
    expect(await request).toEqual({ name: 'k', mode: 'exclusive' })
    expect(locks.query()).toEqual({ held: [], pending: [] })
  })

  it('M6: a callback that throws or rejects makes request reject with that error, and releases the lock', async () => {
    const locks = createMockLockManager()
    const thrown = new Error('thrown')
    const rejected = new Error('rejected')
    await expect(locks.request('k', () => {
      throw thrown
    })).rejects.toBe(thrown)
    await expect(locks.request('k', {}, () => Promise.reject(rejected))).rejects.toBe(rejected)
    expect(locks.query()).toEqual({ held: [], pending: [] })
    await expect(locks.request('k', (lock) => lock)).resolves.toEqual({ name: 'k', mode: 'exclusive' })
  })

  it('M6: takes the two-argument form request(name, callback) of Web Locks, with the default options (exclusive, waiting)', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const first = locks.request('k', () => new Promise<void>((resolve) => (release = resolve)))
    const second = locks.request('k', (lock) => lock)
    await tick()
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'exclusive' }], pending: [{ name: 'k', mode: 'exclusive' }] })
    release()
    await first
    expect(await second).toEqual({ name: 'k', mode: 'exclusive' })
    expect(locks.requests).toBe(2)
  })

  it('M6: a request without a callback (request(name), or options in its place) rejects with a TypeError, as Web Locks do, without taking or queueing for the lock', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const held = locks.request('k', () => new Promise<void>((resolve) => (release = resolve)))
    await tick()
    const errors: unknown[] = []
    for (const call of [() => locks.request('k', {} as never), () => (locks.request as (name: string) => Promise<unknown>)('free')]) {
      call().catch((error: unknown) => errors.push(error))
      expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'exclusive' }], pending: [] })
    }
    await tick()
    expect(errors).toEqual([expect.any(TypeError), expect.any(TypeError)])
    release()
    await held
    expect(locks.query()).toEqual({ held: [], pending: [] })
  })

  it('M6: options given as undefined or null are the default options, as Web Locks read them, not a TypeError thrown by request()', async () => {
    const locks = createMockLockManager()
    for (const options of [undefined, null]) {
      await expect(locks.request('k', options as never, (lock) => lock)).resolves.toEqual({ name: 'k', mode: 'exclusive' })
    }
  })

  it('M6: queues exclusive requests in FIFO order and reports them in query()', async () => {
    const locks = createMockLockManager()
    const order: string[] = []
    let release!: () => void
    const first = locks.request('k', {}, () => new Promise<void>((resolve) => (release = resolve)))
    const rest = ['b', 'c'].map((id) => locks.request('k', {}, () => order.push(id)))
    await tick()
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'exclusive' }], pending: [{ name: 'k', mode: 'exclusive' }, { name: 'k', mode: 'exclusive' }] })
    release()
    await Promise.all([first, ...rest])
    expect(order).toEqual(['b', 'c'])
  })

  it('M6: shares shared locks, and a shared request never overtakes a queued exclusive one', async () => {
    const locks = createMockLockManager()
    const log: string[] = []
    let release!: () => void
    const r1 = locks.request('k', { mode: 'shared' }, () => new Promise<void>((resolve) => (release = resolve)))
    const r2 = locks.request('k', { mode: 'shared' }, () => log.push('shared 2'))
    const r3 = locks.request('k', {}, () => log.push('exclusive'))
    const r4 = locks.request('k', { mode: 'shared' }, () => log.push('shared 4'))
    await tick()
    expect(log).toEqual(['shared 2'])
    release()
    await Promise.all([r1, r2, r3, r4])
    expect(log).toEqual(['shared 2', 'exclusive', 'shared 4'])
  })

  it('M6: the release of an exclusive lock grants every shared request queued behind it at once, up to the next exclusive one', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const exclusive = locks.request('k', {}, () => new Promise<void>((resolve) => (release = resolve)))
    const ends: (() => void)[] = []
    const shared = [1, 2].map(() => locks.request('k', { mode: 'shared' }, () => new Promise<void>((resolve) => ends.push(resolve))))
    const last = locks.request('k', {}, (lock) => lock)
    await tick()
    release()
    await exclusive
    await tick()
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'shared' }, { name: 'k', mode: 'shared' }], pending: [{ name: 'k', mode: 'exclusive' }] })
    for (const end of ends) end()
    await Promise.all(shared)
    expect(await last).toEqual({ name: 'k', mode: 'exclusive' })
  })

  it('M6: ifAvailable calls back with null when the lock is held or queued for', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const held = locks.request('k', {}, () => new Promise<void>((resolve) => (release = resolve)))
    await tick()
    expect(await locks.request('k', { ifAvailable: true }, (lock) => lock)).toBeNull()
    release()
    await held
    expect(await locks.request('k', { ifAvailable: true }, (lock) => lock)).toEqual({ name: 'k', mode: 'exclusive' })
  })

  it('M6: ifAvailable that cannot be granted calls back with null asynchronously, never inside request', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const held = locks.request('k', {}, () => new Promise<void>((resolve) => (release = resolve)))
    await tick()
    const callback = vi.fn((lock: unknown) => lock)
    const refused = locks.request('k', { ifAvailable: true }, callback)
    expect(callback).not.toHaveBeenCalled()
    expect(await refused).toBeNull()
    expect(callback).toHaveBeenCalledWith(null)
    release()
    await held
  })

  it('M6: ifAvailable calls back with null when a request is queued for the lock, even one it could share it with: it never overtakes the queue', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const shared = locks.request('k', { mode: 'shared' }, () => new Promise<void>((resolve) => (release = resolve)))
    const exclusive = locks.request('k', {}, (lock) => lock)
    await tick()
    expect(await locks.request('k', { mode: 'shared', ifAvailable: true }, (lock) => lock)).toBeNull()
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'shared' }], pending: [{ name: 'k', mode: 'exclusive' }] })
    release()
    await shared
    expect(await exclusive).toEqual({ name: 'k', mode: 'exclusive' })
  })

  it('M6: aborting the queued request at the head of the queue grants the ones behind it that can be granted now', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const shared = locks.request('k', { mode: 'shared' }, () => new Promise<void>((resolve) => (release = resolve)))
    const abort = new AbortController()
    const exclusive = locks.request('k', { signal: abort.signal }, () => 'exclusive')
    const behind = vi.fn(() => 'shared behind')
    const second = locks.request('k', { mode: 'shared' }, behind)
    await tick()
    expect(behind).not.toHaveBeenCalled()
    abort.abort('gone')
    await expect(exclusive).rejects.toBe('gone')
    await expect(second).resolves.toBe('shared behind')
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'shared' }], pending: [] })
    release()
    await shared
  })

  it('M6: an abort while queued rejects with the reason; an already aborted signal rejects at once', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const held = locks.request('k', {}, () => new Promise<void>((resolve) => (release = resolve)))
    const abort = new AbortController()
    const callback = vi.fn()
    const queued = locks.request('k', { signal: abort.signal }, callback)
    abort.abort('why')
    await expect(queued).rejects.toBe('why')
    expect(locks.query().pending).toEqual([])
    await expect(locks.request('k', { signal: AbortSignal.abort('early') }, callback)).rejects.toBe('early')
    release()
    await held
    expect(callback).not.toHaveBeenCalled()
  })

  it('M6: an abort after the grant changes nothing: the holder keeps the lock and its result, and the queued requests stay queued', async () => {
    const locks = createMockLockManager()
    const abort = new AbortController()
    let release!: () => void
    const holding = locks.request('k', { signal: abort.signal }, () => new Promise<string>((resolve) => (release = () => resolve('held'))))
    const queued = locks.request('k', {}, () => 'queued')
    await tick()
    abort.abort('too late')
    await tick()
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'exclusive' }], pending: [{ name: 'k', mode: 'exclusive' }] })
    release()
    await expect(holding).resolves.toBe('held')
    await expect(queued).resolves.toBe('queued')
  })

  it('M6: steal takes the lock from its holder, as Web Locks do: the holder\'s request rejects with an AbortError, the stealer is granted at once, the queued requests stay queued behind it', async () => {
    const locks = createMockLockManager()
    const log: string[] = []
    let releaseHolder!: () => void
    const holding = locks.request('k', {}, () => new Promise<void>((resolve) => (releaseHolder = resolve)).then(() => log.push('holder ends')))
    const queued = locks.request('k', {}, () => log.push('queued'))
    await tick()
    let releaseStealer!: () => void
    const stealing = locks.request('k', { steal: true }, (lock) => {
      log.push(`stealer ${JSON.stringify(lock)}`)
      return new Promise<void>((resolve) => (releaseStealer = resolve))
    })
    await expect(holding).rejects.toMatchObject({ name: 'AbortError' })
    await expect(holding).rejects.toBeInstanceOf(DOMException)
    await tick()
    expect(log).toEqual(['stealer {"name":"k","mode":"exclusive"}'])
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'exclusive' }], pending: [{ name: 'k', mode: 'exclusive' }] })
    // the holder's callback runs on; its end releases nothing: the stealer still holds the lock
    releaseHolder()
    await tick()
    expect(log).toEqual(['stealer {"name":"k","mode":"exclusive"}', 'holder ends'])
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'exclusive' }], pending: [{ name: 'k', mode: 'exclusive' }] })
    releaseStealer()
    await Promise.all([stealing, queued])
    expect(log).toEqual(['stealer {"name":"k","mode":"exclusive"}', 'holder ends', 'queued'])
    expect(locks.query()).toEqual({ held: [], pending: [] })
    // a free lock: a plain grant
    expect(await locks.request('free', { steal: true }, (lock) => lock)).toEqual({ name: 'free', mode: 'exclusive' })
  })

  it('M6: steal with signal, with ifAvailable or in shared mode rejects with NotSupportedError, as Web Locks do, and takes nothing', async () => {
    const locks = createMockLockManager()
    let release!: () => void
    const held = locks.request('k', {}, () => new Promise<void>((resolve) => (release = resolve)))
    await tick()
    const callback = vi.fn()
    for (const options of [{ steal: true, signal: new AbortController().signal }, { steal: true, ifAvailable: true }, { steal: true, mode: 'shared' as const }]) {
      await expect(locks.request('k', options, callback)).rejects.toMatchObject({ name: 'NotSupportedError' })
    }
    expect(locks.query()).toEqual({ held: [{ name: 'k', mode: 'exclusive' }], pending: [] })
    release()
    await held
    expect(callback).not.toHaveBeenCalled()
  })

  it('M6: a mode other than "exclusive" or "shared" rejects with a TypeError, as Web Locks read the option, and takes nothing', async () => {
    const locks = createMockLockManager()
    const callback = vi.fn()
    await expect(locks.request('k', { mode: 'Exclusive' as 'exclusive' }, callback)).rejects.toBeInstanceOf(TypeError)
    expect(locks.query()).toEqual({ held: [], pending: [] })
    expect(callback).not.toHaveBeenCalled()
  })

  it('M6: rejects what Web Locks rejects: signal with ifAvailable, names starting with "-"', async () => {
    const locks = createMockLockManager()
    await expect(locks.request('k', { ifAvailable: true, signal: new AbortController().signal }, () => 1)).rejects.toMatchObject({ name: 'NotSupportedError' })
    await expect(locks.request('-k', {}, () => 1)).rejects.toMatchObject({ name: 'NotSupportedError' })
    expect(locks.requests).toBe(2)
  })

  it('M6: client views share the locks of one origin and query() tells each lock\'s clientId, as navigator.locks.query() does: a tab tells its lock from the one another tab stole', async () => {
    const locks = createMockLockManager()
    const [a, b] = [locks.client('a'), locks.client('b')]
    const stolen = a.request('k', {}, () => new Promise(() => undefined))
    stolen.catch(() => undefined)
    await tick()
    const queued = b.request('k', {}, (lock) => lock)
    const plain = locks.request('k', {}, (lock) => lock)
    // every view reads the same locks; a request of no client view has no clientId key at all
    for (const view of [locks, a, b]) {
      expect(view.query()).toStrictEqual({
        held: [{ name: 'k', mode: 'exclusive', clientId: 'a' }],
        pending: [
          { name: 'k', mode: 'exclusive', clientId: 'b' },
          { name: 'k', mode: 'exclusive' },
        ],
      })
    }
    let release!: () => void
    const stealing = b.request('k', { steal: true }, () => new Promise<void>((resolve) => (release = resolve)))
    await expect(stolen).rejects.toMatchObject({ name: 'AbortError' })
    expect(a.query().held).toEqual([{ name: 'k', mode: 'exclusive', clientId: 'b' }])
    release()
    await stealing
    expect(await queued).toEqual({ name: 'k', mode: 'exclusive' })
    expect(await plain).toEqual({ name: 'k', mode: 'exclusive' })
    expect(locks.query()).toEqual({ held: [], pending: [] })
    expect(a.requests).toBe(4)
  })

  it('M6: reads the name as Web Locks do, as a DOMString: 7 and "7" are one lock, the lock and query() tell the string, and a name that cannot be read rejects instead of throwing', async () => {
    const locks = createMockLockManager()
    const request = locks.request as (name: unknown, ...args: unknown[]) => Promise<unknown>
    let release!: () => void
    let granted: unknown
    const first = request(7, (lock: unknown) => {
      granted = lock
      return new Promise<void>((resolve) => (release = resolve))
    })
    await tick()
    expect(granted).toEqual({ name: '7', mode: 'exclusive' })
    expect(locks.query()).toEqual({ held: [{ name: '7', mode: 'exclusive' }], pending: [] })
    await expect(request('7', { ifAvailable: true }, (lock: unknown) => lock)).resolves.toBeNull()
    const second = request({ toString: () => '7' }, (lock: unknown) => lock)
    expect(locks.query().pending).toEqual([{ name: '7', mode: 'exclusive' }])
    release()
    await first
    await expect(second).resolves.toEqual({ name: '7', mode: 'exclusive' })
    // a Symbol cannot be converted to a string: a rejected TypeError, as the promise-returning request() of Web Locks gives
    let symbol!: Promise<unknown>
    expect(() => (symbol = request(Symbol('k'), () => 1))).not.toThrow()
    await expect(symbol).rejects.toBeInstanceOf(TypeError)
    const error = new RangeError('no name')
    await expect(
      request(
        {
          toString() {
            throw error
          },
        },
        () => 1,
      ),
    ).rejects.toBe(error)
    await expect(request(-7, () => 1)).rejects.toMatchObject({ name: 'NotSupportedError' })
    expect(locks.query()).toEqual({ held: [], pending: [] })
  })

  it('M6: an option that cannot be read rejects the request, as Web Locks read their options, instead of throwing from request()', async () => {
    const locks = createMockLockManager()
    const error = new RangeError('no mode')
    const options = {
      get mode(): 'exclusive' {
        throw error
      },
    }
    let request!: Promise<unknown>
    expect(() => (request = locks.request('k', options, () => 1))).not.toThrow()
    await expect(request).rejects.toBe(error)
    expect(locks.query()).toEqual({ held: [], pending: [] })
  })

  it('M6: options that are not an object (a number, a string, a boolean) reject with a TypeError, as Web Locks read the LockOptions dictionary, and take nothing; a function is read as options', async () => {
    const locks = createMockLockManager()
    const callback = vi.fn()
    for (const options of [5, 'shared', true]) {
      await expect(locks.request('k', options as never, callback)).rejects.toBeInstanceOf(TypeError)
    }
    expect(locks.query()).toEqual({ held: [], pending: [] })
    expect(callback).not.toHaveBeenCalled()
    await expect(locks.request('k', Object.assign(() => undefined, { mode: 'shared' as const }), (lock) => lock)).resolves.toEqual({ name: 'k', mode: 'shared' })
  })

  it('M6: a signal that is not an AbortSignal (null, a plain object) rejects with a TypeError, as Web Locks read the option, ahead of the NotSupportedError of its combinations, and takes nothing', async () => {
    const locks = createMockLockManager()
    const callback = vi.fn()
    for (const options of [{ signal: null }, { signal: {}, steal: true }, { signal: { aborted: false }, ifAvailable: true }]) {
      await expect(locks.request('k', options as never, callback)).rejects.toBeInstanceOf(TypeError)
    }
    expect(locks.query()).toEqual({ held: [], pending: [] })
    expect(callback).not.toHaveBeenCalled()
    await expect(locks.request('k', { signal: undefined }, (lock) => lock)).resolves.toEqual({ name: 'k', mode: 'exclusive' })
  })

  it('M6: reads the options as Web Locks read the LockOptions dictionary: after the name, member by member in order, the mode converted to a string', async () => {
    const locks = createMockLockManager()
    const read: string[] = []
    const options = new Proxy({}, { get: (_, key) => void read.push(String(key)) })
    const name = { toString: () => (read.push('name'), 'k') }
    await locks.request(name as never, options, () => read.push('callback'))
    expect(read).toEqual(['name', 'ifAvailable', 'mode', 'signal', 'steal', 'callback'])
    let release!: () => void
    const shared = locks.request('k', { mode: new String('shared') as never }, (lock) => new Promise<unknown>((resolve) => (release = () => resolve(lock))))
    await tick()
    expect(locks.query().held).toEqual([{ name: 'k', mode: 'shared' }])
    release()
    expect(await shared).toEqual({ name: 'k', mode: 'shared' })
  })
})
