// Replay: an API read answered before is sent again, headers and bytes, in front of the whole pipeline.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Page } from '../data/page.js'
import type { UserStore } from '../data/user-store.js'
import { screenRequest } from './client-errors.js'
import { observationOf, type Journal, type Observation } from './journal.js'
import { RATE_LIMIT_WINDOW_MS, type RateLimitCounters } from './rate-limit.js'
import type { ClientReport } from './report.js'
import type { RequestLog } from './request-log.js'
import type { Scenarios } from './scenarios.js'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by a route whose answer depends only on the request's replay key and the users: the
     * users' revision it was worked out from.
     */
    replayRevision: number | null
  }
}

/** Bodies kept for replay: about fifty of the largest pages (memory stays bounded). */
export const REPLAY_CACHE_BYTES = 8 * 1024 * 1024

interface Answer {
  /** Every header the pipeline sent, content-length included, as `writeHead` takes them. */
  readonly headers: string[]
  readonly body: Buffer
  readonly page: Page | null
  /** What the journal recorded for it, shared by every replay; method and duration are each request's own. */
  readonly observation: Observation
}

/**
 * The newest answers (a Map keeps insertion order: a hit moves to the end, the oldest go first), up
 * to `maxBytes` of bodies. Every entry is of one `revision` of the users: any write drops them all.
 */
export class ReplayCache {
  readonly #answers = new Map<string, Answer>()
  #bytes = 0
  #revision = -1

  constructor (readonly maxBytes: number) {}

  get (key: string, revision: number): Answer | undefined {
    if (revision !== this.#revision) {
      this.#answers.clear()
      this.#bytes = 0
      this.#revision = revision
      return undefined
    }
    const answer = this.#answers.get(key)
    if (answer !== undefined) {
      this.#answers.delete(key)
      this.#answers.set(key, answer)
    }
    return answer
  }

  /** Refused when the users changed since `revision`, which the answer was worked out from. */
  set (key: string, revision: number, answer: Answer): void {
    if (revision !== this.#revision || answer.body.length > this.maxBytes || this.#answers.has(key)) return
    this.#answers.set(key, answer)
    this.#bytes += answer.body.length
    for (const [oldest, { body }] of this.#answers) {
      if (this.#bytes <= this.maxBytes) break
      this.#answers.delete(oldest)
      this.#bytes -= body.length
    }
  }
}

/**
 * Everything a GET's answer can depend on besides the users: its URL (path and query), credentials,
 * version header and origin (CORS). Requests with a `Prefer` header never take this path.
 */
function replayKey (method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): string | undefined {
  if ((method !== 'GET' && method !== 'HEAD') || headers.prefer !== undefined) return undefined
  const version = headers['sequence-version']
  return `${url}\n${headers.authorization ?? ''}\n${version === undefined ? '' : `=${String(version)}`}\n${headers.origin === undefined ? '' : `=${headers.origin}`}`
}

export interface ReplayOptions {
  readonly users: UserStore
  readonly scenarios: Scenarios
  readonly journal: Journal
  readonly report: ClientReport
  /** Requests per minute per API key (0: no limit), counted in the same counters as the rate-limit step. */
  readonly rateLimit: number
  readonly counters: RateLimitCounters
  /** Off with latency on: each response must be delayed. */
  readonly enabled: boolean
  readonly isClosing: () => boolean
  /** The request ids the app gives out (Fastify's `genReqId`). */
  readonly requestId: () => string
}

/**
 * A read the users' routes marked replayable is stored as it is sent (an onSend hook); an identical
 * read while the users are unchanged gets the same status, headers and bytes from the server's own
 * request listener, before Fastify builds anything for it. It is still rate-limited, logged,
 * journaled and reported like any request. Never while a /_mock scenario is set, with latency, or
 * while closing: those steps run for each request.
 */
export class Replay {
  readonly #cache = new ReplayCache(REPLAY_CACHE_BYTES)
  #app: FastifyInstance | undefined
  #log: RequestLog | undefined

  constructor (readonly options: ReplayOptions) {}

  /** Fastify's own HTTP/1 server (its lib/server.js), with the screen for unusual requests and replay in front of Fastify's handler. */
  createServer (handler: RequestListener, fastifyOptions: Record<string, any>): Server {
    const server = createServer(fastifyOptions['http'] ?? {}, (req, res) => {
      if (screenRequest(req, res)) return
      let served = false
      try {
        served = this.#serve(req, res)
      } catch (error) {
        // A fault here is the mock's own: logged, and the request answered by the pipeline unless it was already.
        this.#app?.log.error({ err: error }, 'replay failed')
        served = res.headersSent
      }
      if (!served) handler(req, res)
    })
    server.keepAliveTimeout = fastifyOptions['keepAliveTimeout']
    server.requestTimeout = fastifyOptions['requestTimeout']
    server.setTimeout(fastifyOptions['connectionTimeout'])
    if (fastifyOptions['maxRequestsPerSocket'] > 0) server.maxRequestsPerSocket = fastifyOptions['maxRequestsPerSocket']
    return server
  }

  /** The hook that stores answers, and the app's request log for the requests it replays. */
  register (app: FastifyInstance, log: RequestLog): void {
    this.#app = app
    this.#log = log
    app.decorateRequest('replayRevision', null)
    if (!this.options.enabled) return
    app.addHook('onSend', (request, reply, payload, done) => {
      this.#capture(request, reply, payload)
      done(null, payload)
    })
  }

  #serve (req: IncomingMessage, res: ServerResponse): boolean {
    const { users, scenarios, rateLimit, counters, enabled, isClosing, journal, report, requestId } = this.options
    if (this.#log === undefined || !enabled || scenarios.size > 0 || isClosing()) return false
    const key = replayKey(req.method, req.url, req.headers)
    const answer = key === undefined ? undefined : this.#cache.get(key, users.revision)
    // A request over the limit goes through the pipeline for its 429, counted again there: past the
    // limit, the count changes nothing a client sees.
    if (answer === undefined || (rateLimit > 0 && counters.hit(answer.observation.clientId ?? '', RATE_LIMIT_WINDOW_MS).current > rateLimit)) return false
    const started = performance.now()
    res.writeHead(200, answer.headers)
    res.end(answer.body)
    const ms = Math.round((performance.now() - started) * 100) / 100
    const { method = 'GET', url } = req
    this.#log.write({ reqId: requestId(), method, url: url ?? '', status: 200, ms, apiVersion: answer.observation.apiVersion })
    const arrivedAt = journal.record(answer.observation, method, ms)
    report.observe(answer.observation, answer.page, undefined, ms, arrivedAt)
    return true
  }

  #capture (request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    const revision = request.replayRevision
    if (revision === null || reply.statusCode !== 200 || request.scenario !== null || request.delayMs !== null || this.options.isClosing() || !Buffer.isBuffer(payload)) return
    const key = replayKey(request.method, request.url, request.headers)
    if (key === undefined) return
    const headers = Object.entries({ ...reply.getHeaders(), 'content-length': String(payload.length) })
      .flatMap(([name, value]) => Array.isArray(value) ? value.map((item) => [name, item]) : [[name, String(value)]])
      .flat()
    this.#cache.set(key, revision, { headers, body: payload, page: request.page, observation: observationOf(request, reply) })
  }
}
