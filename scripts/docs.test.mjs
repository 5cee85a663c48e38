// The documentation checks must bite: a stale state diagram, a stale API page and a code block
// with a type error each fail `pnpm docs:check`. These tests work on temporary copies and watch
// each check fail, then pass once the copy is current.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { checkApiDocs, diffDirs, extractModels, renderApiDocs } from './docs-api.mjs'
import { checkDocsCode, extractBlocks } from './docs-code.mjs'
import { anchorsOf, checkLinks, markdownPages } from './docs-links.mjs'
import { END, explore, generate, loadMachine, render, run, START } from './docs-diagram.mjs'

const root = path.resolve(import.meta.dirname, '..')
const temps = []
const temp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sessionlayer-docs-test-'))
  temps.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const node = (script, args) => spawnSync(process.execPath, [path.join(root, 'scripts', script), ...args], { cwd: root, encoding: 'utf8' })

// each exploration of the machine is CPU-bound, some 10–30 s on an idle core: on a loaded CI machine longer
describe('state diagram (scripts/docs-diagram.mjs)', { timeout: 300_000 }, () => {
  it('is generated from the transition function: every status, the ops, and labelled edges', async () => {
    const diagram = render(explore(await loadMachine()))
    expect(diagram.startsWith('```mermaid\nstateDiagram-v2\n')).toBe(true)
    expect(diagram).toContain('  [*] --> disconnected')
    expect(diagram).toContain('  disconnected --> connecting_connect: connect')
    expect(diagram).toContain('  disconnected --> reconnecting_restore: restore')
    expect(diagram).toMatch(/ {2}connected --> reconnecting_reconnect: .*status not connected/)
    expect(diagram).toMatch(/ {2}connected --> reconnecting_reauth: expire/)
    expect(diagram).toMatch(/ {2}reconnecting_reauth --> disconnected: .*reauth failed/)
    expect(diagram).toMatch(/ {2}connecting_connect --> connecting_pending: status not connected/)
    expect(await generate()).toBe(`${START}\n\n${diagram}\n\n${END}`) // stable output: a second exploration draws the same
  })

  it('the committed diagram of docs/state-machine.md is current', async () => {
    expect(await run({ check: true })).toBe(true)
  })

  it('a changed machine makes the committed diagram stale, and --check exits 1', async () => {
    const dir = temp()
    const src = path.join(dir, 'src')
    cpSync(path.join(root, 'packages/session-core/src'), src, { recursive: true })
    const machine = path.join(src, 'machine.ts')
    // the store no longer restores: `restore` does nothing
    const code = readFileSync(machine, 'utf8')
    const restore = /case 'restore':\n\s*if \(!connected && !op\) \{/
    expect(code).toMatch(restore)
    writeFileSync(machine, code.replace(restore, "case 'restore':\n      if (false) {"))
    const page = path.join(dir, 'state-machine.md')
    cpSync(path.join(root, 'docs/state-machine.md'), page)

    expect(await run({ src, page, check: true })).toBe(false)
    const stale = node('docs-diagram.mjs', ['--check', '--src', src, '--page', page])
    expect(stale.status).toBe(1)
    expect(stale.stderr).toContain('the state diagram is stale')

    expect(node('docs-diagram.mjs', ['--src', src, '--page', page]).status).toBe(0) // regenerate
    expect(readFileSync(page, 'utf8')).not.toContain('reconnecting_restore')
    expect(node('docs-diagram.mjs', ['--check', '--src', src, '--page', page]).status).toBe(0)
  })

  it('a hand-edited diagram is stale; a page without markers is an error', async () => {
    const dir = temp()
    const page = path.join(dir, 'state-machine.md')
    const text = readFileSync(path.join(root, 'docs/state-machine.md'), 'utf8')
    writeFileSync(page, text.replace('  disconnected --> connecting_connect: connect\n', ''))
    expect(node('docs-diagram.mjs', ['--check', '--page', page]).status).toBe(1)
    writeFileSync(page, text.replace(START, '').replace(END, ''))
    await expect(run({ page, check: true })).rejects.toThrow('markers')
  })
})

/** Copies of the built packages (manifest, dist, reports, sources; node_modules linked). */
function copyPackages() {
  const dir = path.join(temp(), 'packages')
  for (const pkg of ['session-core', 'session-crypto', 'session-react', 'session-sync', 'session-testing', 'session-vue']) {
    const from = path.join(root, 'packages', pkg)
    const to = path.join(dir, pkg)
    for (const part of ['package.json', 'dist', 'etc', 'src']) cpSync(path.join(from, part), path.join(to, part), { recursive: true })
    if (existsSync(path.join(from, 'node_modules'))) symlinkSync(realpathSync(path.join(from, 'node_modules')), path.join(to, 'node_modules'), 'dir')
  }
  return dir
}

describe('API reference (scripts/docs-api.mjs)', () => {
  it('renders every entry point, subpaths as their own pages; a stale, missing or extra page fails --check', () => {
    const packages = copyPackages()
    const models = path.join(temp(), 'models')
    extractModels(packages, models)
    const docs = path.join(temp(), 'api')
    renderApiDocs(models, docs)

    const index = readFileSync(path.join(docs, 'index.md'), 'utf8')
    for (const name of ['session-core', 'session-core/ledger', 'session-crypto', 'session-react', 'session-react/query', 'session-sync', 'session-testing', 'session-vue', 'session-vue/query']) {
      expect(index).toContain(`[@sessionlayer/${name}](./${name.replace('/', '-')}.md)`)
    }
    // a subpath's reference to a type of its main entry links to the main entry's page
    expect(readFileSync(path.join(docs, 'session-core-ledger.createledgerfetch.md'), 'utf8')).toContain('[SessionStore](./session-core.sessionstore.md)')
    // what an entry re-exports from another package is named, with links
    expect(readFileSync(path.join(docs, 'session-react-query.md'), 'utf8')).toContain('[sessionQueryKey](./session-core.sessionquerykey.md)')

    expect(checkApiDocs(models, docs)).toEqual([])
    expect(node('docs-api.mjs', ['--check', '--no-build', '--packages', packages, '--docs', docs]).status).toBe(0)

    const page = path.join(docs, 'session-core.sessionstore.md')
    writeFileSync(page, readFileSync(page, 'utf8').replace('subscribable session', 'session'))
    rmSync(path.join(docs, 'session-core.createsessionstore.md'))
    writeFileSync(path.join(docs, 'session-core.removed.md'), 'gone\n')
    expect(checkApiDocs(models, docs)).toEqual([
      'missing: session-core.createsessionstore.md',
      'stale: session-core.sessionstore.md',
      'extra: session-core.removed.md',
    ])
    const stale = node('docs-api.mjs', ['--check', '--no-build', '--packages', packages, '--docs', docs])
    expect(stale.status).toBe(1)
    expect(stale.stderr).toContain('stale: session-core.sessionstore.md')
  })

  it('diffDirs compares file by file', () => {
    const [a, b] = [temp(), temp()]
    mkdirSync(path.join(a, 'x'))
    writeFileSync(path.join(a, 'x', 'one.md'), '1')
    cpSync(a, b, { recursive: true })
    expect(diffDirs(a, b)).toEqual([])
    writeFileSync(path.join(b, 'x', 'one.md'), '2')
    expect(diffDirs(a, b)).toEqual([`stale: ${path.join('x', 'one.md')}`])
  })
})

const page = (blocks) => `# A page\n\nSome text.\n\n${blocks.join('\n\n')}\n`
const docsWith = (files) => {
  const dir = temp()
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  return dir
}

describe('code blocks (scripts/docs-code.mjs)', () => {
  it('extracts ts, tsx and the script of vue blocks, with their page lines; nocheck opts out', () => {
    const text = page([
      "```ts\nconst a: number = 1\n```",
      '```tsx file=app.tsx\nexport const App = () => <p />\n```',
      '```ts nocheck\nthis is pseudo-code(\n```',
      '```sh\nnpm i\n```',
      '```vue\n<script setup lang="ts">\nconst b = 2\n</script>\n\n<template><p /></template>\n```',
    ])
    expect(extractBlocks(text)).toEqual([
      { line: 6, lang: 'ts', code: 'const a: number = 1', file: undefined },
      { line: 10, lang: 'tsx', code: 'export const App = () => <p />', file: 'app.tsx' },
      { line: 23, lang: 'ts', code: 'const b = 2' },
    ])
  })

  it('a code block with a type error fails, naming the page, line and column; the CLI exits 1', () => {
    const good = "```ts\nimport { createSessionStore } from '@sessionlayer/session-core'\nimport { createMockProvider } from '@sessionlayer/session-testing'\n\nconst store = createSessionStore(createMockProvider())\nawait store.connect()\n```"
    const bad = "```ts\nimport { createSessionStore } from '@sessionlayer/session-core'\nimport { createMockProvider } from '@sessionlayer/session-testing'\n\nconst store = createSessionStore(createMockProvider())\nstore.conect()\n```"
    const fine = docsWith({ 'guide.md': page([good]) })
    expect(checkDocsCode({ docsDir: fine })).toEqual({ blocks: 1, errors: [] })
    expect(node('docs-code.mjs', ['--docs', fine]).status).toBe(0)

    const broken = docsWith({ 'guides/guide.md': page([good, bad]) })
    const { errors } = checkDocsCode({ docsDir: broken })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/guides\/guide\.md:18:7 - error TS2551: Property 'conect' does not exist on type 'SessionStore'/)
    const cli = node('docs-code.mjs', ['--docs', broken])
    expect(cli.status).toBe(1)
    expect(cli.stderr).toContain("Property 'conect' does not exist")
  })

  it('checks JSX against the React bindings, blocks of a page import each other by file name, and a missing import fails', () => {
    const app = "```tsx file=app.tsx\nimport { useSession } from '@sessionlayer/session-react'\n\nexport function App() {\n  const { status } = useSession()\n  return <p>{status}</p>\n}\n```"
    const main = "```tsx\nimport { SessionProvider } from '@sessionlayer/session-react'\nimport { createMockProvider } from '@sessionlayer/session-testing'\nimport { App } from './app'\n\nexport const root = <SessionProvider provider={createMockProvider()}><App /></SessionProvider>\n```"
    const wrongProp = "```tsx\nimport { SessionProvider } from '@sessionlayer/session-react'\n\nexport const root = <SessionProvider provder={null} />\n```"
    const noImport = '```ts\nexport const store = createSessionStore()\n```'
    expect(checkDocsCode({ docsDir: docsWith({ 'react.md': page([app, main]) }) }).errors).toEqual([])
    const { errors } = checkDocsCode({ docsDir: docsWith({ 'react.md': page([app, main, wrongProp, noImport]) }) })
    expect(errors.join('\n')).toContain('provder')
    expect(errors.join('\n')).toContain("Cannot find name 'createSessionStore'")
  })

  it('a block named with folders (file=routes/page.tsx) imports a block of the folder above; `..` is no name', () => {
    const app = '```ts file=app.ts\nexport const party = (id: string) => id\n```'
    const route = "```ts file=routes/page.ts\nimport { party } from '../app'\n\nexport const shown: string = party('alice')\n```"
    expect(extractBlocks(page([route]))[0]?.file).toBe('routes/page.ts')
    expect(extractBlocks(page(['```ts file=../up.ts\nexport {}\n```']))[0]?.file).toBeUndefined()
    expect(checkDocsCode({ docsDir: docsWith({ 'router.md': page([app, route]) }) })).toEqual({ blocks: 2, errors: [] })
  })

  it('the script of a vue block named with file=<name>.vue imports the blocks of its page by file name, as a component of the app imports its modules', () => {
    const store = '```ts file=lib/session.ts\nexport const party: string = \'alice\'\n```'
    const sfc = '```vue file=components/Party.vue\n<script setup lang="ts">\nimport { party } from \'../lib/session\'\n\nconst shown: string = party\n</script>\n\n<template><p>{{ shown }}</p></template>\n```'
    expect(extractBlocks(page([sfc]))[0]?.file).toBe('components/Party.ts')
    expect(checkDocsCode({ docsDir: docsWith({ 'islands.md': page([store, sfc]) }) })).toEqual({ blocks: 2, errors: [] })
  })

  it('the prelude of docs/.snippets is shared by every block, and docs/api is not checked', () => {
    const dir = docsWith({
      '.snippets/prelude.d.ts': 'declare function toast(message: string): void\n',
      'a.md': page(["```ts\ntoast('hi')\n```"]),
      'api/generated.md': page(['```ts\nrender(state)\n```']),
    })
    expect(checkDocsCode({ docsDir: dir })).toEqual({ blocks: 1, errors: [] })
  })

  it('checks the READMEs it is given, as strict apps compile (exactOptionalPropertyTypes)', () => {
    const readme = path.join(docsWith({}), 'README.md')
    const forwards = "```tsx\nimport type { SessionState } from '@sessionlayer/session-core'\nimport { SessionProvider } from '@sessionlayer/session-react'\nimport { createMockProvider } from '@sessionlayer/session-testing'\n\nexport const App = ({ initialState }: { initialState?: SessionState }) => <SessionProvider provider={createMockProvider()} initialState={initialState} />\n```"
    const optional = "```ts\nconst options: { readonly tag?: string } = { tag: undefined }\n```"
    // (the install line, at the end, keeps the page lines of the blocks)
    writeFileSync(readme, page([forwards, optional, 'npm i @sessionlayer/session-react @sessionlayer/session-core @sessionlayer/session-testing']))
    const { blocks, errors } = checkDocsCode({ docsDir: docsWith({}), readmes: [path.relative(root, readme)] })
    expect(blocks).toBe(2)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/README\.md:14:\d+ - error TS\d+: .*exactOptionalPropertyTypes/)
  })

  it('a README installs what its first example imports: a package its install lines leave out fails, naming it', () => {
    const readme = path.join(docsWith({}), 'README.md')
    const install = '```sh\nnpm i @sessionlayer/session-react @sessionlayer/session-core react\n```'
    const example = "```tsx\nimport { SessionProvider } from '@sessionlayer/session-react'\nimport { createMockProvider } from '@sessionlayer/session-testing'\nimport { createRoot } from 'react-dom/client'\nimport { readFileSync } from 'node:fs'\n\nvoid readFileSync\ncreateRoot(document.body).render(<SessionProvider provider={createMockProvider()} />)\n```"
    // a later example may use more (a test runner, the official provider): only the first is pasted as it is
    const later = "```ts\nimport { vi } from 'vitest'\n\nvi.useFakeTimers()\n```"
    writeFileSync(readme, page([install, example, later]))
    const check = () => checkDocsCode({ docsDir: docsWith({}), readmes: [path.relative(root, readme)] }).errors
    expect(check()).toEqual([
      expect.stringMatching(/README\.md:10: .*'@sessionlayer\/session-testing'.* no install line/),
      expect.stringMatching(/README\.md:10: .*'react-dom'.* no install line/),
    ])
    writeFileSync(readme, page([install.replace(' react\n', ' react react-dom\n'), 'With the in-memory wallet (`pnpm add -D @sessionlayer/session-testing`):', example, later]))
    expect(check()).toEqual([])
  })

  it("a page with install lines installs the @sessionlayer/, @canton-network/ and @tanstack/ packages its file= blocks import, which an app copies as they are", () => {
    const install = '```sh\nnpm i @sessionlayer/session-core @sessionlayer/session-react\n```'
    // the framework's own modules come with the app; an unnamed block is an excerpt, not a file
    const root = "```tsx file=root.tsx\nimport { createSessionStore } from '@sessionlayer/session-core'\nimport { useSessionQueryInvalidation } from '@sessionlayer/session-react/query'\nimport { QueryClient } from '@tanstack/react-query'\nimport { useState } from 'react'\n\nvoid createSessionStore\nvoid useSessionQueryInvalidation\nvoid QueryClient\nvoid useState\n```"
    const excerpt = "```ts\nimport { createMockProvider } from '@sessionlayer/session-testing'\n\nvoid createMockProvider\n```"
    const check = (text) => checkDocsCode({ docsDir: docsWith({ 'guides/framework.md': text }), readmes: [] }).errors
    expect(check(page([install, root, excerpt]))).toEqual([
      expect.stringMatching(/guides\/framework\.md:10: .*root\.tsx.*'@tanstack\/react-query'.* no install line/),
    ])
    expect(check(page([install.replace('react\n', 'react @tanstack/react-query\n'), root, excerpt]))).toEqual([])
    expect(check(page([root, excerpt]))).toEqual([]) // no install line: a page that builds on another
  })

  it('an install line of the official provider pins it, with its transport, to the release the packages are tested against', () => {
    const { devDependencies } = JSON.parse(readFileSync(path.join(root, 'packages/session-core/package.json'), 'utf8'))
    const tested = devDependencies['@canton-network/core-provider-dapp']
    expect(devDependencies['@canton-network/core-rpc-transport'] ?? tested).toBe(tested)
    const check = (line) => checkDocsCode({ docsDir: docsWith({ 'guide.md': page([`\`\`\`sh\n${line}\n\`\`\``]) }), readmes: [] }).errors
    expect(check('npm i @sessionlayer/session-core @canton-network/core-provider-dapp')).toEqual([
      expect.stringMatching(new RegExp(`guide\\.md:6: .*@canton-network/core-provider-dapp@${tested} @canton-network/core-rpc-transport@${tested}`)),
    ])
    expect(check(`npm i @canton-network/core-provider-dapp@${tested}`)).toHaveLength(1) // the transport floats
    expect(check(`npm i @canton-network/core-provider-dapp@${tested} @canton-network/core-rpc-transport@${tested}`)).toEqual([])
    expect(check(`pnpm add @canton-network/core-rpc-transport@${tested} @canton-network/core-provider-dapp@${tested}`)).toEqual([])
    // in the text of a README too
    const readme = path.join(docsWith({}), 'README.md')
    writeFileSync(readme, page(['Install it (`npm i @canton-network/core-provider-dapp`) and import its types.']))
    expect(checkDocsCode({ docsDir: docsWith({}), readmes: [path.relative(root, readme)] }).errors).toEqual([
      expect.stringMatching(/README\.md:5: /),
    ])
  })

  it('every code block of docs/ and of the package READMEs type-checks', () => {
    const { blocks, errors } = checkDocsCode()
    expect(errors).toEqual([])
    expect(blocks).toBeGreaterThan(45)
  })
})

