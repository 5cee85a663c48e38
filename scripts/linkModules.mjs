// The node_modules of a scratch consumer outside the repository: the built packages and the
// libraries apps use with them, linked from the workspace. Used by the doc code check
// (docs-code.mjs) and the consumer type test (consumer-types.test.mjs).
import { existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs'
import path from 'node:path'

/** Where each module a consumer's code may import comes from, relative to the repository root. */
const MODULES = {
  '@sessionlayer/session-core': 'packages/session-core',
  '@sessionlayer/session-crypto': 'packages/session-crypto',
  '@sessionlayer/session-sync': 'packages/session-sync',
  '@sessionlayer/session-react': 'packages/session-react',
  '@sessionlayer/session-vue': 'packages/session-vue',
  '@sessionlayer/session-testing': 'packages/session-testing',
  react: 'packages/session-react/node_modules/react',
  'react-dom': 'packages/session-react/node_modules/react-dom',
  '@types/react': 'packages/session-react/node_modules/@types/react',
  '@types/react-dom': 'packages/session-react/node_modules/@types/react-dom',
  '@tanstack/react-query': 'packages/session-react/node_modules/@tanstack/react-query',
  vue: 'packages/session-vue/node_modules/vue',
  '@tanstack/vue-query': 'packages/session-vue/node_modules/@tanstack/vue-query',
  '@canton-network/core-provider-dapp': 'packages/session-core/node_modules/@canton-network/core-provider-dapp',
  '@canton-network/core-rpc-transport': 'packages/session-core/node_modules/@canton-network/core-rpc-transport',
  '@canton-network/core-types': 'packages/session-core/node_modules/@canton-network/core-types',
  '@testing-library/react': 'packages/session-react/node_modules/@testing-library/react',
  '@vue/test-utils': 'packages/session-vue/node_modules/@vue/test-utils',
  localforage: 'packages/session-core/node_modules/localforage',
  'idb-keyval': 'packages/session-core/node_modules/idb-keyval',
  unstorage: 'packages/session-core/node_modules/unstorage',
  '@sinonjs/fake-timers': 'packages/session-core/node_modules/@sinonjs/fake-timers',
  vitest: 'node_modules/vitest',
  'fake-indexeddb': 'node_modules/fake-indexeddb',
  '@types/node': 'node_modules/@types/node',
}

/**
 * Links every module into `dir/node_modules` (one not installed in the workspace is left out).
 * @param {string} dir - the consumer's folder
 * @param {string} root - the repository root
 */
export function linkModules(dir, root) {
  for (const [name, target] of Object.entries(MODULES)) {
    const from = path.join(root, target)
    if (!existsSync(from)) continue
    const to = path.join(dir, 'node_modules', name)
    mkdirSync(path.dirname(to), { recursive: true })
    symlinkSync(realpathSync(from), to, 'dir')
  }
}
