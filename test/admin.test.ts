// /_mock, the test controls: outside Basic auth, optionally behind a bearer token; users added, replaced and removed; reset.
import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { ROLES } from '../src/contract/roles.js'
import { assertReply, AUTH, build, get, JSON_UTF8, validationError, type Reply } from './helper.js'

type User = Record<string, unknown> & { id: string, email: string }
interface UserPage {
  items: User[]
  pagination: { after: string | null, before: string | null, totalResultSize: number }
}

const START_USERS = 150
const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const OTHER_ACCOUNT = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MICROSECOND_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const BASIC_CHALLENGE = 'Basic realm="Sequence", charset="UTF-8"'
const TOKEN_REFUSED = { error: { type: 'Unauthorized', message: 'The /_mock API needs `Authorization: Bearer <token>` with the token the mock was started with (SEQUENCE_MOCK_ADMIN_TOKEN).' } }

/** A user in the 2024-07-30 shape, as the fixtures format takes it. */
function newUser (email: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { email, sequenceAccountIds: [ACCOUNT], state: 'active', roles: [ROLES.salesUser, ROLES.financeUser], ...fields }
}

/** A /_mock call with no credentials unless `headers` says otherwise. */
async function admin (app: FastifyInstance, method: InjectOptions['method'] & string, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const options: InjectOptions = { method, url, headers }
  if (payload !== undefined) options.payload = payload as InjectOptions['payload']
  return app.inject(options)
}

async function list (app: FastifyInstance, query = 'limit=100'): Promise<UserPage> {
  return (await get(app, `/api/users?${query}`)).json() as UserPage
}

/** The creation time a list cursor encodes: `<id>#<epoch µs>#DESC`. */
function cursorMicros (cursor: string): number {
  return Number(Buffer.from(cursor, 'base64').toString('latin1').split('#')[1])
}

t.test('/_mock needs no credentials by default, and ignores Basic ones', async (t) => {
  const app = await build(t)
  for (const headers of [{}, { authorization: AUTH }, { authorization: 'Basic a2V5Ondyb25n' }] as Array<Record<string, string>>) {
    assertReply(t, await admin(app, 'GET', '/_mock/requests', undefined, headers), 200, { requests: [] })
    assertReply(t, await admin(app, 'GET', '/_mock/scenarios', undefined, headers), 200, { scenarios: [] })
  }
  assertReply(t, await admin(app, 'POST', '/_mock/reset'), 200, { users: START_USERS })
})

t.test('with SEQUENCE_MOCK_ADMIN_TOKEN every /_mock route needs Authorization: Bearer <token>', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_ADMIN_TOKEN: 't' })
  const someId = (await list(app, 'limit=1')).items[0]?.id as string
  const routes: Array<[method: InjectOptions['method'] & string, url: string, payload: unknown, status: number]> = [
    ['GET', '/_mock/requests', undefined, 200],
    ['DELETE', '/_mock/requests', undefined, 200],
    ['GET', '/_mock/scenarios', undefined, 200],
    ['POST', '/_mock/scenarios', { response: { code: 500 }, times: 1 }, 201],
    ['DELETE', '/_mock/scenarios/no-such-scenario', undefined, 404],
    ['DELETE', '/_mock/scenarios', undefined, 200],
    ['GET', '/_mock/report', undefined, 200],
    ['DELETE', '/_mock/report', undefined, 200],
    ['POST', '/_mock/users', newUser('token@example.com'), 201],
    ['DELETE', `/_mock/users/${someId}`, undefined, 200],
    ['PUT', '/_mock/users', [], 200],
    ['POST', '/_mock/reset', undefined, 200]
  ]
  const refused: Array<[what: string, headers: Record<string, string>]> = [
    ['no Authorization', {}],
    ['a wrong token', { authorization: 'Bearer wrong' }],
    ['a token that only starts right', { authorization: 'Bearer tt' }],
    ['the API credentials (Basic)', { authorization: AUTH }],
    ['the token as Basic', { authorization: 'Basic t' }]
  ]
  for (const [method, url, payload] of routes) {
    for (const [what, headers] of refused) {
      t.test(`${method} ${url} with ${what}: 401`, async (t) => {
        const res = await admin(app, method, url, payload, headers)
        assertReply(t, res, 401, TOKEN_REFUSED)
        t.equal(res.headers['www-authenticate'], 'Bearer realm="sequence-mock"', 'WWW-Authenticate')
      })
    }
  }
  t.equal((await list(app, 'limit=1')).pagination.totalResultSize, START_USERS, 'refused calls changed nothing')
  for (const [method, url, payload, status] of routes) {
    const res = await admin(app, method, url, payload, { authorization: 'Bearer t' })
    t.equal(res.statusCode, status, `${method} ${url} with the token: ${status}`)
  }
})

