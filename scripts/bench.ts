// npm run bench: the mock against a raw node:http baseline sending the same bytes, per request and dataset size, under wrk.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { contentHeaders, get, TRANSPORT_HEADERS } from './bench/http.js'
import { parseOptions, USAGE, UsageError, type Options } from './bench/options.js'
import {
  assertRunning, BenchError, build, checkPid, cpuSeconds, ensureTools, freePort, memoryOf, sampleRss, spawnPinned, stop, stopAll, waitForFirstAnswer, wrkVersion, type Server
} from './bench/processes.js'
import { formatDuration, median, renderReport, type RowResult, type SizeResult } from './bench/report.js'
import { describe, planRows, rowsFor, type PlannedRow, type Row } from './bench/rows.js'
import { runWrk, type WrkResult } from './bench/wrk.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const BASELINE = fileURLToPath(new URL('./bench/baseline.mjs', import.meta.url))
/** The servers' standard error and the baseline's answers; removed on every way out. */
const SCRATCH = mkdtempSync(join(tmpdir(), 'sequence-mock-bench-'))

async function main (args: readonly string[]): Promise<void> {
  const options = parseOptions(args)
  if (options.help) {
    process.stdout.write(USAGE)
    return
  }
  const started = performance.now()
  const loadBefore = loadAverage()
  const notes = ensureTools()
  if (options.build) build(ROOT)
  if (!existsSync(join(ROOT, 'dist/server.js'))) throw new BenchError('dist/server.js is missing: run npm run build (or drop --no-build)')
  if (!options.build) notes.push('--no-build: dist/ as it was, not rebuilt')

  const rows = rowsFor(options.quick)
  // --quick measures requests at the smallest and largest sizes only; start-up and memory at every size.
  const rowSizes = options.quick ? [...new Set([options.sizes[0] as number, options.sizes.at(-1) as number])] : options.sizes
  progress(`about ${formatDuration(estimateSeconds(options, rows, rowSizes.length))} of load to run, then the report on standard output`)
  const sizes: SizeResult[] = []
  const results: RowResult[] = []
  for (const size of options.sizes) {
    const measured = await benchSize(size, rowSizes.includes(size) ? rows : [], options, SCRATCH)
    sizes.push(measured.size)
    results.push(...measured.rows)
  }

  const run = {
    date: new Date().toISOString(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU',
    cores: availableParallelism(),
    node: process.version,
    wrk: wrkVersion(),
    options,
    notes,
    loadBefore,
    loadAfter: loadAverage(),
    sizes,
    rows: results,
    seconds: (performance.now() - started) / 1000
  }
  const report = renderReport(run)
  process.stdout.write(report)
  if (options.markdown !== undefined) writeFileSync(options.markdown, report)
  if (options.json !== undefined) writeFileSync(options.json, `${JSON.stringify(run, null, 2)}\n`)
}

/** One mock with `size` users: its start-up and memory, then each row against a baseline holding the mock's answers. */
async function benchSize (size: number, rows: readonly Row[], options: Options, scratch: string): Promise<{ size: SizeResult, rows: RowResult[] }> {
  progress(`${size.toLocaleString('en-US')} users: starting the mock`)
  const port = await freePort()
  const since = performance.now()
  const mock = spawnPinned('the mock', port, process.execPath, [join(ROOT, 'dist/server.js')], mockEnv(size, port), join(scratch, `mock-${size}.stderr`))
  let baseline: { server: Server, startupMs: number } | undefined
  let sampler: { stop: () => number } | undefined
  try {
    const startupMs = await waitForFirstAnswer(mock, since, options.startTimeoutSeconds * 1000)
    checkPid(mock)
    const pid = mock.child.pid as number
    const rssAfterStart = memoryOf(pid).rss
    progress(`${size.toLocaleString('en-US')} users: answered after ${Math.round(startupMs)} ms, RSS ${(rssAfterStart / 1e6).toFixed(1)} MB`)

    const planned = await planRows(port, rows)
    sampler = sampleRss(pid)
    const results: RowResult[] = []
    let load: string
    if (planned.length === 0) {
      // No rows at this size: a short load anyway, so that its memory is measured as at the others.
      const run = await runWrk({ url: `http://127.0.0.1:${port}/api/users?limit=100`, version: '2024-07-30', connections: options.connections, seconds: options.durationSeconds })
      assertRunning(mock)
      load = `${options.durationSeconds} s of GET /api/users?limit=100 (${Math.round(run.requestsPerSecond).toLocaleString('en-US')} req/s)`
    } else {
      baseline = await startBaseline(planned, scratch, size)
      for (const plan of planned) results.push(await measureRow(size, plan, mock, baseline.server, options))
      load = `the ${planned.length} requests above`
    }
    const maxRssUnderLoad = sampler.stop()
    return { size: { size, startupMs, baselineStartupMs: baseline?.startupMs, rssAfterStart, maxRssUnderLoad, peakRss: memoryOf(pid).peak, load }, rows: results }
  } finally {
    sampler?.stop()
    await stop(mock.child)
    if (baseline !== undefined) await stop(baseline.server.child)
  }
}

/** Only the settings the benchmark chooses: any SEQUENCE_MOCK_* of the caller's environment is dropped. */
function mockEnv (size: number, port: number): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SEQUENCE_MOCK_')))
  return {
    ...env,
    SEQUENCE_MOCK_HOST: '127.0.0.1',
    SEQUENCE_MOCK_PORT: String(port),
    SEQUENCE_MOCK_USERS: String(size),
    SEQUENCE_MOCK_SEED: '1',
    // The default, 1,500 a minute, would answer 429 within a second of load.
    SEQUENCE_MOCK_RATE_LIMIT: '0'
  }
}

