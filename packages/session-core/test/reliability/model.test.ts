import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ACCOUNT_SETS, commandArbitraries, configArbitrary, type Model, runSequence, signOutAndIn, step } from './commands'
import { observed, type System, type SystemConfig } from './system'

// Model-based test of the session machine: 1–3 tabs over one mock wallet, one storage, one
// channel hub and one virtual clock, driven by random sequences of user actions, wallet
// behaviour, time (system sleeps included: the tabs' wall clock jumps, their timers stand still),
// storage faults and hostile inputs. Some steps start two actions at once, and
// wallet answers and storage reads may take time, so that ops overlap. `pnpm test` runs a quick,
// fixed-seed budget; `pnpm test:deep` runs SESSIONLAYER_MODEL_RUNS (default 10,000) sequences with
// a fresh seed and prints the count, the seed and any shrunk counterexample.
// SESSIONLAYER_MODEL_SIZE=medium draws longer sequences (about 4 times as long, and slower), large
// longer still (up to 100 steps): they reach states the default ones seldom do, e.g. a re-auth
// prompt after a few steps, or a second drop while a tab waits for the reconnect lock.

const deep = process.env.SESSIONLAYER_MODEL_DEEP === '1'
const runs = Number(process.env.SESSIONLAYER_MODEL_RUNS ?? (deep ? 10_000 : 300))
const seed = Number(process.env.SESSIONLAYER_MODEL_SEED ?? (deep ? Date.now() % 2 ** 31 : 20261202))
const size = ({ medium: 'medium', large: 'large' } as const)[process.env.SESSIONLAYER_MODEL_SIZE ?? ''] ?? 'small'

type Command = fc.AsyncCommand<Model, System>
/**
 * Sign-outs and sign-ins at once (see `signOutAndIn`), each put before the command at its position
 * (modulo the length + 1). Drawn after everything else of a run, they leave what a seed drew for
 * it as it was: a seed without them runs the sequence it ran before they came.
 */
const insertions = fc.array(fc.tuple(fc.nat(), signOutAndIn), { maxLength: 4 })
function merged(commands: Iterable<Command>, inserted: readonly (readonly [number, Command])[]): Command[] {
  const list = [...commands]
  const out: Command[] = []
  for (let i = 0; i <= list.length; i++) {
    for (const [n, command] of inserted) if (n % (list.length + 1) === i) out.push(command)
    const command = list[i]
    if (command) out.push(command)
  }
  return out
}

describe('model-based: tabs, wallet, time, storage and hostile inputs', () => {
  it(
    `${runs} random sequences keep every invariant (§2.1, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C17, M2, M3, M6)`,
    async () => {
      let executed = 0
      const result = await fc.check(
        fc.asyncProperty(
          configArbitrary,
          fc.commands(commandArbitraries, { maxCommands: size === 'large' ? 100 : 40, size }),
          fc.boolean(),
          fc.noShrink(fc.nat()),
          insertions,
          async (config, commands, approve, random, inserted) => {
            executed++
            // the seed of the stores' Math.random: drawn from the run's seed, so that a run replays exactly;
            // one run in four, by the same draw, has a wallet that tells a tab nothing of its own
            // connect and disconnect (`silent`), over the same configurations and sequences as before
            await runSequence({ ...config, silent: random % 4 === 0 }, merged(commands, inserted), approve, random)
          },
        ),
        { numRuns: runs, seed },
      )
      const line = `model: ${result.numRuns} sequences (${executed} executed with shrinking), seed ${seed}, size ${size}, ${result.failed ? 'FAILED' : '0 violations'}`
      if (deep || result.failed) console.log(line)
      if (deep) console.log([...observed].sort((a, b) => b[1] - a[1]).map(([what, n]) => `  ${String(n).padStart(8)}  ${what}`).join('\n'))
      if (result.failed) console.log(fc.defaultReportMessage(result), '\n', (result.errorInstance as Error | undefined)?.message)
      // the steps of the counterexample in the order they ran, sign-outs and sign-ins included
      if (result.counterexample) console.log(merged(result.counterexample[1], result.counterexample[4]).map(String).join('\n'))
      expect(result.failed, result.failed ? fc.defaultReportMessage(result) : line).toBe(false)
      expect(result.numRuns).toBe(runs)
    },
    deep ? 3_600_000 : 120_000,
  )
})

// Counterexamples the model found, shrunk, kept as named regressions (each fixed in core, or in
// the mock wallet where it answered unlike a wallet).
const base: SystemConfig = {
  reconnect: { baseDelayMs: 50, factor: 1, maxDelayMs: 500, maxAttempts: 1, jitter: false },
  persistSnapshot: false,
  locks: false,
  throwingInvalidate: false,
  initialTabs: 1,
  walletConnected: false,
  eventDelays: [0, 0, 0],
  latency: { connect: 0, silent: 0 },
  storageDelay: 0,
}

