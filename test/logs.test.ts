import { Writable } from 'node:stream'
import t from 'tap'
import { build, get, AUTH } from './helper.js'

function capture (): { stream: Writable, lines: () => Array<Record<string, unknown>>, text: () => string } {
  let text = ''
  const stream = new Writable({ write (chunk, _encoding, done) { text += String(chunk); done() } })
  return { stream, text: () => text, lines: () => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) }
}

t.test('one structured line per request: method, url, status, time and API version', async (t) => {
  const log = capture()
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'info' }, { logStream: log.stream })
  await get(app, '/api/users?limit=2', { 'sequence-version': '2024-01-01' })
  await get(app, '/api/users', { authorization: 'Basic a2V5Ondyb25n' })
  const requests = log.lines().filter((line) => line['msg'] === 'request')
  t.equal(requests.length, 2, 'one line each')
  t.match(requests[0], { level: 30, method: 'GET', url: '/api/users?limit=2', status: 200, apiVersion: '2024-01-01', ms: Number })
  t.match(requests[1], { method: 'GET', url: '/api/users', status: 401 })
  t.equal(log.lines().length, 2, "no other lines (Fastify's own request lines are off)")
})

t.test('the Authorization header is never logged, even at trace level', async (t) => {
  const log = capture()
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'trace' }, { logStream: log.stream })
  await get(app, '/api/users')
  await get(app, '/api/users', { authorization: 'Basic c2VjcmV0LWlkOnNlY3JldC1wdw==' })
  t.ok(log.text().length > 0, 'something was logged')
  t.notMatch(log.text(), AUTH.slice(6))
  t.notMatch(log.text(), 'c2VjcmV0LWlkOnNlY3JldC1wdw')
  t.notMatch(log.text(), /authorization/i)
})

t.test('the level is configurable: warn drops request lines', async (t) => {
  const log = capture()
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'warn' }, { logStream: log.stream })
  await get(app, '/api/users')
  t.equal(log.text(), '')
})

t.test('a 5xx is logged with its details at error level while the client sees none', async (t) => {
  const log = capture()
  const { UserStore } = await import('../src/data/user-store.js')
  class Broken extends UserStore { override slice (): never { throw new Error('disk on fire') } }
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'info' }, { logStream: log.stream, users: new Broken([]) })
  const response = await get(app, '/api/users')
  t.equal(response.statusCode, 500)
  t.notMatch(response.body, 'disk on fire')
  t.match(log.lines().find((line) => line['level'] === 50), { err: { message: 'disk on fire' } })
})
