/** A plain object, read field by field. @internal */
export type Fields = Record<string, unknown>

/**
 * Throws when `ok` is falsy; the envelope readers catch it and answer null, so the error carries
 * no message: no one ever reads one.
 * @param ok - the condition
 * @internal
 */
export function check(ok: unknown): asserts ok {
  if (!ok) throw TypeError()
}
