// GET /_mock/requests: what clients sent to /api and what they got, newest first, bounded, filterable, never a secret.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { AUTH, build, get } from './helper.js'

type Reply = Awaited<ReturnType<typeof get>>
type Entry = Record<string, unknown> & { seq: number, time: string, durationMs: number }

const JSON_UTF8 = 'application/json; charset=utf-8'
const FIELDS = ['seq', 'time', 'method', 'path', 'query', 'status', 'apiVersion', 'requestedVersion', 'clientId', 'durationMs', 'errorType', 'scenario']
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const ACCOUNT = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'

const basic = (clientId: string, clientSecret: string): string =>
  `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`

async function journal (app: FastifyInstance, query = ''): Promise<Reply> {
  return app.inject({ method: 'GET', url: `/_mock/requests${query}` })
}

async function entries (app: FastifyInstance, query = ''): Promise<Entry[]> {
  const res = await journal(app, query)
  if (res.statusCode !== 200) throw new Error(`GET /_mock/requests${query}: ${res.statusCode} ${res.body}`)
  return (res.json() as { requests: Entry[] }).requests
}

/** An entry without the two fields that depend on the clock. */
function stable ({ time, durationMs, ...rest }: Entry): Record<string, unknown> {
  return rest
}

t.test('each /api request is journaled, newest first, with exactly the documented fields', async (t) => {
  const app = await build(t)
  await get(app, '/api/users?limit=2', { 'sequence-version': '2024-05-09' })
  await get(app, `/api/users/${UNKNOWN_ID}`)
  await get(app, '/api/users?limit=1', { prefer: 'code=500' })

  const res = await journal(app)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], JSON_UTF8)
  const found = (res.json() as { requests: Entry[] }).requests
  for (const entry of found) {
    t.strictSame(Object.keys(entry), FIELDS, `seq ${entry.seq}: exactly the documented fields`)
    t.match(entry.time, ISO_TIME, `seq ${entry.seq}: time is ISO 8601`)
    t.ok(typeof entry.durationMs === 'number' && entry.durationMs >= 0, `seq ${entry.seq}: durationMs is a number`)
  }
  t.strictSame(found.map(stable), [
    { seq: 3, method: 'GET', path: '/api/users', query: { limit: '1' }, status: 500, apiVersion: '2024-07-30', requestedVersion: null, clientId: 'key', errorType: 'InternalServerError', scenario: 'Prefer' },
    { seq: 2, method: 'GET', path: `/api/users/${UNKNOWN_ID}`, query: {}, status: 404, apiVersion: '2024-07-30', requestedVersion: null, clientId: 'key', errorType: 'NotFound', scenario: null },
    { seq: 1, method: 'GET', path: '/api/users', query: { limit: '2' }, status: 200, apiVersion: '2024-05-09', requestedVersion: '2024-05-09', clientId: 'key', errorType: null, scenario: null }
  ])
  t.ok(Date.parse(found[0]?.time ?? '') >= Date.parse(found[2]?.time ?? ''), 'the newest has the latest time')
})

t.test('a PUT entry carries the JSON body it sent', async (t) => {
  const app = await build(t)
  const id = ((await get(app, '/api/users?limit=1')).json() as { items: Array<{ id: string }> }).items[0]?.id as string
  const res = await app.inject({ method: 'PUT', url: `/api/users/${id}`, headers: { authorization: AUTH, 'sequence-version': '2024-01-01' }, payload: { sequenceAccountIds: [ACCOUNT] } })
  t.equal(res.statusCode, 201)
  const [entry] = await entries(app, '?limit=1')
  t.strictSame(Object.keys(entry ?? {}), [...FIELDS, 'body'])
  t.strictSame(stable(entry as Entry), {
    seq: 2, method: 'PUT', path: `/api/users/${id}`, query: {}, status: 201, apiVersion: '2024-01-01', requestedVersion: '2024-01-01',
    clientId: 'key', errorType: null, scenario: null, body: { sequenceAccountIds: [ACCOUNT] }
  })
})

t.test('the journal filters by clientId, path and status, and limit keeps the newest', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,ci:pw' })
  const ci = basic('ci', 'pw')
  await get(app, '/api/users?limit=1') // 1: key, 200
  await get(app, `/api/users/${UNKNOWN_ID}`, { authorization: ci }) // 2: ci, 404
  await get(app, '/api/users?limit=0', { authorization: ci }) // 3: ci, 400
  await get(app, `/api/users/${UNKNOWN_ID}`) // 4: key, 404
  await get(app, '/api/users?limit=3', { authorization: ci }) // 5: ci, 200
  const seqs = async (query: string): Promise<number[]> => (await entries(app, query)).map((entry) => entry.seq)
  t.strictSame(await seqs(''), [5, 4, 3, 2, 1], 'all, newest first')
  t.strictSame(await seqs('?clientId=ci'), [5, 3, 2], 'clientId')
  t.strictSame(await seqs('?clientId=nobody'), [], 'an unknown clientId')
  t.strictSame(await seqs('?path=/api/users'), [5, 3, 1], 'path')
  t.strictSame(await seqs(`?path=${encodeURIComponent(`/api/users/${UNKNOWN_ID}`)}`), [4, 2], 'path of a user')
  t.strictSame(await seqs('?status=404'), [4, 2], 'status')
  t.strictSame(await seqs('?limit=2'), [5, 4], 'limit')
  t.strictSame(await seqs('?clientId=ci&status=200'), [5], 'clientId and status')
  t.strictSame(await seqs('?clientId=ci&limit=2'), [5, 3], 'limit counts the matching entries')
})

