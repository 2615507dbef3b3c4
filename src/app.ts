// buildApp(config): wires contract, data and HTTP into a ready Fastify instance; it never listens.
import type { RequestListener, Server } from 'node:http'
import type { Writable } from 'node:stream'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import pino from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config, Credential } from './config.js'
import { LATEST_VERSION, type ApiVersion } from './contract/versions.js'
import { MockControls } from './controls.js'
import { createDataset } from './data/dataset.js'
import type { UserStore } from './data/user-store.js'
import { registerBasicAuth } from './http/auth.js'
import { answerUnusualRequests, clientErrorHandler } from './http/client-errors.js'
import { addCorsHeaders, registerCors } from './http/cors.js'
import { ApiError, registerErrorEnvelope, sendError, statusType } from './http/errors.js'
import { observationOf } from './http/journal.js'
import { registerRateLimit } from './http/rate-limit.js'
import { RequestLog } from './http/request-log.js'
import { Replay } from './http/replay.js'
import { delayResponse, scenarioHook } from './http/scenarios.js'
import { labelResponse, selectVersion } from './http/version.js'
import { adminRoutes } from './routes/admin.js'
import { healthRoutes } from './routes/health.js'
import { openapiRoutes } from './routes/openapi.js'
import { usersRoutes } from './routes/users.js'

declare module 'fastify' {
  interface FastifyRequest {
    apiVersion: ApiVersion
    credential: Credential | undefined
  }
  interface FastifyInstance {
    /** The test controls behind /_mock, for in-process use. */
    mock: MockControls
  }
}

export interface AppDependencies {
  /** A dataset built elsewhere (tests); by default it is created from the config. */
  readonly users?: UserStore
  /** Where log lines go; standard output by default. */
  readonly logStream?: Writable
}

