// The static server behind `pnpm demo` and the end-to-end tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveStatic } from './serve.mjs'

/** GET `pathname` verbatim (no URL normalisation on the client side). */
const get = (port, pathname) =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode, body }))
    })
    req.on('error', reject)
    req.end()
  })

describe('serveStatic', () => {
  let dir
  let server
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sessionlayer-serve-'))
    writeFileSync(path.join(dir, 'index.html'), '<p>app</p>')
    server = await serveStatic({ '/': dir }, 0)
  })
  afterAll(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves on 127.0.0.1 and falls back to index.html', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    expect(await get(server.port, '/some/route')).toEqual({ status: 200, body: '<p>app</p>' })
  })

  it('answers 400 to a malformed percent-escape and keeps serving', async () => {
    expect((await get(server.port, '/%E0%A4%A')).status).toBe(400)
    expect((await get(server.port, '/%')).status).toBe(400)
    expect(await get(server.port, '/')).toEqual({ status: 200, body: '<p>app</p>' })
  })
})
