// One shutdown round: keep-alive clients busy, SIGTERM at a random moment, every request accounted for against the server's log.
import type { ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { KeepAliveConnection, type Outcome } from './shutdown-client.js'
import { seededRandom } from './random.js'
import { abnormality, listRequest, MIX_FAST, MIX_WITH_LATENCY, RequestPlanner, requestBytes, type PlannedRequest, type RequestKind } from './shutdown-requests.js'

/** Latency of every API answer in a round with latency: requests are genuinely in flight when SIGTERM comes. */
export const LATENCY_MS = '200-800'

/**
 * `latency`: every API answer takes 200-800 ms, so SIGTERM finds requests in flight on every connection.
 * `fast`: no latency, reads repeat and are mostly replayed; connections go idle between requests.
 * `paused`: as `latency`, but the mock is stopped (SIGSTOP) when SIGTERM comes, as a busy or starved
 * process would be, while further clients connect and write a request; it resumes (SIGCONT) after.
 */
export const ROUND_KINDS = ['latency', 'fast', 'paused'] as const
export type RoundKind = typeof ROUND_KINDS[number]
export const GRACE_MS = 10_000
/** How long the mock stays stopped around SIGTERM in a `paused` round. */
const PAUSE_MS = 100
/** A client refused at connect tries again after this long. */
const RETRY_MS = 50
/** The listener probe connects this often after SIGTERM. */
const PROBE_MS = 5
/** Room beyond the grace period before the round gives up on the process and kills it. */
const EXIT_MARGIN_MS = 5000

/** The mock's configuration for a round: its log (one JSON line per request) is what the clients are checked against. */
export function roundEnv (kind: RoundKind): Record<string, string> {
  return {
    SEQUENCE_MOCK_HOST: '127.0.0.1',
    SEQUENCE_MOCK_PORT: '0',
    SEQUENCE_MOCK_RATE_LIMIT: '0',
    SEQUENCE_MOCK_LOG_LEVEL: 'info',
    SEQUENCE_MOCK_LOG_FORMAT: 'json',
    SEQUENCE_MOCK_DELAY_MS: kind === 'fast' ? '0' : LATENCY_MS,
    SEQUENCE_MOCK_SHUTDOWN_GRACE_MS: String(GRACE_MS),
    SEQUENCE_MOCK_DELETE_MODE: 'soft'
  }
}

export interface MockRun {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A mock started with `roundEnv`, listening. */
export interface MockProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly exited: Promise<MockRun>
}

export interface RoundOptions {
  readonly clients: number
  readonly kind: RoundKind
  readonly seed: number
  /** SIGTERM comes at a moment drawn uniformly from this long once every client is busy. */
  readonly signalWithinMs: number
  /** How long clients keep sending on their connections, and opening new ones, after SIGTERM. */
  readonly afterSignalMs: number
}

/** What became of a request: Outcome's kinds, or refused when its connection attempt failed (it was never sent). */
type OutcomeKind = Outcome['kind'] | 'refused'

interface RequestRecord {
  readonly client: number
  readonly planned: PlannedRequest
  readonly sentAt: number
  /** Undefined when refused at connect. */
  readonly connection: KeepAliveConnection | undefined
  /** Its place on the connection: 1 for the first request. */
  readonly index: number
  outcome?: OutcomeKind
  /** When the outcome came. */
  at?: number
  status?: number
  /** The answer said `Connection: close`. */
  closes?: boolean
  /** Why the outcome is not a normal answer: the error, or what is wrong with the answer. */
  problem?: string
}

export interface RoundResult {
  readonly seed: number
  readonly kind: RoundKind
  readonly latency: string
  readonly clients: number
  /** In a `paused` round: the clients that connected and wrote a request while the mock was stopped, before SIGTERM. */
  readonly latecomers: number
  /** From the moment every client was busy to SIGTERM. */
  readonly signalAfterBusyMs: number
  readonly sentBeforeSignal: { readonly total: number, readonly answered: number, readonly inFlight: number, readonly inFlightConnectionClose: number }
  readonly sentAfterSignal: {
    readonly total: number
    readonly answered: number
    readonly connectionClose: number
    /** Never received: absent from the server's log. */
    readonly dropped: { readonly reusedConnection: number, readonly newConnection: number }
  }
  readonly refusedAtConnect: number
  readonly cut: number
  readonly byKind: Readonly<Record<RequestKind, number>>
  readonly serverLogged: number
  /** From SIGTERM to the mock's "SIGTERM received, closing" line (the clock of its log lines, to the ms); null without one. */
  readonly signalLoggedMs: number | null
  readonly listener: {
    /** First connection refused after SIGTERM, ms after it; null if none was. */
    readonly refusedAfterMs: number | null
    /** Whether that refusal came before the last answer to a request in flight when the mock saw SIGTERM. */
    readonly refusedWhileServing: boolean
    readonly acceptedAfterRefusal: number
  }
  /** Connections still open when clients stopped sending (after `afterSignalMs`). */
  readonly openWhenClientsStopped: number
  readonly exit: { readonly code: number | null, readonly signal: string | null, readonly ms: number | null, readonly graceMs: number }
  readonly stderr: string
  /** Each rule the round checks, with what broke it (at most five of a kind): all empty when the mock kept them. */
  readonly violations: Readonly<Record<Rule, readonly string[]>>
  /** How many there were in all. */
  readonly violationCount: number
}

export const RULES = {
  run: 'the round ran as planned: every client busy, the mock still up at SIGTERM',
  sentBeforeSignal: 'every request sent before SIGTERM is answered with its normal status and a complete JSON body',
  sentAfterSignal: 'a request sent after SIGTERM is answered normally, or dropped before the mock read it, never cut off',
  serverLog: 'every request the mock logged reached its client with that status, every answer was logged, and no error was logged',
  listener: 'new connections are refused from SIGTERM on, while the requests in flight at SIGTERM are still being answered',
  exit: 'the mock exits 0 within the grace period'
} as const
export type Rule = keyof typeof RULES

type Phase = 'load' | 'after-signal' | 'quiet'

/**
 * Opens `clients` keep-alive connections sending requests in a loop and sends SIGTERM once all are
 * busy. Half the clients then go quiet, their connections left open and idle as a client's pool
 * would leave them; the others keep sending and reconnecting for `afterSignalMs`, then go quiet too.
 * Once the process has exited, every request is classified and compared with the server's log (one
 * JSON line per request: method, URL, status).
 */
export async function runRound (mock: MockProcess, options: RoundOptions): Promise<RoundResult> {
  const { port } = mock
  const random = seededRandom(options.seed)
  const latency = options.kind !== 'fast'
  const mix = latency ? MIX_WITH_LATENCY : MIX_FAST
  const latecomers = options.kind === 'paused' ? Math.max(1, Math.floor(options.clients / 4)) : 0
  const records: RequestRecord[] = []
  const connections: KeepAliveConnection[] = []
  const violations: Record<Rule, string[]> = { run: [], sentBeforeSignal: [], sentAfterSignal: [], serverLog: [], listener: [], exit: [] }
  let exitedAt: number | undefined
  const run = mock.exited.then((result) => { exitedAt = performance.now(); return result })
  let phase: Phase = 'load'
  let signalAt = Number.POSITIVE_INFINITY
  /** Clients that have had an answer, so the mock has accepted their connection. */
  const busy = new Set<number>()
  /** Clients that have written a request. */
  const sending = new Set<number>()

  async function send (client: number, connection: KeepAliveConnection, planned: PlannedRequest, planner?: RequestPlanner): Promise<{ record: RequestRecord, parsed: unknown }> {
    const record: RequestRecord = { client, planned, sentAt: performance.now(), connection, index: connection.sent + 1 }
    records.push(record)
    const outcome = await connection.send(requestBytes(planned, port))
    record.outcome = outcome.kind
    record.at = outcome.at
    if (outcome.kind === 'answered') {
      const { problem, parsed } = abnormality(planned, outcome.status, outcome.headers, outcome.body)
      record.status = outcome.status
      record.problem = problem
      // A client honours `Connection: close`: the server ends the connection after this answer.
      record.closes = outcome.headers.connection?.toLowerCase() === 'close'
      if (record.closes) connection.close()
      planner?.followed(planned, parsed)
      return { record, parsed }
    }
    record.problem = outcome.kind === 'cut' ? `cut after ${outcome.bytes} bytes (${outcome.error})` : outcome.error
    connection.close()
    return { record, parsed: undefined }
  }

  // The users' ids, read before the load (these requests are checked like any other).
  const ids: string[] = []
  const setup = await KeepAliveConnection.open(port)
  if (!(setup instanceof KeepAliveConnection)) throw new Error(`the mock on port ${port} refused a connection (${setup.code}) before the round began`)
  connections.push(setup)
  let cursor: string | undefined
  do {
    const { record, parsed } = await send(-1, setup, listRequest('2024-07-30', 100, cursor))
    if (record.outcome !== 'answered' || record.problem !== undefined) throw new Error(`the mock did not list its users before the round: ${describe(record)}`)
    const { items, pagination } = parsed as { items: Array<{ id: string }>, pagination: { after?: string | null } }
    for (const item of items) ids.push(item.id)
    cursor = pagination.after ?? undefined
  } while (cursor !== undefined)
  setup.close()
  if (ids.length === 0) throw new Error('the mock lists no users: the round needs some')

  async function client (index: number): Promise<void> {
    // Without latency, few distinct reads, so that most repeat one answered before and are replayed.
    const planner = new RequestPlanner(options.seed * 1000 + index, latency ? ids : ids.slice(0, 10), mix, `shutdown-${options.seed}-${index}`)
    let connection: KeepAliveConnection | undefined
    // Half the clients go quiet at SIGTERM, keeping their connection open and idle as a pool would; the
    // other half keep sending on theirs and opening new ones until `afterSignalMs`.
    const holds = index % 2 === 1
    while (phase === 'load' || (phase === 'after-signal' && !holds)) {
      if (connection === undefined || !connection.open) {
        const opened = await KeepAliveConnection.open(port)
        if (!(opened instanceof KeepAliveConnection)) {
          records.push({ client: index, planned: planner.next(), sentAt: opened.at, connection: undefined, index: 0, outcome: 'refused', at: opened.at, problem: opened.code })
          await sleep(RETRY_MS)
          continue
        }
        connection = opened
        connections.push(connection)
      }
      const sent = send(index, connection, planner.next(), planner)
      sending.add(index)
      await sent
      busy.add(index)
    }
  }

  // Busy: every client has had an answer (the mock accepted its connection) and sent its next request.
  const clients = Array.from({ length: options.clients }, async (_, index) => { await client(index) })
  const busySince = await waitFor(() => busy.size === options.clients || exitedAt !== undefined, 60_000)
  if (busySince === undefined) violations.run.push(`the ${options.clients} clients were not all busy within 60 s`)
  const signalAfterBusyMs = Math.round(random() * options.signalWithinMs)
  await sleep(signalAfterBusyMs)
  if (exitedAt !== undefined) violations.run.push('the mock exited before SIGTERM')

  if (latecomers > 0) {
    // Stopped, the mock accepts nothing, but the kernel still completes connections into its accept queue.
    mock.child.kill('SIGSTOP')
    for (let index = options.clients; index < options.clients + latecomers; index++) clients.push(client(index))
    if (await waitFor(() => sending.size === options.clients + latecomers, 10_000) === undefined) {
      violations.run.push(`the ${latecomers} latecomers could not all write a request while the mock was stopped`)
    }
  }
  signalAt = performance.now()
  const signalDate = Date.now()
  mock.child.kill('SIGTERM')
  phase = 'after-signal'
  const probing = probe(port, () => exitedAt !== undefined)
  if (latecomers > 0) {
    await sleep(PAUSE_MS)
    mock.child.kill('SIGCONT')
  }
  await sleep(options.afterSignalMs)
  phase = 'quiet'
  const openWhenClientsStopped = connections.filter((connection) => connection.open).length

  const killer = setTimeout(() => { mock.child.kill('SIGKILL') }, Math.max(0, signalAt + GRACE_MS + EXIT_MARGIN_MS - performance.now()))
  const result = await run
  clearTimeout(killer)
  // The process is gone and its connections with it: the last bytes are read, then anything left is closed.
  await Promise.race([Promise.all(clients), sleep(2000)])
  for (const connection of connections) connection.close()
  await Promise.all(clients)
  const probes = await probing

  // Classification.
  const answered = (record: RequestRecord): boolean => record.outcome === 'answered'
  const closes = (record: RequestRecord): boolean => record.closes === true
  const before = records.filter((record) => record.sentAt < signalAt)
  const after = records.filter((record) => record.sentAt >= signalAt)
  const inFlight = before.filter((record) => (record.at ?? Number.POSITIVE_INFINITY) >= signalAt)
  const dropped = after.filter((record) => record.outcome === 'dropped')
  const sentAfter = after.filter((record) => record.outcome !== 'refused')

  for (const record of before) {
    if (!answered(record) || record.problem !== undefined) violations.sentBeforeSignal.push(`sent before SIGTERM, not answered normally: ${describe(record)}`)
  }
  for (const record of after) {
    if (record.outcome === 'cut' || (answered(record) && record.problem !== undefined)) violations.sentAfterSignal.push(`sent after SIGTERM, answered abnormally: ${describe(record)}`)
  }

  // The server's log against what reached the clients: per method, URL and status, as many lines as answers.
  // A request dropped after SIGTERM is allowed only as one the server never received: absent from its log.
  const logged = requestLines(result.stdout)
  const difference = new Map<string, number>()
  for (const record of records) if (answered(record)) count(difference, `${record.planned.method} ${record.planned.url} ${record.status}`, 1)
  for (const line of logged.requests) count(difference, `${line.method} ${line.url} ${line.status}`, -1)
  for (const [key, missing] of difference) {
    if (missing < 0) violations.serverLog.push(`logged by the server but never answered to a client (received, then lost): ${key}${-missing > 1 ? ` (${-missing} times)` : ''}`)
    if (missing > 0) violations.serverLog.push(`answered to a client but missing from the server's log: ${key}${missing > 1 ? ` (${missing} times)` : ''}`)
  }
  for (const line of logged.errors) violations.serverLog.push(`the server logged an error: ${line}`)

  // The requests still in flight once the mock has seen SIGTERM (its log line says when; a starved process
  // sees it late) are the ones it drains: new connections must be refused before they are all answered.
  const noticedAt = logged.signalAt === undefined ? signalAt : signalAt + logged.signalAt - signalDate
  const drainedAt = inFlight.reduce((last, record) => answered(record) && (record.at ?? 0) > noticedAt ? Math.max(last, record.at ?? 0) : last, 0)
  const firstRefused = probes.find((attempt) => !attempt.accepted)
  const refusedWhileServing = firstRefused !== undefined && firstRefused.at < drainedAt
  const acceptedAfterRefusal = firstRefused === undefined ? 0 : probes.filter((attempt) => attempt.accepted && attempt.at > firstRefused.at).length
  if (firstRefused === undefined) violations.listener.push('no new connection was refused after SIGTERM')
  if (acceptedAfterRefusal > 0) violations.listener.push(`${acceptedAfterRefusal} new connection(s) accepted after one had been refused`)
  // With latency, those take up to hundreds of ms more: the listener must be closed long before.
  if (latency && drainedAt > 0 && !refusedWhileServing) violations.listener.push('new connections were still accepted until every request in flight when the mock saw SIGTERM had been answered')

  const exitMs = exitedAt === undefined ? null : Math.round(exitedAt - signalAt)
  if (result.code !== 0) violations.exit.push(`exit ${result.code ?? result.signal}, not 0`)
  if (exitMs === null || exitMs >= GRACE_MS) violations.exit.push(`exited ${exitMs ?? '(never)'} ms after SIGTERM, not within the grace period of ${GRACE_MS} ms`)

  const byKind = { list: 0, user: 0, missing: 0, update: 0, delete: 0, add: 0 }
  for (const record of records) if (answered(record)) byKind[record.planned.kind]++
  return {
    seed: options.seed,
    kind: options.kind,
    latency: latency ? LATENCY_MS : '0',
    clients: options.clients,
    latecomers,
    signalAfterBusyMs,
    sentBeforeSignal: {
      total: before.length,
      answered: before.filter(answered).length,
      inFlight: inFlight.length,
      inFlightConnectionClose: inFlight.filter(closes).length
    },
    sentAfterSignal: {
      total: sentAfter.length,
      answered: after.filter(answered).length,
      connectionClose: after.filter(closes).length,
      dropped: {
        reusedConnection: dropped.filter((record) => (record.connection?.openedAt ?? 0) < signalAt).length,
        newConnection: dropped.filter((record) => (record.connection?.openedAt ?? 0) >= signalAt).length
      }
    },
    refusedAtConnect: records.filter((record) => record.outcome === 'refused').length,
    cut: records.filter((record) => record.outcome === 'cut').length,
    byKind,
    serverLogged: logged.requests.length,
    signalLoggedMs: logged.signalAt === undefined ? null : logged.signalAt - signalDate,
    listener: {
      refusedAfterMs: firstRefused === undefined ? null : Math.round(firstRefused.at - signalAt),
      refusedWhileServing,
      acceptedAfterRefusal
    },
    openWhenClientsStopped,
    exit: { code: result.code, signal: result.signal, ms: exitMs, graceMs: GRACE_MS },
    stderr: result.stderr.trim(),
    violationCount: Object.values(violations).reduce((total, found) => total + found.length, 0),
    violations: Object.fromEntries(Object.entries(violations).map(([rule, found]) => [rule, summarise(found)])) as Record<Rule, string[]>
  }
}

interface Probe { readonly at: number, readonly accepted: boolean }

/** New connections, one every PROBE_MS from SIGTERM until the process has exited, and one after. */
async function probe (port: number, exited: () => boolean): Promise<Probe[]> {
  const probes: Probe[] = []
  for (let last = false; !last; await sleep(PROBE_MS)) {
    last = exited()
    const opened = await KeepAliveConnection.open(port)
    if (opened instanceof KeepAliveConnection) {
      probes.push({ at: opened.openedAt, accepted: true })
      opened.close()
    } else {
      probes.push({ at: opened.at, accepted: false })
    }
  }
  return probes
}

/** Resolves with the time `condition` first held, or undefined after `timeoutMs`. */
async function waitFor (condition: () => boolean, timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > deadline) return undefined
    await sleep(5)
  }
  return performance.now()
}

