// Tests run against the workspace sources, not the builds: every `@sessionlayer/*` import
// resolves to its `src` entry so that a change is tested without a rebuild.
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('.', import.meta.url))

/** @type {Record<string, string>} */
const entries = {
  '@sessionlayer/session-crypto': 'packages/session-crypto/src/index.ts',
  '@sessionlayer/session-sync': 'packages/session-sync/src/index.ts',
  '@sessionlayer/session-core': 'packages/session-core/src/index.ts',
  '@sessionlayer/session-core/ledger': 'packages/session-core/src/ledger.ts',
  '@sessionlayer/session-react': 'packages/session-react/src/index.ts',
  '@sessionlayer/session-react/query': 'packages/session-react/src/query.ts',
  '@sessionlayer/session-vue': 'packages/session-vue/src/index.ts',
  '@sessionlayer/session-vue/query': 'packages/session-vue/src/query.ts',
  '@sessionlayer/session-testing': 'packages/session-testing/src/index.ts',
}

/** @type {{ find: RegExp, replacement: string }[]} */
export const workspaceAliases = Object.entries(entries).map(([name, file]) => ({
  find: new RegExp(`^${name.replace(/[/\\^$*+?.()|[\]{}-]/g, '\\$&')}$`),
  replacement: root + file,
}))
