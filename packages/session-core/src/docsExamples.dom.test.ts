/**
 * @vitest-environment jsdom
 * @vitest-environment-options { "url": "https://app.example/" }
 */
// The migration guide's helpers (docs/migration/partylayer.md), run as the page shows them against
// what `@partylayer/session` 1.0 leaves in a browser: its encrypted entry (IndexedDB or localStorage
// blob, key in IndexedDB) and its cookie.
import * as crypto from '@sessionlayer/session-crypto'
import { createMockProvider, createMockWallet } from '@sessionlayer/session-testing'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { docBlock, runDocBlock } from '../test/docBlocks'
import { createCookieStorage } from './createCookieStorage'
import { createSessionStore } from './createSessionStore'
import * as core from './index'
import { readSessionState } from './readSessionState'

const PAGE = 'docs/migration/partylayer.md'
const ORIGIN = 'https://app.example'
/** A `@partylayer/session` 1.0 envelope: no expiresAt, an account field SessionLayer does not keep. */
const LEGACY = { version: 1, account: { partyId: 'alice::1220aa', primary: true, hasPreapproval: true }, accounts: [{ partyId: 'alice::1220aa', primary: true, hasPreapproval: true }], networkId: 'canton:devnet', connectedAt: Date.now() - 60_000 }

const request = <T>(req: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('request failed'))
  })

/** Writes one record in an object store of a database, creating both as needed. */
async function putRecord(database: string, store: string, key: string, value: unknown) {
  const open = indexedDB.open(database)
  open.onupgradeneeded = () => open.result.createObjectStore(store)
  const db = await request(open)
  await request(db.transaction(store, 'readwrite').objectStore(store).put(value, key))
  db.close()
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))

/** What `@partylayer/session` 1.0 persists of `LEGACY`: its key in IndexedDB and the `{"f":1,"iv","ct"}` blob (in IndexedDB, or with its localStorage backend there). */
async function persistLegacy(backend: 'indexedDB' | 'localStorage') {
  const key = await globalThis.crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
  const ct = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(JSON.stringify(LEGACY))))
  const blob = JSON.stringify({ f: 1, iv: base64(iv), ct: base64(ct) })
  await putRecord(`partylayer-session-key::${ORIGIN}`, 'keys', 'aes-gcm-256', key)
  if (backend === 'indexedDB') await putRecord(`partylayer-session-data::${ORIGIN}`, 'blobs', 'partylayer.session.connected', blob)
  else localStorage.setItem(`partylayer.session.enc::${ORIGIN}::partylayer.session.connected`, blob)
  localStorage.setItem('partylayer.session.connected', '1')
}

const databases = async () => (await indexedDB.databases()).map(({ name }) => name).sort()

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory())
})
afterEach(() => {
  vi.unstubAllGlobals()
  localStorage.clear()
  for (const part of document.cookie.split('; ')) if (part) document.cookie = `${part.split('=')[0] ?? ''}=; Path=/; Max-Age=0`
})

describe('docs/migration/partylayer.md', () => {
  it.each(['indexedDB', 'localStorage'] as const)('K1, C10: migratePartyLayerSession moves a session persisted with the %s backend into the default storage and deletes the old entries; the restore then reconciles against its party and counts the TTL from its connectedAt', async (backend) => {
    await persistLegacy(backend)
    const { migratePartyLayerSession } = (await runDocBlock(docBlock(PAGE, 'export async function migratePartyLayerSession('), { '@sessionlayer/session-crypto': crypto })) as {
      migratePartyLayerSession: () => Promise<boolean>
    }
    await expect(migratePartyLayerSession()).resolves.toBe(true)
    // deleteDatabase() completes on its own, after the helper returned
    await vi.waitFor(async () => expect(await databases()).toEqual([`sessionlayer::${ORIGIN}`]))
    expect(localStorage.length).toBe(0)
    // the plaintext carried over; an account field SessionLayer does not keep is dropped
    expect(JSON.parse((await crypto.createEncryptedIndexedDBStorage().getItem('sessionlayer.session'))!)).toEqual({ ...LEGACY, account: { partyId: 'alice::1220aa', primary: true }, accounts: [{ partyId: 'alice::1220aa', primary: true }] })
    // the store's first restore, in the wallet the user switched to bob meanwhile
    const wallet = createMockWallet({ connected: true })
    wallet.switchParty('bob::1220bb')
    const store = createSessionStore(createMockProvider({ wallet }), { expiry: { ttlMs: 3_600_000 } })
    const changed = vi.fn()
    store.on('party:changed', changed)
    const state = await store.restore()
    expect(changed).toHaveBeenCalledExactlyOnceWith({ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'restore' })
    expect(state).toMatchObject({ status: 'connected', connectedAt: LEGACY.connectedAt, expiresAt: LEGACY.connectedAt + 3_600_000 })
    store.destroy()
  })

  it('K1: migratePartyLayerSession moves nothing, and resolves false, where the old library left nothing', async () => {
    const { migratePartyLayerSession } = (await runDocBlock(docBlock(PAGE, 'export async function migratePartyLayerSession('), { '@sessionlayer/session-crypto': crypto })) as {
      migratePartyLayerSession: () => Promise<boolean>
    }
    await expect(migratePartyLayerSession()).resolves.toBe(false)
    expect(await databases()).toEqual([])
    expect(await crypto.createEncryptedIndexedDBStorage().getItem('sessionlayer.session')).toBeNull()
  })

  it('removePartyLayerSession deletes every entry the old library left: its databases, its localStorage blob and marker, its cookie', async () => {
    await persistLegacy('localStorage')
    await putRecord(`partylayer-session-data::${ORIGIN}`, 'blobs', 'other', 'x')
    document.cookie = 'pl_session=x; Path=/'
    const { removePartyLayerSession } = (await runDocBlock(docBlock(PAGE, 'export function removePartyLayerSession('), {})) as { removePartyLayerSession: () => void }
    removePartyLayerSession()
    await vi.waitFor(async () => expect(await databases()).toEqual([]))
    expect(localStorage.length).toBe(0)
    expect(document.cookie).toBe('')
  })

  it('§2.5, K1: migratePartyLayerCookie moves the pl_session cookie into the cookie storage (sessionlayer.sessionlayer.session), which readSessionState reads, and deletes it', async () => {
    document.cookie = `pl_session=${encodeURIComponent(JSON.stringify(LEGACY))}; Path=/`
    const imports = { '@sessionlayer/session-core': core, '@sessionlayer/session-crypto': crypto }
    const { migratePartyLayerCookie } = (await runDocBlock(docBlock(PAGE, 'export async function migratePartyLayerCookie('), imports)) as { migratePartyLayerCookie: () => Promise<boolean> }
    await expect(migratePartyLayerCookie()).resolves.toBe(true)
    expect(document.cookie).toMatch(/^sessionlayer\.sessionlayer\.session=[^;]+$/)
    expect(await readSessionState(createCookieStorage())).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, networkId: 'canton:devnet', connectedAt: LEGACY.connectedAt })
    // a second run finds nothing to move, and keeps what it moved
    await expect(migratePartyLayerCookie()).resolves.toBe(false)
    expect(document.cookie).toMatch(/^sessionlayer\.sessionlayer\.session=/)
  })
})