export async function buildApp (config: Config, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const users = deps.users ?? await createDataset({ ...config, size: config.users })
  const controls = new MockControls(users, config.journalSize)
  // Request ids as Fastify's own (req-1, req-2, …), shared with the requests replay answers.
  let requests = 0
  const requestId = (): string => `req-${(++requests).toString(36)}`
  // app.close() waits for open connections: once closing, answer `Connection: close` so that
  // keep-alive clients let go as soon as their in-flight request is done.
  let closing = false
  const replay = new Replay({
    users,
    scenarios: controls.scenarios,
    journal: controls.journal,
    report: controls.report,
    rateLimit: config.rateLimit,
    counters: controls.rateLimit,
    enabled: config.delayMs.max === 0,
    isClosing: () => closing,
    requestId
  })
  const app = Fastify({
    // A read answered before, while nothing changed, is sent again as it was, before Fastify's own work.
    serverFactory: (handler, options) => replay.createServer(handler as RequestListener, options),
    genReqId: requestId,
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization'],
      ...(deps.logStream !== undefined
        ? { stream: deps.logStream }
        : config.logFormat === 'pretty'
          ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,reqId', singleLine: true } } }
          // Synchronous writes, not pino's default asynchronous ones: request lines come one write per
          // turn of the event loop (src/http/request-log.ts), and nothing is left unwritten at exit.
          : { stream: pino.destination({ dest: 1, sync: true }) })
    },
    // One line per request, written in onResponse below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // While closing, finish in-flight requests and answer the rest normally rather than with Fastify's 503.
    return503OnClosing: false,
    // A `__proto__` key in a JSON body is dropped, never applied: the rest of the body is read as sent.
    onProtoPoisoning: 'remove',
    // Query strings are text: coerce `limit=5` to 5, but never drop or invent what the client sent.
    ajv: {
      customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: false, allErrors: true },
      // ajv-formats' uuid also takes a `urn:uuid:` prefix: a Sequence id is the bare UUID.
      onCreate: (ajv) => { ajv.addFormat('uuid', /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i) }
    },
    // A bad URL or an over-long id fails before any hook runs: label it, then the one envelope.
    frameworkErrors: (error, request, reply) => {
      labelResponse(request, reply)
      addCorsHeaders(config.corsOrigins, request, reply)
      sendError(error, request, reply)
    },
    // Limits (README "Security and limits"): a slow or oversized request cannot hold the server.
    bodyLimit: config.maxBodyBytes,
    requestTimeout: config.requestTimeoutMs,
    http: {
      maxHeaderSize: config.maxHeaderBytes,
      headersTimeout: config.requestTimeoutMs,
      // Node checks the two timeouts every 30 s by default: a slow client would hold on far longer than set.
      connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs),
      // Node would answer a missing Host with an empty 400: screenRequest answers it in the envelope.
      requireHostHeader: false
    },
    clientErrorHandler: clientErrorHandler(config)
  }).withTypeProvider<TypeBoxTypeProvider>()
  answerUnusualRequests(app.server)

  app.decorate('mock', controls)
  app.decorateRequest('apiVersion', LATEST_VERSION)
  app.decorateRequest('credential', undefined)
  app.decorateRequest('errorType', null)
  app.decorateRequest('scenario', null)
  app.decorateRequest('page', null)
  app.decorateRequest('delayMs', null)
  registerErrorEnvelope(app)
  // Bodies are JSON: text/plain gets 415 like any other type, not a string that fails validation.
  app.removeContentTypeParser('text/plain')
  app.addHook('preClose', async () => {
    closing = true
    await acceptQueued(app.server)
  })
  const requestLog = new RequestLog(app.log)
  app.addHook('onClose', async () => { requestLog.flush() })
  replay.register(app, requestLog)
  app.addHook('onRequest', async (request, reply) => { labelResponse(request, reply) })
  app.addHook('onResponse', async (request, reply) => {
    requestLog.write({ reqId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, apiVersion: request.apiVersion })
    // The journal and the report are about what clients sent to the API, unknown /api routes included.
    if (isApiRequest(request.url)) {
      const observation = observationOf(request, reply)
      const arrivedAt = controls.journal.record(observation)
      controls.report.observe(observation, request.page, reply.getHeader('retry-after'), observation.durationMs, arrivedAt)
    }
  })
  // Latency goes on every API response, errors included, so a client's timeouts see it whatever the answer.
  app.addHook('onSend', async (request) => { if (isApiRequest(request.url)) await delayResponse(request, config.delayMs) })
  // After the latency, which a close may begin during.
  app.addHook('onSend', async (_request, reply) => { if (closing) reply.header('connection', 'close') })
  await registerCors(app, config.corsOrigins)
  // After CORS, so that a browser app can read the answer.
  app.addHook('onRequest', async (request) => {
    if (request.url.length > config.maxUrlLength) {
      throw new ApiError(414, statusType(414), `The request target is ${request.url.length} characters long; the limit is ${config.maxUrlLength} (SEQUENCE_MOCK_MAX_URL_LENGTH).`)
    }
  })
  await app.register(healthRoutes, { users })
  await app.register(openapiRoutes)
  await app.register(adminRoutes, { prefix: '/_mock', controls, adminToken: config.adminToken })

  // Sequence's order of checks: authentication, then version (and whether it publishes the operation),
  // then the rate limit; then the mock's scenario step (Prefer, /_mock scenarios); then validation.
  await app.register(async (api) => {
    await registerBasicAuth(api, config.credentials)
    api.addHook('onRequest', selectVersion)
    await registerRateLimit(api, config.rateLimit, controls.rateLimit)
    // Documented limit for the simulated 429's message when the mock's own limit is off.
    api.addHook('onRequest', scenarioHook(controls.scenarios, config.rateLimit || 1500))
    await api.register(usersRoutes, { users, defaultLimit: config.defaultLimit, deleteMode: config.deleteMode })
  }, { prefix: '/api' })

  await app.ready()
  return app
}

/**
 * Node accepts one queued connection per turn of the event loop, and closing the server resets those
 * still queued: requests their clients sent before the stop would be lost. So before closing, turns
 * go by until one brings no new connection (at least two, at most 100 ms).
 */
async function acceptQueued (server: Server): Promise<void> {
  let accepted = 0
  const count = (): void => { accepted++ }
  server.on('connection', count)
  const until = performance.now() + 100
  for (let turns = 0, seen = -1; performance.now() < until && (turns < 2 || accepted !== seen); turns++) {
    seen = accepted
    await new Promise((resolve) => setImmediate(resolve))
  }
  server.off('connection', count)
}

function isApiRequest (url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')
}
