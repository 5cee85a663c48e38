// A tiny static file server for built example apps, bound to 127.0.0.1 only.
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import path from 'node:path'

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
}

/**
 * Serves `mounts` (URL prefix → folder) on 127.0.0.1. Unknown paths under a mount fall back to
 * that mount's index.html (single-page apps).
 * @param {Record<string, string>} mounts e.g. `{ '/': 'examples/react-dapp/dist' }`
 * @param {number} [port] 0 for any free port
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function serveStatic(mounts, port = 0) {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length)
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const mount = entries.find(([prefix]) => url.pathname.startsWith(prefix))
    if (!mount) {
      res.writeHead(404).end('not found')
      return
    }
    const [prefix, dir] = mount
    let rel
    try {
      rel = decodeURIComponent(url.pathname.slice(prefix.length))
    } catch {
      // a malformed escape such as `/%E0%A4%A` must not take the server down
      res.writeHead(400).end('bad request')
      return
    }
    let file = path.join(dir, path.normalize('/' + rel))
    if (!file.startsWith(path.resolve(dir))) {
      res.writeHead(403).end()
      return
    }
    if (!existsSync(file) || statSync(file).isDirectory()) {
      const index = path.join(file, 'index.html')
      file = existsSync(index) ? index : path.join(dir, 'index.html')
    }
    if (!existsSync(file)) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      const actual = typeof address === 'object' && address ? address.port : port
      resolve({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () => new Promise((done) => server.close(() => done())),
      })
    })
  })
}
