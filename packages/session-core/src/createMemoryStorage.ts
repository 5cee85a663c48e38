import type { SessionStorage } from '@sessionlayer/session-crypto'

/**
 * An in-memory `SessionStorage`: the store's fallback where IndexedDB or WebCrypto is missing
 * (Node, SSR, old browsers). Nothing survives a reload.
 * @returns a fresh, empty storage
 * @public
 */
export function createMemoryStorage(): SessionStorage {
  const map = new Map<string, string>()
  // async, with nothing to await: each answers with a promise, as `SessionStorage` asks
  /* eslint-disable @typescript-eslint/require-await */
  return {
    getItem: async (key) => map.get(key) ?? null,
    setItem: async (key, value) => {
      map.set(key, value)
    },
    removeItem: async (key) => {
      map.delete(key)
    },
  }
  /* eslint-enable @typescript-eslint/require-await */
}
