#!/usr/bin/env node
// API report gate. Run from a package folder: `node ../../scripts/api.mjs check|update`.
// One report per entry point of the package's `exports` map: etc/<name>.api.md for ".",
// etc/<name>-<subpath>.api.md for subpaths. `check` fails on any difference from the committed
// report (and on any api-extractor warning); `update` rewrites the reports.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'

/**
 * Runs api-extractor over every entry of the package in `pkgDir`.
 * @param {string} pkgDir absolute package folder
 * @param {'check' | 'update'} mode
 * @param {{ reportFolder?: string, quiet?: boolean }} [opts]
 * @returns {{ entry: string, succeeded: boolean, changed: boolean }[]}
 */
export function runApiExtractor(pkgDir, mode, opts = {}) {
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
  const unscoped = pkg.name.replace(/^@[^/]+\//, '')
  const reportFolder = opts.reportFolder ?? path.join(pkgDir, 'etc')
  mkdirSync(reportFolder, { recursive: true })
  const results = []
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue // ./package.json
    const dts = path.join(pkgDir, target.import.types)
    if (!existsSync(dts)) throw new Error(`${pkg.name}: ${target.import.types} is missing; run the build first`)
    const suffix = key === '.' ? '' : `-${key.slice(2).replaceAll('/', '-')}`
    const reportName = `${unscoped}${suffix}`
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: pkgDir,
        mainEntryPointFilePath: dts,
        bundledPackages: [],
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              target: 'ES2022',
              module: 'ESNext',
              moduleResolution: 'Bundler',
              lib: ['ES2022', 'DOM', 'DOM.Iterable'],
              strict: true,
              skipLibCheck: true,
              types: [],
            },
            files: [dts],
          },
        },
        apiReport: {
          enabled: true,
          reportFileName: `${reportName}.api.md`,
          reportFolder,
          reportTempFolder: path.join(pkgDir, 'temp'),
          includeForgottenExports: false,
        },
        docModel: { enabled: true, apiJsonFilePath: path.join(pkgDir, 'temp', `${reportName}.api.json`) },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: 'lf',
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          extractorMessageReporting: {
            default: { logLevel: 'warning' },
            'ae-missing-release-tag': { logLevel: 'error', addToApiReportFile: false },
            // A subpath entry may use types its package's main entry exports (and reports);
            // such references are listed in the subpath's report instead of failing.
            'ae-forgotten-export': key === '.' ? { logLevel: 'error', addToApiReportFile: false } : { logLevel: 'warning', addToApiReportFile: true },
            'ae-internal-missing-underscore': { logLevel: 'none', addToApiReportFile: false },
          },
          tsdocMessageReporting: { default: { logLevel: 'warning' } },
        },
      },
      configObjectFullPath: path.join(pkgDir, 'api-extractor.json'),
      packageJsonFullPath: path.join(pkgDir, 'package.json'),
    })
    const result = Extractor.invoke(config, {
      localBuild: mode === 'update',
      showVerboseMessages: false,
      messageCallback: opts.quiet
        ? (message) => {
            message.handled = true
          }
        : undefined,
    })
    results.push({ entry: key, succeeded: result.succeeded, changed: result.apiReportChanged })
  }
  return results
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname
if (isMain) {
  const mode = process.argv[2]
  if (mode !== 'check' && mode !== 'update') {
    console.error('usage: api.mjs check|update')
    process.exit(2)
  }
  const results = runApiExtractor(process.cwd(), mode)
  const failed = results.filter((r) => !r.succeeded || (mode === 'check' && r.changed))
  for (const r of results) console.log(`${r.succeeded && !(mode === 'check' && r.changed) ? 'ok  ' : 'FAIL'} ${r.entry}`)
  if (failed.length > 0) {
    console.error(
      mode === 'check'
        ? 'The public API differs from the committed report. If the change is deliberate, run `pnpm api:update`, commit etc/*.api.md and add a changeset.'
        : 'api-extractor reported errors.',
    )
    process.exit(1)
  }
}
