import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.mjs'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'react-dapp',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
