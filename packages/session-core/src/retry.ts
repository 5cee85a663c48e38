/**
 * Reconnect backoff policy (SPEC C7).
 * @public
 */
export interface RetryPolicy {
  /** Delay of the first attempt, in ms. */
  readonly baseDelayMs: number
  /** Growth factor between attempts. */
  readonly factor: number
  /** Upper bound of any delay, in ms. */
  readonly maxDelayMs: number
  /** Attempts before giving up. */
  readonly maxAttempts: number
  /** Draw each delay uniformly in [50 %, 100 %] of its nominal value. */
  readonly jitter: boolean
}

/**
 * The default reconnect policy: 500 ms, ×2, capped at 30 s, 5 attempts, no jitter.
 * @public
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseDelayMs: 500,
  factor: 2,
  maxDelayMs: 30_000,
  maxAttempts: 5,
  jitter: false,
})

/**
 * The delay before reconnect attempt `attempt` (1-based):
 * `min(baseDelayMs * factor^(attempt-1), maxDelayMs)`, and with jitter a uniform draw in
 * [50 %, 100 %] of that. An attempt number below 1 (or NaN) counts as 1; never NaN: a
 * `baseDelayMs` of 0 gives 0 for every attempt, and attempt `Infinity` (the worst case of a
 * `maxAttempts: Infinity` policy) gives the limit: `baseDelayMs` for a `factor` of 1.
 *
 * @param policy - the policy
 * @param attempt - the attempt number, from 1
 * @param random - a source of uniform numbers in [0, 1), for jitter
 * @returns the delay in ms
 * @example
 * ```ts
 * computeBackoffDelay(DEFAULT_RETRY_POLICY, 3) // 2000
 * ```
 * @public
 */
export function computeBackoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  // An attempt before the first (0, negative, NaN) is the first. An exponent past 1e20 changes no
  // power of a double factor but 1's (1 ** Infinity is NaN, the endless attempt's delay is the base):
  // any other factor is 0 or Infinity there already. 0 × Infinity (a zero base once factor^(n-1)
  // overflows, an endless base times a factor of 0) is NaN, no delay: 0.
  // the nominal delay, without jitter times 1: the same number, -0 and Infinity too
  return Math.min(policy.baseDelayMs * policy.factor ** Math.min(attempt > 1 ? attempt - 1 : 0, 1e20) || 0, policy.maxDelayMs) * (policy.jitter ? 0.5 + random() / 2 : 1)
}

/**
 * An option's `value` as a number: a number as it is, a numeric string from a configuration as its
 * number; NaN for anything else (`undefined`, `null`, a blank string, a boolean, an object), which
 * then keeps the option's default — `true` is no delay of 1 ms, `false` no count of 0.
 * @internal
 */
export const toNumber = (value: unknown): number => (typeof value == 'number' || (typeof value == 'string' && value.trim()) ? +(value as string) : NaN)

/**
 * An unusable option's value as an error message tells it: a number as it is (-1, NaN), anything
 * else by its kind (`string`), never a long or secret text.
 * @internal
 */
export const kindOf = (value: unknown): number | string => (typeof value == 'number' ? value : typeof value)

/**
 * The policy of the `reconnect` option: `true` is the default policy, a partial one is merged
 * over it field by field. A field that is not a number of 0 or more (`undefined`, `''`, NaN, a
 * negative number, a boolean) keeps its default: never a NaN or negative delay, never a count that
 * makes no sense; a numeric string is its number. `jitter` takes true and false as well.
 * @internal
 */
export const resolveRetryPolicy = (reconnect: true | Partial<RetryPolicy>): RetryPolicy =>
  // `true` has no field of its own: a copy of the default policy
  // a null (a JSON config) is no field, as an undefined one: its default
  // a numeric string (a configuration's) as its number, a boolean (jitter's) as it is: kept a
  // string, `maxDelayMs + …` would join texts
  ({ ...DEFAULT_RETRY_POLICY, ...Object.fromEntries(Object.entries(reconnect as Partial<Record<string, unknown>>).map(([field, value]) => [field, field == 'jitter' && value === !!value ? value : toNumber(value)] as const).filter(([, value]) => (value as number) >= 0)) })
