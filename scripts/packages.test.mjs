// Every entry of every package, ESM and CJS, imports in plain Node (as on an SSR server) without
// throwing, printing or keeping the process alive (SPEC §1).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '..')
const entries = []
for (const name of readdirSync(path.join(root, 'packages')).sort()) {
  const dir = path.join(root, 'packages', name)
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue
    entries.push({ dir, id: `${pkg.name}${key.slice(1)}`, esm: target.import.default, cjs: target.require.default })
  }
}

describe.each(entries)('$id', ({ dir, esm, cjs }) => {
  it.each([
    ['ESM', `await import(${JSON.stringify(path.join(dir, esm))})`],
    ['CJS', `require(${JSON.stringify(path.join(dir, cjs))})`],
  ])('%s: imports in Node, runs nothing and lets the process exit', (_format, code) => {
    expect(existsSync(path.join(dir, esm)), 'built (pnpm test builds first)').toBe(true)
    const script = code.startsWith('await') ? ['--input-type=module', '-e', `${code}; console.log('ok')`] : ['-e', `${code}; console.log('ok')`]
    const run = spawnSync(process.execPath, script, { cwd: dir, encoding: 'utf8', timeout: 15_000 })
    expect(run.error).toBeUndefined()
    expect(run.stderr).toBe('')
    expect(run.stdout.trim()).toBe('ok')
    expect(run.status).toBe(0)
  })
})

describe("'use client'", () => {
  const dist = path.join(root, 'packages', 'session-react', 'dist')
  const files = existsSync(dist) ? readdirSync(dist).filter((f) => /\.c?js$/.test(f)) : []
  it('the React bindings keep the directive at the top of every built file (SPEC §4)', () => {
    expect(files.length, 'built (pnpm test builds first)').toBeGreaterThanOrEqual(4)
    for (const file of files) expect(readFileSync(path.join(dist, file), 'utf8').startsWith("'use client';"), file).toBe(true)
  })
})

describe('one SessionError class', () => {
  const dir = path.join(root, 'packages', 'session-core')
  // `./ledger` rejects with SessionError (4900 when not connected): it must be the class `.` exports,
  // or `instanceof SessionError` fails for the app. Two entries that each bundle their own copy of a
  // module hold two classes.
  const script = (load) => `${load}
const store = core.createSessionStore({ request: async () => null, on() {}, removeListener() {} }, { storage: core.createMemoryStorage() })
ledger.createLedgerFetch(store)('/v2/state/ledger-end').then(
  () => console.log('resolved'),
  (error) => console.log(error instanceof core.SessionError, error.code),
).finally(() => store.destroy())`
  it.each([
    ['ESM', ['--input-type=module', '-e', script(`const core = await import(${JSON.stringify(path.join(dir, 'dist/index.js'))}); const ledger = await import(${JSON.stringify(path.join(dir, 'dist/ledger.js'))})`)]],
    ['CJS', ['-e', script(`const core = require(${JSON.stringify(path.join(dir, 'dist/index.cjs'))}); const ledger = require(${JSON.stringify(path.join(dir, 'dist/ledger.cjs'))})`)]],
  ])('%s: what @sessionlayer/session-core/ledger throws is an instance of the SessionError of @sessionlayer/session-core', (_format, args) => {
    const run = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 15_000 })
    expect(run.stderr).toBe('')
    expect(run.stdout.trim()).toBe('true 4900')
  })
})

describe('what the built files import', () => {
  // A user installs a package with its dependencies and peer dependencies only: a built file (code
  // or declarations) that imports anything else (a devDependency such as the official Canton
  // packages, a Node built-in) fails to resolve for them, or fails to type-check with
  // `skipLibCheck: false`. (The consumer type test cannot see it: TypeScript follows the links
  // into the workspace, where the devDependencies are installed.)
  const packages = readdirSync(path.join(root, 'packages')).sort()
  it.each(packages)('%s: every module a file of dist imports is a dependency or peer dependency', (name) => {
    const dir = path.join(root, 'packages', name)
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    const allowed = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])
    const files = readdirSync(path.join(dir, 'dist')).filter((f) => /\.(c?js|d\.c?ts)$/.test(f))
    expect(files.length, 'built (pnpm test builds first)').toBeGreaterThanOrEqual(4)
    const imported = new Set()
    for (const file of files) {
      const code = readFileSync(path.join(dir, 'dist', file), 'utf8').replace(/\/\*[^]*?\*\/|^\s*\/\/.*$/gm, '')
      for (const [, spec] of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\(\s*)['"]([^'"]+)['"]/g)) {
        if (!spec.startsWith('.')) imported.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'))
      }
    }
    expect([...imported].filter((name) => !allowed.has(name))).toEqual([])
  })
})

