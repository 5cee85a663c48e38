// The published types as a strict consumer compiles them: the built `.d.ts` of every entry, under
// the module resolutions apps use (bundler, node16 and nodenext, ESM and CommonJS, and node10), with `strict`,
// `exactOptionalPropertyTypes` and `skipLibCheck: false`. The consumer code forwards values that may
// be undefined into every option bag (what a wrapper component or a config file does), passes the
// browser's own objects (Web Storage, IndexedDB, WebCrypto and its keys, Web Locks), and reads
// typed events. A Node server (SSR) compiles the same declarations without the DOM lib, with
// Node's globals only, and passes Node's own objects. The oldest TypeScript the README promises (5.0,
// and 5.4 with Vue 3.5 and TanStack Query 5, whose own declarations need it) compiles them too.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ESLint } from 'eslint'
import ts from 'typescript'
import ts50 from 'typescript-5.0'
import ts54 from 'typescript-5.4'
import tseslint from 'typescript-eslint'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linkModules } from './linkModules.mjs'

const root = path.resolve(import.meta.dirname, '..')


const CORE = `import { createCookieStorage, createSessionStore, readSessionState, type CIP0103Provider, type SessionStorage, type SessionStoreOptions } from '@sessionlayer/session-core'
import { createLedgerFetch } from '@sessionlayer/session-core/ledger'
import { createEncryptedIndexedDBStorage, createEncryptedLocalStorage } from '@sessionlayer/session-crypto'
import { createTabLock, openSyncChannel } from '@sessionlayer/session-sync'
import { createMockProvider } from '@sessionlayer/session-testing'

/** Settings that may or may not be there, as a config file gives them. */
export interface Settings {
  storage?: SessionStorage
  storageKey?: string
  ttlMs?: number
  idleTimeoutMs?: number
  reconnect?: boolean
  broadcast?: boolean
  cookieDomain?: string
  secure?: boolean
  origin?: string
  now?: number
  fetch?: typeof fetch
  signal?: AbortSignal
  tabId?: string
}

export function setUp(provider: CIP0103Provider, settings: Settings) {
  const options: SessionStoreOptions = {
    storage: settings.storage,
    storageKey: settings.storageKey,
    reconnect: settings.reconnect,
    broadcast: settings.broadcast ? { channelFactory: undefined, lockManager: undefined } : undefined,
    expiry: { ttlMs: settings.ttlMs, idleTimeoutMs: settings.idleTimeoutMs, onReauthRequired: undefined, pendingQueueSize: undefined },
    persistSnapshot: undefined,
    onInvalidate: undefined,
    requestTimeoutMs: undefined,
    connectTimeoutMs: undefined,
    clock: undefined,
  }
  const store = createSessionStore(provider, options)
  const cookies = createCookieStorage({ domain: settings.cookieDomain, secure: settings.secure, maxAge: undefined, adapter: undefined })
  void readSessionState(cookies, { storageKey: settings.storageKey, now: settings.now })
  createEncryptedIndexedDBStorage({ origin: settings.origin, indexedDB: undefined, crypto: undefined })
  createEncryptedLocalStorage({ origin: settings.origin, localStorage: undefined })
  openSyncChannel('name', { tabId: settings.tabId, channelFactory: undefined, now: undefined, maxBytes: undefined })
  void createTabLock({ lockManager: undefined }).runExclusive('name', () => 1, { signal: settings.signal, ifAvailable: undefined })
  // a fetch: it plugs into generated API clients
  const ledgerFetch: typeof fetch = createLedgerFetch(store, { fetch: settings.fetch })
  // every event's payload is typed by its type
  store.on('party:changed', (e) => {
    const current: string | null = e.current
    const source: 'local' | 'remote' | 'restore' = e.source
    return [current, source]
  })
  store.on('reconnect:scheduled', (e) => e.delayMs.toFixed())
  // @ts-expect-error a party change has no delay
  store.on('party:changed', (e) => e.delayMs)
  // @ts-expect-error not an event
  store.on('party:change', () => undefined)
  return [store, ledgerFetch, createMockProvider()] as const
}
`

