#!/usr/bin/env node
// Runs a vitest suite with a JSON report next to the console output and prints the counts as
// the last line: `N passed, N failed`. `--e2e` runs the real-browser suite instead of the unit
// suite. Exit code is vitest's.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const e2e = process.argv.includes('--e2e')
const extra = process.argv.slice(2).filter((a) => a !== '--e2e')
const report = path.join(root, '.reports', e2e ? 'e2e.json' : 'unit.json')
mkdirSync(path.dirname(report), { recursive: true })
const vitest = path.join(root, 'node_modules', '.bin', 'vitest')
const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]
if (e2e) args.push('--config', 'e2e/vitest.config.ts')
const run = spawnSync(vitest, [...args, ...extra], { cwd: root, stdio: 'inherit' })
let passed = 0
let failed = 0
try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed = json.numPassedTests
  // a suite that failed to load has no tests; count it as one failure so it cannot pass silently
  failed = json.numFailedTests + json.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length
} catch {
  failed = Math.max(failed, 1)
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(run.status ?? 1)
