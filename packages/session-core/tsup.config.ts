import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', ledger: 'src/ledger.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // Shared modules go to one chunk in both formats: `./ledger` must throw the same `SessionError`
  // class as `.`, so that `instanceof` holds for CommonJS consumers too.
  splitting: true,
  sourcemap: false,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
})