/** A browser app hands over the platform's own objects, without casts. */
const DOM = `import { createWebStorage } from '@sessionlayer/session-core'
import { createEncryptedIndexedDBStorage, createEncryptedLocalStorage, createEncryptedStorage } from '@sessionlayer/session-crypto'
import { createTabLock, openSyncChannel } from '@sessionlayer/session-sync'

export async function browser() {
  openSyncChannel('sessionlayer.session.sync::null::k', { channelFactory: (name) => new BroadcastChannel(name) }).close()
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  const storages = [
    createWebStorage(window.localStorage),
    createWebStorage(() => globalThis.sessionStorage),
    createEncryptedStorage(createWebStorage(localStorage), { key, crypto: window.crypto, origin: location.origin }),
    createEncryptedLocalStorage({ localStorage: window.localStorage, indexedDB: globalThis.indexedDB, crypto: globalThis.crypto }),
    createEncryptedIndexedDBStorage({ indexedDB: window.indexedDB, crypto }),
  ]
  return [storages, createTabLock({ lockManager: navigator.locks })] as const
}
`

const REACT = `import type { CIP0103Provider, SessionState, SessionStoreOptions } from '@sessionlayer/session-core'
import { SessionProvider, useSession, useSessionEvent } from '@sessionlayer/session-react'
import { sessionQueryKey } from '@sessionlayer/session-react/query'

function Party() {
  const session = useSession()
  useSessionEvent('network:changed', (e) => e.current?.length)
  return <p>{sessionQueryKey(session, 'party').join()}</p>
}

/** Forwards optional props as they are. */
export function App(props: { provider: CIP0103Provider; options?: SessionStoreOptions; initialState?: SessionState }) {
  return (
    <SessionProvider provider={props.provider} options={props.options} initialState={props.initialState}>
      <Party />
    </SessionProvider>
  )
}
`

const VUE = `import type { CIP0103Provider, SessionState, SessionStore } from '@sessionlayer/session-core'
import { createSessionPlugin, provideSession, useSessionEvent } from '@sessionlayer/session-vue'
import { sessionQueryKey } from '@sessionlayer/session-vue/query'

export function plugins(provider: CIP0103Provider, store: SessionStore, initialState?: SessionState, server?: boolean) {
  provideSession(store, initialState)
  useSessionEvent('party:changed', (e) => e.previous?.length)
  return [createSessionPlugin({ provider, initialState, server, reconnect: true }), sessionQueryKey({ networkId: null, account: null })] as const
}
`

/**
 * A Node server (SSR: it reads the session from the request's cookies) hands over Node's own
 * objects: its global WebCrypto and keys from it, \`node:crypto\`'s \`webcrypto\`, \`fetch\`, \`Request\`
 * and \`AbortSignal\`; an in-memory Web Storage; an IndexedDB factory of its choice; and the test
 * doubles of session-testing. It imports every entry.
 */
const NODE = `import { webcrypto } from 'node:crypto'
import { createCookieStorage, createMemoryStorage, createSessionStore, createWebStorage, readSessionState, type SessionState } from '@sessionlayer/session-core'
import { createLedgerFetch } from '@sessionlayer/session-core/ledger'
import { createEncryptedIndexedDBStorage, createEncryptedLocalStorage, createEncryptedStorage, type IndexedDBFactoryLike } from '@sessionlayer/session-crypto'
import { createTabLock, openSyncChannel } from '@sessionlayer/session-sync'
import { createChannelHub, createMockLockManager, createMockProvider } from '@sessionlayer/session-testing'

const entries = new Map<string, string>()
/** Web Storage in memory. */
export const memoryWebStorage = {
  getItem: (key: string) => entries.get(key) ?? null,
  setItem: (key: string, value: string) => void entries.set(key, value),
  removeItem: (key: string) => void entries.delete(key),
}

export async function readSession(cookieHeader: string, indexedDB?: IndexedDBFactoryLike): Promise<SessionState> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  const cookies = createCookieStorage({ adapter: { get: () => cookieHeader, set: () => undefined } })
  const storage = createEncryptedStorage(cookies, { key, crypto: globalThis.crypto, origin: 'https://app.example' })
  const nodeKey = await webcrypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  createEncryptedStorage(createWebStorage(memoryWebStorage), { key: nodeKey, crypto: webcrypto })
  createEncryptedStorage(createMemoryStorage(), { key })
  createEncryptedLocalStorage({ localStorage: memoryWebStorage, indexedDB, crypto })
  createEncryptedIndexedDBStorage({ indexedDB, crypto: webcrypto, origin: 'https://app.example' })
  return readSessionState(storage, { storageKey: 'sessionlayer.session', now: Date.now() })
}

export async function tabs(signal: AbortSignal = AbortSignal.timeout(1000)) {
  const hub = createChannelHub()
  const lockManager = createMockLockManager()
  const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage(), broadcast: { channelFactory: hub.channelFactory, lockManager } })
  openSyncChannel('sessionlayer.session.sync::null::k', { channelFactory: hub.channelFactory }).close()
  // Node's own BroadcastChannel (worker_threads, global since Node 18)
  openSyncChannel('sessionlayer.session.sync::null::k', { channelFactory: (name) => new BroadcastChannel(name) }).close()
  await createTabLock({ lockManager }).runExclusive('k', () => 1, { signal })
  const ledgerFetch: typeof fetch = createLedgerFetch(store, { fetch })
  return ledgerFetch(new Request('http://127.0.0.1:7575/v2/state/ledger-end'), { signal })
}
`

