import { defineConfig } from 'tsup'

/**
 * Property names of session-core's internal records only (the machine's model, inputs and
 * configuration), which the build shortens: a minifier cannot rename properties, and these are
 * read on every transition. Never a name of the public API, of a wallet payload, a tab message or
 * a builtin: `build.test.ts` checks them against every package's API report.
 */
export const INTERNAL_PROPS = ['op', 'said', 'tries', 'probed', 'snapshot', 'verb', 'failure', 'followed', 'hook', 'asked', 'saved', 'times', 'firm', 'loading', 'leaving', 'missed', 'gone', 'overtaken', 'via', 'retry', 'reauth', 'lead', 'expired', 'lost', 'reread', 'renet', 'teller', 'check', 'words', 'declined', 'ended', 'heard', 'answered', 'late', 'bound', 'vetting', 'refusal']

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
  esbuildOptions(options) {
    options.mangleProps = new RegExp(`^(${INTERNAL_PROPS.join('|')})$`)
  },
})
