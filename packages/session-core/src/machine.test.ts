import { describe, expect, it } from 'vitest'
import type { CIP0103Account } from './cip0103'
import { DISCONNECTED_STATE, INITIAL_MODEL, transition, type Effect, type Input, type MachineConfig, type Model } from './machine'
import { DEFAULT_RETRY_POLICY } from './retry'
import { SessionError } from './SessionError'

const alice: CIP0103Account = Object.freeze({ partyId: 'alice::1', primary: true })
const bob: CIP0103Account = Object.freeze({ partyId: 'bob::2', primary: false })
const bobPrimary: CIP0103Account = Object.freeze({ partyId: 'bob::2', primary: true })
const aliceSecondary: CIP0103Account = Object.freeze({ partyId: 'alice::1', primary: false })

const plain: MachineConfig = { retry: null, reauth: false, lead: false }
const withRetry: MachineConfig = { retry: DEFAULT_RETRY_POLICY, reauth: false, lead: false }

/** Runs inputs through the pure machine, collecting every effect. */
function run(inputs: Input[], config: MachineConfig = plain, from: Model = INITIAL_MODEL, now = 1000) {
  let model = from
  const effects: Effect[] = []
  for (const input of inputs) {
    const [next, fx] = transition(model, input, config, now)
    model = next
    effects.push(...fx)
  }
  return { model, effects, state: model.snapshot }
}

const connectInputs: Input[] = [
  { type: 'connect' },
  { type: 'status', connected: true, via: 'connect' },
  { type: 'accounts', accounts: [alice, bob], origin: 'local' },
  { type: 'network', networkId: 'canton:devnet', origin: 'local' },
]
const connected = () => run(connectInputs).model
const calls = (effects: Effect[]) => effects.filter((e) => e[0] === 'call').map((e) => e[1])
const emitted = (effects: Effect[]) => effects.filter((e) => e[0] === 'emit').map((e) => e[1])

