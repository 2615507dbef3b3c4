// The MSW handlers under msw/node's setupServer, called with plain fetch: the API, the test controls, base URLs, state, exit.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import t, { type Test } from 'tap'
import { dispatch } from '../src/http/dispatch.js'
import { createSequenceMock, sequenceHandlers } from '../src/msw.js'
import { AUTH, JSON_UTF8, validationError } from './helper.js'

const EU = 'https://eu.sequencehq.com'
const SANDBOX = 'https://sandbox.sequencehq.com'
const OTHER = 'https://other.sequence.test/v1'
const NOBODY = '00000000-0000-4000-8000-000000000000'
const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'

const sequence = createSequenceMock({ users: 20 })
// A second mock on another base URL, with its own state.
const other = createSequenceMock({ users: 5, baseUrls: [OTHER] })
// Whatever the mocks leave unhandled reaches this last handler, never the network.
const server = setupServer(...sequence.handlers, ...other.handlers, http.all('*', () => new HttpResponse('not answered by sequence-mock', { status: 599 })))
server.listen({ onUnhandledRequest: 'error' })
t.teardown(async () => {
  server.close()
  await sequence.close()
  await other.close()
})

interface Answer { status: number, headers: Headers, body: any }

async function call (url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init)
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: response.headers.get('content-type')?.startsWith('application/json') === true ? JSON.parse(text) : text }
}

const api = async (path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Answer> =>
  await call(`${EU}/api${path}`, { ...init, headers: { authorization: AUTH, ...headers } })

/** What keeps the process alive beyond this turn of the event loop: sockets, timers, handles (not immediates, gone by the next turn). */
async function openResources (): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve))
  return process.getActiveResourcesInfo().filter((type) => type !== 'Immediate').sort()
}

async function reset (t: Test): Promise<void> {
  t.equal((await call(`${EU}/_mock/reset`, { method: 'POST' })).status, 200, 'reset')
}

t.test('the list walks forward and back by its cursors through the handlers', async (t) => {
  await reset(t)
  const all = await api('/users?limit=100')
  t.equal(all.status, 200)
  t.equal(all.headers.get('content-type'), JSON_UTF8)
  t.equal(all.headers.get('sequence-version'), '2024-07-30')
  t.equal(all.body.items.length, 20)
  t.strictSame(all.body.pagination, { after: null, before: null, totalResultSize: 20 })
  const ids = all.body.items.map((user: { id: string }) => user.id)

  const forward: string[][] = []
  for (let cursor: string | null = null, page = 0; page === 0 || cursor !== null; page++) {
    const { body } = await api(`/users?limit=7${cursor === null ? '' : `&after=${encodeURIComponent(cursor)}`}`)
    forward.push(body.items.map((user: { id: string }) => user.id))
    cursor = body.pagination.after
  }
  t.strictSame(forward, [ids.slice(0, 7), ids.slice(7, 14), ids.slice(14)])

  const last = await api(`/users?limit=7&after=${encodeURIComponent((await api('/users?limit=14')).body.pagination.after)}`)
  const back = await api(`/users?limit=7&before=${encodeURIComponent(last.body.pagination.before)}`)
  t.strictSame(back.body.items.map((user: { id: string }) => user.id), ids.slice(7, 14))
})

t.test('a user by id is the list item, on either default host', async (t) => {
  const { body: page } = await api('/users?limit=3')
  const user = page.items[2]
  t.strictSame((await api(`/users/${user.id}`)).body, user)
  const sandbox = await call(`${SANDBOX}/api/users/${user.id}`, { headers: { authorization: AUTH } })
  t.equal(sandbox.status, 200)
  t.strictSame(sandbox.body, user)
})

t.test('401, 400, 404 and 405 come in the envelope with their headers', async (t) => {
  const unauthorized = await call(`${EU}/api/users`)
  t.equal(unauthorized.status, 401)
  t.equal(unauthorized.headers.get('www-authenticate'), 'Basic realm="Sequence", charset="UTF-8"')
  t.strictSame(unauthorized.body, { error: { type: 'Unauthorized', message: 'Missing Authorization header. Send `Authorization: Basic base64(clientId:clientSecret)`, e.g. `Authorization: Basic a2V5OnNlY3JldA==` for client id `key` and secret `secret`. See https://docs.sequencehq.com/reference/authentication' } })

  const badLimit = await api('/users?limit=0')
  t.equal(badLimit.status, 400)
  t.strictSame(badLimit.body, validationError('limit', 'Invalid limit: must be an integer between 1 and 100 (inclusive).'))

  const missing = await api(`/users/${NOBODY}`)
  t.equal(missing.status, 404)
  t.strictSame(missing.body, { error: { type: 'NotFound', message: `No user with id "${NOBODY}".` } })

  const put = await api(`/users/${NOBODY}`, { 'content-type': 'application/json' }, { method: 'PUT', body: '{"sequenceAccountIds":[]}' })
  t.equal(put.status, 405)
  t.equal(put.headers.get('allow'), 'GET, DELETE')
  t.strictSame(put.body, { error: { type: 'MethodNotAllowed', message: 'PUT /api/users/{id} is not an operation of API version 2024-07-30. It is published in API version 2024-01-01 and 2024-05-09 only; send Sequence-Version: 2024-05-09 to use it.' } })
})

