/**
 * A demo CIP-0103 wallet for the example dApps: an extension-like wallet speaking the official
 * Canton postMessage protocol, with a small floating UI, built on session-testing's mock wallet.
 */
export { installDemoWallet } from './installDemoWallet'
export type { DemoWallet, DemoWalletOptions } from './installDemoWallet'
export { DEMO_NETWORKS, DEMO_PARTIES, DEMO_TTL_OPTIONS, DEMO_WALLET_PREFIX, demoAccounts, readDemoTtl } from './demoProfile'
export { readWalletMode } from './readWalletMode'
