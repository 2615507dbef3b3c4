// npm run walk: concurrent keyset walks of every version, both ways, against the built mock while writers change its users; 0 errors, repeats or skips.
import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { API_VERSIONS } from '../src/contract/versions.js'
import { stop } from './bench/processes.js'
import { Client } from './load/http.js'
import { CannotRun, exitOf, prepareDist, runScript, scratchFolder, startMock } from './load/mock.js'
import { integerOption } from './load/options.js'
import { readStartData } from './load/start-data.js'
import { VIOLATIONS, walk, type Direction, type Violation, type WalkPlan, type WalkResult } from './load/walks.js'
import { WRITE_KINDS, Writers, type WriteKind } from './load/writers.js'

const LIMITS = [1, 5, 20, 50, 100] as const

const USAGE = `Usage: npm run walk -- [options]

Starts the mock (node dist/server.js, built first) on 127.0.0.1, once per delete mode, and has
concurrent keep-alive clients walk every page of GET /api/users, forward (after) and backward
(before), in every API version and at limits ${LIMITS.join(', ')}, again and again, while writers add
users (POST /_mock/users: newest, in the middle, at a tie), update them (PUT /api/users/{id}),
delete them (DELETE /api/users/{id}), remove them (DELETE /_mock/users/{id}), and every few seconds
reset the data (POST /_mock/reset, or PUT /_mock/users with the start data). Each walk must get
200 pages of the version's shape, see no user twice, keep list order, and, unless a reset ran
during it, see every user that existed throughout. Exit 0: no violation; 1: violations (each
listed); 2: it could not run.

  --duration <s>      seconds of walking per delete mode (default 30; quick 7)
  --rounds <n>        stop a mode once every version, direction and limit has been walked n times
                      (with no --duration, only this bounds the run)
  --quick             a run of about 15 s: 7 s per mode, 500 users
  --mode <mode>       soft, hard or both (default both)
  --users <n>         generated users at start (default 2000; quick 500), 2 to 100000
  --clients <n>       walking clients, one keep-alive connection each (default 16)
  --writers <n>       writing clients (default 2)
  --write-rate <n>    writes per second, all writers together (default 100)
  --reset-every <s>   seconds between resets, 0 for none (default 10; quick 3)
  --no-build          use dist/ as it is instead of running npm run build first
  --json              print the report as JSON instead of text
  --help              this text
`

const DIRECTIONS: readonly Direction[] = ['forward', 'backward']
const MODES = ['soft', 'hard'] as const
type Mode = typeof MODES[number]
/** Examples of each kind of violation shown per mode. */
const EXAMPLES = 5

interface Options {
  readonly seconds: number | undefined
  readonly rounds: number | undefined
  readonly modes: readonly Mode[]
  readonly users: number
  readonly clients: number
  readonly writers: number
  readonly writeRate: number
  readonly resetEverySeconds: number
  readonly build: boolean
  readonly json: boolean
}

interface ModeReport {
  readonly mode: Mode
  readonly users: number
  readonly seconds: number
  readonly requests: number
  readonly requestsPerSecond: number
  readonly pages: number
  /** Walks completed, by "version direction": all of them, and those with no reset during them (fully checked). */
  readonly walks: Record<string, { completed: number, fullyChecked: number }>
  /** Walks completed, by limit. */
  readonly walksByLimit: Record<string, number>
  readonly cutOff: number
  readonly writes: Record<WriteKind, number>
  readonly writeFailures: number
  readonly violations: Record<Violation | 'writes' | 'coverage' | 'mockExited', number>
  readonly examples: readonly string[]
}

const SCRATCH = scratchFolder('walk')

await runScript('walk', SCRATCH, async () => {
  const options = parseOptions(process.argv.slice(2))
  if (options === undefined) {
    process.stdout.write(USAGE)
    return 0
  }
  prepareDist(options.build)
  const reports: ModeReport[] = []
  for (const mode of options.modes) reports.push(await runMode(mode, options))
  process.stdout.write(options.json ? `${JSON.stringify({ options, modes: reports }, null, 2)}\n` : reports.map(render).join('\n'))
  return reports.some((report) => Object.values(report.violations).some((count) => count > 0)) ? 1 : 0
})

