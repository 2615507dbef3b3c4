// The recorded request set that test/forms.test.ts sends through every form: every operation, version, error, cursor and control.
import type { MockOptions } from '../src/index.js'
import { AUTH } from './helper.js'

/** Every form starts from these options: the same seed and size, the server's default rate limit and settings otherwise. */
export const FORM_OPTIONS: MockOptions = { users: 30, seed: 7 }

/** The host every request names (the MSW form answers Sequence's production host). */
export const HOST = 'eu.sequencehq.com'

/** The JSON answers of the requests before, by name: cursors, ids and scenario ids handed out earlier. */
export type Earlier = ReadonlyMap<string, any>

export interface RecordedRequest {
  /** Names the request in assertions, and its answer for later requests. */
  readonly name: string
  readonly method: string
  /** The status the request is there to get: the forms agree on it, and it is the one meant. */
  readonly status: number
  /** Path and query, or worked out from earlier answers. */
  readonly target: string | ((earlier: Earlier) => string)
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
  /**
   * What differs by nature between two runs of the same requests, replaced before the bodies are compared:
   * `times`, ISO 8601 times (the journal's `time`, the report's `generatedAt` and `startedAt`), each by
   * a placeholder of the same length; `durations`, the journal's `durationMs`, whose length varies, so
   * that the answer's `content-length` is then not compared either.
   */
  readonly volatile?: ReadonlyArray<'times' | 'durations'>
  /** Its answer's `id` is a scenario id (random by design): replaced by a placeholder of the same length in every later answer. */
  readonly scenarioId?: boolean
}

const AUTHORIZED = { authorization: AUTH }
const v = (version: string): Record<string, string> => ({ ...AUTHORIZED, 'sequence-version': version })
const JSON_BODY = { 'content-type': 'application/json' }
const NOBODY = '00000000-0000-4000-8000-000000000000'
const ADDED = '11111111-1111-4111-8111-111111111111'
const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const cursor = (name: string, which: 'after' | 'before') => (earlier: Earlier): string => encodeURIComponent(earlier.get(name).pagination[which])
const userId = (name: string, index: number) => (earlier: Earlier): string => earlier.get(name).items[index].id
const newUser = (id: string, email: string, createdAt: string): Record<string, unknown> =>
  ({ id, email, sequenceAccountIds: [ACCOUNT], state: 'active', roles: ['financeUser', 'readOnlyUser'], createdAt })

