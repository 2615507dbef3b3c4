// Replay: a repeated read gets exactly what the pipeline sent, and is observed, limited and invalidated like any request.
import { once } from 'node:events'
import { Writable } from 'node:stream'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { GeneratedUsers } from '../src/data/generate.js'
import type { Position } from '../src/data/cursor.js'
import { UserStore, type StoredUser } from '../src/data/user-store.js'
import { AUTH, build } from './helper.js'

const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const PINNED = `Basic ${Buffer.from('old:pinned').toString('base64')}`

/** A store that counts its reads: a replayed request reads nothing. */
class CountingStore extends UserStore {
  reads = 0
  override get (id: string): StoredUser | undefined {
    this.reads++
    return super.get(id)
  }

  override after (position: Position | undefined, count: number): StoredUser[] {
    this.reads++
    return super.after(position, count)
  }
}

const counting = (): CountingStore => new CountingStore(new GeneratedUsers({ seed: 1, size: 150, accountId: ACCOUNT }))

interface Answer { status: string, headers: string[], body: string }

/** One request over a real socket (replay sits in front of Fastify, where inject does not go). */
async function send (app: FastifyInstance, path: string, headers: Record<string, string> = {}, method = 'GET', payload?: unknown): Promise<Answer> {
  const { port } = app.server.address() as AddressInfo
  const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: { authorization: AUTH, ...headers, ...(payload !== undefined && { 'content-type': 'application/json' }) } })
  req.end(payload === undefined ? undefined : JSON.stringify(payload))
  const [res] = await once(req, 'response') as [IncomingMessage]
  const chunks: Buffer[] = []
  for await (const chunk of res) chunks.push(chunk as Buffer)
  // Status line, header names as sent and in order, and bytes; all but the Date Node writes per response.
  const rawHeaders = res.rawHeaders.filter((_, i, all) => all[i - (i % 2)] !== 'Date')
  return { status: `${res.statusCode} ${res.statusMessage}`, headers: rawHeaders, body: Buffer.concat(chunks).toString() }
}

async function listening (t: Test, env: Record<string, string> = {}, users?: UserStore): Promise<FastifyInstance> {
  const app = await build(t, env, users === undefined ? {} : { users })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return app
}

const json = (answer: Answer): any => JSON.parse(answer.body)
const status = (answer: Answer): number => Number(answer.status.slice(0, 3))

