// The mock under load: built, started on a free port with only the settings a script chooses, and stopped on every way out.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assertRunning, BenchError, build, checkPid, freePort, SERVER_CPU, stopAll, track, waitForFirstAnswer, type Server } from '../bench/processes.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** The script cannot run (exit 2): bad usage, a missing tool, a build or a mock that fails (the benchmark's BenchError counts too). */
export class CannotRun extends Error {
  override name = 'CannotRun'
}

export interface MockOptions {
  /** SEQUENCE_MOCK_* settings; every other SEQUENCE_MOCK_* of the caller's environment is dropped. */
  readonly settings: Readonly<Record<string, string>>
  /** Arguments to node before dist/server.js, e.g. `--import <monitor>`. */
  readonly nodeArgs?: readonly string[]
  /** Extra environment variables (not SEQUENCE_MOCK_*), e.g. where a monitor writes. */
  readonly env?: Readonly<Record<string, string>>
  /** Pinned to core 0 with taskset, as the benchmark does. */
  readonly pinned: boolean
  readonly stderrFile: string
  /** Where standard output (the request log) goes; nowhere by default. */
  readonly stdoutFile?: string
}

/** `npm run build` unless `--no-build`; either way dist/server.js must be there. */
export function prepareDist (buildFirst: boolean): void {
  if (buildFirst) build(ROOT)
  if (!existsSync(join(ROOT, 'dist/server.js'))) throw new CannotRun('dist/server.js is missing: run npm run build (or drop --no-build)')
}

/**
 * `node dist/server.js` on 127.0.0.1 and a free port, once it answers GET /api/users. Pinned, it runs
 * as `taskset -c 0 node …`: taskset execs node, so the child's pid is the server's own.
 */
export async function startMock (options: MockOptions): Promise<Server> {
  const port = await freePort()
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SEQUENCE_MOCK_')))
  const env = { ...inherited, ...options.env, SEQUENCE_MOCK_HOST: '127.0.0.1', SEQUENCE_MOCK_PORT: String(port), ...options.settings }
  const command = [process.execPath, ...(options.nodeArgs ?? []), join(ROOT, 'dist/server.js')]
  if (options.pinned) command.unshift('taskset', '-c', String(SERVER_CPU))
  const stdout = options.stdoutFile === undefined ? 'ignore' : openSync(options.stdoutFile, 'w')
  const stderr = openSync(options.stderrFile, 'w')
  const child = spawn(command[0] as string, command.slice(1), { stdio: ['ignore', stdout, stderr], env })
  if (typeof stdout === 'number') closeSync(stdout)
  closeSync(stderr)
  track(child)
  const server = { name: 'the mock', port, child, stderrFile: options.stderrFile }
  await waitForFirstAnswer(server, performance.now(), 60_000)
  if (options.pinned) checkPid(server)
  return server
}

/** Undefined while the mock runs; once it has exited, how (its code or signal, and the end of its standard error). */
export function exitOf (server: Server): string | undefined {
  try {
    assertRunning(server)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

/** A scratch folder for the servers' standard error and generated files, removed on every way out. */
export function scratchFolder (name: string): string {
  return mkdtempSync(join(tmpdir(), `sequence-mock-${name}-`))
}

/**
 * Runs `main`; exit 2 when it cannot run, its own code otherwise; every process it started is
 * stopped and the scratch folder removed on every way out, Ctrl-C included.
 */
export async function runScript (name: string, scratch: string, main: () => Promise<number>): Promise<void> {
  let stopping = false
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (stopping) return
      stopping = true
      process.stderr.write(`${name}: ${signal}: stopping the processes it started\n`)
      void stopAll().finally(() => {
        rmSync(scratch, { recursive: true, force: true })
        process.exit(code)
      })
    })
  }
  try {
    process.exitCode = await main()
  } catch (error) {
    // Stopped by a signal: what failed is only the processes it ended.
    if (stopping) return
    process.exitCode = 2
    const known = error instanceof CannotRun || error instanceof BenchError
    process.stderr.write(`${name}: ${known ? (error as Error).message : (error as Error).stack}\n`)
  } finally {
    await stopAll()
    rmSync(scratch, { recursive: true, force: true })
  }
}
