#!/usr/bin/env node
// Checks every relative link of the hand-written Markdown pages (docs/, the READMEs, the examples',
// the benchmarks'): the file it names must exist, and a `#fragment` must be a heading of that page,
// as GitHub (and npm, for the READMEs) make their anchors. So a page that is moved, renamed or split
// cannot leave a dangling link behind. Links to other sites (`https:`, `mailto:`) and the generated
// API reference's own links (docs/api/, written by api-documenter) are not checked.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '..')

/** The page without its fenced code blocks: they hold no links and no headings. */
const withoutFences = (text) => text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')

/** The prose of a page: inline code holds no links either. */
const prose = (text) => withoutFences(text).replace(/`[^`\n]*`/g, '')

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')

/**
 * The anchors of a Markdown page: one per heading, a repeated one with `-1`, `-2`… as GitHub does.
 * @param {string} text the page
 * @returns {Set<string>}
 */
export function anchorsOf(text) {
  const seen = new Map()
  const anchors = new Set()
  // inline code stays in headings (its text is part of the anchor): only fences are left out
  for (const [, heading] of withoutFences(text).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const anchor = slug(heading.replace(/`/g, ''))
    const n = seen.get(anchor) ?? 0
    seen.set(anchor, n + 1)
    anchors.add(n ? `${anchor}-${n}` : anchor)
  }
  return anchors
}

/** The hand-written Markdown pages under `root`: every `.md` but node_modules, dist, docs/api, changesets, changelogs and api-extractor reports. */
export function markdownPages(root = ROOT) {
  const out = []
  const walk = (rel) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const sub = path.join(rel, name)
      if (statSync(path.join(root, sub)).isDirectory()) {
        if (!['node_modules', 'dist', 'etc', 'temp', '.git', '.changeset', '.reports', '.turbo'].includes(name) && sub !== path.join('docs', 'api')) walk(sub)
      } else if (name.endsWith('.md') && name !== 'CHANGELOG.md') out.push(sub)
    }
  }
  walk('')
  return out
}

/**
 * Every broken relative link of `pages`, as `page:line: message`.
 * @param {string[]} pages paths relative to `root`
 * @param {string} [root]
 * @returns {string[]}
 */
export function checkLinks(pages, root = ROOT) {
  const errors = []
  const anchors = new Map()
  for (const page of pages) {
    const file = path.join(root, page)
    const lines = prose(readFileSync(file, 'utf8')).split('\n')
    lines.forEach((line, i) => {
      for (const [, target] of line.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)) {
        if (/^[a-z][a-z\d+.-]*:/i.test(target)) continue
        const [file_, fragment] = target.split('#')
        const to = file_ ? path.resolve(path.dirname(file), decodeURI(file_)) : file
        if (!existsSync(to)) errors.push(`${page}:${i + 1}: ${target} — no such file`)
        else if (fragment && to.endsWith('.md')) {
          if (!anchors.has(to)) anchors.set(to, anchorsOf(readFileSync(to, 'utf8')))
          if (!anchors.get(to).has(fragment)) errors.push(`${page}:${i + 1}: ${target} — no heading #${fragment} in ${path.relative(root, to)}`)
        }
      }
    })
  }
  return errors
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename
if (isMain) {
  const pages = markdownPages()
  const errors = checkLinks(pages)
  if (errors.length > 0) {
    console.error(`${errors.join('\n')}\n\n${errors.length} broken link(s) in the docs`)
    process.exit(1)
  }
  console.log(`docs links: ${pages.length} pages, every relative link resolves`)
}