t.test('with SEQUENCE_MOCK_ADMIN_TOKEN, /api still takes Basic credentials and /health needs none', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_ADMIN_TOKEN: 't' })
  t.equal((await get(app, '/api/users?limit=1')).statusCode, 200, '/api with Basic')
  const bearer = await get(app, '/api/users?limit=1', { authorization: 'Bearer t' })
  t.equal(bearer.statusCode, 401, '/api with the admin token')
  t.equal(bearer.headers['www-authenticate'], BASIC_CHALLENGE, '/api challenges for Basic')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health with nothing')
})

t.test('POST /_mock/users answers 201 with the stored user: the 2024-07-30 shape plus createdAt', async (t) => {
  const app = await build(t)
  const id = '11111111-1111-4111-8111-111111111111'
  const res = await admin(app, 'POST', '/_mock/users', newUser('given@example.com', { id, createdAt: '2025-06-01T12:00:00.5+02:00' }))
  t.equal(res.statusCode, 201, 'status')
  t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
  const stored = { id, email: 'given@example.com', sequenceAccountIds: [ACCOUNT], state: 'active', roles: [ROLES.salesUser, ROLES.financeUser] }
  t.equal(res.body, JSON.stringify({ ...stored, createdAt: '2025-06-01T10:00:00.500000Z' }), 'the whole user, createdAt in UTC with microseconds')
  assertReply(t, await get(app, `/api/users/${id}`), 200, stored)
  assertReply(t, await get(app, `/api/users/${id}`, { 'sequence-version': '2024-05-09' }), 200,
    { id, email: 'given@example.com', sequenceAccountIds: [ACCOUNT], state: 'active' })
  t.equal((await list(app, 'limit=1')).pagination.totalResultSize, START_USERS + 1, 'counted')
})

t.test('POST /_mock/users takes roles by name: the README example, as a user would paste it', async (t) => {
  const app = await build(t)
  const res = await admin(app, 'POST', '/_mock/users', '{"email":"new@example.com","sequenceAccountIds":["83da2ca4-49c7-4d81-9c9a-ba5be11768b0"],"state":"active","roles":["readOnlyUser"]}', { 'content-type': 'application/json' })
  t.equal(res.statusCode, 201, 'status')
  const { id } = res.json() as { id: string }
  assertReply(t, await get(app, `/api/users/${id}`), 200, { id, email: 'new@example.com', sequenceAccountIds: [ACCOUNT], state: 'active', roles: [ROLES.readOnlyUser] })
  assertReply(t, await admin(app, 'POST', '/_mock/users', newUser('x@example.com', { roles: ['owner'] })), 400,
    validationError('roles[0]', "Invalid roles[0]: must be one of Sequence's roles, admin, financeUser, salesUser, readOnlyUser: by name, or its documented object."))
})

t.test('a role listed twice is refused: one user must not make every page holding it huge', async (t) => {
  const app = await build(t)
  for (const roles of [['admin', 'admin'], ['salesUser', ROLES.admin, ROLES.salesUser], Array.from({ length: 10000 }, () => 'admin')]) {
    assertReply(t, await admin(app, 'POST', '/_mock/users', newUser('twice@example.com', { roles })), 400,
      validationError(`roles[${roles.length === 3 ? 2 : 1}]`, `Invalid roles[${roles.length === 3 ? 2 : 1}]: repeats the role "${roles.length === 3 ? 'salesUser' : 'admin'}": each role is listed once.`))
  }
  t.equal((await list(app, 'limit=1')).pagination.totalResultSize, START_USERS, 'nothing added')
})

t.test('without id and createdAt a user gets a lower-case UUID and now, so it is listed first', async (t) => {
  const app = await build(t)
  const before = Date.now()
  const res = await admin(app, 'POST', '/_mock/users', newUser('now@example.com'))
  const after = Date.now()
  t.equal(res.statusCode, 201)
  const { id, createdAt, ...rest } = res.json() as { id: string, createdAt: string }
  t.match(id, LOWER_UUID, 'a lower-case UUID')
  t.match(createdAt, MICROSECOND_TIME, 'ISO 8601 with microseconds')
  t.ok(Date.parse(createdAt) >= before - 60_000 && Date.parse(createdAt) <= after + 60_000, 'the clock time of the add')
  t.strictSame(rest, { email: 'now@example.com', sequenceAccountIds: [ACCOUNT], state: 'active', roles: [ROLES.salesUser, ROLES.financeUser] })
  const first = await list(app, 'limit=1')
  t.equal(first.items[0]?.id, id, 'listed first')
  t.equal(first.pagination.totalResultSize, START_USERS + 1)
  const second = await admin(app, 'POST', '/_mock/users', newUser('later@example.com'))
  t.not((second.json() as { id: string }).id, id, 'each add gets its own id')
  t.equal((await list(app, 'limit=1')).items[0]?.id, (second.json() as { id: string }).id, 'the newer add is listed first')
})

