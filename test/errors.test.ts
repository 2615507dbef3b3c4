// Every error path answers with Sequence's one envelope, as `application/json; charset=utf-8`, never Fastify's defaults.
import t from 'tap'
import { UserStore, type StoredUser } from '../src/data/user-store.js'
import { assertReply as assertError, AUTH, build, get, JSON_UTF8, validationError } from './helper.js'

const ROUTES_HINT = 'This mock serves /api/users and /api/users/{id}, /health, /openapi.json and /_mock.'
const INTERNAL_ERROR = { error: { type: 'InternalServerError', message: 'The mock failed to handle this request; the details are in its log.' } }

const limitError = (): unknown =>
  validationError('limit', 'Invalid limit: must be an integer between 1 and 100 (inclusive).')

const cursorError = (key: 'after' | 'before'): unknown =>
  validationError(key, `Invalid ${key}: not a cursor from this API. Pass pagination.after or pagination.before of a previous page unchanged (URL-encoded).`)

const routeNotFound = (method: string, path: string): unknown =>
  ({ error: { type: 'NotFound', message: `No route ${method} ${path}. ${ROUTES_HINT}` } })

function base64 (text: string): string {
  return Buffer.from(text).toString('base64')
}

const app = await build(t)

// A real cursor from the first page, and the same position with another direction word.
const firstPage = (await get(app, '/api/users?limit=2')).json() as { items: Array<{ id: string }>, pagination: { after: string } }
const validCursor = firstPage.pagination.after
const [cursorId, cursorMicros] = Buffer.from(validCursor, 'base64').toString('latin1').split('#')

t.test('a bad limit gets 400 validationError naming limit and its rule', async (t) => {
  const cases: Array<[query: string, problem: string]> = [
    ['limit=0', 'zero'],
    ['limit=101', 'over 100'],
    ['limit=-1', 'negative'],
    ['limit=1.5', 'a fraction'],
    ['limit=abc', 'not a number'],
    ['limit=', 'empty'],
    ['limit=1&limit=2', 'repeated'],
    ['limit=%207', 'a number with a space'],
    ['limit=7e0', 'an exponent'],
    ['limit=1.0', 'a decimal point'],
    ['limit=0x10', 'hexadecimal'],
    ['limit=%2B7', 'a plus sign']
  ]
  for (const [query, problem] of cases) {
    t.test(`${query} (${problem})`, async (t) => {
      assertError(t, await get(app, `/api/users?${query}`), 400, limitError())
    })
  }
})

t.test('limit 1 and 100, the documented bounds, are accepted, as is a leading zero', async (t) => {
  for (const limit of [1, 100]) {
    const res = await get(app, `/api/users?limit=${limit}`)
    t.equal(res.statusCode, 200, `limit=${limit}`)
    t.equal((res.json() as { items: unknown[] }).items.length, limit, `limit=${limit} items`)
  }
  t.equal((await get(app, '/api/users?limit=007')).json().items.length, 7)
})

t.test('a malformed cursor gets 400 validationError naming the parameter it came in', async (t) => {
  const malformed: Array<[what: string, cursor: string]> = [
    ['not base64', 'not-base64!'],
    ['empty', ''],
    ['base64 of garbage', base64('garbage')],
    ['base64 of a cursor with the wrong direction word', base64(`${cursorId}#${cursorMicros}#UP`)],
    ['base64 of a cursor with a lower-case direction word', base64(`${cursorId}#${cursorMicros}#desc`)]
  ]
  for (const key of ['after', 'before'] as const) {
    for (const [what, cursor] of malformed) {
      t.test(`${key}: ${what}`, async (t) => {
        assertError(t, await get(app, `/api/users?${key}=${encodeURIComponent(cursor)}`), 400, cursorError(key))
      })
    }
  }
})

