import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { SessionError, seenTokens, toSessionError } from './SessionError'
import { parseStatus } from './wallet'
import { eventInput } from './walletInputs'

describe('toSessionError', () => {
  it('C4: keeps the code and message of a plain { code, message } object', () => {
    const raw = { code: 4001, message: 'User rejected the request' }
    const error = toSessionError(raw)
    expect(error).toBeInstanceOf(SessionError)
    expect(error).toMatchObject({ code: 4001, message: 'User rejected the request', shortMessage: 'User rejected the request', cause: raw })
  })

  it('C4: digs the JSON-RPC error out of an HTTP transport error body', () => {
    const raw = { error: { code: 500, message: 'Internal Server Error', data: '{"jsonrpc":"2.0","id":"1","error":{"code":4100,"message":"Unauthorized"}}' } }
    expect(toSessionError(raw)).toMatchObject({ code: 4100, message: 'Unauthorized', cause: raw })
  })

  it('C4: falls back to the HTTP status when the body is not JSON-RPC', () => {
    expect(toSessionError({ error: { code: 502, message: 'Bad Gateway', data: '<html>' } })).toMatchObject({ code: 502, message: 'Bad Gateway' })
    expect(toSessionError({ error: { code: 4900, message: 'Disconnected', data: { error: { code: 4100, message: 'Unauthorized' } } } })).toMatchObject({ code: 4100 })
  })

  it('C4: a nested error without a code or message keeps the HTTP status and message around it', () => {
    // an auth proxy's JSON body that is not JSON-RPC: the 401 is still the code
    expect(toSessionError({ error: { code: 401, message: 'Unauthorized', data: '{"error":{"message":"jwt expired"}}' } })).toMatchObject({ code: 401, message: 'jwt expired' })
    expect(toSessionError({ error: { code: 401, message: 'Unauthorized', data: '{"jsonrpc":"2.0","id":"1","error":{"code":4100}}' } })).toMatchObject({ code: 4100, message: 'Unauthorized' })
    // a JSON-RPC error whose `data` happens to hold an `error` object of its own
    expect(toSessionError({ jsonrpc: '2.0', id: '1', error: { code: 4001, message: 'User rejected', data: { error: { reason: 'closed' } } } })).toMatchObject({ code: 4001, message: 'User rejected' })
  })

  it('C4: a nested error with an empty message, or a code that is no integer, keeps the message and code around it', () => {
    // a JSON-RPC body whose message is empty: the HTTP status text still tells what happened
    expect(toSessionError({ error: { code: 500, message: 'Internal Server Error', data: '{"jsonrpc":"2.0","id":"1","error":{"code":-32000,"message":""}}' } })).toMatchObject({ code: -32000, message: 'Internal Server Error' })
    expect(toSessionError({ code: 4001, message: 'User rejected the request', error: { message: '' } })).toMatchObject({ code: 4001, message: 'User rejected the request' })
    // a code JSON reads as no integer (1e400 is Infinity, 1.5 no code): the HTTP status, or the code around it, stays
    expect(toSessionError({ error: { code: 503, message: 'Service Unavailable', data: '{"error":{"code":1e400,"message":"overloaded"}}' } })).toMatchObject({ code: 503, message: 'overloaded' })
    expect(toSessionError({ code: 4900, message: 'Disconnected', error: { code: 4100.5 } })).toMatchObject({ code: 4900, message: 'Disconnected' })
  })

  it('C4: a JSON-RPC error whose `data` object has a `message` of its own keeps its own message: only an HTTP body (text) is read for a `{ message }`', () => {
    const raw = { jsonrpc: '2.0', id: '1', error: { code: 4001, message: 'User rejected the request', data: { message: 'popup closed at step 2' } } }
    expect(toSessionError(raw)).toMatchObject({ code: 4001, message: 'User rejected the request' })
    // the HTTP transport's error, whose `data` is the response body as text, is read as before
    expect(toSessionError({ error: { code: 401, message: '', data: '{"message":"jwt expired"}' } })).toMatchObject({ code: 401, message: 'jwt expired' })
  })

  it('C4: a { code, message } error that also carries an `error` field of its own keeps its code and message', () => {
    // a wrapped cause, or a JSON-RPC error whose `error` field tells no code and no message
    const raw = Object.assign(new Error('User rejected the request'), { code: 4001, error: { name: 'UserRejected' } })
    expect(toSessionError(raw)).toMatchObject({ code: 4001, message: 'User rejected the request', cause: raw })
    expect(toSessionError({ code: 4900, message: 'Disconnected', error: [] })).toMatchObject({ code: 4900, message: 'Disconnected' })
    // what the nested error does tell still wins, field by field
    expect(toSessionError({ code: 4900, message: 'Disconnected', error: { code: 4100 } })).toMatchObject({ code: 4100, message: 'Disconnected' })
  })

  it('C4: reads the code from the official RPC client’s error text and from Error.code', () => {
    expect(toSessionError(new Error('RPC error: 4001 - User rejected'))).toMatchObject({ code: 4001, message: 'User rejected' })
    expect(toSessionError(Object.assign(new Error('nope'), { code: 4200 }))).toMatchObject({ code: 4200, message: 'nope' })
  })

  it('C4: reads a negative JSON-RPC code (-32603 internal error, -32602 invalid params) from the official RPC client’s error text', () => {
    expect(toSessionError(new Error('RPC error: -32603 - Internal error'))).toMatchObject({ code: -32603, message: 'Internal error' })
    expect(toSessionError('RPC error: -32602 - Invalid params')).toMatchObject({ code: -32602, message: 'Invalid params' })
  })

  it('C4: a thrown string in the official RPC client’s error text keeps its code, as an Error with that text does', () => {
    expect(toSessionError('RPC error: 4001 - User rejected')).toMatchObject({ code: 4001, message: 'User rejected', cause: 'RPC error: 4001 - User rejected' })
  })

  it('C4: strings and unknown values become coded errors, never a throw', () => {
    expect(toSessionError('boom')).toMatchObject({ code: 'UNKNOWN', message: 'boom' })
    for (const v of [undefined, null, 42, [], {}, { code: 'x' }, { code: 1.5, message: 3 }, Object.create(null)]) {
      const error = toSessionError(v)
      expect(error).toBeInstanceOf(SessionError)
      expect(error.code).toBe('UNKNOWN')
      expect(error.message).toBe('Unknown wallet error')
    }
  })

  it('C4: a browser DOMException (AbortError, code 20) is no wallet code', () => {
    const error = toSessionError(new DOMException('The operation was aborted', 'AbortError'))
    expect(error.code).toBe('UNKNOWN')
    expect(error.message).toBe('The operation was aborted')
    expect(toSessionError(Object.assign(new Error('Rejected'), { code: 4001 })).code).toBe(4001)
  })

  it('C4, C15: a wallet error that carries an access token (a JSON-RPC error whose data holds the status, an HTTP body with one) keeps its code and message but is no cause: an app logs it', () => {
    const status = { connection: { isConnected: true }, network: { networkId: 'canton:devnet', accessToken: 'secret-network' }, session: { accessToken: 'secret-session' } }
    const body = JSON.stringify({ jsonrpc: '2.0', id: '1', error: { code: 4100, message: 'Unauthorized', data: status } })
    for (const raw of [
      { code: 4100, message: 'Unauthorized', data: status },
      { error: { code: 401, message: 'Unauthorized', data: body } },
      Object.assign(new Error('RPC error: 4100 - Unauthorized'), { data: { access_token: 'secret-oauth' } }),
    ]) {
      const error = toSessionError(raw)
      expect(error).toMatchObject({ code: 4100, message: 'Unauthorized' })
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('secret')
    }
    // one without a token stays the cause
    const raw = { code: 4100, message: 'Unauthorized', data: { connection: { isConnected: true } } }
    expect(toSessionError(raw).cause).toBe(raw)
  })

  it('C4, C15: a wallet error whose access token JSON does not show (in an Error’s own cause), or that JSON cannot search (a cycle, a BigInt), is no cause either', () => {
    const status = { connection: { isConnected: true }, session: { accessToken: 'secret-session' } }
    const cyclic: Record<string, unknown> = { code: 4100, message: 'Unauthorized', data: status }
    cyclic.self = cyclic
    for (const raw of [
      new Error('RPC error: 4100 - Unauthorized', { cause: status }),
      { code: 4100, message: 'Unauthorized', data: new Error('Unauthorized', { cause: { data: status } }) },
      cyclic,
      { code: 4100, message: 'Unauthorized', data: { ...status, id: 1n } },
    ]) {
      const error = toSessionError(raw)
      expect(error).toMatchObject({ code: 4100, message: 'Unauthorized' })
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('secret')
    }
    // one without a token stays the cause, an Error's cause too
    const plain = new Error('RPC error: 4100 - Unauthorized', { cause: { data: { connection: { isConnected: true } } } })
    expect(toSessionError(plain).cause).toBe(plain)
  })

  it('C4, C15: a wallet or transport error that carries a token under another name (a Bearer header, an Authorization key, a JWT) keeps its code and message but is no cause', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmVk'
    for (const raw of [
      // a transport error with its request's headers (axios keeps them in `config`)
      Object.assign(new Error('RPC error: 4100 - Unauthorized'), { config: { headers: { Authorization: 'Bearer secret-header' } } }),
      // an HTTP body that quotes the header
      { error: { code: 4100, message: 'Unauthorized', data: 'rejected: Bearer secret-body' } },
      { code: 4100, message: 'Unauthorized', data: { headers: { authorization: 'secret-raw' } } },
      // the remote wallet's session token (core-provider-dapp keeps it as `sessionToken`)
      { code: 4100, message: 'Unauthorized', data: { sessionToken: jwt } },
    ]) {
      const error = toSessionError(raw)
      expect(error).toMatchObject({ code: 4100, message: 'Unauthorized' })
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toMatch(/secret|eyJ/)
    }
    // the words alone carry no token: the cause stays
    const raw = { code: 4100, message: 'The requested method has not been authorized by the user', data: { scheme: 'bearer' } }
    expect(toSessionError(raw).cause).toBe(raw)
  })

  it('C4, C15: a wallet error whose toJSON leaves out the access token it holds is no cause: its own properties are searched, as console.log prints them', () => {
    const status = { connection: { isConnected: true }, session: { accessToken: 'secret-session' } }
    class HttpError extends Error {
      constructor(readonly response: unknown) {
        super('RPC error: 4100 - Unauthorized')
      }
      toJSON() {
        return { message: this.message }
      }
    }
    for (const raw of [
      new HttpError({ status: 401, data: status }),
      { code: 4100, message: 'Unauthorized', data: status, toJSON: () => ({ code: 4100 }) },
      { code: 4100, message: 'Unauthorized', data: { ...status, toJSON: () => null } },
      // what `toJSON` shows is searched still: a URL's own fields are none
      { code: 4100, message: 'Unauthorized', data: new URL('https://wallet.example/events?access_token=secret-query') },
    ]) {
      const error = toSessionError(raw)
      expect(error).toMatchObject({ code: 4100, message: 'Unauthorized' })
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('secret')
    }
    // one without a token stays the cause, a Date too
    const plain = new HttpError({ status: 401, at: new Date(0) })
    expect(toSessionError(plain).cause).toBe(plain)
  })

  it('C4, C15: a wallet error whose message quotes a token (fetch’s TypeError for a header value no request can carry, a body that echoes it) keeps its code, without that message or cause', () => {
    const echo = { error: { code: 401, message: 'Unauthorized', data: '{"error":{"message":"refused Authorization: Bearer secret-echo"}}' } }
    for (const raw of [
      // what the official HTTP transport's fetch throws for a session token with a line break
      new TypeError('Headers.append: "Bearer secret-token\n" is an invalid header value.'),
      echo,
      // an Error's message is no JSON field: it is searched too, also as a cause
      { code: 401, message: 'Unauthorized', data: new Error('refused: Bearer secret-nested') },
    ]) {
      const error = toSessionError(raw)
      expect(error.message).not.toContain('secret')
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('secret')
    }
    expect(toSessionError(echo)).toMatchObject({ code: 401, message: 'Unknown wallet error' })
  })

  it('C4, C15: a value whose message quotes a credential in a form only the message check knows (`Authorization = <credential>`) is no cause either', () => {
    const raw = { code: 4100, message: 'Rejected header Authorization = Basic dXNlcjpwYXNz1' }
    const error = toSessionError(raw)
    expect([error.code, error.message, error.cause]).toEqual([4100, 'Unknown wallet error', undefined])
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('dXNlcjpwYXNz1')
  })

  it('C4, C15: a name/value pair that holds an access token (a cookie, a header list) is no cause, so a bare mention (accessTokenExpired) is none either: only the cause goes', () => {
    const pairs = { code: 4100, message: 'Unauthorized', data: { cookies: [{ name: 'access_token', value: 'opaque-secret' }] } }
    expect(inspect(toSessionError(pairs), { depth: Infinity, showHidden: true })).not.toContain('secret')
    // it reads as a mention does: the code and the message stay
    const mention = toSessionError({ code: 4100, message: 'Unauthorized', data: { reason: 'accessTokenExpired' } })
    expect([mention.code, mention.message, mention.cause]).toEqual([4100, 'Unauthorized', undefined])
  })

  it('C4, C15: the token search wraps each Error or toJSON value once: one met again inside itself is a cycle found at once, and an own toJSON is read once, however large the body around it', () => {
    let reads = 0
    const body = { get items() {
      reads++
      return [{ party: 'alice::1220aa' }]
    } }
    // an Error that refers to itself past its body (a transport error that keeps itself in a field)
    const looped = Object.assign(new Error('RPC error: 4100 - Unauthorized'), { data: body })
    Object.assign(looped, { self: looped })
    const error = toSessionError(looped)
    expect([error.code, error.message, error.cause]).toEqual([4100, 'Unauthorized', undefined])
    expect(reads).toBeLessThanOrEqual(2)
    // an own toJSON (no cycle): its body is searched once, and the value stays the cause
    reads = 0
    const owned = { code: 4100, message: 'Unauthorized', body, toJSON: () => ({ body }) }
    expect(toSessionError(owned).cause).toBe(owned)
    expect(reads).toBeLessThanOrEqual(4)
  })

  it('C4: the token search of a wallet error that carries bulk data (a large array, a typed array, a Buffer) reads it no more than JSON does, and the error stays its cause', () => {
    // an array is searched as JSON shows it, never copied field by field: a copy of a million
    // elements made the search several times as slow as the JSON itself
    let copies = 0
    const items = new Proxy(Array.from({ length: 1000 }, (_, i) => i), {
      getOwnPropertyDescriptor(target, key) {
        copies++
        return Reflect.getOwnPropertyDescriptor(target, key)
      },
    })
    const listed = { code: 4100, message: 'Unauthorized', data: { items } }
    expect(toSessionError(listed).cause).toBe(listed)
    expect(copies).toBe(0)
    // bytes hold no token a search could find: 8 MB are not read, nor copied, key by key
    const bytes = new Uint8Array(8_000_000)
    const buffer = typeof Buffer == 'function' ? Buffer.alloc(8_000_000) : bytes
    for (const data of [bytes, buffer, new Float64Array(1_000_000), new DataView(bytes.buffer)]) {
      const raw = Object.assign(new Error('Request failed'), { code: 4001, data })
      // read key by key, each would take seconds, past the test's timeout
      expect(toSessionError(raw)).toMatchObject({ code: 4001, message: 'Request failed', cause: raw })
    }
    // a token next to them is still found
    expect(toSessionError({ code: 4100, message: 'Unauthorized', data: [bytes, { accessToken: 'secret-bytes' }] }).cause).toBeUndefined()
  })

  it('C4, C15: a fetch-based transport error whose token JSON does not show (a Headers, a Request, a Map or Set a structured clone keeps, an AggregateError\'s errors) is no cause', () => {
    const headers = { Authorization: 'Bearer secret-fetch' }
    // ky's HTTPError keeps the Request and its options (headers as a Headers), ofetch's FetchError its options
    const http = Object.assign(new Error('Request failed with status code 401 Unauthorized'), {
      code: 4100,
      request: new Request('https://wallet.example/rpc', { method: 'POST', headers }),
      response: new Response('', { status: 401 }),
    })
    for (const raw of [
      http,
      Object.assign(new Error('[POST] "https://wallet.example/rpc": 401 Unauthorized'), { code: 4100, options: { headers: new Headers({ Authorization: 'Basic c2VjcmV0LWJhc2lj' }) } }),
      { code: 4100, message: 'Unauthorized', data: new Map([['authorization', 'secret-map']]) },
      { code: 4100, message: 'Unauthorized', data: new Set([{ accessToken: 'secret-set' }]) },
      { code: 4100, message: 'Unauthorized', data: new URLSearchParams({ access_token: 'secret-query' }) },
      // Promise.any over several wallet endpoints
      Object.assign(new AggregateError([Object.assign(new Error('refused'), { config: { headers } })], 'Unauthorized'), { code: 4100 }),
    ]) {
      const error = toSessionError(raw)
      expect(error.code).toBe(4100)
      expect(error.cause).toBeUndefined()
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toMatch(/secret|c2VjcmV0/)
    }
    // one without a token stays the cause
    const plain = Object.assign(new Error('Unauthorized'), { code: 4100, request: new Request('https://wallet.example/rpc'), data: new Map([['retry', 1]]) })
    expect(toSessionError(plain).cause).toBe(plain)
  })

  it('C4, C15: a token in a URL\'s `token=` query (the official remote provider\'s event stream URL) is found in a message, a URL and a body, as `access_token=` is', () => {
    const url = 'https://wallet.example/api/events?token=opaque7secret'
    for (const [raw, code] of [
      // a fetch client's error text that quotes the URL it asked
      [Object.assign(new Error(`[GET] "${url}": 401 Unauthorized`), { code: 4100 }), 4100],
      [{ code: 4100, message: 'Unauthorized', data: new URL(url) }, 4100],
      [{ error: { code: 401, message: 'Unauthorized', data: `no session for ${url}` } }, 401],
    ] as const) {
      const error = toSessionError(raw)
      expect(error.code).toBe(code)
      expect(error.cause).toBeUndefined()
      expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('secret')
    }
    expect(toSessionError(`GET ${url} failed`).message).toBe('Unknown wallet error')
    // one that only names the parameter stays
    expect(toSessionError({ code: 4100, message: 'Missing token= parameter' }).message).toBe('Missing token= parameter')
  })

  it('C4: a message that names a token without quoting one (Invalid bearer token, accessTokenExpired, a JSON-RPC body) is kept, as a { code, message } object keeps its message', () => {
    for (const message of ['Invalid bearer token', 'accessTokenExpired', 'Missing authorization: connect first', 'Invalid access_token', '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bearer token expired"}}', 'payload eyJmb28iOjF9.']) {
      const error = toSessionError({ code: 4100, message })
      expect([error.code, error.message]).toEqual([4100, message])
    }
    // one that quotes a token is none
    for (const message of ['GET /events?access_token=opaque123 failed', 'refused Authorization: Basic dXNlcjpw4XNz', 'expired: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln']) {
      expect(toSessionError({ code: 4100, message }).message).toBe('Unknown wallet error')
    }
  })

  it('C4: a value with NaN in it (a number JSON writes as null) stays the cause: NaN is no value whose toJSON changed it', () => {
    const raw = { code: 4100, message: 'Unauthorized', data: { balance: NaN, limits: [NaN, 1] } }
    expect(toSessionError(raw)).toMatchObject({ code: 4100, message: 'Unauthorized', cause: raw })
  })

  it('C4, C15: a value whose toJSON shows a token of its own (a plain object that redacts its fields yet writes a header) is no cause', () => {
    const raw = { code: 4100, message: 'Unauthorized', data: { toJSON: () => ({ authorization: 'Bearer secret-json' }) } }
    const error = toSessionError(raw)
    expect([error.code, error.message, error.cause]).toEqual([4100, 'Unauthorized', undefined])
  })

  it('C4, C15: a Request or Response whose URL carries an access token in its query is no cause', () => {
    for (const data of [new Request('https://wallet.example/rpc?access_token=secret-url'), Response.redirect('https://wallet.example/rpc?access_token=secret-url')]) {
      const error = toSessionError({ code: 4100, message: 'Unauthorized', data })
      expect([error.code, error.message, error.cause]).toEqual([4100, 'Unauthorized', undefined])
    }
    const plain = { code: 4100, message: 'Unauthorized', data: new Request('https://wallet.example/rpc?page=2') }
    expect(toSessionError(plain).cause).toBe(plain)
  })

  it('C4: where Object.prototype is polluted (a message, an error, a data), a wallet error reads only its own fields and those its class gives it', () => {
    const proto = Object.prototype as Record<string, unknown>
    let read: SessionError[]
    try {
      proto.message = 'polluted'
      proto.error = { code: 1, message: 'polluted' }
      proto.data = '{"error":{"code":2,"message":"polluted"}}'
      read = [toSessionError({ code: 4001 }), toSessionError(new DOMException('The operation was aborted', 'AbortError'))]
    } finally {
      delete proto.message
      delete proto.error
      delete proto.data
    }
    expect(read.map((e) => [e.code, e.message])).toEqual([
      [4001, 'Unknown wallet error'],
      ['UNKNOWN', 'The operation was aborted'],
    ])
  })

  it('C4: the official RPC client\'s error text with an empty message keeps its code, under the default message', () => {
    expect(toSessionError(new Error('RPC error: 4001 - '))).toMatchObject({ code: 4001, message: 'Unknown wallet error' })
    expect(toSessionError('RPC error: -32603 - ')).toMatchObject({ code: -32603, message: 'Unknown wallet error' })
  })

  it('C4, C15: a SessionError a wallet makes with a code that is no integer nor string is made anew, as it carries a token, with the code UNKNOWN', () => {
    for (const code of [4100.5, {}, [4100]]) {
      const raw = Object.assign(new SessionError('Unauthorized', 4100, { accessToken: 'secret-code' }), { code })
      const error = toSessionError(raw)
      expect([error.code, error.message, error.cause]).toEqual(['UNKNOWN', 'Unauthorized', undefined])
    }
  })

  it('returns a SessionError as it is', () => {
    const error = new SessionError('x', 'TIMEOUT')
    expect(toSessionError(error)).toBe(error)
  })

  it('C4: an error without a cause has no `cause` field at all, as an Error made without one: none to print or to walk', () => {
    const error = new SessionError('Timed out', 'TIMEOUT')
    expect('cause' in error).toBe(false)
    expect(inspect(error)).not.toContain('[cause]')
    // one whose cause is dropped because it carries an access token has none either
    expect('cause' in toSessionError({ code: 4100, message: 'Unauthorized', data: { accessToken: 'secret-session-1' } })).toBe(false)
    expect(new SessionError('Rejected', 4001, null)).toHaveProperty('cause', null)
  })

  it('C4, C15: a SessionError a wallet throws is no way around the token search: one whose cause or message holds a token keeps its code (the store\'s own too) and, unless it quotes the token, its message, without that cause', () => {
    const request = { url: '/api', headers: { Authorization: 'Bearer secret-header' } }
    const inCause = toSessionError(new SessionError('Unauthorized', 4100, request))
    expect([inCause.code, inCause.message, inCause.cause]).toEqual([4100, 'Unauthorized', undefined])
    const own = toSessionError(new SessionError('The wallet timed out', 'TIMEOUT', request))
    expect([own.code, own.message, own.cause]).toEqual(['TIMEOUT', 'The wallet timed out', undefined])
    const quoted = toSessionError(new SessionError('refused: Bearer secret-message', 4100))
    expect([quoted.code, quoted.message]).toEqual([4100, 'Unknown wallet error'])
    for (const error of [inCause, own, quoted]) expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain('secret')
    // one without a token stays as it is, its cause too
    const plain = new SessionError('Unauthorized', 4100, { url: '/api' })
    expect(toSessionError(plain)).toBe(plain)
  })

  it('C4, C15: an access token a status carried is found under any name and in any text; a placeholder of under 8 characters is not searched for, so messages holding that word stay', () => {
    parseStatus({ connection: { isConnected: true }, session: { accessToken: 'opaque5e4d3c2b1a', userId: 'u' } })
    const error = toSessionError({ code: 4100, message: 'Expired: opaque5e4d3c2b1a', data: { token: 'opaque5e4d3c2b1a' } })
    expect([error.code, error.message, error.cause]).toEqual([4100, 'Unknown wallet error', undefined])
    parseStatus({ connection: { isConnected: true }, network: { networkId: 'canton:devnet', accessToken: 'token' } })
    const raw = { code: 4100, message: 'Invalid token' }
    expect(toSessionError(raw)).toMatchObject({ code: 4100, message: 'Invalid token', cause: raw })
  })
})

