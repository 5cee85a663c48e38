import { describe, expect, it } from 'vitest'
import * as entry from './index'

describe('@sessionlayer/session-crypto entry', () => {
  it('exports exactly its public names', () => {
    expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
      [
        "CURRENT_SESSION_ENVELOPE_VERSION",
        "createEncryptedIndexedDBStorage",
        "createEncryptedLocalStorage",
        "createEncryptedStorage",
        "decodeSessionEnvelope",
        "encodeSessionEnvelope",
        "migrateSessionEnvelope",
        "reconcileSession",
        "restoreSession",
        "toPersistedAccount",
      ]
    `)
  })
  it('K1: writes envelope version 1', () => {
    expect(entry.CURRENT_SESSION_ENVELOPE_VERSION).toBe(1)
  })
})
