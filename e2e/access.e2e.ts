import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { type APPS, connectAndApprove, connectWithShortTtl, passShortTtl, pollWithClock, recordWalletRequests, text, useHarness, walletRequests } from './support'

const harness = useHarness()
const APP_NAMES = ['react', 'vue', 'vanilla'] as const satisfies readonly (keyof typeof APPS)[]

const status = (page: Page) => text(page, 'status')

/** A new browser context with one tab of `app`, once it shows `disconnected` (`clock`: see `Harness.context`). */
async function openDisconnected(app: (typeof APP_NAMES)[number], options?: { clock?: boolean }) {
  const h = harness()
  const context = await h.context(options)
  const page = await h.open(context, app)
  await expect.poll(() => status(page)).toBe('disconnected')
  return { context, page }
}

/**
 * A new browser context with one tab of `app`, connected with a short-lived session (its harness too,
 * for more tabs), on a clock `passShortTtl` moves past its TTL. Every tab of the context records its
 * wallet requests (see `walletRequests`).
 */
async function openExpiring(app: (typeof APP_NAMES)[number]) {
  const h = harness()
  const context = await h.context({ clock: true })
  await recordWalletRequests(context)
  const page = await h.open(context, app)
  await connectWithShortTtl(page)
  return { h, context, page }
}

/** Waits for the re-auth prompt, then signs a transfer, which waits in the queue. */
async function queueInPrompt(page: Page) {
  await page.getByTestId('reauth-prompt').waitFor({ timeout: 20_000 })
  await page.getByTestId('action-run').click()
  await expect.poll(() => text(page, 'action-status')).toMatch(/^Transfer #\d+: queued until you sign in again$/)
}

/** The focused element's test id, looking into the demo wallet's shadow root ('' for none, `BODY` when focus was lost). */
const focused = (page: Page) =>
  page.evaluate(() => {
    let active = document.activeElement
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement
    return !active || active === document.body ? 'BODY' : (active.getAttribute('data-testid') ?? active.tagName)
  })

/**
 * Every visible text of the page (the wallet panel's shadow root included) whose contrast against
 * its background is under WCAG AA (4.5:1; 3:1 for large text). Disabled controls are exempt.
 */
const lowContrast = (page: Page) =>
  page.evaluate(() => {
    type Rgba = { r: number; g: number; b: number; a: number }
    const parse = (css: string): Rgba | null => {
      const m = /rgba?\(([^)]+)\)/.exec(css)
      if (!m?.[1]) return null
      const [r = 0, g = 0, b = 0, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number)
      return { r, g, b, a }
    }
    const channel = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    const luminance = (c: Rgba) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    const over = (top: Rgba, below: Rgba): Rgba => ({
      r: top.r * top.a + below.r * (1 - top.a),
      g: top.g * top.a + below.g * (1 - top.a),
      b: top.b * top.a + below.b * (1 - top.a),
      a: 1,
    })
    const parentOf = (el: Element): Element | null => {
      const root = el.getRootNode()
      return el.parentElement ?? (root instanceof ShadowRoot ? root.host : null)
    }
    const background = (el: Element) => {
      const layers: Rgba[] = []
      for (let at: Element | null = el; at; at = parentOf(at)) {
        const c = parse(getComputedStyle(at).backgroundColor)
        if (c && c.a > 0) layers.push(c)
        if (c?.a === 1) break
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 })
    }
    const found: string[] = []
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot)
        const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim()).map((n) => n.textContent?.trim())
        if (!own.length || !el.getClientRects().length || el.closest(':disabled')) continue
        const style = getComputedStyle(el)
        if (style.visibility === 'hidden') continue
        let opacity = 1
        for (let at: Element | null = el; at; at = parentOf(at)) opacity *= Number(getComputedStyle(at).opacity)
        const bg = background(el)
        const color = parse(style.color) ?? { r: 0, g: 0, b: 0, a: 1 }
        const fg = over({ ...color, a: color.a * opacity }, bg)
        const [light, dark] = [luminance(fg), luminance(bg)].sort((x, y) => y - x) as [number, number]
        const ratio = (light + 0.05) / (dark + 0.05)
        const size = parseFloat(style.fontSize)
        const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66)
        if (ratio < (large ? 3 : 4.5)) found.push(`${ratio.toFixed(2)}:1 "${own.join(' ').slice(0, 30)}"`)
      }
    }
    walk(document)
    return found
  })

