// @vitest-environment jsdom
// The React component examples of the docs, run as tests from the page text: the testing guide's
// and the test kit's README's (their other Vitest examples run in session-core).
import * as core from '@sessionlayer/session-core'
import * as testing from '@sessionlayer/session-testing'
import * as testingLibrary from '@testing-library/react'
import * as react from 'react'
import * as jsxRuntime from 'react/jsx-runtime'
import * as vitest from 'vitest'
import { docBlocks, runDocBlock } from '../../session-core/test/docBlocks'
import * as bindings from '../src/index'

for (const page of ['docs/guides/testing.md', 'packages/session-testing/README.md']) {
  for (const { line, lang, code } of docBlocks(page)) {
    if (!code.includes("from 'vitest'") || !code.includes("from '@sessionlayer/session-react'")) continue
    const it = (name: string, test: () => Promise<void>) => vitest.it(`${page}:${line}: ${name}`, test)
    await runDocBlock(
      code,
      {
        '@sessionlayer/session-core': core,
        '@sessionlayer/session-react': bindings,
        '@sessionlayer/session-testing': testing,
        '@testing-library/react': testingLibrary,
        react,
        'react/jsx-runtime': jsxRuntime,
        vitest: { ...vitest, it },
      },
      {},
      lang,
    )
  }
}
