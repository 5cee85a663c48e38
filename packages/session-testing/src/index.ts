/**
 * Test doubles for SessionLayer: an in-memory CIP-0103 wallet, an in-memory tab channel hub and
 * in-memory Web Locks.
 *
 * @packageDocumentation
 */
export { createChannelHub } from './createChannelHub'
export type { ChannelHub, ChannelHubOptions, HubChannel } from './createChannelHub'
export { createMockLockManager } from './createMockLockManager'
export type { MockLockInfo, MockLockManager } from './createMockLockManager'
export { createMockProvider } from './createMockProvider'
export { createMockWallet } from './createMockWallet'
export type {
  MockCall,
  MockConnectMode,
  MockFailure,
  MockListener,
  MockProvider,
  MockProviderOptions,
  MockRotateTokenOptions,
  MockWallet,
  MockWalletCall,
  MockWalletOptions,
  MockWalletState,
} from './types'