export const RECORDED_REQUESTS: readonly RecordedRequest[] = [
  { name: 'health', status: 200, method: 'GET', target: '/health' },
  { name: 'openapi', status: 200, method: 'GET', target: '/openapi.json' },
  { name: 'openapi 2024-01-01', status: 200, method: 'GET', target: '/openapi/2024-01-01.json' },
  { name: 'openapi unknown', status: 404, method: 'GET', target: '/openapi/1999-01-01.json' },
  // The default page size is the mock's own decision; asked twice, the second answer is a replay on a socket.
  { name: 'default page', status: 200, method: 'GET', target: '/api/users', headers: AUTHORIZED },
  { name: 'default page again', status: 200, method: 'GET', target: '/api/users', headers: AUTHORIZED },
  { name: 'HEAD page', status: 200, method: 'HEAD', target: '/api/users?limit=5', headers: AUTHORIZED },
  { name: 'page 1', status: 200, method: 'GET', target: '/api/users?limit=5', headers: v('2024-07-30') },
  { name: 'page 2', status: 200, method: 'GET', target: (e) => `/api/users?limit=5&after=${cursor('page 1', 'after')(e)}`, headers: v('2024-07-30') },
  { name: 'page 3', status: 200, method: 'GET', target: (e) => `/api/users?limit=5&after=${cursor('page 2', 'after')(e)}`, headers: v('2024-07-30') },
  { name: 'back to page 2', status: 200, method: 'GET', target: (e) => `/api/users?limit=5&before=${cursor('page 3', 'before')(e)}`, headers: v('2024-07-30') },
  { name: 'whole list 2024-01-01', status: 200, method: 'GET', target: '/api/users?limit=100', headers: v('2024-01-01') },
  { name: 'page 1 2024-05-09', status: 200, method: 'GET', target: '/api/users?limit=13', headers: v('2024-05-09') },
  { name: 'page 2 2024-05-09', status: 200, method: 'GET', target: (e) => `/api/users?limit=13&after=${cursor('page 1 2024-05-09', 'after')(e)}`, headers: v('2024-05-09') },
  { name: 'last page 2024-05-09', status: 200, method: 'GET', target: (e) => `/api/users?limit=13&after=${cursor('page 2 2024-05-09', 'after')(e)}`, headers: v('2024-05-09') },
  { name: 'by id', status: 200, method: 'GET', target: (e) => `/api/users/${userId('page 1', 0)(e)}`, headers: AUTHORIZED },
  { name: 'by id 2024-01-01', status: 200, method: 'GET', target: (e) => `/api/users/${userId('page 1', 0)(e)}`, headers: v('2024-01-01') },
  { name: 'unknown id', status: 404, method: 'GET', target: `/api/users/${NOBODY}`, headers: AUTHORIZED },
  { name: 'id over 100 characters', status: 414, method: 'GET', target: `/api/users/${'a'.repeat(101)}`, headers: AUTHORIZED },
  { name: 'URL too long', status: 414, method: 'GET', target: `/api/users?after=${'a'.repeat(8200)}`, headers: AUTHORIZED },
  { name: 'unknown API route', status: 404, method: 'GET', target: '/api/invoices', headers: AUTHORIZED },
  { name: 'no credentials', status: 401, method: 'GET', target: '/api/users' },
  { name: 'wrong secret', status: 401, method: 'GET', target: '/api/users', headers: { authorization: `Basic ${Buffer.from('key:wrong').toString('base64')}` } },
  { name: 'malformed credentials', status: 401, method: 'GET', target: '/api/users', headers: { authorization: 'Basic !!!' } },
  { name: 'unknown version', status: 400, method: 'GET', target: '/api/users', headers: v('2023-01-01') },
  { name: 'limit 0', status: 400, method: 'GET', target: '/api/users?limit=0', headers: AUTHORIZED },
  { name: 'limit 101', status: 400, method: 'GET', target: '/api/users?limit=101', headers: AUTHORIZED },
  { name: 'limit abc', status: 400, method: 'GET', target: '/api/users?limit=abc', headers: AUTHORIZED },
  { name: 'limit twice', status: 400, method: 'GET', target: '/api/users?limit=1&limit=2', headers: AUTHORIZED },
  { name: 'bad cursor', status: 400, method: 'GET', target: '/api/users?after=not-a-cursor', headers: AUTHORIZED },
  { name: 'after and before', status: 400, method: 'GET', target: (e) => `/api/users?after=${cursor('page 2', 'after')(e)}&before=${cursor('page 2', 'before')(e)}`, headers: AUTHORIZED },
  { name: 'POST list', status: 405, method: 'POST', target: '/api/users', headers: { ...AUTHORIZED, ...JSON_BODY }, body: '{}' },
  { name: 'PATCH user', status: 405, method: 'PATCH', target: (e) => `/api/users/${userId('page 1', 1)(e)}`, headers: { ...AUTHORIZED, ...JSON_BODY }, body: '{}' },
  { name: 'PUT in 2024-07-30', status: 405, method: 'PUT', target: (e) => `/api/users/${userId('page 1', 1)(e)}`, headers: { ...v('2024-07-30'), ...JSON_BODY }, body: '{"sequenceAccountIds":[]}' },
  { name: 'PUT update', status: 201, method: 'PUT', target: (e) => `/api/users/${userId('page 1', 1)(e)}`, headers: { ...v('2024-05-09'), ...JSON_BODY }, body: `{"sequenceAccountIds":["${ACCOUNT}"]}` },
  { name: 'PUT not JSON', status: 400, method: 'PUT', target: (e) => `/api/users/${userId('page 1', 1)(e)}`, headers: { ...v('2024-05-09'), ...JSON_BODY }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x00]) },
  { name: 'PUT text/plain', status: 415, method: 'PUT', target: (e) => `/api/users/${userId('page 1', 1)(e)}`, headers: { ...v('2024-05-09'), 'content-type': 'text/plain' }, body: 'hello' },
  { name: 'PUT unknown field', status: 400, method: 'PUT', target: (e) => `/api/users/${userId('page 1', 1)(e)}`, headers: { ...v('2024-01-01'), ...JSON_BODY }, body: '{"sequenceAccountIds":[],"note":"café ☕"}' },
  { name: 'updated user', status: 200, method: 'GET', target: (e) => `/api/users/${userId('page 1', 1)(e)}`, headers: v('2024-05-09') },
  { name: 'DELETE user', status: 200, method: 'DELETE', target: (e) => `/api/users/${userId('page 1', 2)(e)}`, headers: AUTHORIZED },
  { name: 'DELETE user again', status: 200, method: 'DELETE', target: (e) => `/api/users/${userId('page 1', 2)(e)}`, headers: v('2024-01-01') },
  { name: 'page 1 after writes', status: 200, method: 'GET', target: '/api/users?limit=5', headers: v('2024-07-30') },
  { name: 'Prefer 503', status: 503, method: 'GET', target: '/api/users', headers: { ...AUTHORIZED, prefer: 'code=503, retry-after=60' } },
  { name: 'Prefer 404 by id', status: 404, method: 'GET', target: (e) => `/api/users/${userId('page 1', 3)(e)}`, headers: { ...AUTHORIZED, prefer: 'code="404"' } },
  { name: 'Prefer 400 and delay', status: 400, method: 'DELETE', target: (e) => `/api/users/${userId('page 1', 3)(e)}`, headers: { ...AUTHORIZED, prefer: 'code=400, delay=5' } },
  { name: 'Prefer delay only', status: 200, method: 'GET', target: '/api/users?limit=2', headers: { ...AUTHORIZED, prefer: 'delay=5' } },
  { name: 'Prefer not understood', status: 400, method: 'GET', target: '/api/users', headers: { ...AUTHORIZED, prefer: 'return=minimal' } },
  { name: 'CORS preflight', status: 204, method: 'OPTIONS', target: '/api/users', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, sequence-version' } },
  { name: 'OPTIONS without preflight', status: 400, method: 'OPTIONS', target: '/api/users', headers: AUTHORIZED },
  { name: 'GET with Origin', status: 200, method: 'GET', target: '/api/users?limit=1', headers: { ...AUTHORIZED, origin: 'http://localhost:3000' } },
  { name: 'add user', status: 201, method: 'POST', target: '/_mock/users', headers: JSON_BODY, body: JSON.stringify(newUser(ADDED, 'added@example.com', '2030-01-01T00:00:00.250000Z')) },
  { name: 'list shows the added user', status: 200, method: 'GET', target: '/api/users?limit=2', headers: AUTHORIZED },
  { name: 'add invalid user', status: 400, method: 'POST', target: '/_mock/users', headers: JSON_BODY, body: '{"email":"nope"}' },
  { name: 'add duplicate id', status: 400, method: 'POST', target: '/_mock/users', headers: JSON_BODY, body: JSON.stringify(newUser(ADDED, 'other@example.com', '2020-01-01T00:00:00Z')) },
  { name: 'remove user', status: 200, method: 'DELETE', target: `/_mock/users/${ADDED}`, headers: {} },
  { name: 'remove unknown user', status: 404, method: 'DELETE', target: `/_mock/users/${NOBODY}` },
  { name: 'add scenario', status: 201, method: 'POST', target: '/_mock/scenarios', headers: JSON_BODY, body: '{"match":{"method":"get","path":"/api/users/{id}"},"response":{"code":503,"retryAfter":60},"times":1}', scenarioId: true },
  { name: 'scenario answers', status: 503, method: 'GET', target: (e) => `/api/users/${userId('page 1', 4)(e)}`, headers: AUTHORIZED },
  { name: 'scenario spent', status: 200, method: 'GET', target: (e) => `/api/users/${userId('page 1', 4)(e)}`, headers: AUTHORIZED },
  { name: 'list scenarios', status: 200, method: 'GET', target: '/_mock/scenarios' },
  { name: 'remove scenario', status: 200, method: 'DELETE', target: (e) => `/_mock/scenarios/${e.get('add scenario').id}` },
  { name: 'bad scenario', status: 400, method: 'POST', target: '/_mock/scenarios', headers: JSON_BODY, body: '{"response":{"code":418}}' },
  { name: 'journal', status: 200, method: 'GET', target: '/_mock/requests?limit=6', volatile: ['times', 'durations'] },
  { name: 'journal by status', status: 200, method: 'GET', target: '/_mock/requests?status=401', volatile: ['times', 'durations'] },
  { name: 'journal bad filter', status: 400, method: 'GET', target: '/_mock/requests?status=abc' },
  { name: 'report', status: 200, method: 'GET', target: '/_mock/report', volatile: ['times'] },
  { name: 'report as text', status: 200, method: 'GET', target: '/_mock/report?format=text', volatile: ['times'] },
  { name: 'replace users', status: 200, method: 'PUT', target: '/_mock/users', headers: JSON_BODY, body: JSON.stringify({ items: [newUser(ADDED, 'a@example.com', '2024-01-01T00:00:00Z'), newUser(NOBODY, 'b@example.com', '2024-01-01T00:00:00Z')] }) },
  { name: 'replaced list', status: 200, method: 'GET', target: '/api/users?limit=1', headers: v('2024-01-01') },
  { name: 'replaced list page 2', status: 200, method: 'GET', target: (e) => `/api/users?limit=1&after=${cursor('replaced list', 'after')(e)}`, headers: v('2024-01-01') },
  { name: 'clear journal', status: 200, method: 'DELETE', target: '/_mock/requests' },
  { name: 'clear report', status: 200, method: 'DELETE', target: '/_mock/report' },
  { name: 'reset', status: 200, method: 'POST', target: '/_mock/reset' },
  { name: 'page 1 after reset', status: 200, method: 'GET', target: '/api/users?limit=5', headers: v('2024-07-30') },
  { name: 'unknown control', status: 404, method: 'GET', target: '/_mock/nothing' }
]
