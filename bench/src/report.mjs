// Statistics, Markdown tables and SVG bar charts for the benchmark report. Pure functions: the
// benchmarks produce numbers, this turns them into BENCHMARKS.md and bench/charts/*.svg.

/**
 * The median of a list of numbers.
 * @param {number[]} values
 * @returns {number}
 */
export function median(values) {
  if (values.length === 0) throw new Error('median of nothing')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * The p-th percentile (nearest rank) of a list of numbers.
 * @param {number[]} values
 * @param {number} p - 0..100
 * @returns {number}
 */
export function percentile(values, p) {
  if (values.length === 0) throw new Error('percentile of nothing')
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/**
 * A number with a sensible precision for a table.
 * @param {number} value
 * @returns {string}
 */
export function fmt(value) {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  if (abs >= 100) return Math.round(value).toLocaleString('en-US')
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  return value.toPrecision(2)
}

/**
 * Bytes as kB (1 kB = 1,000 B, as size-limit reports them).
 * @param {number} bytes
 * @returns {string}
 */
export const kb = (bytes) => `${(bytes / 1000).toFixed(2)} kB`

const escapeCell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ')

/**
 * A Markdown table.
 * @param {string[]} header
 * @param {(string | number)[][]} rows
 * @returns {string}
 */
export function table(header, rows) {
  const line = (cells) => `| ${cells.map(escapeCell).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

const escapeXml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * A horizontal bar chart as a standalone SVG document. Bars of `ours: true` rows are drawn in
 * the accent colour, references in grey; a `target` draws a dashed line at that value.
 * @param {{ title: string, unit: string, rows: { label: string, value: number, ours?: boolean }[], target?: number }} chart
 * @returns {string}
 */
export function barChart({ title, unit, rows, target }) {
  const width = 900
  const labelWidth = 400
  const barArea = width - labelWidth - 110
  const rowHeight = 26
  const top = 44
  const height = top + rows.length * rowHeight + 28
  const max = Math.max(...rows.map((r) => r.value), target ?? 0) || 1
  const x = (v) => labelWidth + (v / max) * barArea
  const bars = rows.map((r, i) => {
    const y = top + i * rowHeight
    const w = Math.max(1, x(r.value) - labelWidth)
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(r.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" rx="3" fill="${r.ours ? '#6d28d9' : '#9ca3af'}"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 16}">${escapeXml(`${fmt(r.value)} ${unit}`)}</text>`,
    ].join('')
  })
  const targetLine =
    target === undefined
      ? ''
      : `<line x1="${x(target).toFixed(1)}" x2="${x(target).toFixed(1)}" y1="${top - 4}" y2="${height - 24}" stroke="#dc2626" stroke-dasharray="4 3"/><text x="${x(target).toFixed(1)}" y="${height - 8}" text-anchor="middle" fill="#dc2626">target ${escapeXml(`${fmt(target)} ${unit}`)}</text>`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13" fill="#111827">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="16" y="26" font-size="16" font-weight="600">${escapeXml(title)}</text>
${bars.join('\n')}
${targetLine}
</svg>
`
}
