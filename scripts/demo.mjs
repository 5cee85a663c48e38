#!/usr/bin/env node
// `pnpm demo`: builds the packages and the React example dApp (with its demo wallet), then
// serves it on 127.0.0.1 and prints the URL. `--build-only` stops after the build (used by e2e).
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

const port = Number(process.env.PORT ?? 5173)
const server = await serveStatic({ '/': dist }, port)
console.log(`\n  SessionLayer demo dApp: ${server.url}\n  (Ctrl+C to stop)\n`)
