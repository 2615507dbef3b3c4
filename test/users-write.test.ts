// PUT and DELETE /api/users/{id}: the writes, the versions that publish them, 405 for the rest, and bad bodies.
import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { AUTHENTICATE_HINT } from '../src/http/errors.js'
import { assertReply, AUTH, build, get, JSON_UTF8, validationError, type Reply } from './helper.js'

type User = Record<string, unknown> & { id: string }
interface UserPage {
  items: User[]
  pagination: { after?: string | null, before?: string | null, totalResultSize: number }
}

const VERSIONS = ['2024-01-01', '2024-05-09', '2024-07-30'] as const
const OLDER = ['2024-01-01', '2024-05-09'] as const
const LATEST = '2024-07-30'
const USER_KEYS = ['id', 'email', 'sequenceAccountIds', 'state']
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const ACCOUNT_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'
const ACCOUNT_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'
const MEBIBYTE = 1024 * 1024

const BASIC_CHALLENGE = 'Basic realm="Sequence", charset="UTF-8"'
const UNRECOGNISED = { error: { type: 'UnrecognisedApiVersion', message: 'No matching API version found. Please make sure the specified API version is valid.' } }
const MISSING_AUTH = { error: { type: 'Unauthorized', message: `Missing Authorization header. ${AUTHENTICATE_HINT}` } }
const PUT_GONE = '{"error":{"type":"MethodNotAllowed","message":"PUT /api/users/{id} is not an operation of API version 2024-07-30. It is published in API version 2024-01-01 and 2024-05-09 only; send Sequence-Version: 2024-05-09 to use it."}}'

const notFound = (id: string): unknown => ({ error: { type: 'NotFound', message: `No user with id "${id}".` } })

/** PUT with the default credentials in 2024-05-09 unless `headers` says otherwise; a string payload is sent as it is. */
async function put (app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const options: InjectOptions = { method: 'PUT', url, headers: { authorization: AUTH, 'sequence-version': '2024-05-09', ...headers } }
  if (payload !== undefined) options.payload = payload as InjectOptions['payload']
  return app.inject(options)
}

async function del (app: FastifyInstance, id: string, version: string): Promise<Reply> {
  return app.inject({ method: 'DELETE', url: `/api/users/${id}`, headers: { authorization: AUTH, 'sequence-version': version } })
}

async function page (app: FastifyInstance, query: string, version: string = LATEST): Promise<UserPage> {
  return (await get(app, `/api/users?${query}`, { 'sequence-version': version })).json() as UserPage
}

async function userAt (app: FastifyInstance, index: number): Promise<User> {
  return (await page(app, `limit=${index + 1}`)).items[index] as User
}

t.test('PUT /api/users/{id} in 2024-01-01 and 2024-05-09 answers 201 with exactly the id and the new sequenceAccountIds', async (t) => {
  for (const version of OLDER) {
    t.test(version, async (t) => {
      const app = await build(t)
      const { id } = await userAt(app, 2)
      const res = await put(app, `/api/users/${id}`, { sequenceAccountIds: [ACCOUNT_A, ACCOUNT_B] }, { 'sequence-version': version })
      t.equal(res.statusCode, 201, 'status')
      t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
      t.equal(res.headers['sequence-version'], version, 'Sequence-Version')
      t.equal(res.body, JSON.stringify({ id, sequenceAccountIds: [ACCOUNT_A, ACCOUNT_B] }), 'those two keys, in that order, and nothing else')
    })
  }
})

t.test('an update is seen by the next GET /api/users/{id} and in the list, at the same place, with nothing else changed', async (t) => {
  const app = await build(t)
  const before = await page(app, 'limit=5')
  const target = before.items[2] as User
  t.equal((await put(app, `/api/users/${target.id}`, { sequenceAccountIds: [ACCOUNT_B, ACCOUNT_A] })).statusCode, 201)

  const updated = { ...target, sequenceAccountIds: [ACCOUNT_B, ACCOUNT_A] }
  const byId = await get(app, `/api/users/${target.id}`)
  t.equal(byId.body, JSON.stringify(updated), 'GET by id: new accounts, the same email, state and roles')
  const after = await page(app, 'limit=5')
  t.strictSame(after.items.map((user) => user.id), before.items.map((user) => user.id), 'the list order is unchanged')
  t.strictSame(after.items[2], updated, 'the list shows the update at the same place')
  t.strictSame(after.pagination, before.pagination, 'cursors and totalResultSize unchanged')
  const older = await get(app, `/api/users/${target.id}`, { 'sequence-version': '2024-01-01' })
  t.strictSame(older.json(), { id: target.id, email: target['email'], sequenceAccountIds: [ACCOUNT_B, ACCOUNT_A], state: 'active' }, 'in an older version too')
})

