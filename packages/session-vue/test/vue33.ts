import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const vue = require.resolve('vue-33')
/** The file of `id`, a dependency of the package of `file`. */
const dependency = (file: string, id: string) => createRequire(file).resolve(id)
const runtimeDom = dependency(vue, '@vue/runtime-dom')
const runtimeCore = dependency(runtimeDom, '@vue/runtime-core')

/**
 * The Vue entry points of the Vue 3.3 test project, each mapped to its file in the `vue-33` alias
 * (`npm:vue@3.3.13`, the latest Vue 3.3, the oldest minor of the peer range `vue >= 3.3`) — the
 * `@vue/*` ones too, each from the package that depends on it (not the Vue 3.5 ones hoisted beside
 * them).
 */
export const VUE_33_ENTRIES: Readonly<Record<string, string>> = {
  vue,
  'vue/server-renderer': require.resolve('vue-33/server-renderer'),
  '@vue/server-renderer': dependency(vue, '@vue/server-renderer'),
  '@vue/compiler-dom': dependency(vue, '@vue/compiler-dom'),
  '@vue/shared': dependency(vue, '@vue/shared'),
  '@vue/runtime-dom': runtimeDom,
  '@vue/runtime-core': runtimeCore,
  '@vue/reactivity': dependency(runtimeCore, '@vue/reactivity'),
}

/**
 * The ES module of `vue-query-504` (`npm:@tanstack/vue-query@5.0.4`, the latest 5.0, the oldest
 * minor of the peer range `^5`), with the `@tanstack/query-core` it was released with (5.0.0).
 */
export const VUE_QUERY_5_ENTRY: string = require.resolve('vue-query-504').replace(/index\.cjs$/, 'index.js')

/** The version of the package that holds `file`. */
const versionOf = (file: string): string => {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    let version: string | undefined
    try {
      ;({ version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string })
    } catch {
      // no package.json here: its parent's
    }
    if (version) return version
  }
}

const { devDependencies } = require('../package.json') as { devDependencies: Record<string, string> }

/** The version of the `vue-33` alias, as package.json names it. */
export const VUE_33_VERSION: string = devDependencies['vue-33']?.replace(/^npm:vue@/, '') ?? ''

// The matrix is only worth its name if each of these is the version the devDependencies name.
for (const [id, file, alias] of [...Object.keys(VUE_33_ENTRIES).map((id) => [id, VUE_33_ENTRIES[id], 'vue-33']), ['@tanstack/vue-query', VUE_QUERY_5_ENTRY, 'vue-query-504']]) {
  const version = versionOf(file!)
  if (!devDependencies[alias!]?.endsWith(`@${version}`)) throw Error(`${id}: ${version} in ${file}, not ${devDependencies[alias!]}`)
}
