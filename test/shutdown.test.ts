import t from 'tap'
import { AUTH } from './helper.js'
import { startMock } from './spawn.js'

t.test('SIGTERM stops accepting connections, lets an in-flight request finish, and exits 0', async (t) => {
  const mock = startMock('server', [], { SEQUENCE_MOCK_DELAY_MS: '1500' })
  t.teardown(() => { mock.child.kill('SIGKILL') })
  const url = await mock.listening
  const inFlight = fetch(`${url}/users?limit=2`, { headers: { authorization: AUTH } })
  await new Promise((resolve) => setTimeout(resolve, 500))
  const signalled = Date.now()
  mock.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 200))
  await t.rejects(fetch(`${url}/users`, { headers: { authorization: AUTH, connection: 'close' } }), 'a new connection is refused')
  const response = await inFlight
  t.equal(response.status, 200, 'the in-flight request completes')
  t.equal(((await response.json()) as { items: unknown[] }).items.length, 2)
  const run = await mock.exited
  t.equal(run.code, 0)
  t.ok(Date.now() - signalled < 3000, 'and then exits promptly')
})

t.test('the grace period bounds the wait: a request slower than it does not keep the process alive', async (t) => {
  const mock = startMock('server', [], { SEQUENCE_MOCK_DELAY_MS: '10000', SEQUENCE_MOCK_SHUTDOWN_GRACE_MS: '300' })
  t.teardown(() => { mock.child.kill('SIGKILL') })
  const url = await mock.listening
  const slow = fetch(`${url}/users`, { headers: { authorization: AUTH } }).catch((error: unknown) => error)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const signalled = Date.now()
  mock.child.kill('SIGTERM')
  const run = await mock.exited
  t.ok(Date.now() - signalled < 5000, 'exits long before the 10 s request would finish')
  t.equal(run.code, 1, 'exit 1: the grace period ran out with a request unfinished')
  t.type(await slow, Error, 'the unfinished request is cut off')
})

t.test('an idle server exits 0 on SIGINT', async (t) => {
  const mock = startMock('server')
  t.teardown(() => { mock.child.kill('SIGKILL') })
  await mock.listening
  mock.child.kill('SIGINT')
  t.equal((await mock.exited).code, 0)
})