interface RequestLines {
  readonly requests: Array<{ method: string, url: string, status: number }>
  /** Lines at level error or fatal. */
  readonly errors: string[]
  /** The time of the line that says the mock received SIGTERM. */
  readonly signalAt: number | undefined
}

/** The JSON lines of the server's standard output: one per request (`"msg":"request"`), and any error. */
export function requestLines (stdout: string): RequestLines {
  const requests: RequestLines['requests'] = []
  const errors: string[] = []
  let signalAt: number | undefined
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    let parsed: { msg?: unknown, method?: unknown, url?: unknown, status?: unknown, level?: unknown, time?: unknown }
    try {
      parsed = JSON.parse(line)
    } catch {
      continue
    }
    if (parsed.msg === 'request') requests.push({ method: String(parsed.method), url: String(parsed.url), status: Number(parsed.status) })
    if (parsed.msg === 'SIGTERM received, closing' && typeof parsed.time === 'number') signalAt = parsed.time
    if (typeof parsed.level === 'number' && parsed.level >= 50) errors.push(line.slice(0, 500))
  }
  return { requests, errors, signalAt }
}

function count (counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by
  if (next === 0) counts.delete(key)
  else counts.set(key, next)
}

function describe (record: RequestRecord): string {
  const { planned, outcome = 'no outcome' } = record
  const what = outcome === 'answered' ? `${record.status}${record.problem === undefined ? '' : ` (${record.problem})`}` : `${outcome} (${record.problem})`
  const where = record.connection === undefined ? 'no connection' : `connection ${record.connection.id}, request ${record.index}`
  return `${planned.method} ${planned.url} (client ${record.client}, ${where}): ${what}`
}

/** At most five, with how many more there were: a broken round must stay readable. */
function summarise (found: readonly string[]): string[] {
  return found.length <= 5 ? [...found] : [...found.slice(0, 5), `… and ${found.length - 5} more`]
}
