// The fuzzer's command line: how many requests, how long at most, the seed, the concurrency, the build, the output.
import { parseArgs } from 'node:util'

export const USAGE = `Usage: npm run fuzz -- [options]

Starts the mock (node dist/server.js, built first) on a free port of 127.0.0.1 and sends it hostile
requests: malformed cursors, limits, headers, paths, methods and bodies on every route, the /_mock
admin API (first without, then with SEQUENCE_MOCK_ADMIN_TOKEN), and raw bytes that Node's HTTP
parser itself rejects. Slow and idle clients run beside them. Reports every 5xx, error body outside
the envelope, leaked internal detail, HEAD answer with a body, hang, missing answer and malformed
response, and whether the mock still answers afterwards.
Exit 0 when nothing was found, 1 when something was, 2 when the fuzzer could not run.

  --requests <n>       requests in total (default 100000; --quick 10000)
  --duration <s>       a hard cap on the run's time, in seconds (default 300; --quick 60)
  --quick              a short run for CI: 10,000 requests within 60 s
  --seed <n>           the seed of the generated requests, 0 to 4294967295 (default: random;
                       printed, so a run can be repeated)
  --concurrency <n>    requests in flight at once (default 16)
  --timeout <ms>       how long one request may wait for its answer before it counts as a hang
                       (default 5000)
  --raw-share <p>      the share of raw-socket cases, 0 to 1 (default 0.2)
  --token-share <p>    the share of requests sent to a second mock started with
                       SEQUENCE_MOCK_ADMIN_TOKEN (and a second, non-example credential), 0 to 1
                       (default 0.15)
  --case <n>           send only request number n of the run (with --seed), to a fresh mock, and
                       print every byte sent and received: a finding's reproducer
  --no-build           use dist/ as it is instead of running npm run build first
  --json               print the summary as JSON instead of text
  --help               this text
`

export interface Options {
  readonly help: boolean
  readonly quick: boolean
  readonly requests: number
  readonly durationSeconds: number
  readonly seed: number
  readonly concurrency: number
  readonly timeoutMs: number
  readonly rawShare: number
  readonly tokenShare: number
  readonly build: boolean
  readonly json: boolean
  /** Only this case, shown in full. */
  readonly case: number | undefined
}

/** Bad usage (exit 2): the message says what to change. */
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
        requests: { type: 'string' },
        duration: { type: 'string' },
        quick: { type: 'boolean' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        'raw-share': { type: 'string' },
        'token-share': { type: 'string' },
        case: { type: 'string' },
        'no-build': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' }
      }
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const quick = values.quick === true
  return {
    help: values.help === true,
    quick,
    requests: integer('--requests', values.requests, quick ? 10_000 : 100_000, 1, 100_000_000),
    durationSeconds: integer('--duration', values.duration, quick ? 60 : 300, 1, 86_400),
    seed: integer('--seed', values.seed, Math.floor(Math.random() * 2 ** 32), 0, 2 ** 32 - 1),
    concurrency: integer('--concurrency', values.concurrency, 16, 1, 1000),
    timeoutMs: integer('--timeout', values.timeout, 5000, 100, 600_000),
    rawShare: share('--raw-share', values['raw-share'], 0.2),
    tokenShare: share('--token-share', values['token-share'], 0.15),
    build: values['no-build'] !== true,
    json: values.json === true,
    case: values.case === undefined ? undefined : integer('--case', values.case, 0, 0, 100_000_000)
  }
}

function integer (option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback
  const value = Number(text.replaceAll('_', ''))
  if (!/^\d[\d_]*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`)
  }
  return value
}

function share (option: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw new UsageError(`${option} must be a number from 0 to 1, not ${JSON.stringify(text)}`)
  return value
}