/**
 * A Node test project that uses fake-indexeddb: its declarations are written against the DOM lib,
 * so such a project has both the DOM lib and Node's globals.
 */
const NODE_FAKE_INDEXEDDB = `import { IDBFactory, indexedDB } from 'fake-indexeddb'
import { createEncryptedIndexedDBStorage, createEncryptedLocalStorage } from '@sessionlayer/session-crypto'
import { memoryWebStorage, readSession } from './node.js'

export function storages() {
  void readSession('', indexedDB)
  return [
    createEncryptedIndexedDBStorage({ indexedDB, crypto: globalThis.crypto, origin: 'https://app.example' }),
    createEncryptedLocalStorage({ indexedDB: new IDBFactory(), localStorage: memoryWebStorage }),
  ]
}
`

/**
 * A project whose \`lib\` predates ES2022 (still common in app templates): the error's \`cause\`
 * is typed by SessionError itself, not only by the newer lib's \`Error\`.
 */
const ES2020 = `import { SessionError, toSessionError, type SessionStore } from '@sessionlayer/session-core'

export async function failure(store: SessionStore) {
  const state = await store.connect()
  const cause: unknown = state.lastError?.cause
  const error = toSessionError(new SessionError('Request timed out', 'TIMEOUT', cause))
  if (error.code === 'TIMEOUT' || error.code === 4001) return [error.cause, error.shortMessage] as const
  return [error.cause, error.message] as const
}
`

/**
 * A store's methods handed on detached, as the docs allow (\`init\` is safe to destructure, \`connect\`
 * can be bound straight to a button): typescript-eslint's \`unbound-method\` (in its recommended
 * type-checked rules) reads the declarations to tell a method that needs its \`this\`.
 */
const DETACHED = `import { createSessionStore, type SessionStore } from '@sessionlayer/session-core'
import { useSession } from '@sessionlayer/session-react'
import { useSession as useVueSession } from '@sessionlayer/session-vue'
import { createMockProvider } from '@sessionlayer/session-testing'

export function detached(store: SessionStore = createSessionStore(createMockProvider())) {
  const { init, restore, connect, disconnect, getSnapshot, subscribe, getProvider, on, enqueue, touch, cancelReconnect, destroy } = store
  window.addEventListener('focus', store.touch)
  window.addEventListener('pagehide', store.destroy)
  return [init, restore, connect, disconnect, getSnapshot, subscribe, getProvider, on, enqueue, touch, cancelReconnect, destroy, store.getSnapshot] as const
}

export function hooks() {
  const { connect, disconnect, restore, enqueue } = useSession()
  const vue = useVueSession()
  return [connect, disconnect, restore, enqueue, vue.connect, vue.disconnect] as const
}
`

/**
 * Async event handlers and subscribers, as cache invalidation writes them (a rejection becomes an \`error\` event):
 * typescript-eslint's \`no-misused-promises\` (in its recommended type-checked rules) flags a
 * promise handed where the declared return is \`void\`.
 */
