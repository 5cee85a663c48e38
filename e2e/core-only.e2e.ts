import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { doubleClicks, reloadWithoutFlash } from './flows'
import { ALICE, BOB, recordWalletRequests, ROOT, text, walletRequests, useHarness } from './support'

const harness = useHarness()

describe('core only', () => {
  it('the vanilla example connects through the demo wallet and follows it', async () => {
    const h = harness()
    const context = await h.context()
    const page = await h.open(context, 'vanilla')
    await expect.poll(() => text(page, 'status')).toBe('disconnected')
    await page.getByTestId('connect').click()
    await expect.poll(() => text(page, 'status')).toBe('connecting')
    // while the wallet asks its user, the button withdraws the request: it says so
    expect(await page.getByTestId('disconnect').textContent()).toBe('Cancel')
    await page.getByTestId('wallet-approve').click()
    await expect.poll(() => text(page, 'status')).toBe('connected')
    expect(await page.getByTestId('disconnect').textContent()).toBe('Disconnect')
    expect(await text(page, 'party')).toBe(ALICE)
    expect(await text(page, 'network')).toBe('canton:devnet')
    await page.getByTestId('wallet-party').selectOption(BOB)
    await expect.poll(() => text(page, 'party')).toBe(BOB)
    await page.getByTestId('disconnect').click()
    await expect.poll(() => text(page, 'status')).toBe('disconnected')
    await context.close()
  })

  it('a double click on Connect or Disconnect in the vanilla example does not undo itself', async () => {
    await doubleClicks(harness(), 'vanilla')
  })

  it('C9: a reload of the vanilla example shows the silent restore, never a disconnected flash with a Connect button', async () => {
    await reloadWithoutFlash(harness(), 'vanilla')
  })

  it('the React example also runs on the in-memory mock wallet (?wallet=mock)', async () => {
    const h = harness()
    const context = await h.context()
    await recordWalletRequests(context)
    const page = await h.open(context, 'react', '?wallet=mock')
    expect(await text(page, 'wallet-mode')).toBe('in-memory mock wallet')
    await expect.poll(() => text(page, 'status')).toBe('disconnected')
    await page.getByTestId('connect').click() // the mock wallet approves at once
    await expect.poll(() => text(page, 'status')).toBe('connected')
    await expect.poll(() => text(page, 'holdings-party')).toBe(ALICE)
    await page.getByTestId('wallet-party').selectOption(BOB)
    await expect.poll(() => text(page, 'holdings-party')).toBe(BOB)
    expect(await walletRequests(page)).toEqual([]) // nothing went over postMessage
    await context.close()
  })

  it('the Node example exits 0 by itself, printing each state transition', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'examples/node/index.mjs')], { timeout: 20_000 })
    const states = stdout.split('\n').filter((line) => /^(disconnected|connecting|connected|reconnecting) /.test(line))
    expect(states).toEqual([
      'connecting - -',
      'connected alice::1220aa canton:devnet',
      'connected bob::1220bb canton:devnet',
      'connected bob::1220bb canton:testnet',
      'reconnecting bob::1220bb canton:testnet',
      'connected bob::1220bb canton:testnet',
      'disconnected - -',
    ])
    expect(stdout).toMatch(/retry #1 in 100 ms\n {2}attempt #1\n {2}retry #2 in 200 ms/)
  })
})