/** The baseline with every row's answer, checked to send back the same status, headers and body as the mock. */
async function startBaseline (planned: readonly PlannedRow[], scratch: string, size: number): Promise<{ server: Server, startupMs: number }> {
  const file = join(scratch, `responses-${size}.json`)
  writeFileSync(file, JSON.stringify(planned.map(({ row, path, response }) => ({
    version: row.version,
    url: path,
    status: response.status,
    headers: response.headers.filter(([name]) => !TRANSPORT_HEADERS.has(name.toLowerCase())),
    body: response.body.toString('base64')
  }))))
  const port = await freePort()
  const first = planned[0] as PlannedRow
  const since = performance.now()
  const baseline = spawnPinned('the baseline', port, process.execPath, [BASELINE, file, String(port)], process.env, join(scratch, `baseline-${size}.stderr`))
  const startupMs = await waitForFirstAnswer(baseline, since, 10_000, first.path, first.row.version)
  checkPid(baseline)
  for (const { row, path, response } of planned) {
    const copy = await get(port, path, row.version, 10_000)
    const same = copy.status === response.status && copy.body.equals(response.body) &&
      JSON.stringify(contentHeaders(copy)) === JSON.stringify(contentHeaders(response))
    if (!same) throw new BenchError(`the baseline's answer to GET ${path} (${row.version}) differs from the mock's`)
  }
  return { server: baseline, startupMs }
}

/** Warm-up on each server, then alternating rounds, mock first; medians and their ratio. */
async function measureRow (size: number, plan: PlannedRow, mock: Server, baseline: Server, options: Options): Promise<RowResult> {
  // The server not under load shares core 0 and should sleep: CPU it uses meanwhile (a GC, work left
  // from start-up) is taken from the other, and is noted.
  const idleCpu = new Map<Server, number>([[mock, 0], [baseline, 0]])
  const load = async (server: Server, seconds: number): Promise<WrkResult> => {
    const idle = server === mock ? baseline : mock
    const before = cpuSeconds(idle.child.pid as number)
    try {
      return await runWrk({ url: `http://127.0.0.1:${server.port}${plan.path}`, version: plan.row.version, connections: options.connections, seconds })
    } finally {
      // A server that died under load explains wrk's failure or its errors better than wrk can.
      assertRunning(server)
      assertRunning(idle)
      idleCpu.set(idle, (idleCpu.get(idle) ?? 0) + cpuSeconds(idle.child.pid as number) - before)
    }
  }
  const label = `${size.toLocaleString('en-US')} users: ${describe(plan.row)} ${plan.row.page === 'by id' ? '' : `${plan.row.page} page `}${plan.row.version}`
  const problems = [...plan.problems]
  const check = (server: string, result: WrkResult): WrkResult => {
    if (result.non2xx3xx > 0) problems.push(`${server}: ${result.non2xx3xx} non-2xx/3xx answers`)
    if (result.socketErrors > 0) problems.push(`${server}: ${result.socketErrors} socket errors`)
    return result
  }
  if (options.warmupSeconds > 0) {
    progress(`${label}: warm-up`)
    check('mock warm-up', await load(mock, options.warmupSeconds))
    check('baseline warm-up', await load(baseline, options.warmupSeconds))
  }
  const mockRuns: WrkResult[] = []
  const baselineRuns: WrkResult[] = []
  for (let round = 1; round <= options.rounds; round++) {
    mockRuns.push(check('mock', await load(mock, options.durationSeconds)))
    baselineRuns.push(check('baseline', await load(baseline, options.durationSeconds)))
  }
  const loadedSeconds = options.warmupSeconds + options.rounds * options.durationSeconds
  const notes: string[] = []
  for (const [server, seconds] of idleCpu) {
    if (seconds > 0.05 * loadedSeconds) notes.push(`${server === mock ? 'the mock' : 'the baseline'} used ${(100 * seconds / loadedSeconds).toFixed(0)}% of core 0 while idle`)
  }
  const mockRps = median(mockRuns.map((result) => result.requestsPerSecond))
  const baselineRps = median(baselineRuns.map((result) => result.requestsPerSecond))
  const ratio = mockRps / baselineRps
  progress(`${label}: mock ${Math.round(mockRps).toLocaleString('en-US')} req/s, baseline ${Math.round(baselineRps).toLocaleString('en-US')} req/s, ratio ${ratio.toFixed(2)}`)
  return { size, row: plan.row, path: plan.path, bytes: plan.response.body.length, mock: mockRuns, baseline: baselineRuns, mockRps, baselineRps, ratio, problems: [...new Set(problems)], notes }
}

/** Seconds of wrk load the run will take, without start-up and wrk's own overhead. */
function estimateSeconds (options: Options, rows: readonly Row[], rowSizes: number): number {
  const perRow = 2 * (options.warmupSeconds + options.rounds * options.durationSeconds)
  return rowSizes * rows.length * perRow + (options.sizes.length - rowSizes) * options.durationSeconds
}

function loadAverage (): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
}

function progress (message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

let stopping = false
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    progress(`${signal}: stopping the servers`)
    void stopAll().finally(() => {
      rmSync(SCRATCH, { recursive: true, force: true })
      process.exit(code)
    })
  })
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  process.exitCode = 1
  const known = error instanceof UsageError || error instanceof BenchError
  console.error(`bench: ${known ? (error as Error).message : (error as Error).stack}`)
  if (error instanceof UsageError) console.error('Run npm run bench -- --help for the options.')
} finally {
  await stopAll()
  rmSync(SCRATCH, { recursive: true, force: true })
}