t.test('each version gets its own shape, and an unknown one 400 UnrecognisedApiVersion', async (t) => {
  const old = await api('/users?limit=2', { 'sequence-version': '2024-01-01' })
  t.equal(old.headers.get('sequence-version'), '2024-01-01')
  t.strictSame(Object.keys(old.body.items[0]), ['id', 'email', 'sequenceAccountIds', 'state'])
  t.strictSame(Object.keys(old.body.pagination), ['after', 'totalResultSize'])
  const latest = await api('/users?limit=2', { 'sequence-version': '2024-07-30' })
  t.strictSame(Object.keys(latest.body.items[0]), ['id', 'email', 'sequenceAccountIds', 'state', 'roles'])
  t.equal(latest.body.pagination.before, null)

  const unknown = await api('/users', { 'sequence-version': '2023-01-01' })
  t.equal(unknown.status, 400)
  t.strictSame(unknown.body, { error: { type: 'UnrecognisedApiVersion', message: 'No matching API version found. Please make sure the specified API version is valid.' } })
})

t.test('Prefer: code=429 answers the rate-limit error with Retry-After', async (t) => {
  const limited = await api('/users', { prefer: 'code=429, retry-after=7' })
  t.equal(limited.status, 429)
  t.equal(limited.headers.get('retry-after'), '7')
  t.strictSame(limited.body, { error: { type: 'TooManyRequests', message: 'Rate limit exceeded: 1500 requests per minute per API key. Retry after 7 seconds.' } })
})