t.test('an empty sequenceAccountIds is a valid update', async (t) => {
  const app = await build(t)
  const { id } = await userAt(app, 0)
  const res = await put(app, `/api/users/${id}`, { sequenceAccountIds: [] })
  t.equal(res.statusCode, 201)
  t.equal(res.body, JSON.stringify({ id, sequenceAccountIds: [] }))
  t.strictSame((await get(app, `/api/users/${id}`)).json().sequenceAccountIds, [])
})

t.test('PUT /api/users/{id} in 2024-07-30, or with no Sequence-Version, gets 405 MethodNotAllowed with Allow: GET, DELETE', async (t) => {
  const app = await build(t)
  const user = await userAt(app, 0)
  const cases: Array<[what: string, headers: Record<string, string>]> = [
    ['Sequence-Version: 2024-07-30', { authorization: AUTH, 'sequence-version': LATEST }],
    ['no Sequence-Version (the latest)', { authorization: AUTH }]
  ]
  for (const [what, headers] of cases) {
    t.test(what, async (t) => {
      const res = await app.inject({ method: 'PUT', url: `/api/users/${user.id}`, headers, payload: { sequenceAccountIds: [ACCOUNT_A] } })
      t.equal(res.statusCode, 405, 'status')
      t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
      t.equal(res.headers['allow'], 'GET, DELETE', 'Allow')
      t.equal(res.headers['sequence-version'], LATEST, 'Sequence-Version')
      t.equal(res.body, PUT_GONE, 'exact body')
    })
  }
  t.strictSame((await get(app, `/api/users/${user.id}`)).json(), user, 'the user is unchanged')
})

t.test('other methods on /api/users and /api/users/{id} get 405 MethodNotAllowed with Allow naming the published methods', async (t) => {
  const app = await build(t)
  const { id } = await userAt(app, 0)
  for (const version of VERSIONS) {
    const cases: Array<[method: InjectOptions['method'] & string, url: string, path: string, allow: string]> = [
      ['POST', '/api/users', '/api/users', 'GET'],
      ['PUT', '/api/users', '/api/users', 'GET'],
      ['PATCH', '/api/users', '/api/users', 'GET'],
      ['DELETE', '/api/users', '/api/users', 'GET'],
      ['POST', `/api/users/${id}`, '/api/users/{id}', version === LATEST ? 'GET, DELETE' : 'GET, PUT, DELETE'],
      ['PATCH', `/api/users/${id}`, '/api/users/{id}', version === LATEST ? 'GET, DELETE' : 'GET, PUT, DELETE']
    ]
    for (const [method, url, path, allow] of cases) {
      t.test(`${method} ${path} in ${version}`, async (t) => {
        const res = await app.inject({ method, url, headers: { authorization: AUTH, 'sequence-version': version }, payload: { sequenceAccountIds: [ACCOUNT_A] } })
        t.equal(res.headers['allow'], allow, 'Allow')
        assertReply(t, res, 405, { error: { type: 'MethodNotAllowed', message: `${method} ${path} is not an operation of API version ${version}. Allowed: ${allow}.` } })
      })
    }
  }
})

t.test('checks run in order: credentials, then the version, then 405, then the body', async (t) => {
  const app = await build(t)
  const { id } = await userAt(app, 0)
  const url = `/api/users/${id}`
  t.test('no credentials on an operation the version does not publish: 401', async (t) => {
    for (const [method, target] of [['PUT', url], ['POST', '/api/users'], ['PATCH', url]] as const) {
      const res = await app.inject({ method, url: target, headers: { 'sequence-version': LATEST }, payload: { sequenceAccountIds: [ACCOUNT_A] } })
      assertReply(t, res, 401, MISSING_AUTH)
      t.equal(res.headers['www-authenticate'], BASIC_CHALLENGE, `${method} ${target}: Basic challenge`)
    }
  })
  t.test('no credentials with a bad body: 401', async (t) => {
    const res = await app.inject({ method: 'PUT', url, headers: { 'sequence-version': '2024-05-09', 'content-type': 'application/json' }, payload: '{"seq' })
    assertReply(t, res, 401, MISSING_AUTH)
  })
  t.test('an unknown version on an unpublished operation: 400 UnrecognisedApiVersion, not 405', async (t) => {
    assertReply(t, await put(app, url, { sequenceAccountIds: [ACCOUNT_A] }, { 'sequence-version': '2024-01-02' }), 400, UNRECOGNISED)
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: { authorization: AUTH, 'sequence-version': 'latest' } })
    assertReply(t, res, 400, UNRECOGNISED)
  })
  t.test('an unknown version with a bad body: 400 UnrecognisedApiVersion', async (t) => {
    assertReply(t, await put(app, url, '{"seq', { 'sequence-version': '2024-01-02', 'content-type': 'application/json' }), 400, UNRECOGNISED)
  })
  t.test('a bad body on an unpublished operation: 405, the body is not read', async (t) => {
    const res = await put(app, url, '{"seq', { 'sequence-version': LATEST, 'content-type': 'application/json' })
    t.equal(res.statusCode, 405)
    t.equal(res.body, PUT_GONE)
    const tooLarge = await put(app, url, `"${'x'.repeat(MEBIBYTE)}"`, { 'sequence-version': LATEST, 'content-type': 'application/json' })
    t.equal(tooLarge.statusCode, 405, 'a body over the limit too')
  })
})

