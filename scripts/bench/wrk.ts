// One wrk run on core 1 against a URL, and what it printed, parsed: req/s, latency percentiles, errors.
import { spawn } from 'node:child_process'
import { AUTHORIZATION } from './http.js'
import { BenchError, LOAD_CPU, track } from './processes.js'

export interface WrkResult {
  readonly requestsPerSecond: number
  readonly requests: number
  /** Latency percentiles, milliseconds. */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly non2xx3xx: number
  readonly socketErrors: number
}

export interface Load {
  readonly url: string
  readonly version: string
  readonly connections: number
  readonly seconds: number
}

export async function runWrk (load: Load): Promise<WrkResult> {
  const { code, output } = await spawnWrk(['-t1', `-c${load.connections}`, `-d${load.seconds}s`, '--latency',
    '-H', `Authorization: ${AUTHORIZATION}`, '-H', `Sequence-Version: ${load.version}`, load.url])
  if (code !== 0) throw new BenchError(`wrk ${load.url} exited with ${code}: ${output.trim()}`)
  return parseWrk(output)
}

/** wrk with `args` on the load core, to its end: its exit code and all it printed. */
export async function spawnWrk (args: readonly string[]): Promise<{ code: number | null, output: string }> {
  const child = spawn('taskset', ['-c', String(LOAD_CPU), 'wrk', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  track(child)
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => { output += text })
  child.stderr.setEncoding('utf8').on('data', (text: string) => { output += text })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  return { code, output }
}

export function parseWrk (output: string): WrkResult {
  const number = (pattern: RegExp): number => {
    const match = pattern.exec(output)
    if (match === null) throw new BenchError(`cannot read wrk's output (${pattern.source}):\n${output}`)
    return Number(match[1])
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  return {
    requestsPerSecond: number(/^Requests\/sec:\s+([\d.]+)/m),
    requests: number(/^\s*(\d+) requests in /m),
    p50Ms: latency(output, '50'),
    p99Ms: latency(output, '99'),
    non2xx3xx: /Non-2xx or 3xx responses: (\d+)/.exec(output) === null ? 0 : number(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socket === null ? 0 : socket.slice(1).reduce((sum, count) => sum + Number(count), 0)
  }
}

const MILLISECONDS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

function latency (output: string, percent: string): number {
  const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(output)
  if (match === null) return Number.NaN
  return Number(match[1]) * (MILLISECONDS[match[2] as string] ?? Number.NaN)
}
