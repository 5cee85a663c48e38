import { createMockProvider, createMockWallet, type MockWallet } from '@sessionlayer/session-testing'
import { applyProfile } from './applyProfile'
import { bridgeWindow } from './bridgeWindow'
import { APPROVAL_FRAGMENT, APPROVAL_KEY, demoAccounts, loadProfile, parseProfile, PROFILE_KEY, profileOf, readDemoApproval, TTL_KEY } from './demoProfile'
import { mountWalletPanel } from './walletPanel'

/** Options of {@link installDemoWallet}. */
export interface DemoWalletOptions {
  /**
   * An in-memory wallet (`createMockProvider().wallet` of `@sessionlayer/session-testing`) that
   * the dApp talks to directly. The panel then drives it, with no postMessage bridge and no
   * per-profile persistence. Default: the extension-like wallet.
   */
  readonly wallet?: MockWallet
  /** The page's window. Default `globalThis.window`. */
  readonly window?: Window
}

/** The installed demo wallet. */
export interface DemoWallet {
  /** The wallet engine (the session-testing mock wallet) behind the panel. */
  readonly wallet: MockWallet
  /** Removes the panel, the postMessage bridge and every listener. */
  uninstall(): void
}

const WALLET_EVENTS = ['statusChanged', 'accountsChanged', 'connected'] as const

/**
 * Installs the demo wallet in the page. Without options it behaves like a browser extension:
 * it answers the official postMessage protocol (`DappSyncProvider` + `WindowTransport` reach it),
 * keeps its state per browser profile in `localStorage` (`demo-wallet:state`), and keeps every
 * tab in step: connecting in one tab, switching party or network, dropping the connection or
 * disconnecting reaches every tab's page as wallet events. Connect requests wait for Approve /
 * Reject in its floating panel; with the panel's Approval set to "at a link (async)", it
 * answers a connect at once with `isConnected: false` and a `userUrl` (its panel, on this page,
 * at `#demo-wallet-approve`), and tells the user's answer there as the official wallet gateway
 * does: `statusChanged`, then `connected`.
 *
 * @param options - `wallet` to drive an in-memory mock wallet instead
 * @returns the wallet engine and `uninstall()`
 * @example
 * ```ts
 * installDemoWallet()
 * const store = createSessionStore(new DappSyncProvider(new WindowTransport(window)))
 * ```
 */
export function installDemoWallet(options: DemoWalletOptions = {}): DemoWallet {
  const win = options.window ?? globalThis.window
  const storage = win.localStorage
  const extension = !options.wallet
  const profile = loadProfile(storage)
  const connectMode = () => (readDemoApproval(storage) === 'link' ? 'async' : 'manual')
  const wallet =
    options.wallet ??
    createMockWallet({
      // the engine hands its events to this page's panel and bridge at once: the bridge's
      // postMessage brings them to the dApp on a task of their own, as a real extension's do, and
      // the state the events tell is written for the other tabs before another tab's is applied
      delivery: 'sync',
      connectMode: connectMode(),
      // the panel on the dApp's own page: served with it, reachable with no network
      userUrl: new URL(APPROVAL_FRAGMENT, win.location.href).href,
      accounts: demoAccounts(profile.partyId, profile.networkId),
      networkId: profile.networkId,
      connected: profile.connected,
      accessToken: profile.accessToken,
    })
  if (extension && profile.dropped) wallet.drop()

  let applying = false
  const stateText = () => JSON.stringify(profileOf(wallet.state(), profile.accessToken))
  /** The state this tab last wrote or took from another tab. */
  let known: string | null = null
  /**
   * Writes this tab's wallet state for the other tabs once it changed here: never while applying
   * theirs, nor when this tab merely has not yet seen another tab's newer write (its page asking
   * the wallet something meanwhile would otherwise write the older state back over it).
   */
  const persist = () => {
    if (!extension || applying) return
    const text = stateText()
    if (text === known) return
    known = text
    if (storage.getItem(PROFILE_KEY) !== text) storage.setItem(PROFILE_KEY, text)
  }
  const panel = mountWalletPanel({
    document: win.document,
    wallet,
    storage,
    mode: extension ? 'extension · postMessage' : 'in-memory mock',
    onChange: persist,
    // the in-memory mock keeps the connect mode its page gave it
    ...(extension && {
      approval: {
        read: () => readDemoApproval(storage),
        pick(approval) {
          storage.setItem(APPROVAL_KEY, approval)
          wallet.setConnectMode(connectMode())
        },
      },
    }),
  })

  // The panel's own view of the wallet: every event refreshes it.
  const observer = createMockProvider({ wallet })
  const onWalletEvent = () => {
    persist()
    panel.refresh()
  }
  for (const event of WALLET_EVENTS) observer.on(event, onWalletEvent)

  const backend = extension ? createMockProvider({ wallet }) : null
  const unbridge = backend
    ? bridgeWindow(win, backend, () => {
        // A connect waiting for the user shows up once the engine has taken it.
        win.setTimeout(onWalletEvent, 0)
      })
    : null

  const onStorage = (event: StorageEvent) => {
    if (event.storageArea !== storage) return
    if (event.key === TTL_KEY) panel.refresh()
    if (event.key === APPROVAL_KEY && extension) {
      wallet.setConnectMode(connectMode())
      panel.refresh()
    }
    // The value now, not the event's: events of writes another tab made before this tab's own
    // last write may come after it, and applying them would leave this tab behind for good.
    const next = event.key === PROFILE_KEY ? parseProfile(storage.getItem(PROFILE_KEY)) : null
    if (!next || !extension) return
    applying = true
    try {
      applyProfile(wallet, next)
    } finally {
      applying = false
      known = stateText()
    }
    panel.refresh()
  }
  win.addEventListener('storage', onStorage)
  persist()

  return {
    wallet,
    uninstall() {
      win.removeEventListener('storage', onStorage)
      unbridge?.()
      backend?.detach()
      observer.detach()
      panel.destroy()
    },
  }
}
