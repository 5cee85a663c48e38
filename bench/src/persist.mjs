// Persistence in Node: encrypted set/get of a 2 KB envelope over fake-indexeddb and Node's
// WebCrypto, against raw WebCrypto + IndexedDB (see persistCases.mjs).
import { IDBFactory } from 'fake-indexeddb'
import { performance } from 'node:perf_hooks'
import { webcrypto } from 'node:crypto'
import { runPersistence } from './persistCases.mjs'

const result = await runPersistence({ indexedDB: new IDBFactory(), crypto: webcrypto, now: () => performance.now() })
process.stdout.write(JSON.stringify({ id: 'persist', where: 'Node (fake-indexeddb)', ...result }))
