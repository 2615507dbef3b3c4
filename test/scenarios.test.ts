// /_mock/scenarios and configured latency: rules that turn matching API requests into a chosen error or delay.
import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { ConfigError, loadConfig } from '../src/config.js'
import { AUTH, build, get } from './helper.js'

type Reply = Awaited<ReturnType<typeof get>>

interface Scenario {
  id: string
  match: Record<string, string>
  response: Record<string, number>
  times: number | null
  fired: number
}

const JSON_UTF8 = 'application/json; charset=utf-8'
const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const OTHER = `Basic ${Buffer.from('other:pw').toString('base64')}`
const SIMULATED_503 = { error: { type: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Retry after 1 second.' } }
const SIMULATED_500 = { error: { type: 'InternalServerError', message: 'The mock failed to handle this request; the details are in its log.' } }
/** A timer may fire a few ms before its time by the event loop's clock, hence the margin in lower bounds. */
const EARLY_TIMER_MARGIN_MS = 15

async function addScenario (t: Test, app: FastifyInstance, input: unknown): Promise<Scenario> {
  const res = await app.inject({ method: 'POST', url: '/_mock/scenarios', payload: input as Record<string, unknown> })
  t.equal(res.statusCode, 201, `POST /_mock/scenarios ${JSON.stringify(input)}`)
  return res.json() as Scenario
}

async function listScenarios (app: FastifyInstance): Promise<Scenario[]> {
  return ((await app.inject({ method: 'GET', url: '/_mock/scenarios' })).json() as { scenarios: Scenario[] }).scenarios
}

async function firstIds (app: FastifyInstance, count: number): Promise<string[]> {
  return ((await get(app, `/api/users?limit=${count}`)).json() as { items: Array<{ id: string }> }).items.map((user) => user.id)
}

/** The error loadConfig throws for these variables, or undefined when it accepts them. */
function configError (env: Record<string, string>): Error | undefined {
  try {
    loadConfig(env)
    return undefined
  } catch (error) {
    return error as Error
  }
}

async function timed (send: () => Promise<Reply>): Promise<[Reply, number]> {
  const start = performance.now()
  const res = await send()
  return [res, performance.now() - start]
}

t.test('POST /_mock/scenarios answers the next `times` matching requests as Prefer would, then the API is normal again', async (t) => {
  const app = await build(t)
  const input = { match: { method: 'GET', path: '/api/users', clientId: 'key' }, response: { code: 503, delay: 0 }, times: 2 }
  const created = await app.inject({ method: 'POST', url: '/_mock/scenarios', payload: input })
  t.equal(created.statusCode, 201)
  t.equal(created.headers['content-type'], JSON_UTF8)
  const scenario = created.json() as Scenario
  t.match(scenario.id, UUID)
  t.strictSame(scenario, { id: scenario.id, ...input, fired: 0 }, 'the whole scenario')

  const preferred = await get(app, '/api/users', { prefer: 'code=503' })
  for (let i = 1; i <= 2; i++) {
    const res = await get(app, '/api/users')
    t.equal(res.statusCode, 503, `request ${i}`)
    t.strictSame(res.json(), SIMULATED_503)
    t.equal(res.body, preferred.body, 'the body of Prefer: code=503')
    t.equal(res.headers['retry-after'], '1')
    t.equal(res.headers['content-type'], JSON_UTF8)
    t.equal(res.headers['sequence-version'], '2024-07-30')
  }
  t.equal((await get(app, '/api/users')).statusCode, 200, 'the third is normal')
  t.strictSame(await listScenarios(app), [{ ...scenario, fired: 2 }], 'listed, spent, with fired: 2')
})

t.test('an empty match applies to every API request, and without times it fires until removed', async (t) => {
  const app = await build(t)
  const [id = ''] = await firstIds(app, 1)
  const before = (await get(app, `/api/users/${id}`)).body
  const scenario = await addScenario(t, app, { response: { code: 500 } })
  t.strictSame(scenario, { id: scenario.id, match: {}, response: { code: 500 }, times: null, fired: 0 })
  const requests: Array<[method: 'GET' | 'PUT' | 'DELETE', url: string, version: string]> = [
    ['GET', '/api/users', '2024-07-30'],
    ['GET', '/api/users?limit=1', '2024-01-01'],
    ['GET', `/api/users/${id}`, '2024-05-09'],
    ['PUT', `/api/users/${id}`, '2024-05-09'],
    ['DELETE', `/api/users/${id}`, '2024-07-30'],
    ['GET', '/api/users', '2024-07-30']
  ]
  for (const [method, url, version] of requests) {
    const res = await app.inject({ method, url, headers: { authorization: AUTH, 'sequence-version': version }, ...(method === 'PUT' && { payload: { sequenceAccountIds: [ACCOUNT_ID] } }) })
    t.equal(res.statusCode, 500, `${method} ${url}`)
    t.strictSame(res.json(), SIMULATED_500)
    t.equal(res.headers['sequence-version'], version)
  }
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, '/health is not the API')
  t.equal((await listScenarios(app))[0]?.fired, requests.length)
  const removed = await app.inject({ method: 'DELETE', url: `/_mock/scenarios/${scenario.id}` })
  t.equal(removed.statusCode, 200)
  t.strictSame(removed.json(), { ...scenario, fired: requests.length }, 'DELETE answers the removed scenario')
  t.equal((await get(app, `/api/users/${id}`)).body, before, 'the user was neither updated nor deleted')
  t.strictSame(await listScenarios(app), [])
})

t.test('a path template matches any id but not the list; the query string does not count', async (t) => {
  const app = await build(t)
  const [first = '', second = ''] = await firstIds(app, 2)
  await addScenario(t, app, { match: { path: '/api/users/{id}' }, response: { code: 404 } })
  for (const id of [first, second, '00000000-0000-4000-8000-000000000000']) {
    const res = await get(app, `/api/users/${id}`)
    t.equal(res.statusCode, 404, id)
    t.strictSame(res.json(), { error: { type: 'NotFound', message: `No user with id "${id}".` } }, 'the body of a real unknown id')
  }
  t.equal((await get(app, '/api/users')).statusCode, 200, '/api/users is not /api/users/{id}')

  const list = await build(t)
  await addScenario(t, list, { match: { path: '/api/users' }, response: { code: 503 } })
  t.equal((await get(list, '/api/users?limit=1&after=')).statusCode, 503, 'a query string does not change the path')
  t.equal((await get(list, `/api/users/${first}`)).statusCode, 200, '/api/users does not match /api/users/{id}')
})

t.test('the method matches in any case', async (t) => {
  const app = await build(t)
  const [id = ''] = await firstIds(app, 1)
  const scenario = await addScenario(t, app, { match: { method: 'delete' }, response: { code: 503 } })
  t.equal(scenario.match['method'], 'DELETE')
  t.equal((await get(app, `/api/users/${id}`)).statusCode, 200, 'GET is not DELETE')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/users/${id}`, headers: { authorization: AUTH } })).statusCode, 503)
})

t.test('clientId matches only that API key; other keys neither match nor use it up', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,other:pw' })
  await addScenario(t, app, { match: { clientId: 'key' }, response: { code: 503 }, times: 1 })
  t.equal((await get(app, '/api/users', { authorization: OTHER })).statusCode, 200, 'other')
  t.equal((await listScenarios(app))[0]?.fired, 0)
  t.equal((await get(app, '/api/users')).statusCode, 503, 'key')
})

t.test('the newest matching scenario wins; an older one answers once the newer is spent', async (t) => {
  const app = await build(t)
  const older = await addScenario(t, app, { match: { path: '/api/users' }, response: { code: 503 } })
  const newer = await addScenario(t, app, { response: { code: 500 }, times: 1 })
  t.equal((await get(app, '/api/users')).statusCode, 500, 'the newer')
  t.equal((await get(app, '/api/users')).statusCode, 503, 'then the older')
  t.strictSame((await listScenarios(app)).map(({ id, fired }) => [id, fired]), [[older.id, 1], [newer.id, 1]], 'listed oldest first')
})

t.test("a request's own Prefer header wins over a scenario and does not use it up", async (t) => {
  const app = await build(t)
  await addScenario(t, app, { response: { code: 503 }, times: 1 })
  t.equal((await get(app, '/api/users', { prefer: 'code=429' })).statusCode, 429)
  t.equal((await get(app, '/api/users', { prefer: 'delay=0' })).statusCode, 200)
  t.equal((await listScenarios(app))[0]?.fired, 0)
  t.equal((await get(app, '/api/users')).statusCode, 503, 'still there for the next request')
})

t.test('a scenario sets Retry-After and a delay', async (t) => {
  const app = await build(t)
  await addScenario(t, app, { response: { code: 429, retryAfter: 30 }, times: 1 })
  const limited = await get(app, '/api/users')
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['retry-after'], '30')
  t.strictSame(limited.json(), { error: { type: 'TooManyRequests', message: 'Rate limit exceeded: 1500 requests per minute per API key. Retry after 30 seconds.' } })

  await addScenario(t, app, { response: { delay: 200 }, times: 1 })
  const [slow, ms] = await timed(() => get(app, '/api/users?limit=1'))
  t.equal(slow.statusCode, 200, 'a delay alone answers normally')
  t.ok(ms >= 200 - EARLY_TIMER_MARGIN_MS, `took ${ms} ms, at least 200`)
})

t.test('DELETE /_mock/scenarios/{id} removes one (404 for an unknown id); DELETE /_mock/scenarios removes all', async (t) => {
  const app = await build(t)
  const unknown = await app.inject({ method: 'DELETE', url: '/_mock/scenarios/nope' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.headers['content-type'], JSON_UTF8)
  t.strictSame(unknown.json(), { error: { type: 'NotFound', message: 'No scenario with id "nope".' } })

  const first = await addScenario(t, app, { response: { code: 503 } })
  const second = await addScenario(t, app, { match: { path: '/api/users/{id}' }, response: { code: 404 }, times: 3 })
  t.strictSame(await listScenarios(app), [first, second])
  t.strictSame((await app.inject({ method: 'DELETE', url: `/_mock/scenarios/${first.id}` })).json(), first)
  t.equal((await app.inject({ method: 'DELETE', url: `/_mock/scenarios/${first.id}` })).statusCode, 404, 'gone')
  t.strictSame(await listScenarios(app), [second])

  await addScenario(t, app, { response: { code: 500 } })
  const cleared = await app.inject({ method: 'DELETE', url: '/_mock/scenarios' })
  t.equal(cleared.statusCode, 200)
  t.strictSame(cleared.json(), { removed: 2 })
  t.strictSame(await listScenarios(app), [])
  t.equal((await get(app, '/api/users')).statusCode, 200)
})

t.test('an invalid scenario is 400 validationError naming the field, one detail per bad field', async (t) => {
  const app = await build(t)
  const cases: Array<[body: unknown, key: string]> = [
    [{ response: { code: 418 } }, 'response.code'],
    [{ response: { code: 200 } }, 'response.code'],
    [{ response: { delay: 60001 } }, 'response.delay'],
    [{ response: { delay: -1 } }, 'response.delay'],
    [{ response: { code: 503 }, extra: true }, 'extra'],
    [{ match: { host: 'x' }, response: { code: 503 } }, 'match.host'],
    [{ response: { code: 503, status: 503 } }, 'response.status'],
    [{ response: {} }, 'response'],
    [{ match: {} }, 'response'],
    [{ response: { code: 503 }, times: 0 }, 'times'],
    [{ response: { code: 503 }, times: 1.5 }, 'times'],
    [{ match: { path: 'api/users' }, response: { code: 503 } }, 'match.path']
  ]
  for (const [body, key] of cases) {
    const res = await app.inject({ method: 'POST', url: '/_mock/scenarios', payload: body as Record<string, unknown> })
    const label = JSON.stringify(body)
    t.equal(res.statusCode, 400, label)
    t.equal(res.headers['content-type'], JSON_UTF8, label)
    const { error } = res.json() as { error: { type: string, message: string, errors: Array<{ code: string, key: string, message: string, errors: unknown[] }> } }
    t.equal(error.type, 'validationError', label)
    t.equal(error.message, 'Request data validation failed', label)
    t.strictSame(error.errors.map((detail) => detail.key), [key], `${label}: one detail, naming ${key}`)
    for (const detail of error.errors) t.ok(detail.message.startsWith(`Invalid ${key}`), `${label}: ${detail.message}`)
  }
  t.strictSame(await listScenarios(app), [], 'nothing was added')
})

t.test('the journal names the scenario that answered a request', async (t) => {
  const app = await build(t)
  const scenario = await addScenario(t, app, { match: { path: '/api/users' }, response: { code: 503 }, times: 1 })
  await get(app, '/api/users')
  await get(app, '/api/users', { prefer: 'code=429' })
  await get(app, '/api/users')
  const { requests } = (await app.inject({ method: 'GET', url: '/_mock/requests' })).json() as { requests: Array<{ status: number, scenario: string | null }> }
  t.strictSame(requests.map(({ status, scenario }) => [status, scenario]), [[200, null], [429, 'Prefer'], [503, scenario.id]], 'newest first')
})

t.test('SEQUENCE_MOCK_DELAY_MS takes milliseconds or a range min-max, within 0 to 60000', async (t) => {
  t.strictSame(loadConfig({ SEQUENCE_MOCK_DELAY_MS: '250' }).delayMs, { min: 250, max: 250 })
  t.strictSame(loadConfig({ SEQUENCE_MOCK_DELAY_MS: '50-300' }).delayMs, { min: 50, max: 300 })
  t.strictSame(loadConfig({}).delayMs, { min: 0, max: 0 })
  for (const bad of ['300-50', 'a-b', '70000', '0-70000', '-5', '5-']) {
    const error = configError({ SEQUENCE_MOCK_DELAY_MS: bad })
    t.type(error, ConfigError, bad)
    t.equal(error?.message, `Invalid configuration:\n  SEQUENCE_MOCK_DELAY_MS (--delay-ms)=${JSON.stringify(bad)}: expected milliseconds added before each API response: an integer from 0 to 60000, or a range like 50-300 for a uniform random delay`, bad)
  }
})

t.test('a configured range delays every API response by at least its minimum', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_DELAY_MS: '100-300' })
  const results = await Promise.all(Array.from({ length: 6 }, async () => timed(() => get(app, '/api/users?limit=1'))))
  for (const [res, ms] of results) {
    t.equal(res.statusCode, 200)
    t.ok(ms >= 100 - EARLY_TIMER_MARGIN_MS, `took ${ms} ms, at least 100`)
  }
})

t.test('a Prefer or scenario delay replaces the configured delay; a code alone keeps it', async (t) => {
  const slow = await build(t, { SEQUENCE_MOCK_DELAY_MS: '2000' })
  const [preferred, preferredMs] = await timed(() => get(slow, '/api/users?limit=1', { prefer: 'delay=0' }))
  t.equal(preferred.statusCode, 200)
  t.ok(preferredMs < 1500, `Prefer: delay=0 took ${preferredMs} ms, not the configured 2000`)
  await addScenario(t, slow, { response: { delay: 0 }, times: 1 })
  const [scenario, scenarioMs] = await timed(() => get(slow, '/api/users?limit=1'))
  t.equal(scenario.statusCode, 200)
  t.ok(scenarioMs < 1500, `a scenario with delay 0 took ${scenarioMs} ms, not the configured 2000`)
  const [health, healthMs] = await timed(() => slow.inject({ method: 'GET', url: '/health' }))
  t.equal(health.statusCode, 200)
  t.ok(healthMs < 1500, `/health took ${healthMs} ms: the latency is the API's only`)

  const app = await build(t, { SEQUENCE_MOCK_DELAY_MS: '250' })
  const [unavailable, ms] = await timed(() => get(app, '/api/users', { prefer: 'code=503' }))
  t.equal(unavailable.statusCode, 503)
  t.ok(ms >= 250 - EARLY_TIMER_MARGIN_MS, `Prefer: code=503 took ${ms} ms, at least the configured 250`)
})
