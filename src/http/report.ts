// The client-conformance report: per client id, what clients did that a real integration should not.
import { Type, type Static } from 'typebox'
import { LIMIT_PATTERN, ListUsersQuerySchema } from '../contract/schemas.js'
import { API_VERSIONS, LATEST_VERSION } from '../contract/versions.js'
import { decodeCursor, type Cursor, type Position } from '../data/cursor.js'
import type { Page } from '../data/page.js'
import type { UserStore } from '../data/user-store.js'
import type { Observation } from './journal.js'

/** @see https://docs.sequencehq.com/reference/authentication (rate limits: 1,500 requests per minute per API key) */
export const DOCUMENTED_RATE_LIMIT = 1500
/** Unfinished walks kept per client; older ones are dropped and counted. */
export const MAX_PENDING_WALKS = 20
/** Client ids reported one by one; requests from further ids (any text can be tried in a 401) are only counted. */
export const MAX_CLIENTS = 1000
/** Cursor positions remembered, so that a cursor of a user deleted since is not taken for a foreign one. */
export const MAX_ISSUED_POSITIONS = 10_000

const OLD_VERSIONS = API_VERSIONS.filter((version) => version !== LATEST_VERSION)
const LIMIT_RULE = ListUsersQuerySchema.properties.limit
/** The API's own rule, compiled once: checked on every list request. */
const LIMIT = new RegExp(LIMIT_PATTERN)
/** "must be an integer between 1 and 100 (inclusive).": the message the API's own 400 gives. */
const LIMIT_TEXT = (LIMIT_RULE as { description?: string }).description

export const UnfinishedWalkSchema = Type.Object({
  /** When its first page was requested, ISO 8601. */
  startedAt: Type.String(),
  /** Of its last page: `forward` follows `after`, `backward` follows `before`. */
  direction: Type.Union([Type.Literal('forward'), Type.Literal('backward')]),
  /** The size of its first page. */
  limit: Type.Integer(),
  apiVersion: Type.String(),
  pages: Type.Integer(),
  /** Items across its pages, a page fetched twice counted twice. */
  usersSeen: Type.Integer(),
  /** Of its last page. */
  totalResultSize: Type.Integer()
})
export type UnfinishedWalk = Static<typeof UnfinishedWalkSchema>

const CountsSchema = Type.Object({
  requests: Type.Integer(),
  /** The most requests that arrived within 60 seconds (one-second buckets). */
  peakRequestsPerMinute: Type.Integer(),
  withoutVersion: Type.Integer(),
  /** Requests served in each version older than the latest, every older version listed. */
  oldVersions: Type.Record(Type.String(), Type.Integer()),
  limitOutOfRange: Type.Integer(),
  malformedCursors: Type.Integer(),
  foreignCursors: Type.Integer(),
  unauthorized: Type.Integer(),
  tooManyRequests: Type.Integer(),
  retriedBeforeRetryAfter: Type.Integer()
})
type Counts = Static<typeof CountsSchema>

export const ClientSummarySchema = Type.Object({
  /** null: requests that named no client id. */
  clientId: Type.Union([Type.String(), Type.Null()]),
  ...CountsSchema.properties,
  walks: Type.Object({
    finished: Type.Integer(),
    /** Oldest first. */
    unfinished: Type.Array(UnfinishedWalkSchema),
    /** Unfinished walks dropped to keep at most MAX_PENDING_WALKS. */
    dropped: Type.Integer()
  }),
  /** One sentence per problem; empty when the client did nothing wrong. */
  findings: Type.Array(Type.String())
})
export type ClientSummary = Static<typeof ClientSummarySchema>

export const ClientReportSchema = Type.Object({
  generatedAt: Type.String(),
  /** In the order their first request arrived. */
  clients: Type.Array(ClientSummarySchema),
  /** Requests from client ids beyond the first MAX_CLIENTS, counted but not reported. */
  untrackedRequests: Type.Integer()
})
export type ClientReportBody = Static<typeof ClientReportSchema>

type Direction = UnfinishedWalk['direction']

interface Walk extends Omit<UnfinishedWalk, 'startedAt'> {
  /** Epoch ms; written out when the report is read. */
  startedAt: number
  /** The cursors of its last page: the only ones that continue it. */
  after: string | undefined
  before: string | undefined
}

/** Requests in the trailing sixty one-second buckets: constant work per request, constant memory. */
class PeakPerMinute {
  readonly #buckets = new Array<number>(60).fill(0)
  #second = -1
  #inWindow = 0
  peak = 0

