/* global console, crypto, performance, TextEncoder */
// Round-trip cost of the encrypted storages against bare WebCrypto, for a 2 KB session envelope.
// Run after a build: `pnpm --filter @sessionlayer/session-crypto bench`.
import { IDBFactory } from 'fake-indexeddb'
import { createEncryptedIndexedDBStorage, createEncryptedStorage, encodeSessionEnvelope } from '../dist/index.js'

const WARMUP = 200
const RUNS = 1000
const KEY = 'sessionlayer.session'

const accounts = Array.from({ length: 8 }, (_, i) => ({
  partyId: `party-${i}::1220${'ab'.repeat(32)}`,
  primary: i === 0,
  status: 'allocated',
  networkId: 'canton:mainnet',
}))
const snapshot = { account: accounts[0], accounts, networkId: 'canton:mainnet', connectedAt: Date.now() }
// The active account is written twice (account, accounts[0]): pad its hint to reach 2 KB.
const padding = Math.floor((2048 - encodeSessionEnvelope(snapshot).length) / 2) - ',"hint":""'.length
if (padding < 0) throw new Error('the base envelope is over 2 KB')
accounts[0] = { ...accounts[0], hint: 'h'.repeat(padding) }
const envelope = encodeSessionEnvelope({ ...snapshot, account: accounts[0], accounts: [accounts[0], ...accounts.slice(1)] })
const bytes = new TextEncoder().encode(envelope)

const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
const map = new Map()
const memory = {
  getItem: async (k) => map.get(k) ?? null,
  setItem: async (k, v) => void map.set(k, v),
  removeItem: async (k) => void map.delete(k),
}

const cases = {
  'raw WebCrypto encrypt + decrypt': async () => {
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes)
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, data)
  },
  'createEncryptedStorage (in-memory map) setItem + getItem': (() => {
    const storage = createEncryptedStorage(memory, { key, origin: 'https://app.example' })
    return async () => {
      await storage.setItem(KEY, envelope)
      if ((await storage.getItem(KEY)) !== envelope) throw new Error('round trip failed')
    }
  })(),
  'createEncryptedIndexedDBStorage (fake-indexeddb) setItem + getItem': (() => {
    const storage = createEncryptedIndexedDBStorage({ indexedDB: new IDBFactory(), origin: 'https://app.example' })
    return async () => {
      await storage.setItem(KEY, envelope)
      if ((await storage.getItem(KEY)) !== envelope) throw new Error('round trip failed')
    }
  })(),
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
// Cases are interleaved run by run, so background load weighs on all of them alike.
const names = Object.keys(cases)
const samples = Object.fromEntries(names.map((name) => [name, []]))
for (let i = 0; i < WARMUP; i++) for (const name of names) await cases[name]()
for (let i = 0; i < RUNS; i++) {
  for (const name of names) {
    const start = performance.now()
    await cases[name]()
    samples[name].push((performance.now() - start) * 1000)
  }
}
const results = names.map((name) => {
  const sorted = samples[name].sort((a, b) => a - b)
  return { name, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) }
})

const base = results[0]
console.log(`envelope: ${bytes.length} bytes; ${RUNS} runs after ${WARMUP} warm-up runs; µs per round trip (write + read)\n`)
console.log('| case | median µs | p90 µs | median vs raw |')
console.log('|---|---:|---:|---:|')
for (const r of results) console.log(`| ${r.name} | ${r.median.toFixed(1)} | ${r.p90.toFixed(1)} | ${(r.median / base.median).toFixed(2)}× |`)
