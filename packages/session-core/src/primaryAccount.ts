import type { CIP0103Account } from './cip0103'

/**
 * The active account: the one flagged primary, else the first, else null. The flag is the
 * account's own: not one a polluted `Object.prototype` lends every account, nor is an account one
 * it lends an empty list at index 0 (`at` reads none past the end) (C18).
 * @internal
 */
export const primaryAccount = (accounts: readonly CIP0103Account[]): CIP0103Account | null =>
  accounts.find((a) => Object.hasOwn(a, 'primary') && a.primary === true) ?? accounts.at(0) ?? null
