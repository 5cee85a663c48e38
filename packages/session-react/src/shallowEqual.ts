/**
 * Whether two objects (or nulls) with the same keys hold the same values (`===`).
 *
 * Only for the bindings' own selections (`useSession`, `useAccount`, `useClientSession`), whose
 * objects always have the same keys, and for the key of `useSessionSelector`'s memo (snapshot,
 * selector, isEqual; the memo holds the selection after them): it reads `a`'s keys only, so an
 * object that gains a key would compare equal. It is not exported, and an app's selection never
 * meets it: `useSessionSelector` compares those with the app's `isEqual`, `Object.is` by default (§4).
 *
 * @param a - an object or null
 * @param b - an object or null
 * @returns true when both are objects and every own key of `a` has the same value in `b` (two
 * nulls compare unequal: the selection, null either way, is then the new null)
 * @internal
 */
export const shallowEqual = <T extends object | null>(a: T, b: T): boolean =>
  a && b && Object.keys(a).every((key) => (a as Record<string, unknown>)[key] === (b as Record<string, unknown>)[key])
