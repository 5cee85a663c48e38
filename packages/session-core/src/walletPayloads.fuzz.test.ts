import { createMockProvider } from '@sessionlayer/session-testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { seenTokens, SessionError, toSessionError } from './SessionError'
import { parseAccounts, parseNetworkId, parseStatus } from './wallet'
import { answerInput, eventInput, WALLET_EVENTS } from './walletInputs'

// Fuzzing of everything the store reads from the wallet (C18) and of error normalisation (C4):
// arbitrary payloads never throw, never pollute a prototype, and never corrupt the state.

const runs = Number(process.env.SESSIONLAYER_FUZZ_RUNS ?? 1_000)
const anything = fc.anything({ withNullPrototype: true, withObjectString: true, withBoxedValues: true })
/** Values shaped like wallet payloads, with arbitrary leaves. */
const accountish = fc.record(
  { partyId: fc.oneof(fc.string(), anything), primary: fc.oneof(fc.boolean(), anything), status: fc.oneof(fc.constantFrom('initializing', 'initialized', 'allocated', 'removed'), anything), hint: anything },
  { requiredKeys: [] },
)
const statusish = fc.record(
  {
    connection: fc.oneof(fc.record({ isConnected: fc.oneof(fc.boolean(), anything), reason: anything, userUrl: anything }, { requiredKeys: [] }), anything),
    network: fc.oneof(fc.record({ networkId: fc.oneof(fc.string(), anything), ledgerApi: anything, accessToken: anything }, { requiredKeys: [] }), anything),
    session: anything,
    isConnected: fc.oneof(fc.boolean(), anything),
  },
  { requiredKeys: [] },
)
const payload = fc.oneof(anything, fc.array(fc.oneof(accountish, anything)), statusish)
const polluted = () => ({}) as Record<string, unknown>

// Fuzzing takes about a second alone, and several times that on a busy machine.
describe('wallet payload fuzzing', { timeout: 30_000 }, () => {
  it('C18 (fuzz): the payload parsers never throw and return frozen, well-typed values or null', () => {
    fc.assert(
      fc.property(payload, (value) => {
        const accounts = parseAccounts(value)
        if (accounts !== null) {
          expect(Object.isFrozen(accounts)).toBe(true)
          for (const a of accounts) {
            expect(typeof a.partyId).toBe('string')
            expect(a.partyId.length).toBeGreaterThan(0)
            expect(Object.isFrozen(a)).toBe(true)
            expect(Object.getPrototypeOf(a)).toBe(Object.prototype)
          }
        }
        const status = parseStatus(value)
        if (status !== null) {
          expect(typeof status.connected).toBe('boolean')
          for (const field of ['networkId', 'userUrl', 'reason', 'ledgerApi', 'accessToken'] as const) expect(['string', 'undefined']).toContain(typeof status[field])
        }
        const networkId = parseNetworkId(value)
        expect(networkId === null || typeof networkId === 'string').toBe(true)
        for (const event of WALLET_EVENTS) eventInput(event, value)
        for (const method of ['status', 'listAccounts', 'getActiveNetwork', 'connect'] as const) expect(answerInput(method, value, 'local').type).toBeTypeOf('string')
        expect(polluted().polluted).toBeUndefined()
      }),
      { numRuns: runs },
    )
  })

  it('C4, C15, C18: a status reason is read once: one that changes as it is read never passes a token-quoting text on', () => {
    const texts = ['wallet locked', 'wallet locked', 'refused: Authorization: Bearer secret-token']
    let reads = 0
    const connection = {
      isConnected: false,
      get reason() {
        return texts[reads++ % texts.length]
      },
    }
    const status = parseStatus({ connection }, 'statusChanged')
    expect(status).toMatchObject({ connected: false })
    expect([undefined, 'wallet locked']).toContain(status?.reason)
    expect(reads).toBe(1)
  })

  it('C18: an array is no status, connection or network object, whatever named fields it was given', () => {
    const fields = { isConnected: true, connection: { isConnected: true }, networkId: 'canton:evil' }
    expect(parseStatus(Object.assign([], fields))).toBeNull()
    expect(parseStatus({ connection: Object.assign([], fields) })).toBeNull()
    expect(parseStatus({ connection: { isConnected: true }, network: Object.assign([], fields) })).toMatchObject({ connected: true, networkId: undefined })
    expect(parseNetworkId(Object.assign([], fields))).toBeNull()
  })

  it('C3, C18: a connect answered with the whole status (its connection a connect result) keeps the userUrl of that connection', () => {
    const userUrl = 'https://wallet.example/approve?request=1'
    const answer = { provider: { id: 'remote:wallet', userUrl: 'https://wallet.example' }, connection: { isConnected: false, userUrl }, network: { networkId: 'canton:devnet' } }
    expect(parseStatus(answer, 'connect')).toMatchObject({ connected: false, userUrl, networkId: 'canton:devnet' })
    expect(parseStatus({ isConnected: false, userUrl }, 'connect')).toMatchObject({ connected: false, userUrl })
  })

  it('C4 (fuzz): anything thrown becomes a SessionError with a string message and a number or known code', () => {
    const codes = ['DESTROYED', 'TIMEOUT', 'SESSION_EXPIRED', 'REAUTH_FAILED', 'QUEUE_FULL', 'INVALID_PROVIDER', 'UNKNOWN']
    const thrown = fc.oneof(
      anything,
      fc.record({ code: fc.oneof(fc.integer(), anything), message: fc.oneof(fc.string(), anything) }, { requiredKeys: [] }),
      fc.record({ error: fc.record({ code: fc.integer(), message: anything, data: fc.oneof(fc.json(), anything) }, { requiredKeys: [] }) }),
      fc.tuple(fc.integer(), fc.string()).map(([code, text]) => new Error(`RPC error: ${code} - ${text}`)),
    )
    fc.assert(
      fc.property(thrown, (value) => {
        // no access token known: the statuses fuzzed above leave arbitrary strings as tokens in the
        // page's list, which the JSON of an arbitrary value may hold (C4, C15)
        seenTokens.length = 0
        const error = toSessionError(value)
        expect(error).toBeInstanceOf(SessionError)
        expect(typeof error.message).toBe('string')
        expect(typeof error.code === 'number' ? Number.isFinite(error.code) : codes.includes(error.code)).toBe(true)
        if (!(value instanceof SessionError)) expect(error.cause).toBe(value)
      }),
      { numRuns: runs },
    )
  })

  it('C18 (fuzz): a connected store fed arbitrary wallet events never throws into the emitter and keeps a consistent, frozen state', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 1, maxAttempts: 1 } })
    const errors: unknown[] = []
    store.on('error', ({ error }) => errors.push(error))
    await store.connect()
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WALLET_EVENTS, 'txChanged'), payload, async (event, value) => {
        provider.wallet.emitRaw(event, value)
        await new Promise((resolve) => setTimeout(resolve, 0))
        const s = store.getSnapshot()
        expect(Object.isFrozen(s) && Object.isFrozen(s.accounts)).toBe(true)
        if (s.status === 'disconnected') expect([s.account, s.accounts.length]).toEqual([null, 0])
        if (s.account) expect(s.accounts).toContain(s.account)
        for (const a of s.accounts) expect(typeof a.partyId).toBe('string')
        expect(s.networkId === null || typeof s.networkId === 'string').toBe(true)
        expect(polluted().polluted).toBeUndefined()
        if (s.status !== 'connected') await store.connect()
      }),
      { numRuns: Math.min(runs, 300) },
    )
    expect(provider.listenerErrors).toEqual([])
    expect(errors).toEqual([])
    store.destroy()
  })
})
