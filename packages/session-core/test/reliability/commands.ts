import { encodeSessionEnvelope } from '@sessionlayer/session-crypto'
import fc from 'fast-check'
import type { CIP0103Account } from '../../src/cip0103'
import { createSystem, STORAGE_KEY, type StorageMode, type System, type SystemConfig, type WalletFault } from './system'
import { drain } from './virtualTime'

// The model's vocabulary: run configurations and the commands fast-check sequences and shrinks.

/** The fast-check model: the system is checked against itself and the wallet, not a replica. */
export type Model = object

/** One command: a label for counterexamples, and what it does to the system. */
class Step implements fc.AsyncCommand<Model, System> {
  constructor(
    private readonly label: string,
    private readonly act: (system: System) => unknown,
  ) {}
  check = () => true
  async run(_: Model, system: System) {
    await this.act(system)
    await drain()
    system.checkStep()
    if (system.violations.length) throw new Error(`after ${this.label}: ${system.violations.join('; ')}`)
  }
  toString = () => this.label
}
/** A command from a label and an action (also used to replay counterexamples as regression tests). */
export const step = (label: string, act: (system: System) => unknown): fc.AsyncCommand<Model, System> => new Step(label, act)

/** 0 twice as often as a value of `positive`. */
function sometimes(positive: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: positive })
}

export const configArbitrary: fc.Arbitrary<SystemConfig> = fc.record({
  reconnect: fc.oneof(
    { weight: 1, arbitrary: fc.constant(false as const) },
    {
      weight: 3,
      arbitrary: fc.record({
        baseDelayMs: fc.integer({ min: 50, max: 1_000 }),
        factor: fc.constantFrom(1, 1.5, 2, 3),
        maxDelayMs: fc.integer({ min: 500, max: 20_000 }),
        maxAttempts: fc.integer({ min: 1, max: 5 }),
        jitter: fc.constant(false),
      }),
    },
  ),
  ttlMs: fc.option(fc.integer({ min: 1_000, max: 120_000 }), { nil: undefined, freq: 2 }),
  idleTimeoutMs: fc.option(fc.integer({ min: 1_000, max: 60_000 }), { nil: undefined, freq: 3 }),
  // a prompt that waits for the user, as apps have, more often than the hooks that settle at once
  reauth: fc.option(
    fc.oneof(
      fc.constantFrom('connect' as const, 'restore' as const, 'resolve' as const, 'decline' as const),
      { weight: 1, arbitrary: fc.constant('prompt' as const) },
    ),
    { nil: undefined },
  ),
  persistSnapshot: fc.boolean(),
  locks: fc.oneof(fc.boolean(), fc.constant('refused' as const)),
  throwingInvalidate: fc.boolean(),
  initialTabs: fc.integer({ min: 1, max: 3 }),
  walletConnected: fc.boolean(),
  eventDelays: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 })), { minLength: 3, maxLength: 3 }),
  // mostly instant, as before; else answers in transit while the next steps run (time stands still between steps)
  latency: fc.record({ connect: sometimes(fc.integer({ min: 1, max: 300 })), silent: sometimes(fc.integer({ min: 1, max: 200 })) }),
  storageDelay: sometimes(fc.integer({ min: 1, max: 50 })),
  apart: fc.boolean(),
})

const tab = fc.nat({ max: 2 })
const NETWORKS = ['canton:devnet', 'canton:testnet', 'canton:mainnet']
const account = (hint: string, primary: boolean, networkId = 'canton:devnet'): CIP0103Account => ({
  partyId: `${hint}::1220${hint.length}`,
  primary,
  status: 'allocated',
  hint,
  networkId,
})
/** The account lists `set accounts #n` gives the wallet (the n-th). */
export const ACCOUNT_SETS: readonly (readonly CIP0103Account[])[] = [
  [account('alice', true), account('bob', false)],
  [account('bob', false), account('alice', true)],
  [account('carol', true)],
  [account('alice', false), account('bob', false)],
  [],
  [account('dave', true), { ...account('erin', false), status: 'removed' }],
]

