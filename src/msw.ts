// MSW handlers: requests to Sequence's hosts answered by the mock's own app (`inject`), with the server's status, headers and bytes.
import { METHODS } from 'node:http'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { http, HttpResponse, type RequestHandler } from 'msw'
import type { Config } from './config.js'
import { rawErrorResponse } from './http/client-errors.js'
import type { JournalEntry, JournalFilter } from './http/journal.js'
import { buildApp, configOf, MockControlError, type MockOptions, type NewUser, type StoredUser } from './index.js'

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
  /** The app behind the handlers, built on the first request (or this call): for `inject` and `app.mock`. */
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
  const inject = async (request: InjectOptions): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> => (await app()).inject(request)

  const handlers = bases.map(({ origin, path }) =>
    http.all(new RegExp(`^${escapeRegExp(origin)}(?:${escapeRegExp(path)}(?:/.*)?|${MOCK_ROUTES})$`), async ({ request }) => {
      // The target as sent (a bare `?` included), the base path in place of `/api`; the mock's own routes as they are.
      const target = request.url.slice(origin.length).replace(/#.*$/, '')
      const url = MOCK_TARGET.test(target) ? target : `/api${target.slice(path.length)}`
      return await answer(request, url, inject)
    }))

  const admin = async (method: InjectOptions['method'], url: string, body?: unknown): Promise<{ status: number, json: unknown }> => {
    const response = await inject({
      method,
      url,
      headers: { ...(config.adminToken !== undefined && { authorization: `Bearer ${config.adminToken}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) })
    })
    return { status: response.statusCode, json: response.json() }
  }
  const expect = <T>({ status, json }: { status: number, json: unknown }, ok: number): T => {
    if (status !== ok) throw new MockControlError(status, json)
    return json as T
  }
  return {
    handlers,
    config,
    app,
    reset: async () => { (await app()).mock.reset() },
    addUser: async (user) => expect<StoredUser>(await admin('POST', '/_mock/users', user), 201),
    replaceUsers: async (users) => expect<{ users: number }>(await admin('PUT', '/_mock/users', users), 200).users,
    removeUser: async (id) => {
      const answer = await admin('DELETE', `/_mock/users/${encodeURIComponent(id)}`)
      return answer.status === 404 ? undefined : expect<StoredUser>(answer, 200)
    },
    requests: async (filter) => (await app()).mock.journal.list(filter),
    close: async () => {
      const closing = built
      built = undefined
      if (closing !== undefined) await (await closing).close()
    }
  }
}

/** One request through the app: method, target, headers and body bytes as sent; the reply's status, headers and bytes as they are. */
async function answer (request: Request, url: string, inject: (options: InjectOptions) => Promise<Awaited<ReturnType<FastifyInstance['inject']>>>): Promise<Response> {
  const headers = Object.fromEntries(request.headers)
  // What Node's HTTP parser refuses before the app sees the request (a lower-case or unknown method,
  // a control character in a header value), answered as the server answers it.
  if (!METHODS.includes(request.method)) return parserError('Invalid method encountered', false)
  if (Object.values(headers).some((value) => /[\x00-\x08\x0a-\x1f\x7f]/.test(value))) return parserError('Invalid header value char', request.method === 'HEAD')
  headers['host'] ??= new URL(request.url).host
  // fetch sends `Content-Length: 0` for a POST or PUT without a body, as the server then sees it.
  const payload = request.body !== null ? Buffer.from(await request.arrayBuffer()) : request.method === 'POST' || request.method === 'PUT' ? Buffer.alloc(0) : undefined
  const reply = await inject({ method: request.method as InjectOptions['method'], url, headers, ...(payload !== undefined && { payload }) })
  const responseHeaders = new Headers()
  for (const [name, value] of Object.entries(reply.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, String(item))
  }
  return new HttpResponse(NULL_BODY_STATUSES.has(reply.statusCode) ? null : reply.rawPayload, { status: reply.statusCode, statusText: reply.statusMessage, headers: responseHeaders })
}

/** The envelope the server writes on the socket for a request its parser refuses (src/http/client-errors.ts). */
function parserError (reason: string, head: boolean): Response {
  const raw = rawErrorResponse(400, `Malformed HTTP request: ${reason}.`, head)
  const end = raw.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n')
  const headers = new Headers(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]))
  return new HttpResponse(raw.slice(end + 4), { status: Number(statusLine.split(' ')[1]), statusText: statusLine.split(' ').slice(2).join(' '), headers })
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
