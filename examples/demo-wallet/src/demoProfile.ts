import type { CIP0103Account } from '@sessionlayer/session-core'
import type { MockWalletState } from '@sessionlayer/session-testing'

/** Prefix of every `localStorage` key the demo wallet owns (its own state, not the dApp's). */
export const DEMO_WALLET_PREFIX = 'demo-wallet:'

/** Key of the wallet's per-profile state (connection, party, network). */
export const PROFILE_KEY = `${DEMO_WALLET_PREFIX}state`

/** Key of the session TTL the example dApps read when they create their store. */
export const TTL_KEY = `${DEMO_WALLET_PREFIX}ttl`

/** Key of where the user approves a connect: in the panel, or at the wallet's link (asynchronous). */
export const APPROVAL_KEY = `${DEMO_WALLET_PREFIX}approval`

/** Where the user approves a connect: `panel` (the connect waits for Approve), `link` (asynchronous). */
export type DemoApproval = 'panel' | 'link'

/** The fragment of the wallet's approval link: the panel's pending request, on the dApp's own page. */
export const APPROVAL_FRAGMENT = '#demo-wallet-approve'

/** The parties the demo wallet holds. */
export const DEMO_PARTIES = ['alice::1220f3a9c2e4b7d1', 'bob::1220b04d7e91a6c3', 'carol::12208c5e2f0d94ab'] as const

/** The networks the demo wallet can switch between (CAIP-2). */
export const DEMO_NETWORKS = ['canton:devnet', 'canton:testnet'] as const

/** The session lengths offered by the wallet UI. */
export const DEMO_TTL_OPTIONS: readonly { readonly label: string; readonly ms: number }[] = [
  { label: '10 s', ms: 10_000 },
  { label: '30 s', ms: 30_000 },
  { label: '2 min', ms: 120_000 },
  { label: '8 h', ms: 8 * 3_600_000 },
]

const DEFAULT_TTL_MS = 8 * 3_600_000

/** What the wallet remembers for the browser profile. */
export interface DemoProfile {
  readonly connected: boolean
  readonly dropped: boolean
  readonly networkId: string
  readonly partyId: string
  readonly accessToken: string
}

/**
 * The demo wallet's accounts on a network, with `partyId` as the primary one.
 * @param partyId - the primary party
 * @param networkId - the network of every account
 * @returns the accounts
 */
export function demoAccounts(partyId: string, networkId: string): CIP0103Account[] {
  return DEMO_PARTIES.map((id) => {
    const [hint = '', namespace = ''] = id.split('::')
    return {
      partyId: id,
      primary: id === partyId,
      status: 'allocated',
      hint,
      namespace,
      networkId,
      publicKey: `demo-public-key-${hint}`,
      signingProviderId: 'participant',
    }
  })
}

const isProfile = (v: unknown): v is DemoProfile => {
  if (typeof v !== 'object' || v === null) return false
  const p = v as Record<string, unknown>
  return (
    typeof p.connected === 'boolean' &&
    typeof p.dropped === 'boolean' &&
    typeof p.networkId === 'string' &&
    typeof p.accessToken === 'string' &&
    DEMO_PARTIES.some((id) => id === p.partyId)
  )
}

/**
 * Parses a stored profile.
 * @param text - the stored JSON, or null
 * @returns the profile, or null when absent or invalid
 */
export function parseProfile(text: string | null): DemoProfile | null {
  try {
    const value: unknown = text === null ? null : JSON.parse(text)
    return isProfile(value) ? value : null
  } catch {
    return null
  }
}

/**
 * Reads the profile, or makes a fresh one (not connected, first party, first network).
 * @param storage - the profile's `localStorage`
 * @returns the profile
 */
export function loadProfile(storage: Storage): DemoProfile {
  return (
    parseProfile(storage.getItem(PROFILE_KEY)) ?? {
      connected: false,
      dropped: false,
      networkId: DEMO_NETWORKS[0],
      partyId: DEMO_PARTIES[0],
      accessToken: `demo-token-${Math.random().toString(36).slice(2, 10)}`,
    }
  )
}

/**
 * The profile of a wallet's current state.
 * @param state - `wallet.state()`
 * @param accessToken - the profile's token
 * @returns the profile
 */
export function profileOf(state: MockWalletState, accessToken: string): DemoProfile {
  const primary = state.accounts.find((a) => a.primary) ?? state.accounts[0]
  return {
    connected: state.connected,
    dropped: state.dropped,
    networkId: state.networkId,
    partyId: primary?.partyId ?? DEMO_PARTIES[0],
    accessToken,
  }
}

/**
 * The session TTL chosen in the wallet UI (a demo-only convenience: a real wallet does not set
 * the dApp's session length). The example dApps read it once, when they create their store.
 *
 * @param storage - where it is kept (default `globalThis.localStorage`)
 * @returns the TTL in milliseconds (default 8 hours)
 * @example
 * ```ts
 * createSessionStore(provider, { expiry: { ttlMs: readDemoTtl() } })
 * ```
 */
export function readDemoTtl(storage: Storage = globalThis.localStorage): number {
  const ms = Number(storage.getItem(TTL_KEY))
  return DEMO_TTL_OPTIONS.some((o) => o.ms === ms) ? ms : DEFAULT_TTL_MS
}

/**
 * Where the user approves a connect, as chosen in the wallet panel (default: in the panel).
 * @param storage - where it is kept
 * @returns `panel` or `link`
 */
export function readDemoApproval(storage: Storage): DemoApproval {
  return storage.getItem(APPROVAL_KEY) === 'link' ? 'link' : 'panel'
}
