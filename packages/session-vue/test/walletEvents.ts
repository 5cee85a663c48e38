import { vi } from 'vitest'

/** Lets the wallet's events on their way reach the store: each arrives on a task of its own, as from a real wallet. */
export async function walletEvents(): Promise<void> {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await new Promise((resolve) => setTimeout(resolve, 0))
}