const walletFault: fc.Arbitrary<WalletFault> = fc.oneof(
  fc.record({ kind: fc.constant('fail' as const), code: fc.constantFrom(4001, 4100, 4900, -32603), http: fc.boolean(), leak: fc.boolean() }),
  fc.constant({ kind: 'hang' as const }),
  fc.record({ kind: fc.constant('late' as const), ms: fc.integer({ min: 1, max: 3_000 }) }),
  fc.constant({ kind: 'throw' as const }),
)

const forged = encodeSessionEnvelope({
  account: { partyId: 'mallory::1220ff', primary: true },
  accounts: [{ partyId: 'mallory::1220ff', primary: true }],
  networkId: 'canton:mainnet',
  connectedAt: 0,
})

/** Payloads a broken or hostile wallet emits (C18). */
const hostilePayload = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    null,
    'connected',
    [{ partyId: 42 }],
    [{ partyId: 'x::1', status: 'initializing' }],
    { connection: null },
    { connection: { isConnected: 'yes' } },
    { isConnected: true, network: { networkId: 7 } },
    JSON.parse('{"__proto__":{"polluted":true},"connection":{"isConnected":false}}') as unknown,
  ),
)

/** Messages another (broken or hostile) script posts on the tab channel (M2). */
const hostileMessage = fc.oneof(
  fc.anything(),
  fc.record({
    v: fc.constantFrom(1, 2),
    kind: fc.constantFrom('disconnected', 'connected', 'party', 'network', 'expired', 'gaveup', 'activity', 'bogus'),
    seq: fc.integer({ min: -1, max: 3 }),
    tabId: fc.constantFrom('intruder', ''),
    at: fc.integer(),
    ch: fc.constantFrom(`sessionlayer.session.sync::null::${STORAGE_KEY}`, 'sessionlayer.session.sync::null::other'),
    data: fc.oneof(fc.constant({}), fc.record({ current: fc.oneof(fc.constant(null), fc.string()) })),
  }),
)

/** A synchronous action: run alone as a step, or together with another one without a drain between. */
interface Action {
  readonly label: string
  readonly act: (system: System) => void
}
const action = (label: string, act: (system: System) => void): Action => ({ label, act })

/** What a user does in a tab: these race each other (C6, C10, M3, M4, C12). */
const userAction: fc.Arbitrary<Action> = fc.oneof(
  fc
    .tuple(tab, fc.constantFrom('approve' as const, 'reject' as const, 'async' as const, 'manual' as const))
    .map(([i, mode]) => action(`connect(${i}, ${mode})`, (s) => s.connect(i, mode))),
  tab.map((i) => action(`disconnect(${i})`, (s) => s.disconnect(i))),
  tab.map((i) => action(`restore(${i})`, (s) => s.restore(i))),
  // the re-auth prompt of `reauth: 'prompt'` (a no-op where none shows)
  fc.tuple(tab, fc.boolean()).map(([i, yes]) => action(`${yes ? 'approve' : 'decline'} re-auth prompt(${i})`, (s) => s.answerPrompt(i, yes))),
)

/** Tabs opening and closing, the user answering the wallet's prompt, queued work. */
const tabAction: fc.Arbitrary<Action> = fc.oneof(
  fc.constant(action('openTab', (s) => s.tabs.length < 3 && s.openTab())),
  tab.map((i) => action(`closeTab(${i})`, (s) => s.closeTab(i))),
  // a page reload: the tab goes, a new one restores (C9, C10) in the last place
  tab.map((i) => action(`reload(${i})`, (s) => s.tabs.length > 0 && (s.closeTab(i), s.openTab()))),
  fc.boolean().map((yes) => action(yes ? 'user approves' : 'user rejects', (s) => s.answer(yes))),
  tab.map((i) => action(`enqueue(${i})`, (s) => s.enqueue(i))),
  tab.map((i) => action(`cancelReconnect(${i})`, (s) => s.cancelReconnect(i))),
)

