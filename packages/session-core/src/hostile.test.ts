import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runNode } from '../test/runNode'

// Hostile environments are global and irreversible (a polluted prototype, SES `lockdown()`): each
// case runs the BUILT packages in a child Node process, never in the shared test worker.
const dist = (pkg: string, file: string) => fileURLToPath(new URL(`../../${pkg}/dist/${file}`, import.meta.url))
const core = dist('session-core', 'index.js')
const ledger = dist('session-core', 'ledger.js')
const testing = dist('session-testing', 'index.js')
/** Runs the ES module `code` in a fresh Node process in this package, so that it resolves `ses`. */
const run = (code: string) => runNode(code, { ms: 10_000, cwd: fileURLToPath(new URL('..', import.meta.url)) })
const built = [core, ledger, testing].every((file) => existsSync(file))
if (!built) console.warn('session-core: dist is missing, run `pnpm build`; the hostile environment tests are skipped')

/**
 * Two tabs of one mock wallet, sharing storage and a channel: a declined connect, a connect, a
 * payload with an account without a party, a restore in the other tab, a party switch, a
 * disconnect. `setup` runs first, before the packages are imported. Prints one line per step.
 */
const journey = (setup: string) => `
  ${setup}
  process.on('unhandledRejection', (error) => console.log('unhandled', String(error)))
  const { createMemoryStorage, createSessionStore } = await import(${JSON.stringify(core)})
  const { getLedgerAuth } = await import(${JSON.stringify(ledger)})
  const { createChannelHub, createMockProvider } = await import(${JSON.stringify(testing)})
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
  const storage = createMemoryStorage()
  const hub = createChannelHub()
  // the mock wallet's own defaults are read from its options: given here, they are the wallet's, not the pollution's
  const mock = createMockProvider({ connectMode: 'reject', networkId: 'canton:devnet', accessToken: 'mock-token-1', ledgerApi: 'http://127.0.0.1:7575' })
  const options = { storage, broadcast: { channelFactory: hub.channelFactory, lockManager: null }, reconnect: { baseDelayMs: 5, maxAttempts: 2 } }
  const store = createSessionStore(mock, options)
  const show = (step, s = store.getSnapshot()) => console.log(step, s.status, s.account?.partyId ?? null, s.networkId, s.accounts.length, s.lastError?.code ?? null)
  show('restore', await store.restore())
  show('declined', await store.connect())
  mock.wallet.setConnectMode('approve')
  show('connect', await store.connect())
  console.log('token', getLedgerAuth(store)?.accessToken)
  const stored = JSON.parse(await storage.getItem('sessionlayer.session'))
  console.log('stored', stored.version, stored.account.partyId, stored.networkId, Object.hasOwn(stored, 'expiresAt'))
  mock.wallet.emitRaw('accountsChanged', [{ hint: 'no party' }, { partyId: 'alice::1220aa', primary: true }])
  await sleep(10)
  show('payload')
  // statuses that leave out the network, or its id: a field the wallet did not send is none a polluted prototype lends
  mock.wallet.emitRaw('statusChanged', { connection: { isConnected: true } })
  mock.wallet.emitRaw('statusChanged', { connection: { isConnected: true }, network: {} })
  await sleep(10)
  show('status without network')
  const other = createSessionStore(createMockProvider({ wallet: mock.wallet }), options)
  show('other tab', await other.restore())
  mock.wallet.switchParty('bob::1220bb')
  await sleep(20)
  show('switched')
  show('switched, other tab', other.getSnapshot())
  await store.disconnect()
  await sleep(20)
  show('disconnected')
  show('disconnected, other tab', other.getSnapshot())
  console.log('stored', await storage.getItem('sessionlayer.session'))
  store.destroy()
  other.destroy()
`