describe('model-based: regressions', () => {
  it('M3: a user disconnect in one tab never looks like a wallet drop to another tab of the same wallet', async () => {
    await runSequence(base, [step('wallet connects itself', (s) => s.connectFromWallet()), step('openTab', (s) => s.openTab()), step('disconnect(0)', (s) => s.disconnect(0))], false)
  })

  it('C14: destroy settles a disconnect() whose wallet call never answers', async () => {
    await runSequence(
      { ...base, walletConnected: true },
      [step('wallet disconnect hangs', (s) => s.walletFault('disconnect', { kind: 'hang' }, 1)), step('disconnect(0)', (s) => s.disconnect(0)), step('closeTab(0)', (s) => s.closeTab(0))],
      false,
    )
  })

  // Found once commands could overlap and answers take time (f809490, before the races fixes).
  it('C6: connect() at once followed by disconnect() never ends in a reconnect schedule', async () => {
    await runSequence(
      base,
      [
        step('connect(0, approve) ‖ disconnect(0)', (s) => {
          s.connect(0, 'approve')
          s.disconnect(0)
        }),
      ],
      false,
    )
  })

  it('M3: a tab whose connect is in flight when another tab disconnects does not reconnect', async () => {
    await runSequence(
      { ...base, initialTabs: 2, latency: { connect: 50, silent: 0 } },
      [
        step('connect(1, approve) ‖ disconnect(0)', (s) => {
          s.connect(1, 'approve')
          s.disconnect(0)
        }),
      ],
      false,
    )
  })

  // Found once another tab's sign-out no longer ends a connect that still waits for the wallet (C3).
  it("C3, M3: a connect the wallet approved just before another tab's sign-out, its answer and lagging events still on their way, ends disconnected", async () => {
    await runSequence(
      { ...base, locks: 'refused', initialTabs: 2, eventDelays: [1, 0, 1], latency: { connect: 0, silent: 1 } },
      [
        step('connect(1, approve)', (s) => s.connect(1, 'approve')),
        step('connect(0, approve) ‖ disconnect(0)', (s) => {
          s.connect(0, 'approve')
          s.disconnect(0)
        }),
        step('restore(0)', (s) => s.restore(0)),
      ],
      false,
    )
  })

  it('C17: connect() to an asynchronous wallet settles within connectTimeoutMs when the user never answers', async () => {
    await runSequence(base, [step('connect(0, async)', (s) => s.connect(0, 'async'))], true)
  })

  it('C10: a reload whose restore meets a click on Connect reconciles against the persisted network', async () => {
    await runSequence(
      { ...base, reconnect: false, persistSnapshot: true, walletConnected: true, eventDelays: [0, 1, 1] },
      [
        step('switch network canton:testnet', (s) => s.wallet.switchNetwork('canton:testnet')),
        step('reload(0) ‖ connect(0, approve)', (s) => {
          s.closeTab(0)
          s.openTab()
          s.connect(0, 'approve')
        }),
      ],
      false,
    )
  })

  it('C12, C14: a re-auth hook that calls restore() neither deadlocks nor lets a later connect() resolve on the destroyed store', async () => {
    await runSequence({ ...base, idleTimeoutMs: 1_000, reauth: 'restore', walletConnected: true }, [step('advance 1000 ms', (s) => s.time.advance(1_000)), step('closeTab(0)', (s) => s.closeTab(0))], false)
  })

  // Found once the model had a re-auth hook that waits for the user's prompt.
  it('C12: a re-auth prompt the user declined is not aborted by a disconnect in another tab at the same moment', async () => {
    await runSequence(
      { ...base, idleTimeoutMs: 1_000, reauth: 'prompt', initialTabs: 2, walletConnected: true },
      [
        step('advance to expiry +0 ms, then decline re-auth prompt(0) ‖ disconnect(1)', async (s) => {
          await s.time.advance(s.expiresIn())
          s.answerPrompt(0, false)
          s.disconnect(1)
        }),
      ],
      false,
    )
  })

  // Found by runs over longer sequences (fast-check size 'medium').
  it('C11: a tab connected again by a restore while its disconnect hangs follows a network switch', async () => {
    await runSequence(
      { ...base, eventDelays: [0, 1, 0], latency: { connect: 0, silent: 1 } },
      [
        step('openTab', (s) => s.openTab()),
        step('wallet * {"kind":"hang"} ×2', (s) => s.walletFault('*', { kind: 'hang' }, 2)),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('disconnect(1) ‖ restore(1)', (s) => {
          s.disconnect(1)
          s.restore(1)
        }),
        step('switch network canton:testnet', (s) => s.wallet.switchNetwork('canton:testnet')),
      ],
      false,
    )
  })

  it('C14, C17: the Connect button and an approved re-auth prompt both wait for an async wallet, then the tab closes', async () => {
    await runSequence(
      { ...base, idleTimeoutMs: 1_000, reauth: 'prompt' },
      [
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('advance to expiry +1 ms, then connect(0, async) ‖ wallet disconnects itself', async (s) => {
          await s.time.advance(s.expiresIn() + 1)
          s.connect(0, 'async')
          s.wallet.disconnectFromWallet()
        }),
        step('approve re-auth prompt(0)', (s) => s.answerPrompt(0, true)),
        step('closeTab(0)', (s) => s.closeTab(0)),
      ],
      false,
    )
  })

  it("C14: a reload while the storage is slow leaves no timer of the closed tab's queued read", async () => {
    await runSequence(
      { ...base, storageDelay: 2 },
      [
        step('wallet drops', (s) => s.wallet.drop()),
        step('connect(0, approve)', (s) => s.connect(0, 'approve')),
        step('restore(0) ‖ reload(0)', (s) => {
          s.restore(0)
          s.closeTab(0)
          s.openTab()
        }),
        step('advance 2 ms', (s) => s.time.advance(2)),
      ],
      false,
    )
  })

  it('C3, C19: the wallet connecting on its own while a connect() waits, then the user rejecting the prompt', async () => {
    await runSequence(
      { ...base, eventDelays: [0, 1, 0], latency: { connect: 1, silent: 0 }, storageDelay: 2 },
      [
        step('connect(0, manual)', (s) => s.connect(0, 'manual')),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('user rejects', (s) => s.answer(false)),
        step('advance 1 ms', (s) => s.time.advance(1)),
      ],
      false,
    )
  })

  it('C7, M6: a tab granted the reconnect lock while its wallet was back runs the attempts when the wallet drops again', async () => {
    await runSequence(
      { ...base, locks: true, initialTabs: 2, eventDelays: [0, 1, 1], latency: { connect: 0, silent: 1 } },
      [
        step('reload(0)', (s) => {
          s.closeTab(0)
          s.openTab()
        }),
        step('advance 500 ms', (s) => s.time.advance(500)),
        step('wallet drops', (s) => s.wallet.drop()),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('wallet recovers', (s) => s.wallet.recover()),
        step('wallet drops ‖ restore(0)', (s) => {
          s.wallet.drop()
          s.restore(0)
        }),
        step('wallet recovers', (s) => s.wallet.recover()),
        step('restore(0) ‖ wallet disconnects itself', (s) => {
          s.restore(0)
          s.wallet.disconnectFromWallet()
        }),
      ],
      false,
    )
  })

  // Found once the tabs' connected message carried the session times.
  it("C12: a re-auth that another tab's late reconnect ends, the session having expired meanwhile, starts a new session instead of expiring again in a loop", async () => {
    await runSequence(
      {
        ...base,
        reconnect: { baseDelayMs: 69, factor: 1.5, maxDelayMs: 500, maxAttempts: 5, jitter: false },
        ttlMs: 1_000,
        reauth: 'prompt',
        eventDelays: [1, 0, 0],
        latency: { connect: 0, silent: 19 },
      },
      [
        step('wallet recovers ‖ openTab', (s) => {
          s.wallet.recover()
          s.openTab()
        }),
        step('advance to expiry +0 ms, then restore(0) ‖ wallet connects itself', async (s) => {
          await s.time.advance(s.expiresIn())
          s.restore(0)
          s.connectFromWallet()
        }),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
      ],
      true,
    )
  })

  it('C8: cancelReconnect() as the wallet comes back during a restore still waiting for the storage leaves the tab with the wallet', async () => {
    await runSequence(
      { ...base, latency: { connect: 1, silent: 0 }, storageDelay: 1 },
      [
        step('wallet connects itself ‖ wallet disconnects itself', (s) => {
          s.connectFromWallet()
          s.wallet.disconnectFromWallet()
        }),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('cancelReconnect(0)', (s) => s.cancelReconnect(0)),
      ],
      false,
    )
  })
  it("C10, C12, M4: a tab opened during another tab's re-auth prompt, whose restore reads the expired snapshot, takes up the session that re-auth starts", async () => {
    await runSequence(
      { ...base, ttlMs: 1_000, reauth: 'prompt', persistSnapshot: true, locks: 'refused', walletConnected: true, eventDelays: [1, 0, 1], latency: { connect: 1, silent: 0 }, storageDelay: 2 },
      [
        step('advance to expiry +2 ms', (s) => s.time.advance(s.expiresIn() + 2)),
        step('openTab', (s) => s.openTab()),
        step('restore(0) ‖ restore(0)', (s) => {
          s.restore(0)
          s.restore(0)
        }),
      ],
      true,
    )
  })

  it('C3: a manual connect approved while the wallet was unreachable, the wallet disconnected since, ends disconnected', async () => {
    await runSequence(
      { ...base, eventDelays: [1, 0, 0] },
      [
        step('connect(0, manual)', (s) => s.connect(0, 'manual')),
        step('wallet drops', (s) => s.wallet.drop()),
        step('wallet connects itself ‖ wallet disconnects itself', (s) => {
          s.connectFromWallet()
          s.wallet.disconnectFromWallet()
        }),
      ],
      false,
    )
  })

  it('C6, M3: an async connect approved while the wallet was unreachable does not bring back a session the user ended since', async () => {
    await runSequence(
      { ...base, eventDelays: [1, 1, 0], latency: { connect: 0, silent: 1 }, storageDelay: 1 },
      [
        step('decline re-auth prompt(0) ‖ connect(0, async)', (s) => {
          s.answerPrompt(0, false)
          s.connect(0, 'async')
        }),
        step('wallet drops ‖ wallet connects itself', (s) => {
          s.wallet.drop()
          s.connectFromWallet()
        }),
        step('openTab', (s) => s.openTab()),
        step('disconnect(0)', (s) => s.disconnect(0)),
        step('restore(1)', (s) => s.restore(1)),
      ],
      false,
    )
  })

  it("C6, M3: a tab that reloads after its user's disconnect, connect and disconnect again, the other tab's events lagging, sees no reconnect in the other tab", async () => {
    await runSequence(
      { ...base, initialTabs: 2, eventDelays: [1, 1, 0], storageDelay: 1 },
      [
        step('disconnect(0)', (s) => s.disconnect(0)),
        step('connect(0, approve)', (s) => s.connect(0, 'approve')),
        step('disconnect(0)', (s) => s.disconnect(0)),
        step('reload(0)', (s) => {
          s.closeTab(0)
          s.openTab()
        }),
        step('advance 500 ms', (s) => s.time.advance(500)),
      ],
      false,
    )
  })

  // Found once the model checked the persisted entry against the quiet tabs.
  it('C7, M6: once every tab gave up, the session another tab persisted last (its wallet events lagging) is not left in storage', async () => {
    await runSequence(
      { ...base, persistSnapshot: true, locks: 'refused', initialTabs: 2, walletConnected: true, eventDelays: [0, 0, 3], latency: { connect: 1, silent: 2 } },
      [
        step('wallet drops', (s) => s.wallet.drop()),
        step('wallet recovers', (s) => s.wallet.recover()),
        step('advance 4 ms', (s) => s.time.advance(4)),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
      ],
      false,
    )
  })

  // Found once the model checked what connect() and restore() resolve with.
  it('C3, C12: a connect() during a re-auth prompt, then a sign-out and a connect() at once, never resolves while connecting', async () => {
    await runSequence(
      { ...base, idleTimeoutMs: 1_000, reauth: 'prompt', walletConnected: true, eventDelays: [0, 1, 0], latency: { connect: 1, silent: 0 } },
      [
        step('advance to expiry +0 ms, then connect(0, approve) ‖ wallet recovers', async (s) => {
          await s.time.advance(s.expiresIn())
          s.connect(0, 'approve')
          s.wallet.recover()
        }),
        step('disconnect(0) ‖ connect(0, approve)', (s) => {
          s.disconnect(0)
          s.connect(0, 'approve')
        }),
        step('advance 1 ms', (s) => s.time.advance(1)),
      ],
      false,
    )
  })

  // The model's own mistake: it took the check a removal makes, waiting behind a slow restore read,
  // for a read of that restore once the wallet had connected the tab.
  it('C10: a removal that waited behind a slow restore read checks the entry once the wallet connected the tab: no read of that restore', async () => {
    await runSequence(
      { ...base, idleTimeoutMs: 1_000, persistSnapshot: true, eventDelays: [0, 43, 1], storageDelay: 44 },
      [
        step('openTab', (s) => s.openTab()),
        step('reload(1)', (s) => {
          s.closeTab(1)
          s.openTab()
        }),
        step('advance to expiry +0 ms', (s) => s.time.advance(s.expiresIn())),
        step('corrupt entry garbage', (s) => s.corruptEntry('garbage')),
        step('restore(0) ‖ wallet connects itself', (s) => {
          s.restore(0)
          s.connectFromWallet()
        }),
        step('sleep 1000 ms', (s) => s.time.sleep(1_000)),
        step('switch party #1', (s) => s.wallet.switchParty('bob::1220bb')),
        step('advance 1 ms', (s) => s.time.advance(1)),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('advance to expiry +0 ms', (s) => s.time.advance(s.expiresIn())),
      ],
      false,
    )
  })

  it('C4, C7: a connect() during a reconnect that fails as the wallet disconnects leaves no entry of the session it ended', async () => {
    await runSequence(
      { ...base, locks: 'refused', eventDelays: [0, 1, 1] },
      [
        step('wallet connects itself ‖ reload(0)', (s) => {
          s.connectFromWallet()
          s.closeTab(0)
          s.openTab()
        }),
        step('wallet drops', (s) => s.wallet.drop()),
        step('advance 1 ms, then wallet disconnects itself', async (s) => {
          await s.time.advance(1)
          s.wallet.disconnectFromWallet()
        }),
        step('connect(0, approve) ‖ wallet disconnects itself', (s) => {
          s.connect(0, 'approve')
          s.wallet.disconnectFromWallet()
        }),
      ],
      false,
    )
  })

  it("C7: a reconnect that gives up as a wallet that left refuses the accounts read a late 'connected' event asked for leaves no entry", async () => {
    await runSequence(
      { ...base, persistSnapshot: false, walletConnected: true, eventDelays: [1, 1, 0] },
      [
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
      ],
      false,
    )
  })

  // Found once answers and events could travel apart (HTTP with server-sent events).
  it('C9, C19: a restore during a disconnect() whose answer the events overtook (the wallet left, then connected on its own) ends connected', async () => {
    await runSequence(
      { ...base, locks: 'refused', eventDelays: [0, 1, 1], latency: { connect: 0, silent: 2 }, apart: true },
      [step('disconnect(0)', (s) => s.disconnect(0)), step('restore(0)', (s) => s.restore(0)), step('wallet connects itself', (s) => s.connectFromWallet())],
      false,
    )
  })

  it('C19: a disconnect() of an unreachable wallet that connects on its own, its events overtaking that answer, ends connected', async () => {
    await runSequence(
      { ...base, eventDelays: [0, 0, 1], latency: { connect: 0, silent: 1 }, apart: true },
      [step('wallet drops', (s) => s.wallet.drop()), step('disconnect(0)', (s) => s.disconnect(0)), step('wallet connects itself', (s) => s.connectFromWallet())],
      false,
    )
  })

  it("C12, M3: a session that expires in a tab still confirming another tab's reconnect of it leaves the wallet", async () => {
    await runSequence(
      { ...base, idleTimeoutMs: 1_000, locks: 'refused', initialTabs: 2, walletConnected: true, eventDelays: [0, 1, 0], latency: { connect: 0, silent: 45 } },
      [
        step('advance to expiry +44 ms, then restore(0) ‖ wallet drops', async (s) => {
          await s.time.advance(s.expiresIn() + 44)
          s.restore(0)
          s.wallet.drop()
        }),
      ],
      false,
    )
  })

  // Found by the deep run (seed 1289102321).
  it('C15, M3: both tabs sign out at once, one closes, and the other connects as the wallet comes back: its session stays persisted', async () => {
    await runSequence(
      { ...base, reconnect: false, locks: 'refused', initialTabs: 2, apart: true, latency: { connect: 1, silent: 0 }, storageDelay: 1 },
      [
        step('disconnect(0) ‖ disconnect(1)', (s) => {
          s.disconnect(0)
          s.disconnect(1)
        }),
        step('closeTab(1)', (s) => s.closeTab(1)),
        step('wallet recovers ‖ connect(0, approve)', (s) => {
          s.wallet.recover()
          s.connect(0, 'approve')
        }),
        step('raw statusChanged null', (s) => s.rawWalletEvent('statusChanged', null)),
      ],
      false,
      112113272,
    )
  })

  // A leader frozen as it reconnects: another tab takes its lock (steal), the leader loses it, and
  // hears of it once woken, after its attempt that came due meanwhile (its timers run first).
  it('M6, C7: a reconnect leader that goes silent (its timers frozen) loses the lock to a tab that takes the attempts over; woken, it runs none of its own, and the tabs agree', async () => {
    const counted = ['reconnect lock stolen', 'reconnect lock lost to a steal', 'reconnect lock word held by a frozen tab']
    const seen = () => counted.map((what) => observed.get(what) ?? 0)
    const before = seen()
    await runSequence(
      { ...base, reconnect: { baseDelayMs: 5_000, factor: 1, maxDelayMs: 5_000, maxAttempts: 3, jitter: false }, locks: true, initialTabs: 2, walletConnected: true },
      [
        step('wallet drops', (s) => s.wallet.drop()),
        step('freeze(0)', (s) => s.freeze(0, true)),
        // the other tab hears no attempt past the leader's delay and requestTimeoutMs (and a random part of another)
        step('advance 10000 ms', (s) => s.time.advance(10_000)),
        // woken while the wallet is still away: its attempt, due long ago, is no longer its to run
        step('thaw(0)', (s) => s.freeze(0, false)),
        step('advance 2000 ms', (s) => s.time.advance(2_000)),
        step('wallet recovers', (s) => s.wallet.recover()),
        step('advance 10000 ms', (s) => s.time.advance(10_000)),
      ],
      false,
    )
    // the steal, and the leader's loss of the lock, which it hears once woken, after its timers
    expect(seen()).toEqual(before.map((n) => n + 1))
  })

  // Found by the deep run (seed 1259103585): the model took the woken tab's new schedule for a second one.
  // (The other tab, whose drop comes after the leader's word of attempt 1, waits for that attempt's
  // delay and requestTimeoutMs too before it takes over: the leader is frozen that much longer.)
  it('M6, C8: a leader frozen right after it scheduled an attempt loses the lock to the other tab; woken, then left alone as that tab closes, it schedules anew and runs its attempt under the lock', async () => {
    const counted = ['reconnect lock stolen', 'reconnect lock lost to a steal', 'reconnect:scheduled', 'reconnect:attempt', 'reconnect:gaveup']
    const seen = () => counted.map((what) => observed.get(what) ?? 0)
    const before = seen()
    await runSequence(
      { ...base, locks: true, initialTabs: 2, walletConnected: true, eventDelays: [0, 49, 1], latency: { connect: 1, silent: 0 } },
      [
        step('wallet drops', (s) => s.wallet.drop()),
        step('freeze(1), advance 2440 ms, thaw(1)', async (s) => {
          s.freeze(1, true)
          await s.time.advance(2440)
          s.freeze(1, false)
        }),
        step('closeTab(0)', (s) => s.closeTab(0)),
        step('advance 10000 ms', (s) => s.time.advance(10_000)),
      ],
      false,
      2147483625,
    )
    // the leader's schedule, the other tab's after its steal, the woken tab's anew; one attempt, run
    // by the woken tab under the lock, and its gave-up (the wallet stays away, maxAttempts 1)
    expect(seen()).toEqual([1, 1, 3, 1, 1].map((more, i) => (before[i] ?? 0) + more))
  })

  // Found by the deep run (seeds 9876543 medium, 5550123 large): the follower's drop event lags, so the
  // leader's word of its attempt reaches it before it reconnects itself; it took the attempts over a
  // watchdog (requestTimeoutMs) later, with the lock, from a leader that only waited out its backoff.
  // The leader, frozen meanwhile, woke just before its delay plus requestTimeoutMs and ran its
  // attempt without asking who holds the lock. That tab now counts the word it heard before its drop:
  // it waits for that attempt's delay and requestTimeoutMs too, and takes nothing over meanwhile.
  it('M6, C7: a leader frozen past requestTimeoutMs, its attempt due just before its delay and requestTimeoutMs: the other tab, whose drop came after the word of that attempt, counts it and takes nothing over', async () => {
    const counted = ['reconnect lock stolen', 'reconnect lock lost to a steal']
    const seen = () => counted.map((what) => observed.get(what) ?? 0)
    const before = seen()
    await runSequence(
      { ...base, reconnect: { baseDelayMs: 201, maxAttempts: 1, factor: 1, maxDelayMs: 500, jitter: false }, locks: true, eventDelays: [0, 0, 1] },
      [
        step('connect(0, approve)', (s) => s.connect(0, 'approve')),
        step('openTab', (s) => s.openTab()),
        step('wallet drops', (s) => s.wallet.drop()),
        step('freeze(0), advance 1200 ms, thaw(0)', async (s) => {
          s.freeze(0, true)
          await s.time.advance(1_200)
          s.freeze(0, false)
        }),
        step('advance to expiry +0 ms', (s) => s.time.advance(s.expiresIn())),
      ],
      false,
      1747929213,
    )
    expect(seen()).toEqual(before)
  })
})

