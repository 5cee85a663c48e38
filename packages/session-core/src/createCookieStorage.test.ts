import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCookieStorage, type CookieAdapter, type CookieStorageOptions } from './createCookieStorage'

/** A cookie jar that behaves like a browser for name/value and removal by a `Max-Age` of 0 or less. */
function jar(): { get: () => string; set: CookieAdapter['set']; written: string[] } {
  const cookies = new Map<string, string>()
  const written: string[] = []
  return {
    written,
    get: () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    set(cookie) {
      written.push(cookie)
      const [pair = '', ...attrs] = cookie.split('; ')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const maxAge = attrs.find((attr) => attr.startsWith('Max-Age='))
      if (maxAge !== undefined && Number(maxAge.slice('Max-Age='.length)) <= 0) cookies.delete(name)
      else cookies.set(name, pair.slice(eq + 1))
    },
  }
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('createCookieStorage', () => {
  it('defaults to Secure on an https page, not on http, and an explicit secure wins', async () => {
    const written = async (options: { secure?: boolean } = {}) => {
      const adapter = jar()
      await createCookieStorage({ adapter, ...options }).setItem('k', 'v')
      return adapter.written[0] ?? ''
    }
    vi.stubGlobal('location', { protocol: 'https:', origin: 'https://app.example' })
    expect(await written()).toMatch(/; Secure$/)
    expect(await written({ secure: false })).not.toContain('Secure')
    vi.stubGlobal('location', { protocol: 'http:', origin: 'http://127.0.0.1:5173' })
    expect(await written()).not.toContain('Secure')
    expect(await written({ secure: true })).toMatch(/; Secure$/)
  })


  it('keeps one encoded cookie per storage key', async () => {
    const adapter = jar()
    const storage = createCookieStorage({ adapter })
    await storage.setItem('a', '{"x":"; = ü"}')
    await storage.setItem('b', 'two')
    expect(await storage.getItem('a')).toBe('{"x":"; = ü"}')
    expect(await storage.getItem('b')).toBe('two')
    expect(adapter.written[0]).toBe('sessionlayer.a=*2F*00*00*7B*22x*22*3A*22*3B*20*3D*20*C3*BC*22*7D; Path=/; SameSite=Lax')
    await storage.removeItem('a')
    expect(await storage.getItem('a')).toBeNull()
    expect(await storage.getItem('b')).toBe('two')
  })

  it("§2.5: a storage key with `;`, `=`, white space or non-ASCII characters is encoded in the cookie name: the Set-Cookie is ASCII (Node's `appendHeader` sends it), sets no cookie or attribute of its own, and reads back", async () => {
    const { validateHeaderValue } = await import('node:http')
    const adapter = jar()
    const storage = createCookieStorage({
      adapter: {
        get: adapter.get,
        set: (cookie) => {
          validateHeaderValue('Set-Cookie', cookie)
          adapter.set(cookie)
        },
      },
    })
    const key = 'app;Domain=evil.example x=ü'
    await storage.setItem(key, 'v')
    expect(adapter.written).toEqual(['sessionlayer.app%3BDomain%3Devil.example%20x%3D%C3%BC=*2F*00*00v; Path=/; SameSite=Lax'])
    expect(await storage.getItem(key)).toBe('v')
    expect(await storage.getItem('app')).toBeNull()
    await storage.removeItem(key)
    expect(await storage.getItem(key)).toBeNull()
  })

  it('§2.5: a storage reads only the cookies of its own name, not those of a name that ends with it', async () => {
    const adapter = jar()
    await createCookieStorage({ adapter, name: 'myapp' }).setItem('k', 'theirs')
    const storage = createCookieStorage({ adapter, name: 'app' })
    expect(await storage.getItem('k')).toBeNull()
    await storage.setItem('k', 'ours')
    expect(await storage.getItem('k')).toBe('ours')
    expect(await createCookieStorage({ adapter, name: 'myapp' }).getItem('k')).toBe('theirs')
  })

  it('§2.5: the cookie names of two storages never meet: a name with `.` (or `%`) is escaped, so `a` + `b.c` and `a.b` + `c` keep a cookie each; a name without them keeps the cookie it always had', async () => {
    const adapter = jar()
    const pairs = [['a', 'b.c'], ['a.b', 'c'], ['a.', 'c'], ['a%2E', 'c'], ['a%2E.', 'c']] as const
    for (const [name, key] of pairs) await createCookieStorage({ adapter, name }).setItem(key, `${name}+${key}`)
    for (const [name, key] of pairs) expect(await createCookieStorage({ adapter, name }).getItem(key)).toBe(`${name}+${key}`)
    expect(adapter.written[0]).toMatch(/^a\.b\.c=/)
    expect(new Set(adapter.written.map((cookie) => cookie.slice(0, cookie.indexOf('=')))).size).toBe(pairs.length)
    // the released name of a storage whose name has neither still reads
    expect(await createCookieStorage({ adapter: { get: () => 'app.sessionlayer.session=*2F*00*00v', set: () => undefined }, name: 'app' }).getItem('sessionlayer.session')).toBe('v')
  })

  it('§2.5: every `.` and `%` of a name is escaped, not the first alone: `a..` + `k` and `a.` + `.k`, or `a%.` and `a%%2E`, keep a cookie each', async () => {
    const adapter = jar()
    const pairs = [['a..', 'k'], ['a.', '.k'], ['a%.', 'k'], ['a%%2E', 'k']] as const
    for (const [name, key] of pairs) await createCookieStorage({ adapter, name }).setItem(key, `${name}+${key}`)
    for (const [name, key] of pairs) expect(await createCookieStorage({ adapter, name }).getItem(key)).toBe(`${name}+${key}`)
    expect(new Set(adapter.written.map((cookie) => cookie.slice(0, cookie.indexOf('=')))).size).toBe(pairs.length)
  })

  it('§2.5, K7: a key or value with a lone surrogate (no UTF-8 holds it) rejects the operation with a SessionError -32602 that says so, never a bare URIError or a synchronous throw, and writes nothing', async () => {
    const adapter = jar()
    const storage = createCookieStorage({ adapter })
    for (const operation of [() => storage.getItem('\uD800'), () => storage.setItem('k\uDFFF', 'v'), () => storage.setItem('k', 'v\uD800'), () => storage.removeItem('\uDC00k')]) {
      let result: Promise<unknown> | undefined
      expect(() => (result = operation())).not.toThrow()
      await expect(result).rejects.toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: expect.stringContaining('lone surrogate') as string }))
    }
    expect(adapter.written).toEqual([])
    // a pair is text like any other
    await storage.setItem('k\uD83D\uDE00', 'v\uD83D\uDE00')
    expect(await storage.getItem('k\uD83D\uDE00')).toBe('v\uD83D\uDE00')
  })

  it('sets the attributes it is given, and Secure for SameSite=None', async () => {
    const adapter = jar()
    await createCookieStorage({ adapter, name: 'app', path: '/dapp', sameSite: 'none', maxAge: 60, domain: 'example.com' }).setItem('k', 'v')
    expect(adapter.written[0]).toBe('app.k=*2Fdapp*00example.com*00v; Path=/dapp; SameSite=None; Max-Age=60; Domain=example.com; Secure')
    await createCookieStorage({ adapter, sameSite: 'none', secure: false }).setItem('k', 'v')
    expect(adapter.written[1]).toBe('sessionlayer.k=*2F*00*00v; Path=/; SameSite=None; Secure')
  })

  it('writes Max-Age in whole seconds (a browser ignores `Max-Age=3600.5` and keeps a session cookie); a maxAge that is no number of seconds throws a SessionError -32602 at creation', async () => {
    const adapter = jar()
    await createCookieStorage({ adapter, maxAge: 3600.5 }).setItem('k', 'v')
    await createCookieStorage({ adapter, maxAge: 7 * 86400 * 0.25 }).setItem('k', 'v')
    expect(adapter.written).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=3600', 'sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=151200'])
    for (const maxAge of [Number.NaN, Infinity]) {
      expect(() => createCookieStorage({ adapter, maxAge })).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: expect.stringContaining('maxAge') as string }))
    }
    expect(adapter.written).toHaveLength(2)
  })

  it('§2.5: a maxAge of 1e21 seconds or more (Number.MAX_VALUE for "for ever") is written in digits, not `Max-Age=1e+21`, which a browser ignores (RFC 6265: a non-digit) and keeps a session cookie instead', async () => {
    for (const maxAge of [1e21, Number.MAX_VALUE, '1e300' as unknown as number]) {
      const adapter = jar()
      await createCookieStorage({ adapter, maxAge }).setItem('k', 'v')
      expect(adapter.written, String(maxAge)).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=1000000000000000000'])
    }
    // up to that, as given
    const adapter = jar()
    await createCookieStorage({ adapter, maxAge: 2 ** 53 - 1 }).setItem('k', 'v')
    expect(adapter.written).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=9007199254740991'])
  })

  it('§2.5, C15: a positive maxAge under one second keeps the cookie for a second instead of writing `Max-Age=0`, which deletes it; 0 still expires it at once, as documented', async () => {
    for (const maxAge of [0.5, 0.001]) {
      const adapter = jar()
      const storage = createCookieStorage({ adapter, maxAge })
      await storage.setItem('k', 'v')
      expect(adapter.written).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=1'])
      expect(await storage.getItem('k')).toBe('v')
    }
    const adapter = jar()
    await createCookieStorage({ adapter, maxAge: 1.5 }).setItem('k', 'v')
    await createCookieStorage({ adapter, maxAge: 0 }).setItem('k', 'v')
    expect(adapter.written).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=1', 'sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=0'])
    expect(await createCookieStorage({ adapter }).getItem('k')).toBeNull()
  })

  it('§2.5, C15: rejects a value over the 4 KB cookie limit with a clear error, and expires the previous cookie of that key instead of writing it, so a reload finds no older session', async () => {
    const adapter = jar()
    const storage = createCookieStorage({ adapter, name: 'app', path: '/dapp', maxAge: 60, domain: 'example.com', secure: true })
    await storage.setItem('k', 'previous')
    await storage.setItem('other', 'kept')
    const tooLarge = storage.setItem('k', 'x'.repeat(5000))
    await expect(tooLarge).rejects.toThrow(expect.objectContaining({ name: 'SessionError', code: -32602 }))
    await expect(tooLarge).rejects.toThrow(/^The cookie for "k" would be \d+ bytes, over the 4096-byte limit$/)
    expect(adapter.written.slice(2)).toEqual(['app.k=*2Fdapp*00example.com*00; Path=/dapp; SameSite=Lax; Max-Age=0; Domain=example.com; Secure'])
    expect(await storage.getItem('k')).toBeNull()
    expect(await storage.getItem('other')).toBe('kept')
    // a key too long for any cookie: nothing was kept under it, and nothing is written
    const long = 'k'.repeat(5000)
    await expect(storage.setItem(long, 'v')).rejects.toThrow(/over the 4096-byte limit/)
    await expect(storage.removeItem(long)).rejects.toThrow(/over the 4096-byte limit/)
    // its message quotes the key's first 100 characters, not all 5,000 of them
    await expect(storage.setItem(long, 'v')).rejects.toThrow(new RegExp(`^The cookie for "${'k'.repeat(100)}" would be \\d+ bytes, over the 4096-byte limit$`))
    expect(adapter.written).toHaveLength(3)
  })

  it('§2.5, C15: a cookie of exactly 4096 bytes (name, value and attributes) is written; one of 4097 is refused', async () => {
    const written: string[] = []
    const storage = createCookieStorage({ adapter: { get: () => null, set: (cookie) => written.push(cookie) } })
    await storage.setItem('k', '')
    const around = written[0]!.length
    await storage.setItem('k', 'x'.repeat(4096 - around))
    expect(written[1]).toHaveLength(4096)
    await expect(storage.setItem('k', 'x'.repeat(4097 - around))).rejects.toThrow('The cookie for "k" would be 4097 bytes, over the 4096-byte limit')
  })

  it('§2.5: a value of multi-byte characters counts toward the 4 KB limit in the bytes that are sent: it is URI-encoded, so the cookie is ASCII', async () => {
    const bytes = (text: string) => new TextEncoder().encode(text).length
    const adapter = jar()
    const storage = createCookieStorage({ adapter })
    // 'ü' is 2 bytes in UTF-8 and 6 once encoded (%C3%BC); '😀' is 2 UTF-16 units, 4 bytes, 12 encoded
    for (const char of ['ü', '€', '😀']) {
      const fits = char.repeat(Math.floor((4096 - 46) / bytes(encodeURIComponent(char))))
      await storage.setItem('k', fits)
      const cookie = adapter.written.at(-1) ?? ''
      expect(cookie).toMatch(/^[\x20-\x7e]+$/)
      expect(bytes(cookie)).toBe(cookie.length)
      expect(bytes(cookie)).toBeLessThanOrEqual(4096)
      expect(await storage.getItem('k')).toBe(fits)
      // far under 4096 UTF-16 characters, but over 4096 bytes once encoded
      await expect(storage.setItem('k', char.repeat(700))).rejects.toThrow(/^The cookie for "k" would be \d+ bytes, over the 4096-byte limit$/)
    }
  })

  it('§2.5, misuse: a sameSite other than Strict, Lax or None (any case) throws a SessionError -32602 at creation, rather than write an attribute browsers ignore; each case of the three is written as the attribute is spelled, and None, in any case, implies Secure', async () => {
    const adapter = jar()
    for (const sameSite of ['bogus', 'strictly', '', ' lax', 'lax ', 1, true, {}]) {
      expect(() => createCookieStorage({ adapter, sameSite: sameSite as 'lax' }), JSON.stringify(sameSite)).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: expect.stringContaining('sameSite') as string }))
    }
    expect(adapter.written).toEqual([])
    for (const sameSite of ['strict', 'Strict', 'LAX', 'lax', 'None', 'NONE']) await createCookieStorage({ adapter, sameSite: sameSite as 'lax' }).setItem('k', 'v')
    expect(adapter.written.map((cookie) => cookie.slice(cookie.indexOf('SameSite')))).toEqual(['SameSite=Strict', 'SameSite=Strict', 'SameSite=Lax', 'SameSite=Lax', 'SameSite=None; Secure', 'SameSite=None; Secure'])
  })

  it('§2.5, misuse: a maxAge that is negative, NaN, Infinity or no number throws a SessionError -32602 at creation, rather than write a cookie that each write deletes; a numeric string is its number', async () => {
    const adapter = jar()
    for (const [maxAge, got] of [[-1, '-1'], [-0.5, '-0.5'], ['-60', 'string'], ['1h', 'string'], [true, 'boolean'], [{}, 'object']] as const) {
      expect(() => createCookieStorage({ adapter, maxAge: maxAge as number }), JSON.stringify(maxAge)).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: `createCookieStorage needs maxAge in seconds, 0 or more: got ${got}` }))
    }
    expect(adapter.written).toEqual([])
    await createCookieStorage({ adapter, maxAge: '3600' as unknown as number }).setItem('k', 'v')
    expect(adapter.written).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax; Max-Age=3600'])
  })

  it('§2.5: without an adapter where there is no document (on the server), each operation rejects with a SessionError -32602 that says to pass an adapter, as Web Storage does where there is none, not a TypeError', async () => {
    const storage = createCookieStorage()
    for (const operation of [storage.getItem('k'), storage.setItem('k', 'v'), storage.removeItem('k')]) {
      await expect(operation).rejects.toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message: expect.stringMatching(/^Cookies are not available here: pass an adapter$/) as string }))
    }
  })

  it('§2.5: options given as null (as a JSON configuration has them), and null options, keep their defaults as undefined ones do: no cookie that expires at once (`maxAge: null`), no TypeError', async () => {
    const adapter = jar()
    const nulls = { name: null, path: null, sameSite: null, maxAge: null, domain: null, secure: null }
    const storage = createCookieStorage({ adapter, ...(nulls as unknown as CookieStorageOptions) })
    await storage.setItem('k', 'v')
    expect(adapter.written).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax'])
    expect(await storage.getItem('k')).toBe('v')
    // no adapter: document.cookie, which there is none of here, as with the adapter left out
    for (const options of [{ adapter: null }, null]) {
      await expect(createCookieStorage(options as unknown as CookieStorageOptions).getItem('k')).rejects.toThrow(/^Cookies are not available here: pass an adapter$/)
    }
    vi.stubGlobal('document', { cookie: 'sessionlayer.k=*2F*00*00v' })
    for (const options of [{ adapter: null }, null]) {
      expect(await createCookieStorage(options as unknown as CookieStorageOptions).getItem('k')).toBe('v')
    }
  })

  it('§2.5: a cookie name with a character no cookie name holds (`;`, `=`, `,`, white space, a control character, any non-ASCII one), or a path, domain or sameSite with `;` or a control character, throws a SessionError -32602 at creation: it would write a broken Set-Cookie, or one with attributes of its own', async () => {
    const adapter = jar()
    const invalid: CookieStorageOptions[] = [
      ...['a;b', 'a=b', 'a,b', 'a b', 'a\tb', 'a\nb', 'a\u0000', 'a\u007f', ' a', 'セッション', 'café', 'a\u0085', 'a\u00a0'].map((name) => ({ name })),
      { path: '/a\u0085' },
      { domain: 'example.com\u009b' },
      { path: '/; Domain=evil.example' },
      { path: '/a\r\nSet-Cookie: x=1' },
      { domain: 'example.com; Path=/' },
      { sameSite: 'lax; Domain=evil.example' as 'lax' },
    ]
    for (const options of invalid) {
      // it names the options it cannot use (a sameSite is told as such, see above)
      const message = options.sameSite ? expect.stringContaining('sameSite') as string : 'Invalid cookie name, path or domain'
      expect(() => createCookieStorage({ adapter, ...options }), JSON.stringify(options)).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602, message }))
    }
    expect(adapter.written).toEqual([])
    // what browsers keep is taken: any other printable ASCII name, a path with spaces
    for (const options of [{ name: '__Host-app' }, { name: "a!#$%&'*+-.^_`|~(){}[]:?/@" }, { path: '/my app' }]) {
      await createCookieStorage({ adapter, ...options }).setItem('k', 'v')
    }
    expect(adapter.written).toHaveLength(3)
  })

  it("§2.5: a cookie name of non-ASCII characters throws a SessionError -32602 at creation, rather than a storage:error at the first write on the server, where Node's `appendHeader` refuses the Set-Cookie", async () => {
    const { validateHeaderValue } = await import('node:http')
    const appendHeader = (cookie: string) => {
      validateHeaderValue('Set-Cookie', cookie)
    }
    expect(() => createCookieStorage({ name: 'セッション', adapter: { get: () => '', set: appendHeader } })).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602 }))
    // an ASCII name writes a Set-Cookie Node sends
    await expect(createCookieStorage({ name: 'session', adapter: { get: () => '', set: appendHeader } }).setItem('k', '{"p":"ü"}')).resolves.toBeUndefined()
  })

  it("§2.5: a non-ASCII cookie path or domain throws a SessionError -32602 at creation, rather than a storage:error at each write on the server, where Node's `appendHeader` refuses the Set-Cookie; a domain is given in punycode, a path percent-encoded as in the URL", async () => {
    const { validateHeaderValue } = await import('node:http')
    const appendHeader = (cookie: string) => {
      validateHeaderValue('Set-Cookie', cookie)
    }
    for (const options of [{ path: '/セッション' }, { path: '/café' }, { domain: 'bücher.example' }, { domain: 'пример.рф' }]) {
      expect(() => createCookieStorage({ ...options, adapter: { get: () => '', set: appendHeader } }), JSON.stringify(options)).toThrow(expect.objectContaining({ name: 'SessionError', code: -32602 }))
    }
    // the ASCII forms write a Set-Cookie Node sends
    await expect(createCookieStorage({ path: '/caf%C3%A9', domain: 'xn--bcher-kva.example', adapter: { get: () => '', set: appendHeader } }).setItem('k', 'v')).resolves.toBeUndefined()
  })

  it('works on the server through an adapter over the request and the response', async () => {
    const setCookie: string[] = []
    const storage = createCookieStorage({
      secure: true,
      adapter: { get: () => 'other=1; sessionlayer.sessionlayer.session=*2F*00*00*7B*7D', set: (c) => setCookie.push(c) },
    })
    expect(await storage.getItem('sessionlayer.session')).toBe('{}')
    // an adapter over a framework's cookie API, that hands over decoded values
    const decoded = createCookieStorage({ adapter: { get: () => 'sessionlayer.sessionlayer.session=*2F*00*00{"v":1}', set: () => {} } })
    expect(await decoded.getItem('sessionlayer.session')).toBe('{"v":1}')
    await storage.setItem('sessionlayer.session', '1')
    expect(setCookie).toEqual(['sessionlayer.sessionlayer.session=*2F*00*001; Path=/; SameSite=Lax; Secure'])
  })

  it('§2.5: a Cookie header whose pairs are not parted by "; " (a client that writes ";" alone, or more white space) still reads each cookie', async () => {
    for (const header of ['other=1;sessionlayer.k=*2F*00*00v', 'other=1;  sessionlayer.k=*2F*00*00v', 'other=1;\tsessionlayer.k=*2F*00*00v']) {
      const storage = createCookieStorage({ adapter: { get: () => header, set: () => {} } })
      await expect(storage.getItem('k')).resolves.toBe('v')
    }
  })

  it('§2.5: a request without a Cookie header (the adapter gives undefined or null, as `req.headers.cookie` and `request.headers.get(\'cookie\')` do) reads as absent, not as a failure', async () => {
    for (const none of [undefined, null]) {
      const setCookie: string[] = []
      const storage = createCookieStorage({ adapter: { get: () => none, set: (c) => setCookie.push(c) } })
      await expect(storage.getItem('k')).resolves.toBeNull()
      await storage.setItem('k', 'v')
      await storage.removeItem('k')
      expect(setCookie).toEqual(['sessionlayer.k=*2F*00*00v; Path=/; SameSite=Lax', 'sessionlayer.k=*2F*00*00; Path=/; SameSite=Lax; Max-Age=0'])
    }
  })

  it('§2.5: a path with `%` reads back through an adapter that hands over decoded values, as through one that does not', async () => {
    const cookies = jar()
    const decoding = { get: () => cookies.get().replace(/=.*?(?=;|$)/g, (v) => decodeURIComponent(v)), set: cookies.set }
    await createCookieStorage({ path: '/caf%C3%A9', domain: 'a%2Eexample', adapter: cookies }).setItem('k', '{"v":1}')
    expect(await createCookieStorage({ path: '/caf%C3%A9', domain: 'a%2Eexample', adapter: cookies }).getItem('k')).toBe('{"v":1}')
    expect(await createCookieStorage({ path: '/caf%C3%A9', domain: 'a%2Eexample', adapter: decoding }).getItem('k')).toBe('{"v":1}')
    // no other path reads it: the decoded one is refused (a path is ASCII), and one that only looks like the escaped form reads nothing
    expect(() => createCookieStorage({ path: '/café', domain: 'a%2Eexample', adapter: decoding })).toThrow(expect.objectContaining({ code: -32602 }))
    expect(await createCookieStorage({ path: '/caf*37C3*37A9', domain: 'a%2Eexample', adapter: cookies }).getItem('k')).toBeNull()
  })

  it('§2.5: a value reads back through a framework\'s cookie API that decodes what it reads and encodes what it writes (Next.js `cookies()`: `get(name).value`, `toString()`, `set(name, value, options)`), as through raw headers, with `%`, `=`, `;`, `*` and `!` in it', async () => {
    const raw = jar()
    // Next.js's cookies() (`@edge-runtime/cookies`): each value decoded once read, encoded once written, and by toString()
    const parsed = () => new Map(raw.get().split(/; */).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), decodeURIComponent(pair.slice(pair.indexOf('=') + 1))]))
    const next = {
      get: (name: string) => ({ name, value: parsed().get(name) ?? '' }),
      toString: () => [...parsed()].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; '),
      set: (name: string, value: string, options: { path: string; domain?: string }) => {
        raw.set(`${name}=${encodeURIComponent(value)}; Path=${options.path}${options.domain ? `; Domain=${options.domain}` : ''}`)
      },
    }
    const options = { path: '/a*b!c%20', domain: 'example.com' }
    /** What an app passes to `cookies().set`: the name, value and attributes of a Set-Cookie. */
    const setThroughNext = (cookie: string) => {
      const [pair = '', ...attributes] = cookie.split('; ')
      if (!attributes.some((a) => a.startsWith('Max-Age=')) && pair.includes('=')) next.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1), options)
    }
    const adapters: CookieAdapter[] = [
      raw,
      { get: () => next.toString(), set: setThroughNext },
      { get: () => `sessionlayer.k=${next.get('sessionlayer.k').value}`, set: setThroughNext },
    ]
    for (const value of ['{"p":"50%","q":"%41=b; c"}', '*!%*2A%25', 'ü 😀']) {
      for (const writer of adapters) {
        await createCookieStorage({ ...options, adapter: writer }).setItem('k', value)
        for (const reader of adapters) expect(await createCookieStorage({ ...options, adapter: reader }).getItem('k')).toBe(value)
      }
    }
  })

  it('§2.5: an adapter that throws as it reads or writes (a response whose headers were sent, a request without cookies) rejects that operation with its error, never a synchronous throw', async () => {
    const failure = new Error('ERR_HTTP_HEADERS_SENT')
    const throwing = () => {
      throw failure
    }
    const unreadable = createCookieStorage({ adapter: { get: throwing, set: () => undefined } })
    const unwritable = createCookieStorage({ adapter: { get: () => 'sessionlayer.k=*2F*00*00v', set: throwing } })
    for (const operation of [() => unreadable.getItem('k'), () => unwritable.setItem('k', 'v'), () => unwritable.removeItem('k')]) {
      let result: Promise<unknown> | undefined
      expect(() => (result = operation())).not.toThrow()
      await expect(result).rejects.toBe(failure)
    }
    // the reads of a storage whose writes fail still answer
    expect(await unwritable.getItem('k')).toBe('v')
  })

  it('a malformed value reads as absent, and no document rejects instead of throwing', async () => {
    expect(await createCookieStorage({ adapter: { get: () => 'sessionlayer.k=*2F*00*00%E0%A4%A', set: () => {} } }).getItem('k')).toBeNull()
    await expect(createCookieStorage().getItem('k')).rejects.toThrow()
  })
})
