// startMock() and buildApp() as the package exports them: defaults, options, bad options, the test controls, two mocks at once, no leaks.
import http from 'node:http'
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { http as mswHttp, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import t from 'tap'
import type { Test } from 'tap'
import {
  API_VERSIONS, buildApp, configOf, ConfigError, FixturesError, LATEST_VERSION, MockControlError, startMock,
  type MockOptions, type NewUser, type RunningMock, type StoredUser, type UserPageOf, type UserV20240730
} from '../src/index.js'
import { ROLES } from '../src/contract/roles.js'
import { MOCK_VERSION } from '../src/package-info.js'
import { AUTH, JSON_UTF8, validationError } from './helper.js'

// The hundred starts of the leak test take about 10 s, more on a loaded machine.
t.setTimeout(120_000)

const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MICROSECOND_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const BASIC = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

/** The server's defaults, except any free port and no log lines. */
const IN_PROCESS_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  seed: 1,
  users: 150,
  accountId: ACCOUNT,
  credentials: [{ clientId: 'key', clientSecret: 'secret' }],
  defaultLimit: 20,
  rateLimit: 1500,
  logLevel: 'silent',
  logFormat: 'auto',
  corsOrigins: ['*'],
  delayMs: { min: 0, max: 0 },
  shutdownGraceMs: 10000,
  deleteMode: 'soft',
  journalSize: 1000,
  reportOnExit: false,
  maxHeaderBytes: 16384,
  maxUrlLength: 8192,
  maxBodyBytes: 1048576,
  requestTimeoutMs: 10000
}

/** A mock for one test, closed in its teardown. */
async function start (t: Test, options?: MockOptions): Promise<RunningMock> {
  const mock = await startMock(options)
  t.teardown(() => mock.close())
  return mock
}

