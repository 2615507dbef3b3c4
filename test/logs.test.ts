import { Writable } from 'node:stream'
import t from 'tap'
import { build, get, AUTH } from './helper.js'
import { startMock } from './spawn.js'

function capture (): { stream: Writable, lines: () => Array<Record<string, unknown>>, text: () => string } {
  let text = ''
  const stream = new Writable({ write (chunk, _encoding, done) { text += String(chunk); done() } })
  return { stream, text: () => text, lines: () => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) }
}

/** Request lines are written once per turn of the event loop. */
const written = async (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

t.test('one structured line per request: method, url, status, time and API version', async (t) => {
  const log = capture()
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'info' }, { logStream: log.stream })
  await get(app, '/api/users?limit=2', { 'sequence-version': '2024-01-01' })
  await get(app, '/api/users', { authorization: 'Basic a2V5Ondyb25n' })
  await written()
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
  await written()
  t.ok(log.text().length > 0, 'something was logged')
  t.notMatch(log.text(), AUTH.slice(6))
  t.notMatch(log.text(), 'c2VjcmV0LWlkOnNlY3JldC1wdw')
  t.notMatch(log.text(), /authorization/i)
})

t.test('the level is configurable: warn drops request lines', async (t) => {
  const log = capture()
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'warn' }, { logStream: log.stream })
  await get(app, '/api/users')
  await written()
  t.equal(log.text(), '')
})

t.test('a 5xx is logged with its details at error level while the client sees none', async (t) => {
  const log = capture()
  const { UserStore } = await import('../src/data/user-store.js')
  class Broken extends UserStore { override after (): never { throw new Error('disk on fire') } }
  const app = await build(t, { SEQUENCE_MOCK_LOG_LEVEL: 'info' }, { logStream: log.stream, users: new Broken([]) })
  const response = await get(app, '/api/users')
  t.equal(response.statusCode, 500)
  t.notMatch(response.body, 'disk on fire')
  t.match(log.lines().find((line) => line['level'] === 50), { err: { message: 'disk on fire' } })
})

async function requestLines (format: string): Promise<string[]> {
  const mock = startMock('server', [], { SEQUENCE_MOCK_LOG_LEVEL: 'info', SEQUENCE_MOCK_LOG_FORMAT: format })
  const url = await mock.listening
  await fetch(`${url}/users?limit=1`, { headers: { authorization: AUTH } })
  await new Promise((resolve) => setTimeout(resolve, 300)) // pino-pretty writes from a worker thread
  mock.child.kill('SIGTERM')
  const run = await mock.exited
  return run.stdout.split('\n').filter((line) => line.includes('/api/users?limit=1'))
}

t.test('on a terminal (or with pretty) each request is one readable line', async (t) => {
  const lines = await requestLines('pretty')
  t.equal(lines.length, 1)
  t.match(lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: request \{"method":"GET","url":"\/api\/users\?limit=1","status":200,"ms":[\d.]+,"apiVersion":"2024-07-30"\}$/)
})

t.test('elsewhere (auto, not a terminal) each request is one JSON line', async (t) => {
  const lines = await requestLines('auto')
  t.equal(lines.length, 1)
  t.match(JSON.parse(lines[0] as string), { msg: 'request', method: 'GET', status: 200, apiVersion: '2024-07-30' })
})