t.test('the same position with a DESC or ASC direction word is a valid cursor', async (t) => {
  for (const key of ['after', 'before'] as const) {
    for (const direction of ['DESC', 'ASC']) {
      const res = await get(app, `/api/users?${key}=${encodeURIComponent(base64(`${cursorId}#${cursorMicros}#${direction}`))}`)
      t.equal(res.statusCode, 200, `${key} with ${direction}`)
    }
  }
})

t.test('after and before together get 400 validationError, even when both are valid cursors', async (t) => {
  const cursor = encodeURIComponent(validCursor)
  assertError(t, await get(app, `/api/users?after=${cursor}&before=${cursor}`), 400,
    validationError('before', 'Send either after or before, not both.'))
})

t.test('an unknown user id gets 404 NotFound naming the id', async (t) => {
  const id = '00000000-0000-4000-8000-000000000000'
  assertError(t, await get(app, `/api/users/${id}`), 404, { error: { type: 'NotFound', message: `No user with id "${id}".` } })
})

t.test('a known user id is found, so the 404 is about the id', async (t) => {
  const id = firstPage.items[0]?.id ?? ''
  const res = await get(app, `/api/users/${id}`)
  t.equal(res.statusCode, 200)
  t.equal((res.json() as { id: string }).id, id)
})

t.test('an unknown route gets 404 NotFound naming the method, the path and the routes served', async (t) => {
  const cases: Array<[method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, path: string]> = [
    ['GET', '/nope', '/nope'],
    ['GET', '/api/nope', '/api/nope'],
    ['GET', '/api/nope?limit=5', '/api/nope'],
    ['POST', '/api/users/00000000-0000-4000-8000-000000000000/roles', '/api/users/00000000-0000-4000-8000-000000000000/roles'],
    ['DELETE', '/_mock/nope', '/_mock/nope']
  ]
  for (const [method, url, path] of cases) {
    t.test(`${method} ${url}`, async (t) => {
      const res = await app.inject({ method, url, headers: { authorization: AUTH } })
      assertError(t, res, 404, routeNotFound(method, path))
    })
  }
})

/** A store whose every read fails, with a message that must never reach the client. */
class FailingStore extends UserStore {
  override get (): StoredUser | undefined {
    throw new Error('connection to postgres://admin:hunter2@db failed')
  }

  override after (): StoredUser[] {
    throw new TypeError('connection to postgres://admin:hunter2@db failed')
  }
}

t.test('a failure inside the mock gets 500 InternalServerError, with no internal message or stack', async (t) => {
  const failing = await build(t, {}, { users: new FailingStore([]) })
  for (const url of ['/api/users', '/api/users/00000000-0000-4000-8000-000000000000']) {
    t.test(`GET ${url}`, async (t) => {
      const res = await get(failing, url)
      assertError(t, res, 500, INTERNAL_ERROR)
      t.equal(res.body, JSON.stringify(INTERNAL_ERROR), 'raw body')
      t.equal(res.headers['sequence-version'], '2024-07-30', 'Sequence-Version')
    })
  }
})

t.test('the version error is the exact documented string', async (t) => {
  const res = await get(app, '/api/users', { 'sequence-version': '2024-01-02' })
  t.equal(res.statusCode, 400)
  t.equal(res.headers['content-type'], JSON_UTF8)
  t.equal(res.body, '{"error":{"type":"UnrecognisedApiVersion","message":"No matching API version found. Please make sure the specified API version is valid."}}')
})

t.test('no error response carries Fastify\'s default keys (statusCode, code, error as a string)', async (t) => {
  const failing = await build(t, {}, { users: new FailingStore([]) })
  const requests: Array<[label: string, app: typeof app, method: 'GET' | 'POST', url: string, headers: Record<string, string>]> = [
    ['bad limit', app, 'GET', '/api/users?limit=0', { authorization: AUTH }],
    ['bad cursor', app, 'GET', '/api/users?after=x', { authorization: AUTH }],
    ['bad version', app, 'GET', '/api/users', { authorization: AUTH, 'sequence-version': 'latest' }],
    ['no credentials', app, 'GET', '/api/users', {}],
    ['wrong credentials', app, 'GET', '/api/users', { authorization: `Basic ${base64('key:nope')}` }],
    ['unknown user', app, 'GET', '/api/users/nope', { authorization: AUTH }],
    ['unknown route', app, 'GET', '/nope', {}],
    ['unknown method', app, 'POST', '/api/users', { authorization: AUTH }],
    ['5xx', failing, 'GET', '/api/users', { authorization: AUTH }]
  ]
  for (const [label, target, method, url, headers] of requests) {
    const res = await target.inject({ method, url, headers })
    const body = res.json() as Record<string, unknown>
    t.ok(res.statusCode >= 400, `${label}: an error status`)
    t.strictSame(Object.keys(body), ['error'], `${label}: only the error key, no statusCode or code`)
    t.equal(typeof body['error'], 'object', `${label}: error is an object, not Fastify's string`)
    t.equal(res.headers['content-type'], JSON_UTF8, `${label}: content-type`)
  }
})

// Fastify's router rejects these before any hook runs; `frameworkErrors` routes them to the envelope.
t.test("a path with broken percent-encoding gets 400 in the envelope, not Fastify's FST_ERR_BAD_URL body", async (t) => {
  const res = await get(app, '/api/users/%E0%A4%A')
  assertError(t, res, 400, { error: { type: 'BadRequest', message: "'/api/users/%E0%A4%A' is not a valid url component" } })
  t.equal(res.headers['sequence-version'], '2024-07-30', 'Sequence-Version')
})

t.test("a user id longer than 100 characters gets 414 in the envelope, not Fastify's FST_ERR_MAX_PARAM_LENGTH body", async (t) => {
  const path = `/api/users/${'a'.repeat(101)}`
  const res = await get(app, path)
  assertError(t, res, 414, { error: { type: 'URITooLong', message: `'${path}' is exceeding the max param length` } })
  t.equal(res.headers['sequence-version'], '2024-07-30', 'Sequence-Version')
})