t.test('a user added with createdAt is placed by it, and a cursor issued before the add stays valid', async (t) => {
  const app = await build(t)
  const at = (day: number): string => `2025-01-${String(day).padStart(2, '0')}T00:00:00.000000Z`
  const ids = ['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000004']
  // Days 10, 20, 30, 31: the list is ids[3], ids[2], ids[1], ids[0].
  const dataset = ids.map((id, i) => newUser(`u${i}@example.com`, { id, createdAt: at([10, 20, 30, 31][i] as number) }))
  assertReply(t, await admin(app, 'PUT', '/_mock/users', dataset), 200, { users: 4 })
  const firstPage = await list(app, 'limit=2')
  t.strictSame(firstPage.items.map((user) => user.id), [ids[3], ids[2]])
  t.equal(cursorMicros(firstPage.pagination.after as string), Date.parse(at(30)) * 1000, 'the cursor is the position of the page\'s last user')

  const between = '20000000-0000-4000-8000-000000000001'
  const newest = '20000000-0000-4000-8000-000000000002'
  t.equal((await admin(app, 'POST', '/_mock/users', newUser('between@example.com', { id: between, createdAt: at(25) }))).statusCode, 201)
  t.equal((await admin(app, 'POST', '/_mock/users', newUser('newest@example.com', { id: newest, createdAt: '2025-02-01T00:00:00Z' }))).statusCode, 201)

  const next = await list(app, `limit=10&after=${encodeURIComponent(firstPage.pagination.after as string)}`)
  t.strictSame(next.items.map((user) => user.id), [between, ids[1], ids[0]], 'the next page: the older add, then the rest, none skipped or repeated')
  t.strictSame((await list(app)).items.map((user) => user.id), [newest, ids[3], ids[2], between, ids[1], ids[0]], 'the whole list in creation order')
})

