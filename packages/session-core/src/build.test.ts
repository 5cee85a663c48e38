import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { INTERNAL_PROPS } from '../tsup.config'

const packages = new URL('../../', import.meta.url)

describe('the build', () => {
  it('shortens no property of the public API: the internal names it mangles are declared in no API report', () => {
    const reports = readdirSync(packages).flatMap((name) => {
      const etc = new URL(`${name}/etc/`, packages)
      try {
        return readdirSync(etc).map((file) => readFileSync(new URL(file, etc), 'utf8'))
      } catch {
        return []
      }
    })
    expect(reports.length).toBeGreaterThan(5)
    // a property or method declaration: `  readonly name?: …`, `  name(…`, `{ name: …`
    const declared = (name: string) => reports.some((text) => new RegExp(`(^\\s*(readonly\\s+)?|[{;]\\s*)${name}\\??[:(<]`, 'm').test(text))
    expect(['state', 'live', 'attempt'].every(declared)).toBe(true)
    expect(INTERNAL_PROPS.filter(declared)).toEqual([])
  })
})
