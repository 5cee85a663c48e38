import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// K9: the threat model is documented honestly in the package README — what encryption at rest
// protects, and that it does not protect against script running in the origin.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const section = (title: string) => {
  const start = readme.indexOf(`## ${title}`)
  const end = readme.indexOf('\n## ', start + 1)
  return start < 0 ? '' : readme.slice(start, end < 0 ? undefined : end)
}

describe('threat model', () => {
  it('K9: the README states what is protected — data at rest, casual inspection, blob swapping — and that same-origin XSS is not', () => {
    const model = section('Threat model')
    expect(model).not.toBe('')
    const [protects = '', doesNot = ''] = model.split('What it does **not** protect against:')
    for (const claim of ['Data at rest', 'Casual inspection', 'Blob swapping']) expect(protects).toContain(claim)
    expect(doesNot).toContain('Same-origin XSS')
    expect(doesNot).toMatch(/can use the non-extractable key to\s+decrypt/)
  })
})
