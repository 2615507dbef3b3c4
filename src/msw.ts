// MSW handlers: requests to Sequence's hosts answered by the mock's own HTTP server (no socket), with its status, headers and bytes.
import type { Server } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { http, HttpResponse, type RequestHandler } from 'msw'
import type { Config } from './config.js'
import { dispatch } from './http/dispatch.js'
import type { JournalEntry, JournalFilter } from './http/journal.js'
import { buildApp, configOf, userControls, type MockOptions, type NewUser, type StoredUser } from './index.js'

/** Sequence's production and sandbox API base URLs (the published OpenAPI documents' server is the sandbox). */
export const SEQUENCE_BASE_URLS: readonly string[] = ['https://eu.sequencehq.com/api', 'https://sandbox.sequencehq.com/api']

export type SequenceHandlersOptions = MockOptions & {
  /** The API base URLs to answer (default: SEQUENCE_BASE_URLS); `/_mock`, `/health` and `/openapi*` are answered on their origins. */
  baseUrls?: readonly string[]
}

/** The handlers and, for tests that steer the mock from code, its controls (the same ones as `/_mock`). */
export interface SequenceMock {
  /** Spread into `setupServer(...)`: one handler per base URL. */
  readonly handlers: RequestHandler[]
  readonly config: Config
  /** The app behind the handlers, built on the first request (or this call): for `inject` and `app.mock`; it never listens. */
  app: () => Promise<FastifyInstance>
  /** Back to the data at start; journal, report, scenarios and rate-limit counters cleared (`POST /_mock/reset`). */
  reset: () => Promise<void>
  /** Adds a user (`POST /_mock/users`); throws a MockControlError for an invalid one. */
  addUser: (user: NewUser) => Promise<StoredUser>
  /** Replaces every user (`PUT /_mock/users`); the count. */
  replaceUsers: (users: Array<NewUser & { id: string }>) => Promise<number>
  /** Removes a user outright (`DELETE /_mock/users/{id}`); undefined when there is none. */
  removeUser: (id: string) => Promise<StoredUser | undefined>
  /** The request journal (`GET /_mock/requests`), newest first. */
  requests: (filter?: JournalFilter) => Promise<JournalEntry[]>
  /** Frees the app; a request after it is answered by a new one, from the start data. */
  close: () => Promise<void>
}

/** The mock's own routes, answered at the root of every base URL's origin. */
const MOCK_ROUTES = '/_mock(?:/.*)?|/health|/openapi\\.json|/openapi/.*'
const MOCK_TARGET = new RegExp(`^(?:${MOCK_ROUTES})(?:\\?|$)`)

/** Statuses whose response has no body (a `Response` refuses one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304])

/**
 * Headers about the connection the server answered on, not about the response: MSW has no connection
 * (each dispatch is a connection of its own, closed after the answer), so they are not passed on.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])

/**
 * MSW handlers that answer Sequence's API (`https://eu.sequencehq.com/api` and
 * `https://sandbox.sequencehq.com/api` unless `baseUrls` says otherwise) from a mock built with
 * `options`, the same settings as `startMock`: `setupServer(...sequenceHandlers({ users: 20 }))`.
 */
export function sequenceHandlers (options: SequenceHandlersOptions = {}): RequestHandler[] {
  return createSequenceMock(options).handlers
}

/** The handlers with the mock's controls: `const sequence = createSequenceMock(); setupServer(...sequence.handlers)`. */
export function createSequenceMock ({ baseUrls = SEQUENCE_BASE_URLS, ...options }: SequenceHandlersOptions = {}): SequenceMock {
  const config = configOf(options)
  const bases = baseUrls.map(parseBaseUrl)
  let built: Promise<FastifyInstance> | undefined
  // Built on the first request: handlers are returned synchronously, to be spread into setupServer.
  const app = async (): Promise<FastifyInstance> => await (built ??= buildApp(config))

  const handlers = bases.map(({ origin, path }) =>
    http.all(new RegExp(`^${escapeRegExp(origin)}(?:${escapeRegExp(path)}(?:/.*)?|${MOCK_ROUTES})$`), async ({ request }) => {
      // The target as sent (a bare `?` included), the base path in place of `/api`; the mock's own routes as they are.
      const target = request.url.slice(origin.length).replace(/#.*$/, '')
      const url = MOCK_TARGET.test(target) ? target : `/api${target.slice(path.length)}`
      return await answer(request, url, (await app()).server)
    }))

  return {
    handlers,
    config,
    app,
    reset: async () => { (await app()).mock.reset() },
    ...userControls(app, config, 'localhost'),
    requests: async (filter) => (await app()).mock.journal.list(filter),
    close: async () => {
      const closing = built
      built = undefined
      if (closing !== undefined) await (await closing).close()
    }
  }
}

/** One request through the app's server: method, target, headers and body bytes as sent; the reply's status, headers and bytes as written. */
async function answer (request: Request, url: string, server: Server): Promise<Response> {
  const headers = [...request.headers]
  if (!request.headers.has('host')) headers.unshift(['host', new URL(request.url).host])
  // fetch sends `Content-Length: 0` for a POST or PUT without a body, as the server then sees it.
  const body = request.body !== null ? Buffer.from(await request.arrayBuffer()) : request.method === 'POST' || request.method === 'PUT' ? Buffer.alloc(0) : undefined
  const reply = await dispatch(server, { method: request.method, url, headers, body })
  const responseHeaders = new Headers()
  for (const [name, value] of reply.headers) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) responseHeaders.append(name, value)
  }
  return new HttpResponse(NULL_BODY_STATUSES.has(reply.status) ? null : reply.body, { status: reply.status, statusText: reply.statusText, headers: responseHeaders })
}

function parseBaseUrl (baseUrl: string): { origin: string, path: string } {
  const url = new URL(baseUrl)
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError(`Invalid base URL ${JSON.stringify(baseUrl)}: expected an origin and a path, like https://eu.sequencehq.com/api.`)
  }
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, '') }
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