async function runMode (mode: Mode, options: Options): Promise<ModeReport> {
  progress(`${mode} delete: starting the mock with ${options.users} users`)
  const server = await startMock({
    pinned: false,
    stderrFile: join(SCRATCH, `mock-${mode}.stderr`),
    settings: { SEQUENCE_MOCK_USERS: String(options.users), SEQUENCE_MOCK_RATE_LIMIT: '0', SEQUENCE_MOCK_LOG_LEVEL: 'warn', SEQUENCE_MOCK_DELETE_MODE: mode }
  })
  try {
    const start = await readStartData(server.port, options.clients)
    progress(`${mode} delete: read ${start.length} users and their creation times; walking${options.seconds === undefined ? '' : ` for ${options.seconds} s`}`)
    const writers = new Writers({ port: server.port, hardDelete: mode === 'hard', writers: options.writers, rate: options.writeRate, resetEverySeconds: options.resetEverySeconds }, start)
    const plans = API_VERSIONS.flatMap((version) => DIRECTIONS.flatMap((direction) => LIMITS.map((limit): WalkPlan => ({ version, direction, limit }))))
    const completed = new Map<WalkPlan, number>(plans.map((plan) => [plan, 0]))
    const results: WalkResult[] = []
    let cutOff = 0
    let next = 0
    const began = performance.now()
    const deadline = options.seconds === undefined ? Infinity : began + options.seconds * 1000
    const finished = (): boolean => performance.now() > deadline || (options.rounds !== undefined && [...completed.values()].every((count) => count >= options.rounds!))
    writers.start()
    await Promise.all(Array.from({ length: options.clients }, async () => {
      const client = new Client(server.port)
      // A mock that exited fails every request: one violation says it, not thousands of walks.
      while (!finished() && exitOf(server) === undefined) {
        const plan = plans[next++ % plans.length] as WalkPlan
        const result = await walk(client, plan, writers, deadline)
        if (result === undefined) cutOff++
        else {
          results.push(result)
          completed.set(plan, (completed.get(plan) ?? 0) + 1)
        }
      }
      client.close()
    }))
    await writers.stop()
    const seconds = (performance.now() - began) / 1000
    return summarize(mode, start.length, seconds, results, cutOff, writers, exitOf(server))
  } finally {
    await stop(server.child)
  }
}

function summarize (mode: Mode, users: number, seconds: number, results: readonly WalkResult[], cutOff: number, writers: Writers, exited: string | undefined): ModeReport {
  const walks: ModeReport['walks'] = {}
  for (const version of API_VERSIONS) for (const direction of DIRECTIONS) walks[`${version} ${direction}`] = { completed: 0, fullyChecked: 0 }
  const violations = Object.fromEntries([...VIOLATIONS, 'writes', 'coverage', 'mockExited'].map((kind) => [kind, 0])) as ModeReport['violations']
  const examples = new Map<string, string[]>()
  const example = (kind: string, message: string): void => {
    const list = examples.get(kind) ?? []
    if (list.length < EXAMPLES) list.push(message)
    examples.set(kind, list)
  }
  const walksByLimit: Record<string, number> = Object.fromEntries(LIMITS.map((limit) => [limit, 0]))
  for (const result of results) {
    walksByLimit[result.plan.limit] = (walksByLimit[result.plan.limit] ?? 0) + 1
    const counts = walks[`${result.plan.version} ${result.plan.direction}`] as { completed: number, fullyChecked: number }
    counts.completed++
    if (!result.overlappedReset) counts.fullyChecked++
    const label = `${result.plan.direction} walk, limit ${result.plan.limit}, ${result.plan.version}${result.overlappedReset ? ' (during a reset)' : ''}`
    for (const [kind, count] of Object.entries(result.violations) as Array<[Violation, number]>) violations[kind] += count
    for (const message of result.examples) example(message.slice(0, message.indexOf(':')), `${label}: ${message}`)
  }
  if (exited !== undefined) {
    violations.mockExited = 1
    example('mockExited', exited)
  }
  violations.writes = writers.failures
  for (const message of writers.failureExamples) example('writes', message)
  for (const [key, counts] of Object.entries(walks)) {
    if (counts.fullyChecked === 0) {
      violations.coverage++
      example('coverage', `no ${key} walk finished without a reset during it: nothing was checked there (run longer, or reset less often)`)
    }
  }
  const requests = writers.requests
  return {
    mode,
    users,
    seconds,
    requests,
    requestsPerSecond: requests / seconds,
    pages: results.reduce((sum, result) => sum + result.pages, 0),
    walks,
    walksByLimit,
    cutOff,
    writes: { ...writers.done },
    writeFailures: writers.failures,
    violations,
    examples: [...examples.values()].flat()
  }
}

