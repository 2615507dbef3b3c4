// npm run fuzz: hostile requests, HTTP-level and raw bytes, to the mock on loopback; reports every 5xx, non-envelope error, leak, hang and bad answer.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Case } from './fuzz/case.js'
import { checkExchange, show } from './fuzz/checks.js'
import { generateDraft, toCase, type Target } from './fuzz/generate.js'
import { parseOptions, USAGE, UsageError, type Options } from './fuzz/options.js'
import { Random } from './fuzz/random.js'
import { generateRawCase } from './fuzz/raw-cases.js'
import { renderText, summary, Tally, type Run } from './fuzz/report.js'
import { alive, build, FuzzError, harvest, probe, startMock, stopMock, type Mock } from './fuzz/server.js'
import { startSlowClients } from './fuzz/slow.js'
import { Connection, header, type Exchange } from './fuzz/wire.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SCRATCH = mkdtempSync(join(tmpdir(), 'sequence-mock-fuzz-'))

/**
 * The mock's request time limit during the run: short, so that a slow client's 408 comes well within
 * the run. Node checks its time limits every 30 s by default, hence the slow clients' deadline. A raw
 * case may be incomplete on purpose: it may wait this long for its answer on top of --timeout.
 */
const REQUEST_TIMEOUT_MS = 3000
const SLOW_DEADLINE_MS = REQUEST_TIMEOUT_MS + 30_000 + 5000

interface Phase {
  readonly name: string
  /** For the report: what sets this mock apart. */
  readonly settings: string
  readonly env: Readonly<Record<string, string>>
  readonly first: number
  readonly count: number
  readonly credentials: ReadonlyArray<readonly [string, string]>
  readonly adminToken: string | undefined
  readonly secrets: readonly string[]
  /** Slow and idle clients run beside this phase. */
  readonly slowClients: boolean
}