describe('model-based: a wallet that tells a tab nothing of its own connect and disconnect', () => {
  // Its first word after a disconnect() and a connect() is of neither: the store asks the wallet's
  // status, and a drop is a drop, a sign-out in the wallet a sign-out (C6, C7).
  const silent: SystemConfig = { ...base, silent: true, walletConnected: true }
  const counted = ["statusChanged of the tab's own call not told (silent wallet)", 'connected → reconnecting', 'reconnect:scheduled', 'connected → disconnected']
  const seen = () => counted.map((what) => observed.get(what) ?? 0)
  const signedOutAndIn = [step('disconnect(0)', (s) => s.disconnect(0)), step('connect(0, approve)', (s) => s.connect(0, 'approve'))]

  it('C7: the wallet drops after a disconnect() and a connect(): the tab reconnects under its policy', async () => {
    const before = seen()
    await runSequence(silent, [...signedOutAndIn, step('wallet drops', (s) => s.wallet.drop())], false)
    // the statusChanged of the two own calls, not told to either listener of the tab (the model's and
    // the store's); the disconnect(); the drop: reconnecting, one schedule (the give-up comes from
    // reconnecting, and the wallet recovers at the end)
    expect(seen().map((n, i) => n - (before[i] ?? 0))).toEqual([4, 1, 1, 1])
  })

  it('C7: without a policy, that drop disconnects the tab (4900)', async () => {
    const before = seen()
    await runSequence(
      { ...silent, reconnect: false },
      [
        ...signedOutAndIn,
        step('wallet drops', async (s) => {
          s.wallet.drop()
          await s.time.advance(1)
          expect(s.tabs[0]?.store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900 } })
        }),
      ],
      false,
    )
    // the disconnect(), then the drop
    expect(seen().map((n, i) => n - (before[i] ?? 0))).toEqual([4, 0, 0, 2])
  })

  it('C6, C7: a sign-out in the wallet after a disconnect() and a connect() disconnects the tab, no reconnect', async () => {
    const before = seen()
    await runSequence(silent, [...signedOutAndIn, step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet())], false)
    // the disconnect(), then the sign-out in the wallet
    expect(seen().map((n, i) => n - (before[i] ?? 0))).toEqual([4, 0, 0, 2])
  })

  it('C3, C19: the wallet connects on its own as a connect() is asked, and its user signs out before it handles that connect: the connect() fails, and the tab takes up the connection the wallet then holds', async () => {
    await runSequence(
      { ...base, locks: 'refused', latency: { connect: 1, silent: 1 }, silent: true },
      [
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('connect(0, approve) ‖ wallet disconnects itself', (s) => {
          s.connect(0, 'approve')
          s.wallet.disconnectFromWallet()
        }),
      ],
      false,
      443336240,
    )
  })

  // Found by seed 1108108 (size large), shrunk.
  it('C6, C19: a disconnect() the wallet handles late, after the connect() asked right after it, of a wallet that tells nothing of either: the tab ends out, as the wallet', async () => {
    await runSequence(
      { ...base, storageDelay: 1, silent: true },
      [
        step('wallet * {"kind":"late","ms":1} ×1', (s) => s.walletFault('*', { kind: 'late', ms: 1 }, 1)),
        step('disconnect(0) ‖ disconnect(0)', (s) => {
          s.disconnect(0)
          s.disconnect(0)
        }),
        step('cancelReconnect(0) ‖ connect(0, approve)', (s) => {
          s.cancelReconnect(0)
          s.connect(0, 'approve')
        }),
      ],
      false,
      148526644,
    )
  })

  // Found by the deep run (seed 8282828, size small), shrunk: the wallet's word of its sign-out,
  // sent as the other tab closed, came after the connect and ended it, the wallet connected.
  it("C6, C7: a tab connects to a wallet that tells it nothing of its own calls, the word of the wallet's sign-out before that connect lagging behind: the tab stays connected", async () => {
    await runSequence(
      { ...base, locks: 'refused', initialTabs: 2, eventDelays: [0, 0, 1], silent: true },
      [
        step('wallet disconnects itself ‖ closeTab(0)', (s) => {
          s.wallet.disconnectFromWallet()
          s.closeTab(0)
        }),
        step('connect(0, approve) ‖ connect(0, approve)', (s) => {
          s.connect(0, 'approve')
          s.connect(0, 'approve')
        }),
        step('advance 1 ms', (s) => s.time.advance(1)),
      ],
      false,
      1977627468,
    )
  })

  // Found by the deep run (seed 1216216, size medium), shrunk: the words of a network switch, lagging
  // behind the answer to the disconnect() that came right after it, connected the tab again, and the
  // wallet told it nothing of that sign-out to end it.
  it("C6, C19: a tab signs out of a wallet that tells it nothing of its own calls, the words of a switch before that sign-out lagging behind its answer: the tab stays out", async () => {
    await runSequence(
      { ...base, walletConnected: true, eventDelays: [1, 1, 1], latency: { connect: 1, silent: 0 }, silent: true },
      [
        step('set accounts #0', (s) => s.wallet.setAccounts(ACCOUNT_SETS[0] ?? [])),
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('disconnect(0)', (s) => s.disconnect(0)),
        step('advance 10000 ms', (s) => s.time.advance(10_000)),
      ],
      false,
    )
  })

  // Found by seed 1162162 (size small): the word the wallet sent as it came back, not connected,
  // came after the answer to the connect() asked right then, as that connect read its accounts,
  // and failed it (4900), the wallet connected.
  it("C7: a tab connects to a wallet that tells it nothing of its own calls, the word of a drop before that connect lagging behind its answer: the tab ends connected", async () => {
    await runSequence(
      { ...base, locks: 'refused', eventDelays: [1, 1, 0], latency: { connect: 0, silent: 1 }, silent: true },
      [
        step('wallet drops', (s) => s.wallet.drop()),
        step('advance to expiry +1 ms, then connect(0, approve) ‖ wallet recovers', async (s) => {
          await s.time.advance(s.expiresIn() + 1)
          s.connect(0, 'approve')
          s.wallet.recover()
        }),
        step('connect(0, approve)', (s) => s.connect(0, 'approve')),
      ],
      false,
      725251760,
    )
  })
})

