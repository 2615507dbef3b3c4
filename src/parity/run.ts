// runParity(): the same probes to the target and to an in-process mock with the same credentials and size, then every difference.
import { startMock } from '../index.js'
import { MOCK_VERSION } from '../package-info.js'
import { compareOutcomes, compareRules, type Answers, type Difference, type Outcome } from './compare.js'
import { describeProbe, FIRST_PROBE, isRef, probesFor, type Probe, type Ref, type Value } from './probes.js'
import {
  DEFAULT_REQUESTS_PER_SECOND, DEFAULT_TIMEOUT_MS, ParityError, realClock, Side, type Answer, type Clock, type Request
} from './send.js'

export interface ParityOptions {
  /** The target API's base URL, e.g. `https://sandbox.sequencehq.com/api`. */
  readonly target: string
  readonly clientId: string
  readonly clientSecret: string
  /** Also send the PUTs of WRITE_PROBES (each writes back what is there). Never a DELETE. */
  readonly allowWrites?: boolean
  /** Requests a second to the target (20). The mock is not paced. */
  readonly requestsPerSecond?: number
  readonly timeoutMs?: number
  readonly clock?: Clock
}

export interface ParityResult {
  readonly target: string
  readonly clientId: string
  readonly mockVersion: string
  /** Users the in-process mock held: the target's totalResultSize, or the mock's default when it gave none. */
  readonly mockUsers: number
  readonly mockUsersFrom: 'the target\'s totalResultSize' | 'the default: the target gave no totalResultSize'
  readonly probes: number
  /** Probes that could not be sent on either side (a small dataset gives no cursor), by name. */
  readonly skipped: readonly string[]
  readonly requests: { readonly target: number, readonly mock: number }
  readonly differences: readonly Difference[]
}

/** The most users the mock holds (SEQUENCE_MOCK_USERS, src/config.ts). */
const MAX_USERS = 10_000_000
/** Sequence's documented limit per API key, as the mock enforces by default. */
const DOCUMENTED_RATE_LIMIT = 1500

export async function runParity (options: ParityOptions): Promise<ParityResult> {
  const target = checkTarget(options.target)
  const clock = options.clock ?? realClock
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const probes = probesFor(options.allowWrites === true)
  const targetSide = new Side({ label: 'target', base: target, paceMs: 1000 / (options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND), timeoutMs, clock })
  const onTarget = await sendAll(targetSide, probes, options, (first) => {
    if (first.status === 401 || first.status === 403) {
      throw new ParityError(`the target refused the credentials of client id ${JSON.stringify(options.clientId)} (${first.status} to GET /users); pass your sandbox API key: --auth <id:secret>`)
    }
  })
  // Same credentials and as many users: page sizes, cursors' presence and the total then mean the same on both sides.
  const total = totalOf(onTarget.get(FIRST_PROBE)?.answer)
  const mock = await startMock({ ...(total !== undefined && { users: total }), credentials: [{ clientId: options.clientId, clientSecret: options.clientSecret }], rateLimit: DOCUMENTED_RATE_LIMIT })
  let onMock: Map<string, Outcome>
  const mockSide = new Side({ label: 'mock', base: mock.url, paceMs: 0, timeoutMs, clock })
  try {
    onMock = await sendAll(mockSide, probes, options)
  } finally {
    await mock.close()
  }
  const differences: Difference[] = []
  for (const probe of probes) {
    const findings = compareOutcomes(onTarget.get(probe.name) as Outcome, onMock.get(probe.name) as Outcome)
    differences.push(...findings.map((finding) => ({ probe: probe.name, request: describeProbe(probe), ...finding })))
  }
  differences.push(...compareRules(answersOf(onTarget), answersOf(onMock)))
  return {
    target,
    clientId: options.clientId,
    mockVersion: MOCK_VERSION,
    mockUsers: mock.config.users,
    mockUsersFrom: total === undefined ? 'the default: the target gave no totalResultSize' : 'the target\'s totalResultSize',
    probes: probes.length,
    skipped: probes.filter((probe) => onTarget.get(probe.name)?.answer === undefined && onMock.get(probe.name)?.answer === undefined).map((probe) => probe.name),
    requests: { target: targetSide.requests, mock: mockSide.requests },
    differences
  }
}

