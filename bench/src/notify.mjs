// Notify cost: one store with 1 / 100 / 1,000 subscribers through 10,000 state changes, as ns
// per notification (total time / (changes × subscribers)), next to zustand/vanilla doing the
// same. A session-store change is a wallet event (a network switch announced by
// `statusChanged`), so its figure is the whole path a dApp pays for: validating the payload, the
// transition, the new frozen snapshot, the notifications, and queuing the persistence and
// invalidation effects. The per-subscriber slope (the cost of one more subscriber) isolates the
// fan-out itself.
import { createMemoryStorage, createSessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { performance } from 'node:perf_hooks'
import { createStore } from 'zustand/vanilla'
import { median, percentile } from './report.mjs'

const CHANGES = 10_000
const COUNTS = [1, 100, 1_000]
const RUNS = 11
// Runs left out before those timed: the engine compiles the hot paths over the first few (the
// first runs of a store were seen 2 to 30 times slower than the steady state), and a figure of
// a steady app must not carry that.
const WARMUPS = 5

let sink = 0

/** A session store over a connected mock wallet, with `n` subscribers; `change(i)` makes the i-th real change. */
async function sessionSubject(n) {
  const provider = createMockProvider({ connected: true })
  const store = createSessionStore(provider, { storage: createMemoryStorage() })
  await store.restore()
  if (store.getSnapshot().status !== 'connected') throw new Error('the bench store did not connect')
  for (let i = 0; i < n; i++) store.subscribe((s) => (sink ^= s.networkId?.length ?? 0))
  const events = ['canton:bench-a', 'canton:bench-b'].map((networkId) => ({
    connection: { isConnected: true, isNetworkConnected: true },
    network: { networkId, ledgerApi: 'http://127.0.0.1:7575' },
  }))
  let seen = 0
  store.subscribe(() => seen++)
  return {
    change: (i) => provider.emit('statusChanged', events[i & 1]),
    check: (expected) => {
      if (seen !== expected) throw new Error(`session store: ${seen} notifications for ${expected} changes`)
    },
    done: () => store.destroy(),
  }
}

/** A zustand vanilla store with `n` subscribers. */
function zustandSubject(n) {
  const store = createStore(() => ({ networkId: 'canton:bench-a' }))
  for (let i = 0; i < n; i++) store.subscribe((s) => (sink ^= s.networkId.length))
  const ids = ['canton:bench-a', 'canton:bench-b']
  let seen = 0
  store.subscribe(() => seen++)
  return {
    change: (i) => store.setState({ networkId: ids[(i + 1) & 1] }),
    check: (expected) => {
      if (seen !== expected) throw new Error(`zustand: ${seen} notifications for ${expected} changes`)
    },
    done: () => undefined,
  }
}

/** Median and p90 ns per notification of `make(n)` over RUNS runs of CHANGES changes, after WARMUPS runs. */
async function time(make, n) {
  const samples = []
  for (let run = 0; run < WARMUPS + RUNS; run++) {
    const subject = await make(n)
    const start = performance.now()
    for (let i = 0; i < CHANGES; i++) subject.change(i)
    const ms = performance.now() - start
    subject.check(CHANGES)
    subject.done()
    if (run >= WARMUPS) samples.push((ms * 1e6) / (CHANGES * n))
    await new Promise((resolve) => setImmediate(resolve))
  }
  return { median: median(samples), p90: percentile(samples, 90) }
}

const rows = []
for (const n of COUNTS) {
  const ours = await time(sessionSubject, n)
  const theirs = await time(zustandSubject, n)
  rows.push({ subscribers: n, ours: ours.median, zustand: theirs.median, ratio: ours.median / theirs.median, oursP90: ours.p90, zustandP90: theirs.p90 })
}
// ns per extra subscriber per change: the fan-out alone
const slope = (key) => ((rows[2][key] * 1_000 - rows[0][key] * 1) / 999)
const fanout = { ours: slope('ours'), zustand: slope('zustand') }
fanout.ratio = fanout.ours / fanout.zustand

process.stdout.write(JSON.stringify({ id: 'notify', changes: CHANGES, runs: RUNS, warmups: WARMUPS, rows, fanout, sink: sink & 1 }))
