// `pnpm bench`: runs every benchmark in its own Node process (so that one's globals — jsdom,
// fake-indexeddb — never skew another's), then rewrites BENCHMARKS.md and bench/charts/*.svg.
// The packages must be built first (the root `pnpm bench` script does it).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { barChart, fmt, kb, table } from './report.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const charts = path.join(root, 'bench/charts')

const started = Date.now()
/** @param {string} name */
function run(name) {
  const t0 = Date.now()
  const out = execFileSync(process.execPath, [path.join(here, `${name}.mjs`)], { cwd: path.join(root, 'bench'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })
  console.log(`  ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return JSON.parse(out)
}

console.log('SessionLayer benchmarks')
const size = run('size')
const notify = run('notify')
const react = run('react')
const persist = run('persist')
const browser = existsSync('/usr/bin/chromium') ? run('browser') : null

const misses = []
const check = (figure, ok, detail) => {
  if (!ok) misses.push(`${figure}: ${detail}`)
  return ok ? '✅' : '❌'
}
mkdirSync(charts, { recursive: true })
const chartFiles = []
const chart = (file, spec) => {
  writeFileSync(path.join(charts, file), barChart(spec))
  chartFiles.push(file)
  return `![${spec.title}](bench/charts/${file})`
}

// --- size
const sizeRow = (r) => {
  const meets = r.target === undefined ? '' : check(`Size of ${r.label}`, r.gzip <= r.target, `${kb(r.gzip)} against ${kb(r.target)}`)
  return [r.label, kb(r.gzip), kb(r.min), r.target === undefined ? '' : `≤ ${kb(r.target)}`, meets]
}
const sizeTables = Object.fromEntries(
  ['typical import', 'entry', 'reference'].map((group) => [group, table(['import', 'min+gzip', 'min', 'target', 'meets'], size.rows.filter((r) => r.group === group).map(sizeRow))]),
)
const breakdownTable = table(
  ['part', 'min+gzip', 'min'],
  size.breakdown.map((r) => [r.label, kb(r.gzip), kb(r.min)]),
)
const sizeChart = chart('size.svg', {
  title: 'Size, min+gzip (kB)',
  unit: 'kB',
  rows: size.rows.filter((r) => r.group !== 'entry').map((r) => ({ label: r.label.replace(/ \(.*\)$/, ''), value: r.gzip / 1000, ours: !r.reference })),
  target: 3,
})

// --- notify
const notifyTable = table(
  ['subscribers', 'SessionLayer ns / notification', 'p90', 'zustand/vanilla ns / notification', 'p90', 'ratio', 'target', 'meets'],
  notify.rows.map((r) => [
    r.subscribers.toLocaleString('en-US'),
    fmt(r.ours),
    fmt(r.oursP90),
    fmt(r.zustand),
    fmt(r.zustandP90),
    `${fmt(r.ratio)}×`,
    '≤ 1.5×',
    check(`Notify cost with ${r.subscribers} subscriber(s)`, r.ratio <= 1.5, `${fmt(r.ratio)}× zustand (${fmt(r.ours)} ns against ${fmt(r.zustand)} ns per notification)`),
  ]),
)
const fanoutTable = table(
  ['', 'SessionLayer', 'zustand/vanilla', 'ratio', 'target', 'meets'],
  [
    [
      'ns per extra subscriber per change (fan-out only)',
      fmt(notify.fanout.ours),
      fmt(notify.fanout.zustand),
      `${fmt(notify.fanout.ratio)}×`,
      '≤ 1.5×',
      check('Notify fan-out per subscriber', notify.fanout.ratio <= 1.5, `${fmt(notify.fanout.ratio)}× zustand`),
    ],
  ],
)
const notifyChart = chart('notify.svg', {
  title: 'ns per notification, 10,000 changes',
  unit: 'ns',
  rows: notify.rows.flatMap((r) => [
    { label: `SessionLayer, ${r.subscribers} subscriber(s)`, value: r.ours, ours: true },
    { label: `zustand/vanilla, ${r.subscribers} subscriber(s)`, value: r.zustand },
  ]),
})

// --- react
const realChanges = react.counts.network + react.counts.reorder
const reactTable = table(
  ['component', 'renders', 'real changes it reads', 'no-op events', 'renders per real change', 'renders per no-op', 'commit time total', 'commit time per render', 'meets'],
  [
    ['useSession()', react.stats.session, realChanges],
    ['useSessionSelector((s) => s.networkId)', react.stats.selector, react.counts.network],
  ].map(([label, s, reads]) => [
    label,
    s.renders,
    reads,
    react.counts.noop,
    fmt(s.renders / reads),
    fmt(Math.max(0, s.renders - reads) / react.counts.noop),
    `${fmt(s.ms)} ms`,
    `${fmt(s.ms / Math.max(1, s.renders))} ms`,
    check(`Renders of ${label}`, s.renders === reads, `${s.renders} renders for ${reads} real changes and ${react.counts.noop} no-ops`),
  ]),
)
const reactChart = chart('react.svg', {
  title: `Renders per 1,000 wallet events (${react.counts.noop} no-ops)`,
  unit: 'renders',
  rows: [
    { label: 'real changes useSession reads', value: realChanges },
    { label: 'useSession() renders', value: react.stats.session.renders, ours: true },
    { label: 'network changes', value: react.counts.network },
    { label: 'useSessionSelector(networkId) renders', value: react.stats.selector.renders, ours: true },
  ],
})

// --- persistence
const persistRows = [persist, ...(browser ? [browser.persistence] : [])].flatMap((p) => [
  [p.where, 'SessionLayer encrypted IndexedDB storage', fmt(p.sessionlayer.set), fmt(p.sessionlayer.get), fmt(p.sessionlayer.set + p.sessionlayer.get), fmt(p.sessionlayer.tripP90), `${fmt((p.sessionlayer.set + p.sessionlayer.get) / (p.raw.set + p.raw.get))}×`],
  [p.where, 'raw WebCrypto AES-GCM + IndexedDB', fmt(p.raw.set), fmt(p.raw.get), fmt(p.raw.set + p.raw.get), fmt(p.raw.tripP90), '1×'],
])
const persistTable = table(['where', 'storage', 'setItem µs', 'getItem µs', 'round trip µs', 'round trip p90 µs', 'vs raw'], persistRows)
const persistChart = chart('persistence.svg', {
  title: `Encrypted round trip of a ${persist.bytes}-byte envelope (µs)`,
  unit: 'µs',
  rows: [persist, ...(browser ? [browser.persistence] : [])].flatMap((p) => [
    { label: `SessionLayer, ${p.where.replace(/ \(.*\)$/, '').replace(/\.\d+\.\d+$/, '')}`, value: p.sessionlayer.set + p.sessionlayer.get, ours: true },
    { label: `raw, ${p.where.replace(/ \(.*\)$/, '').replace(/\.\d+\.\d+$/, '')}`, value: p.raw.set + p.raw.get },
  ]),
})

// --- browser
let browserSection = '_Chromium (/usr/bin/chromium) is not installed here: the real-browser figures were not measured._'
let browserChart = ''
if (browser) {
  browserSection = table(
    ['figure', `median of ${browser.runs} runs`, 'p90', 'target', 'meets'],
    [
      ['restore to `connected` after a reload, from `init()`', `${fmt(browser.restore.sinceInit)} ms`, `${fmt(browser.restore.p90SinceInit)} ms`, '', ''],
      ['restore to `connected` after a reload, from navigation start', `${fmt(browser.restore.sinceNavigation)} ms`, '', '', ''],
      [
        'cross-tab disconnect: tab A `disconnect()` → tab B `disconnected`',
        `${fmt(browser.crossTab.median)} ms`,
        `${fmt(browser.crossTab.p90)} ms`,
        '< 16 ms',
        check('Cross-tab disconnect latency', browser.crossTab.median < 16, `${fmt(browser.crossTab.median)} ms median`),
      ],
    ],
  )
  browserChart = chart('browser.svg', {
    title: `Chromium ${browser.chromium}: medians of ${browser.runs} runs (ms)`,
    unit: 'ms',
    rows: [
      { label: 'restore from init()', value: browser.restore.sinceInit, ours: true },
      { label: 'restore from navigation start', value: browser.restore.sinceNavigation, ours: true },
      { label: 'cross-tab disconnect', value: browser.crossTab.median, ours: true },
    ],
    target: 16,
  })
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const md = `# Benchmarks

Generated by \`pnpm bench\` (\`bench/\`) on ${new Date(started).toISOString().slice(0, 10)}: ${os.type()} ${os.release()}, ${cpu} × ${os.cpus().length}, Node ${process.version}${browser ? `, Chromium ${browser.chromium}` : ''}. Every figure below comes from that run; the file is rewritten by each run, not edited by hand. Speed figures are medians, beside their p90 where a table gives one; they vary from machine to machine and run to run, ratios less so. The size budgets are enforced separately, by size-limit in CI.

## Misses

${misses.length ? misses.map((m) => `- ❌ ${m}`).join('\n') : 'None: every figure meets its target.'}

## Size

Each import bundled from the built packages with esbuild (minified, ESM, browser), gzipped at level 9, less the same bundle of a one-constant module (the re-export glue, as size-limit subtracts its empty-project baseline). "Own code" leaves React, Vue, TanStack Query and \`@sessionlayer/session-core\` out. The references are measured the same way, in the same run.

${sizeChart}

Typical imports:

${sizeTables['typical import']}

Where the bytes of \`{ createSessionStore }\` go: each leaf package's marginal cost (the import with that package left out, against the whole import), and the core's own code with both left out. Gzip shares strings across parts, so the parts do not add up exactly to the whole.

${breakdownTable}

Entry points:

${sizeTables.entry}

References:

${sizeTables.reference}

## Notify cost

One store, 1 / 100 / 1,000 subscribers, ${notify.changes.toLocaleString('en-US')} state changes, median and p90 of ${notify.runs} runs after ${notify.warmups} warm-up runs (the engine compiles the hot paths over the first few, which run several times slower): total time / (changes × subscribers). A SessionLayer change is a wallet event (\`statusChanged\` switching the network) going the whole way a dApp pays for — payload validation, the transition, a new frozen snapshot, the notifications, queuing persistence and invalidation; a zustand change is a bare \`setState\`. With few subscribers the figure is dominated by that per-change work, with many by the fan-out; the second table isolates the fan-out (the cost of one more subscriber).

${notifyChart}

${notifyTable}

${fanoutTable}

## React render cost

React ${react.react} in jsdom (development build: the Profiler needs it), a connected store, 1,000 wallet events — ${react.counts.noop} no-ops (an identical \`statusChanged\` replayed), ${react.counts.network} network switches, ${react.counts.reorder} account reorders keeping the primary — each in its own \`act()\`. Renders and commit time from \`<Profiler onRender>\`. Target: one render per real change a component reads, none for a no-op.

${reactChart}

${reactTable}

## Persistence

A ${persist.bytes}-byte session envelope written and read back, median of ${persist.runs} (Node) / ${browser?.persistence.runs ?? '–'} (Chromium) runs after a warm-up (the round trip's p90 over the same runs): \`createEncryptedIndexedDBStorage\` against hand-written WebCrypto AES-GCM + IndexedDB calls doing the same work over one open database and key (SessionLayer adds the origin- and key-bound additional data, base64 text blobs and serialised operations).

${persistChart}

${persistTable}

## Real browser

Debian Chromium through playwright-core, a page served on 127.0.0.1 (cross-origin isolated, for full timer resolution). Restore: a store with the default encrypted IndexedDB storage over a connected in-memory wallet, reloaded ${browser?.runs ?? '–'} times; timed until the store reports \`connected\`. Cross-tab: two tabs with \`broadcast: true\` over the real \`BroadcastChannel\`, from tab A's \`disconnect()\` call to tab B's \`disconnected\` notification, on the browser's shared wall clock.

${browserChart}

${browserSection}
`
writeFileSync(path.join(root, 'BENCHMARKS.md'), md)
console.log(`BENCHMARKS.md and ${chartFiles.length} charts written in ${((Date.now() - started) / 1000).toFixed(1)} s${misses.length ? `; ${misses.length} miss(es)` : ''}`)