describe('the pure session machine', () => {
  it('C1: starts disconnected, frozen, with no account', () => {
    expect(INITIAL_MODEL.snapshot).toBe(DISCONNECTED_STATE)
    expect(DISCONNECTED_STATE).toEqual({
      status: 'disconnected',
      account: null,
      accounts: [],
      networkId: null,
      lastError: null,
      connectedAt: null,
      expiresAt: null,
    })
    expect(Object.isFrozen(DISCONNECTED_STATE)).toBe(true)
    expect(Object.isFrozen(DISCONNECTED_STATE.accounts)).toBe(true)
  })

  it('C3: connect asks the wallet, then reads what it does not know, then settles and persists', () => {
    const first = run([{ type: 'connect' }])
    expect(first.state.status).toBe('connecting')
    expect(calls(first.effects)).toEqual(['connect'])
    const answered = run([{ type: 'status', connected: true, via: 'connect' }], plain, first.model)
    expect(calls(answered.effects)).toEqual(['listAccounts', 'getActiveNetwork'])
    expect(answered.state.status).toBe('connecting')
    const done = run(connectInputs.slice(2), plain, answered.model)
    expect(done.state).toMatchObject({ status: 'connected', account: alice, accounts: [alice, bob], networkId: 'canton:devnet', connectedAt: 1000 })
    expect(done.effects.map((e) => e[0])).toEqual(['save', 'arm', 'post'])
    expect(Object.isFrozen(done.state)).toBe(true)
  })

  it('C3: an asynchronous wallet emits connect:pending and completes on the connected event', () => {
    const pending = run([{ type: 'connect' }, { type: 'status', connected: false, userUrl: 'https://w/approve', via: 'connect' }])
    expect(pending.state.status).toBe('connecting')
    expect(pending.effects).toContainEqual(['emit', 'connect:pending', { userUrl: 'https://w/approve' }])
    const done = run(
      [
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
      ],
      plain,
      pending.model,
    )
    expect(done.state.status).toBe('connected')
    expect(calls(done.effects)).toEqual(['listAccounts'])
  })

  it('C3: a declined asynchronous connect fails with 4001', () => {
    const { state } = run([
      { type: 'connect' },
      { type: 'status', connected: false, via: 'connect' },
      { type: 'status', connected: false, reason: 'rejected', via: 'statusChanged' },
    ])
    expect(state.status).toBe('disconnected')
    expect(state.lastError).toMatchObject({ code: 4001, message: 'rejected' })
  })

  it('C3/C4: an asynchronous wallet\'s decline (a connected event, isConnected: false) that comes before its { isConnected: false } answer fails the connect once that answer comes; an answer that it is connected overrules it (the word was of an earlier prompt); a statusChanged(false) then declines nothing', () => {
    const answer: Input = { type: 'status', connected: false, userUrl: 'https://w/approve', via: 'connect' }
    const told = run([{ type: 'connect' }, { type: 'status', connected: false, reason: 'rejected', via: 'connected' }])
    expect(told.state).toMatchObject({ status: 'connecting', lastError: null })
    const declined = run([answer], plain, told.model)
    expect(declined.state).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 4001, message: 'rejected' } })
    expect(declined.model.op).toBeNull()
    expect(emitted(declined.effects)).not.toContain('connect:pending')
    const approved = run([{ type: 'status', connected: true, via: 'connect' }, { type: 'accounts', accounts: [alice], origin: 'local' }, { type: 'network', networkId: 'canton:devnet', origin: 'local' }], plain, told.model)
    expect(approved.state).toMatchObject({ status: 'connected', account: alice, lastError: null })
    const waiting = run([{ type: 'connect' }, { type: 'status', connected: false, via: 'statusChanged' }, answer])
    expect(waiting.state).toMatchObject({ status: 'connecting', lastError: null })
    expect(emitted(waiting.effects)).toEqual(['connect:pending'])
  })

  it('C3, C6, C19: a decline the connected event told before the answer of a connect asked with a sign-out, then the wallet connecting on its own: the answer that it is not connected declines nothing, the connect checks that connection and takes it up', () => {
    const told = run([
      { type: 'disconnect', origin: 'local' },
      { type: 'connect' },
      { type: 'status', connected: false, reason: 'rejected', via: 'connected' },
      { type: 'left' },
      // the wallet's words of its own connection, which may be older than the sign-out: checked (see `vetting`)
      { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged', overtaken: true },
      { type: 'status', connected: true, networkId: 'canton:devnet', via: 'connected', overtaken: true },
    ])
    const answered = run([{ type: 'status', connected: false, via: 'connect', overtaken: true }], plain, told.model)
    expect(answered.state).toMatchObject({ status: 'connecting', lastError: null })
    const checked = run([{ type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' }], plain, answered.model)
    expect(calls(checked.effects)).toContain('listAccounts')
    const settled = run([{ type: 'accounts', accounts: [alice], origin: 'local' }], plain, checked.model)
    expect(settled.state).toMatchObject({ status: 'connected', account: alice, networkId: 'canton:devnet', lastError: null })
  })

  it('C3, C17: a connect whose answer said it is connected, overtaken by a newer word and checked, fails (4900) once a check finds the wallet out: its later words of a connection are of that approval, no prompt to wait for', () => {
    const asked = run([
      { type: 'disconnect', origin: 'local' },
      { type: 'connect' },
      { type: 'left' },
      { type: 'status', connected: true, via: 'connect', overtaken: true },
    ])
    expect(calls(asked.effects)).toContain('status')
    expect(asked.model.approved).toBe(true)
    const told = run(
      [
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged', overtaken: true },
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'connected', overtaken: true },
        { type: 'status', connected: false, reason: 'disconnect', via: 'statusChanged' },
      ],
      plain,
      asked.model,
    )
    expect(told.model.vetting).toBeFalsy()
    expect(told.state).toMatchObject({ status: 'connecting', lastError: null })
    const out = run([{ type: 'status', connected: false, via: 'probe' }], plain, told.model)
    expect(out.state).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 4900 } })
    expect(out.model.op).toBeNull()
    // with no approval, such a check leaves the connect waiting for its user (see `vetting`)
    const unanswered = run(
      [
        { type: 'disconnect', origin: 'local' },
        { type: 'connect' },
        { type: 'left' },
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged', overtaken: true },
        { type: 'status', connected: false, via: 'probe' },
      ],
    )
    expect(unanswered.state).toMatchObject({ status: 'connecting', lastError: null })
  })

  it('C4: a wallet failure during connect resolves disconnected with the error kept', () => {
    const error = new SessionError('User rejected', 4001)
    const { state } = run([{ type: 'connect' }, { type: 'fail', verb: 'connect', failure: error, origin: 'local' }])
    expect(state).toMatchObject({ status: 'disconnected', account: null, accounts: [], lastError: error })
  })

  it('C5: accounts announced while disconnected are remembered and shown only once connected', () => {
    const early = run([{ type: 'accounts', accounts: [alice], origin: 'local' }])
    expect(early.state).toBe(DISCONNECTED_STATE)
    const later = run(
      [
        { type: 'connect' },
        { type: 'status', connected: true, networkId: 'n', via: 'connect' },
      ],
      plain,
      early.model,
    )
    expect(calls(later.effects)).toEqual(['connect'])
    expect(later.state.account).toEqual(alice)
  })

  it('C2: an identical event or equal accounts keep the same snapshot and write nothing', () => {
    const model = connected()
    const same = run(
      [
        { type: 'accounts', accounts: [{ ...alice }, { ...bob }], origin: 'local' },
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' },
        { type: 'network', networkId: 'canton:devnet', origin: 'local' },
      ],
      plain,
      model,
    )
    expect(same.state).toBe(model.snapshot)
    expect(same.effects).toEqual([])
  })

  it('C2: a disconnect while disconnected changes nothing visible', () => {
    const { state } = run([{ type: 'disconnect', origin: 'local' }])
    expect(state).toBe(DISCONNECTED_STATE)
  })

  it('C11: a party switch notifies, invalidates, persists, then broadcasts — a reorder is no change', () => {
    const model = connected()
    const reorder = run([{ type: 'accounts', accounts: [bob, alice], origin: 'local' }], plain, model)
    expect(reorder.state.account).toEqual(alice)
    expect(emitted(reorder.effects)).toEqual([])
    const switched = run([{ type: 'accounts', accounts: [aliceSecondary, bobPrimary], origin: 'local' }], plain, model)
    expect(switched.state.account).toEqual(bobPrimary)
    expect(switched.effects).toEqual([
      ['emit', 'party:changed', { previous: 'alice::1', current: 'bob::2', source: 'local' }],
      ['invalidate', { type: 'party:changed', previous: 'alice::1', current: 'bob::2', source: 'local' }],
      ['save'],
      ['post', 'party', { current: 'bob::2' }],
    ])
  })

  it('C11: a change learnt from another tab is applied without being broadcast again', () => {
    const { effects } = run([{ type: 'accounts', accounts: [bobPrimary], origin: 'remote' }], plain, connected())
    expect(effects.some((e) => e[0] === 'post')).toBe(false)
    expect(effects[0]).toEqual(['emit', 'party:changed', { previous: 'alice::1', current: 'bob::2', source: 'remote' }])
  })

  it('M2, M5: the memo of the tabs that told one party word is read anew past 10,000 characters: a flood of the word from ever new tab ids (a hostile tab) keeps it bounded, and asks the wallet once per memo', () => {
    let model = connected()
    let asked = 0
    let longest = 0
    for (let i = 0; i < 25_000; i++) {
      const [next, fx] = transition(model, { type: 'remote', kind: 'party', current: 'mallory::1', teller: `forged-${i}-${'x'.repeat(40)}` }, plain, 1000)
      model = next
      asked += calls(fx).filter((method) => method === 'listAccounts').length
      longest = Math.max(longest, String(model.reread).length)
    }
    // the word's line and some 200 tellers' of about 50 characters each, then anew
    expect(longest).toBeGreaterThan(9_000)
    expect(longest).toBeLessThan(10_100)
    expect(asked).toBeGreaterThan(100)
    expect(asked).toBeLessThan(150)
    // the party stays the wallet's until it answers
    expect(model.snapshot.account?.partyId).toBe('alice::1')
  })

  it('C6: disconnect goes down in one step, leaves the wallet, forgets the entry, tells the tabs and invalidates', () => {
    const { state, effects } = run([{ type: 'disconnect', origin: 'local' }], plain, connected())
    expect(state).toBe(DISCONNECTED_STATE)
    expect(effects.map((e) => e[0] + (e[0] === 'call' || e[0] === 'post' ? `:${e[1]}` : ''))).toEqual([
      'disarm',
      'remove',
      // the other tabs first: the wallet's answer must not look like a drop to them (M3)
      'post:disconnected',
      'call:disconnect',
      'invalidate',
      'reject',
    ])
  })

  it('C7: a drop without a policy goes straight to disconnected with 4900', () => {
    const { state } = run([{ type: 'status', connected: false, via: 'statusChanged' }], plain, connected())
    expect(state.status).toBe('disconnected')
    expect(state.lastError?.code).toBe(4900)
  })

  it('C7/C8: a drop with a policy keeps the account, schedules once, and a second drop adds nothing', () => {
    const drop: Input = { type: 'status', connected: false, via: 'statusChanged' }
    const first = run([drop], withRetry, connected())
    expect(first.state.status).toBe('reconnecting')
    expect(first.state.account).toEqual(alice)
    expect(first.effects).toEqual([
      ['emit', 'reconnect:scheduled', { attempt: 1, delayMs: 500 }],
      ['schedule', 500],
    ])
    const again = run([drop, { type: 'tick' }, drop], withRetry, first.model)
    expect(again.effects.filter((e) => e[0] === 'schedule')).toEqual([])
    expect(calls(again.effects)).toEqual(['status'])
  })

  it('C7: failed attempts back off at computeBackoffDelay offsets, then give up', () => {
    let model = run([{ type: 'status', connected: false, via: 'statusChanged' }], withRetry, connected()).model
    const delays: number[] = []
    const events: string[] = []
    for (let i = 0; i < 5; i++) {
      const r = run([{ type: 'tick' }, { type: 'fail', verb: 'status', failure: new SessionError('down', 4900), origin: 'local' }], withRetry, model)
      model = r.model
      for (const e of r.effects) {
        if (e[0] === 'schedule') delays.push(e[1])
        if (e[0] === 'emit') events.push(e[1])
      }
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000])
    expect(events.at(-1)).toBe('reconnect:gaveup')
    expect(model.snapshot).toMatchObject({ status: 'disconnected', account: null })
    expect(model.snapshot.lastError?.code).toBe(4900)
  })

  it('C8: the wallet recovering by itself cancels the pending attempt and reconnects', () => {
    const dropped = run([{ type: 'status', connected: false, via: 'statusChanged' }], withRetry, connected()).model
    const { state, effects } = run(
      [
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' },
        { type: 'accounts', accounts: [alice, bob], origin: 'local' },
      ],
      withRetry,
      dropped,
    )
    expect(effects[0]).toEqual(['schedule-clear'])
    expect(state.status).toBe('connected')
    expect(emitted(effects)).toContain('reconnect:succeeded')
  })

  it('C9, C10: a restore whose wallet is no longer connected ends the persisted session it read: its invalidation has source restore, and only the entry read goes', () => {
    const saved = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 10 }
    const read = run([{ type: 'restore' }, { type: 'loaded', saved }])
    const { state, effects } = run([{ type: 'status', connected: false, via: 'probe' }], plain, read.model)
    expect(state).toMatchObject({ status: 'disconnected', lastError: null })
    expect(effects).toContainEqual(['remove', 1])
    expect(effects).toContainEqual(['invalidate', { type: 'disconnected', previous: 'alice::1', current: null, source: 'restore' }])
  })

  it('C9: restore probes silently and never calls connect', () => {
    const restoring = run([{ type: 'restore' }, { type: 'loaded', saved: null }])
    expect(restoring.state.status).toBe('reconnecting')
    expect(calls(restoring.effects)).toEqual(['status'])
    const notLive = run([{ type: 'status', connected: false, via: 'probe' }], plain, restoring.model)
    expect(notLive.state.status).toBe('disconnected')
    expect(notLive.effects.map((e) => e[0])).toContain('remove')
    expect(calls(notLive.effects)).not.toContain('connect')
  })

  it('C10: a connect the user makes while the restore reads the persisted snapshot reconciles against it, as the restore would: source restore', () => {
    const saved = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 10 }
    const { state, effects } = run(
      [
        { type: 'restore' },
        { type: 'connect' },
        { type: 'loaded', saved },
        { type: 'status', connected: true, via: 'connect' },
        { type: 'accounts', accounts: [bobPrimary], origin: 'local' },
        { type: 'network', networkId: 'canton:mainnet', origin: 'local' },
      ],
      plain,
    )
    expect(state).toMatchObject({ status: 'connected', account: bobPrimary, networkId: 'canton:mainnet' })
    expect(effects).toContainEqual(['emit', 'party:changed', { previous: 'alice::1', current: 'bob::2', source: 'restore' }])
    expect(effects).toContainEqual(['emit', 'network:changed', { previous: 'canton:devnet', current: 'canton:mainnet', source: 'restore' }])
  })

  it('C10: restore reconciles the persisted party against the live wallet', () => {
    const saved = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 10 }
    const { state, effects } = run(
      [
        { type: 'restore' },
        { type: 'loaded', saved },
        { type: 'status', connected: true, networkId: 'canton:mainnet', via: 'probe' },
        { type: 'accounts', accounts: [bobPrimary], origin: 'local' },
      ],
      plain,
    )
    expect(state).toMatchObject({ status: 'connected', connectedAt: 10, networkId: 'canton:mainnet' })
    expect(effects).toContainEqual(['emit', 'party:changed', { previous: 'alice::1', current: 'bob::2', source: 'restore' }])
    expect(effects).toContainEqual(['emit', 'network:changed', { previous: 'canton:devnet', current: 'canton:mainnet', source: 'restore' }])
  })

  it('C10/C12: an expired persisted session follows the expiry path once a second read finds no newer one', () => {
    const saved = { account: alice, accounts: [alice], networkId: 'n', connectedAt: 10, expiresAt: 500 }
    const read = run([{ type: 'restore' }, { type: 'loaded', saved }], plain, INITIAL_MODEL, 1000)
    expect(read.state.status).toBe('reconnecting')
    expect(read.effects).toEqual([['load'], ['load']])
    for (const again of [saved, null]) {
      const { state, effects } = run([{ type: 'loaded', saved: again }], plain, read.model, 1000)
      expect(state.status).toBe('disconnected')
      expect(state.lastError?.code).toBe('SESSION_EXPIRED')
      expect(effects).toContainEqual(['emit', 'session:expired', { expiredAt: 500, reason: 'ttl' }])
      expect(effects).toContainEqual(['invalidate', { type: 'expired', previous: 'alice::1', current: null, source: 'restore' }])
      expect(calls(effects)).toEqual(['disconnect'])
    }
  })

  it("C10/C12: an expired session another tab's message told of expires without a second read when there is no persisted entry", () => {
    const told = run([{ type: 'restore' }, { type: 'remote', kind: 'connected', data: { connectedAt: 900, expiresAt: 1100 } }], plain, INITIAL_MODEL, 1000)
    const { state, effects } = run([{ type: 'loaded', saved: null }], plain, told.model, 1200)
    expect(state.lastError?.code).toBe('SESSION_EXPIRED')
    expect(effects).toContainEqual(['emit', 'session:expired', { expiredAt: 1100, reason: 'ttl' }])
    expect(effects).not.toContainEqual(['load'])
  })

  it('C9, C10, M4: a second read that finds a newer session (another tab connected anew) takes it up as a silent restore, once the wallet says it is connected', () => {
    const expired = { account: alice, accounts: [alice], networkId: 'n', connectedAt: 10, expiresAt: 500 }
    const newer = { ...expired, connectedAt: 900, expiresAt: 1500 }
    const read = run([{ type: 'restore' }, { type: 'loaded', saved: expired }, { type: 'loaded', saved: newer }], plain, INITIAL_MODEL, 1000)
    expect(read.state.status).toBe('reconnecting')
    expect(calls(read.effects)).toEqual(['status'])
    const { state, effects } = run(
      [
        { type: 'status', connected: true, via: 'probe' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
        { type: 'network', networkId: 'n', origin: 'local' },
      ],
      plain,
      read.model,
      1000,
    )
    expect(state).toMatchObject({ status: 'connected', connectedAt: 900, expiresAt: 1500 })
    expect(emitted(effects)).not.toContain('session:expired')
    expect(calls(effects)).not.toContain('disconnect')
  })

  it('C12: with a hook, expiry re-authenticates and returns to connected with a new TTL', () => {
    const config: MachineConfig = { ...plain, reauth: true, ttlMs: 100 }
    const start = run(connectInputs, config, INITIAL_MODEL, 0).model
    expect(start.snapshot.expiresAt).toBe(100)
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, start, 100)
    expect(expired.state.status).toBe('reconnecting')
    expect(expired.effects).toContainEqual(['reauth', { reason: 'ttl', expiredAt: 100 }])
    const back = run(
      [
        { type: 'reauth' },
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
      ],
      config,
      expired.model,
      150,
    )
    expect(back.state).toMatchObject({ status: 'connected', connectedAt: 150, expiresAt: 250 })
    expect(back.effects.map((e) => e[0])).toContain('flush')
  })

  it('C12, M4: another tab connecting while the hook waits ends the re-auth once the wallet confirms; the hook no longer counts', () => {
    const config: MachineConfig = { ...plain, reauth: true, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 100)
    const remote = run([{ type: 'remote', kind: 'connected' }], config, expired.model, 120)
    expect(remote.model).toMatchObject({ op: 'reauth', hook: false })
    expect(calls(remote.effects)).toEqual(['status'])
    const back = run(
      [
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
        { type: 'reauth', error: new Error('the stale prompt was declined') },
      ],
      config,
      remote.model,
      130,
    )
    expect(back.state).toMatchObject({ status: 'connected', connectedAt: 130, expiresAt: 230, lastError: null })
    expect(back.effects.map((e) => e[0])).toContain('flush')
  })

  it('C3, C4, C12: a user who declined the connect() made during the re-auth, then approves in the wallet, is shown no decline: the re-auth waits for its hook, without error', () => {
    const config: MachineConfig = { ...plain, reauth: true }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 5 }], config, run(connectInputs, config).model)
    const declined = run([{ type: 'connect' }, { type: 'fail', verb: 'connect', origin: 'local', failure: new SessionError('declined', 4001) }], config, expired.model)
    expect(declined.state).toMatchObject({ status: 'reconnecting', lastError: { code: 4001 } })
    const approved = run([{ type: 'status', connected: true, via: 'statusChanged' }], config, declined.model)
    expect(approved.state).toMatchObject({ status: 'reconnecting', lastError: null })
    expect(approved.model.hook).toBe(true)
  })

  it('C13: a failing hook disconnects and rejects the queue with REAUTH_FAILED', () => {
    const config: MachineConfig = { ...plain, reauth: true }
    const expired = run([{ type: 'expire', reason: 'idle', at: 5 }], config, run(connectInputs, config).model)
    const cause = new Error('no')
    const { state, effects } = run([{ type: 'reauth', error: cause }], config, expired.model)
    expect(state.status).toBe('disconnected')
    expect(state.lastError).toMatchObject({ code: 'REAUTH_FAILED', cause })
    const reject = effects.find((e) => e[0] === 'reject')
    expect(reject?.[1]).toBe(state.lastError)
  })

  it("C6, C13, M3: a sign-out during the re-auth (this tab's disconnect(), another tab's) rejects the queue with REAUTH_FAILED 'The session ended before the operation ran' and no cause; another tab's expiry with its SESSION_EXPIRED as cause", () => {
    const config: MachineConfig = { ...plain, reauth: true }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 5 }], config, run(connectInputs, config).model)
    expect(expired.state.status).toBe('reconnecting')
    const rejectionOf = (input: Input) => {
      const { state, effects } = run([input], config, expired.model)
      expect(state.status).toBe('disconnected')
      const reject = effects.find((e) => e[0] === 'reject')
      expect(reject?.[1]).toBeInstanceOf(SessionError)
      return reject?.[1]
    }
    for (const input of [{ type: 'disconnect', origin: 'local' }, { type: 'disconnect', origin: 'remote' }] as const) {
      const error = rejectionOf(input)
      expect(error).toMatchObject({ code: 'REAUTH_FAILED', message: 'The session ended before the operation ran' })
      expect(error?.cause).toBeNull()
    }
    const error = rejectionOf({ type: 'disconnect', origin: 'remote', expired: true })
    expect(error).toMatchObject({ code: 'REAUTH_FAILED', message: 'The session ended before the operation ran', cause: { code: 'SESSION_EXPIRED' } })
  })

  it('C19: the wallet connecting on its own makes the store connected', () => {
    const { state } = run([
      { type: 'status', connected: true, networkId: 'n', via: 'statusChanged' },
      { type: 'accounts', accounts: [alice], origin: 'local' },
    ])
    expect(state.status).toBe('connected')
  })

  it('C11, C19: connected again by restore() while its disconnect is unanswered, the store follows the network the wallet reports', () => {
    // Found by the model test: a hung disconnect, a restore whose probe found the wallet connected,
    // then a network switch the store ignored (an event while leaving) and never caught up with.
    const back = run(
      [
        { type: 'disconnect', origin: 'local' },
        { type: 'restore' },
        { type: 'loaded', saved: null },
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
      ],
      plain,
      connected(),
    )
    expect(back.model).toMatchObject({ snapshot: { status: 'connected', networkId: 'canton:devnet' }, leaving: 2 })
    const switched = run([{ type: 'status', connected: true, networkId: 'canton:testnet', via: 'statusChanged' }], plain, back.model)
    expect(switched.state.networkId).toBe('canton:testnet')
    expect(emitted(switched.effects)).toEqual(['network:changed'])
  })

  it('C6, C19: a connection the wallet announces while this tab leaves is checked once the wallet answered the disconnect', () => {
    const leaving = run(
      [
        { type: 'disconnect', origin: 'local' },
        { type: 'status', connected: false, via: 'statusChanged' },
        { type: 'status', connected: true, networkId: 'n', via: 'statusChanged' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
      ],
      plain,
      connected(),
    )
    expect(leaving.state.status).toBe('disconnected')
    const left = run([{ type: 'left' }], plain, leaving.model)
    expect(left.effects).toEqual([['call', 'status', 'local']])
    expect(left.state).toBe(leaving.state)
    // an event of before the disconnect: the wallet is out, so is the store
    const out = run([{ type: 'status', connected: false, via: 'probe' }], plain, left.model)
    expect(out.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: null })
    expect(out.effects).toEqual([])
    // the user connected again from the wallet since: the store follows it
    const back = run([{ type: 'status', connected: true, networkId: 'n', via: 'probe' }], plain, left.model)
    expect(back.state).toMatchObject({ status: 'connected', account: alice, networkId: 'n' })
    expect(back.effects).toContainEqual(['save'])
    // nothing announced meanwhile: nothing to ask
    expect(run([{ type: 'disconnect', origin: 'local' }, { type: 'left' }], plain, connected()).effects).not.toContainEqual(['call', 'status', 'local'])
  })

  it('C6, M3: an explicit disconnect stays one when the wallet failed it, or announced a connection without leaving first', () => {
    const busy = new SessionError('busy', -32603)
    const announced = { type: 'status', connected: true, networkId: 'canton:testnet', via: 'statusChanged' } as const
    // the wallet refuses the disconnect; it re-announces its connection meanwhile (a network switch)
    const failed = run([{ type: 'disconnect', origin: 'local' }, announced, { type: 'fail', verb: 'disconnect', origin: 'local', failure: busy }], plain, connected())
    expect(failed.model).toMatchObject({ snapshot: { status: 'disconnected', lastError: busy }, op: null, leaving: 0 })
    expect(failed.effects).not.toContainEqual(['call', 'status', 'local'])
    // so after another tab's sign-out, this tab's wallet errors ignored (M3); also after the wallet left and came back
    for (const between of [[announced], [{ type: 'status', connected: false, via: 'statusChanged' } as const, announced]]) {
      const remote = run([{ type: 'disconnect', origin: 'remote' }, ...between, { type: 'fail', verb: 'disconnect', origin: 'remote', failure: busy }], plain, connected())
      expect(remote.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: null, leaving: 0 })
      expect(remote.effects).not.toContainEqual(['call', 'status', 'local'])
    }
    // accepted, with a connection the wallet announced but no "disconnected" before it: a stale
    // re-announcement of the session that ended, not the user connecting again (C19)
    const stale = run([{ type: 'disconnect', origin: 'local' }, announced, { type: 'status', connected: false, via: 'statusChanged' }, { type: 'left' }], plain, connected())
    expect(stale.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: null })
    expect(stale.effects).not.toContainEqual(['call', 'status', 'local'])
    // accepted, with a connection announced last: it may be of before the disconnect, or the user
    // connecting again from the wallet before the answer came (a wallet that tells no
    // "disconnected" for it): the wallet is asked where it stands, silently (C19)
    const last = run([{ type: 'disconnect', origin: 'local' }, announced, { type: 'left' }], plain, connected())
    expect(last.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: 'sync' })
    expect(last.effects).toContainEqual(['call', 'status', 'local'])
  })

  it("C19, M4: a sync another tab's connect started while this tab left, whose probe the wallet's connection overtook, still asks the wallet once it accepted the disconnect", () => {
    const announced = { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' } as const
    // this tab signs out; another tab's connect reaches it before the wallet answered, and it asks its
    // wallet; the user connects again from the wallet, whose event comes before that probe's answer
    // (asked before it: "not connected"), and before the answer to the disconnect
    const inputs: Input[] = [{ type: 'disconnect', origin: 'local' }, { type: 'remote', kind: 'connected', data: { connectedAt: 900 } }, announced, { type: 'status', connected: false, via: 'probe', overtaken: true }]
    const before = run(inputs, plain, connected())
    expect(before.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: null, leaving: 2 })
    const accepted = run([{ type: 'left' }], plain, before.model)
    expect(accepted.model).toMatchObject({ op: 'sync', leaving: 0 })
    expect(accepted.effects).toContainEqual(['call', 'status', 'local'])
    // so once the wallet accepted the disconnect before that answer came: the wallet is asked again
    // as it accepts it, what the sync heard forgotten (the store drops the answers on their way)
    const late = run([...inputs.slice(0, 3), { type: 'left' }], plain, connected())
    expect(late.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: 'sync', leaving: 0, said: false, accounts: null })
    expect(calls(late.effects).filter((method) => method == 'status')).toHaveLength(2)
    const after = run([{ type: 'status', connected: false, via: 'probe' }], plain, late.model)
    expect(after.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: null })
    // an answer that is not older than the connection ends it: it came after it, and the wallet is not asked again
    const newer = run([...inputs.slice(0, 3), { type: 'status', connected: false, via: 'probe' }, { type: 'left' }], plain, connected())
    expect(newer.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: null, leaving: 0, missed: 0 })
    expect(calls(newer.effects).filter((method) => method == 'status')).toHaveLength(1)
  })

  it('M6: a leading tab whose lock another tab took (it froze, that tab took over) stops its attempts and follows from the attempt it was at; its turn again, it goes on from there', () => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const leading = run([{ type: 'status', connected: false, via: 'statusChanged' }, { type: 'lead' }, { type: 'tick' }], config, connected())
    expect(leading.model).toMatchObject({ op: 'reconnect', tries: 1 })
    const lost = run([{ type: 'lead', lost: true }], config, leading.model)
    expect(lost.model).toMatchObject({ op: 'reconnect', tries: 0, followed: 1 })
    expect(lost.state).toBe(leading.state)
    expect(lost.effects).toEqual([['schedule-clear']])
    // a follower, or a tab whose wallet is back, has no attempts to stop
    expect(run([{ type: 'lead', lost: true }], config, lost.model).effects).toEqual([])
    const again = run([{ type: 'lead' }], config, lost.model)
    expect(again.model.tries).toBe(1)
  })

  it("M6, C7: a leading tab that heard another tab reconnect, then that its lock was taken (a woken page's tasks come in any order), checks its wallet: it is not left reconnecting", () => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const leading = run([{ type: 'status', connected: false, via: 'statusChanged' }, { type: 'lead' }, { type: 'tick' }], config, connected())
    // the other tab reconnected: this tab's attempt runs at once (its probe, dropped as the lock is lost)
    const told = run([{ type: 'remote', kind: 'connected', data: { connectedAt: 900 } }], config, leading.model)
    const lost = run([{ type: 'lead', lost: true }], config, told.model)
    expect(lost.model).toMatchObject({ op: 'reconnect', tries: 0 })
    expect(calls(lost.effects)).toEqual(['status'])
    const back = run([{ type: 'status', connected: true, via: 'probe' }, { type: 'accounts', accounts: [alice, bob], origin: 'local' }, { type: 'network', networkId: 'canton:devnet', origin: 'local' }], config, lost.model)
    expect(back.state.status).toBe('connected')
  })

  it('M4/M6: a follower waits for the leader and reconnects when told', () => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const follower = run([{ type: 'status', connected: false, via: 'statusChanged' }], config, connected())
    expect(follower.effects).toEqual([['lead']])
    const told = run([{ type: 'remote', kind: 'connected' }], config, follower.model)
    expect(calls(told.effects)).toEqual(['status'])
    const notYet = run([{ type: 'status', connected: false, via: 'probe' }], config, told.model)
    expect(notYet.effects.filter((e) => e[0] === 'schedule')).toEqual([])
    const gaveUp = run([{ type: 'remote', kind: 'gaveup' }], config, notYet.model)
    expect(gaveUp.state.status).toBe('disconnected')
  })

  it('M4, M6: a follower that reconnects, as the leader told or as its own wallet came back, tells the other tabs nothing: the leader, whose attempt succeeded, tells them', () => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const follower = run([{ type: 'status', connected: false, via: 'statusChanged' }], config, connected())
    const told = run([{ type: 'remote', kind: 'connected', data: { connectedAt: 1000 } }], config, follower.model)
    const wallet: Input[] = [{ type: 'accounts', accounts: [alice, bob], origin: 'local' }, { type: 'network', networkId: 'canton:devnet', origin: 'local' }]
    for (const back of [run([{ type: 'status', connected: true, via: 'probe' }, ...wallet], config, told.model), run([{ type: 'status', connected: true, via: 'statusChanged' }, ...wallet], config, follower.model)]) {
      expect(back.state.status).toBe('connected')
      expect(back.effects.filter((e) => e[0] === 'post')).toEqual([])
    }
    const leading = run([{ type: 'lead' }, { type: 'tick' }, { type: 'status', connected: true, via: 'probe' }, ...wallet], config, follower.model)
    expect(leading.state.status).toBe('connected')
    expect(leading.effects.filter((e) => e[0] === 'post' && e[1] === 'connected')).toHaveLength(1)
  })

  it('C7, M6: a follower hearing of the end of the attempts tells the app the session ended by another tab\'s word: its invalidation has source remote', () => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const follower = run([{ type: 'status', connected: false, via: 'statusChanged' }], config, connected())
    for (const data of [undefined, { attempts: 2, code: 'TIMEOUT', message: 'late' }]) {
      const ended = run([{ type: 'remote', kind: 'gaveup', ...(data && { data }) }], config, follower.model)
      expect(ended.effects).toContainEqual(['invalidate', { type: 'disconnected', previous: 'alice::1', current: null, source: 'remote' }])
    }
  })

  it.each([
    ['a cancel (no data)', undefined],
    ['a number as message', { attempts: 2, code: 4900, message: 1 }],
    ['a fractional attempts', { attempts: 1.5, code: 4900, message: 'gone' }],
    ['an object as code', { attempts: 2, code: {}, message: 'gone' }],
  ])('M2, M6: a follower hearing of the end of the attempts with %s ends without reconnect:gaveup', (_, data) => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const follower = run([{ type: 'status', connected: false, via: 'statusChanged' }], config, connected())
    const ended = run([{ type: 'remote', kind: 'gaveup', ...(data && { data }) }], config, follower.model)
    expect(ended.state).toMatchObject({ status: 'disconnected', lastError: { code: 4900, message: 'The wallet did not reconnect' } })
    expect(emitted(ended.effects)).toEqual([])
    const told = run([{ type: 'remote', kind: 'gaveup', data: { attempts: 2, code: 'TIMEOUT', message: 'late' } }], config, follower.model)
    expect(told.effects[0]).toEqual(['emit', 'reconnect:gaveup', { attempts: 2, lastError: told.state.lastError }])
    expect(told.state.lastError).toMatchObject({ code: 'TIMEOUT', message: 'late' })
  })

  it('C12, M2, M3: another tab’s expiry is told here too; the end of the session, or the re-auth that follows, is that tab’s to tell', () => {
    const expiry = (data: Record<string, unknown>): Input => ({ type: 'remote', kind: 'expiry', data })
    const session = connected() // connected at 1000
    for (const data of [{ expiredAt: 5000, reason: 'sleep' }, { expiredAt: '5000', reason: 'ttl' }, { expiredAt: Infinity, reason: 'idle' }, { expiredAt: 900, reason: 'ttl' }, {}]) {
      expect(run([expiry(data)], plain, session, 6000)).toMatchObject({ effects: [], state: session.snapshot })
    }
    const ended = run([expiry({ expiredAt: 5000, reason: 'idle' })], plain, session, 6000)
    expect(ended.state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    expect(ended.effects[0]).toEqual(['emit', 'session:expired', { expiredAt: 5000, reason: 'idle' }])
    expect(ended.effects.filter((e) => e[0] === 'post' || e[0] === 'call' || e[0] === 'remove')).toEqual([])
    const reauth = run([expiry({ expiredAt: 5000, reason: 'ttl' })], { ...plain, reauth: true }, session, 6000)
    expect(reauth.effects.filter((e) => e[0] !== 'schedule-clear' && e[0] !== 'disarm')).toEqual([
      ['emit', 'session:expired', { expiredAt: 5000, reason: 'ttl' }],
      ['reauth', { expiredAt: 5000, reason: 'ttl' }],
    ])
    // told once: a tab that expired already hears of it no more
    expect(run([expiry({ expiredAt: 5000, reason: 'ttl' })], plain, ended.model, 6000).effects).toEqual([])
    expect(run([expiry({ expiredAt: 5000, reason: 'ttl' })], plain, reauth.model, 6000).effects).toEqual([])
  })

  it('M2, M6: a follower keeps the attempt the leader announced, a valid one only, and tells of it when the session is back', () => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const follower = run([{ type: 'status', connected: false, via: 'statusChanged' }], config, connected())
    const told = (attempt: unknown) => run([{ type: 'remote', kind: 'attempt', data: { attempt } }], config, follower.model).model.followed
    expect([told('2'), told(0), told(-1), told(1.5), told(null)]).toEqual([0, 0, 0, 0, 0])
    expect(told(4)).toBe(4)
    const back = run(
      [
        { type: 'remote', kind: 'attempt', data: { attempt: 4 } },
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
      ],
      config,
      follower.model,
    )
    expect(back.state.status).toBe('connected')
    expect(back.effects).toContainEqual(['emit', 'reconnect:succeeded', { attempt: 4 }])
    expect(back.model.followed).toBe(0)
  })

  it('M5: another tab’s party change is re-read from this tab’s wallet', () => {
    const { effects } = run([{ type: 'remote', kind: 'party', current: 'bob::2' }], plain, connected())
    expect(effects).toEqual([['call', 'listAccounts', 'remote']])
    expect(run([{ type: 'remote', kind: 'party', current: 'alice::1' }], plain, connected()).effects).toEqual([])
  })
  it('C3/C11: an answer that a newer event of its kind overtook keeps what that event told, and still fills in what is not known', () => {
    const asked = run([{ type: 'connect' }, { type: 'status', connected: true, via: 'connect' }])
    const done = run(
      [
        // the user switches party and network while the answers travel
        { type: 'accounts', accounts: [aliceSecondary, bobPrimary], origin: 'local' },
        { type: 'network', networkId: 'canton:testnet', origin: 'local' },
        { type: 'accounts', accounts: [alice, bob], origin: 'local', overtaken: true },
        { type: 'network', networkId: 'canton:devnet', origin: 'local', overtaken: true },
      ],
      plain,
      asked.model,
    )
    expect(done.state).toMatchObject({ status: 'connected', account: bobPrimary, networkId: 'canton:testnet' })
    const late = run([{ type: 'accounts', accounts: [alice], origin: 'local', overtaken: true }, { type: 'network', networkId: 'x', origin: 'remote', overtaken: true }], plain, done.model)
    expect([late.state, late.effects]).toEqual([done.state, []])
    // an empty list announced while not connected is no account to remember: the answer fills it in (C5)
    const empty = run([{ type: 'accounts', accounts: [], origin: 'local' }, { type: 'accounts', accounts: [alice], origin: 'local', overtaken: true }])
    expect(empty.model.accounts).toEqual([alice])
  })
  it('C3/C9: a status answer that a newer status event overtook: "connected" after a statusChanged(false) is asked again, "not connected" after a statusChanged(true) undoes nothing', () => {
    const connecting = run([{ type: 'connect' }, { type: 'status', connected: false, via: 'statusChanged' }])
    const late = run([{ type: 'status', connected: true, via: 'connect', overtaken: true }], plain, connecting.model)
    expect([late.model.op, late.model.said, late.effects]).toEqual(['connect', false, [['call', 'status', 'local']]])
    const restoring = run([{ type: 'restore' }, { type: 'loaded', saved: null }, { type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' }])
    const old = run([{ type: 'status', connected: false, via: 'probe', overtaken: true }], plain, restoring.model)
    expect([old.state.status, old.model.op, old.model.said]).toEqual(['reconnecting', 'restore', true])
    expect(run([{ type: 'accounts', accounts: [alice], origin: 'local' }], plain, old.model).state).toMatchObject({ status: 'connected', account: alice })
  })
  it('C3/C7/C9: a read that fails after a newer event of its kind fails no op the wallet said is connected; without that word it fails as before', () => {
    const error = new SessionError('Internal error', -32603)
    const asked = run([{ type: 'connect' }, { type: 'status', connected: true, via: 'connect' }, { type: 'accounts', accounts: [alice], origin: 'local' }])
    // the accounts the event told stand; the connect goes on, and reads what it still needs
    const late = run([{ type: 'fail', verb: 'listAccounts', failure: error, origin: 'local', overtaken: true }], plain, asked.model)
    expect([late.state.status, late.model.op, late.effects]).toEqual(['connecting', 'connect', [['call', 'getActiveNetwork', 'local']]])
    // a 4100 that a statusChanged on a network overtook: that event has the last word
    const on = run([{ type: 'status', connected: true, networkId: 'canton:testnet', via: 'statusChanged' }, { type: 'fail', verb: 'getActiveNetwork', failure: new SessionError('Unauthorized', 4100), origin: 'local', overtaken: true }], plain, late.model)
    expect(on.state).toMatchObject({ status: 'connected', account: alice, networkId: 'canton:testnet' })
    // a probe that a statusChanged(false) overtook still fails the restore: the wallet never said it is connected
    const restoring = run([{ type: 'restore' }, { type: 'loaded', saved: null }, { type: 'status', connected: false, via: 'statusChanged' }])
    const failed = run([{ type: 'fail', verb: 'status', failure: error, origin: 'local', overtaken: true }], plain, restoring.model)
    expect(failed.state).toMatchObject({ status: 'disconnected', lastError: error })
  })

  it('C6: a disconnect of a connected session that shows no party still invalidates, as does a drop of it', () => {
    const empty = run([{ type: 'connect' }, { type: 'status', connected: true, networkId: 'canton:devnet', via: 'connect' }, { type: 'accounts', accounts: [], origin: 'local' }]).model
    expect(empty.snapshot).toMatchObject({ status: 'connected', account: null, accounts: [] })
    expect(run([{ type: 'disconnect', origin: 'local' }], plain, empty).effects).toContainEqual(['invalidate', { type: 'disconnected', previous: null, current: null, source: 'local' }])
    expect(run([{ type: 'status', connected: false, via: 'statusChanged' }], plain, empty).effects).toContainEqual(['invalidate', { type: 'disconnected', previous: null, current: null, source: 'local' }])
  })

  it('C6, C19: a disconnect() while the store reads the accounts of a connection the wallet made on its own stays disconnected when they come', () => {
    const syncing = run([{ type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' }])
    expect(syncing.model.op).toBe('sync')
    expect(calls(syncing.effects)).toEqual(['listAccounts'])
    const out = run([{ type: 'disconnect', origin: 'local' }, { type: 'accounts', accounts: [alice], origin: 'local' }], plain, syncing.model)
    expect(out.model).toMatchObject({ snapshot: DISCONNECTED_STATE, op: null })
    expect(calls(out.effects)).toEqual(['disconnect'])
  })

  it('C4, M4: a failed connect() removes no persisted entry: it ended no session, and another tab may live on it', () => {
    const failed = run([{ type: 'connect' }, { type: 'fail', verb: 'connect', failure: new SessionError('User rejected', 4001), origin: 'local' }])
    expect(failed.state).toMatchObject({ status: 'disconnected', lastError: { code: 4001 } })
    expect(failed.effects.filter((e) => e[0] === 'remove')).toEqual([])
  })

  it('C3, C4: getActiveNetwork failing with 4900 (disconnected) fails the connect, as 4100 does, instead of connecting on no network', () => {
    for (const code of [4100, 4900]) {
      const { state } = run([
        { type: 'connect' },
        { type: 'status', connected: true, via: 'connect' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
        { type: 'fail', verb: 'getActiveNetwork', failure: new SessionError('not connected', code), origin: 'local' },
      ])
      expect(state).toMatchObject({ status: 'disconnected', account: null, lastError: { code } })
    }
  })

  it('C8, C9: the wallet connecting by itself while a restore waits to retry its failed probe cancels that retry', () => {
    const failed = run([{ type: 'restore' }, { type: 'loaded', saved: null }, { type: 'fail', verb: 'status', failure: new SessionError('not injected yet', -32603), origin: 'local' }], withRetry)
    expect(failed.effects).toContainEqual(['schedule', 500])
    const back = run([{ type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' }], withRetry, failed.model)
    expect(back.effects).toEqual([['schedule-clear'], ['call', 'listAccounts', 'local']])
  })

  it('C10, C12: a persisted session whose expiresAt is reached just as the wallet confirms it (expiresAt == now) expires: it is never shown connected', () => {
    const saved = { account: alice, accounts: [alice], networkId: 'n', connectedAt: 10, expiresAt: 1500 }
    const read = run([{ type: 'restore' }, { type: 'loaded', saved }], plain, INITIAL_MODEL, 1000)
    const { state, effects } = run([{ type: 'status', connected: true, networkId: 'n', via: 'probe' }, { type: 'accounts', accounts: [alice], origin: 'local' }], plain, read.model, 1500)
    expect(state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    expect(effects).toContainEqual(['emit', 'session:expired', { expiredAt: 1500, reason: 'ttl' }])
  })

  it("C12: a connect() that another tab's connection overtakes starts a session of its own: its TTL runs from when it connected, and the other tabs hear those times", () => {
    const config: MachineConfig = { ...plain, ttlMs: 1000 }
    const { state, effects } = run([{ type: 'connect' }, { type: 'remote', kind: 'connected', data: { connectedAt: 900, expiresAt: 1900 } }, ...connectInputs.slice(1)], config, INITIAL_MODEL, 1000)
    expect(state).toMatchObject({ status: 'connected', connectedAt: 1000, expiresAt: 2000 })
    expect(effects).toContainEqual(['post', 'connected', { connectedAt: 1000, expiresAt: 2000 }])
  })

  it("C12, M2: a connected message of a session that expires right now (expiresAt == now) is no session to take up for a connected tab", () => {
    const session = connected() // connected at 1000, times firm
    const told = run([{ type: 'remote', kind: 'connected', data: { connectedAt: 1500, expiresAt: 2000 } }], plain, session, 2000)
    expect(told.state).toBe(session.snapshot)
    expect(told.effects).toEqual([])
  })

  it('C12, C19: after an expiry leaves the wallet, its late statusChanged(true) is no connection of its own until it answered the disconnect', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }, { type: 'loaded', saved: null }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 100)
    expect(calls(expired.effects)).toEqual(['disconnect'])
    const late = run([{ type: 'status', connected: true, networkId: 'canton:devnet', via: 'statusChanged' }, { type: 'accounts', accounts: [alice], origin: 'local' }], config, expired.model, 110)
    expect(late.state).toBe(expired.state)
    expect(late.effects).toEqual([])
  })

  it('C12, M3: an expiry without a hook tells the other tabs the session ended, reads the persisted entry, and, finding no session begun since, tells them that it leaves the wallet, and when the session expired, before it asks the wallet to leave', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const session = run(connectInputs, config, INITIAL_MODEL, 0)
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, session.model, 100)
    expect(expired.state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    expect(expired.effects.filter((e) => e[0] === 'post' || e[0] === 'call' || e[0] === 'load')).toEqual([['post', 'expiry', { expiredAt: 100, reason: 'ttl' }], ['load']])
    // the entry still holds the session that expired (a checked removal runs behind the read), or none
    for (const saved of [session.state, null]) {
      const { effects } = run([{ type: 'loaded', saved: saved as never }], config, expired.model, 101)
      expect(effects).toEqual([
        ['post', 'expired', { expiredAt: 100 }],
        ['call', 'disconnect', 'local'],
      ])
    }
  })

  it('C12, M3, M4: an expiry whose read of the entry finds a session begun since (another tab connected or re-authenticated, its message still on its way) leaves neither the wallet nor that session: the tab asks its wallet, and takes it up with its times', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    const saved = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 120, expiresAt: 220 }
    const read = run([{ type: 'loaded', saved }], config, expired.model, 150)
    expect(read.effects).toEqual([['call', 'status', 'local']])
    expect(read.model).toMatchObject({ op: 'sync', leaving: 0, times: { connectedAt: 120, expiresAt: 220 } })
    const taken = run([{ type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' }, { type: 'accounts', accounts: [alice], origin: 'local' }], config, read.model, 151)
    expect(taken.state).toMatchObject({ status: 'connected', account: alice, connectedAt: 120, expiresAt: 220 })
    expect(taken.effects.filter((e) => e[0] === 'post' || (e[0] === 'call' && e[1] === 'disconnect'))).toEqual([])
  })

  it('C4, C12, M3: an expiry whose read of the entry answers after the tab went on (a connect of its user, another tab\'s connected message) leaves the wallet no more: that would end what went on', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    for (const next of [{ type: 'connect' }, { type: 'remote', kind: 'connected', data: { connectedAt: 140, expiresAt: 240 } }] as Input[]) {
      const { model, effects } = run([next, { type: 'loaded', saved: null }], config, expired.model, 150)
      expect(calls(effects)).not.toContain('disconnect')
      expect(effects).not.toContainEqual(['post', 'expired', { expiredAt: 100 }])
      expect(model.leaving).toBe(0)
    }
  })

  it("C12, C19, M3: an expiry whose read of the entry finds a session begun since that expired too (its tab was closed before its expiry, and this tab's TTL caps one with no expiresAt) leaves the wallet: no tab lives on it, and the wallet is not left connected to bring it back on its next word; a restore() begun meanwhile ends it itself, leaving the wallet once", () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const session = run(connectInputs, config, INITIAL_MODEL, 0).model
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, session, 300)
    const newer = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 120 }
    // (one that expires in this very millisecond has expired, as everywhere)
    for (const saved of [{ ...newer, expiresAt: 220 }, { ...newer, connectedAt: 200, expiresAt: 300 }, newer]) {
      const read = run([{ type: 'loaded', saved }], config, expired.model, 300)
      expect(read.effects).toEqual([
        ['post', 'expired', { expiredAt: 100 }],
        ['call', 'disconnect', 'local'],
      ])
      expect(read.model.op).toBe(null)
    }
    // the restore reads the entry once more, finds it gone, and ends the session it read
    const saved = { ...newer, expiresAt: 220 }
    const restoring = run([{ type: 'expire', reason: 'ttl', at: 100 }, { type: 'restore' }, { type: 'loaded', saved }, { type: 'loaded', saved: null }], config, session, 300)
    expect(calls(restoring.effects)).toEqual(['disconnect'])
    expect(restoring.state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
  })

  it('C12, M4: a session another tab began in the very millisecond this tab\'s expired is one begun since: the read of the entry that finds it leaves the wallet alone and takes it up', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    const read = run([{ type: 'loaded', saved: { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 100, expiresAt: 200 } }], config, expired.model, 150)
    expect(read.effects).toEqual([['call', 'status', 'local']])
    expect(read.model).toMatchObject({ op: 'sync', times: { connectedAt: 100, expiresAt: 200 } })
  })

  it('C9, C12, M3: an expiry leaves the wallet once: a restore() after its read of the entry answered reads the entry as any restore does, and neither tells the other tabs of that expiry again nor asks the wallet to leave again', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const left = run([{ type: 'expire', reason: 'ttl', at: 100 }, { type: 'loaded', saved: null }, { type: 'left' }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    expect(calls(left.effects)).toEqual(['disconnect'])
    const restored = run([{ type: 'restore' }, { type: 'loaded', saved: null }], config, left.model, 160)
    expect(restored.effects.filter((e) => e[0] === 'post' || e[0] === 'call')).toEqual([['call', 'status', 'local']])
  })

  it('C12, C13, M3: a failed re-auth tells the other tabs it leaves the wallet with no expiry time: the session the hook was to renew ends in every tab, whenever it began', () => {
    const config: MachineConfig = { ...plain, reauth: true, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    const failed = run([{ type: 'reauth', error: new Error('no') }], config, expired.model, 150)
    expect(failed.effects.filter((e) => e[0] === 'post' || e[0] === 'call' || e[0] === 'load')).toEqual([['post', 'expired'], ['call', 'disconnect', 'local']])
  })

  it("C9, C12, M4: a tab that went on before its expiry's read of the entry answered (it took up another tab's session, its user connected, or connects still) stays as it is, whatever the read finds: it leaves neither the wallet nor that session, asks its wallet nothing more, and is left with no op under way that a restore() would wait for", () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    const saved = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 120, expiresAt: 220 }
    const followed: Input[] = [
      { type: 'remote', kind: 'connected', data: { connectedAt: 120, expiresAt: 220 } },
      { type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' },
      { type: 'accounts', accounts: [alice], origin: 'local' },
    ]
    for (const went of [followed, connectInputs, [{ type: 'connect' }] as Input[]]) {
      const on = run(went, config, expired.model, 150)
      for (const entry of [saved, null]) {
        const read = run([{ type: 'loaded', saved: entry }], config, on.model, 151)
        expect(read.effects).toEqual([])
        expect(read.state).toBe(on.state)
        expect(read.model).toMatchObject({ op: on.model.op, leaving: 0 })
      }
    }
  })

  it('C10, C12, M3: an expiry whose read of the entry is answered as a restore() begun meanwhile reads it leaves the wallet before the restore asks it where it stands: the expired session is not taken up again', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }, { type: 'restore' }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    expect(expired.model).toMatchObject({ op: 'restore', loading: true })
    const read = run([{ type: 'loaded', saved: null }], config, expired.model, 150)
    expect(read.effects.filter((e) => e[0] === 'post' || e[0] === 'call')).toEqual([
      ['post', 'expired', { expiredAt: 100 }],
      ['call', 'disconnect', 'local'],
      ['call', 'status', 'local'],
    ])
  })

  it('M3, C12: a sign-out (here or in another tab) while an expiry reads the entry leaves the wallet once: the read\'s answer asks nothing more', () => {
    const config: MachineConfig = { ...plain, ttlMs: 100 }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 150)
    for (const origin of ['local', 'remote'] as const) {
      const out = run([{ type: 'disconnect', origin }, { type: 'loaded', saved: null }], config, expired.model, 150)
      expect(calls(out.effects)).toEqual(['disconnect'])
      expect(out.effects).not.toContainEqual(['post', 'expired', { expiredAt: 100 }])
    }
  })

  it("M2, M3, C12: another tab's word that it leaves the wallet as a session expired ends no session begun after that expiry (or at it), shown here or followed; a word of when it expired that is no number, or none (an older tab), ends it", () => {
    const session = connected() // connected at 1000
    for (const at of [1001, 5000]) {
      const ended = run([{ type: 'disconnect', origin: 'remote', expired: true, at }], plain, session)
      expect(ended.state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
      expect(calls(ended.effects)).toEqual(['disconnect'])
    }
    for (const at of [undefined, '999', null, Number.NaN, 1000, 999]) {
      const ended = run([{ type: 'disconnect', origin: 'remote', expired: true, at }], plain, session)
      if (typeof at == 'number' && at <= 1000) expect(ended.state).toBe(session.snapshot)
      else expect(ended.state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    }
    // followed: a tab that takes up the session another tab began at 1200 (its message came first)
    const following = run([{ type: 'disconnect', origin: 'local' }, { type: 'left' }, { type: 'remote', kind: 'connected', data: { connectedAt: 1200, expiresAt: null } }], plain, session, 1300)
    expect(following.model.op).toBe('sync')
    const late = run([{ type: 'disconnect', origin: 'remote', expired: true, at: 1100 }], plain, following.model, 1300)
    expect(late.effects).toEqual([])
    expect(late.model.op).toBe('sync')
  })

  it("M3, C12: a tab that signed out, then connected again, ends with another tab's word that the session expired; only a tab still out since its sign-out skips it", () => {
    const again = run([{ type: 'disconnect', origin: 'local' }, { type: 'left' }, ...connectInputs], plain, connected())
    expect(again.state.status).toBe('connected')
    const ended = run([{ type: 'disconnect', origin: 'remote', expired: true }], plain, again.model)
    expect(ended.state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    expect(calls(ended.effects)).toEqual(['disconnect'])
    const out = run([{ type: 'disconnect', origin: 'local' }, { type: 'left' }, { type: 'disconnect', origin: 'remote', expired: true }], plain, connected())
    expect(calls(out.effects)).toEqual(['disconnect'])
  })

  it('M2, M6: a follower keeps the attempt the leader announced over a later invalid one', () => {
    const config: MachineConfig = { ...withRetry, lead: true }
    const follower = run([{ type: 'status', connected: false, via: 'statusChanged' }, { type: 'remote', kind: 'attempt', data: { attempt: 4 } }], config, connected())
    for (const attempt of [0, -1, 1.5, '2']) {
      expect(run([{ type: 'remote', kind: 'attempt', data: { attempt } }], config, follower.model).model.followed).toBe(4)
    }
  })

  it("M6, C7: another tab's word of its attempt counts no more once the session it came in ends (a sign-out, here or in another tab, an expiry re-authenticated, a connect() while following): a drop of the session begun since is led from attempt 1", () => {
    const config: MachineConfig = { ...withRetry, lead: true, reauth: true, bound: 1000 }
    const drop: Input = { type: 'status', connected: false, via: 'statusChanged' }
    const heard = run([...connectInputs, { type: 'remote', kind: 'attempt', data: { attempt: 2 } }], config).model
    // the session it came in drops: this tab follows that attempt
    expect(run([drop], config, heard).model.followed).toBe(2)
    const ends: Input[][] = [
      [{ type: 'disconnect', origin: 'remote' }, ...connectInputs],
      [{ type: 'disconnect', origin: 'local' }, { type: 'left' }, ...connectInputs],
      // the session taken up again by a restore, not a connect()
      [
        { type: 'disconnect', origin: 'remote' },
        { type: 'restore' },
        { type: 'loaded', saved: null },
        { type: 'status', connected: true, via: 'probe' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
        { type: 'network', networkId: 'canton:devnet', origin: 'local' },
      ],
      [
        { type: 'expire', reason: 'ttl', at: 1000 },
        { type: 'reauth' },
        { type: 'status', connected: true, via: 'probe' },
        { type: 'accounts', accounts: [alice], origin: 'local' },
        { type: 'network', networkId: 'canton:devnet', origin: 'local' },
      ],
      [drop, ...connectInputs],
    ]
    for (const end of ends) {
      const again = run(end, config, heard)
      expect(again.state.status).toBe('connected')
      expect(run([drop], config, again.model).model.followed).toBe(0)
    }
  })

  it('C12, M2: firm session times give way only to a later start: a message of the same start with an earlier expiry (a tab with a shorter ttlMs) changes nothing', () => {
    const config: MachineConfig = { ...plain, ttlMs: 10_000 }
    const session = run(connectInputs, config).model // connected at 1000, its own times told
    expect(session.snapshot.expiresAt).toBe(11_000)
    const told = run([{ type: 'remote', kind: 'connected', data: { connectedAt: 1000, expiresAt: 2000 } }], config, session, 1500)
    expect(told.state).toBe(session.snapshot)
    expect(told.effects).toEqual([])
  })

  it('C10, C11: a reconnect after a restore compares with the account shown while reconnecting, not with the snapshot the restore read long ago', () => {
    const saved = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 10 }
    const restored = run([{ type: 'restore' }, { type: 'loaded', saved }, { type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' }, { type: 'accounts', accounts: [alice], origin: 'local' }], withRetry)
    expect(restored.state).toMatchObject({ status: 'connected', account: alice })
    const switched = run([{ type: 'accounts', accounts: [bobPrimary], origin: 'local' }], withRetry, restored.model)
    expect(switched.state.account).toEqual(bobPrimary)
    const back = run(
      [
        { type: 'status', connected: false, via: 'statusChanged' },
        { type: 'tick' },
        { type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' },
        { type: 'accounts', accounts: [bobPrimary], origin: 'local' },
      ],
      withRetry,
      switched.model,
    )
    expect(back.state).toMatchObject({ status: 'connected', account: bobPrimary })
    expect(emitted(back.effects)).toEqual(['reconnect:scheduled', 'reconnect:attempt', 'reconnect:succeeded'])
  })

  it("C12, M6: a follower whose session expires while it checks the leader's reconnect re-authenticates a new session: the old times are not taken up again", () => {
    const config: MachineConfig = { ...withRetry, lead: true, reauth: true, ttlMs: 100 }
    const follower = run([{ type: 'status', connected: false, via: 'statusChanged' }], config, run(connectInputs, config, INITIAL_MODEL, 0).model, 10)
    const checking = run([{ type: 'remote', kind: 'connected', data: { connectedAt: 0, expiresAt: 100 } }], config, follower.model, 50)
    expect(calls(checking.effects)).toEqual(['status'])
    const expired = run([{ type: 'expire', reason: 'ttl', at: 100 }], config, checking.model, 100)
    expect(expired.effects).toContainEqual(['reauth', { reason: 'ttl', expiredAt: 100 }])
    const back = run(
      [{ type: 'reauth' }, { type: 'status', connected: true, networkId: 'canton:devnet', via: 'probe' }, { type: 'accounts', accounts: [alice], origin: 'local' }],
      config,
      expired.model,
      150,
    )
    expect(back.state).toMatchObject({ status: 'connected', connectedAt: 150, expiresAt: 250 })
    expect(emitted(back.effects)).not.toContain('session:expired')
  })

  it('C3, C6: a connect() right after disconnect() settles on its own answer, also when that answer comes before the answer to the disconnect', () => {
    const { state } = run([{ type: 'disconnect', origin: 'local' }, ...connectInputs], plain, connected())
    expect(state).toMatchObject({ status: 'connected', account: alice, networkId: 'canton:devnet' })
  })

  it("C12, M3: another tab's word that the session expired invalidates this tab's session as expired, not as a sign-out", () => {
    const { state, effects } = run([{ type: 'disconnect', origin: 'remote', expired: true }], plain, connected())
    expect(state).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    expect(effects).toContainEqual(['invalidate', { type: 'expired', previous: 'alice::1', current: null, source: 'remote' }])
  })

  it('C11: while connected, a failed network read (no such method, a wallet error) is no switch to no network: nothing changes', () => {
    const from = connected()
    const { model, effects } = run([{ type: 'fail', verb: 'getActiveNetwork', origin: 'local', failure: new SessionError('no such method', -32601) }], plain, from)
    expect(effects).toEqual([])
    expect(model.snapshot).toBe(from.snapshot)
    expect(model.snapshot.networkId).toBe('canton:devnet')
  })

  it('C3, C12: a connect() made as the re-auth checks the wallet after its hook resolved, that an asynchronous wallet answers with "waiting for the user", emits connect:pending with its userUrl', () => {
    const config: MachineConfig = { ...plain, reauth: true }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 5 }, { type: 'reauth' }], config, run(connectInputs, config).model)
    expect(expired.model).toMatchObject({ op: 'reauth', hook: false })
    const { model, effects } = run([{ type: 'connect' }, { type: 'status', connected: false, via: 'connect', userUrl: 'https://wallet.example/approve' }], config, expired.model)
    expect(calls(effects)).toEqual(['connect'])
    expect(effects).toContainEqual(['emit', 'connect:pending', { userUrl: 'https://wallet.example/approve' }])
    expect(model).toMatchObject({ op: 'reauth', snapshot: { status: 'reconnecting', lastError: null } })
  })

  it("C3, C12: a connect() made as the re-auth checks the wallet after its hook, waiting for the user, is no connect of its own: a statusChanged(false) then ends nothing, and the wallet's answer to the check decides the re-auth", () => {
    const config: MachineConfig = { ...plain, reauth: true }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 5 }, { type: 'reauth' }], config, run(connectInputs, config).model)
    // the wallet opens its prompt: its statusChanged(false) tells its state, no decline (C3)
    const waiting = run([{ type: 'connect' }, { type: 'status', connected: false, via: 'connect' }, { type: 'status', connected: false, via: 'statusChanged' }], config, expired.model)
    expect(emitted(waiting.effects)).toEqual(['connect:pending'])
    expect(waiting.model).toMatchObject({ op: 'reauth', hook: false, snapshot: { status: 'reconnecting', lastError: null } })
    const { model } = run([{ type: 'status', connected: false, via: 'probe' }], config, waiting.model)
    expect(model.snapshot).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED' } })
  })

  it("C12, M4: a tab that reconnects when another tab tells that the session expired expires it too: no attempt is left to bring back a session that ended", () => {
    const dropped = run([{ type: 'status', connected: false, via: 'statusChanged' }], withRetry, run(connectInputs, withRetry).model)
    expect(dropped.model).toMatchObject({ op: 'reconnect', snapshot: { status: 'reconnecting', connectedAt: 1000 } })
    const { model, effects } = run([{ type: 'remote', kind: 'expiry', data: { reason: 'ttl', expiredAt: 1500 } }], withRetry, dropped.model, 1600)
    expect(effects).toContainEqual(['emit', 'session:expired', { expiredAt: 1500, reason: 'ttl' }])
    expect(effects).toContainEqual(['disarm'])
    expect(model).toMatchObject({ op: null, snapshot: { status: 'disconnected', account: null, lastError: { code: 'SESSION_EXPIRED' } } })
  })

  it("C12, M2, M4: a reconnecting tab told of a session another tab began since, then of an earlier expiry (a third tab's message, late), ends nothing: an expiry of an earlier session ends none started since — as for a disconnect", () => {
    const dropped = run([{ type: 'status', connected: false, via: 'statusChanged' }], withRetry, run(connectInputs, withRetry).model)
    expect(dropped.model).toMatchObject({ op: 'reconnect', snapshot: { status: 'reconnecting', connectedAt: 1000 } })
    const told = run([{ type: 'remote', kind: 'connected', data: { connectedAt: 1500 } }], withRetry, dropped.model, 1600)
    const { model, effects } = run([{ type: 'remote', kind: 'expiry', data: { reason: 'ttl', expiredAt: 1200 } }], withRetry, told.model, 1600)
    expect(emitted(effects)).not.toContain('session:expired')
    expect(model).toMatchObject({ op: 'reconnect', snapshot: { status: 'reconnecting', lastError: null } })
    // an expiry of that later session still ends it
    const later = run([{ type: 'remote', kind: 'expiry', data: { reason: 'ttl', expiredAt: 1700 } }], withRetry, model, 1700)
    expect(later.model).toMatchObject({ op: null, snapshot: { status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } } })
  })

  it('C12: while the re-auth hook runs, a failed wallet read does not end the re-auth: the hook decides', () => {
    const config: MachineConfig = { ...plain, reauth: true }
    const expired = run([{ type: 'expire', reason: 'ttl', at: 5 }], config, run(connectInputs, config).model)
    const { model, effects } = run([{ type: 'fail', verb: 'status', origin: 'local', failure: new SessionError('not connected', 4900) }], config, expired.model)
    expect(effects).toEqual([])
    expect(model).toMatchObject({ op: 'reauth', hook: true, snapshot: { status: 'reconnecting', lastError: null } })
    // the hook resolving still re-reads the wallet
    expect(calls(run([{ type: 'reauth' }], config, model).effects)).toEqual(['status'])
  })

  it('C12, M4: a session another tab re-authenticated that expires before this tab\'s wallet confirmed it is not shown connected: this tab\'s expiry path runs (a new re-auth), told to the other tabs', () => {
    const config: MachineConfig = { ...plain, reauth: true, ttlMs: 1_000 }
    const session = run(connectInputs, config, INITIAL_MODEL, 0).model
    const hook = run([{ type: 'expire', reason: 'ttl', at: 1_000 }], config, session, 1_000).model
    // the other tab's message: a session started at 1,100 that ends at 1,150 (its own, shorter TTL)
    const told = run([{ type: 'remote', kind: 'connected', data: { connectedAt: 1_100, expiresAt: 1_150 } }], config, hook, 1_120)
    expect(told.model.hook).toBe(false)
    expect(calls(told.effects)).toEqual(['status'])
    // the wallet's answers come after that end
    const { model, effects } = run([{ type: 'status', connected: true, via: 'probe' }, ...connectInputs.slice(2)], config, told.model, 1_200)
    expect(model.snapshot.status).toBe('reconnecting')
    expect(emitted(effects)).toEqual(['session:expired'])
    expect(effects).toContainEqual(['emit', 'session:expired', { expiredAt: 1_150, reason: 'ttl' }])
    expect(effects).toContainEqual(['post', 'expiry', { expiredAt: 1_150, reason: 'ttl' }])
    expect(effects).toContainEqual(['reauth', { reason: 'ttl', expiredAt: 1_150 }])
    expect(effects.map((e) => e[0])).not.toContain('save')
  })

  it('C12, M4: an idle expiry (no TTL) finds in the entry a session another tab began since, with no expiry: it takes that session up and leaves no wallet', () => {
    const session = run(connectInputs, plain, INITIAL_MODEL, 0).model
    const expired = run([{ type: 'expire', reason: 'idle', at: 1_000 }], plain, session, 1_000)
    expect(expired.effects).toContainEqual(['load'])
    expect(calls(expired.effects)).toEqual([])
    const saved = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1_005 }
    const { model, effects } = run([{ type: 'loaded', saved }], plain, expired.model, 1_010)
    expect(calls(effects)).toEqual(['status'])
    expect(effects.map((e) => e[0])).not.toContain('post')
    expect(model).toMatchObject({ op: 'sync', leaving: 0, times: saved })
  })
})
