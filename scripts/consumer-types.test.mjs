// The published types as a strict consumer compiles them: the built `.d.ts` of every entry, under
// the module resolutions apps use (bundler, node16 and nodenext, ESM and CommonJS, and node10), with `strict`,
// `exactOptionalPropertyTypes` and `skipLibCheck: false`. The consumer code forwards values that may
// be undefined into every option bag (what a wrapper component or a config file does), and reads
// typed events.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ts from 'typescript'
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

let dir = ''
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sessionlayer-consumer-'))
  linkModules(dir, root)
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the published types, as a strict consumer compiles them', () => {
  it.each(CONSUMERS)('moduleResolution %s, a "type": "%s" package', (resolution, type, options) => {
    const app = path.join(dir, `${resolution}-${type}`)
    mkdirSync(app)
    symlinkSync(path.join(dir, 'node_modules'), path.join(app, 'node_modules'), 'dir')
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ type }))
    const files = Object.entries({ 'core.ts': CORE, 'react.tsx': REACT, 'vue.ts': VUE }).map(([name, code]) => {
      writeFileSync(path.join(app, name), code)
      return path.join(app, name)
    })
    const program = ts.createProgram(files, { ...BASE, ...options })
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ')
      if (!d.file || d.start === undefined) return `TS${d.code}: ${message}`
      const { line } = d.file.getLineAndCharacterOfPosition(d.start)
      return `${path.relative(dir, d.file.fileName)}:${line + 1} TS${d.code}: ${message}`
    })
    expect(errors).toEqual([])
  })
})
