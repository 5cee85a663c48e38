#!/usr/bin/env node
// Type-checks every fenced `ts` / `tsx` code block of docs/**/*.md and of the packages' READMEs
// (and the `<script setup lang="ts">` of `vue` blocks), so that the examples of the guides and of
// the npm pages cannot rot.
// Each block is written to a temporary folder as a module of its own and the lot is compiled
// with the TypeScript API: strict (with `exactOptionalPropertyTypes`, as strict apps compile),
// `jsx: react-jsx`, `moduleResolution: Bundler`. `@sessionlayer/*`
// resolve to the workspace packages (their built `dist` types, as a user gets them), and react,
// vue, @tanstack/*, @canton-network/*, @testing-library/react, @vue/test-utils, vitest and
// fake-indexeddb to the versions the workspace installs. The shared ambient prelude is docs/.snippets/prelude.d.ts. A block opts out only
// with `nocheck` in its info string (```ts nocheck), for pseudo-code. `file=<name>` in the info
// string names the module, so that the blocks of one page can import each other
// (```tsx file=app.tsx, then `import { App } from './app'`; a name may have folders, as in
// file=routes/page.tsx, which imports `../app`; a vue block's `file=components/Party.vue` names its
// script `components/Party.ts`). docs/api/ is generated from the
// packages' TSDoc and is not checked here.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ts from 'typescript'
import { linkModules } from './linkModules.mjs'

const ROOT = path.resolve(import.meta.dirname, '..')


const CHECKED = new Set(['ts', 'tsx', 'typescript'])

/** Every Markdown file under `dir` (relative paths), leaving out the generated API reference. */
function markdownFiles(dir) {
  const out = []
  const walk = (sub) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = path.join(sub, name)
      if (statSync(path.join(dir, rel)).isDirectory()) {
        if (rel !== 'api' && !name.startsWith('.')) walk(rel)
      } else if (name.endsWith('.md')) out.push(rel)
    }
  }
  walk('')
  return out
}

/**
 * The code blocks to check in one Markdown text.
 * @param {string} text the page
 * @returns {{ line: number, lang: 'ts' | 'tsx', code: string, file?: string }[]} `line`: the 1-based page line of the
 *   code's first line; `file`: the name given with `file=<name>` in the info string
 */
export function extractBlocks(text) {
  const lines = text.split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)([^`]*)$/.exec(lines[i])
    if (!open) continue
    const [, fence, lang, rest] = open
    let end = i + 1
    while (end < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[end])) end++
    const body = lines.slice(i + 1, end)
    const nocheck = /\bnocheck\b/.test(rest)
    const file = /\bfile=((?:[\w-][\w.-]*\/)*[\w-][\w.-]*)(?!\S)/.exec(rest)?.[1]
    if (CHECKED.has(lang) && !nocheck) {
      blocks.push({ line: i + 2, lang: lang === 'tsx' ? 'tsx' : 'ts', code: body.join('\n'), file })
    } else if (lang === 'vue' && !nocheck) {
      const start = body.findIndex((l) => /^<script\b[^>]*\blang="ts"[^>]*>\s*$/.test(l))
      const stop = body.findIndex((l, j) => j > start && /^<\/script>\s*$/.test(l))
      // `file=components/Party.vue` names its script `components/Party.ts`: it imports the page's
      // named blocks as the component imports the app's modules, and `./Other.vue` stays a component
      const named = file?.endsWith('.vue') ? { file: `${file.slice(0, -4)}.ts` } : {}
      if (start >= 0 && stop > start) blocks.push({ line: i + 2 + start + 1, lang: 'ts', code: body.slice(start + 1, stop).join('\n'), ...named })
    }
    i = end
  }
  return blocks
}


/**
 * The packages that the first code block of a README (the example a user pastes into a new project
 * first) imports, but that no install command of the page (`npm i`, `npm install`, `pnpm add`,
 * `yarn add`, in a shell block or in the text) installs: `node:` built-ins and relative imports
 * aside.
 * @param {string} text the README
 * @param {string} page its path, for the message
 * @returns {string[]} one line per package left out
 */
export function uninstalledImports(text, page) {
  const installed = installedPackages(text)
  const [first] = extractBlocks(text)
  if (!first) return []
  return [...importedPackages(first.code)]
    .filter((name) => !installed.has(name))
    .map((name) => `${page}:${first.line}: the first example imports '${name}', which no install line of the page installs`)
}

/**
 * The install commands of a page (`npm i`, `npm install`, `npm add`, `pnpm add`, `yarn add`, in a
 * shell block or in the text): the packages each names, as written (with a version), and its line.
 * @param {string} text the page
 * @returns {{ line: number, words: string[] }[]} one per command
 */
function installCommands(text) {
  return [...text.matchAll(/\b(?:npm (?:i|install|add)|pnpm add|yarn add)\b([^\n`#]*)/g)].map((match) => ({
    line: text.slice(0, match.index).split('\n').length,
    words: match[1].trim().split(/\s+/).filter((word) => word && !word.startsWith('-')),
  }))
}

/** The package names the install commands of a page install, versions left out. */
function installedPackages(text) {
  return new Set(installCommands(text).flatMap(({ words }) => words.map((word) => word.replace(/(.)@[^/]*$/, '$1'))))
}

/** The packages a block imports: `node:` built-ins, relative and `#` imports aside. */
function importedPackages(code) {
  const packages = new Set()
  for (const [, spec] of code.matchAll(/^\s*import\s[^'"]*?['"]([^'"]+)['"]/gm)) {
    if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('#')) continue
    packages.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'))
  }
  return packages
}

