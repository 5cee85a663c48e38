import type { Clock } from '../../src/types'

/** Lets every queued promise job run (a macrotask comes after all pending microtasks). */
export const drain = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve)
  })

interface Timer {
  readonly id: number
  readonly due: number
  readonly owner: string
  readonly fn: () => void
}

/** A clock of one owner (a tab, the wallet) over the shared virtual time. */
export interface OwnedClock extends Clock {
  /** Timers of this owner that have not fired nor been cleared. */
  pending(): number
}

/**
 * Deterministic time for the model: timers fire only in {@link VirtualTime.advance}, in due
 * order, each followed by a drain of the promise jobs it started.
 */
export interface VirtualTime {
  now(): number
  /** The wall clock of the tabs' machine: `now()` plus the time it slept. */
  wall(): number
  /** A clock; `wall`: its `now()` is the wall clock (a tab's), else the time that passes for the wallet. */
  clock(owner: string, wall?: boolean): OwnedClock
  advance(ms: number): Promise<void>
  /** A system sleep of the tabs' machine: their wall clock moves on `ms`, their timers stand still. */
  sleep(ms: number): void
  /**
   * The timers of `owner` stand still (a page the browser froze or throttles), or (`frozen` false)
   * run again: those due meanwhile fire at the next {@link VirtualTime.advance}, late.
   */
  freeze(owner: string, frozen: boolean): void
}

export function createVirtualTime(start = 1_750_000_000_000): VirtualTime {
  let now = start
  let slept = 0
  let ids = 0
  const timers = new Map<number, Timer>()
  const frozen = new Set<string>()
  return {
    now: () => now,
    wall: () => now + slept,
    clock(owner, wall) {
      return {
        now: () => now + (wall ? slept : 0),
        setTimeout(fn, ms) {
          const id = ++ids
          timers.set(id, { id, due: now + Math.max(0, ms), owner, fn })
          return id
        },
        clearTimeout(handle) {
          timers.delete(handle as number)
        },
        pending: () => [...timers.values()].filter((t) => t.owner === owner).length,
      }
    },
    async advance(ms) {
      const target = now + ms
      // Promise jobs already queued run before any time passes, as they would in a browser.
      await drain()
      for (;;) {
        let next: Timer | undefined
        for (const t of timers.values()) if (t.due <= target && !frozen.has(t.owner) && (!next || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t
        if (!next) break
        timers.delete(next.id)
        // a timer of a tab that was frozen fires late, at the time it runs again
        now = Math.max(now, next.due)
        next.fn()
        await drain()
      }
      now = target
      await drain()
    },
    sleep(ms) {
      slept += ms
    },
    freeze(owner, stop) {
      if (stop) frozen.add(owner)
      else frozen.delete(owner)
    },
  }
}