/** The wallet's own moves. */
const walletAction: fc.Arbitrary<Action> = fc.oneof(
  fc.constant(action('wallet drops', (s) => s.wallet.drop())),
  fc.constant(action('wallet recovers', (s) => s.wallet.recover())),
  fc.constant(action('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet())),
  fc.constant(action('wallet connects itself', (s) => s.connectFromWallet())),
)

/** Everything that may happen at the same moment as a user action. */
const otherAction = fc.oneof(tabAction, walletAction)

/**
 * Two actions started together, with no drain between them: a user who clicks Connect then
 * Disconnect, a restore on page load that meets a click on Connect, a tab that disconnects while
 * another connects. One step per command otherwise lets every op finish before the next begins.
 */
const together = (first: fc.Arbitrary<Action>, second: fc.Arbitrary<Action>) =>
  fc.tuple(first, second).map(([a, b]) =>
    step(`${a.label} ‖ ${b.label}`, (s) => {
      a.act(s)
      b.act(s)
    }),
  )
const expiry = fc.integer({ min: 0, max: 100 })
const alone = (arbitrary: fc.Arbitrary<Action>) => arbitrary.map((a) => step(a.label, a.act))

export const commandArbitraries: fc.Arbitrary<fc.AsyncCommand<Model, System>>[] = [
  // about the weights of the single commands these replaced (3 user, 5 tab, 4 wallet actions); about one step in 5 overlaps
  ...[1, 2, 3].map(() => alone(userAction)),
  ...[1, 2, 3, 4].map(() => alone(tabAction)),
  ...[1, 2, 3, 4].map(() => alone(walletAction)),
  together(userAction, userAction),
  together(userAction, userAction),
  together(userAction, otherAction),
  together(otherAction, userAction),
  // the wallet flapping within one tick (a drop and its recovery before any tab holds the lock, M6)
  together(walletAction, otherAction),
  tab.map((i) => step(`touch(${i})`, (s) => s.touch(i))),
  // a tab frozen (its timers stand still) and woken again: a silent reconnect leader (M6)
  fc.tuple(tab, fc.boolean()).map(([i, stop]) => step(`${stop ? 'freeze' : 'thaw'}(${i})`, (s) => s.freeze(i, stop))),
  // frozen while time passes, past a leader's silence the others wait for (requestTimeoutMs and more)
  fc.tuple(tab, fc.integer({ min: 1_000, max: 30_000 })).map(([i, ms]) =>
    step(`freeze(${i}), advance ${ms} ms, thaw(${i})`, async (s) => {
      s.freeze(i, true)
      await s.time.advance(ms)
      s.freeze(i, false)
    }),
  ),
  fc.nat({ max: 3 }).map((n) =>
    step(`switch party #${n}`, (s) => {
      const accounts = s.wallet.state().accounts
      const target = accounts[n % Math.max(1, accounts.length)]
      if (target) s.wallet.switchParty(target.partyId)
    }),
  ),
  fc.nat({ max: ACCOUNT_SETS.length - 1 }).map((n) => step(`set accounts #${n}`, (s) => s.wallet.setAccounts(ACCOUNT_SETS[n] ?? []))),
  fc.constantFrom(...NETWORKS).map((id) => step(`switch network ${id}`, (s) => s.wallet.switchNetwork(id))),
  fc
    .oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 500, max: 8_000 }), fc.integer({ min: 10_000, max: 200_000 }))
    .map((ms) => step(`advance ${ms} ms`, (s) => s.time.advance(ms))),
  // A system sleep: the clock jumps on, the timers fire that much later (C7, C12).
  fc.integer({ min: 1_000, max: 10_800_000 }).map((ms) => step(`sleep ${ms} ms`, (s) => s.time.sleep(ms))),
  // Just past the configured expiry (the shorter of TTL and idle timeout), alone or followed at
  // once by two actions together: a re-auth and what the user and the wallet do meanwhile (C12, C13).
  expiry.map((extra) => step(`advance to expiry +${extra} ms`, (s) => s.time.advance(s.expiresIn() + extra))),
  fc.tuple(expiry, userAction, fc.oneof(userAction, otherAction)).map(([extra, a, b]) =>
    step(`advance to expiry +${extra} ms, then ${a.label} ‖ ${b.label}`, async (s) => {
      await s.time.advance(s.expiresIn() + extra)
      a.act(s)
      b.act(s)
    }),
  ),
  fc
    .constantFrom<StorageMode>('ok', 'quota', 'unavailable', 'throws')
    .map((mode) => step(`storage ${mode}`, (s) => (s.storage.mode = mode))),
  fc
    .constantFrom('garbage', '{"version":99}', '', '{"version":1,"account":{"partyId":1}}', forged)
    .map((text) => step(`corrupt entry ${text.slice(0, 24)}`, (s) => s.corruptEntry(text))),
  fc
    .tuple(fc.constantFrom('status', 'listAccounts', 'getActiveNetwork', 'connect', 'disconnect', '*'), walletFault, fc.integer({ min: 1, max: 3 }))
    .map(([method, fault, times]) => step(`wallet ${method} ${JSON.stringify(fault)} ×${times}`, (s) => s.walletFault(method, fault, times))),
  fc
    .tuple(fc.constantFrom('statusChanged', 'accountsChanged', 'connected', 'chainChanged'), hostilePayload)
    .map(([event, payload]) => step(`raw ${event} ${safe(payload)}`, (s) => s.rawWalletEvent(event, payload))),
  hostileMessage.map((message) => step(`channel message ${safe(message)}`, (s) => s.rawChannelMessage(message))),
]

