// Requests Node rejects before Fastify, and the limits on size and time: every answer in the envelope, nobody held up.
import t, { type Test } from 'tap'
import type { AddressInfo } from 'node:net'
import { connect, type Socket } from 'node:net'
import { AUTH, build, assertReply, JSON_UTF8 } from './helper.js'
import { exchange } from './raw.js'

const HOST = 'Host: 127.0.0.1\r\n'

async function listening (t: Test, env: Record<string, string> = {}): Promise<number> {
  const app = await build(t, env)
  await app.listen({ host: '127.0.0.1', port: 0 })
  return (app.server.address() as AddressInfo).port
}

function envelope (type: string, message: string): string {
  return JSON.stringify({ error: { type, message } })
}

t.test('a request Node cannot parse gets the envelope with Connection: close, never Fastify\'s or Node\'s own body', async (t) => {
  const port = await listening(t)
  const cases: Array<[string, string, number, string, string]> = [
    ['a bad HTTP version', `GET /api/users HTTP/9.9\r\n${HOST}\r\n`, 400, 'BadRequest', 'Malformed HTTP request: Invalid HTTP version.'],
    ['a control character in a header', `GET /api/users HTTP/1.1\r\n${HOST}Authorization: ${AUTH}\r\nX-Bad: a\u0001b\r\n\r\n`, 400, 'BadRequest', 'Malformed HTTP request: Invalid header value char.'],
    ['Content-Length with Transfer-Encoding', `POST /_mock/reset HTTP/1.1\r\n${HOST}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'BadRequest', "Malformed HTTP request: Transfer-Encoding can't be present with Content-Length."],
    ['no Host', 'GET /api/users HTTP/1.1\r\n\r\n', 400, 'BadRequest', 'Missing Host header: an HTTP/1.1 request has exactly one.'],
    ['two Hosts', `GET /api/users HTTP/1.1\r\n${HOST}Host: example.com\r\nAuthorization: ${AUTH}\r\n\r\n`, 400, 'BadRequest', 'Repeated Host header: an HTTP/1.1 request has exactly one.'],
    ['headers over 16 KiB', `GET /api/users HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(17000)}\r\n\r\n`, 431, 'RequestHeaderFieldsTooLarge', 'The request line and headers exceed 16384 bytes (SEQUENCE_MOCK_MAX_HEADER_BYTES).'],
    ['a URL over 16 KiB', `GET /api/users?after=${'a'.repeat(17000)} HTTP/1.1\r\n${HOST}\r\n`, 431, 'RequestHeaderFieldsTooLarge', 'The request line and headers exceed 16384 bytes (SEQUENCE_MOCK_MAX_HEADER_BYTES).'],
    ['an unsupported Expect', `GET /api/users HTTP/1.1\r\n${HOST}Expect: 200-ok\r\n\r\n`, 417, 'ExpectationFailed', 'Unsupported Expect: "200-ok". Only 100-continue is supported.'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 405, 'MethodNotAllowed', 'CONNECT is not supported: this is an API server, not a proxy.']
  ]
  for (const [what, request, status, type, message] of cases) {
    const response = await exchange(port, request)
    t.ok(response, `${what}: answered, no hang`)
    t.equal(response?.status, status, `${what}: status`)
    t.equal(response?.headers['content-type'], JSON_UTF8, `${what}: content type`)
    t.equal(response?.headers['connection'], 'close', `${what}: the connection closes`)
    t.equal(response?.headers['sequence-mock-version'] !== undefined, true, `${what}: the mock's header`)
    t.equal(response?.body, envelope(type, message), `${what}: whole body`)
  }
})

/** Every response in `raw`, in order: status and body (none to a HEAD, whose requests are listed in `heads`). */
function responsesIn (t: Test, raw: string, heads: boolean[] = []): Array<{ status: number, body: string }> {
  const responses: Array<{ status: number, body: string }> = []
  let rest = raw
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n')
    const length = heads[responses.length] === true ? 0 : Number(/\r\ncontent-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0)
    responses.push({ status: Number(rest.slice(9, 12)), body: rest.slice(end + 4, end + 4 + length) })
    rest = rest.slice(end + 4 + length)
  }
  t.equal(rest, '', 'nothing but whole responses')
  return responses
}

