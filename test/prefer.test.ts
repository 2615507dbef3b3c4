// Prefer (as Prism reads it): a request asks for an error or a delay and gets exactly what the mock sends on its own.
import t from 'tap'
import type { Test } from 'tap'
import { API_VERSIONS, type ApiVersion } from '../src/contract/versions.js'
import { UserStore, type StoredUser } from '../src/data/user-store.js'
import { parsePrefer } from '../src/http/scenarios.js'
import { AUTH, build, get } from './helper.js'

type Reply = Awaited<ReturnType<typeof get>>

const JSON_UTF8 = 'application/json; charset=utf-8'
const WRONG_PASSWORD = `Basic ${Buffer.from('key:wrong').toString('base64')}`
const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const PREFER_HINT = 'The mock understands code=400|401|404|429|500|503, delay=<0 to 60000 ms> and retry-after=<seconds>, e.g. Prefer: code=429, delay=200.'
const SIMULATED_400 = {
  error: {
    type: 'validationError',
    message: 'Request data validation failed',
    errors: [{ code: 'validationError', message: 'A simulated validation error (Prefer: code=400, or a /_mock scenario).', key: 'scenario', errors: [] }]
  }
}
const SIMULATED_429 = { error: { type: 'TooManyRequests', message: 'Rate limit exceeded: 1500 requests per minute per API key. Retry after 1 second.' } }
const SIMULATED_503 = { error: { type: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Retry after 1 second.' } }
const NOT_FOUND = { error: { type: 'NotFound', message: 'Not found.' } }

/** Elapsed wall time. A timer may fire up to a few ms before its time by the event loop's clock, hence the margin in lower bounds. */
async function timed (send: () => Promise<Reply>): Promise<[Reply, number]> {
  const start = performance.now()
  const res = await send()
  return [res, performance.now() - start]
}
const EARLY_TIMER_MARGIN_MS = 15

function preferError (key: string, problem: string): unknown {
  return { error: { type: 'validationError', message: 'Request data validation failed', errors: [{ code: 'validationError', message: `Invalid Prefer header: ${problem} ${PREFER_HINT}`, key, errors: [] }] } }
}

/** Status, the mock's headers and the whole body. */
function assertError (t: Test, res: Reply, status: number, body: unknown, version: ApiVersion = '2024-07-30'): void {
  t.equal(res.statusCode, status, 'status')
  t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
  t.equal(res.headers['sequence-version'], version, 'Sequence-Version')
  t.strictSame(res.json(), body, 'whole body')
}

/** GET with the default credentials and one or more Prefer headers. */
function preferring (url: string, prefer: string | string[], headers: Record<string, string> = {}): Promise<Reply> {
  return app.inject({ method: 'GET', url, headers: { authorization: AUTH, ...headers, prefer } })
}

/** A store whose reads fail, for the mock's real 500. */
class FailingStore extends UserStore {
  override get (): StoredUser | undefined {
    throw new Error('the disk is on fire')
  }

  override after (): StoredUser[] {
    throw new Error('the disk is on fire')
  }
}

const app = await build(t, { SEQUENCE_MOCK_USERS: '30' })
const userIds = ((await get(app, '/api/users?limit=30')).json() as { items: Array<{ id: string }> }).items.map((user) => user.id)
const [USER_ID = '', OTHER_ID = ''] = userIds

/** The real errors the simulated ones must equal, taken from the mock itself. */
const realUnauthorized = await get(app, '/api/users', { authorization: WRONG_PASSWORD })
const real500 = await get(await build(t, {}, { users: new FailingStore([]) }), '/api/users')

interface Operation {
  readonly method: 'GET' | 'PUT' | 'DELETE'
  readonly url: string
  readonly versions: readonly ApiVersion[]
  readonly payload?: Record<string, unknown>
}

const OPERATIONS: readonly Operation[] = [
  { method: 'GET', url: '/api/users?limit=2', versions: API_VERSIONS },
  { method: 'GET', url: `/api/users/${USER_ID}`, versions: API_VERSIONS },
  { method: 'PUT', url: `/api/users/${USER_ID}`, versions: ['2024-01-01', '2024-05-09'], payload: { sequenceAccountIds: [ACCOUNT_ID] } },
  { method: 'DELETE', url: `/api/users/${USER_ID}`, versions: API_VERSIONS }
]

function send (operation: Operation, version: ApiVersion, prefer: string | string[], authorization = AUTH): Promise<Reply> {
  const { method, url, payload } = operation
  return app.inject({ method, url, headers: { authorization, 'sequence-version': version, prefer }, ...(payload !== undefined && { payload }) })
}

t.test('Prefer: code=N on every operation in every version answers the error the mock produces, whole body and headers', async (t) => {
  const userBefore = (await get(app, `/api/users/${USER_ID}`)).body
  for (const operation of OPERATIONS) {
    for (const version of operation.versions) {
      t.test(`${operation.method} ${operation.url} in ${version}`, async (t) => {
        const onUser = operation.url.includes(USER_ID)

        assertError(t, await send(operation, version, 'code=400'), 400, SIMULATED_400, version)

        const unauthorized = await send(operation, version, 'code=401')
        assertError(t, unauthorized, 401, realUnauthorized.json(), version)
        t.equal(unauthorized.headers['www-authenticate'], realUnauthorized.headers['www-authenticate'], 'the challenge of a real 401')
        t.match(unauthorized.headers['www-authenticate'], /^Basic realm="Sequence"/, 'a Basic challenge for realm Sequence')

        const notFound = await send(operation, version, 'code=404')
        assertError(t, notFound, 404, onUser ? { error: { type: 'NotFound', message: `No user with id "${USER_ID}".` } } : NOT_FOUND, version)

        const limited = await send(operation, version, 'code=429')
        assertError(t, limited, 429, SIMULATED_429, version)
        t.equal(limited.headers['retry-after'], '1', 'Retry-After')

        assertError(t, await send(operation, version, 'code=500'), 500, real500.json(), version)

        const unavailable = await send(operation, version, 'code=503')
        assertError(t, unavailable, 503, SIMULATED_503, version)
        t.equal(unavailable.headers['retry-after'], '1', 'Retry-After')
      })
    }
  }
  t.test('a simulated error changes nothing: the user is neither updated nor deleted', async (t) => {
    const user = await get(app, `/api/users/${USER_ID}`)
    t.equal(user.statusCode, 200)
    t.equal((user.json() as { state: string }).state, 'active')
    t.equal(user.body, userBefore, 'the user as it was')
  })
})

t.test('a simulated 404 on /api/users/{id} is the body of a real unknown id', async (t) => {
  const own = await build(t, { SEQUENCE_MOCK_USERS: '5' })
  const id = ((await get(own, '/api/users?limit=1')).json() as { items: Array<{ id: string }> }).items[0]?.id ?? ''
  const simulated = await get(own, `/api/users/${id}`, { prefer: 'code=404' })
  t.equal((await own.inject({ method: 'DELETE', url: `/_mock/users/${id}` })).statusCode, 200)
  const real = await get(own, `/api/users/${id}`)
  t.equal(real.statusCode, 404)
  t.equal(simulated.statusCode, 404)
  t.equal(simulated.body, real.body, 'byte for byte')
  t.strictSame(simulated.headers['content-type'], real.headers['content-type'])
})

t.test('a simulated 429 is the body and Retry-After of a real rate-limit 429', async (t) => {
  const limitedApp = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '2', SEQUENCE_MOCK_CREDENTIALS: 'key:secret,other:pw' })
  for (let i = 0; i < 2; i++) t.equal((await get(limitedApp, '/api/users?limit=1')).statusCode, 200)
  const real = await get(limitedApp, '/api/users?limit=1')
  t.equal(real.statusCode, 429)
  const retryAfter = real.headers['retry-after']
  // Another key has its own quota, so this 429 is the simulated one.
  const simulated = await get(limitedApp, '/api/users?limit=1', { authorization: `Basic ${Buffer.from('other:pw').toString('base64')}`, prefer: `code=429, retry-after=${String(retryAfter)}` })
  t.equal(simulated.statusCode, 429)
  t.equal(simulated.headers['retry-after'], retryAfter)
  t.equal(simulated.body, real.body, 'byte for byte')
})

