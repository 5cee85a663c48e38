#!/usr/bin/env node
// `pnpm demo`: builds the packages and the example dApps (with their demo wallet), then serves
// the React example on 127.0.0.1 (PORT, default 5173) and prints the URL; the Vue and vanilla
// examples are served under /vue/ and /vanilla/. `--build-only` stops after the build (e2e).
import { execSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { serveStatic } from './serve.mjs'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' })

const app = path.join(root, 'examples', 'react-dapp')
if (existsSync(path.join(app, 'package.json'))) {
  run('pnpm exec turbo run build --filter=./packages/* --filter=./examples/* --output-logs=errors-only')
} else {
  run('pnpm exec turbo run build --filter=./packages/* --output-logs=errors-only')
}
let dist = path.join(app, 'dist')
if (!existsSync(path.join(dist, 'index.html'))) {
  dist = path.join(root, '.reports', 'demo-placeholder')
  mkdirSync(dist, { recursive: true })
  writeFileSync(
    path.join(dist, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>SessionLayer demo</title><h1>SessionLayer</h1><p>The example dApp is not built yet.</p>',
  )
}
if (process.argv.includes('--build-only')) process.exit(0)

const mounts = { '/': dist }
for (const [prefix, example] of [['/vue/', 'vue-dapp'], ['/vanilla/', 'vanilla']]) {
  const built = path.join(root, 'examples', example, 'dist')
  if (existsSync(path.join(built, 'index.html'))) mounts[prefix] = built
}
const port = Number(process.env.PORT ?? 5173)
const server = await serveStatic(mounts, port)
console.log(`
  SessionLayer demo dApp: ${server.url}
  (Ctrl+C to stop)

  The dashed "Demo wallet" panel at the bottom right is the wallet: approve the connect request
  there, switch party or network, drop the connection, shorten the session TTL. Open a second tab
  to see them stay in step. ${server.url}?wallet=mock uses the in-memory mock wallet instead.
  Also: ${server.url}vue/ (Vue) and ${server.url}vanilla/ (no framework).
`)
