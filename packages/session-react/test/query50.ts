import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** The ES module entry of the package `name` as `require` finds it, and its version. */
const find = (require: NodeJS.Require, name: string) => {
  const manifest = require.resolve(`${name}/package.json`)
  const { version, exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; exports: { '.': { import: { default: string } } } }
  return { version, file: join(dirname(manifest), exports['.'].import.default), require: createRequire(manifest) }
}

const reactQuery = find(createRequire(import.meta.url), 'react-query-50')
const queryCore = find(reactQuery.require, '@tanstack/query-core')

/**
 * The TanStack Query entry points of the TanStack Query 5.0 test project, each mapped to its ES
 * module file: the `react-query-50` alias (`npm:@tanstack/react-query@5.0.x`) and the
 * `@tanstack/query-core` it depends on.
 */
export const REACT_QUERY_50 = {
  '@tanstack/react-query': reactQuery.file,
  '@tanstack/query-core': queryCore.file,
} as const

/** Their versions. */
export const REACT_QUERY_50_VERSIONS = {
  '@tanstack/react-query': reactQuery.version,
  '@tanstack/query-core': queryCore.version,
} as const