describe('model-based: a sign-out and a sign-in at once', () => {
  // The wallet's word of the sign-out comes after the new session began (its events lag behind its
  // answers), or never (a silent wallet): the store asks the wallet's status then (C6, C7).
  const calls = (s: System) => s.tabs[0]?.provider.calls.map((c) => c.method) ?? []

  it('C6, C7: the late word of the sign-out, the wallet still connected, leaves the new session as it is', async () => {
    await runSequence(
      { ...base, walletConnected: true, eventDelays: [0, 1, 0] },
      [
        step('signOutAndIn(0), then the wallet stays after 0 ms', async (s) => {
          await s.signOutAndIn(0, 'stays', 0)
          // the connect's reads, then the check of that word
          expect(calls(s).slice(-5)).toEqual(['disconnect', 'connect', 'listAccounts', 'getActiveNetwork', 'status'])
        }),
      ],
      false,
    )
  })

  // Found by the deep runs (seeds 1029384 and 9876543, sizes medium and large).
  it.each([
    ['', []],
    [', then drops and connects itself before it handles it, and recovers as it does', ['wallet drops ‖ wallet connects itself']],
  ] as const)('C6, C19: a silent wallet handles the disconnect() after the connect() asked after it%s: the tab ends disconnected, as the wallet is', async (_, more) => {
    await runSequence(
      { ...base, walletConnected: true, silent: true, storageDelay: 1 },
      [
        step('wallet disconnect {"kind":"late","ms":102} ×1', (s) => s.walletFault('disconnect', { kind: 'late', ms: 102 }, 1)),
        step('signOutAndIn(0), then the wallet stays after 0 ms', (s) => s.signOutAndIn(0, 'stays', 0)),
        ...more.map((label) =>
          step(label, (s) => {
            s.wallet.drop()
            s.connectFromWallet()
          }),
        ),
      ],
      false,
    )
  })

  // Found by the deep run (seed 2233445, size large).
  it("C6, C19: a silent wallet handles the disconnect() after an async connect() asked after it, which the wallet's own connection approved; its drop was told before: the tab ends disconnected, as the wallet is", async () => {
    await runSequence(
      { ...base, reconnect: false, eventDelays: [0, 1, 0], silent: true },
      [
        step('wallet disconnect {"kind":"late","ms":2} ×1', (s) => s.walletFault('disconnect', { kind: 'late', ms: 2 }, 1)),
        step('disconnect(0) ‖ connect(0, async)', (s) => {
          s.disconnect(0)
          s.connect(0, 'async')
        }),
        step('wallet drops', (s) => s.wallet.drop()),
        step('wallet recovers ‖ wallet connects itself', (s) => {
          s.wallet.recover()
          s.connectFromWallet()
        }),
      ],
      false,
    )
  })

  // Found by the deep run (seed 1149149, size medium).
  it.each([
    [1, 'its word of that connection'],
    [2, 'its words of those two connections'],
  ])("C3, C6: a disconnect() that ends a connect() to an unreachable wallet still on its way, the wallet having connected on its own meanwhile (%i×): %s, which the disconnect undid, told as it comes back, do not fail the connect() asked after it", async (times) => {
    await runSequence(
      { ...base, locks: 'refused', eventDelays: [1, 0, 0], latency: { connect: 1, silent: 0 }, silent: true },
      [
        step('signOutAndIn(0), then the wallet drops after 1 ms', (s) => s.signOutAndIn(0, 'drops', 1)),
        ...Array.from({ length: times }, () => step('wallet connects itself', (s) => s.connectFromWallet())),
        step('connect(0, approve)', (s) => s.connect(0, 'approve')),
        step('disconnect(0) ‖ restore(0)', (s) => {
          s.disconnect(0)
          s.restore(0)
        }),
        step('wallet recovers', (s) => s.wallet.recover()),
        step('signOutAndIn(0), then the wallet stays after 1 ms', (s) => s.signOutAndIn(0, 'stays', 1)),
        step('thaw(0)', (s) => s.freeze(0, false)),
      ],
      false,
      1655029548,
    )
  })

  // Found by the deep run (seed 1136136, size medium): the events of the tab lag behind the
  // wallet's answers; the stale accountsChanged of a connection the tab's disconnect() ended came
  // after the accounts read of the connection the wallet made on its own since, and the late word of
  // that sign-out, checked, left the stale party.
  it("C6, C11: the late word of a sign-out, the wallet connected again since: the accounts an event told before that word are read again", async () => {
    await runSequence(
      { ...base, initialTabs: 2, eventDelays: [0, 17, 0], storageDelay: 1 },
      [
        step('connect(0, approve) ‖ closeTab(1)', (s) => {
          s.connect(0, 'approve')
          s.closeTab(1)
        }),
        step('switch party #0', (s) => {
          const target = s.wallet.state().accounts[0]
          if (target) s.wallet.switchParty(target.partyId)
        }),
        step('disconnect(0) ‖ connect(0, reject)', (s) => {
          s.disconnect(0)
          s.connect(0, 'reject')
        }),
        step('advance to expiry +16 ms, then restore(0) ‖ wallet recovers', async (s) => {
          await s.time.advance(16)
          s.restore(0)
          s.wallet.recover()
        }),
        step('set accounts #0', (s) => s.wallet.setAccounts(ACCOUNT_SETS[0] ?? [])),
        step('disconnect(0)', (s) => s.disconnect(0)),
        step('wallet connects itself', (s) => s.connectFromWallet()),
      ],
      false,
      2117678890,
    )
  })

  // Found by the deep run (seed 1192192, size medium): the sign-out in the wallet that ended a
  // connect() waiting for its user there was told twice, as that connect's decline and then as its
  // statusChanged(false), both after the next connect's answer; the status read that found the first
  // word late came back before the second, which ended the session, the wallet connected.
  it("C3, C6: a sign-out in the wallet that ended a connect() waiting for its user, told twice after the next connect() of a wallet that tells nothing of it, the second word after the check of the first: the tab stays connected", async () => {
    await runSequence(
      { ...base, eventDelays: [1, 1, 0], silent: true },
      [
        step('disconnect(0) ‖ connect(0, async)', (s) => {
          s.disconnect(0)
          s.connect(0, 'async')
        }),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
        step('signOutAndIn(0), then the wallet stays after 1 ms', (s) => s.signOutAndIn(0, 'stays', 1)),
      ],
      false,
    )
  })

  // Found by the deep run (seed 1248248, size small): the words of the wallet's own connections and
  // of their sign-outs, lagging, came after the word that failed the connect() asked after them, and
  // before its answer; the tab took up the last connection and ended it again, and the answer, which
  // told the connection the wallet holds, was dropped.
  it("C3, C6, C19: a silent wallet connects and signs out on its own twice, its words lagging, then the tab signs out and in: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, eventDelays: [0, 1, 0], latency: { connect: 1, silent: 0 }, silent: true },
      [
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('wallet disconnects itself ‖ wallet connects itself', (s) => {
          s.wallet.disconnectFromWallet()
          s.connectFromWallet()
        }),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
        step('signOutAndIn(0), then the wallet stays after 1 ms', (s) => s.signOutAndIn(0, 'stays', 1)),
      ],
      false,
    )
  })

  // Found by the same run once that was fixed: the words come after the connect's answer; the
  // first sign-out, checked, was found late, and the second one, after the words of the wallet's
  // own connection between them, ended the session.
  it("C6, C19: a silent wallet signs out, connects and signs out on its own, its words lagging behind the answers, then the tab signs out and in: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, eventDelays: [0, 2, 0], latency: { connect: 1, silent: 0 }, silent: true },
      [
        step('wallet disconnects itself ‖ wallet connects itself', (s) => {
          s.wallet.disconnectFromWallet()
          s.connectFromWallet()
        }),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
        step('signOutAndIn(0), then the wallet stays after 1 ms', (s) => s.signOutAndIn(0, 'stays', 1)),
      ],
      false,
    )
  })

  it.each([
    ['drops', 'reconnects, and gives up as the wallet stays away', 4900],
    ['signs out', 'is disconnected', undefined],
  ] as const)('C6, C7: a silent wallet %s right after them: the tab %s', async (then, _, code) => {
    await runSequence(
      { ...base, walletConnected: true, silent: true },
      [
        step(`signOutAndIn(0), then the wallet ${then} after 0 ms`, async (s) => {
          await s.signOutAndIn(0, then, 0)
          expect(s.tabs[0]?.store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: code === undefined ? null : { code } })
          expect(calls(s)).toContain('status')
        }),
      ],
      false,
    )
  })

  // Found by the deep run (seed 1140140, size small) once the first sign-out word after a connect was
  // checked: the other tab's sign-out (M3) reached the wallet after this tab's connect, its word came
  // while this tab checked the word of its own sign-out, and a newer status event dropped that check.
  it("C6, M3: the other tab's sign-out word, held while this tab checks its own after a disconnect() and a connect(), ends the session once that check's answer is dropped", async () => {
    await runSequence(
      { ...base, locks: 'refused', initialTabs: 2, walletConnected: true, eventDelays: [0, 1, 1], latency: { connect: 2, silent: 0 } },
      [
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('signOutAndIn(0), then the wallet stays after 0 ms', (s) => s.signOutAndIn(0, 'stays', 0)),
        step('thaw(0)', (s) => s.freeze(0, false)),
      ],
      false,
      1697914451,
    )
  })

  // Found by the deep run (seed 1278278, size small): tab 1 signed out of a wallet that had connected
  // on its own, and tab 2, out, heard of it and connected; the wallet's words of its own connection
  // and of that sign-out, lagging, came after that connect's answer, and the sign-out ended tab 2's
  // session, the wallet connected. (The re-auth prompts the run also drew showed none: left out.)
  it("C6, C7, M3: another tab signs out of a wallet that connected on its own, then this tab connects, the wallet's words of that connection and of that sign-out lagging behind its answer: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, initialTabs: 2, eventDelays: [0, 1, 1], storageDelay: 1, silent: true },
      [
        step('signOutAndIn(0), then the wallet stays after 0 ms', (s) => s.signOutAndIn(0, 'stays', 0)),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('disconnect(0)', (s) => s.disconnect(0)),
        step('connect(1, approve)', (s) => s.connect(1, 'approve')),
        step('connect(0, approve) ‖ connect(0, approve)', (s) => {
          s.connect(0, 'approve')
          s.connect(0, 'approve')
        }),
      ],
      false,
      885783476,
    )
  })

  // Found by the deep run (seed 1300130, size small): the tab took the lagging words of the wallet's
  // connection before its sign-out for the connect's, with that connection's accounts; the sign-out
  // word, checked, was followed by the words of the connection that approved the connect, which
  // dropped the check's answer, and no one read the accounts the wallet changed while it was out.
  it("C3, C11, C19: a tab signs out and in, the wallet's words lagging, and the wallet connects again once its accounts changed while it was out: the tab ends on the wallet's party", async () => {
    await runSequence(
      { ...base, walletConnected: true, eventDelays: [0, 1, 0], latency: { connect: 0, silent: 1 } },
      [
        step('set accounts #0', (s) => s.wallet.setAccounts(ACCOUNT_SETS[0] ?? [])),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('disconnect(0) ‖ connect(0, manual)', (s) => {
          s.disconnect(0)
          s.connect(0, 'manual')
        }),
        step('set accounts #2', (s) => s.wallet.setAccounts(ACCOUNT_SETS[2] ?? [])),
        step('wallet connects itself', (s) => s.connectFromWallet()),
      ],
      false,
    )
  })

  // Found by the deep run (seed 1268268, size small): a tab out already as another tab signed out
  // left its wallet too (M3), which accepted that; the silent wallet's lagging words of connections
  // before that sign-out came after the answer, and the tab took them up: connected, the wallet out.
  it("C6, C19, M3: a tab out as another tab signs out and in leaves its silent wallet too, the wallet's words lagging: the tab ends out, as the wallet is", async () => {
    await runSequence(
      { ...base, initialTabs: 2, eventDelays: [1, 1, 0], silent: true },
      [
        step('reload(0)', (s) => s.tabs.length > 0 && (s.closeTab(0), s.openTab())),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('wallet * {"kind":"hang"} ×1', (s) => s.walletFault('*', { kind: 'hang' }, 1)),
        step('signOutAndIn(0), then the wallet stays after 0 ms', (s) => s.signOutAndIn(0, 'stays', 0)),
        step('wallet status {"kind":"late","ms":1} ×1', (s) => s.walletFault('status', { kind: 'late', ms: 1 }, 1)),
      ],
      false,
    )
  })

  // Found by the same run once that was fixed: more such words came while the status read that
  // checks the first one was on its way, and the tab took one up before that read's answer.
  it("C6, C19, M3: a tab connected as another tab signs out and in leaves its silent wallet too, the wallet's words lagging, and more of them come while it asks the wallet: the tab ends out, as the wallet is", async () => {
    await runSequence(
      { ...base, initialTabs: 3, eventDelays: [1, 1, 0], silent: true },
      [
        step('reload(0)', (s) => s.tabs.length > 0 && (s.closeTab(0), s.openTab())),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('connect(1, approve)', (s) => s.connect(1, 'approve')),
        step('wallet * {"kind":"hang"} ×3', (s) => s.walletFault('*', { kind: 'hang' }, 3)),
        step('sleep 1000 ms', (s) => s.time.sleep(1000)),
        step('wallet status {"kind":"late","ms":1} ×2', (s) => s.walletFault('status', { kind: 'late', ms: 1 }, 2)),
        step('signOutAndIn(0), then the wallet stays after 0 ms', (s) => s.signOutAndIn(0, 'stays', 0)),
      ],
      false,
    )
  })

  // Found by the deep run (seed 1303303, size medium): a silent wallet, connected on its own, its
  // events lagging; the tab, out, signs out and connects at once, the wallet holding that connect for
  // its user. The lagging words of the wallet's own connection, which that sign-out ended, came while
  // the connect waited, and were taken for its approval: the tab showed connected, the wallet out.
  it("C6, C19: a silent wallet's lagging words of a connection a sign-out the wallet accepted ended, told while a connect() waits for its user, are checked, not taken as the approval: the connect waits on", async () => {
    await runSequence(
      { ...base, initialTabs: 2, eventDelays: [1, 0, 0], silent: true },
      [
        step('reload(0)', (s) => s.tabs.length > 0 && (s.closeTab(0), s.openTab())),
        step('reload(0)', (s) => s.tabs.length > 0 && (s.closeTab(0), s.openTab())),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('switch party #0', (s) => {
          const target = s.wallet.state().accounts[0]
          if (target) s.wallet.switchParty(target.partyId)
        }),
        step('wallet connects itself ‖ closeTab(1)', (s) => {
          s.connectFromWallet()
          s.closeTab(1)
        }),
        step('disconnect(0) ‖ connect(0, manual)', (s) => {
          s.disconnect(0)
          s.connect(0, 'manual')
        }),
        step('channel message null', (s) => s.rawChannelMessage(null)),
      ],
      false,
      2047997876,
    )
  })

  // Found by the deep run (seed 1301301, size medium): the wallet connected on its own and switched
  // networks, its words lagging on their way to tab 2; tab 1 closed, and tab 2, still restoring, signed
  // out; the wallet, which tells a tab nothing of its own calls, answered, then its words came, and
  // tab 2 followed them while the wallet was out. (The re-auth prompt the run also drew showed none:
  // left out.)
  it("C6, C19: a tab signs out as it restores, before the lagging words of a connection the wallet made on its own, and of a switch since, come: the tab ends out, as the wallet is", async () => {
    await runSequence(
      { ...base, eventDelays: [1, 0, 2], latency: { connect: 0, silent: 1 }, storageDelay: 1, silent: true },
      [
        step('openTab', (s) => s.openTab()),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('closeTab(0) ‖ disconnect(0)', (s) => {
          s.closeTab(0)
          s.disconnect(0)
        }),
      ],
      false,
      294902520,
    )
  })

  // Found by the deep run (seed 1278278, size small) once connections told as a connect() runs after
  // an accepted sign-out were checked: the wallet came back and connected on its own as the tab
  // connected; the connect failed (4900) while the check of that word travelled, and the check's
  // answer, come after the op, was dropped: the tab stayed out, the wallet connected.
  it("C19: the wallet connects on its own as a connect() after an accepted sign-out runs, and that connect fails while the wallet's word is checked: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, initialTabs: 2, latency: { connect: 1, silent: 1 }, apart: true },
      [
        step('signOutAndIn(0), then the wallet drops after 0 ms', (s) => s.signOutAndIn(0, 'drops', 0)),
        step('disconnect(0) ‖ restore(0)', (s) => {
          s.disconnect(0)
          s.restore(0)
        }),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('advance to expiry +1 ms, then connect(0, approve) ‖ closeTab(1)', async (s) => {
          await s.time.advance(s.expiresIn() + 1)
          s.connect(0, 'approve')
          s.closeTab(1)
        }),
      ],
      false,
      54578531,
    )
  })
  // Found by the deep run (seed 1303303, size medium) on a first version of the fix above: the
  // answers of a sync were dropped as a disconnect() that hung timed out, and the sync, asked
  // nothing more, held every later op: restore() never settled.
  it("C9, C17, C19: a silent wallet's disconnect() that hangs and times out as the tab checks a connection the wallet told: the check settles, and restore() after it", async () => {
    await runSequence(
      { ...base, locks: 'refused', eventDelays: [1, 0, 0], latency: { connect: 0, silent: 134 }, silent: true },
      [
        step('wallet disconnect {"kind":"hang"} ×1', (s) => s.walletFault('disconnect', { kind: 'hang' }, 1)),
        step('wallet drops', (s) => s.wallet.drop()),
        step('signOutAndIn(0), then the wallet stays after 363 ms', (s) => s.signOutAndIn(0, 'stays', 363)),
        step('wallet connects itself ‖ cancelReconnect(0)', (s) => {
          s.connectFromWallet()
          s.cancelReconnect(0)
        }),
        step('switch party #0', (s) => {
          const target = s.wallet.state().accounts[0]
          if (target) s.wallet.switchParty(target.partyId)
        }),
      ],
      false,
      1359125713,
    )
  })

  // Found by the deep run (seed 1378378, size large): the wallet connected on its own, then dropped
  // as the tab signed out, and handled that disconnect late. Its drop word, before that answer, was
  // taken for the word of the sign-out, and the connection it told as it came back was followed
  // unchecked (without the freeze); the check of it read the wallet before it handled the
  // disconnect, whose answer came during that check (with it): the tab connected, the wallet out.
  it.each([
    ['', false],
    [', the tab frozen a second before', true],
  ] as const)("C6, C19: a silent wallet that drops as the tab signs out and handles that disconnect late, then comes back: the tab ends out, as the wallet is%s", async (_, frozen) => {
    await runSequence(
      { ...base, locks: 'refused', latency: { connect: 0, silent: 2 }, storageDelay: 1, silent: true },
      [
        step('wallet disconnect {"kind":"late","ms":3} ×1', (s) => s.walletFault('disconnect', { kind: 'late', ms: 3 }, 1)),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        ...(frozen
          ? [
              step('freeze(0), advance 1000 ms, thaw(0)', async (s) => {
                s.freeze(0, true)
                await s.time.advance(1000)
                s.freeze(0, false)
              }),
            ]
          : []),
        step('wallet drops ‖ disconnect(0)', (s) => {
          s.wallet.drop()
          s.disconnect(0)
        }),
        step('connect(0, approve)', (s) => s.connect(0, 'approve')),
        step('touch(0)', (s) => s.touch(0)),
      ],
      false,
      655045188,
    )
  })

  // Found by the deep run (seed 1288288, size medium): a silent wallet, its events lagging, switched
  // networks, then signed out on its own as the user clicked Connect, and approved. The old words
  // came as the connect read its accounts: the switch, then the sign-out, which failed the connect
  // (no check: the switch was a status word since it): the tab out, the wallet connected.
  it("C3, C19: a silent wallet's lagging words of a switch and a sign-out before a connect() fail it as it reads its accounts: the wallet, asked, is connected, and the tab takes it up", async () => {
    await runSequence(
      { ...base, walletConnected: true, eventDelays: [1, 1, 0], latency: { connect: 0, silent: 1 }, storageDelay: 2, silent: true },
      [
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('wallet disconnects itself ‖ connect(0, approve)', (s) => {
          s.wallet.disconnectFromWallet()
          s.connect(0, 'approve')
        }),
        step('advance to expiry +0 ms', (s) => s.time.advance(s.expiresIn())),
      ],
      false,
      2147483628,
    )
  })

  // Found by the deep run (seed 1298298, size small): the same with the wallet's own connection as
  // the status word, after the connect's answer: its old sign-out ended the new session.
  it("C6, C19: a silent wallet's lagging words of its own connection and sign-out before a connect(), after its answer: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, eventDelays: [1, 5, 1], latency: { connect: 1, silent: 0 }, silent: true },
      [
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('wallet disconnects itself ‖ connect(0, approve)', (s) => {
          s.wallet.disconnectFromWallet()
          s.connect(0, 'approve')
        }),
      ],
      false,
      446975836,
    )
  })

  // Found by the deep run (seed 1197196, size small): a silent wallet, its events lagging, connected
  // and signed out on its own twice as the tab signed out and in. The old sign-out words came after
  // the connect's answer, behind the wallet's old words that it is connected: the first ended the
  // session, unchecked; the read after it found the wallet connected and took the connection up,
  // and the second old word ended it again, unchecked: the tab out, the wallet connected.
  it("C6, C19: a silent wallet's two lagging sign-out words of before a connect(), behind its words that it is connected: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, initialTabs: 2, walletConnected: false, eventDelays: [0, 1, 1], latency: { connect: 0, silent: 0 }, storageDelay: 0, silent: true },
      [
        step('closeTab(0)', (s) => s.closeTab(0)),
        step('channel message {}', (s) => s.rawChannelMessage({})),
        step('wallet connects itself ‖ wallet disconnects itself', (s) => {
          s.connectFromWallet()
          s.wallet.disconnectFromWallet()
        }),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
        step('signOutAndIn(0), then the wallet stays after 0 ms', (s) => s.signOutAndIn(0, 'stays', 0)),
      ],
      false,
      1480822332,
    )
  })

  // Found by the deep run (seed 1464464, size small): a tab signed out and in (the other closed), and
  // connected again, the wallet holding that connect for its user; the wallet connected on its own
  // two milliseconds before the connect's time ran out (its page frozen till then). Its words were
  // checked as words after the sign-out are, the connect's answer came overtaken by them, and the
  // connect timed out while the wallet was asked: that answer was dropped with the op. The tab out,
  // the wallet connected.
  it("C17, C19: a silent wallet that connects on its own as a connect() runs out of time, its words under check: the connect fails (TIMEOUT), and the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, reconnect: false, initialTabs: 2, eventDelays: [0, 1, 0], latency: { connect: 0, silent: 1 }, silent: true },
      [
        step('signOutAndIn(0), then the wallet stays after 1 ms', (s) => s.signOutAndIn(0, 'stays', 1)),
        step('closeTab(0)', (s) => s.closeTab(0)),
        step('advance to expiry +0 ms, then connect(0, manual) ‖ decline re-auth prompt(0)', async (s) => {
          await s.time.advance(s.expiresIn())
          s.connect(0, 'manual')
          s.answerPrompt(0, false)
        }),
        step('freeze(0), advance 4998 ms, thaw(0)', async (s) => {
          s.freeze(0, true)
          await s.time.advance(4998)
          s.freeze(0, false)
        }),
        step('wallet connects itself', (s) => s.connectFromWallet()),
      ],
      false,
      939564924,
    )
  })

  // Found by the deep run (seed 1472472, size large, shrunk by hand from 25 steps): the check of the
  // late word of a sign-out read a status that hung (the wallet's fault), and the tab signed out and
  // in meanwhile; the new session's words of that sign-out and of a drop right after it waited for
  // that read, the tab connected with the wallet out of reach until the read timed out.
  it("C7, C17: the wallet drops right after a sign-out and sign-in, a status read of the session before still hanging: the tab does not stay connected until that read times out", async () => {
    await runSequence(
      { ...base, eventDelays: [1, 1, 1], storageDelay: 1 },
      [
        step('wallet status {"kind":"hang"} ×2', (s) => s.walletFault('status', { kind: 'hang' }, 2)),
        step('openTab', (s) => s.tabs.length < 3 && s.openTab()),
        step('closeTab(0) ‖ disconnect(0)', (s) => {
          s.closeTab(0)
          s.disconnect(0)
        }),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('advance 123988 ms', (s) => s.time.advance(123988)),
        step('signOutAndIn(0), then the wallet stays after 1 ms', (s) => s.signOutAndIn(0, 'stays', 1)),
        step('signOutAndIn(0), then the wallet drops after 1 ms', (s) => s.signOutAndIn(0, 'drops', 1)),
      ],
      false,
      23,
    )
  })

  // Found by the deep run (seed 1487487, size large): the wallet connected on its own, its words
  // lagging; the tab signed out and asked an asynchronous connect at once, and the wallet's old words
  // of that connection, with its accounts, came before its answer to the disconnect: the connect took
  // them up. The wallet, out then, changed its accounts and connected on its own again, telling no
  // accounts: the tab showed the party of before (M5), the wallet another.
  it("C6, C11, M5: a connect() asked with a sign-out takes up the wallet's lagging words of the connection that sign-out ended: once the wallet answers the disconnect, the accounts they told are read again", async () => {
    await runSequence(
      { ...base, locks: 'refused', eventDelays: [1, 1, 1], latency: { connect: 1, silent: 1 }, storageDelay: 1 },
      [
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('disconnect(0) ‖ connect(0, async)', (s) => {
          s.disconnect(0)
          s.connect(0, 'async')
        }),
        step('set accounts #0', (s) => s.wallet.setAccounts(ACCOUNT_SETS[0] ?? [])),
        step('wallet drops', (s) => s.wallet.drop()),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('openTab', (s) => s.tabs.length < 3 && s.openTab()),
      ],
      false,
      594731659,
    )
  })

  // Found by the deep run (seed 1491491, size small) on a first version of the fix above, which had
  // the connect check those words instead: it checked the real approval of a connect() asked with a
  // sign-out (a gateway's events overtake the disconnect's answer), the other tab's sign-out ended
  // the wallet's connection, and the check's answer, overtaken by the wallet connecting on its own
  // again, failed that connect (4900): the tab out, the wallet connected.
  it("C3, C19, M3: a connect() asked with a sign-out, approved at once, the other tab signing out with it and the wallet connecting on its own again: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, eventDelays: [0, 0, 1], latency: { connect: 0, silent: 1 }, storageDelay: 1, apart: true },
      [
        step('openTab', (s) => s.tabs.length < 3 && s.openTab()),
        step('disconnect(0) ‖ connect(0, approve)', (s) => {
          s.disconnect(0)
          s.connect(0, 'approve')
        }),
        step('wallet connects itself', (s) => s.connectFromWallet()),
      ],
      false,
      1846098194,
    )
  })
})

