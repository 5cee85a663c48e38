import { DappSyncProvider } from '@canton-network/core-provider-dapp'
import { WindowTransport } from '@canton-network/core-rpc-transport'
import { DEMO_NETWORKS, DEMO_PARTIES, demoAccounts, installDemoWallet, readWalletMode } from '@sessionlayer/example-demo-wallet'
import { createSessionStore, type CIP0103Provider, type SessionState } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'

// The wallet: the demo wallet extension through the official provider, or with ?wallet=mock
// session-testing's in-memory mock wallet.
function createProvider(): CIP0103Provider {
  if (readWalletMode(location.search) === 'mock') {
    const provider = createMockProvider({ accounts: demoAccounts(DEMO_PARTIES[0], DEMO_NETWORKS[0]) })
    installDemoWallet({ wallet: provider.wallet })
    return provider
  }
  installDemoWallet()
  // eslint-disable-next-line no-restricted-globals -- the app runs in the browser
  return new DappSyncProvider(new WindowTransport(window))
}

const store = createSessionStore(createProvider(), { reconnect: true, broadcast: true })

const $ = (testId: string) => {
  const el = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)
  if (!el) throw new Error(`missing element ${testId}`)
  return el
}

/** Where an asynchronous wallet asked the user to approve the connect (C3): shown while it waits. */
let userUrl: string | undefined

/** Where to approve: in the demo wallet's panel, or at the wallet's link. */
function renderHint() {
  const hint = $('connect-hint')
  if (!userUrl) {
    hint.textContent = 'Approve the connection in the demo wallet.'
    return
  }
  const link = document.createElement('a')
  link.href = userUrl
  link.textContent = userUrl
  hint.replaceChildren('Approve the connection in your wallet: ', link)
}

function render(state: SessionState) {
  $('status').textContent = state.status
  $('party').textContent = state.account?.partyId ?? '—'
  $('network').textContent = state.networkId ?? '—'
  const disconnected = state.status === 'disconnected'
  const [shown, gone] = disconnected ? [$('connect'), $('disconnect')] : [$('disconnect'), $('connect')]
  // Connect and Disconnect take turns in one place: a keyboard user's focus moves to the one shown
  const refocus = document.activeElement === gone
  shown.hidden = false
  gone.hidden = true
  if (refocus) shown.focus()
  $('disconnect').textContent = state.status === 'connecting' ? 'Cancel' : 'Disconnect' // withdraws a pending request
  if (state.status !== 'connecting' && userUrl) {
    userUrl = undefined
    renderHint()
  }
  $('connect-hint').hidden = state.status !== 'connecting'
  $('error').hidden = !state.lastError
  $('error').textContent = state.lastError ? `${state.lastError.message} (${String(state.lastError.code)})` : ''
}

// Connect and Disconnect take turns in one place: the second click of a double click (`detail` 2)
// would land on the other one and undo the first. Only a single click counts.
const singleClick = (action: () => unknown) => (event: MouseEvent) => {
  if (event.detail <= 1) void action()
}
$('connect').addEventListener('click', singleClick(() => store.connect()))
$('disconnect').addEventListener('click', singleClick(() => store.disconnect()))
store.on('connect:pending', (e) => {
  userUrl = e.userUrl
  renderHint()
})
store.subscribe(render)
render(store.getSnapshot())
void store.init() // silently restores a live wallet session; never prompts
