import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { connectSwitchDisconnect, disconnectDuringReauth, doubleClicks, reauthInOneTab, reconnectBannerEnds, rejectCancelApprove, reloadWithoutFlash } from './flows'
import { ALICE, BOB, connectAndApprove, connectWithShortTtl, passShortTtl, recordWalletRequests, text, walletRequests, useHarness } from './support'

const harness = useHarness()

const status = (page: Page) => text(page, 'status')

describe('React example with the demo wallet (official DappSyncProvider over postMessage)', () => {
  it("connect in tab A shows in tab B without a click; a party switch in A refetches B's holdings; disconnect in B disconnects A", async () => {
    await connectSwitchDisconnect(harness(), 'react')
  })

  it('C3, C4: a connect rejected in the wallet shows its 4001; a cancelled one leaves nothing pending; the next one connects', async () => {
    await rejectCancelApprove(harness(), 'react')
  })

  it('a double click on Connect or Disconnect does not undo itself', async () => {
    await doubleClicks(harness(), 'react')
  })

  it('C8, C12: the reconnect banner goes away once no retry is due: a disconnect or an expiry during the backoff ends it', async () => {
    await reconnectBannerEnds(harness(), 'react')
  })

  it('a disconnect during the re-auth prompt removes the prompt in every tab', async () => {
    await disconnectDuringReauth(harness(), 'react')
  })

  it('signing in again in one tab ends the re-auth prompt in every tab; an action queued in another completes', async () => {
    await reauthInOneTab(harness(), 'react')
  })

  it('a reload restores the session from encrypted IndexedDB without a connect prompt, and no party id is stored in clear text', async () => {
    const h = harness()
    const context = await h.context()
    await recordWalletRequests(context)
    const page = await h.open(context, 'react')
    await expect.poll(() => status(page)).toBe('disconnected')
    await connectAndApprove(page)
    await expect.poll(() => text(page, 'party')).toBe(ALICE)
    expect(await walletRequests(page)).toContain('connect')

    await page.reload()
    await expect.poll(() => status(page)).toBe('connected')
    expect(await text(page, 'party')).toBe(ALICE)
    expect(await page.getByTestId('wallet-pending').isVisible()).toBe(false)
    const requests = await walletRequests(page)
    expect(requests).toContain('status')
    expect(requests).not.toContain('connect')

    // Everything SessionLayer stored, read raw through the page. The demo wallet's own
    // `demo-wallet:` localStorage keys are excluded: they are the wallet's state (a real
    // extension keeps it in its own storage), not the dApp's.
    const dump = await page.evaluate(async () => {
      const show = (value: unknown): string => {
        if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
          const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          return new TextDecoder('latin1').decode(bytes)
        }
        if (value instanceof CryptoKey) return `[CryptoKey extractable=${String(value.extractable)}]`
        if (value instanceof Blob) return '[Blob]'
        if (typeof value === 'object' && value !== null) return Object.entries(value).map(([k, v]) => `${k}=${show(v)}`).join(';')
        return String(value)
      }
      const stores: { db: string; store: string; keys: string; values: string[] }[] = []
      const read = <T,>(req: IDBRequest<T>) =>
        new Promise<T>((resolve, reject) => {
          req.onsuccess = () => {
            resolve(req.result)
          }
          req.onerror = () => {
            reject(req.error ?? new Error('IndexedDB request failed'))
          }
        })
      for (const { name: dbName } of await indexedDB.databases()) {
        if (!dbName) continue
        const db = await read(indexedDB.open(dbName))
        for (const name of Array.from(db.objectStoreNames)) {
          const tx = db.transaction(name, 'readonly')
          const keys = await read(tx.objectStore(name).getAllKeys())
          const values = await read(tx.objectStore(name).getAll())
          stores.push({ db: dbName, store: name, keys: keys.map(show).join(','), values: values.map(show) })
        }
        db.close()
      }
      const local = Object.keys(localStorage)
        .filter((key) => !key.startsWith('demo-wallet:'))
        .map((key) => `${key}=${localStorage.getItem(key) ?? ''}`)
      return { stores, local }
    })
    // The encrypted session is there (a key store and a blob store), and it is opaque.
    expect(dump.stores.map((s) => s.store).sort()).toEqual(['blobs', 'keys'])
    expect(dump.stores.find((s) => s.store === 'blobs')?.values.length).toBe(1)
    expect(dump.stores.find((s) => s.store === 'keys')?.values.join()).toContain('extractable=false')
    const raw = JSON.stringify(dump)
    for (const secret of [ALICE, BOB, 'alice::', '1220f3a9c2e4b7d1', 'canton:devnet']) expect(raw).not.toContain(secret)
    await context.close()
  })

  it('C9: a reload shows the silent restore, never a disconnected flash with a Connect button', async () => {
    await reloadWithoutFlash(harness(), 'react')
  })

  it('a wallet drop shows reconnecting with an attempt counter, and restoring the wallet reconnects', async () => {
    const h = harness()
    const context = await h.context()
    const page = await h.open(context, 'react')
    await expect.poll(() => status(page)).toBe('disconnected')
    await connectAndApprove(page)
    await expect.poll(() => status(page)).toBe('connected')

    await page.getByTestId('wallet-drop').click()
    await expect.poll(() => status(page)).toBe('reconnecting')
    expect(await text(page, 'party')).toBe(ALICE) // the account stays visible while reconnecting
    await expect.poll(() => text(page, 'reconnect-progress'), { timeout: 10_000 }).toMatch(/retry #2 in 1 s/)

    await page.getByTestId('wallet-restore').click()
    await expect.poll(() => status(page)).toBe('connected')
    expect(await text(page, 'party')).toBe(ALICE)
    await expect.poll(() => page.getByTestId('reconnect-progress').count()).toBe(0)
    await context.close()
  })

  it('C6, C7: a Disconnect in the wallet is a sign-out, no drop: every tab is disconnected at once, the party gone, no retry, no error', async () => {
    const h = harness()
    const context = await h.context()
    const a = await h.open(context, 'react')
    await expect.poll(() => status(a)).toBe('disconnected')
    await connectAndApprove(a)
    const b = await h.open(context, 'react')
    await expect.poll(() => status(b)).toBe('connected')

    await a.getByTestId('wallet-disconnect').click()
    // the first retry of a drop would be due 0.5 s on (the default policy): wait past it
    for (const page of [a, b]) await expect.poll(() => status(page)).toBe('disconnected')
    await a.waitForTimeout(1_000)
    for (const page of [a, b]) {
      expect(await status(page)).toBe('disconnected')
      expect(await text(page, 'party')).toBe('—')
      expect(await page.getByTestId('reconnect-progress').count()).toBe(0)
      expect(await page.locator('[data-testid="event"][data-type^="reconnect:"]').count()).toBe(0)
      expect(await page.getByTestId('error').count()).toBe(0) // a sign-out, no error
    }
    await context.close()
  })

  it('expiry (a short TTL from the wallet) prompts a re-auth, and an action queued meanwhile completes after it', async () => {
    const h = harness()
    const context = await h.context({ clock: true })
    const page = await h.open(context, 'react')
    await connectWithShortTtl(page)
    await expect.poll(() => text(page, 'expiry-countdown')).toMatch(/Expires in 0:(0\d|10)/)

    await passShortTtl(context)
    await page.getByTestId('reauth-prompt').waitFor({ timeout: 20_000 })
    expect(await status(page)).toBe('reconnecting')
    await page.getByTestId('action-run').click()
    await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('queued')

    await page.getByTestId('reauth-confirm').click()
    await expect.poll(() => page.getByTestId('action-status').getAttribute('data-state')).toBe('done')
    expect(await text(page, 'action-status')).toContain('signed mock-signature:Transfer #')
    await expect.poll(() => status(page)).toBe('connected')
    expect(await page.getByTestId('event').filter({ hasText: 'session:expired' }).count()).toBe(1)
    await context.close()
  })
})
