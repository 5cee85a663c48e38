// The gates must bite: a wrong-way import, a changed public API and an exceeded size budget
// each turn CI red. These tests change a temporary copy and watch the gate fail.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runApiExtractor } from './api.mjs'
import { checkLayers } from './check-layers.mjs'

const root = path.resolve(import.meta.dirname, '..')
const temps = []
const temp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sessionlayer-gate-'))
  temps.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const copyPackages = () => {
  const dir = temp()
  cpSync(path.join(root, 'packages'), path.join(dir, 'packages'), {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist|temp)$/.test(src),
  })
  return dir
}

describe('layering gate', () => {
  it('holds on the repository as it is', () => {
    expect(checkLayers(root)).toEqual([])
  })

  it('fails on a wrong-way source import', () => {
    const dir = copyPackages()
    writeFileSync(path.join(dir, 'packages/session-crypto/src/wrong.ts'), "import { SessionError } from '@sessionlayer/session-core'\nexport const e = SessionError\n")
    writeFileSync(path.join(dir, 'packages/session-core/src/wrong.ts'), "export * from '@sessionlayer/session-react'\n")
    writeFileSync(path.join(dir, 'packages/session-sync/src/wrong.ts'), "export const load = () => import('../../session-crypto/src/index')\n")
    expect(checkLayers(dir)).toEqual(
      expect.arrayContaining([
        'packages/session-crypto/src/wrong.ts: imports @sessionlayer/session-core',
        'packages/session-core/src/wrong.ts: imports @sessionlayer/session-react',
        'packages/session-sync/src/wrong.ts: reaches outside its package with ../../session-crypto/src/index',
      ]),
    )
  })

  it('fails on a wrong-way dependency in package.json, and lets tests use the test kit', () => {
    const dir = copyPackages()
    const manifest = path.join(dir, 'packages/session-sync/package.json')
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
    pkg.dependencies = { '@sessionlayer/session-core': 'workspace:^' }
    writeFileSync(manifest, JSON.stringify(pkg))
    writeFileSync(path.join(dir, 'packages/session-core/src/kit.test.ts'), "import { createChannelHub } from '@sessionlayer/session-testing'\n")
    expect(checkLayers(dir)).toEqual(['packages/session-sync/package.json: dependencies names @sessionlayer/session-core'])
  })

  it('the CLI exits non-zero on a violation', () => {
    const dir = copyPackages()
    mkdirSync(path.join(dir, 'scripts'))
    cpSync(path.join(root, 'scripts/check-layers.mjs'), path.join(dir, 'scripts/check-layers.mjs'))
    writeFileSync(path.join(dir, 'packages/session-sync/src/wrong.ts'), "import '@sessionlayer/session-core'\n")
    const run = spawnSync(process.execPath, [path.join(dir, 'scripts/check-layers.mjs')], { encoding: 'utf8' })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('packages/session-sync/src/wrong.ts: imports @sessionlayer/session-core')
  })
})

describe('API report gate', () => {
  const copySync = () => {
    const dir = temp()
    for (const part of ['package.json', 'dist', 'etc']) cpSync(path.join(root, 'packages/session-sync', part), path.join(dir, part), { recursive: true })
    return dir
  }

  it('passes on the built package against its committed report', () => {
    const dir = copySync()
    const results = runApiExtractor(dir, 'check', { quiet: true })
    expect(results.map((r) => [r.entry, r.succeeded, r.changed])).toEqual([['.', true, false]])
  })

  it('fails when an exported signature changes without a report update', () => {
    const dir = copySync()
    const dts = path.join(dir, 'dist/index.d.ts')
    const before = readFileSync(dts, 'utf8')
    const after = before.replace(/\): string;/, '): number;')
    expect(after).not.toBe(before)
    writeFileSync(dts, after)
    const [result] = runApiExtractor(dir, 'check', { quiet: true })
    expect(result.changed || !result.succeeded).toBe(true)
  })

  it('fails when an export loses its release tag', () => {
    const dir = copySync()
    const dts = path.join(dir, 'dist/index.d.ts')
    writeFileSync(dts, readFileSync(dts, 'utf8').replaceAll('@public', ''))
    const [result] = runApiExtractor(dir, 'check', { quiet: true })
    expect(result.succeeded).toBe(false)
  })
})

describe('size budget gate', () => {
  it('fails when a budget is exceeded', () => {
    const dir = temp()
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ devDependencies: { '@size-limit/esbuild': '*', '@size-limit/file': '*' } }))
    const budgets = JSON.parse(readFileSync(path.join(root, '.size-limit.json'), 'utf8')).map((entry) => ({
      ...entry,
      path: path.join(root, entry.path),
      limit: '10 B',
    }))
    writeFileSync(path.join(dir, '.size-limit.json'), JSON.stringify(budgets))
    const run = spawnSync(path.join(root, 'node_modules/.bin/size-limit'), [], { cwd: dir, encoding: 'utf8' })
    expect(run.status).not.toBe(0)
    expect(run.stdout + run.stderr).toContain('exceeded')
  })
})