t.test('the test controls add, replace, delete, journal and reset through fetch', async (t) => {
  await reset(t)
  const user = { id: NOBODY, email: 'new@example.com', sequenceAccountIds: [ACCOUNT], state: 'active', roles: ['readOnlyUser'], createdAt: '2030-01-01T00:00:00.000000Z' }
  const added = await call(`${EU}/_mock/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) })
  t.equal(added.status, 201)
  t.equal(added.body.id, NOBODY)
  const first = await api('/users?limit=1')
  t.equal(first.body.items[0].id, NOBODY, 'the newest user is listed first')
  t.equal(first.body.pagination.totalResultSize, 21)

  const updated = await api(`/users/${NOBODY}`, { 'sequence-version': '2024-05-09', 'content-type': 'application/json' }, { method: 'PUT', body: '{"sequenceAccountIds":[]}' })
  t.equal(updated.status, 201)
  t.strictSame(updated.body, { id: NOBODY, sequenceAccountIds: [] })

  const removed = await call(`${EU}/_mock/users/${NOBODY}`, { method: 'DELETE' })
  t.equal(removed.status, 200)
  t.strictSame(removed.body.sequenceAccountIds, [])
  t.equal((await api(`/users/${NOBODY}`)).status, 404)

  const journal = await call(`${SANDBOX}/_mock/requests?limit=3`)
  t.strictSame(journal.body.requests.map((entry: { method: string, status: number }) => [entry.method, entry.status]), [['GET', 404], ['PUT', 201], ['GET', 200]])
  t.strictSame((await sequence.requests({ limit: 1 }))[0]?.path, `/api/users/${NOBODY}`, 'the journal is also read from code')

  const replaced = await call(`${EU}/_mock/users`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify([user]) })
  t.strictSame(replaced.body, { users: 1 })
  t.equal((await api('/users')).body.pagination.totalResultSize, 1)

  t.strictSame((await call(`${EU}/_mock/reset`, { method: 'POST' })).body, { users: 20 })
  t.equal((await api('/users')).body.pagination.totalResultSize, 20)
  const { requests } = (await call(`${EU}/_mock/requests`)).body
  t.strictSame(requests.map((entry: { seq: number, path: string }) => [entry.seq, entry.path]), [[1, '/api/users']], 'the journal starts again')
})

t.test('the controls from code change what fetch gets', async (t) => {
  await sequence.reset()
  const stored = await sequence.addUser({ email: 'code@example.com', sequenceAccountIds: [ACCOUNT], state: 'active', roles: ['admin'], createdAt: '2031-01-01T00:00:00Z' })
  t.strictSame((await api(`/users/${stored.id}`)).body.email, 'code@example.com')
  t.equal(await sequence.replaceUsers([]), 0)
  t.strictSame((await api('/users')).body, { items: [], pagination: { after: null, before: null, totalResultSize: 0 } })
  t.equal(await sequence.removeUser(stored.id), undefined)
  await sequence.reset()
  t.equal((await api('/users')).body.pagination.totalResultSize, 20)
  t.equal((await call(`${EU}/health`)).body.users, 20)
})

t.test('request bodies go through as bytes', async (t) => {
  const app = await sequence.app()
  const headers = { authorization: AUTH, 'sequence-version': '2024-05-09', 'content-type': 'application/json' }
  const notUtf8 = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x22])
  const fetched = await fetch(`${EU}/api/users/${NOBODY}`, { method: 'PUT', headers, body: notUtf8 })
  const injected = await app.inject({ method: 'PUT', url: `/api/users/${NOBODY}`, headers, payload: notUtf8 })
  t.equal(fetched.status, 400)
  t.strictSame(Buffer.from(await fetched.arrayBuffer()), injected.rawPayload, 'the same answer as the app gives those bytes')

  const note = 'café ☕ 𝄞'
  const unknownField = await api(`/users/${NOBODY}`, headers, { method: 'PUT', body: JSON.stringify({ sequenceAccountIds: [], note }) })
  t.equal(unknownField.status, 400)
  t.strictSame((await call(`${EU}/_mock/requests?limit=1`)).body.requests[0].body, { sequenceAccountIds: [], note }, 'the journal holds the body as sent')
})

t.test('a request the HTTP parser refuses gets the server\'s 400', async (t) => {
  const unknown = await api('/users', {}, { method: 'BREW' })
  t.equal(unknown.status, 400)
  t.strictSame(unknown.body, { error: { type: 'BadRequest', message: 'Malformed HTTP request: Invalid method encountered.' } })
  const lowerCase = await api('/users', {}, { method: 'propfind' })
  t.equal(lowerCase.status, 400)
  t.equal(lowerCase.headers.get('connection'), null, 'the server\'s `Connection: close` is the connection\'s, not passed on')
  t.strictSame(lowerCase.body, { error: { type: 'BadRequest', message: 'Malformed HTTP request: Invalid method encountered.' } })
  const control = await api('/users', { 'x-note': 'a\u0001b' })
  t.strictSame(control.body, { error: { type: 'BadRequest', message: 'Malformed HTTP request: Invalid header value char.' } })
  const large = await api('/users', { 'x-large': 'x'.repeat(20_000) })
  t.equal(large.status, 431)
  t.strictSame(large.body, { error: { type: 'RequestHeaderFieldsTooLarge', message: 'The request line and headers exceed 16384 bytes (SEQUENCE_MOCK_MAX_HEADER_BYTES).' } })
  const expectation = await api('/users', { expect: 'teapot' })
  t.equal(expectation.status, 417)
  t.strictSame(expectation.body, { error: { type: 'ExpectationFailed', message: 'Unsupported Expect: "teapot". Only 100-continue is supported.' } })
  const proceed = await api('/users?limit=1', { expect: '100-continue' })
  t.equal(proceed.status, 200, 'the server\'s 100 Continue is read past, to the response')
  t.equal(proceed.body.items.length, 1)
})

t.test('dispatches leave nothing open, and close() frees an app that never listened', async (t) => {
  const before = await openResources()
  const own = createSequenceMock({ users: 2, baseUrls: ['https://leak.sequence.test/api'] })
  server.use(...own.handlers)
  t.teardown(() => { server.resetHandlers() })
  const statuses = []
  for (const init of [{}, { method: 'HEAD' }, { method: 'propfind' }, { headers: { authorization: AUTH, 'x-note': 'a\u0001b' } }]) {
    const response = await fetch('https://leak.sequence.test/api/users', { headers: { authorization: AUTH }, ...init })
    await response.arrayBuffer()
    statuses.push(response.status)
  }
  t.strictSame(statuses, [200, 200, 400, 400], 'answered, parser errors included')
  t.equal((await own.addUser({ email: 'leak@example.com', sequenceAccountIds: [], state: 'active', roles: ['admin'] })).email, 'leak@example.com')
  t.equal((await own.app()).server.listening, false)
  t.strictSame(await openResources(), before, 'no socket, timer or handle more than before')
  await own.close()
  t.strictSame(await openResources(), before, 'closed')
})

t.test('dispatch reads any server\'s answer: interim 100s skipped, chunked bodies, repeated headers in order', async (t) => {
  const plain = createServer((request, response) => {
    response.setHeader('set-cookie', ['a=1', 'b=2'])
    response.write(`${request.method} ${request.url} ${request.headers['x-echo']} `)
    request.pipe(response)
  })
  const reply = await dispatch(plain, { method: 'POST', url: '/echo?x=1', headers: [['Host', 'here'], ['X-Echo', 'café'], ['Expect', '100-continue']], body: Buffer.from('body bytes') })
  t.strictSame(reply, {
    status: 200,
    statusText: 'OK',
    headers: [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['Date', reply.headers[2]?.[1]], ['Connection', 'close'], ['Transfer-Encoding', 'chunked']],
    body: Buffer.from('POST /echo?x=1 café body bytes')
  })
  t.equal((await dispatch(plain, { method: 'HEAD', url: '/', headers: [['host', 'here']], body: undefined })).body.length, 0, 'no body to a HEAD')
  await t.rejects(dispatch(plain, { method: 'GET', url: '/', headers: [['host', 'here\r\nx-smuggled: 1']], body: undefined }), TypeError, 'a line break is refused, not sent')
  t.equal(plain.listening, false)
})

t.test('custom base URLs: the API under its path, the mock\'s routes at its origin, separate state', async (t) => {
  t.equal((await call(`${OTHER}/users`, { headers: { authorization: AUTH } })).body.pagination.totalResultSize, 5)
  t.equal((await call('https://other.sequence.test/health')).body.users, 5)
  const added = await call('https://other.sequence.test/_mock/users', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@example.com', sequenceAccountIds: [], state: 'active', roles: ['admin'] })
  })
  t.equal(added.status, 201)
  t.equal((await call(`${OTHER}/users`, { headers: { authorization: AUTH } })).body.pagination.totalResultSize, 6)
  t.equal((await api('/users')).body.pagination.totalResultSize, 20, 'the default handlers keep their own users')
  t.equal((await call(`${OTHER}/users/${added.body.id}`, { headers: { authorization: AUTH } })).status, 200)
  t.equal((await api(`/users/${added.body.id}`)).status, 404)
})

t.test('URLs outside the base URLs are left to other handlers', async (t) => {
  for (const url of ['https://eu.sequencehq.com/other', 'https://eu.sequencehq.com/apix', `${EU.replace('https', 'http')}/api/users`, 'https://other.sequence.test/api/users', 'https://example.com/api/users']) {
    const answer = await call(url, { headers: { authorization: AUTH } })
    t.strictSame([answer.status, answer.body], [599, 'not answered by sequence-mock'], url)
  }
})

t.test('bad base URLs and options are refused when the handlers are made', async (t) => {
  t.throws(() => sequenceHandlers({ baseUrls: ['https://eu.sequencehq.com/api?x=1'] }), { name: 'TypeError', message: /Invalid base URL "https:\/\/eu\.sequencehq\.com\/api\?x=1"/ })
  t.throws(() => sequenceHandlers({ baseUrls: ['eu.sequencehq.com'] }), TypeError)
  t.throws(() => sequenceHandlers({ defaultLimit: 0 }), { name: 'ConfigError', message: /defaultLimit/ })
  t.equal(sequenceHandlers().length, 2, 'one handler per default base URL')
})

t.test('a node:test process using the handlers and controls exits without closing the mock, and never loads inject', async (t) => {
  // light-my-request (inject) is CommonJS requiring the ESM-only cookie: Jest's module runtime cannot load it.
  const script = `
    import { test } from 'node:test'
    import assert from 'node:assert'
    import { createRequire } from 'node:module'
    import { setupServer } from 'msw/node'
    import { createSequenceMock } from ${JSON.stringify(new URL('../src/msw.ts', import.meta.url).href)}
    const sequence = createSequenceMock({ users: 3 })
    const server = setupServer(...sequence.handlers)
    server.listen()
    test('lists', async () => {
      await sequence.addUser({ email: 'child@example.com', sequenceAccountIds: [], state: 'active', roles: ['admin'] })
      const response = await fetch('https://eu.sequencehq.com/api/users', { headers: { authorization: ${JSON.stringify(AUTH)} } })
      assert.equal((await response.json()).pagination.totalResultSize, 4)
      assert.deepEqual(Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('light-my-request')), [])
      server.close()
    })`
  const child = spawn(process.execPath, ['--import', 'tsx/esm', '--input-type=module', '--test-reporter=tap', '--eval', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += chunk })
  child.stderr.on('data', (chunk) => { output += chunk })
  // A hang would end the test by tap's own timeout, not by a timed assertion here.
  const [code] = await once(child, 'close')
  t.equal(code, 0, 'exits 0', { output })
  t.match(output, /^# pass 1$/m, 'its test passed')
})