describe('model-based: a decline the wallet tells for a prompt of a page since reloaded', () => {
  // Found by the deep run (seed 1612612, size medium), with a wallet that tells a tab nothing of
  // its own connect and disconnect. A page asked an asynchronous connect, the wallet dropped and its
  // user disconnected it meanwhile, which declined that prompt; the page reloaded. Back, the wallet
  // told that decline (`connected`, isConnected false) as the reloaded tab signed out and in: its
  // connect() took the word as its own user's decline (4001), and the wallet's approval of that
  // connect came after the op had ended — the tab out, the wallet connected.
  it("C3, C4, C19: a decline told before a connect's answer that says it is connected is of an earlier prompt: the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, eventDelays: [0, 0, 1], latency: { connect: 0, silent: 1 }, silent: true },
      [
        step('connect(0, async)', (s) => s.connect(0, 'async')),
        step('wallet drops', (s) => s.wallet.drop()),
        step('wallet disconnects itself', (s) => s.wallet.disconnectFromWallet()),
        step('reload(0)', (s) => s.tabs.length > 0 && (s.closeTab(0), s.openTab())),
        step('wallet recovers', (s) => s.wallet.recover()),
        step('signOutAndIn(0), then the wallet stays after 1 ms', (s) => s.signOutAndIn(0, 'stays', 1)),
      ],
      false,
      1971374504,
    )
  })

  // Found by the deep run (seed 1688688, size small) on a first version of the fix above, which kept
  // the decline until the connect's answer even after the wallet said it is connected: a tab signed
  // out and asked an asynchronous connect, the other tab's sign-out (M3) declined that prompt in the
  // wallet, which then connected on its own; the connect's answer (its prompt, not connected) came
  // last and failed the connect with that older decline (4001): the tab out, the wallet connected.
  it("C3, C6, C19, M3: a decline told before a connect's answer, then the wallet's own connection: the decline is of no connection since, the tab ends connected, as the wallet is", async () => {
    await runSequence(
      { ...base, locks: 'refused', initialTabs: 2, latency: { connect: 1, silent: 0 }, apart: true },
      [
        step('disconnect(0) ‖ connect(0, async)', (s) => {
          s.disconnect(0)
          s.connect(0, 'async')
        }),
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('freeze(0), advance 1000 ms, thaw(0)', async (s) => {
          s.freeze(0, true)
          await s.time.advance(1000)
          s.freeze(0, false)
        }),
      ],
      false,
      1567309295,
    )
  })
})