/** A request over the mock's socket, as a client sends it: the default credentials unless `headers` says otherwise. */
async function call (mock: RunningMock, path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> {
  return fetch(`${mock.url}${path}`, { ...init, headers: { authorization: AUTH, ...headers } })
}

async function page (mock: RunningMock, query = 'limit=100'): Promise<UserPageOf['2024-07-30']> {
  return (await (await call(mock, `/users?${query}`)).json()) as UserPageOf['2024-07-30']
}

/** The n-th fixed id, for lists that replaceUsers takes (ids required, as in a fixtures file). */
function idOf (n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`
}

function newUser (email: string, fields: Partial<NewUser> = {}): NewUser {
  return { email, sequenceAccountIds: [ACCOUNT], state: 'active', roles: ['salesUser', 'readOnlyUser'], ...fields }
}

/** The list's shape of a stored user: the same fields without createdAt. */
function listed ({ createdAt, ...user }: StoredUser): UserV20240730 {
  return user
}

/** What a promise rejected with; fails the test when it resolved. */
async function rejection (t: Test, promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  t.fail('expected a rejection')
  return new Error('resolved')
}

/** Handles and requests still open, in a stable order, once the current turn's callbacks have run. */
async function openResources (): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve))
  return process.getActiveResourcesInfo().sort()
}

t.test('with no options it serves 150 users to key:secret on a free port of 127.0.0.1, at http://127.0.0.1:<port>/api', async (t) => {
  const mock = await start(t)
  t.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+\/api$/)
  t.equal(mock.origin, mock.url.slice(0, -'/api'.length))
  t.not(new URL(mock.url).port, '8910', 'any free port, not the server\'s default')
  t.strictSame(mock.config, IN_PROCESS_DEFAULTS, 'the server\'s defaults, port 0 and silent')

  const response = await call(mock, '/users')
  t.equal(response.status, 200)
  t.equal(response.headers.get('content-type'), JSON_UTF8)
  t.equal(response.headers.get('sequence-version'), LATEST_VERSION)
  t.equal(response.headers.get('sequence-mock-version'), MOCK_VERSION)
  const body = (await response.json()) as UserPageOf['2024-07-30']
  t.equal(body.items.length, 20, 'the default page size')
  t.equal(body.pagination.totalResultSize, 150)

  const health = await fetch(`${mock.origin}/health`)
  t.strictSame(await health.json(), { status: 'ok', name: 'sequence-mock', version: MOCK_VERSION, users: 150, apiVersions: API_VERSIONS, latestApiVersion: LATEST_VERSION })
  t.equal((await call(mock, '/users', { authorization: BASIC('key', 'wrong') })).status, 401)
})

t.test('startMock takes the server\'s defaults, never the SEQUENCE_MOCK_* variables of the test process', async (t) => {
  const variables = { SEQUENCE_MOCK_USERS: '3', SEQUENCE_MOCK_CREDENTIALS: 'env:only', SEQUENCE_MOCK_PORT: 'not a port' }
  Object.assign(process.env, variables)
  t.teardown(() => { for (const name of Object.keys(variables)) delete process.env[name] })
  const mock = await start(t)
  t.strictSame(mock.config, IN_PROCESS_DEFAULTS)
  t.equal((await page(mock, 'limit=1')).pagination.totalResultSize, 150)
})

t.test('options set users, seed, page size and credentials, as the configuration does', async (t) => {
  const options: MockOptions = { users: 7, seed: 42, defaultLimit: 3, credentials: [{ clientId: 'ci', clientSecret: 's3cret', version: '2024-01-01' }] }
  const mock = await start(t, options)
  t.strictSame(mock.config, { ...IN_PROCESS_DEFAULTS, ...options })
  const ci = { authorization: BASIC('ci', 's3cret') }

  const response = await call(mock, '/users', ci)
  t.equal(response.status, 200)
  t.equal(response.headers.get('sequence-version'), '2024-01-01', 'the key\'s pinned version')
  const text = await response.text()
  const body = JSON.parse(text) as UserPageOf['2024-01-01']
  t.equal(body.items.length, 3, 'defaultLimit without a limit')
  t.equal(body.pagination.totalResultSize, 7)
  t.strictSame(body.items.map((user) => Object.keys(user)), [0, 1, 2].map(() => ['id', 'email', 'sequenceAccountIds', 'state']), '2024-01-01 users have no roles')
  t.equal((await call(mock, '/users')).status, 401, 'key:secret is not accepted when other credentials are given')

  // The same seed and size give the same bytes; another seed, other users.
  const twin = await start(t, options)
  const other = await start(t, { ...options, seed: 43 })
  t.equal(await (await call(twin, '/users', ci)).text(), text)
  t.not(await (await call(other, '/users', ci)).text(), text)
})

t.test('options set the delete mode, the journal size and an admin token that the in-process controls send themselves', async (t) => {
  const mock = await start(t, { deleteMode: 'hard', journalSize: 0, adminToken: 't0ken', rateLimit: 0 })
  const added = await mock.addUser(newUser('token@example.com'))
  const refused = await fetch(`${mock.origin}/_mock/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(newUser('other@example.com')) })
  t.equal(refused.status, 401, 'a raw /_mock call without the token is refused')

  t.equal((await call(mock, `/users/${added.id}`, {}, { method: 'DELETE' })).status, 200)
  t.equal((await call(mock, `/users/${added.id}`)).status, 404, 'hard: the deleted user is gone')
  t.strictSame(mock.requests(), [], 'journal size 0 keeps nothing')
})

t.test('bad options reject with one ConfigError naming each bad option, and nothing is left listening', async (t) => {
  const before = await openResources()
  const error = await rejection(t, startMock({ port: 70000, users: -1, defaultLimit: 0, credentials: [], logLevel: 'loud' as never, corsOrigins: ['ftp://x'] }))
  t.ok(error instanceof ConfigError, 'a ConfigError')
  t.equal(error.name, 'ConfigError')
  t.equal(error.message, [
    'Invalid options:',
    '  port: must be <= 65535',
    '  users: must be >= 0',
    '  credentials: must not have fewer than 1 items',
    '  defaultLimit: must be >= 1',
    '  logLevel: must be equal to one of the allowed values',
    '  corsOrigins/0: must match pattern "^(\\*|https?://[^/\\s]+)$"'
  ].join('\n'))

  const credential = await rejection(t, startMock({ credentials: [{ clientId: 'a:b', clientSecret: '' }] }))
  t.equal(credential.message, 'Invalid options:\n  credentials/0/clientId: must match pattern "^[^:]+$"\n  credentials/0/clientSecret: must not have fewer than 1 characters')
  t.throws(() => configOf({ seed: 1.5 }), new ConfigError('Invalid options:\n  seed: must be integer'), 'configOf throws the same error')
  t.throws(() => configOf({ defaultlimit: 5, users: 3 } as never), new ConfigError('Invalid options:\n  defaultlimit: not an option'), 'a misspelt option is named, not ignored')
  const fixtures = await rejection(t, startMock({ fixtures: 'package.json' }))
  t.ok(fixtures instanceof FixturesError, 'a bad fixtures file: a FixturesError, exported for instanceof')
  t.match(fixtures.message, 'Invalid fixtures file package.json')
  t.strictSame(await openResources(), before)
})

