// The benchmark page, bundled by esbuild and loaded in Chromium. `?mode=restore`: a store over
// a connected in-memory wallet with the default storage (encrypted IndexedDB) restores on load
// and records when it is connected. `?mode=tab`: a store with `broadcast: true` for the
// cross-tab disconnect figure. `?mode=persist`: the persistence benchmark in real IndexedDB.
import { createSessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { runPersistence } from '../persistCases.mjs'

const mode = new URLSearchParams(location.search).get('mode')
const bench = {}
window.bench = bench
const wallClock = () => performance.timeOrigin + performance.now()

if (mode === 'restore') {
  const provider = createMockProvider({ connected: true })
  const store = createSessionStore(provider, { storageKey: 'bench.session' })
  const start = performance.now()
  bench.restored = new Promise((resolve) => {
    const done = () => {
      if (store.getSnapshot().status !== 'connected') return false
      resolve({ sinceNavigation: performance.now(), sinceInit: performance.now() - start })
      return true
    }
    const unsubscribe = store.subscribe(() => {
      if (done()) unsubscribe()
    })
  })
  void store.init()
}

if (mode === 'tab') {
  const provider = createMockProvider({ connected: true })
  const store = createSessionStore(provider, { storageKey: 'bench.tabs', broadcast: true })
  bench.disconnectedAt = null
  store.subscribe((state, previous) => {
    if (state.status === 'disconnected' && previous.status !== 'disconnected') bench.disconnectedAt = wallClock()
  })
  bench.status = () => store.getSnapshot().status
  bench.init = () => store.init().then((s) => s.status)
  bench.disconnect = () => {
    const at = wallClock()
    void store.disconnect()
    return at
  }
  bench.reconnect = async () => {
    bench.disconnectedAt = null
    provider.wallet.connectFromWallet()
    await new Promise((resolve) => setTimeout(resolve, 0))
    return store.getSnapshot().status
  }
}

if (mode === 'persist') {
  bench.persist = () => runPersistence({ indexedDB, crypto, now: () => performance.now(), runs: 200, warmup: 30 })
}
