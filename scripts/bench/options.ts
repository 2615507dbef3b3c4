// The benchmark's command line: how long, how many rounds and connections, which dataset sizes, where to write results.
import { parseArgs } from 'node:util'

export const MAX_USERS = 10_000_000
export const DEFAULT_SIZES = [1_000, 1_000_000, 10_000_000] as const

export const USAGE = `Usage: npm run bench -- [options]

Measures the mock (node dist/server.js, built first) against a raw node:http server that answers
with the same bytes, under wrk on 127.0.0.1, server on core 0 and load on core 1. Prints Markdown
tables with the ratio mock/baseline per request, start-up time and RSS per dataset size, and
whether each target is met. Exit 0 when it ran (targets met or not), 1 when it could not run.

  --quick                a run of about a minute: 1 round of 1 s, 1 s warm-up, 3 requests at the
                         smallest and largest size (start-up and RSS still at every size)
  --rounds <n>           alternating rounds per request, mock then baseline (default 3; quick 1)
  --duration <s>         seconds of load per round, whole seconds (default 3; quick 1)
  --warmup <s>           seconds of load per server before the rounds, not counted, 0 for none
                         (default 2; quick 1)
  --connections <n>      wrk connections (default 32)
  --sizes <list>         dataset sizes, comma-separated, up to ${MAX_USERS}
                         (default ${DEFAULT_SIZES.join(',')})
  --start-timeout <s>    how long the mock may take to answer its first request (default 180)
  --no-build             use dist/ as it is instead of running npm run build first
  --json <file>          also write every measurement as JSON
  --markdown <file>      also write the report as Markdown
  --help                 this text
`

export interface Options {
  readonly help: boolean
  readonly quick: boolean
  readonly rounds: number
  readonly durationSeconds: number
  readonly warmupSeconds: number
  readonly connections: number
  readonly sizes: readonly number[]
  readonly startTimeoutSeconds: number
  readonly build: boolean
  readonly json: string | undefined
  readonly markdown: string | undefined
}

/** Bad usage: the message says what to change. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export function parseOptions (args: readonly string[]): Options {
  let values
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        rounds: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        sizes: { type: 'string' },
        'start-timeout': { type: 'string' },
        'no-build': { type: 'boolean' },
        json: { type: 'string' },
        markdown: { type: 'string' },
        help: { type: 'boolean' }
      }
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const quick = values.quick === true
  const sizes = values.sizes === undefined ? [...DEFAULT_SIZES] : parseSizes(values.sizes)
  return {
    help: values.help === true,
    quick,
    rounds: integer('--rounds', values.rounds, quick ? 1 : 3, 1, 100),
    // wrk takes whole seconds only.
    durationSeconds: integer('--duration', values.duration, quick ? 1 : 3, 1, 600),
    warmupSeconds: integer('--warmup', values.warmup, quick ? 1 : 2, 0, 600),
    connections: integer('--connections', values.connections, 32, 1, 10_000),
    sizes,
    startTimeoutSeconds: integer('--start-timeout', values['start-timeout'], 180, 1, 3600),
    build: values['no-build'] !== true,
    json: values.json,
    markdown: values.markdown
  }
}

function parseSizes (text: string): number[] {
  const sizes = text.split(',').map((part) => integer('--sizes', part.trim().replaceAll('_', ''), 0, 1, MAX_USERS))
  if (new Set(sizes).size !== sizes.length) throw new UsageError('--sizes must not repeat a size')
  return sizes.sort((a, b) => a - b)
}

function integer (option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`)
  }
  return value
}