describe('the licence', () => {
  const text = readFileSync(path.join(root, 'LICENSE'), 'utf8')
  const packages = readdirSync(path.join(root, 'packages')).sort()

  it('is the Apache License 2.0 that every package.json declares', () => {
    expect(text).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/)
    expect(text).toContain('END OF TERMS AND CONDITIONS')
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).license).toBe('Apache-2.0')
  })

  it.each(packages)('ships in %s, whose package.json says Apache-2.0 (npm packs a package-level LICENSE)', (name) => {
    const dir = path.join(root, 'packages', name)
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    expect(pkg.license).toBe('Apache-2.0')
    if (pkg.private) return
    expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toBe(text)
  })
})

describe('what `pnpm pack` publishes', () => {
  // What an app installs is the tarball, not the workspace: pnpm rewrites the `workspace:` ranges
  // on pack, and `files` decides what ships. Inside the repository, workspace links hide both (an
  // app in the workspace resolves every package, whatever the published manifest says).
  const packages = readdirSync(path.join(root, 'packages'))
    .sort()
    .map((name) => ({ name, dir: path.join(root, 'packages', name), pkg: JSON.parse(readFileSync(path.join(root, 'packages', name, 'package.json'), 'utf8')) }))
    .filter(({ pkg }) => !pkg.private)
  const versions = Object.fromEntries(packages.map(({ pkg }) => [pkg.name, pkg.version]))
  const out = mkdtempSync(path.join(tmpdir(), 'sessionlayer-pack-'))
  afterAll(() => rmSync(out, { recursive: true, force: true }))

  /** Whether `version` is in `range`, of the forms pnpm writes for `workspace:` ranges: `^x.y.z`, `>=x.y.z <N`. */
  function satisfies(version, range) {
    const parse = (v) => v.split('.').map(Number)
    const compare = (a, b) => a.map((n, i) => n - b[i]).find((d) => d !== 0) ?? 0
    const current = parse(version)
    const caret = /^\^(\d+\.\d+\.\d+)$/.exec(range)
    if (caret) {
      const floor = parse(caret[1])
      // ^0.y.z keeps the minor, ^x.y.z (x > 0) the major
      return compare(current, floor) >= 0 && (floor[0] > 0 ? current[0] === floor[0] : current[1] === floor[1] && current[0] === 0)
    }
    const between = /^>=(\d+\.\d+\.\d+)\s+<(\d+)$/.exec(range)
    if (between) return compare(current, parse(between[1])) >= 0 && current[0] < Number(between[2])
    return false
  }

  /** Packs `dir` as a release does; returns the files of the tarball and its package.json. */
  function pack(dir) {
    const packed = spawnSync('pnpm', ['pack', '--pack-destination', out, '--json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 })
    expect(packed.status, packed.stderr).toBe(0)
    const { filename, files } = JSON.parse(packed.stdout)
    const manifest = spawnSync('tar', ['-xzOf', filename, 'package/package.json'], { encoding: 'utf8' })
    expect(manifest.status, manifest.stderr).toBe(0)
    return { files: files.map((file) => file.path).sort(), manifest: JSON.parse(manifest.stdout) }
  }

  it.each(packages.map(({ name, dir, pkg }) => [name, dir, pkg]))('%s: no workspace: range, the packages of the workspace at their versions, and only the built files, the README and the licence', (_name, dir, pkg) => {
    const { files, manifest } = pack(dir)
    expect(manifest.version).toBe(pkg.version)
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
        expect(range, `${field}.${dependency}`).not.toMatch(/^workspace:/)
        // a package of the workspace: a range its version in the workspace satisfies
        if (dependency in versions) expect(satisfies(versions[dependency], range), `${field}.${dependency}: ${range} leaves out ${versions[dependency]}`).toBe(true)
      }
    }
    expect(files.filter((file) => !['LICENSE', 'README.md', 'package.json'].includes(file) && !/^dist\/[\w-]+\.(c?js|d\.c?ts)$/.test(file))).toEqual([])
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']))
    // every entry point of the manifest is in the tarball
    const leaves = (value) => (typeof value === 'string' ? [value] : Object.values(value).flatMap(leaves))
    const targets = [manifest.main, manifest.module, manifest.types, ...leaves(manifest.exports), ...leaves(manifest.typesVersions ?? {})]
    for (const target of targets.filter((target) => target !== './package.json')) expect(files, target).toContain(path.posix.normalize(target))
    expect(manifest.sideEffects).toBe(false)
  })
})