t.test('a port already in use rejects with EADDRINUSE and leaves nothing open', async (t) => {
  const first = await start(t)
  const before = await openResources()
  const error = await rejection(t, startMock({ port: Number(new URL(first.url).port) }))
  t.equal((error as NodeJS.ErrnoException).code, 'EADDRINUSE')
  t.strictSame(await openResources(), before)
})

t.test('addUser stores a user that is listed first, with its id and createdAt', async (t) => {
  const mock = await start(t, { users: 5 })
  const stored = await mock.addUser(newUser('first@example.com'))
  t.match(stored.id, LOWER_UUID)
  t.match(stored.createdAt, MICROSECOND_TIME)
  t.strictSame(stored, { id: stored.id, email: 'first@example.com', sequenceAccountIds: [ACCOUNT], state: 'active', roles: [ROLES.salesUser, ROLES.readOnlyUser], createdAt: stored.createdAt })

  const list = await page(mock)
  t.equal(list.pagination.totalResultSize, 6)
  t.strictSame(list.items[0], listed(stored), 'the newest, listed first')
  const byId = await call(mock, `/users/${stored.id}`)
  t.strictSame(await byId.json(), listed(stored))

  const chosen = await mock.addUser(newUser('old@example.com', { id: idOf(1), createdAt: '2000-01-01T00:00:00Z' }))
  t.equal(chosen.id, idOf(1))
  t.equal(chosen.createdAt, '2000-01-01T00:00:00.000000Z')
  t.strictSame((await page(mock)).items.at(-1), listed(chosen), 'older than every other user: listed last')
})

t.test('an invalid user makes addUser and replaceUsers throw a MockControlError with the status and the envelope', async (t) => {
  const mock = await start(t, { users: 5 })
  const first = (await page(mock)).items[0] as UserV20240730
  const cases: Array<[what: string, call: () => Promise<unknown>, body: unknown]> = [
    ['a user without sequenceAccountIds', async () => mock.addUser({ email: 'x@example.com' } as NewUser),
      validationError('sequenceAccountIds', 'Invalid sequenceAccountIds: is required.')],
    ['an email a user already has', async () => mock.addUser(newUser(first.email)),
      validationError('email', `Invalid email: a user with email ${first.email} already exists.`)],
    ['an unknown role', async () => mock.addUser(newUser('role@example.com', { roles: ['owner' as never] })),
      validationError('roles[0]', 'Invalid roles[0]: must be one of Sequence\'s roles, admin, financeUser, salesUser, readOnlyUser: by name, or its documented object.')],
    ['a list whose second user has no email', async () => mock.replaceUsers([{ ...newUser('a@example.com'), id: idOf(1) }, { ...newUser('b@example.com'), id: idOf(2), email: undefined as never }]),
      validationError('[1].email', 'Invalid [1].email: is required.')]
  ]
  for (const [what, send, body] of cases) {
    const error = await rejection(t, send())
    t.ok(error instanceof MockControlError, `${what}: a MockControlError`)
    const control = error as MockControlError
    t.equal(control.name, 'MockControlError')
    t.equal(control.statusCode, 400, `${what}: 400`)
    t.strictSame(control.body, body, `${what}: the envelope`)
    t.equal(control.message, `400: ${JSON.stringify(body)}`)
  }
  t.equal((await page(mock)).pagination.totalResultSize, 5, 'nothing changed')
})