const ASYNC_HANDLERS = `import type { SessionStore } from '@sessionlayer/session-core'
import { useSessionEvent } from '@sessionlayer/session-react'
import { useSessionEvent as useVueSessionEvent } from '@sessionlayer/session-vue'

declare const queryClient: { invalidateQueries(filters: { queryKey: readonly unknown[] }): Promise<void> }

export function listen(store: SessionStore) {
  store.subscribe(async (state, previous) => {
    if (state.networkId !== previous.networkId) await queryClient.invalidateQueries({ queryKey: ['network'] })
  })
  return store.on('party:changed', async (e) => {
    await queryClient.invalidateQueries({ queryKey: ['balances', e.current] })
  })
}

export function hooks() {
  useSessionEvent('network:changed', async () => queryClient.invalidateQueries({ queryKey: ['sessionlayer'] }))
  useVueSessionEvent('party:changed', async () => queryClient.invalidateQueries({ queryKey: ['sessionlayer'] }))
}
`

/**
 * The libraries a browser app plugs into a store, as they are, without casts: localforage (its
 * \`setItem\` resolves with the value), idb-keyval in a small object, a synchronous Map-backed
 * object through \`createWebStorage\`, the platform's timers, sinon's fake clock, the DOM's
 * \`BroadcastChannel\` and \`navigator.locks\`, the official dApp providers, and an \`onInvalidate\`
 * that returns what a cache's call returns.
 */
const PLUGINS_DOM = `import { DappAsyncProvider, DappSyncProvider } from '@canton-network/core-provider-dapp'
import { createSessionStore, createWebStorage, type CIP0103Provider, type SessionStorage } from '@sessionlayer/session-core'
import FakeTimers from '@sinonjs/fake-timers'
import { del, get, set } from 'idb-keyval'
import localforage from 'localforage'

declare const queryClient: { invalidateQueries(filters?: { queryKey?: readonly unknown[] }): Promise<void> }
const cache = new Map<string, unknown>()
const entries = new Map<string, string>()

export function browserStores(provider: CIP0103Provider) {
  const idbKeyval: SessionStorage = { getItem: async (k) => (await get<string>(k)) ?? null, setItem: (k, v) => set(k, v), removeItem: (k) => del(k) }
  const fake = FakeTimers.createClock()
  return [
    createSessionStore(provider, { storage: localforage, clock: { now: Date.now, setTimeout, clearTimeout }, onInvalidate: (e) => cache.delete(e.previous ?? '') }),
    createSessionStore(provider, {
      storage: localforage.createInstance({ name: 'app' }),
      clock: { now: () => performance.timeOrigin + performance.now(), setTimeout: window.setTimeout, clearTimeout: window.clearTimeout },
      onInvalidate: () => queryClient.invalidateQueries({ queryKey: ['sessionlayer'] }),
    }),
    createSessionStore(new DappSyncProvider(), { storage: idbKeyval, broadcast: { channelFactory: (name) => new BroadcastChannel(name), lockManager: navigator.locks } }),
    createSessionStore(new DappAsyncProvider('https://wallet.example/api/'), {
      storage: createWebStorage({ getItem: (k) => entries.get(k) ?? null, setItem: (k, v) => entries.set(k, v), removeItem: (k) => entries.delete(k) }),
      clock: { now: () => fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout },
      onInvalidate: (e) => e.current,
    }),
  ]
}
`

/**
 * What a Node server plugs in: a per-request storage over \`AsyncLocalStorage\`, unstorage's raw
 * methods, Node's timers (global and from \`node:timers\`, returning a \`Timeout\`), sinon's fake
 * clock, \`worker_threads\`' \`BroadcastChannel\`, and a wallet provider written as an
 * \`EventEmitter\` subclass with private fields.
 */
