/**
 * Whether two objects (or nulls) with the same keys hold the same values (`===`).
 *
 * @param a - an object or null
 * @param b - an object or null
 * @returns true when `a === b` or every own key of `a` has the same value in `b`
 * @internal
 */
export function shallowEqual<T extends object | null>(a: T, b: T): boolean {
  return a === b || (!!(a && b) && Object.keys(a).every((key) => (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key]))
}