t.test('requests pipelined before a bad one get their answers first, then the error, in order', async (t) => {
  const port = await listening(t)
  const health = `GET /health HTTP/1.1\r\n${HOST}\r\n`
  const garbage = await exchange(port, `${health}${health}GARBAGE\r\n\r\n`)
  t.strictSame(responsesIn(t, garbage?.raw ?? '').map(({ status }) => status), [200, 200, 400])
  t.equal(responsesIn(t, garbage?.raw ?? '')[2]?.body, envelope('BadRequest', 'Malformed HTTP request: Invalid method encountered.'))
  const oversized = await exchange(port, `HEAD /health HTTP/1.1\r\n${HOST}\r\n${health}GET /health HTTP/1.1\r\n${HOST}X: ${'a'.repeat(17000)}\r\n\r\n`)
  t.strictSame(responsesIn(t, oversized?.raw ?? '', [true]).map(({ status, body }) => [status, body.length > 0]), [[200, false], [200, true], [431, true]], 'the 431 has its body: the failing request is a GET')
  const head = await exchange(port, `${health}HEAD /api/users/\u00e9 HTTP/1.1\r\n${HOST}\r\n`)
  t.strictSame(responsesIn(t, head?.raw ?? '', [false, true]).map(({ status, body }) => [status, body.length > 0]), [[200, true], [400, false]], 'no body: the failing request is a HEAD')
  const afterBody = await exchange(port, `GET /health HTTP/1.1\r\n${HOST}Content-Length: 9\r\n\r\nHEAD /x\r\nHEAD %2Fhealth HTTP/1.1\r\n${HOST}\r\n`)
  t.strictSame(responsesIn(t, afterBody?.raw ?? '', [false, true]).map(({ status, body }) => [status, body.length > 0]), [[200, true], [400, false]], 'a HEAD behind a request with a body, which looks like a request line itself')
})

t.test('bytes after a request that asked to close the connection are ignored: that request is answered', async (t) => {
  const port = await listening(t)
  const response = await exchange(port, `GET /health HTTP/1.1\r\n${HOST}Connection: close\r\n\r\nGET /health HTTP/1.1\r\n${HOST}\r\n`)
  t.strictSame(responsesIn(t, response?.raw ?? '').map(({ status }) => status), [200])
})

t.test('a body Node cannot parse gets the envelope, once, from the request it belongs to', async (t) => {
  const port = await listening(t)
  const put = `PUT /api/users/x HTTP/1.1\r\n${HOST}Authorization: ${AUTH}\r\nSequence-Version: 2024-05-09\r\nContent-Type: application/json\r\n`
  for (const [what, request, message] of <Array<[string, string, string]>>[
    ['a bad chunk size', `${put}Transfer-Encoding: chunked\r\n\r\nzz\r\n`, 'Malformed HTTP request: Invalid character in chunk size.'],
    ['an unknown transfer coding', `${put}Transfer-Encoding: gzip\r\n\r\nabc`, 'Malformed HTTP request: Request has invalid `Transfer-Encoding`.']
  ]) {
    const response = await exchange(port, request)
    t.strictSame(responsesIn(t, response?.raw ?? ''), [{ status: 400, body: envelope('BadRequest', message) }], what)
  }
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (data: Buffer) => { received += data.toString('latin1') })
  socket.end(`POST /nowhere HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n5\r\nab`)
  await new Promise((resolve) => socket.on('close', resolve))
  t.strictSame(responsesIn(t, received), [{ status: 400, body: envelope('BadRequest', 'Malformed HTTP request: Invalid EOF state.') }], 'a body cut off by a half-close: one answer')
})

t.test('a body that trickles in slower than the request timeout gets 408 in the envelope', async (t) => {
  const port = await listening(t, { SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: '1000' })
  const response = await exchange(port, [`PUT /_mock/users HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n`, ...'[{"email":'], { pauseMs: 200, waitMs: 10000 })
  t.strictSame(responsesIn(t, response?.raw ?? ''), [{ status: 408, body: envelope('RequestTimeout', "The request's headers and body did not arrive within 1000 ms (SEQUENCE_MOCK_REQUEST_TIMEOUT_MS).") }])
})

t.test('HEAD gets no body, even when its headers are too large or its Host is missing', async (t) => {
  const port = await listening(t)
  for (const request of [`HEAD /api/users HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(17000)}\r\n\r\n`, 'HEAD /api/users HTTP/1.1\r\n\r\n']) {
    const response = await exchange(port, request)
    t.ok(response?.status === 431 || response?.status === 400, 'the error status')
    t.equal(response?.raw.endsWith('\r\n\r\n'), true, 'nothing after the headers')
    t.ok(Number(response?.headers['content-length']) > 0, 'the length a GET would have had')
  }
})

