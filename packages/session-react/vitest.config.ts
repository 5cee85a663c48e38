import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.mjs'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'session-react',
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/setup.ts'],
  },
})