/**
 * A sign-out and a sign-in at once (`disconnect()`, then `connect()`, nothing awaited between): the
 * wallet's word of that sign-out may come after the new session began, or never (a silent wallet),
 * and the store asks the wallet's status then (C6, C7). Alone, or with the wallet dropping, its user
 * signing out in it, or nothing happening a moment later, the tab judged once all is in (see
 * `System.signOutAndIn`). Drawn apart from `commandArbitraries` (see the model test).
 */
export const signOutAndIn: fc.Arbitrary<fc.AsyncCommand<Model, System>> = fc.oneof(
  fc
    .tuple(tab, fc.constantFrom('approve' as const, 'reject' as const, 'async' as const, 'manual' as const))
    .map(([i, mode]) =>
      step(`disconnect(${i}) ‖ connect(${i}, ${mode})`, (s) => {
        s.disconnect(i)
        s.connect(i, mode)
      }),
    ),
  {
    weight: 3,
    arbitrary: fc
      .tuple(tab, fc.constantFrom('stays' as const, 'drops' as const, 'signs out' as const), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })))
      .map(([i, then, ms]) => step(`signOutAndIn(${i}), then the wallet ${then} after ${ms} ms`, (s) => s.signOutAndIn(i, then, ms))),
  },
)

function safe(value: unknown): string {
  try {
    return ((JSON.stringify as (v: unknown) => string | undefined)(value) ?? typeof value).slice(0, 80)
  } catch {
    return typeof value
  }
}

/** A small seeded PRNG (mulberry32): uniform numbers in [0, 1), the same ones for the same seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/**
 * One sequence: build the system, run the commands (invariants after each), then heal, let it
 * go quiet, and check agreement, settlement and a clean shutdown. `Math.random` (the stores draw
 * from it, e.g. how long a tab waits for a silent reconnect leader, M6) is seeded from `seed` for
 * the sequence, and restored after it, so that a sequence replays exactly from the run's seed.
 */
export async function runSequence(config: SystemConfig, commands: Iterable<fc.AsyncCommand<Model, System>>, approve: boolean, seed = 0): Promise<void> {
  const random = Math.random
  Math.random = seeded(seed)
  try {
    const system = createSystem(config)
    await drain()
    await fc.asyncModelRun(() => ({ model: {}, real: system }), commands)
    await system.quiesce(approve)
    await system.shutdown()
    if (system.violations.length) throw new Error(`at the end: ${system.violations.join('; ')}`)
  } finally {
    Math.random = random
  }
}
