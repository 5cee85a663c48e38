import { spawn } from 'node:child_process'

/** What a child Node process did: its exit code ('timeout' when it was still alive) and output. */
export interface NodeRun {
  code: number | null | 'timeout'
  stdout: string
  stderr: string
}

/**
 * Runs `code` in a fresh Node process, as an ES module unless `type` says otherwise, in `cwd` (for
 * what it imports by name) when given; resolves its exit code and output, or `'timeout'` if it is
 * still alive after `ms` (it is killed then). Used for what must not run in the shared test worker:
 * whether a process exits, and global, irreversible changes (a polluted prototype, `lockdown()`).
 */
export function runNode(code: string, { type = 'module', ms = 5000, cwd }: { type?: 'module' | 'commonjs'; ms?: number; cwd?: string } = {}) {
  return new Promise<NodeRun>((resolve) => {
    const child = spawn(process.execPath, [`--input-type=${type}`, '-e', code], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve({ code: 'timeout', stdout, stderr })
    }, ms)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
