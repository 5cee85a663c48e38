#!/usr/bin/env node
// The API reference of docs/api/, generated from the api-extractor doc models with
// `api-documenter markdown`. The CLI builds the packages (turbo, cached), runs api-extractor over
// every entry point ('check' mode, quiet: the API report gate is `pnpm api:check`) so that each
// package's temp/<report>.api.json is current, gathers those models and renders them into
// docs/api/. `--check` renders into a temporary folder and exits 1 when docs/api/ differs.
//
// api-documenter knows one entry point per package, so a subpath entry (session-core/ledger,
// session-react/query, session-vue/query) is given a package of its own, named
// `<package>-<subpath>` in the model (a valid package name, and the name of its report), and is
// shown as `<package>/<subpath>` on the pages. References from a subpath to the types of its main
// entry point link to the main entry point's pages.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runApiExtractor } from './api.mjs'

const ROOT = path.resolve(import.meta.dirname, '..')

/** The entry points of a package: `[exportKey, reportName, sourceFile]`. */
function entries(pkgDir) {
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
  const unscoped = pkg.name.replace(/^@[^/]+\//, '')
  return Object.entries(pkg.exports)
    .filter(([, target]) => typeof target !== 'string')
    .map(([key]) => {
      const sub = key === '.' ? '' : key.slice(2).replaceAll('/', '-')
      return { key, sub, report: sub ? `${unscoped}-${sub}` : unscoped, source: path.join(pkgDir, 'src', `${sub || 'index'}.ts`), name: pkg.name }
    })
}

/** The `@packageDocumentation` comment of an entry's source file, or '' when it has none. */
function packageDocumentation(source) {
  if (!existsSync(source)) return ''
  const match = /\/\*\*(?:(?!\*\/)[^])*@packageDocumentation(?:(?!\*\/)[^])*\*\//.exec(readFileSync(source, 'utf8'))
  return match ? match[0] : ''
}

/**
 * Adds a remarks paragraph naming what an entry re-exports from other packages (api-extractor
 * leaves such symbols out of the doc model), with links to their pages.
 * @param {string} comment the entry's `@packageDocumentation` comment
 * @param {string} report the entry's API report (`temp/<report>.api.md`)
 */
function withReexports(comment, report) {
  const from = new Map([...report.matchAll(/^import \{ (\w+) \} from '([^']+)';$/gm)].map((m) => [m[1], m[2]]))
  const names = [...report.matchAll(/^export \{ (\w+) \}$/gm)].map((m) => m[1]).filter((name) => from.has(name))
  if (!comment || names.length === 0) return comment
  const links = names.map((name) => `{@link ${from.get(name)}#${name} | ${name}} (from \`${from.get(name)}\`)`)
  return comment.replace(/^(\s*\*\s*)@packageDocumentation/m, `$1@remarks\n *\n * Also exported here: ${links.join(', ')}.\n *\n$1@packageDocumentation`)
}

/** Rewrites a subpath model into a package of its own (see the header). */
function asOwnPackage(model, mainModel, entry) {
  const pkg = entry.name
  const own = `${pkg}-${entry.sub}`
  const main = new Set(mainModel.members[0].members.map((m) => m.canonicalReference))
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk)
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'canonicalReference' && typeof v === 'string' && v.startsWith(`${pkg}!`)) {
          const rest = v.slice(pkg.length + 1)
          // `~Name`: not exported by this entry; when the main entry exports it, link there.
          node[k] = rest.startsWith('~') && main.has(`${pkg}!${rest.slice(1)}`) ? `${pkg}!${rest.slice(1)}` : `${own}!${rest}`
        } else walk(v)
      }
    }
  }
  walk(model)
  model.name = own
  return model
}

/**
 * Runs api-extractor over every entry point of every package under `packagesDir` (the packages
 * must be built) and gathers the doc models into `modelsDir`.
 * @param {string} packagesDir e.g. `<root>/packages`
 * @param {string} modelsDir the folder to write the `.api.json` files to
 */
export function extractModels(packagesDir, modelsDir) {
  mkdirSync(modelsDir, { recursive: true })
  for (const dir of readdirSync(packagesDir).sort()) {
    const pkgDir = path.join(packagesDir, dir)
    if (!existsSync(path.join(pkgDir, 'package.json'))) continue
    const results = runApiExtractor(pkgDir, 'check', { quiet: true })
    const all = entries(pkgDir)
    const read = (entry) => JSON.parse(readFileSync(path.join(pkgDir, 'temp', `${entry.report}.api.json`), 'utf8'))
    const mainEntry = all.find((e) => !e.sub)
    for (const entry of all) {
      const file = path.join(pkgDir, 'temp', `${entry.report}.api.json`)
      if (!existsSync(file)) throw new Error(`${entry.name} ${entry.key}: api-extractor wrote no doc model (${JSON.stringify(results)})`)
      let model = read(entry)
      if (entry.sub && mainEntry) model = asOwnPackage(model, read(mainEntry), entry)
      const report = readFileSync(path.join(pkgDir, 'temp', `${entry.report}.api.md`), 'utf8')
      model.docComment = withReexports(model.docComment || packageDocumentation(entry.source), report)
      writeFileSync(path.join(modelsDir, `${entry.report}.api.json`), `${JSON.stringify(model, null, 2)}\n`)
    }
  }
}