t.test('an invalid user gets 400 validationError naming the field, and nothing is added', async (t) => {
  const app = await build(t)
  const cases: Array<[what: string, payload: unknown, key: string, message: string]> = [
    ['missing email', { sequenceAccountIds: [ACCOUNT], state: 'active', roles: [ROLES.admin] }, 'email', 'Invalid email: is required.'],
    ['an unknown field', newUser('x@example.com', { nickname: 'x' }), 'nickname', 'Invalid nickname: is not a field of a Sequence user.'],
    ['a role whose permissions are not the documented ones', newUser('x@example.com', { roles: [{ roleName: 'salesUser', permissions: [] }] }), 'roles[0]', 'Invalid roles[0]: must equal Sequence\'s documented role "salesUser" exactly.'],
    ['a role that does not exist', newUser('x@example.com', { roles: [{ roleName: 'owner', permissions: [] }] }), 'roles[0].roleName', 'Invalid roles[0].roleName: must be equal to one of the allowed values.'],
    ['createdAt that is not a date-time', newUser('x@example.com', { createdAt: 'yesterday' }), 'createdAt', 'Invalid createdAt: must be an ISO 8601 date-time, e.g. 2022-07-19T20:00:56.033013Z.'],
    ['createdAt with a month 13', newUser('x@example.com', { createdAt: '2025-13-01T00:00:00Z' }), 'createdAt', 'Invalid createdAt: must be an ISO 8601 date-time, e.g. 2022-07-19T20:00:56.033013Z.'],
    ['an upper-case id', newUser('x@example.com', { id: 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA' }), 'id', 'Invalid id: must match pattern "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$".']
  ]
  for (const [what, payload, key, message] of cases) {
    t.test(what, async (t) => {
      assertReply(t, await admin(app, 'POST', '/_mock/users', payload), 400, validationError(key, message))
    })
  }
  t.test('a body that is not one user object', async (t) => {
    for (const payload of [[newUser('x@example.com')], '"x"', undefined]) {
      const res = await admin(app, 'POST', '/_mock/users', payload, typeof payload === 'string' ? { 'content-type': 'application/json' } : {})
      t.equal(res.statusCode, 400, `${JSON.stringify(payload)}: status`)
      t.equal((res.json() as { error: { type: string } }).error.type, 'validationError', `${JSON.stringify(payload)}: type`)
    }
  })
  t.equal((await list(app, 'limit=1')).pagination.totalResultSize, START_USERS, 'nothing was added')
})

t.test('createdAt on a day the month does not have (February 30) is refused, not moved to another day', async (t) => {
  const app = await build(t)
  assertReply(t, await admin(app, 'POST', '/_mock/users', newUser('x@example.com', { createdAt: '2025-02-30T00:00:00Z' })), 400,
    validationError('createdAt', 'Invalid createdAt: must be an ISO 8601 date-time, e.g. 2022-07-19T20:00:56.033013Z.'))
})

t.test('a user with the id or the email of a stored user gets 400 naming id or email', async (t) => {
  const app = await build(t)
  const existing = (await list(app, 'limit=1')).items[0] as User
  assertReply(t, await admin(app, 'POST', '/_mock/users', newUser('fresh@example.com', { id: existing.id })), 400,
    validationError('id', `Invalid id: a user with id ${existing.id} already exists.`))
  assertReply(t, await admin(app, 'POST', '/_mock/users', newUser(existing.email)), 400,
    validationError('email', `Invalid email: a user with email ${existing.email} already exists.`))
  t.equal((await list(app, 'limit=1')).pagination.totalResultSize, START_USERS, 'nothing was added')
})

t.test('PUT /_mock/users with an array replaces the dataset: 200 {"users": n}', async (t) => {
  const app = await build(t)
  const oldId = (await list(app, 'limit=1')).items[0]?.id as string
  const users = [
    newUser('first@example.com', { id: '30000000-0000-4000-8000-000000000001' }),
    newUser('second@example.com', { id: '30000000-0000-4000-8000-000000000002', roles: [ROLES.readOnlyUser] })
  ]
  assertReply(t, await admin(app, 'PUT', '/_mock/users', users), 200, { users: 2 })
  assertReply(t, await get(app, '/api/users'), 200, { items: users, pagination: { after: null, before: null, totalResultSize: 2 } })
  t.equal((await get(app, `/api/users/${oldId}`)).statusCode, 404, 'the old users are gone')
})

t.test('PUT /_mock/users takes a saved list response ({"items": [...]}) too', async (t) => {
  const app = await build(t)
  const saved = await list(app, 'limit=3')
  assertReply(t, await admin(app, 'PUT', '/_mock/users', saved), 200, { users: 3 })
  assertReply(t, await get(app, '/api/users'), 200, { items: saved.items, pagination: { after: null, before: null, totalResultSize: 3 } })
})

t.test('PUT /_mock/users with [] empties the list', async (t) => {
  const app = await build(t)
  assertReply(t, await admin(app, 'PUT', '/_mock/users', []), 200, { users: 0 })
  const res = await get(app, '/api/users')
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"items":[],"pagination":{"after":null,"before":null,"totalResultSize":0}}')
})

t.test('an invalid dataset gets 400 naming [index].field, and the old data is kept', async (t) => {
  const app = await build(t)
  const before = await get(app, '/api/users')
  const valid = newUser('ok@example.com', { id: '40000000-0000-4000-8000-000000000001' })
  const cases: Array<[what: string, payload: unknown, key: string, message: string]> = [
    ['a user without id', [valid, newUser('b@example.com')], '[1].id', 'Invalid [1].id: is required.'],
    ['a duplicate id', [valid, { ...valid, email: 'b@example.com' }], '[1].id', 'Invalid [1].id: duplicates the id of the user at index 0.'],
    ['a duplicate email', [valid, { ...valid, id: '40000000-0000-4000-8000-000000000002' }], '[1].email', 'Invalid [1].email: duplicates the email of the user at index 0.'],
    ['a bad role', { items: [valid, { ...valid, id: '40000000-0000-4000-8000-000000000002', email: 'b@example.com', roles: [{ roleName: 'admin', permissions: [] }] }] }, '[1].roles[0]', 'Invalid [1].roles[0]: must equal Sequence\'s documented role "admin" exactly.'],
    ['a bad createdAt', [{ ...valid, createdAt: '2025-01-01' }], '[0].createdAt', 'Invalid [0].createdAt: must be an ISO 8601 date-time, e.g. 2022-07-19T20:00:56.033013Z.'],
    ['neither an array nor {"items": [...]}', { users: [valid] }, 'body', 'Invalid body: expected an array of users, or an object with an "items" array.']
  ]
  for (const [what, payload, key, message] of cases) {
    t.test(what, async (t) => {
      assertReply(t, await admin(app, 'PUT', '/_mock/users', payload), 400, validationError(key, message))
      t.equal((await get(app, '/api/users')).body, before.body, 'the old data is kept')
    })
  }
})

t.test('DELETE /_mock/users/{id} removes a user and answers 200 with it; an unknown id gets 404', async (t) => {
  const app = await build(t)
  const id = '50000000-0000-4000-8000-000000000001'
  const added = await admin(app, 'POST', '/_mock/users', newUser('gone@example.com', { id, createdAt: '2025-03-04T05:06:07.080910Z' }))
  const res = await admin(app, 'DELETE', `/_mock/users/${id}`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], JSON_UTF8)
  t.equal(res.body, added.body, 'the user as stored, createdAt included')
  t.equal((await get(app, `/api/users/${id}`)).statusCode, 404, 'gone by id')
  t.equal((await list(app, 'limit=1')).pagination.totalResultSize, START_USERS, 'gone from the list')
  const notFound = (missing: string): unknown => ({ error: { type: 'NotFound', message: `No user with id "${missing}".` } })
  assertReply(t, await admin(app, 'DELETE', `/_mock/users/${id}`), 404, notFound(id))
  assertReply(t, await admin(app, 'DELETE', `/_mock/users/${UNKNOWN_ID}`), 404, notFound(UNKNOWN_ID))
})

t.test('POST /_mock/reset answers {"users": <start count>} and puts back the start data after any change', async (t) => {
  const app = await build(t)
  const pages = async (): Promise<string[]> => [
    (await get(app, '/api/users')).body,
    (await get(app, '/api/users?limit=100', { 'sequence-version': '2024-05-09' })).body
  ]
  const start = await pages()
  const [first, second, third] = (await list(app, 'limit=3')).items as [User, User, User]

  t.equal((await admin(app, 'POST', '/_mock/users', newUser('added@example.com'))).statusCode, 201)
  const update = await app.inject({ method: 'PUT', url: `/api/users/${first.id}`, headers: { authorization: AUTH, 'sequence-version': '2024-05-09' }, payload: { sequenceAccountIds: [OTHER_ACCOUNT] } })
  t.equal(update.statusCode, 201)
  t.equal((await app.inject({ method: 'DELETE', url: `/api/users/${second.id}`, headers: { authorization: AUTH } })).statusCode, 200)
  t.equal((await admin(app, 'DELETE', `/_mock/users/${third.id}`)).statusCode, 200)
  t.notSame(await pages(), start, 'the data changed')
  assertReply(t, await admin(app, 'POST', '/_mock/reset'), 200, { users: START_USERS })
  t.strictSame(await pages(), start, 'after adds, updates and deletes: the start data')
  t.equal((await get(app, `/api/users/${third.id}`)).statusCode, 200, 'a removed user is back')

  t.equal((await admin(app, 'PUT', '/_mock/users', [])).statusCode, 200)
  assertReply(t, await admin(app, 'POST', '/_mock/reset'), 200, { users: START_USERS })
  t.strictSame(await pages(), start, 'after PUT /_mock/users: the start data')
})

t.test('POST /_mock/reset empties the journal and the scenarios', async (t) => {
  const app = await build(t)
  await get(app, '/api/users?limit=1')
  t.equal((await admin(app, 'POST', '/_mock/scenarios', { response: { code: 503 } })).statusCode, 201)
  t.equal((await admin(app, 'GET', '/_mock/requests')).json().requests.length, 1, 'journaled before the reset')
  assertReply(t, await admin(app, 'POST', '/_mock/reset'), 200, { users: START_USERS })
  assertReply(t, await admin(app, 'GET', '/_mock/requests'), 200, { requests: [] })
  assertReply(t, await admin(app, 'GET', '/_mock/scenarios'), 200, { scenarios: [] })
  t.equal((await get(app, '/api/users?limit=1')).statusCode, 200, 'the removed scenario no longer answers')
})

t.test('POST /_mock/reset clears the rate-limit counters', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '2' })
  t.equal((await get(app, '/api/users?limit=1')).statusCode, 200)
  t.equal((await get(app, '/api/users?limit=1')).statusCode, 200)
  t.equal((await get(app, '/api/users?limit=1')).statusCode, 429, 'the third request in the minute')
  assertReply(t, await admin(app, 'POST', '/_mock/reset'), 200, { users: START_USERS })
  t.equal((await get(app, '/api/users?limit=1')).statusCode, 200, 'after the reset')
})
