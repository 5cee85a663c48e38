#!/usr/bin/env node
// Enforces the package layering of SPEC §1: crypto and sync are leaves, core composes them, the
// bindings and the test kit sit on core. A wrong-way import (in source or in package.json) fails.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

/** Which workspace packages each package's published code may import. */
export const ALLOWED = {
  'session-crypto': [],
  'session-sync': [],
  'session-core': ['session-crypto', 'session-sync'],
  'session-react': ['session-core'],
  'session-vue': ['session-core'],
  'session-testing': ['session-core'],
}

/** Test files may also use the test kit. */
const TEST_ONLY = ['session-testing']

const IMPORT_RE =
  /(?:\bimport\s*(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?|\bexport\s+(?:type\s+)?[\w*{}\s,$]+\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g

const isTest = (file) => /\.test\.[cm]?[jt]sx?$|[\\/]test[\\/]/.test(file)

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name)
    if (statSync(file).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') yield* walk(file)
    } else if (/\.[cm]?[jt]sx?$|\.vue$/.test(name)) yield file
  }
}

/**
 * Lists every layering violation under `root/packages`.
 * @param {string} root repository root
 * @returns {string[]} human-readable violations, empty when the layering holds
 */
export function checkLayers(root) {
  const violations = []
  const pkgsDir = path.join(root, 'packages')
  for (const pkg of readdirSync(pkgsDir)) {
    const allowed = ALLOWED[pkg]
    if (!allowed) {
      violations.push(`packages/${pkg}: not in the layering table of scripts/check-layers.mjs`)
      continue
    }
    const manifest = JSON.parse(readFileSync(path.join(pkgsDir, pkg, 'package.json'), 'utf8'))
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dep of Object.keys(manifest[field] ?? {})) {
        const m = /^@sessionlayer\/(.+)$/.exec(dep)
        if (m && !allowed.includes(m[1])) violations.push(`packages/${pkg}/package.json: ${field} names ${dep}`)
      }
    }
    for (const file of walk(path.join(pkgsDir, pkg, 'src'))) {
      const text = readFileSync(file, 'utf8')
      const rel = path.relative(root, file)
      const ok = isTest(file) ? [...allowed, ...TEST_ONLY] : allowed
      for (const [, spec] of text.matchAll(IMPORT_RE)) {
        const ws = /^@sessionlayer\/([^/]+)/.exec(spec)
        if (ws && ws[1] !== pkg && !ok.includes(ws[1])) violations.push(`${rel}: imports ${spec}`)
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec)
          if (!target.startsWith(path.join(pkgsDir, pkg) + path.sep)) violations.push(`${rel}: reaches outside its package with ${spec}`)
        }
      }
    }
  }
  return violations
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname
if (isMain) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
  const violations = checkLayers(root)
  if (violations.length > 0) {
    console.error('Layering violations (see SPEC §1):\n' + violations.map((v) => `  ${v}`).join('\n'))
    process.exit(1)
  }
  console.log('layering ok')
}