t.test('a bad filter gets 400 validationError naming it', async (t) => {
  const app = await build(t)
  const cases: Array<[query: string, key: string, message: string]> = [
    ['status=abc', 'status', 'Invalid status: must be integer.'],
    ['status=99', 'status', 'Invalid status: must be >= 100.'],
    ['limit=0', 'limit', 'Invalid limit: must be >= 1.'],
    ['method=GET', 'method', 'Invalid method: is not a field of this request.']
  ]
  for (const [query, key, message] of cases) {
    const res = await journal(app, `?${query}`)
    t.equal(res.statusCode, 400, `${query}: status`)
    t.equal(res.headers['content-type'], JSON_UTF8, `${query}: content-type`)
    t.strictSame(res.json(), { error: { type: 'validationError', message: 'Request data validation failed', errors: [{ code: 'validationError', message, key, errors: [] }] } }, `${query}: whole body`)
  }
})

t.test('the journal never holds a secret or an Authorization value; a failed login records the client id it tried', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,ci:Correct-Horse-77' })
  const right = basic('ci', 'Correct-Horse-77')
  const wrong = basic('ci', 'Wrong-Battery-42')
  t.equal((await get(app, '/api/users?limit=1', { authorization: right })).statusCode, 200)
  t.equal((await get(app, '/api/users?limit=1', { authorization: wrong })).statusCode, 401)
  t.equal((await get(app, '/api/users?limit=1', { authorization: 'Bearer Token-Staple-13' })).statusCode, 401)
  t.equal((await get(app, '/api/users?limit=1', { authorization: `Basic ${Buffer.from('Secret-Only-55').toString('base64')}` })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/api/users?limit=1' })).statusCode, 401)

  const text = (await journal(app)).body
  const base64 = (value: string): string => Buffer.from(value).toString('base64')
  for (const secret of ['Correct-Horse-77', 'Wrong-Battery-42', 'Token-Staple-13', 'Secret-Only-55', right, wrong, base64('Correct-Horse-77'), base64('Wrong-Battery-42'), base64('Secret-Only-55'), 'Basic', 'Bearer']) {
    t.notOk(text.includes(secret), `the journal does not contain ${secret}`)
  }
  const found = (JSON.parse(text) as { requests: Entry[] }).requests
  t.strictSame(found.map((entry) => [entry['status'], entry['clientId'], entry['errorType']]), [
    [401, null, 'Unauthorized'],
    [401, null, 'Unauthorized'],
    [401, null, 'Unauthorized'],
    [401, 'ci', 'Unauthorized'],
    [200, 'ci', null]
  ], 'status, client id tried (none without a Basic id) and error type')
})

t.test('only /api requests are journaled: not /health, /_mock or other paths', async (t) => {
  const app = await build(t)
  await app.inject({ method: 'GET', url: '/health' })
  await app.inject({ method: 'GET', url: '/_mock/scenarios' })
  await app.inject({ method: 'DELETE', url: '/_mock/report' })
  await app.inject({ method: 'GET', url: '/nowhere' })
  await app.inject({ method: 'GET', url: '/apiary' })
  t.strictSame(await entries(app), [], 'none of those')
  await get(app, '/api/users?limit=1')
  await get(app, '/api/nowhere')
  t.strictSame((await entries(app)).map((entry) => [entry['path'], entry['status']]), [['/api/nowhere', 404], ['/api/users', 200]], '/api requests, unknown routes under /api included')
})

t.test('with SEQUENCE_MOCK_JOURNAL_SIZE=3 only the newest 3 requests are kept', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_JOURNAL_SIZE: '3' })
  for (let limit = 1; limit <= 5; limit++) await get(app, `/api/users?limit=${limit}`)
  t.strictSame((await entries(app)).map((entry) => [entry.seq, entry['query']]), [[5, { limit: '5' }], [4, { limit: '4' }], [3, { limit: '3' }]])
  t.strictSame((await entries(app, '?limit=10')).length, 3, 'a larger limit finds no more')
})

t.test('SEQUENCE_MOCK_JOURNAL_SIZE=0 keeps nothing', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_JOURNAL_SIZE: '0' })
  for (let i = 0; i < 3; i++) t.equal((await get(app, '/api/users?limit=1')).statusCode, 200)
  const res = await journal(app)
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"requests":[]}')
})

t.test('DELETE /_mock/requests empties the journal and says how many entries it removed', async (t) => {
  const app = await build(t)
  for (let i = 0; i < 3; i++) await get(app, '/api/users?limit=1')
  const res = await app.inject({ method: 'DELETE', url: '/_mock/requests' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], JSON_UTF8)
  t.strictSame(res.json(), { removed: 3 })
  t.strictSame(await entries(app), [])
  await get(app, '/api/users?limit=1')
  t.equal((await entries(app)).length, 1, 'journaling goes on')
})