  add (second: number): void {
    // A response that finished late may have arrived in an earlier second: it counts in the newest one.
    const now = Math.max(second, this.#second)
    for (let s = Math.max(this.#second + 1, now - 59); s <= now; s++) {
      this.#inWindow -= this.#buckets[s % 60] as number
      this.#buckets[s % 60] = 0
    }
    this.#second = now
    this.#buckets[now % 60] = (this.#buckets[now % 60] as number) + 1
    this.peak = Math.max(this.peak, ++this.#inWindow)
  }
}

class ClientState {
  readonly counts: Omit<Counts, 'peakRequestsPerMinute' | 'oldVersions'> = {
    requests: 0, withoutVersion: 0, limitOutOfRange: 0, malformedCursors: 0, foreignCursors: 0, unauthorized: 0, tooManyRequests: 0, retriedBeforeRetryAfter: 0
  }

  readonly oldVersions = new Map<string, number>(OLD_VERSIONS.map((version) => [version, 0]))
  readonly perMinute = new PeakPerMinute()
  /** Since when, and until when, the last 429 or 503 asked this client to wait (monotonic ms). */
  wait: { from: number, until: number } | undefined
  readonly walks: Walk[] = []
  finishedWalks = 0
  droppedWalks = 0

  constructor (readonly clientId: string | null) {}
}

export class ClientReport {
  readonly #clients = new Map<string | null, ClientState>()
  /** Positions (`id#micros`) of the cursors issued since start or clear, oldest first. */
  readonly #issued = new Set<string>()
  /** Cursor texts seen lately, decoded (undefined: malformed); bounded, as clients can send any text. */
  readonly #decoded = new Map<string, Cursor | undefined>()
  /** Positions (`id#micros`) where a user is, or is not, in one revision of the users. */
  readonly #userAt = new Map<string, boolean>()
  #userAtRevision = -1
  /** The issued positions of pages served again and again (replayed), worked out once. */
  readonly #pageKeys = new WeakMap<Page, string[]>()
  #untrackedRequests = 0

  constructor (readonly users: UserStore) {}

  /**
   * Called as each /api response finishes (the app's onResponse hook): now is when the client was
   * answered, and now minus the duration when the request arrived. This clock is finer than the
   * entry's millisecond `time`, fine enough to tell a request sent after a 429 was answered from
   * one that arrived while it was being answered. `retryAfter` is the response's Retry-After header;
   * `durationMs` a replayed request's own (the entry is shared), `arrivedAtMs` the entry's `time`.
   */
  observe (entry: Observation, page: Page | null, retryAfter?: number | string | string[], durationMs = entry.durationMs, arrivedAtMs = Date.now() - durationMs): void {
    // Preflights are the browser's, sent without credentials or version by design.
    if (entry.method === 'OPTIONS') return
    const state = this.#client(entry.clientId)
    if (state === undefined) {
      this.#untrackedRequests++
      return
    }
    const answeredAt = performance.now()
    const arrivedAt = answeredAt - durationMs
    const { counts } = state
    counts.requests++
    state.perMinute.add(Math.floor(arrivedAt / 1000))
    if (entry.requestedVersion === null) counts.withoutVersion++
    const old = state.oldVersions.get(entry.apiVersion)
    if (old !== undefined) state.oldVersions.set(entry.apiVersion, old + 1)
    if (entry.status === 401) counts.unauthorized++
    if (entry.status === 429) counts.tooManyRequests++
    if (state.wait !== undefined && arrivedAt >= state.wait.from && arrivedAt < state.wait.until) counts.retriedBeforeRetryAfter++
    const seconds = retryAfterSeconds(retryAfter)
    if ((entry.status === 429 || entry.status === 503) && seconds !== undefined) {
      const until = answeredAt + seconds * 1000
      state.wait = state.wait !== undefined && answeredAt < state.wait.until
        ? { from: state.wait.from, until: Math.max(until, state.wait.until) }
        : { from: answeredAt, until }
    }
    if (entry.path !== '/api/users' || (entry.method !== 'GET' && entry.method !== 'HEAD')) return

    // What the client sent is judged whatever the answer was: a 401 with limit=0 still has limit=0.
    const { limit, after, before } = entry.query
    if (limit !== undefined && (typeof limit !== 'string' || !LIMIT.test(limit))) counts.limitOutOfRange++
    for (const text of [after, before]) {
      if (text === undefined) continue
      const cursor = typeof text === 'string' ? this.#decode(text) : undefined
      if (cursor === undefined) counts.malformedCursors++
      else if (this.#isForeign(cursor)) counts.foreignCursors++
    }
    if (entry.status === 200 && page !== null) {
      this.#remember(page)
      this.#walk(state, entry, page, arrivedAtMs)
    }
  }

  toJSON (): ClientReportBody {
    return {
      generatedAt: new Date().toISOString(),
      clients: [...this.#clients.values()].map(summarize),
      untrackedRequests: this.#untrackedRequests
    }
  }

  /** A few lines per client, one per finding, for a CI log; ends with the number of problems or "no problems found". */
  toText (): string {
    const report = this.toJSON()
    const lines = [`sequence-mock client report, ${report.generatedAt}`]
    if (report.clients.length === 0) lines.push('no requests to /api')
    for (const client of report.clients) {
      const name = client.clientId === null ? 'no client id' : `client ${JSON.stringify(client.clientId)}`
      lines.push(`${name}: ${count(client.requests, 'request')}, peak ${client.peakRequestsPerMinute} per minute, ${count(client.walks.finished, 'walk')} finished`)
      lines.push(...(client.findings.length === 0 ? ['  no problems found'] : client.findings.map((finding) => `  - ${finding}`)))
    }
    if (report.untrackedRequests > 0) lines.push(`${count(report.untrackedRequests, 'request')} from client ids beyond the first ${MAX_CLIENTS} not reported`)
    const problems = report.clients.reduce((sum, client) => sum + client.findings.length, 0)
    lines.push(problems === 0 ? 'no problems found' : `${count(problems, 'problem')} found`)
    return `${lines.join('\n')}\n`
  }

  clear (): void {
    this.#clients.clear()
    this.#issued.clear()
    this.#decoded.clear()
    this.#userAt.clear()
    this.#untrackedRequests = 0
  }

  #client (clientId: string | null): ClientState | undefined {
    let state = this.#clients.get(clientId)
    if (state === undefined && this.#clients.size < MAX_CLIENTS) {
      state = new ClientState(clientId)
      this.#clients.set(clientId, state)
    }
    return state
  }

  /** Neither issued since start or clear, nor where one of the users is: from Sequence itself, or another dataset. */
  #isForeign (cursor: Cursor): boolean {
    const key = positionKey(cursor)
    if (this.#issued.has(key)) return false
    if (this.#userAtRevision !== this.users.revision || this.#userAt.size >= MAX_ISSUED_POSITIONS) {
      this.#userAt.clear()
      this.#userAtRevision = this.users.revision
    }
    let found = this.#userAt.get(key)
    if (found === undefined) {
      found = this.users.get(cursor.id)?.createdAtMicros === cursor.createdAtMicros
      this.#userAt.set(key, found)
    }
    return !found
  }

  /** A client walking pages sends each cursor once; a client repeating one request sends the same one again and again. */
  #decode (text: string): Cursor | undefined {
    if (this.#decoded.has(text)) return this.#decoded.get(text)
    if (this.#decoded.size >= MAX_ISSUED_POSITIONS) this.#decoded.clear()
    const cursor = decodeCursor(text)
    this.#decoded.set(text, cursor)
    return cursor
  }

  /** The page's cursors are the positions of its first and last items; re-issued ones move to the newest end. */
  #remember (page: Page): void {
    let keys = this.#pageKeys.get(page)
    if (keys === undefined) {
      keys = [page.after !== undefined && page.items.at(-1), page.before !== undefined && page.items[0]]
        .filter((user) => user !== false && user !== undefined).map((user) => positionKey(user as Position))
      this.#pageKeys.set(page, keys)
    }
    for (const key of keys) {
      this.#issued.delete(key)
      this.#issued.add(key)
      if (this.#issued.size > MAX_ISSUED_POSITIONS) this.#issued.delete(this.#issued.values().next().value as string)
    }
  }

  /**
   * A first page with more after it starts a walk; a page asked for with the `after` (forward) or
   * `before` (backward) cursor of a walk's last page continues it; one with no further cursor in
   * its direction finishes it.
   */
  #walk (state: ClientState, entry: Observation, page: Page, arrivedAtMs: number): void {
    const { after, before } = entry.query
    if (after === undefined && before === undefined) {
      if (page.after === undefined) return
      // The oldest is dropped for the new one (its object reused: clients that load a first page
      // again and again start a walk each time).
      const dropped = state.walks.length === MAX_PENDING_WALKS ? state.walks.shift() : undefined
      if (dropped !== undefined) state.droppedWalks++
      state.walks.push(Object.assign(dropped ?? {}, {
        startedAt: arrivedAtMs, direction: 'forward', limit: page.items.length, apiVersion: entry.apiVersion,
        pages: 1, usersSeen: page.items.length, totalResultSize: page.totalResultSize, after: page.after, before: page.before
      } satisfies Walk))
      return
    }
    const direction: Direction = after !== undefined ? 'forward' : 'backward'
    // The oldest first: two walks at the same place are continued one after the other.
    const walk = state.walks.find((candidate) => (direction === 'forward' ? candidate.after === after : candidate.before === before))
    if (walk === undefined) return
    walk.direction = direction
    walk.pages++
    walk.usersSeen += page.items.length
    walk.totalResultSize = page.totalResultSize
    walk.after = page.after
    walk.before = page.before
    if ((direction === 'forward' ? page.after : page.before) === undefined) {
      state.walks.splice(state.walks.indexOf(walk), 1)
      state.finishedWalks++
    }
  }
}

function summarize (state: ClientState): ClientSummary {
  const { counts } = state
  const oldVersions = Object.fromEntries(state.oldVersions)
  const unfinished = state.walks.map(({ after: _after, before: _before, startedAt, ...walk }) => ({ startedAt: new Date(startedAt).toISOString(), ...walk }))
  const findings: string[] = []
  const add = (n: number, finding: string): void => { if (n > 0) findings.push(`${count(n, 'request')} ${finding}`) }
  add(counts.withoutVersion, `without Sequence-Version: pin one, e.g. Sequence-Version: ${LATEST_VERSION}.`)
  for (const [version, n] of state.oldVersions) add(n, `served in API version ${version}, older than the latest, ${LATEST_VERSION}.`)
  add(counts.limitOutOfRange, `with a limit the API refuses: it ${LIMIT_TEXT}`)
  add(counts.malformedCursors, 'with a malformed cursor: pass pagination.after or pagination.before back unchanged, URL-encoded.')
  add(counts.foreignCursors, 'with a foreign cursor: well-formed, but from no page this mock served (from Sequence itself, or another dataset?).')
  for (const walk of unfinished) {
    const pages = walk.limit > 0 ? Math.ceil(walk.totalResultSize / walk.limit) : 0
    findings.push(`unfinished walk started ${walk.startedAt} (${walk.direction}, limit ${walk.limit}, ${walk.apiVersion}): ` +
      `stopped after ${walk.pages} of ${count(pages, 'page')}, ${walk.usersSeen} of ${count(walk.totalResultSize, 'user')} seen.`)
  }
  if (state.droppedWalks > 0) findings.push(`${count(state.droppedWalks, 'older unfinished walk')} not listed: only the newest ${MAX_PENDING_WALKS} are kept.`)
  add(counts.unauthorized, 'answered 401 Unauthorized: missing, malformed or wrong credentials.')
  add(counts.tooManyRequests, 'answered 429 TooManyRequests.')
  add(counts.retriedBeforeRetryAfter, 'sent before the Retry-After of a previous 429 or 503 had passed.')
  const peak = state.perMinute.peak
  if (peak > DOCUMENTED_RATE_LIMIT) findings.push(`peak of ${peak} requests per minute: over Sequence's documented limit of ${DOCUMENTED_RATE_LIMIT} per API key.`)
  return {
    clientId: state.clientId,
    requests: counts.requests,
    peakRequestsPerMinute: peak,
    withoutVersion: counts.withoutVersion,
    oldVersions,
    limitOutOfRange: counts.limitOutOfRange,
    malformedCursors: counts.malformedCursors,
    foreignCursors: counts.foreignCursors,
    unauthorized: counts.unauthorized,
    tooManyRequests: counts.tooManyRequests,
    retriedBeforeRetryAfter: counts.retriedBeforeRetryAfter,
    walks: { finished: state.finishedWalks, unfinished, dropped: state.droppedWalks },
    findings
  }
}

function positionKey ({ id, createdAtMicros }: Position): string {
  return `${id}#${createdAtMicros}`
}

/** Retry-After as the mock sends it: whole seconds. */
function retryAfterSeconds (header: number | string | string[] | undefined): number | undefined {
  const text = String(header ?? '')
  return /^\d+$/.test(text) ? Number(text) : undefined
}

function count (n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
