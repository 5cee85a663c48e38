import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runNode } from '../test/runNode'

// These run the BUILT packages in a plain Node process (`pnpm test` builds every package first).
const dist = (pkg: string, file: string) => fileURLToPath(new URL(`../../${pkg}/dist/${file}`, import.meta.url))
const core = dist('session-core', 'index.js')
const coreCjs = dist('session-core', 'index.cjs')
const ledger = dist('session-core', 'ledger.js')
const testing = dist('session-testing', 'index.js')
const built = [core, coreCjs, ledger, testing].every((file) => existsSync(file))
if (!built) console.warn('session-core: dist is missing, run `pnpm build`; the Node process tests are skipped')

/** A store with `options` connected to the mock wallet, then `then` run, and nothing more. */
const connected = (options: string, then = '') => `
  import { createSessionStore } from ${JSON.stringify(core)}
  import { createLedgerFetch } from ${JSON.stringify(ledger)}
  import { createMockProvider } from ${JSON.stringify(testing)}
  const provider = createMockProvider()
  const store = createSessionStore(provider, ${options})
  const state = await store.connect()
  ${then}
  console.log(state.status)
`

describe.skipIf(!built && !process.env.CI)('the built store in Node (SSR)', () => {
  it.each([
    ['no options', '{}'],
    ['broadcast', '{ broadcast: true }'],
    ['reconnect', '{ reconnect: true }'],
    ['a TTL', '{ expiry: { ttlMs: 3_600_000 } }'],
    ['an idle timeout', '{ expiry: { idleTimeoutMs: 3_600_000 } }'],
    ['every option', '{ broadcast: true, reconnect: true, expiry: { ttlMs: 3_600_000, idleTimeoutMs: 600_000, onReauthRequired: () => {} } }'],
  ])('§1, C12: a session merely connected, with %s, never keeps the process alive', async (_, options) => {
    const result = await runNode(connected(options))
    expect(result).toMatchObject({ code: 0, stdout: 'connected\n', stderr: '' })
  }, 15_000)

  it('§1, C12: a session merely connected with an idle timeout and a tab channel (injected) never keeps the process alive, also while the activity it tells the other tabs waits its turn', async () => {
    const code = `
      import { createSessionStore } from ${JSON.stringify(core)}
      import { createChannelHub, createMockProvider } from ${JSON.stringify(testing)}
      const store = createSessionStore(createMockProvider(), { broadcast: { channelFactory: createChannelHub().channelFactory, lockManager: null }, expiry: { idleTimeoutMs: 3_600_000 } })
      const state = await store.connect()
      store.touch()
      await new Promise((resolve) => setTimeout(resolve, 20))
      store.touch()
      console.log(state.status)
    `
    const result = await runNode(code)
    expect(result).toMatchObject({ code: 0, stdout: 'connected\n', stderr: '' })
  }, 15_000)

  it('§1, L2: a connected session after a Ledger API refresh never keeps the process alive', async () => {
    const then = `
      const fetch = createLedgerFetch(store, { fetch: async () => new Response('', { status: 401 }) })
      console.log(await fetch('/v2/state/ledger-end').catch((error) => error.code))
    `
    const result = await runNode(connected('{ reconnect: true, expiry: { ttlMs: 3_600_000 } }', then))
    expect(result).toMatchObject({ code: 0, stdout: '4100\nconnected\n', stderr: '' })
  }, 15_000)

  it('§1, C7: a reconnect under way keeps the process alive until it ends, so a script that awaits it gets its outcome; then the process exits', async () => {
    const then = `
      provider.wallet.drop()
      const { attempts } = await new Promise((resolve) => store.on('reconnect:gaveup', resolve))
      console.log('gave up after', attempts)
    `
    const result = await runNode(connected('{ reconnect: { baseDelayMs: 100, maxAttempts: 2 }, expiry: { ttlMs: 3_600_000 } }', then))
    expect(result).toMatchObject({ code: 0, stdout: 'gave up after 2\nconnected\n', stderr: '' })
  }, 15_000)

  it('§1, C7, M6: a tab that gets the reconnect lock after a wait (the leading tab closed) leads a task later, and that task keeps the process alive: its attempts are scheduled', async () => {
    const code = `
      import { createSessionStore, createMemoryStorage } from ${JSON.stringify(core)}
      import { createChannelHub, createMockLockManager, createMockProvider, createMockWallet } from ${JSON.stringify(testing)}
      const broadcast = { channelFactory: createChannelHub().channelFactory, lockManager: createMockLockManager() }
      const storage = createMemoryStorage()
      const wallet = createMockWallet()
      // a clock that moves at each reading: the lock comes after a wait, however fast
      let now = Date.now()
      const clock = { now: () => ++now, setTimeout, clearTimeout }
      const open = () => createSessionStore(createMockProvider({ wallet }), { storage, clock, broadcast, reconnect: { baseDelayMs: 10, maxAttempts: 3 } })
      const a = open()
      const b = open()
      await a.connect()
      await b.restore()
      const leading = new Promise((resolve) => a.on('reconnect:scheduled', resolve))
      wallet.drop()
      await leading
      // tab B asks for the lock tab A holds
      await new Promise((resolve) => setTimeout(resolve, 0))
      a.destroy()
      const { attempt } = await new Promise((resolve) => b.on('reconnect:scheduled', resolve))
      console.log('tab B leads from attempt', attempt)
      b.destroy()
    `
    const result = await runNode(code)
    expect(result).toMatchObject({ code: 0, stdout: 'tab B leads from attempt 1\n', stderr: '' })
  }, 15_000)

  it('§2.2, C7, C11, C12, C15, M2: the built store hands out its snapshot, every event payload and every tab message by their public field names, none shortened as the build shortens its internal ones', async () => {
    const code = `
      import { createSessionStore, createMemoryStorage } from ${JSON.stringify(core)}
      import { createChannelHub, createMockLockManager, createMockProvider } from ${JSON.stringify(testing)}
      const hub = createChannelHub()
      const broadcast = { channelFactory: hub.channelFactory, lockManager: createMockLockManager() }
      const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
      const seen = {}
      const note = (name) => (payload) => { seen[name] ??= Object.keys(payload).sort() }
      const storage = { ...createMemoryStorage(), setItem: async () => { throw new Error('full') } }
      const provider = createMockProvider({ connectMode: 'async' })
      const store = createSessionStore(provider, { storage, broadcast, reconnect: { baseDelayMs: 5, maxAttempts: 2 }, onInvalidate: note('onInvalidate') })
      for (const type of ['connect:pending', 'reconnect:scheduled', 'reconnect:attempt', 'reconnect:succeeded', 'reconnect:gaveup', 'party:changed', 'network:changed', 'invalidate', 'storage:error', 'error']) store.on(type, note(type))
      store.subscribe(() => {
        throw new Error('a subscriber that throws')
      })
      const connecting = store.connect()
      await wait(20)
      provider.wallet.approve()
      note('snapshot')(await connecting)
      provider.wallet.switchParty('bob::1220bb')
      await wait(20)
      provider.wallet.switchNetwork('canton:testnet')
      await wait(20)
      provider.wallet.drop()
      await wait(2)
      provider.wallet.recover()
      await wait(50)
      provider.wallet.drop()
      await wait(100)
      seen.gaveup = [store.getSnapshot().status, store.getSnapshot().lastError?.code]
      store.destroy()
      const expiring = createSessionStore(createMockProvider(), { broadcast, expiry: { ttlMs: 30 } })
      expiring.on('session:expired', note('session:expired'))
      await expiring.connect()
      await wait(80)
      expiring.destroy()
      const hooked = createSessionStore(createMockProvider(), { expiry: { ttlMs: 30, onReauthRequired: note('onReauthRequired') } })
      await hooked.connect()
      await wait(80)
      hooked.destroy()
      for (const { data } of hub.sent) note('post ' + data.kind)(data.data ?? {})
      console.log(JSON.stringify(seen))
    `
    const result = await runNode(code)
    expect(result).toMatchObject({ code: 0, stderr: '' })
    const change = ['current', 'previous', 'source']
    expect(JSON.parse(result.stdout)).toEqual({
      snapshot: ['account', 'accounts', 'connectedAt', 'expiresAt', 'lastError', 'networkId', 'status'],
      'connect:pending': ['userUrl'],
      'party:changed': change,
      'network:changed': change,
      invalidate: [...change, 'type'],
      onInvalidate: [...change, 'type'],
      'storage:error': ['error', 'operation'],
      error: ['error'],
      'reconnect:scheduled': ['attempt', 'delayMs'],
      'reconnect:attempt': ['attempt'],
      'reconnect:succeeded': ['attempt'],
      'reconnect:gaveup': ['attempts', 'lastError'],
      gaveup: ['disconnected', 4900],
      'session:expired': ['expiredAt', 'reason'],
      onReauthRequired: ['expiredAt', 'reason', 'signal'],
      'post connected': ['connectedAt', 'expiresAt'],
      'post party': ['current'],
      'post network': ['current'],
      'post attempt': ['attempt', 'leads'],
      'post gaveup': expect.arrayContaining(['attempts', 'code', 'message']) as unknown,
      'post expiry': ['expiredAt', 'reason'],
      'post expired': ['expiredAt'],
    })
  }, 15_000)

  it('§1, C14: a destroyed store with every option leaves nothing that keeps the process alive (CJS build)', async () => {
    const code = `
      const { createSessionStore } = require(${JSON.stringify(coreCjs)})
      const { createMockProvider } = require(${JSON.stringify(dist('session-testing', 'index.cjs'))})
      const store = createSessionStore(createMockProvider(), { broadcast: true, reconnect: true, expiry: { ttlMs: 3_600_000, idleTimeoutMs: 600_000 } })
      store.connect().then((state) => {
        store.destroy()
        console.log(state.status)
      })
    `
    const result = await runNode(code, { type: 'commonjs' })
    expect(result).toMatchObject({ code: 0, stdout: 'connected\n', stderr: '' })
  }, 15_000)
})
