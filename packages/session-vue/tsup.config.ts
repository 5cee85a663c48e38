import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', query: 'src/query.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // Rollup's pass merges the imports of each module (smaller output).
  treeshake: true,
  sourcemap: false,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
})
