import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'packages/session-react/vitest.react18.config.ts', 'packages/session-react/vitest.query50.config.ts', 'packages/session-vue/vitest.vue33.config.ts', 'scripts/vitest.config.ts', 'examples/*/vitest.config.ts', 'bench/vitest.config.ts'],
  },
})