/** What is cut off or overlaps: horizontal scrolling, text clipped by its box, the wallet panel over the dApp. */
const layoutProblems = (page: Page) =>
  page.evaluate(() => {
    const found: string[] = []
    const width = document.documentElement.clientWidth
    if (document.documentElement.scrollWidth > width) found.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${width})`)
    for (const el of document.querySelectorAll('main *')) {
      const style = getComputedStyle(el)
      if (el.scrollWidth > el.clientWidth + 1 && (style.overflowX === 'hidden' || style.overflowX === 'clip')) {
        found.push(`clipped: ${el.getAttribute('data-testid') ?? el.tagName} "${el.textContent.trim().slice(0, 30)}"`)
      }
    }
    const panel = document.getElementById('demo-wallet')?.shadowRoot?.querySelector('.panel')?.getBoundingClientRect()
    const main = document.querySelector('main')
    if (panel && main) {
      // the dApp scrolled to its end: the panel must not cover any of its content
      for (const el of main.querySelectorAll('button, h1, h2, p, dd, li')) {
        const r = el.getBoundingClientRect()
        if (r.width && r.left < panel.right && r.right > panel.left && r.top < panel.bottom && r.bottom > panel.top) {
          found.push(`the wallet panel covers ${el.getAttribute('data-testid') ?? el.tagName} "${el.textContent.trim().slice(0, 30)}"`)
        }
      }
    }
    return found
  })

describe.each(APP_NAMES)('%s example: accessibility, keyboard, small screens', (app) => {
  it('every control of the dApp and of the demo wallet has a name', async () => {
    const { context, page } = await openDisconnected(app)
    for (const name of ['Party', 'Network', 'Session TTL']) expect(await page.getByRole('combobox', { name, exact: true }).count()).toBe(1)
    const unnamed = await page.evaluate(() => {
      const all: Element[] = []
      const walk = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll('*')) {
          if (el.shadowRoot) walk(el.shadowRoot)
          if (el.matches('button, select, input, a[href]')) all.push(el)
        }
      }
      walk(document)
      const named = (el: Element) => el.textContent.trim() !== '' || el.hasAttribute('aria-label') || (el instanceof HTMLSelectElement && el.labels.length > 0)
      return all.filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 60))
    })
    expect(unnamed).toEqual([])
    await context.close()
  })

  it('C7, C9: the session status and the reconnect progress are live regions, there before they change', async () => {
    const { context, page } = await openDisconnected(app)
    expect(await page.getByTestId('status').evaluate((el) => el.closest('[role="status"], [aria-live="polite"]') !== null)).toBe(true)
    if (app !== 'vanilla') {
      // a region added together with its text is not announced: the banner's region is on the page from the start
      expect(await page.locator('[role="status"][data-testid="reconnect-region"]').count()).toBe(1)
    }
    await context.close()
  })

  it('keyboard only: connect, approve in the demo wallet, switch party, disconnect in the dApp and in the wallet — focus is never lost', async () => {
    const { context, page } = await openDisconnected(app)
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('connect')
    await page.keyboard.press('Enter')
    await expect.poll(() => status(page)).toBe('connecting')
    expect(await focused(page)).toBe('disconnect') // the Cancel button that took Connect's place
    await expect.poll(() => page.getByTestId('wallet-approve').isVisible()).toBe(true)
    for (let i = 0; i < 10 && (await focused(page)) !== 'wallet-approve'; i++) await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('wallet-approve')
    await page.keyboard.press('Space')
    await expect.poll(() => status(page)).toBe('connected')
    expect(await focused(page)).not.toBe('BODY') // the approve button went away with the request
    for (let i = 0; i < 10 && (await focused(page)) !== 'wallet-party'; i++) await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('wallet-party')
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => text(page, 'party')).toMatch(/^bob::/)
    for (let i = 0; i < 20 && (await focused(page)) !== 'disconnect'; i++) await page.keyboard.press('Shift+Tab')
    expect(await focused(page)).toBe('disconnect')
    await page.keyboard.press('Enter')
    await expect.poll(() => status(page)).toBe('disconnected')
    expect(await focused(page)).toBe('connect')
    // the wallet's own Disconnect is disabled once it is pressed: focus stays in the panel
    await page.getByTestId('connect').click()
    await page.getByTestId('wallet-approve').click()
    await expect.poll(() => status(page)).toBe('connected')
    await page.getByTestId('wallet-disconnect').focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => status(page)).toBe('disconnected')
    expect(await focused(page)).not.toBe('BODY')
    await context.close()
  })

  it('C3: with the demo wallet approving at a link, the dApp shows that link from connect:pending until the connect settles, in a live region', async () => {
    const { context, page } = await openDisconnected(app)
    await page.getByTestId('wallet-approval').selectOption({ label: 'at a link (async)' })
    // the region is on the page before its text changes, or the change is not announced
    expect(await page.locator('[role="status"][data-testid="connect-region"]').count()).toBe(1)
    await page.getByTestId('connect').click()
    await expect.poll(() => text(page, 'connect-hint')).toMatch(/^Approve the connection in your wallet: http:\/\/127\.0\.0\.1:\d+\/\S*#demo-wallet-approve$/)
    const link = page.getByRole('link', { name: /#demo-wallet-approve$/ })
    expect(await link.evaluate((el) => el.closest('[role="status"]')?.getAttribute('data-testid'))).toBe('connect-region')
    // the link leads to the wallet's approval, Approve there settles the connect
    await link.click()
    await expect.poll(() => focused(page)).toBe('wallet-approve')
    await page.keyboard.press('Enter')
    await expect.poll(() => status(page)).toBe('connected')
    expect(await page.getByTestId('connect-hint').isVisible()).toBe(false)
    await context.close()
  })

  it('C3: following the approval link again, from the page, moves focus to Approve again and brings the panel into view', async () => {
    const { context, page } = await openDisconnected(app)
    // a phone, and a long page: the panel sits below it, out of view while the link is in view
    await page.setViewportSize({ width: 375, height: 667 })
    await page.addStyleTag({ content: 'main { padding-bottom: 150vh; }' })
    await page.getByTestId('wallet-approval').selectOption({ label: 'at a link (async)' })
    await page.getByTestId('connect').click()
    const link = page.getByRole('link', { name: /#demo-wallet-approve$/ })
    await link.waitFor()
    const approve = page.getByTestId('wallet-approve')
    const inView = () => approve.evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().bottom <= innerHeight)
    for (const time of ['first', 'second']) {
      // back at the link, as a keyboard user tabbing back to it
      await link.focus()
      await page.evaluate(() => globalThis.scrollTo(0, 0))
      expect({ time, inView: await inView() }).toEqual({ time, inView: false })
      await page.keyboard.press('Enter')
      await expect.poll(async () => ({ time, focused: await focused(page) })).toEqual({ time, focused: 'wallet-approve' })
      expect({ time, inView: await inView() }).toEqual({ time, inView: true })
    }
    await page.keyboard.press('Enter')
    await expect.poll(() => status(page)).toBe('connected')
    await context.close()
  })

  it('text meets WCAG AA contrast, disconnected and connected', async () => {
    const { context, page } = await openDisconnected(app)
    expect(await lowContrast(page)).toEqual([])
    await page.getByTestId('connect').click()
    await page.getByTestId('wallet-approve').click()
    await expect.poll(() => status(page)).toBe('connected')
    expect(await lowContrast(page)).toEqual([])
    await context.close()
  })

  it('on a 375×667 phone and at 200 % zoom nothing is cut off and the wallet panel covers nothing', async () => {
    const { context, page } = await openDisconnected(app)
    // 200 % zoom of a 1000×700 window: a 500×350 CSS-pixel viewport
    for (const size of [{ width: 375, height: 667 }, { width: 500, height: 350 }]) {
      await page.setViewportSize(size)
      await page.evaluate(() => globalThis.scrollTo(0, document.documentElement.scrollHeight))
      expect({ size, problems: await layoutProblems(page) }).toEqual({ size, problems: [] })
    }
    await context.close()
  })
})

describe.each(['react', 'vue'] as const)('%s example: busy states, the re-auth prompt and the copy', (app) => {
  it('the holdings card is aria-busy while it fetches; the result of a signature is announced', async () => {
    const { context, page } = await openDisconnected(app)
    await connectAndApprove(page)
    await page.waitForSelector('[data-testid="holdings"][aria-busy="true"]', { timeout: 5_000 })
    await expect.poll(() => page.getByTestId('holding').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('holdings').getAttribute('aria-busy')).toBe('false')
    expect(await page.getByTestId('action-status').getAttribute('role')).toBe('status')
    await context.close()
  })

  it('C12: the re-auth prompt takes focus when the session expires, and Sign out does not lose it', async () => {
    const { context, page } = await openExpiring(app)
    await passShortTtl(context)
    await expect.poll(() => page.getByTestId('reauth-prompt').count(), { timeout: 15_000 }).toBe(1)
    await expect.poll(() => focused(page)).toBe('reauth-confirm')
    await page.keyboard.press('Tab')
    expect(await focused(page)).toBe('reauth-decline')
    await page.keyboard.press('Enter')
    await expect.poll(() => status(page)).toBe('disconnected')
    expect(await focused(page)).not.toBe('BODY')
    // the user chose to sign out: that is said, and no failure is reported
    await expect.poll(() => text(page, 'signed-out')).toBe('Signed out.')
    expect(await page.getByTestId('error').count()).toBe(0)
    await context.close()
  })

  it('C12, C13: a transfer queued before Sign out in the re-auth prompt is told as not sent, not as a failure', async () => {
    const { context, page } = await openExpiring(app)
    await passShortTtl(context)
    await queueInPrompt(page)
    await page.getByTestId('reauth-decline').click()
    await expect.poll(() => status(page)).toBe('disconnected')
    // Sign out is this tab's Disconnect: the held transfer is rejected with REAUTH_FAILED 'The session ended before the operation ran', no cause — the user's choice
    await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('cancelled')
    expect(await text(page, 'action-status')).toMatch(/^Transfer #\d+: not sent — you signed out$/)
    expect(await page.getByRole('alert').count()).toBe(0)
    expect(await lowContrast(page)).toEqual([])
    await context.close()
  })

  for (const who of ['this tab', 'another tab'] as const) {
    it(`C6, C13, M3: a transfer queued in the re-auth prompt, then a Disconnect in ${who}, is told as not sent, not as a failure`, async () => {
      const { h, context, page } = await openExpiring(app)
      const other = who == 'another tab' ? await h.open(context, app) : page
      await expect.poll(() => status(other)).toBe('connected')
      await passShortTtl(context)
      await queueInPrompt(page)
      await other.getByTestId('disconnect').click()
      await expect.poll(() => status(page)).toBe('disconnected')
      // the held transfer is rejected with REAUTH_FAILED 'The session ended before the operation ran' and no cause: a sign-out
      await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('cancelled')
      expect(await text(page, 'action-status')).toMatch(/^Transfer #\d+: not sent — signed out$/)
      expect(await page.getByRole('alert').count()).toBe(0)
      await context.close()
    })
  }

  it("C6, C12, C13, M3: Sign out in one tab's re-auth prompt: a transfer held in another tab is told as not sent, not as a failure", async () => {
    const { h, context, page } = await openExpiring(app)
    const other = await h.open(context, app)
    await expect.poll(() => status(other)).toBe('connected')
    await passShortTtl(context)
    await queueInPrompt(page)
    await queueInPrompt(other)
    await page.getByTestId('reauth-decline').click()
    for (const tab of [page, other]) await expect.poll(() => status(tab)).toBe('disconnected')
    // this tab: the user's own sign-out, said as such
    await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('cancelled')
    expect(await text(page, 'action-status')).toMatch(/^Transfer #\d+: not sent — you signed out$/)
    expect(await text(page, 'signed-out')).toBe('Signed out.')
    // the other tab: its prompt goes, and its transfer was signed out meanwhile, as by a Disconnect
    await expect.poll(() => other.getByTestId('reauth-prompt').count()).toBe(0)
    await expect.poll(() => other.getByTestId('action-status').getAttribute('data-state')).toBe('cancelled')
    expect(await text(other, 'action-status')).toMatch(/^Transfer #\d+: not sent — signed out$/)
    for (const tab of [page, other]) {
      expect(await tab.getByRole('alert').count()).toBe(0)
      // as with Disconnect, each tab asks its wallet to disconnect, once
      await expect.poll(async () => (await walletRequests(tab)).filter((method) => method === 'disconnect')).toEqual(['disconnect'])
    }
    await context.close()
  })

  it('a transfer the wallet fails is still told as a failure', async () => {
    const { context, page } = await openDisconnected(app)
    await connectAndApprove(page)
    await expect.poll(() => status(page)).toBe('connected')
    await page.getByTestId('wallet-drop').click()
    await page.getByTestId('action-run').click()
    await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('failed')
    expect(await text(page, 'action-status')).toMatch(/^Transfer #\d+: .+ \(\d+\)$/)
    await page.getByTestId('wallet-restore').click()
    await context.close()
  })

  it('a sign-out in another tab disables Sign a transfer and hands its keyboard focus to Connect', async () => {
    const h = harness()
    const context = await h.context()
    const page = await h.open(context, app)
    const other = await h.open(context, app)
    await expect.poll(() => status(page)).toBe('disconnected')
    await connectAndApprove(page)
    await expect.poll(() => status(other)).toBe('connected')
    await expect.poll(() => page.getByTestId('action-run').isEnabled()).toBe(true)
    await page.getByTestId('action-run').focus()
    expect(await focused(page)).toBe('action-run')
    await other.getByTestId('disconnect').click()
    await expect.poll(() => status(page)).toBe('disconnected')
    await expect.poll(() => focused(page)).toBe('connect')
    await context.close()
  })

  it('C3, C7: the copy of each state says what to do, in the docs\' words', async () => {
    const { context, page } = await openDisconnected(app, { clock: true })
    await page.getByTestId('connect').click()
    await expect.poll(() => text(page, 'connect-hint')).toBe('Approve the connection in the demo wallet.')
    await page.getByTestId('wallet-approve').click()
    await expect.poll(() => status(page)).toBe('connected')
    await page.getByTestId('wallet-drop').click()
    await expect.poll(() => text(page, 'reconnect-progress')).toMatch(/^Wallet unreachable: retry #1 in 0.5 s$/)
    // 5 attempts (0.5 + 1 + 2 + 4 + 8 s), then the store gives up: the clock runs the backoff
    await pollWithClock(context, () => status(page), 'disconnected')
    await expect.poll(() => text(page, 'reconnect-progress')).toBe('Gave up after 5 attempts (4900). Connect again once the wallet is reachable.')
    await page.getByTestId('wallet-restore').click()
    await context.close()
  }, 40_000)
})

describe('vanilla example: the copy', () => {
  it('C3: while a connect waits, the page says where to approve it, and stops saying so once answered', async () => {
    const { context, page } = await openDisconnected('vanilla')
    expect(await page.getByTestId('connect-hint').isVisible()).toBe(false)
    await page.getByTestId('connect').click()
    await expect.poll(() => text(page, 'connect-hint')).toBe('Approve the connection in the demo wallet.')
    expect(await page.getByTestId('connect-hint').isVisible()).toBe(true)
    await page.getByTestId('wallet-approve').click()
    await expect.poll(() => status(page)).toBe('connected')
    expect(await page.getByTestId('connect-hint').isVisible()).toBe(false)
    await context.close()
  })
})

describe('the demo wallet panel', () => {
  it("shows keyboard focus with a ring of at least 2 px and 3:1 contrast against the panel's dark background", async () => {
    const { context, page } = await openDisconnected('vanilla')
    await page.getByTestId('connect').click()
    await expect.poll(() => page.getByTestId('wallet-approve').isVisible()).toBe(true)
    for (let i = 0; i < 10 && (await focused(page)) !== 'wallet-approve'; i++) await page.keyboard.press('Tab')
    const ring = await page.getByTestId('wallet-approve').evaluate((el) => {
      const style = getComputedStyle(el)
      const rgb = (css: string) => (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number)
      const channel = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
      const luminance = ([r = 0, g = 0, b = 0]: number[]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
      const panel = el.closest('.panel')
      const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(panel ? getComputedStyle(panel).backgroundColor : 'rgb(255,255,255)'))].sort((x, y) => y - x) as [number, number]
      return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), contrast: (a + 0.05) / (b + 0.05) }
    })
    expect(ring.style).toBe('solid')
    expect(ring.width).toBeGreaterThanOrEqual(2)
    expect(ring.contrast).toBeGreaterThanOrEqual(3)
    await context.close()
  })
})
