import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runNode } from '../test/runNode'
import * as source from './index'

// Two copies of the package in one page (the dual-package hazard: a dependency `require`s the CJS
// build while the app imports the ESM one, or two versions side by side). These use the BUILT
// packages (`pnpm test` builds every package first).
const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url))
const built = ['index.js', 'index.cjs'].every((file) => existsSync(dist(file)))
if (!built) console.warn('session-core: dist is missing, run `pnpm build`; the dual-package tests are skipped')

describe.skipIf(!built && !process.env.CI)('two copies of session-core in one page', () => {
  it('C4: a SessionError of one copy is an instance of the other copy\'s SessionError, both ways, and toSessionError keeps it and its code', () => {
    const cjs = createRequire(import.meta.url)(dist('index.cjs')) as typeof source
    expect(cjs.SessionError).not.toBe(source.SessionError)
    const foreign = new cjs.SessionError('The wallet did not answer status within 10 ms', 'TIMEOUT')
    expect(foreign instanceof source.SessionError).toBe(true)
    expect(new source.SessionError('x', 4001) instanceof cjs.SessionError).toBe(true)
    expect(source.toSessionError(foreign)).toBe(foreign)
    expect(source.toSessionError(foreign).code).toBe('TIMEOUT')
    // and TypeScript narrows by it, as by any class
    const caught: unknown = foreign
    expect(caught instanceof source.SessionError && caught.code).toBe('TIMEOUT')
    // nothing else is one
    for (const value of [new Error('x'), Object.assign(new Error('x'), { name: 'SessionError', code: 'TIMEOUT' }), { code: 4001, message: 'x' }, null, undefined, 'SessionError', 1]) {
      expect(value instanceof source.SessionError).toBe(false)
      expect(value instanceof cjs.SessionError).toBe(false)
    }
  })

  it('C4: a subclass of SessionError keeps its own instanceof: a plain SessionError, of either copy, is none', () => {
    const cjs = createRequire(import.meta.url)(dist('index.cjs')) as typeof source
    class WalletLocked extends source.SessionError {}
    const mine = new WalletLocked('locked', 4100)
    expect(mine instanceof WalletLocked).toBe(true)
    expect(mine instanceof source.SessionError).toBe(true)
    expect(mine instanceof cjs.SessionError).toBe(true)
    expect(new source.SessionError('x', 4100) instanceof WalletLocked).toBe(false)
    expect(new cjs.SessionError('x', 4100) instanceof WalletLocked).toBe(false)
  })

  it('C4: the ESM and the CJS build in one Node process: the lastError of a store made by one is an instance of the other\'s SessionError, and the query keys are equal', async () => {
    const result = await runNode(`
      import { createRequire } from 'node:module'
      import * as esm from ${JSON.stringify(dist('index.js'))}
      const cjs = createRequire(import.meta.url)(${JSON.stringify(dist('index.cjs'))})
      const provider = { request: async () => { throw { code: 4001, message: 'User rejected' } }, on() {}, removeListener() {} }
      const store = cjs.createSessionStore(provider, { storage: cjs.createMemoryStorage() })
      const { lastError } = await store.connect()
      store.destroy()
      const session = { networkId: 'canton:devnet', account: { partyId: 'alice::1' } }
      console.log(lastError instanceof esm.SessionError, lastError instanceof cjs.SessionError, lastError.code, JSON.stringify(esm.sessionQueryKey(session, 'x')) === JSON.stringify(cjs.sessionQueryKey(session, 'x')))
    `)
    expect(result).toMatchObject({ code: 0, stdout: 'true true 4001 true\n', stderr: '' })
  })

  it('M3, M4, L1: stores of the ESM and of the CJS build over one provider in one page keep in step over a real BroadcastChannel, and the ledger entry of either reads a store of the other', async () => {
    const testing = fileURLToPath(new URL('../../session-testing/dist/index.js', import.meta.url))
    const result = await runNode(`
      import { createRequire } from 'node:module'
      import * as esm from ${JSON.stringify(dist('index.js'))}
      import { createMockProvider } from ${JSON.stringify(testing)}
      const require = createRequire(import.meta.url)
      const cjs = require(${JSON.stringify(dist('index.cjs'))})
      const ledger = require(${JSON.stringify(dist('ledger.cjs'))})
      const provider = createMockProvider()
      const storage = esm.createMemoryStorage()
      const broadcast = { channelFactory: (name) => new BroadcastChannel(name), lockManager: null }
      const a = esm.createSessionStore(provider, { storage, broadcast })
      const b = cjs.createSessionStore(provider, { storage, broadcast })
      const wait = () => new Promise((resolve) => setTimeout(resolve, 20))
      await a.connect()
      await wait()
      const connected = [a, b].map((s) => s.getSnapshot().status).join()
      const api = ledger.getLedgerAuth(a)?.ledgerApi
      await b.disconnect()
      await wait()
      console.log(connected, [a, b].map((s) => s.getSnapshot().status).join(), api, (await storage.getItem('sessionlayer.session')) === null)
      a.destroy()
      b.destroy()
    `)
    expect(result).toMatchObject({ code: 0, stdout: 'connected,connected disconnected,disconnected http://127.0.0.1:7575 true\n', stderr: '' })
  })
})