describe('model-based: a sign-out of a tab that showed no session, its wallet connected on its own', () => {
  // Found by the deep run (seed 1768768, size medium), with a wallet that tells a tab nothing of its
  // own connect and disconnect, and whose events reach the second tab late. The wallet connected on
  // its own; the second tab, out and not told yet, signed out (which ended that connection) and
  // connected, which the user declined. The words of the wallet's connection came after: taken up
  // at once, unchecked — the tab connected, the wallet out.
  it('C6, C19: a connection told after a sign-out of a tab that showed no session, and after a connect() since that failed, is checked: the tab stays out, as the wallet is', async () => {
    await runSequence(
      { ...base, reconnect: false, eventDelays: [0, 0, 2], latency: { connect: 0, silent: 1 }, silent: true },
      [
        step('openTab', (s) => s.tabs.length < 3 && s.openTab()),
        step('disconnect(0) ‖ wallet drops', (s) => {
          s.disconnect(0)
          s.wallet.drop()
        }),
        step('wallet recovers ‖ wallet connects itself', (s) => {
          s.wallet.recover()
          s.connectFromWallet()
        }),
        step('set accounts #0', (s) => s.wallet.setAccounts(ACCOUNT_SETS[0] ?? [])),
        step('disconnect(1) ‖ connect(1, reject)', (s) => {
          s.disconnect(1)
          s.connect(1, 'reject')
        }),
      ],
      false,
      4,
    )
  })

  // Found by the deep run (seed 1936936, size small), the same wallet: the second tab connected; the
  // first, restoring from a slow storage, signed out, which ended the wallet's session, unaware of
  // it (its events lagging). The wallet's words of its own sign-out and connection of before came
  // as that sign-out waited for the storage: the provider was marked only once the storage was
  // done, and the tab took up that connection, its accounts told with the other tab's connect.
  it('C6, C19: a connection told after a sign-out of a tab that showed no session, the wallet having answered it, its storage still busy, is checked: the tab stays out, as the wallet is', async () => {
    await runSequence(
      { ...base, initialTabs: 2, eventDelays: [0, 7, 1], storageDelay: 8, silent: true },
      [
        step('wallet disconnects itself ‖ wallet connects itself', (s) => {
          s.wallet.disconnectFromWallet()
          s.connectFromWallet()
        }),
        step('switch network canton:devnet', (s) => s.wallet.switchNetwork('canton:devnet')),
        step('connect(1, approve)', (s) => s.connect(1, 'approve')),
        step('disconnect(0) ‖ decline re-auth prompt(0)', (s) => {
          s.disconnect(0)
          s.answerPrompt(0, false)
        }),
      ],
      false,
      2147483644,
    )
  })
})

