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
