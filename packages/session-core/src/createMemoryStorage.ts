import type { SessionStorage } from '@sessionlayer/session-crypto'

/**
 * An in-memory `SessionStorage`: the store's fallback where IndexedDB or WebCrypto is missing
 * (Node, SSR, old browsers). Nothing survives a reload.
 * @returns a fresh, empty storage
 * @public
 */
export function createMemoryStorage(): SessionStorage {
  const map = new Map<string, string>()
  return {
    getItem: (key) => Promise.resolve(map.get(key) ?? null),
    setItem: (key, value) => {
      map.set(key, value)
      return Promise.resolve()
    },
    removeItem: (key) => {
      map.delete(key)
      return Promise.resolve()
    },
  }
}
