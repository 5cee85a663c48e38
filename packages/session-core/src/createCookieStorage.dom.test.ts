/**
 * @vitest-environment jsdom
 * @vitest-environment-options { "url": "http://app.example/dapp/" }
 */
import { createMockProvider } from '@sessionlayer/session-testing'
import { afterEach, describe, expect, it } from 'vitest'
import { createCookieStorage } from './createCookieStorage'
import { createSessionStore } from './createSessionStore'

// In the browser, without an adapter: jsdom's cookie jar refuses what browsers refuse (a Secure
// cookie on http, a foreign Domain) and hides a cookie whose Path the page is not under.

const REFUSED = /^The browser did not take the cookie for "k" \(/

/** Cookies blocked: `document.cookie` shows `held` and ignores every write, as a browser does. */
const blockCookies = (held = '') => {
  Object.defineProperty(document, 'cookie', { configurable: true, get: () => held, set: () => {} })
}

afterEach(() => {
  // the jsdom jar again, emptied
  Reflect.deleteProperty(document, 'cookie')
  for (const part of document.cookie.split('; ')) for (const path of ['/', '/dapp']) document.cookie = `${part.split('=')[0] ?? ''}=; Path=${path}; Max-Age=0`
})

describe('createCookieStorage in the browser', () => {
  it('§2.5, C15: a cookie the browser refuses rejects with a clear error instead of resolving as written', async () => {
    const refusals: [string, Parameters<typeof createCookieStorage>[0]][] = [
      ['Secure on http', { secure: true }],
      ['SameSite=None (Secure) on http', { sameSite: 'none' }],
      ['a foreign Domain', { domain: 'other.example' }],
      ['a Path this page is not under', { path: '/other' }],
    ]
    for (const [what, options] of refusals) {
      const storage = createCookieStorage(options)
      await expect(storage.setItem('k', 'v'), what).rejects.toThrow(REFUSED)
      await expect(storage.getItem('k'), what).resolves.toBeNull()
    }
    blockCookies()
    await expect(createCookieStorage().setItem('k', 'v')).rejects.toThrow(REFUSED)
  })

  it('§2.5, C15: a removal the browser does not take rejects', async () => {
    blockCookies('sessionlayer.k=*2F*00*00v')
    const storage = createCookieStorage()
    await expect(storage.removeItem('k')).rejects.toThrow(REFUSED)
    await expect(storage.getItem('k')).resolves.toBe('v')
  })

  it('§2.5: a cookie the browser keeps resolves and reads back, a removal resolves and the cookie is gone, and a maxAge of 0 keeps nothing, as documented', async () => {
    const storage = createCookieStorage({ path: '/dapp', domain: 'app.example', maxAge: 60 })
    await expect(storage.setItem('k', '{"x":"; = ü"}')).resolves.toBeUndefined()
    expect(document.cookie).toContain('sessionlayer.k=')
    await expect(storage.getItem('k')).resolves.toBe('{"x":"; = ü"}')
    await expect(storage.setItem('k', '')).resolves.toBeUndefined()
    await expect(storage.getItem('k')).resolves.toBe('')
    await expect(storage.removeItem('k')).resolves.toBeUndefined()
    await expect(storage.getItem('k')).resolves.toBeNull()
    await expect(createCookieStorage({ maxAge: 0 }).setItem('k', 'v')).resolves.toBeUndefined()
    expect(document.cookie).toBe('')
  })

  it('§2.5, C15: a cookie of the same name left on a longer path (an older setup) neither fails the writes and removals of ours nor is removed by them', async () => {
    document.cookie = 'sessionlayer.k=old; Path=/dapp'
    const storage = createCookieStorage()
    await expect(storage.setItem('k', 'v')).resolves.toBeUndefined()
    expect(document.cookie).toBe('sessionlayer.k=old; sessionlayer.k=*2F*00*00v')
    await expect(storage.removeItem('k')).resolves.toBeUndefined()
    await expect(storage.removeItem('k')).resolves.toBeUndefined()
    expect(document.cookie).toBe('sessionlayer.k=old')
    // refused still rejects, also beside a cookie of that name it did not write
    blockCookies('sessionlayer.k=old; sessionlayer.k=*2F*00*00v')
    await expect(storage.setItem('k', 'w')).rejects.toThrow(REFUSED)
    await expect(storage.removeItem('k')).rejects.toThrow(REFUSED)
  })

  it.each([
    ['a longer path, listed before it', { stale: 'Path=/dapp', options: {} }],
    ['a shorter path, listed after it', { stale: 'Path=/', options: { path: '/dapp' } }],
  ])('§2.5, C10: getItem reads the cookie of this storage, not one of the same name on %s (an older setup), also once its own is removed', async (_, { stale, options }) => {
    document.cookie = `sessionlayer.k=old; ${stale}`
    const storage = createCookieStorage(options)
    await expect(storage.getItem('k')).resolves.toBeNull()
    await storage.setItem('k', 'v')
    await expect(storage.getItem('k')).resolves.toBe('v')
    await storage.removeItem('k')
    await expect(storage.getItem('k')).resolves.toBeNull()
  })

  it('C15: the store turns a cookie the browser refuses into a storage:error, and the session stays connected', async () => {
    blockCookies()
    const store = createSessionStore(createMockProvider(), { storage: createCookieStorage() })
    const errors: [string, unknown][] = []
    store.on('storage:error', ({ operation, error }) => errors.push([operation, error]))
    await store.connect()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(errors).toEqual([['set', expect.objectContaining({ message: expect.stringMatching(/^The browser did not take the cookie for "sessionlayer.session"/) })]])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    store.destroy()
  })

  it('§2.5: the server path (an injected adapter) is not read back: the adapter writes response headers, not the request cookies it reads', async () => {
    const written: string[] = []
    const storage = createCookieStorage({ secure: true, adapter: { get: () => '', set: (cookie) => written.push(cookie) } })
    await expect(storage.setItem('k', 'v')).resolves.toBeUndefined()
    await expect(storage.removeItem('k')).resolves.toBeUndefined()
    expect(written).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Secure', 'sessionlayer.k=*2F*00*00; Path=/; SameSite=Lax; Max-Age=0; Secure'])
  })
})