describe('links (scripts/docs-links.mjs)', () => {
  it("anchors are GitHub's: lower case, punctuation and code marks dropped, a repeated heading numbered", () => {
    const page = '# Title\n## Ledger API (`@sessionlayer/session-core/ledger`)\n## Errors\n```md\n## Not a heading\n```\n### Errors\n'
    expect([...anchorsOf(page)]).toEqual(['title', 'ledger-api-sessionlayersession-coreledger', 'errors', 'errors-1'])
  })

  it('a link to a missing page or heading fails, naming the page and line; links to other sites, in code, and that resolve pass', () => {
    const dir = temp()
    mkdirSync(path.join(dir, 'docs'))
    writeFileSync(path.join(dir, 'docs', 'a.md'), '# A\n\n## Some part\n')
    writeFileSync(
      path.join(dir, 'README.md'),
      [
        '# Readme',
        '[ok](docs/a.md) [ok](docs/a.md#some-part) [ok](#readme) [site](https://example.com/x#y)',
        '[gone](docs/b.md)',
        '[no heading](docs/a.md#other-part)',
        '`[in code](docs/c.md)`',
        '```md',
        '[in a block](docs/d.md)',
        '```',
      ].join('\n'),
    )
    expect(checkLinks(markdownPages(dir), dir)).toEqual(['README.md:3: docs/b.md — no such file', 'README.md:4: docs/a.md#other-part — no heading #other-part in docs/a.md'])
    const cli = spawnSync(process.execPath, [path.join(root, 'scripts', 'docs-links.mjs')], { cwd: root, encoding: 'utf8' })
    expect(cli.status).toBe(0)
  })

  it('every relative link of docs/, the READMEs and the examples resolves', () => {
    const pages = markdownPages()
    expect(pages).toEqual(expect.arrayContaining(['README.md', path.join('docs', 'behaviour.md'), path.join('packages', 'session-core', 'README.md')]))
    expect(pages.some((page) => page.startsWith(path.join('docs', 'api')))).toBe(false)
    expect(checkLinks(pages)).toEqual([])
  })
})
