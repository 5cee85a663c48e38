import { describe, expect, it } from 'vitest'
import * as entry from './index'
import * as ledger from './ledger'

describe('@sessionlayer/session-core entries', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "SESSION_QUERY_KEY_ROOT",
        "SessionError",
        "sessionQueryKey",
      ]
    `)
    expect(Object.keys(ledger).sort()).toMatchInlineSnapshot(`
      [
        "ledgerWsProtocols",
      ]
    `)
  })
  it('C4: SessionError keeps code and cause', () => {
    const cause = { code: 4001, message: 'User rejected' }
    const error = new entry.SessionError('User rejected', { code: 4001, cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe(4001)
    expect(error.cause).toBe(cause)
  })
  it('L1: WebSocket subprotocols carry the token', () => {
    expect(ledger.ledgerWsProtocols('t')).toEqual(['jwt.token.t', 'daml.ws.auth'])
  })
})
