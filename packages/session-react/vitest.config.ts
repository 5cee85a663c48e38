import { configDefaults, defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.mjs'

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'session-react',
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    // the check that vitest.query50.config.ts runs on TanStack Query 5.0: its own
    exclude: [...configDefaults.exclude, 'test/query50.test.ts'],
    setupFiles: ['./test/setup.ts'],
  },
})
