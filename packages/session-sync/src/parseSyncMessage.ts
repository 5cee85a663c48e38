import type { SyncMessage } from './types'

/**
 * `JSON.stringify` replacer: only plain objects (of any realm), no prototype-polluting keys. It
 * checks `this[key]`, the value before its `toJSON`: a `Date` is refused, not turned into a string.
 */
function plainJson(this: Record<string, unknown>, key: string, value: unknown): unknown {
  let proto: unknown
  const raw = this[key]
  // no prototype-polluting key
  if (/^(__proto__|constructor|prototype)$/.test(key) || (typeof raw == 'object' && raw && !Array.isArray(raw) && (proto = Object.getPrototypeOf(raw)) && Object.getPrototypeOf(proto))) {
    throw TypeError()
  }
  return value
}

/**
 * Validates one received (or about to be sent) value against the sync protocol (SPEC M2) and
 * returns a fresh, deeply frozen copy of its seven fields, or null when it is not a valid message
 * of channel `name`. Other top-level fields (a later release's additions) are ignored, so that
 * release's messages are still understood. The copy is made through JSON with a replacer that rejects class instances and
 * `__proto__` / `constructor` / `prototype` keys at any depth, so nothing of the received object
 * (prototype, getters, shared references) reaches a listener. Never throws.
 *
 * @param input - the received `event.data`
 * @param name - the channel name the message must carry in `ch`
 * @param maxBytes - the largest accepted size of `data`, in UTF-8 bytes of its JSON
 * @returns the validated copy, or null
 * @internal
 */
export function parseSyncMessage(input: unknown, name: string, maxBytes: number): SyncMessage | null {
  try {
    // the copy is deeply frozen by the reviver; the seven fields, each checked below
    const { v, kind, seq, tabId, at, ch, data } = JSON.parse(JSON.stringify(input, plainJson), (_, value: unknown) => Object.freeze(value)) as Record<string, unknown>
    if (
      v === 1 &&
      typeof kind == 'string' &&
      /^[a-z][a-z\d:_-]{0,31}$/.test(kind) &&
      Number.isSafeInteger(seq) &&
      (seq as number) > 0 &&
      typeof tabId == 'string' &&
      tabId &&
      tabId.length < 65 &&
      Number.isFinite(at) &&
      ch === name &&
      // a JSON object: `constructor` is a forbidden own key, so this is `Object` only for objects
      data?.constructor === Object &&
      // counted in UTF-8 bytes, not characters: a CJK character is three, an emoji four
      new TextEncoder().encode(JSON.stringify(data)).length <= maxBytes
    ) {
      // only these: a field a later release added is none of this one's (M2)
      return Object.freeze({ v, kind, seq, tabId, at, ch, data }) as SyncMessage
    }
  } catch {
    // not JSON-safe, a polluting key, a class instance, or not an object at all
  }
  return null
}
