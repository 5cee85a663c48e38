import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { BOB, connectAndApprove, passShortTtl, screenshotDir, text, useHarness } from './support'

// Screenshots of the React and Vue examples at each step of the story. A normal run writes them
// to a scratch folder; `pnpm screenshots` writes the committed ones, in examples/artifacts/.

const harness = useHarness()

/** The story, one PNG per step. */
const STEPS = [
  '1-disconnected',
  '2-connect-request',
  '3-connected',
  '4-party-switched',
  '5-reconnecting',
  '6-reauth-prompt',
  '7-reauth-done',
] as const

/** Width and height from a PNG's IHDR chunk (null when not a PNG). */
function pngSize(file: string): [number, number] | null {
  const bytes = readFileSync(file)
  const signature = bytes.subarray(0, 8).toString('hex')
  return signature === '89504e470d0a1a0a' ? [bytes.readUInt32BE(16), bytes.readUInt32BE(20)] : null
}

async function walkthrough(app: 'react' | 'vue'): Promise<string[]> {
  const dir = screenshotDir()
  const files: string[] = []
  const shot = async (page: Page, step: (typeof STEPS)[number]) => {
    const file = path.join(dir, `${app}-${step}.png`)
    await page.screenshot({ path: file, animations: 'disabled' })
    files.push(file)
  }
  const h = harness()
  const context = await h.context({ clock: true })
  const page = await h.open(context, app)
  const status = () => text(page, 'status')

  await expect.poll(status).toBe('disconnected')
  await shot(page, '1-disconnected')

  await page.getByTestId('connect').click()
  await page.getByTestId('wallet-approve').waitFor()
  await shot(page, '2-connect-request')

  await page.getByTestId('wallet-approve').click()
  await expect.poll(() => text(page, 'holdings-party')).toMatch(/^alice::/)
  await shot(page, '3-connected')

  await page.getByTestId('wallet-party').selectOption(BOB)
  await expect.poll(() => text(page, 'holdings-party')).toBe(BOB)
  await shot(page, '4-party-switched')

  await page.getByTestId('wallet-drop').click()
  await expect.poll(() => text(page, 'reconnect-progress'), { timeout: 10_000 }).toMatch(/retry #2 in 1 s/)
  await shot(page, '5-reconnecting')
  await page.getByTestId('wallet-restore').click()
  await expect.poll(status).toBe('connected')

  await page.getByTestId('disconnect').click()
  await expect.poll(status).toBe('disconnected')
  await page.getByTestId('wallet-ttl').selectOption({ label: '10 s' })
  await page.reload()
  await expect.poll(status).toBe('disconnected')
  await connectAndApprove(page)
  await expect.poll(status).toBe('connected')
  await passShortTtl(context)
  await page.getByTestId('reauth-prompt').waitFor({ timeout: 20_000 })
  await page.getByTestId('action-run').click()
  await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('queued')
  await shot(page, '6-reauth-prompt')

  await page.getByTestId('reauth-confirm').click()
  await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('done')
  await shot(page, '7-reauth-done')
  await context.close()
  return files
}

describe('screenshots of the examples at each step', () => {
  for (const app of ['react', 'vue'] as const) {
    it(`${app}: one 1000×700 PNG per step, under stable names`, async () => {
      const files = await walkthrough(app)
      expect(files.map((f) => path.basename(f))).toEqual(STEPS.map((step) => `${app}-${step}.png`))
      for (const file of files) expect(pngSize(file)).toEqual([1000, 700])
    })
  }
})
