#!/usr/bin/env node
// `pnpm screenshots`: builds the packages and the examples, then walks the React and Vue examples
// through their story in headless Chromium and writes one PNG per step to examples/artifacts/
// (the images the examples' READMEs show). A normal `pnpm e2e` run writes them to a scratch folder.
import { execFileSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
execFileSync(process.execPath, ['scripts/demo.mjs', '--build-only'], { cwd: root, stdio: 'inherit' })
execFileSync(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', '--config', 'e2e/vitest.config.ts', 'e2e/screenshots.e2e.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SESSIONLAYER_SCREENSHOTS: '1' },
})
console.log(`\n  Screenshots written to ${path.join('examples', 'artifacts')}/\n`)
