// The Vitest examples of the docs, run as tests: the testing guide's and the test kit's README's
// (those of the React and Vue bindings run in their packages).
import * as testing from '@sessionlayer/session-testing'
import * as vitest from 'vitest'
import { docBlocks, runDocBlock } from '../test/docBlocks'
import * as core from './index'
import * as ledger from './ledger'

for (const page of ['docs/guides/testing.md', 'packages/session-testing/README.md']) {
  for (const { line, code } of docBlocks(page)) {
    if (!code.includes("from 'vitest'") || /@sessionlayer\/session-(react|vue)/.test(code)) continue
    const it = (name: string, test: () => Promise<void>) => vitest.it(`${page}:${line}: ${name}`, test)
    await runDocBlock(code, {
      '@sessionlayer/session-core': core,
      '@sessionlayer/session-core/ledger': ledger,
      '@sessionlayer/session-testing': testing,
      vitest: { ...vitest, it },
    })
  }
}
