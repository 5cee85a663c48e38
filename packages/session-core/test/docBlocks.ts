import { readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const ROOT = path.resolve(import.meta.dirname, '../../..')

/**
 * The `ts` / `tsx` code blocks of a page of the docs (a path from the repository root, such as
 * `docs/guides/multi-tab.md`), in page order, each with the page line of its first line of code
 * and its language.
 */
export function docBlocks(page: string): { line: number; lang: 'ts' | 'tsx'; code: string }[] {
  const lines = readFileSync(path.join(ROOT, page), 'utf8').split('\n')
  const blocks: { line: number; lang: 'ts' | 'tsx'; code: string }[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(tsx?)\b/.exec(lines[i] ?? '')
    if (!open) continue
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'))
    blocks.push({ line: i + 2, lang: open[1] as 'ts' | 'tsx', code: lines.slice(i + 1, end).join('\n') })
    i = end
  }
  return blocks
}

/** The one code block of `page` that contains `marker`. */
export function docBlock(page: string, marker: string): string {
  const found = docBlocks(page).filter(({ code }) => code.includes(marker))
  if (found.length !== 1) throw new Error(`${page}: ${found.length} code blocks contain ${JSON.stringify(marker)}`)
  return found[0]!.code
}

/**
 * Runs a `ts` code block of the docs as the page shows it, in this test's realm (so fake timers and
 * spies apply): its imports are taken from `modules` (an import of anything else throws), the
 * names it uses without declaring them (a `toast`, a `declare function`) from `scope`. Resolves
 * with what it exports, once its top-level code (awaits included) has run. A `tsx` block (`lang`)
 * compiles its JSX as the docs check it, `react-jsx`: `modules` then gives `react/jsx-runtime`.
 */
export async function runDocBlock(code: string, modules: Record<string, object>, scope: Record<string, unknown> = {}, lang: 'ts' | 'tsx' = 'ts'): Promise<Record<string, unknown>> {
  const js = ts.transpileModule(code, {
    fileName: `block.${lang}`,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, jsx: ts.JsxEmit.ReactJSX },
  }).outputText
  const require = (name: string) => {
    const module = modules[name]
    if (!module) throw new Error(`the block imports ${name}, which the test does not provide`)
    return module
  }
  const exports: Record<string, unknown> = {}
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>
  await new AsyncFunction('require', 'exports', ...Object.keys(scope), js)(require, exports, ...Object.values(scope))
  return exports
}
