import { DappSyncProvider } from '@canton-network/core-provider-dapp'
import { WindowTransport } from '@canton-network/core-rpc-transport'
import { DEMO_NETWORKS, DEMO_PARTIES, demoAccounts, installDemoWallet, readDemoTtl, readWalletMode } from '@sessionlayer/example-demo-wallet'
import { createSessionStore, type CIP0103Provider, type SessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { createReauthGate, type ReauthGate } from './reauthGate'

/** The app's session: the store, the re-auth prompt, and which wallet it talks to. */
export interface AppSession {
  readonly store: SessionStore
  readonly reauth: ReauthGate
  readonly mode: 'extension' | 'mock'
}

/**
 * The wallet: by default the demo wallet, reached through the official Canton provider over
 * postMessage, exactly as a real browser extension would be; with `?wallet=mock`,
 * session-testing's in-memory mock wallet (the demo wallet's panel then drives it).
 */
function createProvider(mode: 'extension' | 'mock'): CIP0103Provider {
  if (mode === 'mock') {
    const provider = createMockProvider({ accounts: demoAccounts(DEMO_PARTIES[0], DEMO_NETWORKS[0]) })
    installDemoWallet({ wallet: provider.wallet })
    return provider
  }
  installDemoWallet()
  // eslint-disable-next-line no-restricted-globals -- the app runs in the browser
  return new DappSyncProvider(new WindowTransport(window))
}

/**
 * Creates the app's session store: reconnect after drops, keep tabs in step, persist encrypted
 * in IndexedDB (the default storage), and expire after the TTL chosen in the demo wallet, with a
 * re-auth prompt instead of a hard sign-out.
 *
 * @returns the app's session
 */
export function createAppSession(): AppSession {
  const mode = readWalletMode(location.search)
  const reauth = createReauthGate()
  const store = createSessionStore(createProvider(mode), {
    reconnect: true,
    broadcast: true,
    expiry: { ttlMs: readDemoTtl(), onReauthRequired: ({ signal }) => reauth.request(signal) },
  })
  return { store, reauth, mode }
}
