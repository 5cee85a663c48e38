// Setup of the React 18 test project. Vite's aliases cover the modules Vite transforms; the
// CommonJS builds of react-dom 18 are loaded by Node, whose `require('react')` would find the
// React 19 that pnpm links next to them. This sends those requires to React 18 as well.
import Module from 'node:module'
import { REACT_18_ENTRIES } from './react18'

type Resolve = (this: unknown, request: string, ...rest: unknown[]) => string
const loader = Module as unknown as { _resolveFilename: Resolve }
const resolve = loader._resolveFilename
loader._resolveFilename = function (request, ...rest) {
  return resolve.call(this, REACT_18_ENTRIES[request] ?? request, ...rest)
}

// The matrix is only worth its name if the tests really run on React 18.
const versions = await Promise.all([import('react'), import('react-dom'), import('react-dom/server')].map(async (m) => (await m).version))
if (versions.some((version) => !version.startsWith('18.'))) throw new Error(`React 18 expected, found ${versions.join(', ')}`)
