import { readdir, readFile, writeFile } from 'node:fs/promises'
import { defineConfig } from 'tsup'

const USE_CLIENT = "'use client';"

export default defineConfig({
  entry: { index: 'src/index.ts', query: 'src/query.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // One shared chunk in both formats: `./query` must see the same React context as `.`.
  splitting: true,
  // Rollup's pass merges the imports of each module (smaller output).
  treeshake: true,
  sourcemap: false,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  // The directive goes on top of every output file once bundling is done (a banner would be
  // dropped by the tree-shaking pass, and split CommonJS files are rewritten after banners).
  async onSuccess() {
    for (const file of await readdir('dist')) {
      if (!/\.c?js$/.test(file)) continue
      const code = await readFile(`dist/${file}`, 'utf8')
      if (!code.startsWith(USE_CLIENT)) await writeFile(`dist/${file}`, `${USE_CLIENT}\n${code}`)
    }
  },
})