t.test('the controls work while a user\'s MSW intercepts every HTTP request of the process', async (t) => {
  const mock = await start(t, { users: 5, adminToken: 't0ken' })
  // A suite that answers everything itself: a control sent over HTTP would get this 599.
  const server = setupServer(mswHttp.all('*', () => new HttpResponse('intercepted', { status: 599 })))
  server.listen({ onUnhandledRequest: 'error' })
  t.teardown(() => { server.close() })
  const added = await mock.addUser(newUser('under-msw@example.com'))
  t.equal(added.email, 'under-msw@example.com')
  t.equal(await mock.replaceUsers([{ ...newUser('only@example.com'), id: idOf(1) }]), 1)
  t.equal((await mock.removeUser(idOf(1)))?.email, 'only@example.com')
  t.equal((await fetch(`${mock.url}/users`)).status, 599, 'MSW was answering the process\'s own requests')
  server.close()
  t.equal((await page(mock)).pagination.totalResultSize, 0)
  t.strictSame(mock.requests().map((entry) => entry.path), ['/api/users'], 'the controls are not in the journal, as over HTTP')
})

t.test('replaceUsers replaces every user, removeUser removes one, and reset brings back the start data and an empty journal', async (t) => {
  const mock = await start(t, { users: 5 })
  const startPage = await (await call(mock, '/users?limit=100')).text()

  t.equal(await mock.replaceUsers(['a', 'b', 'c'].map((name, n) => ({ ...newUser(`${name}@example.com`), id: idOf(n + 1) }))), 3)
  const replaced = await page(mock)
  t.strictSame(replaced.items.map((user) => user.email), ['a@example.com', 'b@example.com', 'c@example.com'], 'in the given order, newest first')

  const removed = await mock.removeUser(replaced.items[1]?.id as string)
  t.strictSame(removed === undefined ? undefined : listed(removed), replaced.items[1])
  t.equal(await mock.removeUser(replaced.items[1]?.id as string), undefined, 'a second time: undefined')
  t.equal(await mock.removeUser('not-an-id'), undefined)
  t.strictSame((await page(mock)).items.map((user) => user.email), ['a@example.com', 'c@example.com'])

  t.not(mock.requests().length, 0)
  mock.reset()
  t.strictSame(mock.requests(), [], 'the journal is empty after reset')
  t.equal(await (await call(mock, '/users?limit=100')).text(), startPage, 'the start data, byte for byte')
})

t.test('requests() is the journal GET /_mock/requests answers: newest first, with the same filters', async (t) => {
  const mock = await start(t, { users: 5 })
  await call(mock, '/users?limit=2')
  await call(mock, '/users', { authorization: BASIC('key', 'wrong') })
  await call(mock, `/users/${UNKNOWN_ID}`, { 'sequence-version': '2024-05-09' })

  const journal = mock.requests()
  const answered = await mock.app.inject({ method: 'GET', url: '/_mock/requests' })
  t.strictSame(journal, answered.json<{ requests: unknown }>().requests)
  t.strictSame(journal.map(({ seq, method, path, query, status, apiVersion, requestedVersion, clientId, errorType, scenario }) =>
    ({ seq, method, path, query, status, apiVersion, requestedVersion, clientId, errorType, scenario })), [
    { seq: 3, method: 'GET', path: `/api/users/${UNKNOWN_ID}`, query: {}, status: 404, apiVersion: '2024-05-09', requestedVersion: '2024-05-09', clientId: 'key', errorType: 'NotFound', scenario: null },
    { seq: 2, method: 'GET', path: '/api/users', query: {}, status: 401, apiVersion: LATEST_VERSION, requestedVersion: null, clientId: 'key', errorType: 'Unauthorized', scenario: null },
    { seq: 1, method: 'GET', path: '/api/users', query: { limit: '2' }, status: 200, apiVersion: LATEST_VERSION, requestedVersion: null, clientId: 'key', errorType: null, scenario: null }
  ])
  t.strictSame(mock.requests({ status: 401 }).map((entry) => entry.seq), [2])
  t.strictSame(mock.requests({ path: '/api/users' }).map((entry) => entry.seq), [2, 1])
  t.strictSame(mock.requests({ limit: 1 }).map((entry) => entry.seq), [3])
  t.strictSame(mock.requests({ clientId: 'nobody' }), [])
})

