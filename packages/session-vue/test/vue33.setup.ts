// Setup of the Vue 3.3 test project. Vite's aliases cover the modules Vite transforms; the
// CommonJS builds that Node loads would find the Vue 3.5 that pnpm links next to them (the
// server renderer of Vue 3.3 requires `vue`, its peer). This sends those requires to Vue 3.3 as well.
import Module from 'node:module'
import { VUE_33_ENTRIES } from './vue33'

type Resolve = (this: unknown, request: string, ...rest: unknown[]) => string
const loader = Module as unknown as { _resolveFilename: Resolve }
const resolve = loader._resolveFilename
loader._resolveFilename = function (request, ...rest) {
  return resolve.call(this, VUE_33_ENTRIES[request] ?? request, ...rest)
}
