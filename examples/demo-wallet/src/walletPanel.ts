import type { MockWallet } from '@sessionlayer/session-testing'
import { APPROVAL_FRAGMENT, DEMO_NETWORKS, DEMO_PARTIES, DEMO_TTL_OPTIONS, readDemoTtl, TTL_KEY, type DemoApproval } from './demoProfile'

const CSS = `
:host { all: initial; }
.panel:focus { outline: none; }
.panel { position: fixed; right: 16px; bottom: 16px; z-index: 2147483647; width: 272px; box-sizing: border-box;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #f5f3ff; background: #1e1b2e;
  border: 2px dashed #f59e0b; border-radius: 12px; box-shadow: 0 12px 32px rgba(0,0,0,.35); padding: 12px; }
.head { display: flex; align-items: baseline; justify-content: space-between; margin-bottom: 8px; }
.title { font-weight: 700; font-size: 14px; color: #fbbf24; }
.mode { font-size: 11px; color: #c4b5fd; }
.row { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin: 6px 0; }
.label { color: #c4b5fd; font-size: 12px; }
.state { font-weight: 600; }
.state[data-state="connected"] { color: #4ade80; }
.state[data-state="unreachable"] { color: #f87171; }
.state[data-state="not connected"] { color: #a1a1aa; }
.pending { background: #312e81; border-radius: 8px; padding: 8px; margin: 8px 0; }
.pending p { margin: 0 0 6px; }
select { font: inherit; color: #1e1b2e; background: #f5f3ff; border: 0; border-radius: 6px; padding: 3px 6px; max-width: 170px; }
button { font: inherit; font-weight: 600; border: 0; border-radius: 6px; padding: 5px 10px; cursor: pointer; background: #4c1d95; color: #f5f3ff; }
button:disabled { opacity: .45; cursor: default; }
button:focus-visible, select:focus-visible { outline: 2px solid #fbbf24; outline-offset: 2px; }
button.approve { background: #16a34a; }
button.reject { background: #b91c1c; }
.actions { display: flex; gap: 6px; margin-top: 8px; }
.actions button { flex: 1 1 auto; font-size: 12px; white-space: nowrap; padding: 5px 8px; }
.note { margin: 8px 0 0; font-size: 11px; color: #a1a1aa; }
/* a phone or a zoomed-in window: below the page instead of over it */
@media (max-width: 600px), (max-height: 500px) {
  :host { display: block; }
  .panel { position: static; width: auto; margin: 0 12px 12px; box-shadow: none; }
}
`

/** What the panel needs from its page and its wallet. */
export interface WalletPanelOptions {
  /** The page's document. */
  readonly document: Document
  /** The wallet engine the panel drives. */
  readonly wallet: MockWallet
  /** Shown under the title: how the dApp reaches this wallet. */
  readonly mode: string
  /** Where the session TTL setting is kept. */
  readonly storage: Storage
  /** Called after every change the user makes in the panel. */
  readonly onChange?: () => void
  /** Where the user approves a connect: shown as a setting when given. */
  readonly approval?: { read(): DemoApproval; pick(approval: DemoApproval): void }
}

/** The mounted panel. */
export interface WalletPanel {
  /** Re-reads the wallet's state into the panel. */
  refresh(): void
  /** Removes the panel from the page. */
  destroy(): void
}

/**
 * Injects the demo wallet's floating panel into the page (in its own shadow root, as an
 * extension's UI would be): approve or reject a pending connect, switch party and network, drop
 * and restore the connection, disconnect the dApp, and pick the session TTL and where a connect is
 * approved. The wallet's approval link (`#demo-wallet-approve` on the page) takes a keyboard user
 * to Approve.
 *
 * @param options - the page, the wallet engine and where settings are kept
 * @returns the panel
 */