const PLUGINS_NODE = `import { AsyncLocalStorage } from 'node:async_hooks'
import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import { clearTimeout as clearNodeTimeout, setTimeout as setNodeTimeout } from 'node:timers'
import { BroadcastChannel } from 'node:worker_threads'
import { createSessionStore, type CIP0103Provider, type SessionStorage } from '@sessionlayer/session-core'
import FakeTimers from '@sinonjs/fake-timers'
import { createStorage } from 'unstorage'

const request = new AsyncLocalStorage<Map<string, string>>()
/** One session entry per request. */
export const perRequest: SessionStorage = {
  getItem: async (k) => request.getStore()?.get(k) ?? null,
  setItem: async (k, v) => request.getStore()?.set(k, v),
  removeItem: async (k) => request.getStore()?.delete(k),
}
const kv = createStorage()
/** unstorage's raw methods: its getItem would parse the JSON envelope into an object. */
export const unstorage: SessionStorage = { getItem: (k) => kv.getItemRaw<string>(k), setItem: (k, v) => kv.setItemRaw(k, v), removeItem: (k) => kv.removeItem(k) }

/** A wallet's provider over Node's EventEmitter, with private state. */
export class ServerWallet extends EventEmitter {
  #token: string
  private readonly calls: string[] = []
  constructor(token: string) {
    super()
    this.#token = token
  }
  async request(args: { method: string; params?: unknown }): Promise<unknown> {
    this.calls.push(args.method)
    return { token: this.#token }
  }
}

export function serverStores(provider: CIP0103Provider) {
  const fake = FakeTimers.createClock()
  const cache = new Map<string, number>()
  return [
    createSessionStore(provider, { storage: perRequest, clock: { now: Date.now, setTimeout, clearTimeout }, onInvalidate: (e) => cache.delete(e.previous ?? '') }),
    createSessionStore(new ServerWallet('t'), {
      storage: unstorage,
      clock: { now: () => performance.timeOrigin + performance.now(), setTimeout: setNodeTimeout, clearTimeout: clearNodeTimeout },
      broadcast: { channelFactory: (name) => new BroadcastChannel(name), lockManager: null },
    }),
    createSessionStore(provider, { clock: { now: () => fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout }, onInvalidate: async () => cache.clear() }),
  ]
}
`

const BASE = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  jsx: ts.JsxEmit.ReactJSX,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
  types: [],
}

const CONSUMERS = [
  ['bundler', 'module', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
  ['node16', 'module', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
  ['node16', 'commonjs', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
  ['nodenext', 'module', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
  ['nodenext', 'commonjs', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
  // the older `moduleResolution: node`, still common: the subpath entries resolve through `typesVersions`
  ['node10', 'commonjs', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
]

// Node's globals, with the DOM lib (a project that also uses fake-indexeddb) and without it
const NODE_LIB = { ES2022: ['lib.es2022.d.ts'], 'ES2022 and DOM': ['lib.es2022.d.ts', 'lib.dom.d.ts'] }
const NODE_CONSUMERS = [
  ['ES2022', 'nodenext', 'module', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
  ['ES2022', 'nodenext', 'commonjs', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
  ['ES2022', 'bundler', 'module', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
  ['ES2022 and DOM', 'nodenext', 'module', { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }],
]

let dir = ''
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sessionlayer-consumer-'))
  linkModules(dir, root)
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/**
 * Compiles the sources as one consumer package.
 * @param {string} name - the consumer's folder
 * @param {string} type - its package.json `type`
 * @param {Record<string, string>} sources - its files by name
 * @param {ts.CompilerOptions} options - its compiler options
 * @param {typeof ts} [compiler] - the TypeScript that compiles it (default: the workspace's)
 * @returns {string[]} the errors
 */
function compile(name, type, sources, options, compiler = ts) {
  const app = path.join(dir, name)
  mkdirSync(app)
  symlinkSync(path.join(dir, 'node_modules'), path.join(app, 'node_modules'), 'dir')
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ type }))
  const files = Object.entries(sources).map(([file, code]) => {
    writeFileSync(path.join(app, file), code)
    return path.join(app, file)
  })
  const program = compiler.createProgram(files, options)
  return compiler.getPreEmitDiagnostics(program).map((d) => {
    const message = compiler.flattenDiagnosticMessageText(d.messageText, '\n  ')
    if (!d.file || d.start === undefined) return `TS${d.code}: ${message}`
    const { line } = d.file.getLineAndCharacterOfPosition(d.start)
    return `${path.relative(dir, d.file.fileName)}:${line + 1} TS${d.code}: ${message}`
  })
}

/**
 * Lints one consumer file with typescript-eslint's recommended type-checked rules.
 * @param {string} name - the consumer's folder
 * @param {string} code - its one file
 * @returns {Promise<string[]>} the problems found
 */
async function lint(name, code) {
  const app = path.join(dir, name)
  mkdirSync(app)
  symlinkSync(path.join(dir, 'node_modules'), path.join(app, 'node_modules'), 'dir')
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ type: 'module' }))
  writeFileSync(path.join(app, 'app.ts'), code)
  const compilerOptions = { target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, types: [] }
  writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['app.ts'] }))
  const eslint = new ESLint({
    cwd: app,
    overrideConfigFile: true,
    overrideConfig: [...tseslint.configs.recommendedTypeChecked, { languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: app } } }],
  })
  const [result] = await eslint.lintFiles(['app.ts'])
  return (result?.messages ?? []).map((m) => `${m.line}:${m.column} ${m.ruleId ?? ''} ${m.message.split('\n')[0] ?? ''}`)
}