t.test('an Upgrade request is answered as a plain one and the connection then closes, so a request pipelined behind it never waits', async (t) => {
  const port = await listening(t)
  const response = await exchange(port, `GET /api/users?limit=1 HTTP/1.1\r\n${HOST}Authorization: ${AUTH}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /health HTTP/1.1\r\n${HOST}\r\n`)
  t.equal(response?.status, 200)
  t.equal(response?.headers['connection'], 'close')
  t.equal((JSON.parse(response?.body ?? '') as { items: unknown[] }).items.length, 1)
})

t.test('a client that sends its headers a byte at a time gets 408 after the request timeout, and others are served meanwhile', async (t) => {
  const port = await listening(t, { SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: '1000' })
  const request = `GET /api/users HTTP/1.1\r\n${HOST}Authorization: ${AUTH}\r\n\r\n`
  const slow = exchange(port, [...request], { pauseMs: 100, waitMs: 10000 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const other = await fetch(`http://127.0.0.1:${port}/api/users?limit=1`, { headers: { authorization: AUTH } })
  t.equal(other.status, 200, 'another client is served while the slow one trickles')
  const response = await slow
  t.equal(response?.status, 408)
  t.equal(response?.body, envelope('RequestTimeout', "The request's headers and body did not arrive within 1000 ms (SEQUENCE_MOCK_REQUEST_TIMEOUT_MS)."))
})

t.test('hundreds of idle connections do not stop others from being served, and each is closed with a 408 after the request timeout', async (t) => {
  const port = await listening(t, { SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: '1000' })
  const idle: Socket[] = []
  const answers: Array<Promise<string>> = []
  for (let i = 0; i < 300; i++) {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    idle.push(socket)
    answers.push(new Promise((resolve) => {
      let received = ''
      socket.on('data', (data: Buffer) => { received += data.toString('latin1') })
      socket.on('close', () => { resolve(received) })
    }))
  }
  t.teardown(() => { for (const socket of idle) socket.destroy() })
  await Promise.all(idle.map(async (socket) => new Promise((resolve) => socket.once('connect', resolve))))
  const response = await fetch(`http://127.0.0.1:${port}/api/users?limit=1`, { headers: { authorization: AUTH } })
  t.equal(response.status, 200, 'served with 300 idle connections open')
  const received = await Promise.all(answers)
  t.equal(received.filter((text) => text.startsWith('HTTP/1.1 408 Request Timeout\r\n')).length, 300, 'every idle connection got a 408 and was closed')
})

t.test('a request body over SEQUENCE_MOCK_MAX_BODY_BYTES gets 413 in the envelope', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_MAX_BODY_BYTES: '1024' })
  const { items } = (await app.inject({ url: '/api/users?limit=1', headers: { authorization: AUTH } })).json<{ items: Array<{ id: string }> }>()
  const response = await app.inject({
    method: 'PUT',
    url: `/api/users/${items[0]?.id}`,
    headers: { authorization: AUTH, 'sequence-version': '2024-05-09', 'content-type': 'application/json' },
    payload: JSON.stringify({ sequenceAccountIds: Array.from({ length: 40 }, () => '83da2ca4-49c7-4d81-9c9a-ba5be11768b0') })
  })
  assertReply(t, response, 413, { error: { type: 'PayloadTooLarge', message: 'The request body exceeds 1024 bytes.' } })
})

t.test('a URL over SEQUENCE_MOCK_MAX_URL_LENGTH gets 414 in the envelope, with CORS headers a browser app can read', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_MAX_URL_LENGTH: '300' })
  const url = `/api/users?after=${'a'.repeat(300)}`
  const response = await app.inject({ url, headers: { authorization: AUTH, origin: 'http://localhost:3000' } })
  assertReply(t, response, 414, { error: { type: 'URITooLong', message: `The request target is ${url.length} characters long; the limit is 300 (SEQUENCE_MOCK_MAX_URL_LENGTH).` } })
  t.equal(response.headers['access-control-allow-origin'], 'http://localhost:3000')
})

