import type { CIP0103Account } from './cip0103'

/**
 * The active account: the one flagged primary, else the first, else null.
 * @internal
 */
export const primaryAccount = (accounts: readonly CIP0103Account[]): CIP0103Account | null =>
  accounts.find((a) => a.primary === true) ?? accounts[0] ?? null
