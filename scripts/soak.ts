// npm run soak: the built mock under full wrk load for minutes, journal on, measured from inside; RSS, event-loop delay and journal memory must hold.
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { ensureTools } from './bench/processes.js'
import { parseWrk, spawnWrk, type WrkResult } from './bench/wrk.js'
import { Client } from './load/http.js'
import { CannotRun, exitOf, prepareDist, runScript, scratchFolder, startMock } from './load/mock.js'
import { integerOption } from './load/options.js'
import { luaScript, parseCounts, planMix, unexpectedAnswers, type StatusCounts } from './load/soak-mix.js'
import { journalVerdict, loopVerdict, mb, readWindows, rssVerdict, type Verdict, type Window } from './load/windows.js'

const USAGE = `Usage: npm run soak -- [options]

Starts the mock (node dist/server.js, built first) pinned to core 0 with the request journal on,
logging at info, rate limit off, and a preload (scripts/load/monitor.mjs) that measures its
event-loop delay, memory and requests per window from inside. wrk on core 1 then loads it at full
speed with a cycle of varied requests (list pages with real cursors in every version, by id,
404, 400, 401, the journal, and about 5% writes through the API and /_mock), while the script
sends HEAD requests and polls GET /_mock/requests. After the warm-up, the verdicts: RSS grows less
than 10%, event-loop p99 does not grow, the journal stays at its bound and heapUsed does not trend
up, and no answer has a status its request should not get. Exit 0: every verdict holds; 1: one
fails; 2: it could not run. Needs Linux, 2 cores, wrk and taskset.

  --duration <s>       seconds of full load measured, after the warm-up (default 120; quick 20)
  --warmup <s>         seconds of full load before, not judged (default 20; quick 10)
  --window <s>         seconds per measurement window (default 10; quick 5)
  --quick              a smoke run of about 30 s
  --users <n>          generated users (default 10000)
  --journal-size <n>   SEQUENCE_MOCK_JOURNAL_SIZE (default 1000)
  --connections <n>    wrk's connections (default 32)
  --log-file <path>    where the mock's request log goes (default: nowhere, /dev/null)
  --no-build           use dist/ as it is instead of running npm run build first
  --json               print the report as JSON instead of text
  --help               this text
`

const MONITOR = fileURLToPath(new URL('./load/monitor.mjs', import.meta.url))
const SCRATCH = scratchFolder('soak')
/** HEAD requests from the script itself: wrk cannot read the answer to a HEAD (wg/wrk#198). */
const HEAD_EVERY_MS = 100

interface Options {
  readonly seconds: number
  readonly warmupSeconds: number
  readonly windowSeconds: number
  readonly users: number
  readonly journalSize: number
  readonly connections: number
  readonly logFile: string | undefined
  readonly build: boolean
  readonly json: boolean
}

