import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { ALICE, BOB, connectAndApprove, connectWithShortTtl, passShortTtl, recordWalletRequests, text, walletRequests, type APPS, type Harness } from './support'

const status = (page: Page) => text(page, 'status')
const fetchNumber = async (page: Page) => Number((await text(page, 'holdings-fetch')).replace('#', ''))

/**
 * Two tabs of one profile: connect in A reaches B without a click; a party switch in A's wallet
 * UI makes B refetch its holdings for the new party; disconnect in B disconnects A.
 * @param h - the harness
 * @param app - the example (with holdings)
 */
export async function connectSwitchDisconnect(h: Harness, app: keyof typeof APPS): Promise<void> {
  const context = await h.context()
  const a = await h.open(context, app)
  const b = await h.open(context, app)
  await expect.poll(() => status(a)).toBe('disconnected')
  await expect.poll(() => status(b)).toBe('disconnected')

  await connectAndApprove(a)
  await expect.poll(() => status(a)).toBe('connected')
  await expect.poll(() => text(a, 'party')).toBe(ALICE)
  // Tab B: nobody clicked anything there.
  await expect.poll(() => status(b)).toBe('connected')
  await expect.poll(() => text(b, 'party')).toBe(ALICE)
  await expect.poll(() => text(b, 'holdings-party')).toBe(ALICE)
  const fetchesBefore = await fetchNumber(b)

  // The user switches party in the demo wallet's UI, in tab A.
  await a.getByTestId('wallet-party').selectOption(BOB)
  await expect.poll(() => text(a, 'party')).toBe(BOB)
  await expect.poll(() => text(b, 'party')).toBe(BOB)
  await expect.poll(() => text(b, 'holdings-party')).toBe(BOB)
  expect(await fetchNumber(b)).toBeGreaterThan(fetchesBefore)
  expect(await b.getByTestId('event').filter({ hasText: 'party:changed' }).count()).toBeGreaterThan(0)

  // And the network, in tab B this time.
  await b.getByTestId('wallet-network').selectOption('canton:testnet')
  await expect.poll(() => text(a, 'network')).toBe('canton:testnet')
  await expect.poll(() => text(b, 'network')).toBe('canton:testnet')

  await b.getByTestId('disconnect').click()
  await expect.poll(() => status(b)).toBe('disconnected')
  await expect.poll(() => status(a)).toBe('disconnected')
  expect(await text(a, 'party')).toBe('—')
  // A disconnected session drops its party-scoped queries.
  await expect.poll(() => a.getByTestId('holding').count()).toBe(0)
  await context.close()
}

/**
 * A double click on Connect asks the wallet once and does not cancel it (Cancel takes the
 * button's place); a double click on Disconnect does not start a new connect (Connect takes its
 * place).
 * @param h - the harness
 * @param app - the example
 */
export async function doubleClicks(h: Harness, app: keyof typeof APPS): Promise<void> {
  const context = await h.context()
  const page = await h.open(context, app)
  await expect.poll(() => status(page)).toBe('disconnected')

  await page.getByTestId('connect').dblclick()
  await expect.poll(() => page.getByTestId('wallet-pending').isVisible()).toBe(true)
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(await status(page)).toBe('connecting')
  await page.getByTestId('wallet-approve').click()
  await expect.poll(() => status(page)).toBe('connected')
  expect(await text(page, 'party')).toBe(ALICE)

  await page.getByTestId('disconnect').dblclick()
  await expect.poll(() => status(page)).toBe('disconnected')
  await new Promise((resolve) => setTimeout(resolve, 300))
  expect(await status(page)).toBe('disconnected')
  expect(await page.getByTestId('wallet-pending').isVisible()).toBe(false)
  await context.close()
}

/**
 * Two tabs of one session with a 10 s TTL, once it expired and both show the re-auth prompt.
 * @param h - the harness
 * @param app - the example (with the expiry card)
 */
async function bothTabsPrompting(h: Harness, app: keyof typeof APPS) {
  const context = await h.context({ clock: true })
  const a = await h.open(context, app)
  await connectWithShortTtl(a)
  const b = await h.open(context, app)
  await expect.poll(() => status(b)).toBe('connected')

  await passShortTtl(context)
  await a.getByTestId('reauth-prompt').waitFor({ timeout: 20_000 })
  await b.getByTestId('reauth-prompt').waitFor({ timeout: 5_000 })
  return { context, a, b }
}

/**
 * A disconnect while both tabs show the re-auth prompt (here: the dApp's Disconnect in tab B)
 * ends the re-auth in both tabs: no prompt is left on screen next to a disconnected status.
 * @param h - the harness
 * @param app - the example (with the expiry card)
 */
export async function disconnectDuringReauth(h: Harness, app: keyof typeof APPS): Promise<void> {
  const { context, a, b } = await bothTabsPrompting(h, app)
  await b.getByTestId('disconnect').click()
  for (const page of [a, b]) {
    await expect.poll(() => status(page)).toBe('disconnected')
    await expect.poll(() => page.getByTestId('reauth-prompt').count()).toBe(0)
    expect(await text(page, 'expiry-countdown')).toBe('No active session')
  }
  await context.close()
}

/**
 * Both tabs expire together and both prompt; signing in again in one tab ends the re-auth in the
 * other too: its prompt goes away, and an action it queued meanwhile completes.
 * @param h - the harness
 * @param app - the example (with the expiry and action cards)
 */