describe('the search for tokens on hostile text', () => {
  it('C4, C17: the token search takes time in proportion to the text: a 200 KB wallet message of `eyJ-` runs (a JWT start at each) neither freezes the page in toSessionError nor in a status reason', () => {
    // a search from each `eyJ` would take tens of seconds here, past the test's timeout
    const text = 'eyJ-'.repeat(50_000)
    const error = toSessionError({ code: 4100, message: text, data: { detail: text } })
    const status = parseStatus({ connection: { isConnected: false, reason: text } })
    // no token in it: the message, the cause and the reason stay
    expect([error.message.length, error.cause !== undefined, status?.reason?.length]).toEqual([200_000, true, 200_000])
  })

  it('C4, C15: a JWT is found at the start of the text, after a space, a quote, an equals sign or a hyphen, also after a run of hyphenated words', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln'
    for (const text of [jwt, `expired ${jwt}`, `{"t":"${jwt}"}`, `?t=${jwt}`, `id-${jwt}`, `eyJ-eyJ-x-${jwt}`]) {
      const error = toSessionError({ code: 4100, message: text })
      expect([error.message, error.cause]).toEqual(['Unknown wallet error', undefined])
    }
  })
})

describe('a wallet error that cannot be read', () => {
  it('C4, C15, C18: one whose fields throw as they are read (a getter, a hostile proxy) is no cause when it carries a token, as one that can be read: the token search is never skipped', () => {
    const headers = { Authorization: 'Bearer opaque-unread-1a2b3c4d' }
    const getter = Object.defineProperty({ headers }, 'error', { get: () => { throw new Error('not readable') }, enumerable: false })
    const proxy = new Proxy({ headers }, {
      get: (target, key): unknown => {
        if (key === 'code') throw new Error('trap')
        return Reflect.get(target, key)
      },
    })
    // its message read before a field threw
    const late = { message: 'expired: Bearer opaque-unread-1a2b3c4d', error: { get code(): number { throw new Error('not readable') } } }
    for (const raw of [getter, proxy, late]) {
      const error = toSessionError(raw)
      expect([error.code, error.message, error.cause]).toEqual(['UNKNOWN', 'Unknown wallet error', undefined])
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('opaque-unread')
    }
    // without a token it stays the cause, all there is to see of it
    const plain = Object.defineProperty({ note: 'no token' }, 'error', { get: () => { throw new Error('not readable') }, enumerable: false })
    expect(toSessionError(plain).cause).toBe(plain)
  })
})

