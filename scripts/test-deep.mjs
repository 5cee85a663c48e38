#!/usr/bin/env node
// `pnpm test:deep`: the reliability suite at full budget — the model-based test over
// SESSIONLAYER_MODEL_RUNS sequences (default 10,000, a fresh seed unless SESSIONLAYER_MODEL_SEED
// is set) and every fuzz test at SESSIONLAYER_FUZZ_RUNS inputs (default 20,000). The model prints
// the count, the seed, what it exercised and any shrunk counterexample; replay one with
// `SESSIONLAYER_MODEL_SEED=<seed> pnpm test:deep`.
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const env = {
  ...process.env,
  SESSIONLAYER_MODEL_DEEP: '1',
  SESSIONLAYER_MODEL_RUNS: process.env.SESSIONLAYER_MODEL_RUNS ?? '10000',
  SESSIONLAYER_FUZZ_RUNS: process.env.SESSIONLAYER_FUZZ_RUNS ?? '20000',
}
const vitest = path.join(root, 'node_modules', '.bin', 'vitest')
const files = ['packages/session-core/test/reliability/', 'fuzz.test.ts']
const run = spawnSync(vitest, ['run', '--testTimeout=1800000', '--project', 'session-core', '--project', 'session-crypto', '--project', 'session-sync', ...files], {
  cwd: root,
  stdio: 'inherit',
  env,
})
process.exit(run.status ?? 1)
