import { describe, expect, it } from 'vitest'
import { barChart, fmt, kb, median, percentile, table } from './report.mjs'

describe('benchmark report helpers', () => {
  it('median and percentile of odd, even and unsorted samples', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90)).toBe(90)
    expect(percentile([3, 1, 2], 100)).toBe(3)
    expect(() => median([])).toThrow()
  })

  it('formats numbers and sizes for tables', () => {
    expect(fmt(1234.6)).toBe('1,235')
    expect(fmt(12.345)).toBe('12.3')
    expect(fmt(1.234)).toBe('1.23')
    expect(fmt(0.01234)).toBe('0.012')
    expect(kb(8312)).toBe('8.31 kB')
  })

  it('renders a Markdown table, escaping pipes', () => {
    expect(table(['a', 'b'], [[1, 'x|y']])).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |')
  })

  it('draws one bar per row, scaled to the largest value or the target, and escapes labels', () => {
    const svg = barChart({ title: 'T <&>', unit: 'ms', rows: [{ label: 'ours', value: 5, ours: true }, { label: 'ref', value: 10 }], target: 20 })
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg).toContain('T &lt;&amp;&gt;')
    const widths = [...svg.matchAll(/<rect x="400" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]))
    expect(widths).toHaveLength(2)
    expect(widths[1] / widths[0]).toBeCloseTo(2, 5)
    // the target (20) is the largest value: the 10 ms bar spans half the bar area (390 px)
    expect(widths[1]).toBeCloseTo(195, 0)
    expect(svg).toContain('target 20.0 ms')
    expect(svg).toContain('fill="#6d28d9"')
  })
})