async function main (args: readonly string[]): Promise<number> {
  const options = parseOptions(args)
  if (options.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const started = performance.now()
  const deadline = Date.now() + options.durationSeconds * 1000
  if (options.build) build(ROOT)
  if (!existsSync(join(ROOT, 'dist/server.js'))) throw new FuzzError('dist/server.js is missing: run npm run build (or drop --no-build)')
  progress(`seed ${options.seed}, ${options.requests.toLocaleString('en-US')} requests within ${options.durationSeconds} s, ${options.concurrency} at a time${options.build ? '' : ' (--no-build: dist/ as it is)'}`)

  if (options.case !== undefined) return await replayCase(options.case, options)

  const tally = new Tally()
  let stoppedBy: Run['stoppedBy'] = 'count'
  for (const phase of phases(options)) {
    if (phase.count === 0) continue
    if (Date.now() >= deadline) {
      stoppedBy = 'duration'
      break
    }
    // The first phase leaves the second its share of the time, whatever happens.
    const phaseDeadline = phase.first === 0 ? Math.min(deadline, Date.now() + options.durationSeconds * 1000 * (phase.count / options.requests)) : deadline
    const outcome = await runPhase(phase, options, { phase: phaseDeadline, run: deadline }, tally)
    if (outcome !== 'count' && stoppedBy === 'count') stoppedBy = outcome
  }
  const run: Run = { seed: options.seed, seconds: (performance.now() - started) / 1000, requested: options.requests, stoppedBy }
  process.stdout.write(options.json ? `${JSON.stringify(summary(tally, run), null, 2)}\n` : renderText(tally, run))
  return tally.findingCount === 0 ? 0 : 1
}

/** Most requests to a mock as it starts by default; the rest to one with an admin token and a second, non-example credential. */
function phases (options: Options): Phase[] {
  const random = new Random(options.seed, -1)
  const token = random.string(32, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
  const secret = random.string(24, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
  const tokenCount = Math.round(options.requests * options.tokenShare)
  const base = { SEQUENCE_MOCK_LOG_LEVEL: 'warn', SEQUENCE_MOCK_LOG_FORMAT: 'json', SEQUENCE_MOCK_RATE_LIMIT: '0', SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) }
  return [
    { name: 'open', settings: 'no admin token, credentials key:secret', env: base, first: 0, count: options.requests - tokenCount, credentials: [['key', 'secret']], adminToken: undefined, secrets: [], slowClients: true },
    {
      name: 'token',
      settings: 'SEQUENCE_MOCK_ADMIN_TOKEN set, credentials key:secret and fuzz:<random secret>',
      env: { ...base, SEQUENCE_MOCK_ADMIN_TOKEN: token, SEQUENCE_MOCK_CREDENTIALS: `key:secret,fuzz:${secret}` },
      first: options.requests - tokenCount,
      count: tokenCount,
      credentials: [['key', 'secret'], ['fuzz', secret]],
      adminToken: token,
      secrets: [token, secret, Buffer.from(`fuzz:${secret}`).toString('base64')],
      slowClients: false
    }
  ]
}

async function runPhase (phase: Phase, options: Options, deadlines: { phase: number, run: number }, tally: Tally): Promise<Run['stoppedBy']> {
  const deadline = deadlines.phase
  progress(`mock ${phase.name} (${phase.settings}): starting`)
  const mock = await startMock(ROOT, phase.env, SCRATCH, phase.name)
  const before = tally.requests.http + tally.requests.raw
  let sent = 0
  let exit = 'not stopped'
  let stillAnswers: string[] = []
  try {
    const { cursors, userIds } = await harvest(mock.port)
    const target: Target = { port: mock.port, cursors, userIds, credentials: phase.credentials, adminToken: phase.adminToken, secrets: phase.secrets }
    // Only with time for their answers: a slow client cut off by --duration is no finding. They may
    // outlast this phase's share of the time, not the run's.
    const slow = phase.slowClients && deadlines.run - Date.now() >= REQUEST_TIMEOUT_MS + 10_000
      ? startSlowClients({ port: mock.port, slow: options.quick ? 4 : 8, idle: options.quick ? 50 : 100, intervalMs: 1000, deadline: Math.min(deadlines.run, Date.now() + SLOW_DEADLINE_MS) })
      : undefined
    const state = { next: phase.first, end: phase.first + phase.count }
    const reporter = setInterval(() => progress(`mock ${phase.name}: ${(state.next - phase.first).toLocaleString('en-US')} of ${phase.count.toLocaleString('en-US')}, ${tally.findingCount.toLocaleString('en-US')} findings so far`), 5000)
    try {
      await Promise.all(Array.from({ length: options.concurrency }, async () => await worker(state, target, mock, options, deadline, tally)))
    } finally {
      clearInterval(reporter)
    }
    sent = tally.requests.http + tally.requests.raw - before
    if (slow !== undefined) {
      progress('waiting for the slow clients\' answers')
      const outcome = await slow.finish()
      for (const { fuzzCase, finding, exchange } of outcome.findings) tally.add(finding, fuzzCase, exchange)
      tally.slow = { clients: outcome.cases.length, statuses: outcome.statuses, slowestAnswerMs: outcome.slowestAnswerMs, idleOpened: outcome.idleOpened, idleClosedByServer: outcome.idleClosedByServer }
    }
    stillAnswers = await probe(mock)
    for (const problem of stillAnswers) {
      tally.add({ kind: 'server down', key: 'after the run', detail: problem }, probeCase(phase), undefined)
    }
  } finally {
    exit = await stopMock(mock)
  }
  const log = readFileSync(mock.stdoutFile, 'utf8')
  const logErrorLines = log.split('\n').filter((line) => /"level":(50|60)\b/.test(line)).length
  for (const secret of phase.secrets) {
    if (log.includes(secret) || readFileSync(mock.stderrFile, 'utf8').includes(secret)) {
      tally.add({ kind: 'internal detail leaked', key: `mock ${phase.name}: a secret in its log`, detail: 'the configured secret, its Basic credentials or the admin token is in the mock\'s log' }, probeCase(phase), undefined)
      break
    }
  }
  tally.phases.push({ name: phase.name, settings: phase.settings, requests: sent, stillAnswers, exit, logErrorLines })
  if (stillAnswers.length > 0) return 'server down'
  return sent < phase.count ? 'duration' : 'count'
}

/** `--case n`: that case alone, to a fresh mock of its phase, every byte shown; exit 1 when it has a finding. */
async function replayCase (index: number, options: Options): Promise<number> {
  const phase = phases(options).find((candidate) => index >= candidate.first && index < candidate.first + candidate.count)
  if (phase === undefined) throw new UsageError(`--case ${index} is not a request of this run: there are ${options.requests}`)
  const mock = await startMock(ROOT, phase.env, SCRATCH, phase.name)
  try {
    const { cursors, userIds } = await harvest(mock.port)
    const fuzzCase = caseFor(index, options.seed, { port: mock.port, cursors, userIds, credentials: phase.credentials, adminToken: phase.adminToken, secrets: phase.secrets }, options.rawShare)
    const connection = await Connection.open(mock.port, options.timeoutMs)
    const exchange = await connection.exchange(fuzzCase, options.timeoutMs + (fuzzCase.raw ? REQUEST_TIMEOUT_MS : 0))
    connection.close()
    const findings = checkExchange(fuzzCase, exchange)
    process.stdout.write([
      `case #${index} of seed ${options.seed} (${fuzzCase.family}), to mock ${phase.name} (${phase.settings})`,
      `sent ${fuzzCase.bytes.length} bytes${fuzzCase.halfClose ? ', then half-closed' : ''}:`,
      fuzzCase.bytes.length <= 6000 ? show(fuzzCase.bytes, 6000) : `${show(fuzzCase.bytes.subarray(0, 3000), 3000)} … ${show(fuzzCase.bytes.subarray(-3000), 3000)}`,
      `received ${exchange.received.length} bytes${exchange.timedOut ? ', then nothing more within the timeout' : exchange.reset ? ', then a reset' : exchange.closed ? ', then a close' : ''}:`,
      exchange.received.length <= 6000 ? show(exchange.received, 6000) : `${show(exchange.received.subarray(0, 3000), 3000)} … ${show(exchange.received.subarray(-3000), 3000)}`,
      findings.length === 0 ? 'no findings' : findings.map((finding) => `${finding.kind}: ${finding.detail}`).join('\n'),
      ''
    ].join('\n'))
    return findings.length === 0 ? 0 : 1
  } finally {
    await stopMock(mock)
  }
}

/** A stand-in case for findings about the mock as a whole. */
function probeCase (phase: Phase): Case {
  return { index: -1, family: `mock ${phase.name}`, raw: false, bytes: Buffer.alloc(0), requests: [{ method: 'GET', target: '/health and /api/users' }], halfClose: false, mayCloseUnanswered: false, asks5xx: false, secrets: [] }
}

/** Case `index` of the run: decided by the seed and the index alone. */
function caseFor (index: number, seed: number, target: Target, rawShare: number): Case {
  const random = new Random(seed, index)
  return random.chance(rawShare) ? generateRawCase(index, random, target) : toCase(index, generateDraft(random, target), target)
}

async function worker (state: { next: number, end: number }, target: Target, mock: Mock, options: Options, deadline: number, tally: Tally): Promise<void> {
  let kept: Connection | undefined
  try {
    while (state.next < state.end && Date.now() < deadline && alive(mock)) {
      const fuzzCase = caseFor(state.next++, options.seed, target, options.rawShare)
      let exchange: Exchange
      try {
        if (fuzzCase.raw) {
          const connection = await Connection.open(mock.port, options.timeoutMs)
          exchange = await connection.exchange(fuzzCase, options.timeoutMs + REQUEST_TIMEOUT_MS)
          connection.close()
        } else {
          const reused = kept?.reusable === true
          if (!reused) kept?.close()
          kept = reused ? kept as Connection : await Connection.open(mock.port, options.timeoutMs)
          exchange = await kept.exchange(fuzzCase, options.timeoutMs)
          if (reused && exchange.received.length === 0 && exchange.closed && !exchange.timedOut) {
            // The server closed the kept-alive connection as this was written: once more on a new one, as any client does.
            kept.close()
            kept = await Connection.open(mock.port, options.timeoutMs)
            exchange = await kept.exchange(fuzzCase, options.timeoutMs)
          }
          if (!kept.reusable || exchange.closed || exchange.timedOut || exchange.responses.some((response) => /close/i.test(header(response, 'connection') ?? ''))) {
            kept.close()
            kept = undefined
          }
        }
      } catch (error) {
        // Only opening a connection throws.
        if (!alive(mock)) break
        const refused: Exchange = { responses: [], closed: true, reset: false, timedOut: false, malformed: undefined, trailing: Buffer.alloc(0), received: Buffer.alloc(0) }
        tally.record(fuzzCase, refused, [{ kind: 'no answer', key: 'could not connect', detail: `could not connect: ${(error as Error).message}` }])
        continue
      }
      tally.record(fuzzCase, exchange, checkExchange(fuzzCase, exchange))
    }
  } finally {
    kept?.close()
  }
}

function progress (message: string): void {
  process.stderr.write(`fuzz: ${message}\n`)
}

let code: number
try {
  code = await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof UsageError) process.stderr.write(`fuzz: ${error.message}\n\n${USAGE}`)
  else if (error instanceof FuzzError) process.stderr.write(`fuzz: cannot run: ${error.message}\n`)
  else process.stderr.write(`fuzz: cannot run: ${(error as Error).stack ?? String(error)}\n`)
  code = 2
} finally {
  rmSync(SCRATCH, { recursive: true, force: true })
}
process.exit(code)
