import {
  createMemoryStorage,
  createSessionStore,
  DISCONNECTED_STATE,
  type SessionState,
  type SessionStore,
  type SessionStoreOptions,
} from '@sessionlayer/session-core'
import { createMockProvider, type MockProviderOptions } from '@sessionlayer/session-testing'
import type { ReactNode } from 'react'
import { vi } from 'vitest'
import { SessionProvider } from '../src/SessionProvider'
import { useAccount } from '../src/useAccount'

/** A mock wallet and an app-owned store over it, with memory storage. */
export function setup(wallet?: MockProviderOptions, options?: SessionStoreOptions) {
  const provider = createMockProvider(wallet)
  const store = createSessionStore(provider, { storage: createMemoryStorage(), ...options })
  return { provider, wallet: provider.wallet, store }
}

/** Lets the wallet's events on their way reach the store: each arrives on a task of its own, as from a real wallet. */
export async function walletEvents(): Promise<void> {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await new Promise((resolve) => setTimeout(resolve, 0))
}

/** A `renderHook` wrapper providing `store`. */
export const withStore =
  (store: SessionStore) =>
  ({ children }: { children: ReactNode }) => <SessionProvider store={store}>{children}</SessionProvider>

/** How many wallet listeners one store adds (the reference for leak assertions). */
export function listenersOfOneStore(): number {
  const { provider, store } = setup()
  const count = provider.listenerCount()
  store.destroy()
  return count
}

/** A connected session, as a server would read it from cookie storage. */
export const CONNECTED_STATE: SessionState = Object.freeze({
  ...DISCONNECTED_STATE,
  status: 'connected',
  account: { partyId: 'alice::1220aa', primary: true },
  accounts: Object.freeze([{ partyId: 'alice::1220aa', primary: true }]),
  networkId: 'canton:devnet',
  connectedAt: 1_700_000_000_000,
})

/** Renders the session status and party. */
export function PartyBadge() {
  const { status, partyId } = useAccount()
  return <p>{`${status}: ${partyId ?? 'nobody'}`}</p>
}
