// React render cost: 1,000 wallet events — 500 no-ops (an identical statusChanged replayed),
// 250 network switches, 250 account reorders keeping the same primary — through a connected
// store, with one component on useSession() and one on useSessionSelector((s) => s.networkId),
// each under a <Profiler>. Counts the renders (commits) of each and their total commit time.
// React 19 in jsdom, each event in its own act().
import { JSDOM } from 'jsdom'

const dom = new JSDOM('<!doctype html><div id="root"></div>')
Object.assign(globalThis, { window: dom.window, document: dom.window.document, navigator: dom.window.navigator, IS_REACT_ACT_ENVIRONMENT: true })

const { createElement: h, Profiler, act } = await import('react')
const { createRoot } = await import('react-dom/client')
const { createMemoryStorage, createSessionStore } = await import('@sessionlayer/session-core')
const { SessionProvider, useSession, useSessionSelector } = await import('@sessionlayer/session-react')
const { createMockProvider } = await import('@sessionlayer/session-testing')

const provider = createMockProvider({ connected: true })
const store = createSessionStore(provider, { storage: createMemoryStorage() })
await store.restore()
if (store.getSnapshot().status !== 'connected') throw new Error('the bench store did not connect')

const stats = { session: { renders: 0, ms: 0 }, selector: { renders: 0, ms: 0 } }
const onRender = (id, _phase, actualDuration) => {
  stats[id].renders++
  stats[id].ms += actualDuration
}
function WithSession() {
  const { status, account, networkId } = useSession()
  return h('p', null, `${status} ${account?.partyId ?? '-'} ${networkId ?? '-'}`)
}
function WithSelector() {
  const networkId = useSessionSelector((s) => s.networkId)
  return h('p', null, networkId ?? '-')
}
const root = createRoot(document.getElementById('root'))
await act(async () => {
  root.render(
    h(SessionProvider, { store }, h(Profiler, { id: 'session', onRender }, h(WithSession)), h(Profiler, { id: 'selector', onRender }, h(WithSelector))),
  )
})
// the mount is not part of the count
stats.session = { renders: 0, ms: 0 }
stats.selector = { renders: 0, ms: 0 }

const status = (networkId) => ({ connection: { isConnected: true, isNetworkConnected: true }, network: { networkId, ledgerApi: 'http://127.0.0.1:7575' } })
const accounts = store.getSnapshot().accounts
const reordered = [[...accounts], [...accounts].reverse()]
let network = store.getSnapshot().networkId
let order = 0
const counts = { events: 0, noop: 0, network: 0, reorder: 0 }
for (let i = 0; i < 1_000; i++) {
  await act(async () => {
    if (i % 2 === 0) {
      // a no-op: the wallet repeats what the store already knows
      provider.emit('statusChanged', status(network))
      counts.noop++
    } else if (i % 4 === 1) {
      network = network === 'canton:bench-a' ? 'canton:bench-b' : 'canton:bench-a'
      provider.emit('statusChanged', status(network))
      counts.network++
    } else {
      order ^= 1
      provider.emit('accountsChanged', reordered[order])
      counts.reorder++
    }
    counts.events++
  })
}
await act(async () => root.unmount())
store.destroy()

process.stdout.write(JSON.stringify({ id: 'react', react: (await import('react')).version, counts, stats }))