t.test('a bad PUT body gets 400 validationError naming the key, and changes nothing', async (t) => {
  const app = await build(t)
  const user = await userAt(app, 0)
  const url = `/api/users/${user.id}`
  const json = { 'content-type': 'application/json' }
  const mustBeObject = validationError('body', 'Invalid body: must be object.')
  const accountIdsRule = validationError('sequenceAccountIds', 'Invalid sequenceAccountIds: must be an array of distinct Sequence account ids (UUIDs).')
  const cases: Array<[what: string, payload: unknown, headers: Record<string, string>, body: unknown]> = [
    ['not JSON', '{"seq', json, validationError('body', "Invalid body: must be JSON (Body is not valid JSON but content-type is set to 'application/json').")],
    ['an empty body with Content-Type: application/json', '', json, validationError('body', "Invalid body: must be JSON (Body cannot be empty when content-type is set to 'application/json').")],
    ['no body at all', undefined, {}, mustBeObject],
    ['JSON null', 'null', json, mustBeObject],
    ['an array', [ACCOUNT_A], {}, mustBeObject],
    ['a string', '"x"', json, mustBeObject],
    ['sequenceAccountIds missing', {}, {}, accountIdsRule],
    ['sequenceAccountIds not an array', { sequenceAccountIds: 'x' }, {}, accountIdsRule],
    ['an item that is not a UUID', { sequenceAccountIds: [ACCOUNT_A, 'not-a-uuid'] }, {}, validationError('sequenceAccountIds[1]', 'Invalid sequenceAccountIds[1]: must match format "uuid".')],
    ['the first item not a UUID', { sequenceAccountIds: ['x'] }, {}, validationError('sequenceAccountIds[0]', 'Invalid sequenceAccountIds[0]: must match format "uuid".')],
    ['duplicate account ids', { sequenceAccountIds: [ACCOUNT_A, ACCOUNT_A] }, {}, accountIdsRule],
    ['an unknown extra field', { sequenceAccountIds: [ACCOUNT_A], email: 'new@example.com' }, {}, validationError('email', 'Invalid email: is not a field of this request.')]
  ]
  for (const [what, payload, headers, body] of cases) {
    t.test(what, async (t) => {
      assertReply(t, await put(app, url, payload, headers), 400, body)
    })
  }
  t.test('two problems are both named', async (t) => {
    const res = await put(app, url, { sequenceAccountIds: ['x'], state: 'deleted' })
    t.equal(res.statusCode, 400)
    t.strictSame((res.json() as { error: { errors: Array<{ key: string }> } }).error.errors.map((error) => error.key).sort(), ['sequenceAccountIds[0]', 'state'])
  })
  t.strictSame((await get(app, url)).json(), user, 'the user is unchanged')
})

t.test('a __proto__ key in the body is dropped, never applied: the rest of the body is read as sent', async (t) => {
  const app = await build(t)
  const user = await userAt(app, 0)
  const res = await put(app, `/api/users/${user.id}`, `{"sequenceAccountIds":["${ACCOUNT_A}"],"__proto__":{"polluted":true}}`, { 'content-type': 'application/json' })
  t.equal(res.statusCode, 201, 'status')
  t.equal(res.body, JSON.stringify({ id: user.id, sequenceAccountIds: [ACCOUNT_A] }), 'whole body')
  t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype untouched')
  t.strictSame((await get(app, `/api/users/${user.id}`)).json(), { ...user, sequenceAccountIds: [ACCOUNT_A] }, 'the update is applied, the server still answers')
})

t.test('a body over 1 MiB gets 413 PayloadTooLarge; one of exactly 1 MiB is read', async (t) => {
  const app = await build(t)
  const { id } = await userAt(app, 0)
  const bodyOf = (size: number): string => {
    const start = `{"sequenceAccountIds":["${ACCOUNT_A}"],"pad":"`
    return `${start}${'x'.repeat(size - start.length - 2)}"}`
  }
  t.equal(bodyOf(MEBIBYTE).length, MEBIBYTE)
  const json = { 'content-type': 'application/json' }
  assertReply(t, await put(app, `/api/users/${id}`, bodyOf(MEBIBYTE + 1), json), 413, { error: { type: 'PayloadTooLarge', message: 'The request body exceeds 1048576 bytes.' } })
  assertReply(t, await put(app, `/api/users/${id}`, bodyOf(MEBIBYTE), json), 400, validationError('pad', 'Invalid pad: is not a field of this request.'))
})