await runScript('soak', SCRATCH, async () => {
  const options = parseOptions(process.argv.slice(2))
  if (options === undefined) {
    process.stdout.write(USAGE)
    return 0
  }
  ensureTools()
  prepareDist(options.build)
  const monitorFile = join(SCRATCH, 'monitor.jsonl')
  progress(`starting the mock with ${options.users} users, journal ${options.journalSize}`)
  const server = await startMock({
    pinned: true,
    nodeArgs: ['--import', MONITOR],
    env: { SOAK_MONITOR_FILE: monitorFile, SOAK_MONITOR_WINDOW_MS: String(options.windowSeconds * 1000) },
    stderrFile: join(SCRATCH, 'mock.stderr'),
    ...(options.logFile !== undefined && { stdoutFile: options.logFile }),
    settings: {
      SEQUENCE_MOCK_USERS: String(options.users),
      SEQUENCE_MOCK_RATE_LIMIT: '0',
      SEQUENCE_MOCK_LOG_LEVEL: 'info',
      SEQUENCE_MOCK_JOURNAL_SIZE: String(options.journalSize)
    }
  })
  const mix = await planMix(server.port, options.users)
  const script = join(SCRATCH, 'mix.lua')
  writeFileSync(script, luaScript(mix))

  // Load starts at a window's boundary, so that windows are all load or all idle.
  const loadStart = await nextBoundary(monitorFile, options.windowSeconds)
  const loadSeconds = options.warmupSeconds + options.seconds
  progress(`${loadSeconds} s of load (${options.warmupSeconds} s warm-up); a line per ${options.windowSeconds} s window`)
  const side = sideChecks(server.port, options.windowSeconds)
  const printer = printWindows(monitorFile, loadStart + options.warmupSeconds * 1000)
  // A second more than measured: the monitor samples the last window up to half a second after its end.
  const wrk = await runWrk(server.port, script, options.connections, loadSeconds + 1)
  const loadEnd = Date.now()
  const sideResult = await side.stop()
  printer.stop()
  const exited = exitOf(server)
  if (exited !== undefined) {
    process.stdout.write(`## Soak\n\n- ✗ the mock kept running: ${exited}\n`)
    return 1
  }

  const all = readWindows(monitorFile)
  const measured = all.filter((window) => window.start >= loadStart + options.warmupSeconds * 1000 && window.end <= loadEnd)
  if (measured.length < 3) throw new CannotRun(`only ${measured.length} windows measured after the warm-up: run longer (--duration) or with shorter windows (--window)`)
  const unexpected = unexpectedAnswers(wrk.counts)
  const verdicts: Verdict[] = [
    rssVerdict(measured),
    loopVerdict(measured),
    journalVerdict(measured, sideResult.journalEntries, options.journalSize),
    {
      name: '0 answers other than the mix expects',
      passed: Object.keys(unexpected).length === 0 && wrk.result.socketErrors === 0 && sideResult.failures.length === 0,
      detail: `wrk: ${wrk.result.requests.toLocaleString('en-US')} answers, statuses ${format(wrk.counts.got)} for ${format(wrk.counts.sent)} expected; ` +
        `unexpected ${Object.keys(unexpected).length === 0 ? 'none' : format(unexpected)}; socket errors ${wrk.result.socketErrors}; ` +
        `HEAD and journal checks: ${sideResult.requests} requests, ${sideResult.failures.length === 0 ? 'all as expected' : sideResult.failures.slice(0, 5).join('; ')}`
    }
  ]
  const report = { options, mix: mix.description, loadAverage: loadAverage(), wrk: wrk.result, statuses: wrk.counts, windows: all.map((window) => ({ ...window, measured: measured.includes(window) })), verdicts }
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : render(report, measured))
  return verdicts.every((verdict) => verdict.passed) ? 0 : 1
})

/** Waits for the monitor's first window, then until its next boundary still ahead; that moment, epoch milliseconds. */
async function nextBoundary (monitorFile: string, windowSeconds: number): Promise<number> {
  const seconds = 2 * windowSeconds + 5
  const giveUp = Date.now() + seconds * 1000
  for (;;) {
    const last = readWindows(monitorFile).at(-1)
    if (last !== undefined) {
      let boundary = last.end + windowSeconds * 1000
      while (boundary < Date.now() + 100) boundary += windowSeconds * 1000
      await sleep(boundary - Date.now())
      return boundary
    }
    if (Date.now() > giveUp) throw new CannotRun(`the monitor wrote nothing to ${monitorFile} within ${seconds} s: did --import ${MONITOR} load?`)
    await sleep(100)
  }
}

