import { configDefaults, defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.mjs'
import { REACT_18_ENTRIES } from './test/react18.ts'

// The same tests as vitest.config.ts, against React 18 (peer range `react >= 18`).
export default defineProject({
  resolve: {
    alias: [
      ...workspaceAliases,
      ...Object.entries(REACT_18_ENTRIES).map(([id, file]) => ({ find: new RegExp(`^${id}$`), replacement: file })),
    ],
  },
  test: {
    name: 'session-react (react 18)',
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    // the check that vitest.query50.config.ts runs on TanStack Query 5.0: its own
    exclude: [...configDefaults.exclude, 'test/query50.test.ts'],
    setupFiles: ['./test/react18.setup.ts', './test/setup.ts'],
    // Transformed by Vite, so that their `react` imports follow the aliases above.
    server: { deps: { inline: [/@testing-library\/react/, /@tanstack\/react-query/] } },
  },
})
