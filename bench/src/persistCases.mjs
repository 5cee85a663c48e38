// The persistence benchmark, environment-agnostic: the same code runs in Node (fake-indexeddb)
// and in Chromium (real IndexedDB). A 2 KB session envelope is written and read back through
// createEncryptedIndexedDBStorage, and through hand-written WebCrypto AES-GCM + IndexedDB calls
// doing the same work (encrypt, put; get, decrypt) over one open database and one key.
import { createEncryptedIndexedDBStorage, encodeSessionEnvelope } from '@sessionlayer/session-crypto'
import { median, percentile } from './report.mjs'

const KEY = 'sessionlayer.session'

/** A 2,048-character envelope of eight accounts (the active one's hint pads it to size). */
export function envelopeOf2KB() {
  const accounts = Array.from({ length: 8 }, (_, i) => ({ partyId: `party-${i}::1220${'ab'.repeat(32)}`, primary: i === 0, status: 'allocated', networkId: 'canton:mainnet' }))
  const snapshot = (list) => ({ account: list[0], accounts: list, networkId: 'canton:mainnet', connectedAt: 1_750_000_000_000 })
  const padding = Math.floor((2048 - encodeSessionEnvelope(snapshot(accounts)).length) / 2) - ',"hint":""'.length
  const padded = [{ ...accounts[0], hint: 'h'.repeat(padding) }, ...accounts.slice(1)]
  return encodeSessionEnvelope(snapshot(padded))
}

const request = (req) =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })

/** Raw WebCrypto + IndexedDB: one database, one key, encrypt + put, get + decrypt. */
async function rawStorage(indexedDB, crypto, name) {
  const open = indexedDB.open(name)
  open.onupgradeneeded = () => open.result.createObjectStore('blobs')
  const db = await request(open)
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  const tx = (mode, run) =>
    new Promise((resolve, reject) => {
      const t = db.transaction('blobs', mode)
      const req = run(t.objectStore('blobs'))
      t.oncomplete = () => resolve(req.result)
      t.onerror = () => reject(t.error)
    })
  return {
    async setItem(k, value) {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(value))
      await tx('readwrite', (s) => s.put({ iv, data }, k))
    },
    async getItem(k) {
      const blob = await tx('readonly', (s) => s.get(k))
      return blob ? new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: blob.iv }, key, blob.data)) : null
    },
  }
}

/**
 * Median µs per `setItem` and per `getItem` of each case, and the p90 of their round trip (one
 * `setItem` and its `getItem`), interleaved run by run so that
 * background load weighs on both alike.
 * @param {{ indexedDB: IDBFactory, crypto: Crypto, now: () => number, runs?: number, warmup?: number }} env
 */
export async function runPersistence({ indexedDB, crypto, now, runs = 300, warmup = 50 }) {
  const envelope = envelopeOf2KB()
  const suffix = Math.random().toString(36).slice(2)
  const cases = {
    sessionlayer: createEncryptedIndexedDBStorage({ indexedDB, crypto, origin: `https://bench-${suffix}.example` }),
    raw: await rawStorage(indexedDB, crypto, `raw-bench-${suffix}`),
  }
  const samples = { sessionlayer: { set: [], get: [] }, raw: { set: [], get: [] } }
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, storage] of Object.entries(cases)) {
      const t0 = now()
      await storage.setItem(KEY, envelope)
      const t1 = now()
      const back = await storage.getItem(KEY)
      const t2 = now()
      if (back !== envelope) throw new Error(`${name}: the round trip lost data`)
      if (i >= warmup) {
        samples[name].set.push((t1 - t0) * 1000)
        samples[name].get.push((t2 - t1) * 1000)
      }
    }
  }
  const of = ({ set, get }) => ({ set: median(set), get: median(get), tripP90: percentile(set.map((ms, i) => ms + get[i]), 90) })
  return { bytes: envelope.length, runs, sessionlayer: of(samples.sessionlayer), raw: of(samples.raw) }
}
