/**
 * A promise of what `run` returns: a throw becomes a rejection, a thenable is adopted.
 * @internal
 */
export const attempt = <T>(run: () => T | PromiseLike<T>): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(run())
  })
