import { defineProject } from 'vitest/config'
import { createRequire } from 'node:module'
import { workspaceAliases } from '../../vitest.shared.mjs'

const require = createRequire(import.meta.url)

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'session-vue',
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    // The versions test/versions.test.ts expects
    provide: { vue: (require('vue/package.json') as { version: string }).version, vueQuery: require.resolve('@tanstack/vue-query').replace(/index\.cjs$/, 'index.js') },
  },
})