describe('the access tokens searched for', () => {
  it('C4, C15: the latest 8 tokens wallets gave are all searched for', () => {
    const tokens = Array.from({ length: 8 }, (_, i) => `opaque-latest-${i}-4c5d6e7f`)
    for (const accessToken of tokens) parseStatus({ connection: { isConnected: true }, session: { accessToken } })
    for (const token of tokens) expect(toSessionError({ code: 4100, message: `Session ${token} has expired` }).message).toBe('Unknown wallet error')
  })

  it('C4, C15: the tokens held are the latest 8, newest first, each once', () => {
    const tokens = Array.from({ length: 12 }, (_, i) => `opaque-held-${i}-7a8b9c0d`)
    for (const accessToken of tokens) parseStatus({ connection: { isConnected: true }, session: { accessToken } })
    expect(seenTokens).toEqual(tokens.slice(4).reverse())
    // one told again moves to the front, from wherever it was, the others keep their order
    parseStatus({ connection: { isConnected: true }, session: { accessToken: tokens[4] } })
    parseStatus({ connection: { isConnected: true }, session: { accessToken: tokens[9] } })
    expect(seenTokens).toEqual([9, 4, 11, 10, 8, 7, 6, 5].map((i) => tokens[i]))
  })

  it('C4, C15: a token a wallet repeats in every status takes one place, not one per status: it does not push out the token another wallet gave', () => {
    const first = 'opaque-first-1a2b3c4d'
    parseStatus({ connection: { isConnected: true }, session: { accessToken: first } })
    for (let i = 0; i < 8; i++) parseStatus({ connection: { isConnected: true }, network: { networkId: 'canton:devnet', accessToken: 'opaque-repeated-5e6f7a8b' } })
    expect(toSessionError({ code: 4100, message: `Session ${first} has expired` }).message).toBe('Unknown wallet error')
  })

  it('C4: a token of under 8 characters, even with a digit or sign, is a placeholder that is not searched for; one of 8 is', () => {
    parseStatus({ connection: { isConnected: true }, session: { accessToken: 'dev-123' } })
    const raw = { code: -32603, message: 'Ledger dev-123 is not reachable' }
    expect(toSessionError(raw)).toMatchObject({ code: -32603, message: raw.message, cause: raw })
    parseStatus({ connection: { isConnected: true }, session: { accessToken: 'dev-1234' } })
    expect(toSessionError({ code: 4100, message: 'Session dev-1234 has expired' }).message).toBe('Unknown wallet error')
  })

  it('C4, C15: a token a wallet gives again counts as one of the latest it gave: tokens other stores were given since do not push out the one still in use', () => {
    const live = 'opaque-live-0a1b2c3d'
    parseStatus({ connection: { isConnected: true }, session: { accessToken: live } })
    // another store's wallet hands out a new token for each of its reads (another wallet, or one that rotates them)
    for (let i = 0; i < 7; i++) parseStatus({ connection: { isConnected: true }, session: { accessToken: `rotated-${i}-9f8e7d6c` } })
    // the first store's wallet tells its token again, then the other store reads once more
    parseStatus({ connection: { isConnected: true }, session: { accessToken: live } })
    parseStatus({ connection: { isConnected: true }, session: { accessToken: 'rotated-7-9f8e7d6c' } })
    const error = toSessionError({ code: 4100, message: `Session ${live} has expired` })
    expect([error.code, error.message, error.cause]).toEqual([4100, 'Unknown wallet error', undefined])
  })

  it('C4, C15: a status that carries two tokens (one in `session`, another in `network`) has both searched for: neither reaches an error message, a cause or a reason', () => {
    const user = 'opaque-session-3f2e1d0c'
    const ledger = 'opaque-network-8b7a6f5e'
    const status = parseStatus({ connection: { isConnected: false, reason: `Ledger token ${ledger} revoked` }, network: { networkId: 'canton:devnet', accessToken: ledger }, session: { accessToken: user } })
    expect(status?.reason).toBeUndefined()
    for (const token of [user, ledger]) {
      const error = toSessionError({ code: 4100, message: `Session ${token} has expired`, data: { token } })
      expect([error.code, error.message, error.cause]).toEqual([4100, 'Unknown wallet error', undefined])
    }
  })

  it('C4, C15: the access token of a network object a chainChanged or getActiveNetwork gives (the official Network) is searched for, whatever its id; the network id is read as before', () => {
    const tokens = ['opaque-chain-1c2d3e4f', 'opaque-chain-empty-5a6b7c8d', 'opaque-active-9e8d7c6b']
    expect(eventInput('chainChanged', { networkId: 'canton:testnet', ledgerApi: 'https://ledger.example', accessToken: tokens[0] })).toEqual({ type: 'network', networkId: 'canton:testnet', origin: 'local' })
    // no network told, but its token was given all the same
    expect(eventInput('chainChanged', { networkId: '', accessToken: tokens[1] })).toBeNull()
    expect(eventInput('getActiveNetwork', { networkId: 'canton:devnet', accessToken: tokens[2] }, 'remote')).toEqual({ type: 'network', networkId: 'canton:devnet', origin: 'remote' })
    for (const token of tokens) {
      const error = toSessionError({ code: 4100, message: `Session ${token} has expired`, data: { token } })
      expect([error.code, error.message, error.cause]).toEqual([4100, 'Unknown wallet error', undefined])
    }
  })

  it("C4: a wallet whose access token is a word (a placeholder such as 'undefined' or 'anonymous', where auth is off or a token went missing) keeps its messages that hold that word", () => {
    for (const placeholder of ['undefined', 'anonymous', 'unauthenticated']) {
      parseStatus({ connection: { isConnected: true }, session: { accessToken: placeholder } })
      const raw = { code: -32603, message: `Cannot sign: user is ${placeholder} (reading 'partyId' of undefined)` }
      expect(toSessionError(raw)).toMatchObject({ code: -32603, message: raw.message, cause: raw })
      const status = parseStatus({ connection: { isConnected: false, reason: `Session of ${placeholder} ended` } })
      expect(status?.reason).toBe(`Session of ${placeholder} ended`)
    }
    // a long token of letters only is still searched for
    const letters = 'opaqueTokenOfLettersOnly'
    parseStatus({ connection: { isConnected: true }, session: { accessToken: letters } })
    expect(toSessionError({ code: 4100, message: `Session ${letters} has expired` }).message).toBe('Unknown wallet error')
  })
})

describe('SessionError', () => {
  it('a subclass keeps its own instanceof: a SessionError is no instance of it, while its instances are SessionErrors', () => {
    class WalletRejection extends SessionError {}
    const own = new WalletRejection('rejected', 4001)
    const plain = new SessionError('rejected', 4001)
    expect([own instanceof WalletRejection, own instanceof SessionError, plain instanceof SessionError, plain instanceof WalletRejection]).toEqual([true, true, true, false])
    // one of another copy of the package carries the brand: a SessionError, never a subclass's instance
    const branded = { [Symbol.for('sessionlayer.error')]: () => undefined }
    expect([branded instanceof SessionError, branded instanceof WalletRejection]).toEqual([true, false])
  })
})
