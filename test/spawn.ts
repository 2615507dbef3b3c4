// Starts the mock in its own process (src/server.ts or src/cli.ts through tsx), for tests about the process itself.
import { spawn } from 'node:child_process'
import { once } from 'node:events'

export interface Run { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

export function startMock (entry: 'server' | 'cli', args: string[] = [], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', `src/${entry}.ts`, ...args], {
    env: { ...process.env, SEQUENCE_MOCK_LOG_LEVEL: 'silent', SEQUENCE_MOCK_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += chunk })
  child.stderr.on('data', (chunk) => { stderr += chunk })
  // 'close', not 'exit': the child's output is then read to its end.
  const exited: Promise<Run> = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr }))
  /** The printed base URL, e.g. http://127.0.0.1:41235/api, once the mock listens. */
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const url = /listening on (http:\S+)/.exec(stdout)?.[1]
      if (url !== undefined) resolve(url)
    })
    void exited.then((run) => reject(new Error(`the mock exited ${run.code}: ${run.stderr}`)))
  })
  listening.catch(() => {}) // only the tests that wait for it care
  return { child, listening, exited }
}
