#!/usr/bin/env node
// Package correctness for every published package: publint (exports, files, fields) and
// @arethetypeswrong/cli (types resolve for ESM and CJS consumers under node10, node16 and bundlers:
// `typesVersions` maps the subpath entries for TypeScript's older `moduleResolution: node`).
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const attw = path.join(root, 'node_modules', '.bin', 'attw')
let failures = 0
for (const name of readdirSync(path.join(root, 'packages')).sort()) {
  const dir = path.join(root, 'packages', name)
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
  if (pkg.private) continue
  const { messages } = await publint({ pkgDir: dir, level: 'suggestion', strict: true })
  for (const m of messages) console.log(`publint ${pkg.name}: [${m.type}] ${formatMessage(m, pkg)}`)
  const bad = messages.filter((m) => m.type !== 'suggestion')
  try {
    execFileSync(attw, ['--pack', '.', '--format', 'table-flipped'], { cwd: dir, stdio: 'pipe' })
    console.log(`attw    ${pkg.name}: ok`)
  } catch (error) {
    console.log(`attw    ${pkg.name}: FAILED\n${error.stdout?.toString() ?? ''}${error.stderr?.toString() ?? ''}`)
    failures++
  }
  if (bad.length > 0) failures++
}
if (failures > 0) {
  console.error(`${failures} package check(s) failed`)
  process.exit(1)
}
console.log('package checks ok')