describe('model-based: the reconnect lock a sign-out takes', () => {
  // Found by the deep run (seed 1438438, size large) once a lock kept a second is kept through the
  // next op: a tab out signed out twice at once; the first sign-out took the free lock, the second
  // asked for it as free too (`ifAvailable`) and was told it is not. The model counted that answer
  // as a grant, and its end as the tab letting the lock go: the attempt the tab ran under the lock it
  // still held, after a sign-out, a sign-in and a drop, looked like one without it.
  it('M3, M6: a tab that signs out twice at once keeps the lock the first sign-out took, and runs the attempts of a drop after it signs in under that lock', async () => {
    await runSequence(
      { ...base, locks: true, eventDelays: [1, 0, 0], latency: { connect: 0, silent: 1 } },
      [
        step('disconnect(0) ‖ disconnect(0)', (s) => {
          s.disconnect(0)
          s.disconnect(0)
        }),
        step('signOutAndIn(0), then the wallet drops after 3 ms', (s) => s.signOutAndIn(0, 'drops', 3)),
        step('wallet connects itself', (s) => s.connectFromWallet()),
      ],
      false,
      1523846001,
    )
  })
})

describe("model-based: a reconnect attempt the wallet's return cancelled", () => {
  // Found by the deep run (seed 1529529, size large). Two tabs whose storage reads are slow: the
  // wallet connected on its own, dropped and came back, which cancelled the attempt its drop had
  // scheduled before it ran (C8); it dropped again as one tab signed out. That attempt still counted
  // as a failure: the other tab gave up (`reconnect:gaveup`, its one attempt spent) without having
  // probed once, its session ended by a give-up rather than by the sign-out (M3).
  it('C7, C8, M3: an attempt the wallet\'s return cancelled before it ran is no failure: a drop as another tab signs out ends no reconnect with a give-up', async () => {
    await runSequence(
      { ...base, initialTabs: 2, eventDelays: [0, 1, 0], storageDelay: 1 },
      [
        step('wallet connects itself', (s) => s.connectFromWallet()),
        step('wallet drops', (s) => s.wallet.drop()),
        step('wallet recovers', (s) => s.wallet.recover()),
        step('disconnect(0) ‖ wallet drops', (s) => {
          s.disconnect(0)
          s.wallet.drop()
        }),
      ],
      false,
      1809624246,
    )
  })
})

describe('model-based: replay', () => {
  it('M6: a sequence draws Math.random (the stores’ wait for a silent leader) from its seed, and gives it back after, also when it fails', async () => {
    const original = Math.random
    const draws = async (seed: number) => {
      const drawn: number[] = []
      await runSequence(base, [step('draw', () => drawn.push(Math.random(), Math.random()))], false, seed)
      return drawn
    }
    expect(await draws(7)).toEqual(await draws(7))
    expect(await draws(7)).not.toEqual(await draws(8))
    expect(Math.random).toBe(original)
    await expect(
      runSequence(
        base,
        [
          step('fails', () => {
            throw new Error('boom')
          }),
        ],
        false,
        7,
      ),
    ).rejects.toThrow('boom')
    expect(Math.random).toBe(original)
  })
})
