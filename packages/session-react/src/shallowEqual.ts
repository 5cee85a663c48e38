/**
 * Whether two objects (or nulls) with the same keys hold the same values (`===`).
 *
 * @param a - an object or null
 * @param b - an object or null
 * @returns true when both are objects and every own key of `a` has the same value in `b` (two
 * nulls compare unequal: the selection, null either way, is then the new null)
 * @internal
 */
export const shallowEqual = <T extends object | null>(a: T, b: T): boolean =>
  a && b && Object.keys(a).every((key) => (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key])
