/**
 * The examples of the package README run as written: each `ts` block, its imports given, and
 * what its comments say it logs is what it logs.
 */
import { readFileSync } from 'node:fs'
import { createMemoryStorage, createSessionStore } from '@sessionlayer/session-core'
import ts from 'typescript'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createChannelHub, createMockLockManager, createMockProvider, createMockWallet } from './index'

const blocks = [...readFileSync(new URL('../README.md', import.meta.url), 'utf8').matchAll(/^```ts[^\n]*\n([^]*?)^```$/gm)].map((m) => m[1] ?? '')
const AsyncFunction = (async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>

/**
 * Runs one block: its imports become parameters, `console.log` is recorded, and the tests it
 * declares (`it`) run in turn.
 */
async function run(block: string) {
  const logged: unknown[] = []
  const tests: [string, () => unknown][] = []
  const code = ts.transpileModule(block.replace(/^import .*$/gm, ''), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText
  const scope = {
    createChannelHub,
    createMockLockManager,
    createMockProvider,
    createMockWallet,
    createMemoryStorage,
    createSessionStore,
    expect,
    vi,
    it: (name: string, test: () => unknown) => tests.push([name, test]),
    console: { log: (...args: unknown[]) => logged.push(args.length === 1 ? args[0] : args) },
  }
  await new AsyncFunction(...Object.keys(scope), code)(...Object.values(scope))
  for (const [, test] of tests) {
    await test()
    vi.useRealTimers()
  }
  // what a channel or a timer still delivers
  await new Promise((resolve) => setTimeout(resolve, 0))
  return { logged, tests: tests.map(([name]) => name) }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the README examples run as written', () => {
  it('finds the examples', () => {
    expect(blocks).toHaveLength(5)
  })

  it('drives the mock wallet: logs the accounts, the new primary party, the network and the 4900 of a dropped wallet', async () => {
    const { logged } = await run(blocks[0]!)
    expect(logged).toEqual([
      [expect.objectContaining({ partyId: 'alice::1220aa', primary: true }), expect.objectContaining({ partyId: 'bob::1220bb', primary: false })],
      ['primary:', 'bob::1220bb'],
      { networkId: 'canton:devnet', ledgerApi: 'http://127.0.0.1:7575', accessToken: 'mock-token-1' },
      { code: 4900, message: 'Disconnected' },
    ])
  })

  it('shares one wallet between tabs', async () => {
    await expect(run(blocks[1]!)).resolves.toEqual({ logged: [], tests: [] })
  })

  it('recovers a dropped wallet', async () => {
    await expect(run(blocks[2]!)).resolves.toEqual({ logged: [], tests: [] })
  })

  it('passes messages between the channels of a hub, never back to the sender', async () => {
    await expect(run(blocks[3]!)).resolves.toEqual({ logged: ['hi'], tests: [] })
  })

  it('tests a store with the mock wallet and the hub: both tests pass', async () => {
    await expect(run(blocks[4]!)).resolves.toEqual({ logged: [], tests: ['reconnects after a drop', 'keeps two tabs consistent'] })
  })
})