function render (report: ModeReport): string {
  const lines = [
    `## Walk under mutation, ${report.mode} delete (${report.users.toLocaleString('en-US')} users at start)`,
    '',
    `${report.seconds.toFixed(1)} s, ${report.requests.toLocaleString('en-US')} requests (${Math.round(report.requestsPerSecond).toLocaleString('en-US')} req/s), ${report.pages.toLocaleString('en-US')} pages walked; ${report.cutOff} walks cut off at the end (not checked).`,
    '',
    '| Version | Direction | Walks completed | Fully checked (no reset during it) |',
    '|---|---|---:|---:|',
    ...Object.entries(report.walks).map(([key, counts]) => `| ${key.replace(' ', ' | ')} | ${counts.completed} | ${counts.fullyChecked} |`),
    '',
    `Walks completed by limit: ${Object.entries(report.walksByLimit).map(([limit, count]) => `${limit}: ${count}`).join(', ')}.`,
    '',
    `Writes: ${WRITE_KINDS.map((kind) => `${kind} ${report.writes[kind]}`).join(', ')}.`,
    '',
    `Violations: ${Object.entries(report.violations).map(([kind, count]) => `${kind} ${count}`).join(', ')}.`,
    ...report.examples.map((message) => `- ${message}`),
    ''
  ]
  return `${lines.join('\n')}\n`
}

function parseOptions (args: readonly string[]): Options | undefined {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      options: {
        duration: { type: 'string' },
        rounds: { type: 'string' },
        quick: { type: 'boolean' },
        mode: { type: 'string' },
        users: { type: 'string' },
        clients: { type: 'string' },
        writers: { type: 'string' },
        'write-rate': { type: 'string' },
        'reset-every': { type: 'string' },
        'no-build': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' }
      }
    }).values
  } catch (error) {
    throw new CannotRun(`${(error as Error).message}\n${USAGE}`)
  }
  if (parsed.help === true) return undefined
  const quick = parsed.quick === true
  const mode = parsed.mode ?? 'both'
  if (!['soft', 'hard', 'both'].includes(mode)) throw new CannotRun(`--mode must be soft, hard or both, not ${JSON.stringify(mode)}`)
  const rounds = parsed.rounds === undefined ? undefined : integerOption('--rounds', parsed.rounds, 1, 1_000_000)
  return {
    seconds: parsed.duration !== undefined ? integerOption('--duration', parsed.duration, 1, 86_400) : rounds !== undefined ? undefined : quick ? 7 : 30,
    rounds,
    modes: mode === 'both' ? MODES : [mode as Mode],
    users: integerOption('--users', parsed.users ?? (quick ? '500' : '2000'), 2, 100_000),
    clients: integerOption('--clients', parsed.clients ?? '16', 1, 1000),
    writers: integerOption('--writers', parsed.writers ?? '2', 1, 100),
    writeRate: integerOption('--write-rate', parsed['write-rate'] ?? '100', 1, 100_000),
    resetEverySeconds: integerOption('--reset-every', parsed['reset-every'] ?? (quick ? '3' : '10'), 0, 86_400),
    build: parsed['no-build'] !== true,
    json: parsed.json === true
  }
}

function progress (message: string): void {
  process.stderr.write(`walk: ${message}\n`)
}
