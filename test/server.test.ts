import t from 'tap'
import { isLoopback } from '../src/server.js'
import { AUTH } from './helper.js'
import { startMock } from './spawn.js'

t.test('the server starts with no configuration, prints its URL and credentials, and exits 0 on SIGTERM', async (t) => {
  const server = startMock('server', [], {})
  t.teardown(() => { server.child.kill('SIGKILL') })
  const url = await server.listening
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api$/)
  const response = await fetch(`${url}/users?limit=1`, { headers: { authorization: AUTH } })
  t.equal(response.status, 200)
  t.equal(((await response.json()) as { pagination: { totalResultSize: number } }).pagination.totalResultSize, 150)
  server.child.kill('SIGTERM')
  const run = await server.exited
  t.equal(run.code, 0)
  t.match(run.stdout, 'client id "key", secret "secret"')
})

t.test('the start banner shows a secret only when it is the documented example, so logs never hold a real one', async (t) => {
  const server = startMock('server', [], { SEQUENCE_MOCK_CREDENTIALS: 'ci:TopS3cret,other:Also5ecret' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  await server.listening
  server.child.kill('SIGTERM')
  const run = await server.exited
  t.equal(run.code, 0)
  t.match(run.stdout, 'credentials: client id "ci", secret not shown (and 1 more pairs)')
  t.match(run.stdout, "try: curl -u 'ci:<secret>' ")
  t.notMatch(run.stdout, 'TopS3cret')
  t.notMatch(run.stdout, 'Also5ecret')
})

t.test('bad configuration stops the server at start with a message naming each bad variable', async (t) => {
  const run = await startMock('server', [], { SEQUENCE_MOCK_PORT: 'eighty', SEQUENCE_MOCK_DEFAULT_LIMIT: '0' }).exited
  t.equal(run.code, 1)
  t.match(run.stderr, 'SEQUENCE_MOCK_PORT (--port)="eighty": expected an integer from 0 to 65535')
  t.match(run.stderr, 'SEQUENCE_MOCK_DEFAULT_LIMIT (--default-limit)="0": expected an integer from 1 to 100')
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
})

t.test('a bad fixtures file stops the server at start with a message naming the file', async (t) => {
  const run = await startMock('server', [], { SEQUENCE_MOCK_FIXTURES: 'package.json' }).exited
  t.equal(run.code, 1)
  t.match(run.stderr, 'sequence-mock: Invalid fixtures file package.json: expected an array of users')
})

t.test('listening beyond loopback without an admin token warns at start that other hosts can rewrite the data', async (t) => {
  for (const [env, warned] of [
    [{ SEQUENCE_MOCK_HOST: '0.0.0.0' }, true],
    [{ SEQUENCE_MOCK_HOST: '0.0.0.0', SEQUENCE_MOCK_ADMIN_TOKEN: 'T0ken' }, false],
    [{}, false]
  ] as const) {
    const server = startMock('server', [], env)
    t.teardown(() => { server.child.kill('SIGKILL') })
    await server.listening
    server.child.kill('SIGTERM')
    const run = await server.exited
    t.equal(run.code, 0)
    const warning = 'sequence-mock: warning: listening on 0.0.0.0, so other hosts can reach it, and the /_mock API, which resets and rewrites the data, needs no token.'
    if (warned) t.match(run.stderr, warning, JSON.stringify(env))
    else t.notMatch(run.stderr, 'warning', JSON.stringify(env))
    t.notMatch(run.stderr, 'T0ken', 'the token is never printed')
  }
})

t.test('only loopback addresses count as this host alone', async (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) t.ok(isLoopback(host), host)
  for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '127.0.0.1.example.com']) t.notOk(isLoopback(host), host)
})
