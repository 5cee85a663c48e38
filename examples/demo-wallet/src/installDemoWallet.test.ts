// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_NETWORKS, DEMO_PARTIES, PROFILE_KEY, parseProfile, profileOf } from './demoProfile'
import { installDemoWallet, type DemoWallet } from './installDemoWallet'

const [DEVNET, TESTNET] = DEMO_NETWORKS
const [, BOB] = DEMO_PARTIES

/**
 * One browser profile's `localStorage`, shared by its tabs. As in a browser, a write reaches the
 * other tabs (never the writer) as a `storage` event; here the events wait in `pending` until
 * `deliver()`, so that a test decides when each tab sees them.
 */
class ProfileStorage {
  readonly tabs: Tab[] = []
  readonly pending: (() => void)[] = []
  private readonly items = new Map<string, string>()
  get length() {
    return this.items.size
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null
  }
  getItem(key: string) {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string) {
    const oldValue = this.getItem(key)
    this.items.set(key, value)
    const writer = this.tabs.find((tab) => tab.writing)
    for (const tab of this.tabs) {
      if (tab === writer) continue
      this.pending.push(() => {
        const event = Object.assign(new Event('storage'), { key, oldValue, newValue: value, storageArea: this })
        tab.dispatchEvent(event)
      })
    }
  }
  removeItem(key: string) {
    this.items.delete(key)
  }
  clear() {
    this.items.clear()
  }
  deliver() {
    while (this.pending.length > 0) this.pending.shift()?.()
  }
}

/** A tab's window: the shared storage, the page's postMessage, timers. */
class Tab extends EventTarget {
  writing = false
  readonly location = { origin: 'http://127.0.0.1', href: 'http://127.0.0.1/' }
  readonly document = document
  readonly setTimeout = (run: () => void, ms?: number) => globalThis.setTimeout(() => this.run(run), ms)
  constructor(readonly localStorage: ProfileStorage) {
    super()
    localStorage.tabs.push(this)
  }
  /** Runs `change` as this tab's own code (its storage writes are not echoed to it). */
  run<T>(change: () => T): T {
    this.writing = true
    try {
      return change()
    } finally {
      this.writing = false
    }
  }
  postMessage(data: unknown) {
    setTimeout(() => {
      this.run(() => this.dispatchEvent(Object.assign(new Event('message'), { data: structuredClone(data), source: this })))
    }, 0)
  }
}

const installed: DemoWallet[] = []
afterEach(() => {
  for (const demo of installed.splice(0)) demo.uninstall()
})

const install = (tab: Tab) => {
  const demo = tab.run(() => installDemoWallet({ window: tab as unknown as Window }))
  installed.push(demo)
  return demo
}
const tick = () => new Promise((resolve) => setTimeout(resolve, 10))

/** Two tabs of one profile with the demo wallet, connected from tab B's wallet UI. */
const connectedTabs = () => {
  const storage = new ProfileStorage()
  const [a, b] = [new Tab(storage), new Tab(storage)]
  const walletA = install(a).wallet
  const walletB = install(b).wallet
  storage.deliver()
  b.run(() => {
    walletB.connectFromWallet()
  })
  storage.deliver()
  return { storage, a, b, walletA, walletB }
}

describe('installDemoWallet: the tabs of one browser profile', () => {
  it("a page's request in a tab that has not yet seen another tab's switch does not undo that switch", async () => {
    const { storage, a, b, walletA, walletB } = connectedTabs()
    expect(walletA.state().connected).toBe(true)

    // The user picks another network in tab B's wallet UI; tab A has not seen that write yet
    // when its page asks the wallet something (e.g. the network, told of the switch by tab B's page).
    b.run(() => {
      walletB.switchNetwork(TESTNET)
    })
    expect(walletA.state().networkId).toBe(DEVNET)
    a.postMessage({ type: 'SPLICE_WALLET_REQUEST', request: { jsonrpc: '2.0', id: '1', method: 'getActiveNetwork' } })
    await tick()
    storage.deliver()
    await tick()
    storage.deliver()

    expect(walletB.state().networkId).toBe(TESTNET)
    expect(walletA.state().networkId).toBe(TESTNET)
    expect(parseProfile(storage.getItem(PROFILE_KEY))?.networkId).toBe(TESTNET)
  })

  it('tabs that each change the wallet before seeing the other\'s change end in one state, the last written', async () => {
    const { storage, a, b, walletA, walletB } = connectedTabs()
    // B switches network; before A sees it, A's user switches party
    b.run(() => {
      walletB.switchNetwork(TESTNET)
    })
    a.run(() => {
      walletA.switchParty(BOB)
    })
    storage.deliver()
    await tick()
    storage.deliver()
    const last = parseProfile(storage.getItem(PROFILE_KEY))
    expect(last?.partyId).toBe(BOB)
    expect(profileOf(walletA.state(), last?.accessToken ?? '')).toEqual(last)
    expect(profileOf(walletB.state(), last?.accessToken ?? '')).toEqual(last)
  })
})
