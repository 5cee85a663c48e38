import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseSyncMessage } from './parseSyncMessage'

// Fuzzing of the tab-channel decoder (M2): whatever another script posts on the channel, the
// decoder never throws, never pollutes a prototype, and accepts only the schema (top-level fields a later release adds are ignored).

const NAME = 'sessionlayer.session.sync::https://app.example::sessionlayer.session'
const runs = Number(process.env.SESSIONLAYER_FUZZ_RUNS ?? 1_000)

const wellFormed = fc.record({
  v: fc.constant(1),
  kind: fc.stringMatching(/^[a-z][a-z0-9:_-]{0,31}$/),
  seq: fc.integer({ min: 1 }),
  tabId: fc.string({ minLength: 1, maxLength: 64 }),
  at: fc.double({ noNaN: true, noDefaultInfinity: true }),
  ch: fc.constant(NAME),
  data: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }),
})
  // prototype-polluting keys are refused at any depth (covered by the test below)
  .filter((m) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(m)))

/** A well-formed message with one field replaced, removed, or one extra field. */
const mutated = fc.tuple(wellFormed, fc.constantFrom('v', 'kind', 'seq', 'tabId', 'at', 'ch', 'data', 'extra'), fc.anything(), fc.boolean()).map(
  ([message, field, value, remove]) => {
    const entries = Object.entries(message).filter(([key]) => !remove || key !== field)
    return Object.fromEntries(remove ? entries : [...entries.filter(([key]) => key !== field), [field, value]])
  },
)

const isValid = (m: Record<string, unknown>) => {
  return (
    m.v === 1 &&
    typeof m.kind === 'string' &&
    /^[a-z][a-z0-9:_-]{0,31}$/.test(m.kind) &&
    Number.isSafeInteger(m.seq) &&
    (m.seq as number) > 0 &&
    typeof m.tabId === 'string' &&
    m.tabId.length > 0 &&
    m.tabId.length < 65 &&
    Number.isFinite(m.at) &&
    m.ch === NAME &&
    typeof m.data === 'object' &&
    m.data !== null &&
    Object.getPrototypeOf(m.data) === Object.prototype
  )
}

// Fuzzing takes about a second alone, and several times that on a busy machine.
describe('parseSyncMessage fuzzing', { timeout: 30_000 }, () => {
  it('M2 (fuzz): arbitrary values never throw, never pollute, and come back as null or a frozen valid message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything({ withNullPrototype: true, withObjectString: true }), mutated, wellFormed), (input) => {
        const message = parseSyncMessage(input, NAME, 4096)
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        if (message === null) return
        expect(isValid(message as unknown as Record<string, unknown>)).toBe(true)
        expect(Object.keys(message).sort().join()).toBe('at,ch,data,kind,seq,tabId,v')
        expect(Object.isFrozen(message)).toBe(true)
        expect(Object.isFrozen(message.data)).toBe(true)
      }),
      { numRuns: runs },
    )
  })

  it('M2 (fuzz): a well-formed message is accepted as an equal copy; one wrong field rejects it', () => {
    fc.assert(
      fc.property(wellFormed, (input) => {
        const parsed = parseSyncMessage(input, NAME, 1 << 20)
        expect(parsed).toEqual(JSON.parse(JSON.stringify(input)))
        expect(parsed).not.toBe(input)
        expect(parseSyncMessage(input, `${NAME}.other`, 1 << 20)).toBeNull()
      }),
      { numRuns: runs },
    )
    fc.assert(
      fc.property(mutated, (input) => {
        const parsed = parseSyncMessage(input, NAME, 1 << 20)
        let jsonSafe: boolean
        try {
          jsonSafe = (JSON.stringify as (v: unknown) => string | undefined)(input) !== undefined
        } catch {
          jsonSafe = false
        }
        if (!jsonSafe || !isValid(JSON.parse(JSON.stringify(input)) as Record<string, unknown>)) expect(parsed).toBeNull()
      }),
      { numRuns: runs },
    )
  })

  it('M2 (fuzz): JSON text with __proto__ keys anywhere is rejected without polluting', () => {
    fc.assert(
      fc.property(wellFormed, fc.jsonValue(), (message, value) => {
        const hostile = JSON.parse(JSON.stringify({ ...message, data: { nested: { __proto__x: 1 } } }).replace('"__proto__x"', '"__proto__"')) as unknown
        expect(parseSyncMessage(hostile, NAME, 4096)).toBeNull()
        const top = JSON.parse(`{"__proto__":${JSON.stringify(value)},${JSON.stringify(message).slice(1)}`) as unknown
        expect(parseSyncMessage(top, NAME, 4096)).toBeNull()
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      }),
      { numRuns: runs },
    )
  })
})
