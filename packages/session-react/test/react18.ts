import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/**
 * The React entry points of the React 18 test project, each mapped to its file in the `react-18`
 * / `react-dom-18` aliases (`npm:react@18.3.1`, `npm:react-dom@18.3.1`).
 */
export const REACT_18_ENTRIES: Readonly<Record<string, string>> = Object.fromEntries(
  ['react', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-dom', 'react-dom/client', 'react-dom/server', 'react-dom/test-utils'].map(
    (id) => [id, require.resolve(id.replace(/^react(-dom)?/, (name) => `${name}-18`))],
  ),
)
