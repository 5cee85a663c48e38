import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.mjs'
import { REACT_QUERY_50 } from './test/query50.ts'
import { REACT_18_ENTRIES } from './test/react18.ts'

// The tests of the `/query` entry against the oldest TanStack Query 5 (peer range `@tanstack/react-query ^5`),
// with the React it supports (`react ^18`).
export default defineProject({
  resolve: {
    alias: [
      ...workspaceAliases,
      ...Object.entries({ ...REACT_18_ENTRIES, ...REACT_QUERY_50 }).map(([id, file]) => ({ find: new RegExp(`^${id}$`), replacement: file })),
    ],
  },
  test: {
    name: 'session-react (react-query 5.0)',
    environment: 'node',
    include: ['src/query.test.ts', 'src/useSessionQueryInvalidation*.test.tsx', 'test/query50.test.ts'],
    setupFiles: ['./test/react18.setup.ts', './test/setup.ts'],
    // Transformed by Vite, so that their `react` and `@tanstack/query-core` imports follow the aliases above.
    server: { deps: { inline: [/@testing-library\/react/, /@tanstack\/(react-query|query-core)/] } },
  },
})
