// Sequence-Version: which version a request is served in, the 400 for an unknown one, and the header on every response.
import t from 'tap'
import { AUTH, build, get } from './helper.js'

const VERSIONS = ['2024-01-01', '2024-05-09', '2024-07-30'] as const
const LATEST = '2024-07-30'
const JSON_UTF8 = 'application/json; charset=utf-8'
const UNRECOGNISED = '{"error":{"type":"UnrecognisedApiVersion","message":"No matching API version found. Please make sure the specified API version is valid."}}'
const USER_KEYS = ['id', 'email', 'sequenceAccountIds', 'state']
const USER_KEYS_WITH_ROLES = [...USER_KEYS, 'roles']
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

interface UserPage {
  items: Array<Record<string, unknown>>
  pagination: Record<string, unknown>
}

const basic = (clientId: string, clientSecret: string): string =>
  `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`

const app = await build(t)
const someId = ((await get(app, '/api/users?limit=1')).json() as UserPage).items[0]?.['id'] as string

t.test('without Sequence-Version a request gets the latest, 2024-07-30, and the header says so', async (t) => {
  const res = await get(app, '/api/users?limit=3')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['sequence-version'], LATEST)
  for (const item of (res.json() as UserPage).items) t.strictSame(Object.keys(item), USER_KEYS_WITH_ROLES)
})

t.test('each documented version is served and echoed in the Sequence-Version response header', async (t) => {
  for (const version of VERSIONS) {
    for (const url of ['/api/users?limit=1', `/api/users/${someId}`]) {
      const res = await get(app, url, { 'sequence-version': version })
      t.equal(res.statusCode, 200, `${url} in ${version}: status`)
      t.equal(res.headers['sequence-version'], version, `${url} in ${version}: header`)
    }
  }
})

t.test('unknown Sequence-Version gets 400 UnrecognisedApiVersion', async (t) => {
  const unknown: Array<[what: string, value: string]> = [
    ['a date that is no version', '2024-01-02'],
    ['latest', 'latest'],
    ['empty', ''],
    ['a valid version with a trailing space', '2024-07-30 '],
    ['a valid version without dashes', '20240730']
  ]
  for (const [what, value] of unknown) {
    for (const url of ['/api/users', `/api/users/${someId}`]) {
      t.test(`${what} on ${url}`, async (t) => {
        const res = await get(app, url, { 'sequence-version': value })
        t.equal(res.statusCode, 400, 'status')
        t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
        t.equal(res.body, UNRECOGNISED, 'exact body')
        t.equal(res.headers['sequence-version'], LATEST, 'labelled with the latest version')
      })
    }
  }
})

t.test('the version is checked before query validation: a bad version and limit=0 get UnrecognisedApiVersion', async (t) => {
  for (const query of ['limit=0', 'limit=abc', 'after=x', 'after=x&before=y']) {
    const res = await get(app, `/api/users?${query}`, { 'sequence-version': 'nope' })
    t.equal(res.statusCode, 400, `${query}: status`)
    t.equal(res.body, UNRECOGNISED, `${query}: body`)
  }
})

t.test('a key pinned to a version', async (t) => {
  const pinned = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,old:pw@2024-01-01' })
  const OLD = basic('old', 'pw')

  t.test('gets its pinned version when no Sequence-Version is sent', async (t) => {
    for (const url of ['/api/users?limit=2', `/api/users/${someId}`]) {
      const res = await get(pinned, url, { authorization: OLD })
      t.equal(res.statusCode, 200, `${url}: status`)
      t.equal(res.headers['sequence-version'], '2024-01-01', `${url}: header`)
      const users = url.includes('?') ? (res.json() as UserPage).items : [res.json() as Record<string, unknown>]
      for (const user of users) t.strictSame(Object.keys(user), USER_KEYS, `${url}: no roles`)
    }
  })

  t.test('gets the version in Sequence-Version when one is sent', async (t) => {
    for (const version of ['2024-07-30', '2024-05-09'] as const) {
      const res = await get(pinned, '/api/users?limit=1', { authorization: OLD, 'sequence-version': version })
      t.equal(res.headers['sequence-version'], version, `${version}: header`)
      const keys = version === '2024-07-30' ? USER_KEYS_WITH_ROLES : USER_KEYS
      t.strictSame(Object.keys((res.json() as UserPage).items[0] ?? {}), keys, `${version}: user keys`)
    }
  })

  t.test('still gets 400 for an unknown Sequence-Version', async (t) => {
    const res = await get(pinned, '/api/users', { authorization: OLD, 'sequence-version': 'latest' })
    t.equal(res.statusCode, 400)
    t.equal(res.body, UNRECOGNISED)
  })

  t.test('keeps its pinned version on a validation error', async (t) => {
    const res = await get(pinned, '/api/users?limit=0', { authorization: OLD })
    t.equal(res.statusCode, 400)
    t.equal(res.headers['sequence-version'], '2024-01-01')
  })

  t.test('does not pin the other keys', async (t) => {
    const res = await get(pinned, '/api/users?limit=1', { authorization: AUTH })
    t.equal(res.headers['sequence-version'], LATEST)
    t.strictSame(Object.keys((res.json() as UserPage).items[0] ?? {}), USER_KEYS_WITH_ROLES)
  })
})

