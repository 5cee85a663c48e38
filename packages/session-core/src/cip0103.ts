/**
 * A CIP-0103 account (party) as a wallet reports it (the official `Wallet`). Only `partyId` is
 * guaranteed: payloads are validated, and wallets in the wild omit fields and use status values
 * beyond the standard's. The official `Wallet`'s `externalTxId`, `topologyTransactions` and (a
 * remote wallet's) `rights` are not kept.
 * @public
 */
export interface CIP0103Account {
  /** The party id (`hint::fingerprint`). */
  readonly partyId: string
  /** Whether the wallet flags this account as the primary one. */
  readonly primary?: boolean
  /** `initialized`, `allocated` or `removed` (the official values), `initializing` (older wallets), or a wallet's own value. */
  readonly status?: string
  /** The party hint. */
  readonly hint?: string
  /** The public key. */
  readonly publicKey?: string
  /** The namespace. */
  readonly namespace?: string
  /** The CAIP-2 network id of the account. */
  readonly networkId?: string
  /** The signing provider id. */
  readonly signingProviderId?: string
  /** Whether the account is disabled. */
  readonly disabled?: boolean
  /** Why the account is disabled. */
  readonly reason?: string
}

/**
 * The result of `connect` and `isConnected`, and the `connection` of a status.
 * @public
 */
export interface CIP0103ConnectResult {
  /** Whether the dApp is connected to the wallet (its user is authenticated): the one field the store reads to tell. */
  readonly isConnected: boolean
  /** The reason for the wallet's state: `OK` when connected, else why not (`Unauthenticated`, `disconnect`, …). */
  readonly reason?: string
  /** Whether the wallet is connected to its network (the official types require it; a dApp connected to a wallet whose network is down is still connected). */
  readonly isNetworkConnected?: boolean
  /** Why not, when not. */
  readonly networkReason?: string
  /** Where the user approves the connection (asynchronous wallets). */
  readonly userUrl?: string
}

/**
 * The active network of a wallet.
 * @public
 */
export interface CIP0103Network {
  /** The CAIP-2 network id, e.g. `canton:devnet`. */
  readonly networkId: string
  /** The JSON Ledger API base URL. */
  readonly ledgerApi?: string
  /** A Ledger API access token. Held in memory only, never persisted or broadcast. */
  readonly accessToken?: string
}

/**
 * The wallet session of a status.
 * @public
 */
export interface CIP0103Session {
  /** A Ledger API access token. Held in memory only, never persisted or broadcast. */
  readonly accessToken: string
  /** The wallet user id. */
  readonly userId: string
}

/**
 * Who the wallet is.
 * @public
 */
export interface CIP0103ProviderInfo {
  /** The provider id, e.g. `browser:canton`. */
  readonly id: string
  /** Its version. */
  readonly version?: string
  /** `browser`, `desktop`, `mobile` or `remote`. */
  readonly providerType?: string
  /** Its RPC URL (remote wallets). */
  readonly url?: string
  /** Its user-facing URL. */
  readonly userUrl?: string
}

/**
 * The result of `status`, and the payload of the `statusChanged` and `connected` events.
 * @public
 */
export interface CIP0103StatusEvent {
  /** The wallet. */
  readonly provider?: CIP0103ProviderInfo
  /** Whether the dApp is connected. */
  readonly connection: CIP0103ConnectResult
  /** The active network. */
  readonly network?: CIP0103Network
  /** The wallet session. */
  readonly session?: CIP0103Session
}

/**
 * Arguments of a CIP-0103 request.
 * @public
 */
export interface CIP0103RequestArgs {
  /** `connect`, `status`, `listAccounts`, … */
  readonly method: string
  /** Method parameters. */
  readonly params?: unknown
}

/**
 * A CIP-0103 dApp Standard provider, as injected by a wallet or built with
 * `@canton-network/core-provider-dapp`. Methods are declared as methods (not properties) so
 * that providers with narrower, generic signatures are accepted. A listener takes `any`
 * arguments, as an `EventEmitter`'s does: a provider declaring its listeners with `unknown`,
 * `any` or one payload per event is accepted, and a listener handed to it may declare its payload.
 * @public
 */
export interface CIP0103Provider {
  /** Sends a request to the wallet. */
  request(args: CIP0103RequestArgs): Promise<unknown>
  /** Adds an event listener (`statusChanged`, `accountsChanged`, `connected`, `txChanged`, `messageSignature`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only `any` is both assignable to and from every listener type
  on(event: string, listener: (...args: any[]) => void): unknown
  /** Removes an event listener. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as `on`
  removeListener(event: string, listener: (...args: any[]) => void): unknown
  /** Emits an event (wallet side). */
  emit?(event: string, ...args: unknown[]): unknown
}