export function mountWalletPanel(options: WalletPanelOptions): WalletPanel {
  const { document: doc, wallet, storage } = options
  type Props = Partial<Record<'className' | 'textContent' | 'value' | 'id' | 'title', string>>
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, testId?: string): HTMLElementTagNameMap[K] => {
    const node = doc.createElement(tag)
    Object.assign(node, props)
    if (testId) node.setAttribute('data-testid', testId)
    return node
  }
  const act = (change: () => void) => () => {
    change()
    options.onChange?.()
    refresh()
  }
  const select = (values: readonly { value: string; label: string }[], testId: string, onPick: (value: string) => void) => {
    const node = el('select', {}, testId)
    for (const { value, label } of values) node.append(el('option', { value, textContent: label }))
    node.addEventListener('change', act(() => onPick(node.value)))
    return node
  }
  /** A labelled row; a form control is named by its label (`for`), as screen readers read it. */
  const row = (label: string, control: HTMLElement) => {
    const node = el('div', { className: 'row' })
    if (control.tagName === 'SELECT') {
      control.id = `demo-wallet-${control.getAttribute('data-testid') ?? label}`
      const name = el('label', { className: 'label', textContent: label })
      name.htmlFor = control.id
      node.append(name, control)
    } else {
      node.append(el('span', { className: 'label', textContent: label }), control)
    }
    return node
  }

  const host = el('div', { id: 'demo-wallet' }, 'demo-wallet')
  const root = host.attachShadow({ mode: 'open' })
  const panel = el('section', { className: 'panel' })
  panel.setAttribute('aria-label', 'Demo wallet')
  panel.tabIndex = -1 // where focus goes when the button it was on goes away
  const head = el('div', { className: 'head' })
  head.append(el('span', { className: 'title', textContent: 'Demo wallet' }), el('span', { className: 'mode', textContent: options.mode }))

  const state = el('span', { className: 'state' }, 'wallet-connection')
  const pending = el('div', { className: 'pending' }, 'wallet-pending')
  const approve = el('button', { className: 'approve', textContent: 'Approve' }, 'wallet-approve')
  const reject = el('button', { className: 'reject', textContent: 'Reject' }, 'wallet-reject')
  approve.addEventListener('click', act(() => wallet.approve()))
  reject.addEventListener('click', act(() => wallet.reject()))
  const pendingText = el('p', { textContent: `${doc.location.host} wants to connect` })
  const pendingActions = el('div', { className: 'actions' })
  pendingActions.append(approve, reject)
  pending.append(pendingText, pendingActions)

  const party = select(DEMO_PARTIES.map((id) => ({ value: id, label: `${id.slice(0, id.indexOf('::') + 8)}…` })), 'wallet-party', (id) => wallet.switchParty(id))
  const network = select(DEMO_NETWORKS.map((id) => ({ value: id, label: id })), 'wallet-network', (id) => wallet.switchNetwork(id))
  const ttl = select(DEMO_TTL_OPTIONS.map((o) => ({ value: String(o.ms), label: o.label })), 'wallet-ttl', (ms) => storage.setItem(TTL_KEY, ms))
  const drop = el('button', {}, 'wallet-drop')
  drop.addEventListener('click', act(() => (wallet.state().dropped ? wallet.recover() : wallet.drop())))
  const disconnect = el('button', { textContent: 'Disconnect', title: 'Disconnect the dApp from the wallet' }, 'wallet-disconnect')
  disconnect.addEventListener('click', act(() => wallet.disconnectFromWallet()))
  const actions = el('div', { className: 'actions' })
  actions.append(drop, disconnect)
  const approvalOf = options.approval
  const approval = approvalOf
    ? select(
        [
          { value: 'panel', label: 'in this panel' },
          { value: 'link', label: 'at a link (async)' },
        ],
        'wallet-approval',
        (value) => approvalOf.pick(value === 'link' ? 'link' : 'panel'),
      )
    : null
  const note = el('p', { className: 'note', textContent: 'Session TTL: a demo-only setting the dApp reads when the page loads.' })

  panel.append(head, row('Connection', state), pending, row('Party', party), row('Network', network), actions)
  if (approval) panel.append(row('Approval', approval))
  panel.append(row('Session TTL', ttl), note)
  root.append(el('style', { textContent: CSS }), panel)
  doc.body.append(host)

  // The approval link the wallet hands the dApp: its pending request in view, Approve in focus.
  // The link is followed once the fragment is taken off the address again: followed a second
  // time (the user went back to it), the address changes again and the request comes back into
  // view, where an address left on the fragment would not change, and nothing would happen.
  const view = doc.defaultView
  const onHash = () => {
    if (doc.location.hash !== APPROVAL_FRAGMENT) return
    view?.history.replaceState(view.history.state, '', doc.location.pathname + doc.location.search)
    if (pending.hidden) return
    pending.scrollIntoView({ block: 'nearest' })
    approve.focus({ preventScroll: true })
  }
  view?.addEventListener('hashchange', onHash)

  function refresh() {
    const s = wallet.state()
    const text = s.dropped ? 'unreachable' : s.connected ? 'connected' : 'not connected'
    state.textContent = text
    state.dataset.state = text
    const focused = root.activeElement
    pending.hidden = s.pendingConnects === 0
    party.value = (s.accounts.find((a) => a.primary) ?? s.accounts[0])?.partyId ?? ''
    network.value = s.networkId
    drop.textContent = s.dropped ? 'Restore connection' : 'Drop connection'
    drop.title = s.dropped ? 'The wallet is reachable again' : 'Make the wallet unreachable (a transient drop)'
    drop.setAttribute('data-testid', s.dropped ? 'wallet-restore' : 'wallet-drop')
    disconnect.disabled = !s.connected
    ttl.value = String(readDemoTtl(storage))
    if (approval && approvalOf) approval.value = approvalOf.read()
    // Approve / Reject leave with the request, Disconnect is disabled once pressed: a keyboard
    // user's focus stays in the panel instead of falling back to the page's start
    const lost = focused === approve || focused === reject ? pending.hidden : focused === disconnect && disconnect.disabled
    if (lost) panel.focus()
  }
  refresh()
  onHash() // a page opened at the link has no request of its own to show: the link works from now on
  return {
    refresh,
    destroy: () => {
      view?.removeEventListener('hashchange', onHash)
      host.remove()
    },
  }
}