describe.skipIf(!built && !process.env.CI)('hostile JavaScript environments (the built store in a child process)', () => {
  let baseline: Promise<Awaited<ReturnType<typeof run>>> | undefined
  const expected = () => (baseline ??= run(journey('')))

  it('the journey in a plain environment', async () => {
    const result = await expected()
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      'restore disconnected null null 0 null',
      'declined disconnected null null 0 4001',
      'connect connected alice::1220aa canton:devnet 2 null',
      'token mock-token-1',
      'stored 1 alice::1220aa canton:devnet false',
    ])
  }, 20_000)

  it.each([
    ['Object.prototype.isConnected = true'],
    ["Object.prototype.partyId = 'mallory::1220ff'"],
    ["Object.prototype.accessToken = 'polluted'"],
    ['Object.prototype.primary = true; Array.prototype.primary = true'],
    ['Object.prototype.connection = { isConnected: true }'],
    ["Object.prototype.network = { networkId: 'canton:evil', accessToken: 'polluted' }"],
    ["Object.prototype.networkId = 'canton:evil'"],
    ["Object.prototype.session = { accessToken: 'polluted' }"],
    ['Object.prototype.expiresAt = 1'],
    ["Object.prototype.account = { partyId: 'mallory::1220ff' }"],
  ])('C18, M2, K2: a polluted prototype (%s) never connects, changes the party or network, leaks a token or ends a session', async (pollution) => {
    const [result, plain] = await Promise.all([run(journey(pollution)), expected()])
    expect(result).toEqual(plain)
  }, 20_000)

  it('C18, §2.1: a polluted `Object.prototype[0]`, which every array inherits, is no account nor cookie: an empty account list leaves no active party, in the store and in readSessionState, and an absent cookie reads as none', async () => {
    // polluted once the packages are loaded: Node's own module loader reads index 0 of its arrays
    const code = (pollution: string) => `
      const { createCookieStorage, createMemoryStorage, createSessionStore, readSessionState } = await import(${JSON.stringify(core)})
      const { createMockProvider } = await import(${JSON.stringify(testing)})
      ${pollution}
      const mock = createMockProvider()
      const store = createSessionStore(mock, { storage: createMemoryStorage() })
      const show = (step, s = store.getSnapshot()) => console.log(step, s.status, s.account?.partyId ?? null, s.accounts.length)
      show('connect', await store.connect())
      mock.wallet.emitRaw('accountsChanged', [])
      await new Promise((resolve) => setTimeout(resolve, 10))
      show('no accounts')
      const storage = createMemoryStorage()
      await storage.setItem('sessionlayer.session', JSON.stringify({ version: 1, account: null, accounts: [], networkId: 'canton:devnet', connectedAt: 1 }))
      show('readSessionState', await readSessionState(storage, { now: 2 }))
      console.log('cookie', await createCookieStorage({ adapter: { get: () => 'a=1', set: () => {} } }).getItem('k'))
      store.destroy()
    `
    const [result, plain] = await Promise.all([run(code("Object.prototype[0] = { partyId: 'mallory::1220ff', primary: true }")), run(code(''))])
    expect(plain).toEqual({ code: 0, stderr: '', stdout: 'connect connected alice::1220aa 2\nno accounts connected null 0\nreadSessionState connected null 0\ncookie null\n' })
    expect(result).toEqual(plain)
  }, 20_000)

  it('C18, C11: a wallet event told without a payload (`chainChanged()`) takes none from a polluted `Object.prototype[0]`: the network stays', async () => {
    const code = (pollution: string) => `
      const { createMemoryStorage, createSessionStore } = await import(${JSON.stringify(core)})
      const { createMockProvider } = await import(${JSON.stringify(testing)})
      const mock = createMockProvider()
      const listeners = []
      // the mock wallet, whose chainChanged listeners are also called with no argument at all
      const provider = {
        request: (args) => mock.request(args),
        on: (event, listener) => (event == 'chainChanged' && listeners.push(listener), mock.on(event, listener), provider),
        removeListener: (event, listener) => (mock.removeListener(event, listener), provider),
      }
      const store = createSessionStore(provider, { storage: createMemoryStorage() })
      await store.connect()
      ${pollution}
      for (const listener of listeners) listener()
      await new Promise((resolve) => setTimeout(resolve, 10))
      console.log(store.getSnapshot().status, store.getSnapshot().networkId)
      store.destroy()
    `
    const [result, plain] = await Promise.all([run(code("Object.prototype[0] = 'canton:evil'")), run(code(''))])
    expect(plain).toEqual({ code: 0, stderr: '', stdout: 'connected canton:devnet\n' })
    expect(result).toEqual(plain)
  }, 20_000)

  it.each([
    ["Object.prototype.message = 'polluted message'"],
    ["Object.prototype.code = 1234"],
    ["Object.prototype.error = { code: 1234, message: 'polluted error' }"],
    [`Object.prototype.data = '{"error":{"code":1234,"message":"polluted data"}}'`],
    [`Object.prototype.error = { code: 1234, data: '{"error":{"code":5678,"message":"polluted data"}}' }`],
    // the very code and text a wallet gives: its own ones still read as they are
    ["Object.prototype.code = 4001; Object.prototype.message = 'User Rejected Request'"],
  ])('C4, C18: a polluted prototype (%s) changes neither the text nor the code of a wallet error, of lastError or of toSessionError, whatever the error is', async (pollution) => {
    // polluted once the packages are loaded, as the other pollutions of a few fields that Node reads itself
    const code = (pollution: string) => `
      const { createMemoryStorage, createSessionStore, toSessionError } = await import(${JSON.stringify(core)})
      const { createMockProvider } = await import(${JSON.stringify(testing)})
      class WalletError extends Error {
        constructor(message, code) {
          super(message)
          this.code = code
        }
      }
      // a class whose message is a getter of its prototype, as DOMException's
      class Failure {
        get message() {
          return 'a getter'
        }
      }
      const http = (body) => Object.assign(new Error('HTTP 503'), { error: { code: 503, data: JSON.stringify(body) } })
      const values = [
        undefined,
        null,
        42,
        '',
        'a string',
        'RPC error: 4001 - User rejected',
        {},
        { code: 4001 },
        { message: 'no code' },
        { __proto__: null, code: 4100 },
        new Error('an error'),
        new WalletError('a wallet error', 4900),
        new DOMException('The operation was aborted', 'AbortError'),
        new Failure(),
        { error: { code: 4100 } },
        { code: 4001, error: {} },
        http({ jsonrpc: '2.0', id: 1, error: { code: 4100, message: 'Unauthorized' } }),
        http({ message: 'gateway timeout' }),
        http('not json'),
        { error: { code: 500, data: { error: { code: 4100 } } } },
      ]
      ${pollution}
      for (const value of values) {
        const error = toSessionError(value)
        console.log(JSON.stringify([error.message, error.code, error.cause === value]))
      }
      const mock = createMockProvider({ connectMode: 'reject' })
      const store = createSessionStore(mock, { storage: createMemoryStorage() })
      const { lastError } = await store.connect()
      console.log('declined', lastError.message, lastError.code)
      store.destroy()
    `
    const [result, plain] = await Promise.all([run(code(pollution)), run(code(''))])
    expect(plain).toMatchObject({ code: 0, stderr: '' })
    expect(plain.stdout.split('\n').slice(-2)).toEqual(['declined User Rejected Request 4001', ''])
    expect(result).toEqual(plain)
  }, 20_000)

  it.each([
    ['default', ''],
    ['severe override taming, safe errors', "{ overrideTaming: 'severe', errorTaming: 'safe' }"],
  ])('§1, C3, C7, C12, C14, L1: a store works after SES lockdown() (%s), with harden()ed options and provider', async (_, lockdownOptions) => {
    const code = `
      await import('ses')
      lockdown(${lockdownOptions})
      process.on('unhandledRejection', (error) => console.log('unhandled', String(error)))
      const { createSessionStore, SessionError } = await import(${JSON.stringify(core)})
      const { getLedgerAuth } = await import(${JSON.stringify(ledger)})
      const { createChannelHub, createMockProvider } = await import(${JSON.stringify(testing)})
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
      const mock = createMockProvider()
      // a hardened provider: its own methods only, frozen through and through
      const provider = harden({
        request: (args) => mock.request(args),
        on: (event, listener) => (mock.on(event, listener), provider),
        removeListener: (event, listener) => (mock.removeListener(event, listener), provider),
        emit: (event, ...args) => mock.emit(event, ...args),
      })
      const events = []
      const options = harden({
        reconnect: { baseDelayMs: 5, maxAttempts: 3 },
        expiry: { ttlMs: 300 },
        broadcast: { channelFactory: createChannelHub().channelFactory, lockManager: null },
        onInvalidate: (e) => events.push('invalidate ' + e.type),
      })
      const store = createSessionStore(provider, options)
      for (const type of ['party:changed', 'network:changed', 'reconnect:scheduled', 'reconnect:succeeded', 'session:expired', 'storage:error', 'error']) store.on(type, () => events.push(type))
      const show = (step, s = store.getSnapshot()) => console.log(step, s.status, s.account?.partyId ?? null, s.networkId, s.lastError?.code ?? null)
      show('connect', await store.connect())
      console.log('token', getLedgerAuth(store)?.accessToken)
      mock.wallet.switchParty('bob::1220bb')
      mock.wallet.switchNetwork('canton:testnet')
      await sleep(20)
      show('switched')
      mock.wallet.drop()
      await sleep(1)
      show('dropped')
      mock.wallet.recover()
      await sleep(50)
      show('recovered')
      console.log('enqueue', await store.enqueue(async () => 42))
      await sleep(350)
      show('expired')
      show('connect', await store.connect())
      await store.disconnect()
      show('disconnect')
      show('restore', await store.restore())
      store.destroy()
      store.destroy()
      console.log('destroyed', await store.connect().catch((error) => error instanceof SessionError && error.code))
      console.log(new SessionError('message', 'TIMEOUT').name)
      console.log(events.join(', '))
    `
    const result = await run(code)
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout.split('\n')).toEqual([
      'connect connected alice::1220aa canton:devnet null',
      'token mock-token-1',
      'switched connected bob::1220bb canton:testnet null',
      'dropped reconnecting bob::1220bb canton:testnet null',
      'recovered connected bob::1220bb canton:testnet null',
      'enqueue 42',
      'expired disconnected null null SESSION_EXPIRED',
      'connect connected bob::1220bb canton:testnet null',
      'disconnect disconnected null null null',
      'restore disconnected null null null',
      'destroyed DESTROYED',
      'SessionError',
      'party:changed, invalidate party:changed, network:changed, invalidate network:changed, reconnect:scheduled, reconnect:succeeded, session:expired, invalidate expired, invalidate disconnected',
      '',
    ])
  }, 20_000)

  it('§1, C4, C17: inside an SES Compartment, given a clock of the start compartment\'s own timers, the store connects, reconnects and signs out', async () => {
    const code = `
      await import('ses')
      const { readFileSync } = await import('node:fs')
      const { createRequire } = await import('node:module')
      lockdown()
      const start = globalThis
      // the platform's own timers: host functions that refuse any this but their global object (or none)
      const host = (run) => new Proxy(run, { apply: (target, self, args) => {
        if (self !== undefined && self !== start) throw new TypeError('Illegal invocation')
        return target(...args)
      } })
      const clock = { now: () => Date.now(), setTimeout: host((fn, ms) => setTimeout(fn, ms)), clearTimeout: host((handle) => clearTimeout(handle)) }
      // the built store's own code evaluated in a Compartment, which has neither Date.now nor timers
      const compartment = new Compartment({ globals: { console }, __options__: true })
      const nodeRequire = createRequire(${JSON.stringify(core)})
      const modules = {}
      const load = (file) => {
        if (!modules[file]) {
          modules[file] = { exports: {} }
          compartment.evaluate('(function (exports, require, module) {' + readFileSync(new URL(file, ${JSON.stringify(`file://${core}`)}), 'utf8') + '\\n})')(modules[file].exports, (id) => (id.startsWith('./') ? load(id) : nodeRequire(id)), modules[file])
        }
        return modules[file].exports
      }
      const { createMemoryStorage, createSessionStore } = load('./index.cjs')
      const { createMockProvider } = await import(${JSON.stringify(testing)})
      const mock = createMockProvider()
      const store = createSessionStore(mock, { storage: createMemoryStorage(), clock, reconnect: { baseDelayMs: 5 }, expiry: { ttlMs: 60000 } })
      const show = (step, s = store.getSnapshot()) => console.log(step, s.status, s.lastError?.code ?? s.lastError?.message ?? null)
      show('connect', await store.connect().catch((error) => ({ status: String(error) })))
      mock.wallet.drop()
      await new Promise((resolve) => setTimeout(resolve, 1))
      mock.wallet.recover()
      await new Promise((resolve) => setTimeout(resolve, 50))
      show('recovered')
      await store.disconnect()
      show('disconnect')
      store.destroy()
    `
    const result = await run(code)
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout.split('\n')).toEqual(['connect connected null', 'recovered connected null', 'disconnect disconnected null', ''])
  }, 20_000)
})