/** `[model name, shown name]` of the subpath packages (`@x/core-ledger` → `@x/core/ledger`). */
function subpathNames(modelsDir) {
  const names = readdirSync(modelsDir).map((file) => JSON.parse(readFileSync(path.join(modelsDir, file), 'utf8')).name)
  return names.flatMap((name) => {
    const main = names.find((other) => other !== name && name.startsWith(`${other}-`))
    return main ? [[name, `${main}/${name.slice(main.length + 1)}`]] : []
  })
}

/**
 * Renders the doc models of `modelsDir` into Markdown pages in `outDir` (emptied first).
 * @param {string} modelsDir the `.api.json` files
 * @param {string} outDir the folder of the pages
 * @param {string} root the repository root (where api-documenter is installed)
 */
export function renderApiDocs(modelsDir, outDir, root = ROOT) {
  const bin = path.join(root, 'node_modules', '.bin', 'api-documenter')
  const run = spawnSync(bin, ['markdown', '-i', modelsDir, '-o', outDir], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`api-documenter failed:\n${run.stdout}\n${run.stderr}`)
  const names = subpathNames(modelsDir)
  for (const file of readdirSync(outDir)) {
    const page = path.join(outDir, file)
    let text = readFileSync(page, 'utf8')
    for (const [model, shown] of names) {
      const unscoped = (n) => n.replace(/^@[^/]+\//, '')
      text = text.replaceAll(`## ${unscoped(model)} package`, `## ${unscoped(shown)} entry point`).replaceAll(model, shown)
    }
    writeFileSync(page, text)
  }
}

/** Every file under `dir`, relative, sorted. */
function files(dir) {
  if (!existsSync(dir)) return []
  const out = []
  const walk = (sub) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = path.join(sub, name)
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel)
      else out.push(rel)
    }
  }
  walk('')
  return out.sort()
}

/**
 * The differences between two folders.
 * @param {string} expected the freshly generated pages
 * @param {string} actual the committed pages
 * @returns {string[]} one line per missing, extra or changed file
 */
export function diffDirs(expected, actual) {
  const want = files(expected)
  const have = new Set(files(actual))
  const out = []
  for (const file of want) {
    if (!have.has(file)) out.push(`missing: ${file}`)
    else if (readFileSync(path.join(expected, file), 'utf8') !== readFileSync(path.join(actual, file), 'utf8')) out.push(`stale: ${file}`)
    have.delete(file)
  }
  for (const file of have) out.push(`extra: ${file}`)
  return out
}

/**
 * Renders the models into a temporary folder and compares with `docsDir`.
 * @param {string} modelsDir the `.api.json` files
 * @param {string} docsDir the committed pages
 * @param {string} root the repository root
 * @returns {string[]} the differences (empty when current)
 */
export function checkApiDocs(modelsDir, docsDir, root = ROOT) {
  const out = mkdtempSync(path.join(tmpdir(), 'sessionlayer-docs-api-'))
  try {
    renderApiDocs(modelsDir, out, root)
    return diffDirs(out, docsDir)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename
if (isMain) {
  // --packages <folder> and --docs <folder> override the defaults (the tests use them);
  // --no-build skips the build.
  const arg = (name) => (process.argv.includes(name) ? path.resolve(process.argv[process.argv.indexOf(name) + 1] ?? '') : undefined)
  const check = process.argv.includes('--check')
  const packages = arg('--packages') ?? path.join(ROOT, 'packages')
  const docs = arg('--docs') ?? path.join(ROOT, 'docs', 'api')
  if (!process.argv.includes('--no-build')) {
    const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], { cwd: ROOT, stdio: 'inherit' })
    if (build.status !== 0) process.exit(build.status ?? 1)
  }
  const models = mkdtempSync(path.join(tmpdir(), 'sessionlayer-api-models-'))
  try {
    extractModels(packages, models)
    if (check) {
      const diffs = checkApiDocs(models, docs)
      if (diffs.length > 0) {
        console.error(`${path.relative(process.cwd(), docs)}/ is stale (${diffs.length} page(s)):\n  ${diffs.join('\n  ')}\nRun \`pnpm docs:update\` and commit the result.`)
        process.exitCode = 1
      } else console.log('API reference: current')
    } else {
      const out = mkdtempSync(path.join(tmpdir(), 'sessionlayer-docs-api-'))
      try {
        renderApiDocs(models, out)
        rmSync(docs, { recursive: true, force: true })
        cpSync(out, docs, { recursive: true })
      } finally {
        rmSync(out, { recursive: true, force: true })
      }
      console.log(`API reference: ${files(docs).length} pages in ${path.relative(process.cwd(), docs)}/`)
    }
  } finally {
    rmSync(models, { recursive: true, force: true })
  }
}