t.test('a body that is not JSON gets 415 UnsupportedMediaType', async (t) => {
  const app = await build(t)
  const user = await userAt(app, 0)
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    t.test(type, async (t) => {
      const res = await put(app, `/api/users/${user.id}`, 'sequenceAccountIds=x', { 'content-type': type })
      assertReply(t, res, 415, { error: { type: 'UnsupportedMediaType', message: `Unsupported Content-Type "${type}": send the body as JSON with Content-Type: application/json.` } })
    })
  }
  t.strictSame((await get(app, `/api/users/${user.id}`)).json(), user, 'the user is unchanged')
})

t.test('PUT for an unknown id gets 404 NotFound naming the id', async (t) => {
  const app = await build(t)
  for (const version of OLDER) {
    assertReply(t, await put(app, `/api/users/${UNKNOWN_ID}`, { sequenceAccountIds: [ACCOUNT_A] }, { 'sequence-version': version }), 404, notFound(UNKNOWN_ID))
  }
  t.equal((await page(app, 'limit=1')).pagination.totalResultSize, 150, 'no user was created')
})

t.test("DELETE /api/users/{id} in every version answers 200 with the user in that version's shape, as deleted", async (t) => {
  for (const version of VERSIONS) {
    t.test(version, async (t) => {
      const app = await build(t)
      const { id } = await userAt(app, 1)
      const before = (await get(app, `/api/users/${id}`, { 'sequence-version': version })).json() as User
      t.strictSame(Object.keys(before), version === LATEST ? [...USER_KEYS, 'roles'] : USER_KEYS, 'the shape of the version')
      const res = await del(app, id, version)
      t.equal(res.statusCode, 200, 'status')
      t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
      t.equal(res.headers['sequence-version'], version, 'Sequence-Version')
      t.equal(res.body, JSON.stringify({ ...before, state: 'deleted' }), 'the whole user, in order, with state deleted')
    })
  }
})

t.test('by default (soft) a deleted user stays listed at its place and found by id, as deleted; a second DELETE answers the same', async (t) => {
  const app = await build(t)
  const before = await page(app, 'limit=10')
  const target = before.items[4] as User
  const deleted = { ...target, state: 'deleted' }
  const first = await del(app, target.id, LATEST)
  t.equal(first.statusCode, 200)
  t.equal(first.body, JSON.stringify(deleted))

  const after = await page(app, 'limit=10')
  t.strictSame(after.items.map((user) => user.id), before.items.map((user) => user.id), 'still listed, at the same place')
  t.strictSame(after.items[4], deleted, 'listed as deleted')
  t.equal(after.pagination.totalResultSize, before.pagination.totalResultSize, 'totalResultSize unchanged')
  assertReply(t, await get(app, `/api/users/${target.id}`), 200, deleted)

  const second = await del(app, target.id, LATEST)
  t.equal(second.statusCode, 200, 'a second DELETE: 200')
  t.equal(second.body, first.body, 'a second DELETE: the same body')
})

t.test('with SEQUENCE_MOCK_DELETE_MODE=hard a deleted user is gone from the list and by id; a second DELETE gets 404', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_DELETE_MODE: 'hard' })
  const before = await page(app, 'limit=11')
  const target = before.items[4] as User
  const res = await del(app, target.id, LATEST)
  t.equal(res.statusCode, 200)
  t.equal(res.body, JSON.stringify({ ...target, state: 'deleted' }), 'the user as it was, as deleted')

  const after = await page(app, 'limit=10')
  t.strictSame(after.items, before.items.filter((user) => user.id !== target.id), 'gone; the next user moves up')
  t.equal(after.pagination.totalResultSize, before.pagination.totalResultSize - 1, 'totalResultSize one less')
  assertReply(t, await get(app, `/api/users/${target.id}`), 404, notFound(target.id))
  assertReply(t, await del(app, target.id, LATEST), 404, notFound(target.id))
})

t.test('DELETE of an unknown id gets 404 NotFound in every version and either mode', async (t) => {
  for (const mode of ['soft', 'hard']) {
    const app = await build(t, { SEQUENCE_MOCK_DELETE_MODE: mode })
    for (const version of VERSIONS) {
      const res = await del(app, UNKNOWN_ID, version)
      assertReply(t, res, 404, notFound(UNKNOWN_ID))
      t.equal(res.headers['sequence-version'], version, `${mode}, ${version}: Sequence-Version`)
    }
    t.equal((await page(app, 'limit=1')).pagination.totalResultSize, 150, `${mode}: nothing removed`)
  }
})