t.test('a repeated read gets the same status line, headers and bytes, without reading the users again', async (t) => {
  const users = counting()
  const app = await listening(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,old:pinned@2024-01-01' }, users)
  const first = json(await send(app, '/api/users?limit=2'))
  const id = first.items[1].id as string
  const urls = ['/api/users', '/api/users?limit=2', `/api/users?limit=2&after=${encodeURIComponent(first.pagination.after)}`, `/api/users/${id}`, `/api/users/${id}?x=1`]
  const variants: Array<Record<string, string>> = [
    {},
    { 'sequence-version': '2024-07-30' },
    { 'sequence-version': '2024-01-01' },
    { 'sequence-version': '2024-05-09', origin: 'http://localhost:3000' },
    { origin: 'http://localhost:5173' },
    { authorization: PINNED },
    { authorization: PINNED, 'sequence-version': '2024-07-30' }
  ]
  for (const url of urls) {
    for (const headers of variants) {
      for (const method of ['GET', 'HEAD']) {
        const original = await send(app, url, headers, method)
        const reads = users.reads
        t.strictSame(await send(app, url, headers, method), original, `${method} ${url} ${JSON.stringify(headers)}`)
        t.equal(status(original), 200)
        t.equal(users.reads, reads, 'replayed: the users were not read')
      }
    }
  }
})

t.test('requests that differ in what decides the answer are not answered with each other', async (t) => {
  const app = await listening(t)
  const ok = await send(app, '/api/users?limit=1')
  t.equal(status(ok), 200)
  t.strictSame(await send(app, '/api/users?limit=1'), ok)
  t.equal(status(await send(app, '/api/users?limit=1', { authorization: 'Basic a2V5Ondyb25n' })), 401, 'wrong secret')
  t.equal(status(await send(app, '/api/users?limit=1', { authorization: '' })), 401, 'no credentials')
  t.equal(status(await send(app, '/api/users?limit=1', { 'sequence-version': '2023-01-01' })), 400, 'unknown version')
  t.equal(status(await send(app, '/api/users?limit=1', { prefer: 'code=500' })), 500, 'Prefer')
  t.equal(status(await send(app, '/api/users?limit=1', { prefer: 'code=404' })), 404, 'Prefer, again')
  t.equal(status(await send(app, '/api/users?limit=1', {}, 'DELETE')), 405, 'another method')
  t.equal(json(await send(app, '/api/users?limit=2')).items.length, 2, 'another query')
  const scenario = (await app.inject({ method: 'POST', url: '/_mock/scenarios', payload: { response: { code: 503 } } })).json()
  t.equal(status(await send(app, '/api/users?limit=1')), 503, 'a /_mock scenario')
  await app.inject({ method: 'DELETE', url: `/_mock/scenarios/${scenario.id}` })
  t.strictSame(await send(app, '/api/users?limit=1'), ok, 'and the first answer again once it is gone')
})

t.test('every write through the API or /_mock is seen by the next read', async (t) => {
  const app = await listening(t)
  const v1 = { 'sequence-version': '2024-01-01' }
  const read = async (url: string): Promise<Answer> => {
    await send(app, url, v1)
    return send(app, url, v1)
  }
  const [user] = json(await read('/api/users?limit=1')).items
  const path = `/api/users/${user.id}`
  await read(path)
  const accounts = ['11111111-2222-4333-8444-555555555555']
  t.equal(status(await send(app, path, v1, 'PUT', { sequenceAccountIds: accounts })), 201)
  t.strictSame(json(await send(app, path, v1)).sequenceAccountIds, accounts, 'PUT, by id')
  t.strictSame(json(await send(app, '/api/users?limit=1', v1)).items[0].sequenceAccountIds, accounts, 'PUT, in the list')

  await read(path)
  t.equal(status(await send(app, path, {}, 'DELETE')), 200)
  t.equal(json(await send(app, path, v1)).state, 'deleted', 'DELETE')

  const added = { id: '99999999-2222-4333-8444-555555555555', email: 'new@example.com', sequenceAccountIds: [ACCOUNT], state: 'active', roles: ['admin'], createdAt: '2030-01-01T00:00:00Z' }
  await read('/api/users?limit=1')
  await read(`/api/users/${added.id}`)
  t.equal(status(await send(app, '/_mock/users', {}, 'POST', added)), 201)
  t.equal(json(await send(app, '/api/users?limit=1', v1)).items[0].id, added.id, 'POST /_mock/users, in the list')
  t.equal(status(await send(app, `/api/users/${added.id}`, v1)), 200, 'POST /_mock/users, by id')

  t.equal(status(await send(app, `/_mock/users/${added.id}`, {}, 'DELETE')), 200)
  t.equal(status(await send(app, `/api/users/${added.id}`, v1)), 404, 'DELETE /_mock/users')

  await read('/api/users?limit=100')
  t.equal(status(await send(app, '/_mock/users', {}, 'PUT', [added])), 200)
  t.strictSame(json(await send(app, '/api/users?limit=100', v1)).items.map((item: { id: string }) => item.id), [added.id], 'PUT /_mock/users')

  t.equal(status(await send(app, '/_mock/reset', {}, 'POST')), 200)
  t.equal(json(await send(app, '/api/users?limit=100', v1)).pagination.totalResultSize, 150, 'POST /_mock/reset')
  t.equal(json(await send(app, path, v1)).state, 'active', 'POST /_mock/reset, by id')
})

t.test('replayed requests are rate-limited, logged, journaled and reported like any other', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const logStream = new Writable({ write (chunk, _encoding, callback) { lines.push(...String(chunk).split('\n').filter(Boolean).map((line) => JSON.parse(line))); callback() } })
  const app = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '3', SEQUENCE_MOCK_LOG_LEVEL: 'info' }, { logStream })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const statuses = []
  for (let n = 0; n < 5; n++) statuses.push(status(await send(app, '/api/users?limit=1', { 'sequence-version': '2024-01-01' })))
  t.strictSame(statuses, [200, 200, 200, 429, 429], 'the limit counts replayed requests')
  const journal = (await app.inject({ url: '/_mock/requests' })).json().requests
  t.strictSame(journal.map(({ time, durationMs, ...entry }: Record<string, unknown>) => entry), [5, 4, 3, 2, 1].map((seq) => ({
    seq,
    method: 'GET',
    path: '/api/users',
    query: { limit: '1' },
    status: seq > 3 ? 429 : 200,
    apiVersion: '2024-01-01',
    requestedVersion: '2024-01-01',
    clientId: 'key',
    errorType: seq > 3 ? 'TooManyRequests' : null,
    scenario: null
  })))
  const report = (await app.inject({ url: '/_mock/report' })).json()
  t.match(report.clients, [{ clientId: 'key', requests: 5, tooManyRequests: 2, oldVersions: { '2024-01-01': 5 } }])
  const logged = lines.filter((line) => line['msg'] === 'request' && line['url'] === '/api/users?limit=1')
  t.strictSame(logged.map(({ time, pid, hostname, reqId, ms, ...line }) => line), [200, 200, 200, 429, 429].map((code) => ({
    level: 30, method: 'GET', url: '/api/users?limit=1', status: code, apiVersion: '2024-01-01', msg: 'request'
  })), 'one line each, in the same shape')
  t.equal(new Set(logged.map((line) => line['reqId'])).size, 5, 'each with its own request id')
})