t.test('errors Fastify raises before any hook (an over-long id, a bad URL) carry CORS headers too', async (t) => {
  const app = await build(t)
  for (const url of [`/api/users/${'a'.repeat(101)}`, '/api/users/%zz']) {
    const response = await app.inject({ url, headers: { authorization: AUTH, origin: 'http://localhost:3000' } })
    t.ok(response.statusCode === 414 || response.statusCode === 400, url)
    t.equal(response.headers['access-control-allow-origin'], 'http://localhost:3000', url)
    t.equal(response.headers['access-control-allow-credentials'], 'true', url)
    t.match(response.headers['access-control-expose-headers'], /Sequence-Version/, url)
  }
  const other = await build(t, { SEQUENCE_MOCK_CORS: 'http://allowed.example' })
  const refused = await other.inject({ url: '/api/users/%zz', headers: { origin: 'http://localhost:3000' } })
  t.equal(refused.headers['access-control-allow-origin'], undefined, 'not for an origin that is not allowed')
})

t.test('an OPTIONS request that is no complete CORS preflight gets 400 in the envelope, not @fastify/cors\'s text', async (t) => {
  const app = await build(t)
  for (const headers of [{}, { origin: 'http://localhost:3000' }, { 'access-control-request-method': 'GET' }, { origin: '', 'access-control-request-method': 'GET' }]) {
    const response = await app.inject({ method: 'OPTIONS', url: '/api/users', headers })
    assertReply(t, response, 400, { error: { type: 'BadRequest', message: 'OPTIONS is answered only as a CORS preflight: send Origin and Access-Control-Request-Method headers.' } })
  }
  const off = await build(t, { SEQUENCE_MOCK_CORS: 'off' })
  assertReply(t, await off.inject({ method: 'OPTIONS', url: '/api/users' }), 404, {
    error: { type: 'NotFound', message: 'No route OPTIONS /api/users. This mock serves /api/users and /api/users/{id}, /health, /openapi.json and /_mock.' }
  })
})

t.test('a response\'s latency is not part of the request timeout', async (t) => {
  const port = await listening(t, { SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: '1000', SEQUENCE_MOCK_DELAY_MS: '2500' })
  const response = await fetch(`http://127.0.0.1:${port}/api/users?limit=1`, { headers: { authorization: AUTH } })
  t.equal(response.status, 200)
})

t.test('a body over the limit gets its 413 while the client is still sending it, and the connection stays usable', async (t) => {
  const port = await listening(t)
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (data: Buffer) => { received += data.toString('latin1') })
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`POST /openapi.json HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 4194304\r\n\r\n`)
  for (let sent = 0; sent < 4194304; sent += 65536) socket.write('a'.repeat(65536))
  socket.write(`GET /health HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`)
  await new Promise((resolve) => socket.on('close', resolve))
  const [tooLarge, health] = responsesIn(t, received)
  t.strictSame(tooLarge, { status: 413, body: envelope('PayloadTooLarge', 'The request body exceeds 1048576 bytes.') })
  t.equal(health?.status, 200, 'the next request on the connection is answered')
})

t.test('a bad HEAD pipelined behind a slow request gets no body, whatever arrives on the connection meanwhile', async (t) => {
  const port = await listening(t, { SEQUENCE_MOCK_DELAY_MS: '400' })
  const response = await exchange(port, [
    `GET /api/users?limit=1 HTTP/1.1\r\n${HOST}Authorization: ${AUTH}\r\n\r\nHEAD %2Fhealth HTTP/1.1\r\n${HOST}\r\n\r\n`,
    `GET /health HTTP/1.1\r\n${HOST}\r\n\r\n`.repeat(50)
  ], { pauseMs: 100 })
  t.strictSame(responsesIn(t, response?.raw ?? '', [false, true]).map(({ status, body }) => [status, body.length > 0]), [[200, true], [400, false]])
})

t.test('a bad HEAD behind a body larger than one read gets no body', async (t) => {
  const port = await listening(t)
  const response = await exchange(port, `DELETE /api/users/x HTTP/1.1\r\n${HOST}Content-Length: 200000\r\n\r\n${'a'.repeat(200000)}HEAD %2Fhealth HTTP/1.1\r\n${HOST}\r\n\r\n`)
  t.strictSame(responsesIn(t, response?.raw ?? '', [false, true]).map(({ status, body }) => [status, body.length > 0]), [[401, true], [400, false]])
})

t.test('a HEAD with a bad header, behind a body larger than one read, gets no body', async (t) => {
  const port = await listening(t)
  const response = await exchange(port, `DELETE /api/users/x HTTP/1.1\r\n${HOST}Content-Length: 200000\r\n\r\n${'a'.repeat(200000)}HEAD /health HTTP/1.1\r\n${HOST}X-Bad: a\u0001b\r\n\r\n`)
  t.strictSame(responsesIn(t, response?.raw ?? '', [false, true]).map(({ status, body }) => [status, body.length > 0]), [[401, true], [400, false]])
})
