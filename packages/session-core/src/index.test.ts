import { describe, expect, it } from 'vitest'
import * as entry from './index'
import * as ledger from './ledger'

describe('@sessionlayer/session-core entries', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_RETRY_POLICY",
        "DISCONNECTED_STATE",
        "RECONNECTING_STATE",
        "SESSION_QUERY_KEY_ROOT",
        "SessionError",
        "computeBackoffDelay",
        "createCookieStorage",
        "createMemoryStorage",
        "createSessionStore",
        "createWebStorage",
        "readSessionState",
        "sessionQueryKey",
        "toSessionError",
      ]
    `)
    expect(Object.keys(ledger).sort()).toMatchInlineSnapshot(`
      [
        "createLedgerFetch",
        "getLedgerAuth",
      ]
    `)
  })
})
