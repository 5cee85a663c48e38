import { describe, expect, it } from 'vitest'
import { parseSyncMessage } from './parseSyncMessage'

const CH = 'sessionlayer.session.sync::https://a.example::k'
const valid = (patch: Record<string, unknown> = {}) => ({ v: 1, kind: 'party', seq: 1, tabId: 't1', at: 1700000000000, ch: CH, data: { current: 'p::1' }, ...patch })
const parse = (input: unknown, maxBytes = 8192) => parseSyncMessage(input, CH, maxBytes)

describe('parseSyncMessage', () => {
  it('M2: returns a fresh, deeply frozen copy of a valid message', () => {
    const raw = valid({ data: { nested: { list: [1, { x: 'y' }] } } })
    const message = parse(raw)
    expect(message).toEqual(raw)
    expect(message).not.toBe(raw)
    expect(message?.data).not.toBe(raw.data)
    expect(Object.isFrozen(message)).toBe(true)
    expect(Object.isFrozen(message?.data)).toBe(true)
    expect(Object.isFrozen((message?.data.nested as { list: unknown[] }).list)).toBe(true)
    expect(Object.isFrozen((message?.data.nested as { list: unknown[] }).list[1])).toBe(true)
  })

  it('M2: accepts data with a null prototype and the edge values of every field', () => {
    const data = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 })
    expect(parse(valid({ data }))?.data).toEqual({ a: 1 })
    expect(parse(valid({ kind: 'a' }))).not.toBeNull()
    expect(parse(valid({ kind: `a${'b'.repeat(31)}` }))).not.toBeNull()
    expect(parse(valid({ kind: 'reconnect:gave_up-2' }))).not.toBeNull()
    expect(parse(valid({ seq: Number.MAX_SAFE_INTEGER }))).not.toBeNull()
    expect(parse(valid({ tabId: 'x'.repeat(64) }))).not.toBeNull()
    expect(parse(valid({ at: 0 }))).not.toBeNull()
    expect(parse(valid({ data: {} }))).not.toBeNull()
  })

  it('M2: ignores the top-level fields a later release adds: the seven it knows are applied, and only those are handed on', () => {
    const message = parse(valid({ sid: 'abc', hops: [1, 2], v2: { kind: 'x' } }))
    expect(message).toEqual(valid())
    expect(Object.isFrozen(message)).toBe(true)
    // still validated: a later release's fields never make a bad message good
    expect(parse(valid({ seq: 0, extra: 1 }))).toBeNull()
    expect(parse(valid({ extra: JSON.parse('{"__proto__":{"polluted":1}}') }))).toBeNull()
    expect(parse(valid({ extra: new Map() }))).toBeNull()
  })

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'hello'],
    ['a JSON string of a valid message', JSON.stringify(valid())],
    ['a number', 42],
    ['an array', [valid()]],
    ['v: 2', valid({ v: 2 })],
    ['v: "1"', valid({ v: '1' })],
    ['a missing kind', valid({ kind: undefined })],
    ['an empty kind', valid({ kind: '' })],
    ['an upper-case kind', valid({ kind: 'Party' })],
    ['a kind over 32 characters', valid({ kind: `a${'b'.repeat(32)}` })],
    ['a kind as an array', valid({ kind: ['party'] })],
    ['seq 0', valid({ seq: 0 })],
    ['a negative seq', valid({ seq: -1 })],
    ['a fractional seq', valid({ seq: 1.5 })],
    ['an unsafe seq', valid({ seq: 2 ** 53 })],
    ['seq as a string', valid({ seq: '1' })],
    ['an empty tabId', valid({ tabId: '' })],
    ['a tabId over 64 characters', valid({ tabId: 'x'.repeat(65) })],
    ['a numeric tabId', valid({ tabId: 7 })],
    ['a tabId as an array', valid({ tabId: ['t1'] })],
    ['a missing at', valid({ at: undefined })],
    ['at as a string', valid({ at: '1' })],
    ['a non-finite at', valid({ at: Infinity })],
    ['a foreign ch', valid({ ch: 'sessionlayer.session.sync::https://a.example::other' })],
    ['a missing ch', valid({ ch: undefined })],
    ['data null', valid({ data: null })],
    ['data an array', valid({ data: [1] })],
    ['data a string', valid({ data: 'x' })],
    ['a missing data', valid({ data: undefined })],
    ['a __proto__ key in data', valid({ data: JSON.parse('{"__proto__":{"polluted":1}}') })],
    ['a nested __proto__ key', valid({ data: { a: [JSON.parse('{"__proto__":{"polluted":1}}')] } })],
    ['a __proto__ key at the top', { ...(JSON.parse('{"__proto__":{"polluted":1}}') as object), ...valid() }],
    ['a constructor key', valid({ data: { constructor: { prototype: { polluted: 1 } } } })],
    ['a nested prototype key', valid({ data: { a: { prototype: 1 } } })],
    ['a nested constructor key', valid({ data: { a: { constructor: 'x' } } })],
    ['a Map in data', valid({ data: { m: new Map([['a', 1]]) } })],
    ['a class instance as data', valid({ data: new (class Payload {
      x = 1
    })() })],
    ['a typed array in data', valid({ data: { bytes: new Uint8Array(2) } })],
    ['a Date in data (turned into a string by its toJSON)', valid({ data: { when: new Date(0) } })],
    ['a BigInt in data', valid({ data: { n: 1n } })],
    ['data over maxBytes', valid({ data: { s: 'x'.repeat(9000) } })],
  ])('M2: rejects %s', (_, input) => {
    expect(parse(input)).toBeNull()
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('M2: rejects cyclic data without throwing', () => {
    const data: Record<string, unknown> = {}
    data.self = data
    expect(parse(valid({ data }))).toBeNull()
  })

  it('M2: bounds data by its JSON length', () => {
    const data = { s: 'x'.repeat(92) } // {"s":"…"} is 100 characters
    expect(parse(valid({ data }), 100)).not.toBeNull()
    expect(parse(valid({ data }), 99)).toBeNull()
  })

  it('M2: bounds data by the UTF-8 bytes of its JSON, not its characters (CJK, emoji, escapes)', () => {
    // 100 bytes each: 8 + 92 ASCII, 8 + 30 × 3 + 2 (一), 8 + 23 × 4 (😀, two UTF-16 units each), 8 + 15 × 6 + 2 (\u0001)
    for (const s of ['x'.repeat(92), `${'一'.repeat(30)}xx`, '😀'.repeat(23), `${'\u0001'.repeat(15)}xx`]) {
      expect(parse(valid({ data: { s } }), 100)?.data).toEqual({ s })
      expect(parse(valid({ data: { s } }), 99)).toBeNull()
    }
    // 2,000 characters of Chinese are 6,000 bytes: over a 4,096-byte bound
    expect(parse(valid({ data: { hint: '党'.repeat(2000) } }), 4096)).toBeNull()
  })
})
