import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// These run the BUILT package in a plain Node process (`pnpm test` builds every package first).
const esm = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const cjs = fileURLToPath(new URL('../dist/index.cjs', import.meta.url))
const built = existsSync(esm) && existsSync(cjs)
if (!built) console.warn('session-sync: dist is missing, run `pnpm --filter @sessionlayer/session-sync build`; the Node process tests are skipped')

/** Runs `code` in a fresh Node process; resolves its exit code, or 'timeout' if it is still alive after `ms`. */
function run(code: string, type: 'module' | 'commonjs', ms = 5000) {
  return new Promise<{ code: number | null | 'timeout'; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [`--input-type=${type}`, '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve({ code: 'timeout', stdout, stderr })
    }, ms)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe.skipIf(!built && !process.env.CI)('the built package in Node (SSR)', () => {
  it('M1: importing the ESM and CJS builds neither throws nor keeps the process alive', async () => {
    const imported = await run(`const m = await import(${JSON.stringify(esm)}); console.log(Object.keys(m).sort().join())`, 'module')
    expect(imported).toMatchObject({ code: 0, stderr: '' })
    expect(imported.stdout.trim()).toBe('createTabLock,getWebLocks,openSyncChannel,syncChannelName')
    const required = await run(`const m = require(${JSON.stringify(cjs)}); console.log(typeof m.openSyncChannel)`, 'commonjs')
    expect(required).toMatchObject({ code: 0, stdout: 'function\n', stderr: '' })
  }, 15_000)

  it('M1: a channel over the real global BroadcastChannel, forced on, never keeps Node alive', async () => {
    const code = `
      import { openSyncChannel, createTabLock } from ${JSON.stringify(esm)}
      const a = openSyncChannel('sessionlayer.session.sync::null::k', { channelFactory: (n) => new BroadcastChannel(n) })
      const b = openSyncChannel('sessionlayer.session.sync::null::k', { channelFactory: (n) => new BroadcastChannel(n) })
      b.subscribe(() => {})
      a.post('connected', { partyId: 'p::1' })
      await createTabLock().runExclusive('k', () => {})
      console.log(a.isLive && b.isLive ? 'live' : 'dead')
    `
    const started = Date.now()
    const result = await run(code, 'module')
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout.trim()).toBe('live')
    expect(Date.now() - started).toBeLessThan(5000)
  }, 15_000)

  it('M1: the default channel in Node is a no-op (no BroadcastChannel is opened on the server)', async () => {
    const code = `
      import { openSyncChannel } from ${JSON.stringify(esm)}
      const spy = new BroadcastChannel('sessionlayer.session.sync::null::k')
      spy.onmessage = () => console.log('leaked')
      spy.unref()
      const channel = openSyncChannel('sessionlayer.session.sync::null::k')
      channel.post('connected')
      setTimeout(() => console.log(channel.isLive ? 'live' : 'no-op'), 100)
    `
    const result = await run(code, 'module')
    expect(result).toMatchObject({ code: 0, stdout: 'no-op\n', stderr: '' })
  }, 15_000)
})