/**
 * The packages of this project, of the official Canton provider and of TanStack Query that a block
 * named with `file=` (a file an app copies as it is) imports, but that no install command of its
 * page installs. Only pages with an install command: one without builds on another page's app. The
 * framework's own packages (`next`, `react-router`, `vue`, …) come with the app the framework makes.
 * @param {string} text the page
 * @param {string} page its path, for the message
 * @returns {string[]} one line per package left out
 */
export function uninstalledFileImports(text, page) {
  const installed = installedPackages(text)
  if (installed.size === 0) return []
  return extractBlocks(text).flatMap((block) =>
    block.file === undefined
      ? []
      : [...importedPackages(block.code)]
          .filter((name) => /^@(?:sessionlayer|canton-network|tanstack)\//.test(name) && !installed.has(name))
          .map((name) => `${page}:${block.line}: ${block.file} imports '${name}', which no install line of the page installs`),
  )
}

/**
 * The install commands of a page that install the official Canton provider without pinning it and
 * its transport to `version`, the release the packages are tested against: left to float, the
 * transport resolves to a later release than the provider.
 * @param {string} text the page
 * @param {string} page its path, for the message
 * @param {string} version the tested release (session-core's devDependency)
 * @returns {string[]} one line per such command
 */
export function unpinnedProviderInstalls(text, page, version) {
  const pinned = [`@canton-network/core-provider-dapp@${version}`, `@canton-network/core-rpc-transport@${version}`]
  return installCommands(text)
    .filter(({ words }) => words.some((word) => word.replace(/(.)@[^/]*$/, '$1') === '@canton-network/core-provider-dapp'))
    .filter(({ words }) => !pinned.every((word) => words.includes(word)))
    .map(({ line }) => `${page}:${line}: installs the official provider unpinned: install ${pinned.join(' ')}, the release the packages are tested against`)
}

/** The compiler options of the code blocks. */
export const COMPILER_OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  jsx: ts.JsxEmit.ReactJSX,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
}

/** The README of every package under `root`/packages, relative to `root`. */
function packageReadmes(root) {
  const dir = path.join(root, 'packages')
  return readdirSync(dir)
    .sort()
    .map((name) => path.join('packages', name, 'README.md'))
    .filter((page) => existsSync(path.join(root, page)))
}

/**
 * Type-checks the code blocks of every page under `docsDir`, and of `readmes`.
 * @param {{ root?: string, docsDir?: string, readmes?: string[] }} options `readmes`: more pages,
 *   relative to `root` (default: the packages' READMEs when `docsDir` is the repository's docs/, else none)
 * @returns {{ blocks: number, errors: string[] }} the number of blocks checked and one line per error
 */
export function checkDocsCode({ root = ROOT, docsDir = path.join(root, 'docs'), readmes } = {}) {
  readmes ??= path.resolve(docsDir) === path.join(root, 'docs') ? packageReadmes(root) : []
  for (const pkg of ['session-core', 'session-crypto', 'session-sync', 'session-react', 'session-vue', 'session-testing']) {
    if (!existsSync(path.join(root, 'packages', pkg, 'dist', 'index.d.ts'))) {
      throw new Error(`packages/${pkg}/dist is missing: run \`pnpm build\` first`)
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'sessionlayer-docs-code-'))
  try {
    linkModules(dir, root)
    const origin = new Map()
    const files = []
    const pages = [
      ...markdownFiles(docsDir).map((page) => path.join(path.relative(root, docsDir), page)),
      ...readmes,
    ]
    for (const page of pages) {
      extractBlocks(readFileSync(path.join(root, page), 'utf8')).forEach((block, n) => {
        // One folder per page: blocks named with `file=` can import each other (`./app`).
        const file = path.join(dir, 'pages', page.replace(/[^\w]+/g, '_'), block.file ?? `block-${n + 1}.${block.lang}`)
        if (origin.has(file)) throw new Error(`${page}:${block.line}: a second block named ${block.file ?? ''}`)
        mkdirSync(path.dirname(file), { recursive: true })
        writeFileSync(file, `${block.code}\n`)
        origin.set(file, [page, block.line])
        files.push(file)
      })
    }
    const tested = JSON.parse(readFileSync(path.join(ROOT, 'packages', 'session-core', 'package.json'), 'utf8')).devDependencies[
      '@canton-network/core-provider-dapp'
    ]
    const missing = pages.flatMap((page) => {
      const text = readFileSync(path.join(root, page), 'utf8')
      return [
        ...(readmes.includes(page) ? uninstalledImports(text, page) : []),
        ...uninstalledFileImports(text, page),
        ...unpinnedProviderInstalls(text, page, tested),
      ]
    })
    const prelude = path.join(docsDir, '.snippets', 'prelude.d.ts')
    if (existsSync(prelude)) files.push(prelude)
    const program = ts.createProgram(files, { ...COMPILER_OPTIONS, typeRoots: [path.join(dir, 'node_modules', '@types')] })
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ')
      if (!d.file || d.start === undefined) return `error TS${d.code}: ${message}`
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start)
      const [page, first] = origin.get(path.resolve(d.file.fileName)) ?? [path.relative(root, d.file.fileName), 1]
      return `${page}:${first + line}:${character + 1} - error TS${d.code}: ${message}`
    })
    return { blocks: origin.size, errors: [...missing, ...errors] }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename
if (isMain) {
  // --docs <folder> overrides docs/ (the tests use it).
  const docsDir = process.argv.includes('--docs') ? path.resolve(process.argv[process.argv.indexOf('--docs') + 1] ?? '') : undefined
  const { blocks, errors } = checkDocsCode(docsDir ? { docsDir } : {})
  if (errors.length > 0) {
    console.error(`${errors.join('\n')}\n\n${errors.length} type error(s) in the code blocks of the docs`)
    process.exit(1)
  }
  console.log(`docs code blocks: ${blocks} type-checked, no errors`)
}