t.test('retry-after=30 sets Retry-After and the message of a simulated 429 or 503', async (t) => {
  const limited = await get(app, '/api/users', { prefer: 'code=429, retry-after=30' })
  assertError(t, limited, 429, { error: { type: 'TooManyRequests', message: 'Rate limit exceeded: 1500 requests per minute per API key. Retry after 30 seconds.' } })
  t.equal(limited.headers['retry-after'], '30')
  const unavailable = await get(app, '/api/users', { prefer: 'code=503, retry-after=30' })
  assertError(t, unavailable, 503, { error: { type: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Retry after 30 seconds.' } })
  t.equal(unavailable.headers['retry-after'], '30')
})

t.test('a simulated 429 states the configured rate limit', async (t) => {
  const own = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '600' })
  assertError(t, await get(own, '/api/users', { prefer: 'code=429' }), 429,
    { error: { type: 'TooManyRequests', message: 'Rate limit exceeded: 600 requests per minute per API key. Retry after 1 second.' } })
})

t.test('real checks come first: credentials, then the version, then the rate limit, then the operation', async (t) => {
  t.test('no credentials with Prefer: code=500 is 401', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/api/users', headers: { prefer: 'code=500' } })
    t.equal(res.statusCode, 401)
    t.equal((res.json() as { error: { type: string } }).error.type, 'Unauthorized')
  })
  t.test('wrong credentials with a malformed Prefer is 401, not a Prefer error', async (t) => {
    const res = await get(app, '/api/users', { authorization: WRONG_PASSWORD, prefer: 'return=minimal' })
    t.equal(res.statusCode, 401)
    t.strictSame(res.json(), realUnauthorized.json())
  })
  t.test('an unknown version with Prefer is 400 UnrecognisedApiVersion', async (t) => {
    for (const prefer of ['code=503', 'code=418']) {
      const res = await get(app, '/api/users', { 'sequence-version': '2024-01-02', prefer })
      t.equal(res.statusCode, 400, prefer)
      t.equal(res.body, '{"error":{"type":"UnrecognisedApiVersion","message":"No matching API version found. Please make sure the specified API version is valid."}}')
    }
  })
  t.test('an operation the version does not publish is 405 whatever Prefer asks', async (t) => {
    const res = await app.inject({ method: 'PUT', url: `/api/users/${USER_ID}`, headers: { authorization: AUTH, 'sequence-version': '2024-07-30', prefer: 'code=500' }, payload: { sequenceAccountIds: [ACCOUNT_ID] } })
    t.equal(res.statusCode, 405)
  })
  t.test('a key over the rate limit gets the real 429, whatever Prefer asks', async (t) => {
    const limitedApp = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '1' })
    t.equal((await get(limitedApp, '/api/users?limit=1')).statusCode, 200)
    for (const prefer of ['code=500', 'code=503', 'delay=0', 'return=minimal']) {
      const res = await get(limitedApp, '/api/users?limit=1', { prefer })
      t.strictSame([res.statusCode, (res.json() as { error: { type: string } }).error.type], [429, 'TooManyRequests'], prefer)
    }
  })
})