/** The base URL without a trailing slash; never one carrying credentials (they would end up in output). */
function checkTarget (text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ParityError(`--target must be a URL such as https://sandbox.sequencehq.com/api, not ${JSON.stringify(text)}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ParityError(`--target must be an http or https URL, not ${url.protocol}`)
  if (url.username !== '' || url.password !== '') throw new ParityError('--target must not carry credentials: pass them with --auth')
  if (url.search !== '' || url.hash !== '') throw new ParityError('--target is a base URL, without a query or fragment')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** The target's totalResultSize, within the mock's bounds; undefined when it gave none. */
function totalOf (answer: Answer | undefined): number | undefined {
  const total = (answer?.json as { pagination?: { totalResultSize?: unknown } } | undefined)?.pagination?.totalResultSize
  return typeof total === 'number' && Number.isSafeInteger(total) && total >= 0 ? Math.min(total, MAX_USERS) : undefined
}

/** Every probe in order on one side; `checkFirst` may stop the run after the first answer. */
async function sendAll (side: Side, probes: readonly Probe[], options: ParityOptions, checkFirst?: (answer: Answer) => void): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>()
  for (const probe of probes) {
    const built = buildRequest(probe, outcomes, options)
    if (typeof built === 'string') {
      outcomes.set(probe.name, { skipped: built, values: [] })
      continue
    }
    const answer = await side.send(built.request)
    outcomes.set(probe.name, { answer, values: built.values })
    if (probe.name === FIRST_PROBE) checkFirst?.(answer)
  }
  return outcomes
}

/** The request for this side, its references resolved from the side's earlier answers; a reason when one cannot be. */
function buildRequest (probe: Probe, outcomes: ReadonlyMap<string, Outcome>, options: ParityOptions): { request: Request, values: string[] } | string {
  const values: string[] = []
  let missing: string | undefined
  const resolve = (value: Value): string => {
    if (!isRef(value)) return value
    const found = lookup(value, outcomes.get(value.from)?.answer)
    if (typeof found !== 'string') {
      missing ??= `"${value.from}" gave no ${value.field}`
      return ''
    }
    values.push(found)
    return found
  }
  const id = probe.id === undefined ? undefined : resolve(probe.id)
  const query = Object.fromEntries(Object.entries(probe.query ?? {}).map(([key, value]) => [key, resolve(value)]))
  let body: unknown
  if (probe.body !== undefined) {
    const accounts = probe.body['accounts']
    body = isRef(accounts) ? { sequenceAccountIds: lookup(accounts, outcomes.get(accounts.from)?.answer) } : probe.body
    if (isRef(accounts) && !Array.isArray((body as { sequenceAccountIds: unknown }).sequenceAccountIds)) missing ??= `"${accounts.from}" gave no accounts`
  }
  if (missing !== undefined) return missing
  const headers: Record<string, string> = {
    ...authorization(probe, options),
    ...(probe.version !== undefined && { 'sequence-version': probe.version }),
    ...(probe.origin !== undefined && { origin: probe.origin })
  }
  const path = id === undefined ? '/users' : `/users/${encodeURIComponent(id)}`
  return { request: { method: probe.method, path, query, headers, ...(body !== undefined && { body }) }, values }
}

function lookup (ref: Ref, answer: Answer | undefined): string | string[] | undefined {
  const json = answer?.json as { items?: unknown, pagination?: Record<string, unknown>, id?: unknown, sequenceAccountIds?: unknown } | undefined
  const first = (Array.isArray(json?.items) ? json.items[0] : json) as { id?: unknown, sequenceAccountIds?: unknown } | undefined
  const value = ref.field === 'after' || ref.field === 'before'
    ? json?.pagination?.[ref.field]
    : ref.field === 'firstId' ? first?.id : first?.sequenceAccountIds
  if (typeof value === 'string' && value !== '') return value
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined
}

/** A wrong secret that is surely not the real one. */
export function wrongSecret (secret: string): string {
  return secret === 'parity-check-wrong-secret' ? 'parity-check-other-secret' : 'parity-check-wrong-secret'
}

function authorization ({ auth }: Probe, { clientId, clientSecret }: ParityOptions): Record<string, string> {
  if (auth === 'none') return {}
  if (auth === 'malformed') return { authorization: 'Bearer parity-check' }
  const secret = auth === 'wrong' ? wrongSecret(clientSecret) : clientSecret
  return { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` }
}

function answersOf (outcomes: ReadonlyMap<string, Outcome>): Answers {
  return new Map([...outcomes].map(([name, outcome]) => [name, outcome.answer]))
}