t.test('every response carries a Sequence-Version header', async (t) => {
  const requests: Array<[label: string, status: number, url: string, headers: Record<string, string>]> = [
    ['200', 200, '/api/users?limit=1', { authorization: AUTH }],
    ['400 bad limit', 400, '/api/users?limit=0', { authorization: AUTH }],
    ['400 bad version', 400, '/api/users', { authorization: AUTH, 'sequence-version': 'x' }],
    ['401', 401, '/api/users', {}],
    ['404 unknown user', 404, `/api/users/${UNKNOWN_ID}`, { authorization: AUTH }],
    ['404 unknown route', 404, '/nope', {}]
  ]
  for (const [label, status, url, headers] of requests) {
    const res = await app.inject({ method: 'GET', url, headers })
    t.equal(res.statusCode, status, `${label}: status`)
    t.equal(res.headers['sequence-version'], LATEST, `${label}: header`)
  }
})

t.test('an error response carries the version the request asked for', async (t) => {
  const requests: Array<[label: string, status: number, url: string, headers: Record<string, string>]> = [
    ['400 bad limit', 400, '/api/users?limit=0', { authorization: AUTH }],
    ['401', 401, '/api/users', {}],
    ['404 unknown user', 404, `/api/users/${UNKNOWN_ID}`, { authorization: AUTH }],
    ['404 unknown route', 404, '/nope', {}]
  ]
  for (const [label, status, url, headers] of requests) {
    const res = await app.inject({ method: 'GET', url, headers: { ...headers, 'sequence-version': '2024-05-09' } })
    t.equal(res.statusCode, status, `${label}: status`)
    t.equal(res.headers['sequence-version'], '2024-05-09', `${label}: header`)
  }
})

t.test('users have id, email, sequenceAccountIds, state in that order, and roles last only in 2024-07-30', async (t) => {
  for (const version of VERSIONS) {
    const keys = version === '2024-07-30' ? USER_KEYS_WITH_ROLES : USER_KEYS
    t.test(version, async (t) => {
      const page = (await get(app, '/api/users?limit=100', { 'sequence-version': version })).json() as UserPage
      t.equal(page.items.length, 100, 'a full page')
      t.ok(page.items.every((user) => JSON.stringify(Object.keys(user)) === JSON.stringify(keys)), `every listed user has exactly ${keys.join(', ')}`)
      const byId = (await get(app, `/api/users/${someId}`, { 'sequence-version': version })).json() as Record<string, unknown>
      t.strictSame(Object.keys(byId), keys, 'the user by id')
      t.equal(byId['id'], someId, 'the user asked for')
    })
  }
})

t.test('in 2024-07-30 every user holds at least one role', async (t) => {
  const page = (await get(app, '/api/users?limit=100')).json() as UserPage
  const roleless = page.items.filter((user) => !Array.isArray(user['roles']) || (user['roles'] as unknown[]).length === 0)
  t.strictSame(roleless, [])
})

t.test('an absent cursor is null in 2024-07-30 and omitted in older versions', async (t) => {
  for (const version of VERSIONS) {
    const { pagination } = (await get(app, '/api/users?limit=5', { 'sequence-version': version })).json() as UserPage
    t.type(pagination['after'], 'string', `${version}: after of the first page is a cursor`)
    t.equal(pagination['totalResultSize'], 150, `${version}: totalResultSize`)
    if (version === '2024-07-30') {
      t.equal(pagination['before'], null, `${version}: before is null`)
    } else {
      t.notOk('before' in pagination, `${version}: before is omitted`)
    }
  }
})
