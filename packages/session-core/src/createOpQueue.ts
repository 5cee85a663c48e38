import { SessionError } from './SessionError'

/** @internal */
export interface OpQueue {
  /** Holds `op` until `flush` or `reject`; rejects at once with QUEUE_FULL over the bound (C13). */
  hold<T>(op: () => T | Promise<T>): Promise<T>
  /** Runs the held ops one after another, in submission order. */
  flush(): void
  /** Rejects every held op with `error`, without running it. */
  reject(error: SessionError): void
}

type Held = [() => unknown, (value: unknown) => void, (error: unknown) => void]

/**
 * The operations `enqueue`d while a re-authentication runs.
 * @param limit - how many ops may wait
 * @internal
 */
export function createOpQueue(limit: number): OpQueue {
  let held: Held[] = []
  const take = () => {
    const items = held
    held = []
    return items
  }
  return {
    hold: <T>(op: () => T | Promise<T>) =>
      held.length >= limit
        ? Promise.reject(new SessionError('Too many operations wait for re-authentication', 'QUEUE_FULL'))
        : new Promise<T>((resolve, reject) => {
            held.push([op, resolve as (value: unknown) => void, reject])
          }),
    flush() {
      let chain: Promise<unknown> = Promise.resolve()
      for (const [op, resolve, reject] of take()) chain = chain.then(op).then(resolve, reject)
    },
    reject(error) {
      for (const [, , reject] of take()) reject(error)
    },
  }
}
