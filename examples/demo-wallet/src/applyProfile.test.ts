import { createMockProvider, createMockWallet } from '@sessionlayer/session-testing'
import { describe, expect, it } from 'vitest'
import { applyProfile } from './applyProfile'
import { demoAccounts, DEMO_PARTIES, parseProfile, profileOf, type DemoProfile } from './demoProfile'

const [ALICE, BOB] = DEMO_PARTIES

/** One tab's wallet engine, with the events its page receives (at once, as installDemoWallet's engine hands them to its bridge). */
function tab(profile: Partial<DemoProfile> = {}) {
  const wallet = createMockWallet({ accounts: demoAccounts(ALICE, 'canton:devnet'), connected: profile.connected ?? false, delivery: 'sync' })
  const page = createMockProvider({ wallet })
  const events: string[] = []
  for (const event of ['statusChanged', 'accountsChanged']) {
    page.on(event, (payload: { connection?: { isConnected: boolean } }) => {
      events.push(event === 'statusChanged' ? `statusChanged:${String(payload.connection?.isConnected)}` : event)
    })
  }
  return { wallet, events }
}

const profile = (patch: Partial<DemoProfile>): DemoProfile => ({
  connected: false,
  dropped: false,
  networkId: 'canton:devnet',
  partyId: ALICE,
  accessToken: 't',
  ...patch,
})

describe('applyProfile: every tab of the profile follows the wallet', () => {
  it("a connect in another tab reaches this tab's page as wallet events", () => {
    const { wallet, events } = tab()
    applyProfile(wallet, profile({ connected: true }))
    expect(wallet.state().connected).toBe(true)
    // as the official wallet gateway tells a connection: no accountsChanged, the page reads them
    expect(events).toEqual(['statusChanged:true'])
  })

  it('a party switch, a network switch, a drop and a disconnect each arrive as the events of a real wallet', () => {
    const { wallet, events } = tab({ connected: true })
    applyProfile(wallet, profile({ connected: true, partyId: BOB }))
    expect(events).toEqual(['accountsChanged'])
    applyProfile(wallet, profile({ connected: true, partyId: BOB, networkId: 'canton:testnet' }))
    applyProfile(wallet, profile({ connected: true, partyId: BOB, networkId: 'canton:testnet', dropped: true }))
    expect(wallet.state().dropped).toBe(true)
    applyProfile(wallet, profile({ connected: false, partyId: BOB, networkId: 'canton:testnet' }))
    // the network switch tells the network, then the accounts that moved with it; then a drop, a
    // disconnect the unreachable wallet keeps to itself, and recover, which tells it: never a
    // transient connected status
    expect(events).toEqual(['accountsChanged', 'statusChanged:true', 'accountsChanged', 'statusChanged:false', 'statusChanged:false'])
    expect(profileOf(wallet.state(), 't')).toEqual(profile({ partyId: BOB, networkId: 'canton:testnet' }))
  })

  it('applying the state the tab already has emits nothing', () => {
    const { wallet, events } = tab({ connected: true })
    applyProfile(wallet, profile({ connected: true }))
    expect(events).toEqual([])
  })
})

describe('parseProfile', () => {
  it('reads a stored profile and rejects corrupt or foreign values', () => {
    expect(parseProfile(JSON.stringify(profile({ partyId: BOB })))).toEqual(profile({ partyId: BOB }))
    expect(parseProfile(null)).toBeNull()
    expect(parseProfile('{not json')).toBeNull()
    expect(parseProfile(JSON.stringify(profile({ partyId: 'mallory::1220ff' })))).toBeNull()
    expect(parseProfile(JSON.stringify({ connected: 'yes' }))).toBeNull()
  })
})