async function runWrk (port: number, script: string, connections: number, seconds: number): Promise<{ result: WrkResult, counts: StatusCounts }> {
  const nonce = randomBytes(2).toString('hex')
  const { code, output } = await spawnWrk(['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, `http://127.0.0.1:${port}`, '--', nonce])
  if (code !== 0) throw new CannotRun(`wrk exited with ${code}: ${output.trim()}`)
  return { result: parseWrk(output), counts: parseCounts(output) }
}

/**
 * Beside wrk: a HEAD of a list page every 100 ms (200, a Content-Length, no body), and the whole
 * journal once a window (200, at most its size of entries).
 */
function sideChecks (port: number, windowSeconds: number): { stop: () => Promise<{ requests: number, failures: string[], journalEntries: number[] }> } {
  const client = new Client(port)
  const failures: string[] = []
  const journalEntries: number[] = []
  let requests = 0
  let stopped = false
  const fail = (message: string): void => { if (failures.length < 20) failures.push(message) }
  const heads = (async () => {
    while (!stopped) {
      await sleep(HEAD_EVERY_MS)
      requests++
      try {
        const answer = await client.api('/api/users?limit=20', '2024-07-30', 'HEAD')
        if (answer.status !== 200 || answer.body !== '' || answer.headers['content-length'] === undefined) fail(`HEAD /api/users?limit=20: ${answer.status}, ${answer.body.length} body bytes`)
      } catch (error) {
        fail(`HEAD /api/users?limit=20: ${(error as Error).message}`)
      }
    }
  })()
  const journal = new Client(port)
  const polls = (async () => {
    while (!stopped) {
      await sleep(windowSeconds * 1000)
      requests++
      try {
        const answer = await journal.send('/_mock/requests')
        if (answer.status !== 200) fail(`GET /_mock/requests: ${answer.status} ${answer.body.slice(0, 200)}`)
        else journalEntries.push((JSON.parse(answer.body) as { requests: unknown[] }).requests.length)
      } catch (error) {
        fail(`GET /_mock/requests: ${(error as Error).message}`)
      }
    }
  })()
  return {
    stop: async () => {
      stopped = true
      await Promise.all([heads, polls])
      client.close()
      journal.close()
      return { requests, failures, journalEntries }
    }
  }
}

/** Each window on standard error as the monitor writes it. */
function printWindows (monitorFile: string, measuredFrom: number): { stop: () => void } {
  let printed = readWindows(monitorFile).length
  const timer = setInterval(() => {
    const windows = readWindows(monitorFile)
    for (const window of windows.slice(printed)) progress(`${window.start >= measuredFrom ? 'window' : 'warm-up'} ${describe(window)}`)
    printed = windows.length
  }, 1000)
  return { stop: () => clearInterval(timer) }
}

function describe (window: Window): string {
  const seconds = (window.end - window.start) / 1000
  return `${Math.round(window.requests / seconds).toLocaleString('en-US')} req/s, RSS ${mb(window.rss)} (max ${mb(window.rssMax)}), heapUsed ${mb(window.heapUsedMean)}, ` +
    `after full GC ${afterGc(window)}, loop delay p50 ${window.loopP50} ms, p99 ${window.loopP99} ms, max ${window.loopMax} ms`
}

/** The least heapUsed right after a full collection in the window; empty when there was none. */
function afterGc (window: Window): string {
  return window.afterFullGc.length === 0 ? '' : mb(Math.min(...window.afterFullGc.map(([, heap]) => heap)))
}

function render (report: { mix: string, loadAverage: string, wrk: WrkResult, windows: ReadonlyArray<Window & { measured: boolean }>, verdicts: readonly Verdict[] }, measured: readonly Window[]): string {
  const first = measured[0] as Window
  // Windows before the load (the mock idle) are left out.
  const rows = report.windows.filter((window) => window.requests > 0).map((window) => {
    const seconds = (window.end - window.start) / 1000
    return `| ${((window.start - first.start) / 1000).toFixed(0)} | ${window.measured ? '' : 'not judged'} | ${Math.round(window.requests / seconds).toLocaleString('en-US')} | ` +
      `${mb(window.rss)} | ${mb(window.rssMax)} | ${mb(window.heapUsedMean)} | ${afterGc(window)} | ${window.afterFullGc.length} | ${mb(window.external)} | ${window.loopP50} | ${window.loopP99} | ${window.loopMax} |`
  })
  return [
    '## Soak',
    '',
    `Mix: ${report.mix}.`,
    '',
    `wrk: ${Math.round(report.wrk.requestsPerSecond).toLocaleString('en-US')} req/s, ${report.wrk.requests.toLocaleString('en-US')} requests, latency p50 ${report.wrk.p50Ms.toFixed(2)} ms, p99 ${report.wrk.p99Ms.toFixed(2)} ms. Load average after: ${report.loadAverage}.`,
    '',
    '| s from first measured window | | req/s | RSS | RSS max | heapUsed mean | heapUsed after full GC (least) | full GCs | external | loop p50 ms | loop p99 ms | loop max ms |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    ...report.verdicts.map((verdict) => `- ${verdict.passed ? '✓' : '✗'} ${verdict.name}: ${verdict.detail}`),
    ''
  ].join('\n') + '\n'
}

function format (counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts).map(([status, count]) => `${status}×${count.toLocaleString('en-US')}`).join(', ')
}

function loadAverage (): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
}

function parseOptions (args: readonly string[]): Options | undefined {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      options: {
        duration: { type: 'string' },
        warmup: { type: 'string' },
        window: { type: 'string' },
        quick: { type: 'boolean' },
        users: { type: 'string' },
        'journal-size': { type: 'string' },
        connections: { type: 'string' },
        'log-file': { type: 'string' },
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
  return {
    seconds: integerOption('--duration', parsed.duration ?? (quick ? '20' : '120'), 1, 86_400),
    warmupSeconds: integerOption('--warmup', parsed.warmup ?? (quick ? '10' : '20'), 0, 86_400),
    windowSeconds: integerOption('--window', parsed.window ?? (quick ? '5' : '10'), 2, 3600),
    users: integerOption('--users', parsed.users ?? '10000', 300, 10_000_000),
    journalSize: integerOption('--journal-size', parsed['journal-size'] ?? '1000', 0, 1_000_000),
    connections: integerOption('--connections', parsed.connections ?? '32', 1, 10_000),
    logFile: parsed['log-file'],
    build: parsed['no-build'] !== true,
    json: parsed.json === true
  }
}

function progress (message: string): void {
  process.stderr.write(`soak: ${message}\n`)
}