t.test('Prefer: delay=MS delays an otherwise normal 200', async (t) => {
  const plain = await get(app, '/api/users?limit=3')
  const [res, ms] = await timed(() => get(app, '/api/users?limit=3', { prefer: 'delay=200' }))
  t.equal(res.statusCode, 200)
  t.equal(res.body, plain.body, 'the normal body')
  t.equal(res.headers['sequence-version'], '2024-07-30')
  t.ok(ms >= 200 - EARLY_TIMER_MARGIN_MS, `took ${ms} ms, at least 200`)
  const [zero] = await timed(() => get(app, '/api/users?limit=3', { prefer: 'delay=0' }))
  t.equal(zero.body, plain.body, 'delay=0 is a normal response')
})

t.test('code and delay combine, in any order, with or without spaces, any case, quoted, across two Prefer headers', async (t) => {
  const spellings: Array<string | string[]> = [
    'code=429, delay=200',
    'delay=200,code=429',
    'Code=429 ,  DELAY=200',
    'code = 429, delay = 200',
    'code="429", delay="200"',
    ['code=429', 'delay=200'],
    ['delay="200"', 'CODE=429']
  ]
  const results = await Promise.all(spellings.map(async (prefer) => timed(() => preferring('/api/users', prefer))))
  for (const [index, [res, ms]] of results.entries()) {
    const label = JSON.stringify(spellings[index])
    t.equal(res.statusCode, 429, label)
    t.strictSame(res.json(), SIMULATED_429, label)
    t.ok(ms >= 200 - EARLY_TIMER_MARGIN_MS, `${label} took ${ms} ms, at least 200`)
  }
})

