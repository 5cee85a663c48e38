// @vitest-environment jsdom
import { createMockProvider } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { APPROVAL_FRAGMENT } from './demoProfile'
import { mountWalletPanel, type WalletPanel } from './walletPanel'

let panel: WalletPanel | undefined

beforeEach(() => {
  // (jsdom lays nothing out: it has no scrollIntoView)
  Element.prototype.scrollIntoView = vi.fn()
})

afterEach(() => {
  panel?.destroy()
  panel = undefined
  history.replaceState(null, '', '/')
  document.body.innerHTML = ''
})

/** The panel over a wallet whose connects wait for the user, with a connect of the dApp pending. */
async function panelWithPendingConnect() {
  const provider = createMockProvider({ connectMode: 'manual' })
  panel = mountWalletPanel({ document, wallet: provider.wallet, mode: 'test', storage: localStorage })
  void provider.request({ method: 'connect' })
  await vi.waitFor(() => {
    expect(provider.wallet.state().pendingConnects).toBe(1)
  })
  panel.refresh()
  const root = document.querySelector('#demo-wallet')!.shadowRoot!
  expect(root.querySelector('[data-testid="wallet-pending"]')).toHaveProperty('hidden', false)
  return {
    pending: root.querySelector('[data-testid="wallet-pending"]'),
    focused: () => root.activeElement?.getAttribute('data-testid'),
    blur: () => (root.activeElement as HTMLElement | null)?.blur(),
  }
}

/** Follows the approval link, as a click on it does: the address takes its fragment. */
async function followLink() {
  location.hash = APPROVAL_FRAGMENT
  // (the hashchange event is dispatched as a task)
  await new Promise((resolve) => setTimeout(resolve, 10))
}

describe('the approval link', () => {
  it('C3: each time it is followed, the pending request is brought into view and Approve takes the focus', async () => {
    const { focused, blur, pending } = await panelWithPendingConnect()
    const scrolled = vi.mocked(Element.prototype.scrollIntoView)
    for (const [i, time] of ['first', 'second'].entries()) {
      // (the user went back to the link)
      blur()
      expect({ time, focused: focused() }).toEqual({ time, focused: undefined })
      await followLink()
      expect({ time, focused: focused(), hash: location.hash }).toEqual({ time, focused: 'wallet-approve', hash: '' })
      expect({ time, scrolled: scrolled.mock.contexts.length }).toEqual({ time, scrolled: i + 1 })
      expect(scrolled.mock.contexts[i]).toBe(pending)
    }
  })

  it('C3: on a page opened at the link, following it once a connect waits takes the focus to Approve', async () => {
    // (the address the user opened, or reloaded, still has the link's fragment)
    history.replaceState(null, '', `/${APPROVAL_FRAGMENT}`)
    const { focused } = await panelWithPendingConnect()
    expect(location.hash).toBe('')
    await followLink()
    expect(focused()).toBe('wallet-approve')
  })
})