export async function reauthInOneTab(h: Harness, app: keyof typeof APPS): Promise<void> {
  const { context, a, b } = await bothTabsPrompting(h, app)
  await b.getByTestId('action-run').click()
  await expect.poll(() => b.getByTestId('action-status').getAttribute('data-state')).toBe('queued')
  await a.getByTestId('reauth-confirm').click()
  for (const page of [a, b]) {
    await expect.poll(() => status(page)).toBe('connected')
    await expect.poll(() => page.getByTestId('reauth-prompt').count()).toBe(0)
  }
  await expect.poll(() => b.getByTestId('action-status').getAttribute('data-state')).toBe('done')
  await context.close()
}

/**
 * The reconnect banner tells of retries only while they are due: a Disconnect during the backoff
 * (C8: no attempt follows) and an expiry during it (C12: the re-auth takes over) both end it.
 * @param h - the harness
 * @param app - the example (with the reconnect banner and the expiry card)
 */
export async function reconnectBannerEnds(h: Harness, app: keyof typeof APPS): Promise<void> {
  const context = await h.context({ clock: true })
  const page = await h.open(context, app)
  await connectWithShortTtl(page)
  const banner = page.getByTestId('reconnect-progress')

  await page.getByTestId('wallet-drop').click()
  await expect.poll(() => text(page, 'reconnect-progress')).toMatch(/retry #\d/)
  await page.getByTestId('disconnect').click()
  await expect.poll(() => status(page)).toBe('disconnected')
  await expect.poll(() => banner.count()).toBe(0)

  await page.getByTestId('wallet-restore').click()
  await connectAndApprove(page)
  await expect.poll(() => status(page)).toBe('connected')
  await page.getByTestId('wallet-drop').click()
  await expect.poll(() => text(page, 'reconnect-progress')).toMatch(/retry #\d/)
  await passShortTtl(context)
  await page.getByTestId('reauth-prompt').waitFor({ timeout: 20_000 })
  expect(await page.getByTestId('event').filter({ hasText: 'session:expired' }).count()).toBe(1)
  await expect.poll(() => banner.count()).toBe(0)
  await context.close()
}

/**
 * The user rejects the connect request in the wallet: the dApp is disconnected and says so with
 * the wallet's code (C4: 4001), Connect works again; a request the user cancels in the dApp
 * leaves no pending request in the wallet and no error; the next one, approved, connects.
 * @param h - the harness
 * @param app - the example
 */
export async function rejectCancelApprove(h: Harness, app: keyof typeof APPS): Promise<void> {
  const context = await h.context()
  const page = await h.open(context, app)
  await expect.poll(() => status(page)).toBe('disconnected')
  const pending = page.getByTestId('wallet-pending')

  await page.getByTestId('connect').click()
  await page.getByTestId('wallet-reject').click()
  await expect.poll(() => status(page)).toBe('disconnected')
  expect(await text(page, 'error')).toMatch(/\(4001\)$/)
  expect(await text(page, 'party')).toBe('—')
  expect(await pending.isVisible()).toBe(false)

  await page.getByTestId('connect').click()
  await expect.poll(() => status(page)).toBe('connecting')
  expect(await page.getByTestId('error').count()).toBe(0) // a new attempt clears the old error (C3)
  await expect.poll(() => pending.isVisible()).toBe(true)
  await page.getByTestId('disconnect').click() // "Cancel"
  await expect.poll(() => status(page)).toBe('disconnected')
  await expect.poll(() => pending.isVisible()).toBe(false)
  expect(await page.getByTestId('error').count()).toBe(0)

  await connectAndApprove(page)
  await expect.poll(() => status(page)).toBe('connected')
  expect(await text(page, 'party')).toBe(ALICE)
  expect(await page.getByTestId('error').count()).toBe(0)
  await context.close()
}

/**
 * A reload of a connected tab, its script arriving late (a slow network): from the first byte on,
 * the page shows the silent restore (C9: `reconnecting`) and then `connected` — never a
 * `disconnected` status nor a Connect button that a restoring session does not need, and the
 * wallet is asked no `connect`.
 * @param h - the harness
 * @param app - the example
 */
export async function reloadWithoutFlash(h: Harness, app: keyof typeof APPS): Promise<void> {
  const context = await h.context()
  await recordWalletRequests(context)
  const page = await h.open(context, app)
  await expect.poll(() => status(page)).toBe('disconnected')
  await connectAndApprove(page)
  await expect.poll(() => status(page)).toBe('connected')

  await page.addInitScript(() => {
    const seen: string[] = []
    Object.assign(globalThis, { __statuses: seen })
    new MutationObserver(() => {
      const shown = document.querySelector('[data-testid="status"]')?.textContent.trim() ?? ''
      const connect = document.querySelector<HTMLElement>('[data-testid="connect"]')
      const now = `${shown}${connect && !connect.hidden ? ' + Connect' : ''}`
      if (now && now !== seen.at(-1)) seen.push(now)
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
  })
  await page.route('**/assets/*.js', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 500))
    await route.continue()
  })
  await page.reload()
  await expect.poll(() => status(page)).toBe('connected')
  expect(await page.evaluate(() => (globalThis as unknown as { __statuses: string[] }).__statuses)).toEqual(['reconnecting', 'connected'])
  expect(await text(page, 'party')).toBe(ALICE)
  const requests = await walletRequests(page)
  expect(requests).toContain('status')
  expect(requests).not.toContain('connect') // silent: no prompt in the wallet
  await context.close()
}