t.test('with latency configured, no request is replayed', async (t) => {
  const users = counting()
  const app = await listening(t, { SEQUENCE_MOCK_DELAY_MS: '1' }, users)
  await send(app, '/api/users?limit=1')
  const reads = users.reads
  await send(app, '/api/users?limit=1')
  t.ok(users.reads > reads)
})

t.test("the server keeps Fastify's own timeouts, with the request timeout set", async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: '4000' })
  const plain = Fastify({ requestTimeout: 4000 })
  t.teardown(() => plain.close())
  const timeouts = (server: typeof app.server): unknown => [server.keepAliveTimeout, server.requestTimeout, server.timeout, server.maxRequestsPerSocket]
  t.strictSame(timeouts(app.server), timeouts(plain.server))
  t.equal(app.server.requestTimeout, 4000)
  t.equal(app.server.headersTimeout, 4000)
})

t.test('a fault in replay is logged, the pipeline answers instead, and the server stays up', async (t) => {
  class FaultyStore extends UserStore {
    faulty = false
    override get revision (): number {
      if (this.faulty) throw new Error('the revision is on fire')
      return super.revision
    }
  }
  const users = new FaultyStore(new GeneratedUsers({ seed: 1, size: 150, accountId: ACCOUNT }))
  const lines: string[] = []
  const logStream = new Writable({ write (chunk, _encoding, callback) { lines.push(String(chunk)); callback() } })
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'error' }, { users, logStream })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.equal(status(await send(app, '/api/users?limit=1')), 200)
  users.faulty = true
  const failed = await send(app, '/api/users?limit=1')
  t.equal(status(failed), 500, "the pipeline's own 500")
  t.notMatch(failed.body, 'on fire')
  t.match(lines.join(''), /"msg":"replay failed"/)
  users.faulty = false
  t.equal(status(await send(app, '/api/users?limit=1')), 200, 'and the server still answers')
})
