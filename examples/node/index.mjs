// SessionLayer without a framework and without a browser: session-core against session-testing's
// in-memory CIP-0103 wallet. Prints every state transition as `status party network`.
/* global console, setTimeout */
import { createSessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'

const provider = createMockProvider() // alice::1220aa (primary) and bob::1220bb on canton:devnet
const { wallet } = provider
// In Node the default storage is memory (no IndexedDB); short backoff so the demo runs quickly.
const store = createSessionStore(provider, { reconnect: { baseDelayMs: 100 } })

let last = ''
store.subscribe((state) => {
  const line = `${state.status} ${state.account?.partyId ?? '-'} ${state.networkId ?? '-'}`
  if (line !== last) console.log((last = line)) // other fields (lastError, expiresAt…) are not shown
})
store.on('reconnect:scheduled', ({ attempt, delayMs }) => console.log(`  retry #${attempt} in ${delayMs} ms`))
store.on('reconnect:attempt', ({ attempt }) => console.log(`  attempt #${attempt}`))

/**
 * Resolves on the next event of a type.
 * @param {import('@sessionlayer/session-core').SessionEventType} type
 */
const next = (type) =>
  new Promise((resolve) => {
    const off = store.on(type, (event) => {
      off()
      resolve(event)
    })
  })

/** Lets the wallet's events reach the store: each comes on a task of its own, as a real wallet's. */
const walletEvents = () => new Promise((resolve) => setTimeout(resolve, 0))

console.log('# connect')
await store.connect()

console.log('# the user switches party in the wallet')
wallet.switchParty('bob::1220bb')
await walletEvents()

console.log('# the user switches network in the wallet')
wallet.switchNetwork('canton:testnet')
await walletEvents()

console.log('# the wallet becomes unreachable')
wallet.drop()
await next('reconnect:attempt') // the first silent probe fails: a second one is scheduled
await next('reconnect:scheduled')

console.log('# the wallet is back')
const reconnected = next('reconnect:succeeded')
wallet.recover()
await reconnected // the store re-reads the accounts, then it is connected again

console.log('# disconnect')
await store.disconnect()

store.destroy() // no listener, timer or channel is left: the process exits by itself
