import { defineProject } from 'vitest/config'
import { workspaceAliases } from '../../vitest.shared.mjs'
import { VUE_33_ENTRIES, VUE_33_VERSION, VUE_QUERY_5_ENTRY } from './test/vue33.ts'

// The same tests as vitest.config.ts, against the oldest versions of the peer ranges:
// Vue 3.3 (`vue >= 3.3`) and TanStack Vue Query 5.0 (`@tanstack/vue-query ^5`).
export default defineProject({
  resolve: {
    alias: [
      ...workspaceAliases,
      ...Object.entries({ ...VUE_33_ENTRIES, '@tanstack/vue-query': VUE_QUERY_5_ENTRY }).map(([id, file]) => ({ find: new RegExp(`^${id}$`), replacement: file })),
    ],
  },
  test: {
    name: 'session-vue (vue 3.3, vue-query 5.0)',
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/vue33.setup.ts'],
    // The versions test/versions.test.ts expects
    provide: { vue: VUE_33_VERSION, vueQuery: VUE_QUERY_5_ENTRY },
    // Transformed by Vite, so that their `vue` imports follow the aliases above.
    server: { deps: { inline: [/@vue\/test-utils/, /@tanstack\/vue-query/, /vue-demi/] } },
  },
})