t.test('parsePrefer reads RFC 7240 preferences into a scenario response', async (t) => {
  t.equal(parsePrefer(undefined), undefined)
  t.strictSame(parsePrefer('code=429, delay=200'), { code: 429, delay: 200 })
  t.strictSame(parsePrefer(['delay="0"', 'Retry-After=30']), { delay: 0, retryAfter: 30 })
  t.strictSame(parsePrefer('delay=60000'), { delay: 60000 })
  t.strictSame(parsePrefer('code=503,'), { code: 503 })
})

t.test('a malformed or unknown preference is 400 validationError with key Prefer, naming it', async (t) => {
  const cases: Array<[prefer: string | string[], problem: string]> = [
    ['return=minimal', '"return=minimal" is not a preference the mock understands.'],
    ['respond-async', '"respond-async" is not a preference the mock understands.'],
    ['code=418', 'code=418 is not one the mock simulates.'],
    ['code=200', 'code=200 is not one the mock simulates.'],
    ['code=abc', '"code=abc" is not a preference the mock understands.'],
    ['delay=60001', 'delay=60001 is over 60000 ms.'],
    ['delay=-1', '"delay=-1" is not a preference the mock understands.'],
    ['delay=1.5', '"delay=1.5" is not a preference the mock understands.'],
    ['code=429;x', '"code=429;x" is not a preference the mock understands.'],
    ['code=', '"code=" is not a preference the mock understands.'],
    ['code=""', '"code=\\"\\"" is not a preference the mock understands.'],
    ['', 'it is empty.'],
    [' , ', 'it is empty.'],
    ['code=429, code=500', 'code is given twice.'],
    [['delay=10', 'delay=20'], 'delay is given twice.'],
    ['code=429, return=minimal', '"return=minimal" is not a preference the mock understands.']
  ]
  for (const [prefer, problem] of cases) {
    const res = await preferring('/api/users', prefer)
    assertError(t, res, 400, preferError('Prefer', problem))
  }
})

t.test('a browser preflight may ask for Prefer, and for PUT and DELETE', async (t) => {
  for (const method of ['GET', 'PUT', 'DELETE']) {
    const res = await app.inject({
      method: 'OPTIONS',
      url: `/api/users/${OTHER_ID}`,
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': method, 'access-control-request-headers': 'authorization,sequence-version,prefer' }
    })
    t.equal(res.statusCode, 204, method)
    t.equal(res.headers['access-control-allow-origin'], 'http://localhost:3000')
    const allowedHeaders = String(res.headers['access-control-allow-headers']).toLowerCase().split(/\s*,\s*/)
    t.ok(allowedHeaders.includes('prefer'), `${method}: allow-headers includes prefer`)
    t.ok(String(res.headers['access-control-allow-methods']).split(/\s*,\s*/).includes(method), `${method} is an allowed method`)
  }
})

t.test('Prefer applies only to /api: /health and /_mock ignore it', async (t) => {
  for (const prefer of ['code=500', 'delay=0', 'return=minimal']) {
    const health = await app.inject({ method: 'GET', url: '/health', headers: { prefer } })
    t.equal(health.statusCode, 200, `/health with ${prefer}`)
    const scenarios = await app.inject({ method: 'GET', url: '/_mock/scenarios', headers: { prefer } })
    t.equal(scenarios.statusCode, 200, `/_mock/scenarios with ${prefer}`)
    t.strictSame(scenarios.json(), { scenarios: [] })
  }
})

t.test('the journal marks a request steered by Prefer', async (t) => {
  const own = await build(t, { SEQUENCE_MOCK_USERS: '5' })
  await get(own, '/api/users?limit=1', { prefer: 'code=503' })
  await get(own, '/api/users?limit=1')
  const { requests } = (await own.inject({ method: 'GET', url: '/_mock/requests' })).json() as { requests: Array<{ status: number, scenario: string | null, errorType: string | null }> }
  t.match(requests, [{ status: 200, scenario: null, errorType: null }, { status: 503, scenario: 'Prefer', errorType: 'ServiceUnavailable' }])
})
