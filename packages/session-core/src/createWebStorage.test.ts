import { describe, expect, it } from 'vitest'
import { createWebStorage } from './createWebStorage'

class MapStorage implements Storage {
  private map = new Map<string, string>()
  get length() {
    return this.map.size
  }
  clear() {
    this.map.clear()
  }
  getItem(key: string) {
    return this.map.get(key) ?? null
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null
  }
  removeItem(key: string) {
    this.map.delete(key)
  }
  setItem(key: string, value: string) {
    this.map.set(key, value)
  }
}

describe('createWebStorage', () => {
  it('round-trips through a Web Storage', async () => {
    const web = new MapStorage()
    const storage = createWebStorage(web)
    await storage.setItem('k', 'v')
    expect(web.getItem('k')).toBe('v')
    expect(await storage.getItem('k')).toBe('v')
    await storage.removeItem('k')
    expect(await storage.getItem('k')).toBeNull()
  })

  it('SSR: a missing Web Storage rejects each operation and never throws synchronously', async () => {
    const storage = createWebStorage(() => undefined)
    await expect(storage.getItem('k')).rejects.toThrow('Web Storage is not available')
    await expect(storage.setItem('k', 'v')).rejects.toThrow()
  })

  it('§2.5: a lookup that throws (reading localStorage where storage is blocked) rejects each operation, never a synchronous throw', async () => {
    const storage = createWebStorage(() => {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    })
    await expect(storage.getItem('k')).rejects.toThrow('insecure')
    await expect(storage.setItem('k', 'v')).rejects.toThrow('insecure')
    await expect(storage.removeItem('k')).rejects.toThrow('insecure')
  })

  it('a throwing Web Storage (quota, privacy mode) becomes a rejected operation', async () => {
    const web = new MapStorage()
    web.setItem = () => {
      throw new DOMException('quota', 'QuotaExceededError')
    }
    await expect(createWebStorage(web).setItem('k', 'v')).rejects.toThrow('quota')
  })
})
