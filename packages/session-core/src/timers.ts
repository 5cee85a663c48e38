import type { Clock } from './types'

/** The longest delay `setTimeout` honours (2^31 − 1 ms); longer waits are re-armed. */
const MAX_TIMER = 2 ** 31 - 1

/** @internal */
export interface Timers {
  /** Runs `fn` after `ms` (clamped to [0, 2^31 − 1]); returns its handle. */
  later(fn: () => void, ms: number): unknown
  /** Cancels a pending timer (a no-op for a fired or unknown handle). */
  cancel(handle: unknown): void
  /** Cancels every pending timer. */
  clear(): void
}

/**
 * Every timer of one store, through its clock, so that `destroy()` leaves none behind (C14).
 * @internal
 */
export function createTimers(clock: Clock): Timers {
  const pending = new Set<unknown>()
  return {
    later(fn, ms) {
      const handle = clock.setTimeout(() => {
        pending.delete(handle)
        fn()
      }, Math.min(Math.max(0, ms), MAX_TIMER))
      pending.add(handle)
      return handle
    },
    cancel(handle) {
      if (pending.delete(handle)) clock.clearTimeout(handle)
    },
    clear() {
      for (const handle of pending) clock.clearTimeout(handle)
      pending.clear()
    },
  }
}
