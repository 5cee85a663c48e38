import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ALICE, connectAndApprove, ROOT, text, useHarness } from './support'

// The README's demo command, as a new user runs it: `pnpm demo` prints its URL, serves the React
// example (and the Vue and vanilla ones), and the page reaches a connected session with the two
// clicks "Getting started (React)" describes.

const harness = useHarness()
let demo: ChildProcess | undefined

afterAll(() => {
  demo?.kill('SIGINT')
})

/** Starts `scripts/demo.mjs` (what `pnpm demo` runs) on a free port; resolves with the URL it prints. */
function startDemo(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/demo.mjs')], { cwd: ROOT, env: { ...process.env, PORT: '0' } })
    demo = child
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const url = /SessionLayer demo dApp: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1]
      if (url) resolve(url)
    })
    child.on('exit', (code) => {
      reject(new Error(`pnpm demo exited (${String(code)}) before printing its URL:\n${out}`))
    })
  })
}

describe('pnpm demo', () => {
  it('prints its URL on 127.0.0.1 and serves the three examples; the React one connects in two clicks', async () => {
    const url = await startDemo()
    for (const [route, title] of [
      ['', 'React example dApp'],
      ['vue/', 'Vue example dApp'],
      ['vanilla/', 'vanilla example'],
    ] as const) {
      const res = await fetch(url + route)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain(`<title>SessionLayer · ${title}</title>`)
    }
    const context = await harness().context()
    const page = await context.newPage()
    await page.goto(url)
    await expect.poll(() => text(page, 'status')).toBe('disconnected')
    await connectAndApprove(page)
    await expect.poll(() => text(page, 'status')).toBe('connected')
    expect(await text(page, 'party')).toBe(ALICE)
    expect(await text(page, 'network')).toBe('canton:devnet')
    await context.close()
  })
})
