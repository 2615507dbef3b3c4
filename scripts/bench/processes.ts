// The processes the benchmark runs: tools it needs, the build, servers pinned to a core, their start-up and memory, and their end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { get } from './http.js'

/** The benchmark cannot run: the message says why (exit 1). */
export class BenchError extends Error {
  override name = 'BenchError'
}

/** Core 0 serves, core 1 loads: they never compete for one core. */
export const SERVER_CPU = 0
export const LOAD_CPU = 1

const running = new Set<ChildProcess>()

/** wrk and taskset from Debian's packages, installed when missing; what was done, for the report. */
export function ensureTools (): string[] {
  const notes: string[] = []
  if (!works('taskset', ['--version'])) {
    notes.push(install('util-linux'))
    if (!works('taskset', ['--version'])) throw new BenchError('taskset is missing and could not be installed: apt-get install util-linux, then run again')
  }
  if (!works('wrk', ['-v'])) {
    notes.push(install('wrk'))
    if (!works('wrk', ['-v'])) throw new BenchError('wrk is missing and could not be installed: apt-get install wrk, then run again')
  }
  if (availableParallelism() < 2 || spawnSync('taskset', ['-c', String(LOAD_CPU), 'true']).status !== 0) {
    throw new BenchError(`the benchmark needs cores ${SERVER_CPU} and ${LOAD_CPU} (server and load apart); this process may use ${availableParallelism()}`)
  }
  return notes
}

function works (command: string, args: string[]): boolean {
  // wrk -v prints its version and exits 1: only "not found" counts as missing.
  return spawnSync(command, args, { stdio: 'ignore' }).error === undefined
}

function install (name: string): string {
  process.stderr.write(`bench: ${name} is missing; installing it with apt-get install -y ${name}\n`)
  const apt = (args: string[]): boolean => spawnSync('apt-get', args, { stdio: ['ignore', 2, 2] }).status === 0
  if (!apt(['install', '-y', name])) {
    apt(['update'])
    apt(['install', '-y', name])
  }
  return `${name} was missing: installed with apt-get install -y ${name}`
}

export function wrkVersion (): string {
  const output = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  return /^wrk\s+(\S+)/.exec(`${output.stdout}${output.stderr}`)?.[1] ?? 'unknown'
}

export function build (root: string): void {
  process.stderr.write('bench: npm run build\n')
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (result.status !== 0) throw new BenchError('npm run build failed (its output is above)')
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

export interface Server {
  readonly name: string
  readonly port: number
  readonly child: ChildProcess
  /** The file its standard error goes to, read when it fails. */
  readonly stderrFile: string
}

/**
 * `taskset -c 0 <command>`: pinned from the start, so the runtime's helper threads stay on core 0
 * too. taskset execs the command, so the child's pid is the server's own (checked by `checkPid`).
 * Standard output (the per-request log) goes nowhere, as a user's would when not read.
 */
export function spawnPinned (name: string, port: number, command: string, args: string[], env: NodeJS.ProcessEnv, stderrFile: string): Server {
  const stderr = openSync(stderrFile, 'w')
  const child = spawn('taskset', ['-c', String(SERVER_CPU), command, ...args], { stdio: ['ignore', 'ignore', stderr], env })
  closeSync(stderr)
  running.add(child)
  child.on('exit', () => running.delete(child))
  return { name, port, child, stderrFile }
}

/** Milliseconds from `since` to the first 200 answer of GET `path` (default /api/users), polling every 5 ms. */
export async function waitForFirstAnswer (server: Server, since: number, timeoutMs: number, path = '/api/users', version = '2024-07-30'): Promise<number> {
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new BenchError(`${server.name} exited (${server.child.exitCode ?? server.child.signalCode}) before answering: ${stderrTail(server)}`)
    }
    try {
      const response = await get(server.port, path, version, 1000)
      if (response.status === 200) return performance.now() - since
      throw new BenchError(`${server.name} answered GET ${path} with ${response.status}, not 200: ${response.body.toString('utf8').slice(0, 300)}`)
    } catch (error) {
      if (error instanceof BenchError) throw error
      // Refused (not listening yet) or no answer within the timeout (still building): try again.
    }
    if (performance.now() - since > timeoutMs) throw new BenchError(`${server.name} did not answer GET ${path} within ${timeoutMs / 1000} s (--start-timeout)`)
    await sleep(5)
  }
}

/** Throws when the server has exited, with its exit code or signal and the end of its standard error. */
export function assertRunning (server: Server): void {
  const { exitCode, signalCode } = server.child
  if (exitCode === null && signalCode === null) return
  throw new BenchError(`${server.name} (pid ${server.child.pid}) exited (${exitCode ?? signalCode}) during the run: ${stderrTail(server)}`)
}

function stderrTail (server: Server): string {
  try {
    return readFileSync(server.stderrFile, 'utf8').trim().slice(-1000) || '(nothing on standard error)'
  } catch {
    return '(no standard error)'
  }
}

/** The pid must be the server's, not taskset's, or the memory read would be taskset's. */
export function checkPid (server: Server): void {
  const comm = readFileSync(`/proc/${server.child.pid}/comm`, 'utf8').trim()
  if (comm !== 'node') throw new BenchError(`pid ${server.child.pid} is ${comm}, not node: taskset did not exec the server`)
  const allowed = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1]
  if (allowed !== String(SERVER_CPU)) throw new BenchError(`${server.name} may run on cores ${allowed}, not only ${SERVER_CPU}`)
}

export interface Memory {
  /** Resident set size now, bytes. */
  readonly rss: number
  /** The highest resident set size so far (VmHWM), bytes. */
  readonly peak: number
}

export function memoryOf (pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kilobytes = (field: string): number => Number(new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
  return { rss: kilobytes('VmRSS') * 1024, peak: kilobytes('VmHWM') * 1024 }
}

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/** CPU seconds the process has used so far, user and system (`/proc/<pid>/stat` fields 14 and 15). */
export function cpuSeconds (pid: number): number {
  // The command name, field 2, is in parentheses and may hold spaces: count fields after its end.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** Samples the resident set size every 100 ms until stopped; the highest seen. */
export function sampleRss (pid: number): { stop: () => number } {
  let max = 0
  const read = (): void => {
    try {
      max = Math.max(max, memoryOf(pid).rss)
    } catch {
      // The process is gone; its end is reported elsewhere.
    }
  }
  read()
  // Unref'd: a run that fails under load must still be able to exit.
  const timer = setInterval(read, 100).unref()
  return { stop: () => { clearInterval(timer); read(); return max } }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
export async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(killer)
}

/** Every process still running that this benchmark started, on any way out. */
export async function stopAll (): Promise<void> {
  await Promise.all([...running].map(stop))
}

/** For processes that are not servers (wrk): tracked so that Ctrl-C ends them too. */
export function track (child: ChildProcess): void {
  running.add(child)
  child.on('exit', () => running.delete(child))
}
