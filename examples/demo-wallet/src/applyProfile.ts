import type { MockWallet } from '@sessionlayer/session-testing'
import { profileOf, type DemoProfile } from './demoProfile'

/**
 * Brings this tab's wallet engine in step with a profile another tab wrote, through the engine's
 * own controls, so that the page receives the same events a real extension sends to every tab:
 * `statusChanged` for a connection change, `statusChanged` then `accountsChanged` (the moved
 * accounts) for a network change, `accountsChanged` for a party switch; the account events only
 * while the dApp is connected (a connection tells none: the page reads them).
 *
 * @param wallet - this tab's engine
 * @param next - the profile to apply
 */
export function applyProfile(wallet: MockWallet, next: DemoProfile): void {
  const now = profileOf(wallet.state(), next.accessToken)
  // Leave first and join last, so that no transient "connected" reaches the page in between.
  if (now.connected && !next.connected) wallet.disconnectFromWallet()
  if (now.dropped && !next.dropped) wallet.recover()
  if (now.networkId !== next.networkId) wallet.switchNetwork(next.networkId)
  if (now.partyId !== next.partyId) wallet.switchParty(next.partyId)
  if (!now.connected && next.connected) wallet.connectFromWallet()
  if (!now.dropped && next.dropped) wallet.drop()
}