describe('the published types, as a strict consumer compiles them', () => {
  it.each(CONSUMERS)('moduleResolution %s, a "type": "%s" package', (resolution, type, options) => {
    const sources = { 'core.ts': CORE, 'dom.ts': DOM, 'react.tsx': REACT, 'vue.ts': VUE }
    expect(compile(`${resolution}-${type}`, type, sources, { ...BASE, ...options })).toEqual([])
  })

  // The oldest TypeScript the declarations take: 5.0 (a `const` type parameter, sessionQueryKey's).
  // The bindings' own types need no more, but current Vue 3.5 and TanStack Query 5 declarations
  // use `NoInfer` (5.4): with them, an app compiles from 5.4. Both floors are stated in the README.
  it.each(CONSUMERS)('TypeScript 5.0: core, ledger, crypto, sync and testing, moduleResolution %s, a "type": "%s" package', (resolution, type, options) => {
    expect(ts50.version).toBe('5.0.4')
    const sources = { 'core.ts': CORE, 'dom.ts': DOM }
    expect(compile(`ts50-${resolution}-${type}`, type, sources, { ...BASE, ...options }, ts50)).toEqual([])
  })

  it.each(CONSUMERS)('TypeScript 5.4: every entry, React and Vue with TanStack Query too, moduleResolution %s, a "type": "%s" package', (resolution, type, options) => {
    expect(ts54.version).toBe('5.4.5')
    const sources = { 'core.ts': CORE, 'dom.ts': DOM, 'react.tsx': REACT, 'vue.ts': VUE }
    expect(compile(`ts54-${resolution}-${type}`, type, sources, { ...BASE, ...options }, ts54)).toEqual([])
  })

  it('C4: a project with lib ES2020 reads a SessionError\'s code and cause', () => {
    const options = { ...BASE, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2020 }
    expect(compile('es2020', 'module', { 'error.ts': ES2020 }, { ...options, lib: ['lib.es2020.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'] })).toEqual([])
  })

  it('C9: a store\'s methods, init among them, may be destructured and passed as callbacks under typescript-eslint\'s unbound-method rule', async () => {
    expect(await lint('detached', DETACHED)).toEqual([])
  })

  it('§2.2, C16: an async event handler or subscriber (store.on, useSessionEvent, store.subscribe) passes typescript-eslint\'s no-misused-promises rule', async () => {
    expect(await lint('async-handlers', ASYNC_HANDLERS)).toEqual([])
  })

  it('C3, C11, C15, M1, M6: the libraries a browser app plugs in (localforage, idb-keyval, its timers, fake timers, BroadcastChannel, navigator.locks, the official providers) compile without a cast', () => {
    const options = { ...BASE, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }
    expect(compile('plugins-dom', 'module', { 'plugins.ts': PLUGINS_DOM }, options)).toEqual([])
  })

  it('C3, C11, C15, M1: what a Node server plugs in (AsyncLocalStorage, unstorage, Node timers, fake timers, worker_threads BroadcastChannel, an EventEmitter provider) compiles without a cast', () => {
    // unstorage's declarations of its drivers import their optional peers: checking them is not this test's business
    const options = { ...BASE, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: NODE_LIB.ES2022, types: ['node'], skipLibCheck: true }
    expect(compile('plugins-node', 'module', { 'plugins.ts': PLUGINS_NODE }, options)).toEqual([])
  })

  it.each(NODE_CONSUMERS)('Node: lib %s, types node, moduleResolution %s, a "type": "%s" package', (lib, resolution, type, options) => {
    const dom = lib !== 'ES2022'
    const sources = { 'node.ts': NODE, ...(dom && { 'fake-indexeddb.ts': NODE_FAKE_INDEXEDDB }) }
    const name = `node-${dom ? 'dom' : 'es2022'}-${resolution}-${type}`
    expect(compile(name, type, sources, { ...BASE, ...options, lib: NODE_LIB[lib], types: ['node'] })).toEqual([])
  })
})
