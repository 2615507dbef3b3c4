// Basic auth: missing, malformed or wrong credentials get 401 with the envelope, before the version or the query is looked at.
import t from 'tap'
import type { Test } from 'tap'
import { AUTH, build, get } from './helper.js'

type Reply = Awaited<ReturnType<typeof get>>

const JSON_UTF8 = 'application/json; charset=utf-8'
const CHALLENGE = 'Basic realm="Sequence", charset="UTF-8"'
const HINT = 'Send `Authorization: Basic base64(clientId:clientSecret)`, e.g. `Authorization: Basic a2V5OnNlY3JldA==` for client id `key` and secret `secret`. See https://docs.sequencehq.com/reference/authentication'
const MISSING = { error: { type: 'Unauthorized', message: `Missing Authorization header. ${HINT}` } }
const MALFORMED = { error: { type: 'Unauthorized', message: `Malformed Authorization header. ${HINT}` } }
const INVALID = { error: { type: 'Unauthorized', message: `Invalid API credentials. ${HINT}` } }
const USER_ID = '00000000-0000-4000-8000-000000000000'

const basic = (clientId: string, clientSecret: string): string =>
  `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`

function assertUnauthorized (t: Test, res: Reply, body: unknown): void {
  t.equal(res.statusCode, 401, 'status')
  t.equal(res.headers['www-authenticate'], CHALLENGE, 'WWW-Authenticate')
  t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
  t.strictSame(res.json(), body, 'whole body')
}

const app = await build(t)

t.test('the documented example pair key:secret is accepted', async (t) => {
  t.equal(AUTH, basic('key', 'secret'), 'the helper sends the documented header')
  const res = await get(app, '/api/users?limit=1')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['www-authenticate'], undefined, 'no challenge on success')
})

t.test('a request without Authorization gets 401 Missing Authorization header', async (t) => {
  assertUnauthorized(t, await app.inject({ method: 'GET', url: '/api/users' }), MISSING)
})

t.test('an Authorization header that is not Basic base64(id:secret) gets 401 Malformed Authorization header', async (t) => {
  const headers: Array<[what: string, value: string]> = [
    ['Bearer scheme, even with the right token', 'Bearer a2V5OnNlY3JldA=='],
    ['token not base64', 'Basic !!!'],
    ['no colon', `Basic ${Buffer.from('keysecret').toString('base64')}`],
    ['no token', 'Basic '],
    ['empty header', '']
  ]
  for (const [what, value] of headers) {
    t.test(what, async (t) => {
      assertUnauthorized(t, await get(app, '/api/users', { authorization: value }), MALFORMED)
    })
  }
})

t.test('credentials that match no configured pair get 401 Invalid API credentials', async (t) => {
  const headers: Array<[what: string, value: string]> = [
    ['wrong secret', basic('key', 'wrong')],
    ['unknown client id', basic('nobody', 'secret')],
    ['secret with a trailing character', basic('key', 'secret ')],
    ['empty client id and secret', basic('', '')],
    ['empty secret', basic('key', '')]
  ]
  for (const [what, value] of headers) {
    t.test(what, async (t) => {
      assertUnauthorized(t, await get(app, '/api/users', { authorization: value }), INVALID)
    })
  }
})

t.test('each pair in SEQUENCE_MOCK_CREDENTIALS is accepted, a secret may contain colons', async (t) => {
  const multi = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,ci:s3cret:with:colons' })
  for (const [clientId, clientSecret] of [['key', 'secret'], ['ci', 's3cret:with:colons']] as const) {
    const res = await get(multi, '/api/users?limit=1', { authorization: basic(clientId, clientSecret) })
    t.equal(res.statusCode, 200, `${clientId} is accepted`)
  }
})

t.test('pairs are not mixed, and a secret is not cut at its first colon', async (t) => {
  const multi = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,ci:s3cret:with:colons' })
  const wrong: Array<[clientId: string, clientSecret: string]> = [
    ['key', 's3cret:with:colons'],
    ['ci', 'secret'],
    ['ci', 's3cret'],
    ['ci', 's3cret:with']
  ]
  for (const [clientId, clientSecret] of wrong) {
    t.test(`${clientId}:${clientSecret}`, async (t) => {
      assertUnauthorized(t, await get(multi, '/api/users', { authorization: basic(clientId, clientSecret) }), INVALID)
    })
  }
})

t.test('configured credentials replace the default pair', async (t) => {
  const custom = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'ci:s3cret:with:colons' })
  assertUnauthorized(t, await get(custom, '/api/users'), INVALID)
})

t.test('auth is checked before the version: bad credentials and a bad Sequence-Version get 401', async (t) => {
  t.test('wrong credentials', async (t) => {
    const res = await get(app, '/api/users', { authorization: basic('key', 'wrong'), 'sequence-version': 'not-a-version' })
    assertUnauthorized(t, res, INVALID)
  })
  t.test('no credentials', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/api/users', headers: { 'sequence-version': 'not-a-version' } })
    assertUnauthorized(t, res, MISSING)
  })
})

t.test('auth is checked before query validation: bad credentials and limit=0 get 401', async (t) => {
  t.test('wrong credentials', async (t) => {
    assertUnauthorized(t, await get(app, '/api/users?limit=0', { authorization: basic('key', 'wrong') }), INVALID)
  })
  t.test('malformed credentials and a malformed cursor', async (t) => {
    assertUnauthorized(t, await get(app, '/api/users?after=x', { authorization: 'Bearer x' }), MALFORMED)
  })
})

t.test('GET /api/users/{id} needs auth too, checked before the id is looked up', async (t) => {
  t.test('no credentials', async (t) => {
    assertUnauthorized(t, await app.inject({ method: 'GET', url: `/api/users/${USER_ID}` }), MISSING)
  })
  t.test('wrong credentials', async (t) => {
    assertUnauthorized(t, await get(app, `/api/users/${USER_ID}`, { authorization: basic('key', 'wrong') }), INVALID)
  })
  t.test('right credentials reach the lookup', async (t) => {
    const res = await get(app, `/api/users/${USER_ID}`)
    t.equal(res.statusCode, 404)
    t.equal(res.headers['www-authenticate'], undefined, 'no challenge')
  })
})
