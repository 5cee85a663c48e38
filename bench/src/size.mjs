// Size: min+gzip of each entry point and of typical imports, bundled from the built packages
// with esbuild (minified, ESM, browser) and gzipped at level 9 — next to @wagmi/core's connection
// subset and zustand/vanilla measured the same way. Each figure is a bundle that re-exports the
// import, less the same bundle of a one-constant module (the re-export glue, as size-limit
// subtracts its empty-project baseline), so the figures line up with the CI budgets.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const here = fileURLToPath(new URL('.', import.meta.url))
const FRAMEWORKS = ['react', 'react-dom', 'react/jsx-runtime', 'vue', '@tanstack/react-query', '@tanstack/vue-query', '@tanstack/query-core']

/**
 * The min+gzip size of a module that only re-exports `code`.
 * @param {string} code - e.g. `export { createSessionStore } from '@sessionlayer/session-core'`
 * @param {string[]} external - packages left out of the bundle
 * @returns {Promise<{ min: number, gzip: number }>}
 */
async function measure(code, external = []) {
  const result = await build({
    stdin: { contents: code, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external,
    logLevel: 'silent',
    legalComments: 'none',
    // No tsconfig: the repository's `paths` would point `@sessionlayer/*` at the sources; the
    // packages resolve through their `exports` to the built files, as in an app.
    tsconfigRaw: '{}',
  })
  const bytes = result.outputFiles.reduce((total, file) => total + file.contents.length, 0)
  const text = result.outputFiles.map((file) => file.text).join('\n')
  return { min: bytes, gzip: gzipSync(text, { level: 9 }).length }
}

const baseline = await measure(`export { x } from 'data:text/javascript,export const x = 0'`)
const net = ({ min, gzip }) => ({ min: min - baseline.min, gzip: gzip - baseline.gzip })

const core = '@sessionlayer/session-core'
const own = (pkg) => [...FRAMEWORKS, core, pkg === core ? '' : core].filter(Boolean)

/** What is measured: label, code, externals, target (bytes, min+gzip) and whether it is ours. */
const CASES = [
  { group: 'typical import', label: '{ createSessionStore } (with its crypto and sync needs)', code: `export { createSessionStore } from '${core}'`, target: 3000 },
  { group: 'typical import', label: 'all of session-core (with crypto and sync)', code: `export * from '${core}'`, target: 4000 },
  { group: 'typical import', label: 'session-react, own code', code: `export * from '@sessionlayer/session-react'`, external: own(), target: 1000 },
  { group: 'typical import', label: 'session-vue, own code', code: `export * from '@sessionlayer/session-vue'`, external: own(), target: 1000 },
  { group: 'typical import', label: 'a React app: SessionProvider + useSession + core', code: `export { SessionProvider, useSession } from '@sessionlayer/session-react'`, external: FRAMEWORKS },
  { group: 'entry', label: '@sessionlayer/session-core', code: `export * from '${core}'` },
  { group: 'entry', label: '@sessionlayer/session-core/ledger (with what it uses of core)', code: `export * from '${core}/ledger'` },
  { group: 'entry', label: '@sessionlayer/session-crypto', code: `export * from '@sessionlayer/session-crypto'` },
  { group: 'entry', label: '@sessionlayer/session-sync', code: `export * from '@sessionlayer/session-sync'` },
  { group: 'entry', label: '@sessionlayer/session-react', code: `export * from '@sessionlayer/session-react'`, external: own() },
  { group: 'entry', label: '@sessionlayer/session-react/query', code: `export * from '@sessionlayer/session-react/query'`, external: own() },
  { group: 'entry', label: '@sessionlayer/session-vue', code: `export * from '@sessionlayer/session-vue'`, external: own() },
  { group: 'entry', label: '@sessionlayer/session-vue/query', code: `export * from '@sessionlayer/session-vue/query'`, external: own() },
  { group: 'entry', label: '@sessionlayer/session-testing', code: `export * from '@sessionlayer/session-testing'`, external: [core] },
  {
    group: 'reference',
    label: '@wagmi/core connection subset, viem external',
    code: `export { createConfig, connect, disconnect, reconnect, getAccount, watchAccount } from '@wagmi/core'`,
    external: ['viem', 'viem/*', ...FRAMEWORKS],
    reference: true,
  },
  {
    group: 'reference',
    label: '@wagmi/core connection subset, with its viem needs',
    code: `export { createConfig, connect, disconnect, reconnect, getAccount, watchAccount } from '@wagmi/core'`,
    external: FRAMEWORKS,
    reference: true,
  },
  { group: 'reference', label: 'zustand/vanilla createStore', code: `export { createStore } from 'zustand/vanilla'`, reference: true },
]

const rows = []
for (const c of CASES) rows.push({ ...c, ...net(await measure(c.code, c.external)) })

// Where the bytes of the createSessionStore import go: the import with a leaf package left out,
// against the whole import — each leaf's marginal cost, and the core's own code without either.
const store = `export { createSessionStore } from '${core}'`
const [crypto, sync] = ['@sessionlayer/session-crypto', '@sessionlayer/session-sync']
const whole = net(await measure(store))
const without = async (external) => net(await measure(store, external))
const less = (a, b) => ({ min: a.min - b.min, gzip: a.gzip - b.gzip })
const breakdown = [
  { label: "session-core's own code (state machine, runner, wallet validation, errors)", ...(await without([crypto, sync])) },
  { label: 'session-crypto (encrypted IndexedDB storage, envelope)', ...less(whole, await without([crypto])) },
  { label: 'session-sync (tab channel, Web Locks)', ...less(whole, await without([sync])) },
]

process.stdout.write(JSON.stringify({ id: 'size', rows, breakdown }))