t.test('two mocks at once keep separate data, journals and ports', async (t) => {
  const a = await start(t, { users: 3 })
  const b = await start(t, { users: 3 })
  t.not(a.url, b.url)
  t.equal(await (await call(a, '/users')).text(), await (await call(b, '/users')).text(), 'the same start data')

  const added = await a.addUser(newUser('only-a@example.com'))
  t.equal((await page(a)).pagination.totalResultSize, 4)
  t.equal((await page(b)).pagination.totalResultSize, 3)
  t.equal((await call(b, `/users/${added.id}`)).status, 404)
  t.strictSame(a.requests().map((entry) => entry.path), ['/api/users', '/api/users'])
  t.strictSame(b.requests().map((entry) => entry.path), [`/api/users/${added.id}`, '/api/users', '/api/users'])

  b.reset()
  t.equal((await page(a)).pagination.totalResultSize, 4, 'resetting one leaves the other')
  await a.close()
  t.equal((await call(b, '/users')).status, 200, 'closing one leaves the other serving')
})

t.test('buildApp(configOf(options)) never listens, and inject answers the bytes the running mock sends', async (t) => {
  const options: MockOptions = { users: 4, defaultLimit: 2 }
  const app = await buildApp(configOf(options))
  t.teardown(() => app.close())
  const mock = await start(t, options)
  t.equal(app.server.listening, false)
  for (const [path, headers] of [
    ['/users', {}],
    ['/users?limit=3', { 'sequence-version': '2024-01-01' }],
    [`/users/${UNKNOWN_ID}`, {}],
    ['/users?limit=0', {}],
    ['/users', { authorization: BASIC('key', 'wrong') }]
  ] as Array<[string, Record<string, string>]>) {
    const injected = await app.inject({ method: 'GET', url: `/api${path}`, headers: { authorization: AUTH, ...headers } })
    const sent = await call(mock, path, headers)
    t.equal(injected.statusCode, sent.status, `${path}: status`)
    t.equal(injected.headers['sequence-version'], sent.headers.get('sequence-version'), `${path}: Sequence-Version`)
    t.equal(injected.body, await sent.text(), `${path}: bytes`)
  }
})

t.test('starting and closing the mock a hundred times leaves no open handle and no growing heap', async (t) => {
  v8.setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  // gc() alone keeps V8's cache of compiled `new Function` code (Ajv's validators, fast-json-stringify's
  // serializers: about 100 KB per app) until memory runs short; a heap snapshot collects all garbage,
  // as a full heap would. The snapshot itself is thrown away.
  const settledHeap = (): number => {
    v8.getHeapSnapshot().destroy()
    gc()
    return process.memoryUsage().heapUsed
  }
  const before = await openResources()
  let afterTen = 0
  for (let run = 1; run <= 100; run++) {
    const mock = await startMock({ users: 150 })
    // A keep-alive client that still holds its connection when the mock closes, as a test run's client would.
    const agent = new http.Agent({ keepAlive: true })
    const status = await new Promise<number | undefined>((resolve, reject) => {
      http.get(`${mock.url}/users?limit=5`, { agent, headers: { authorization: AUTH } }, (response) => {
        response.resume().on('end', () => { resolve(response.statusCode) })
      }).on('error', reject)
    })
    if (status !== 200) t.fail(`run ${run}: status ${status}`)
    await mock.addUser(newUser(`run${run}@example.com`))
    await mock.close()
    agent.destroy()
    if (run === 10) {
      await openResources()
      afterTen = settledHeap()
    }
  }
  t.strictSame(await openResources(), before, 'the same handles as before the first start')
  const growth = settledHeap() - afterTen
  // One mock of 150 users, kept alive, holds about 1.2 MB: a mock kept each run would add about 100 MB,
  // and 4 MB allows at most 45 KB a run. Measured: under 1 MB (V8's optimized code still settling).
  t.ok(growth < 4_000_000, `heap growth from run 10 to run 100: ${(growth / 1e6).toFixed(2)} MB, under 4 MB`)
})
