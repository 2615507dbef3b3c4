// One recorded request set through the three forms (the server on a socket, startMock's app, the MSW handlers): the same status, headers and bytes.
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setupServer } from 'msw/node'
import t from 'tap'
import { startMock } from '../src/index.js'
import { sequenceHandlers } from '../src/msw.js'
import { FORM_OPTIONS, HOST, RECORDED_REQUESTS, type RecordedRequest } from './forms-requests.js'
import { AUTH } from './helper.js'
import { exchange } from './raw.js'

/**
 * The only headers not compared by value, since they are the transport's and differ by nature: `date`
 * (each answer's own second; it must be there in every form) and `keep-alive` (the socket's idle
 * timeout, which Node's server adds on a socket only).
 */
const TRANSPORT_HEADERS = { date: 'present in every form', 'keep-alive': 'socket only' } as const

/** What the MSW handlers leave out, by design: they describe the connection the server answered on, and MSW has none. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding']

interface Sent {
  readonly method: string
  readonly target: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer | undefined
}

interface Exchange {
  readonly status: number
  readonly statusText: string
  /** In the order the form gives them (the socket's and the app's: as sent; fetch's: sorted by name), names in lower case. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Buffer
}

type Send = (sent: Sent) => Promise<Exchange>

/** What a client sends for a body: its length, and `Content-Length: 0` for a POST or PUT without one (as fetch does). */
function withLength ({ method, headers, body }: Sent): Record<string, string> {
  const length = body?.length ?? (method === 'POST' || method === 'PUT' ? 0 : undefined)
  return { host: HOST, ...headers, ...(length !== undefined && { 'content-length': String(length) }) }
}

/** Sends the recorded requests in order, each worked out from the answers before it. */
async function run (send: Send): Promise<Exchange[]> {
  const earlier = new Map<string, unknown>()
  const scenarioIds: string[] = []
  const exchanges: Exchange[] = []
  for (const request of RECORDED_REQUESTS) {
    const exchange = await send({
      method: request.method,
      target: typeof request.target === 'function' ? request.target(earlier) : request.target,
      headers: request.headers ?? {},
      body: request.body === undefined ? undefined : Buffer.from(request.body)
    })
    const isJson = exchange.headers.some(([name, value]) => name === 'content-type' && value.startsWith('application/json'))
    if (isJson && exchange.body.length > 0) earlier.set(request.name, JSON.parse(exchange.body.toString()))
    if (request.scenarioId === true) scenarioIds.push((earlier.get(request.name) as { id: string }).id)
    exchanges.push({ ...exchange, body: withoutVolatile(request, exchange.body, scenarioIds) })
  }
  return exchanges
}

/** The answer's bytes with what differs by nature replaced (RecordedRequest's `volatile` and `scenarioId`). */
function withoutVolatile (request: RecordedRequest, body: Buffer, scenarioIds: readonly string[]): Buffer {
  // latin1 maps each byte to one character and back: the replacements keep every other byte.
  let text = body.toString('latin1')
  for (const id of scenarioIds) text = text.replaceAll(id, '<scenario id>'.padEnd(id.length, '-'))
  if (request.volatile?.includes('times') === true) text = text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, (time) => '<time>'.padEnd(time.length, '-'))
  if (request.volatile?.includes('durations') === true) text = text.replace(/"durationMs":[\d.e+-]+/g, '"durationMs":"<duration>"')
  return Buffer.from(text, 'latin1')
}

/** The headers as compared: the transport's left out, and `content-length` where the body's length varies. */
function answerHeaders (request: RecordedRequest, headers: Exchange['headers']): Array<readonly [string, string]> {
  return headers.filter(([name]) => !(name in TRANSPORT_HEADERS) && !(name === 'content-length' && request.volatile?.includes('durations') === true))
}

/** The same headers as a fetch Response holds them: sorted by name, a repeated header's values joined by ", ". */
function asFetchHeaders (headers: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  const joined = new Map<string, string>()
  for (const [name, value] of headers) joined.set(name, joined.has(name) ? `${joined.get(name)}, ${value}` : value)
  return [...joined].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** (a) The server: startMock's listening socket, through node:http, which shows the headers as sent and in order. */
async function throughSocket (): Promise<Exchange[]> {
  const mock = await startMock(FORM_OPTIONS)
  const agent = new Agent({ keepAlive: true })
  try {
    const { port } = mock.app.server.address() as AddressInfo
    return await run(async (sent) => await new Promise<Exchange>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, agent, method: sent.method, path: sent.target, headers: withLength(sent) as OutgoingHttpHeaders }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const headers: Array<[string, string]> = []
          for (let i = 0; i < response.rawHeaders.length; i += 2) headers.push([(response.rawHeaders[i] as string).toLowerCase(), response.rawHeaders[i + 1] as string])
          resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers, body: Buffer.concat(chunks) })
        })
        response.on('error', reject)
      })
      request.on('error', reject)
      request.end(sent.body)
    }))
  } finally {
    agent.destroy()
    await mock.close()
  }
}

/** (b) startMock's app in the same process, through `inject`. */
async function throughInject (): Promise<Exchange[]> {
  const mock = await startMock(FORM_OPTIONS)
  try {
    return await run(async (sent) => {
      const reply = await mock.app.inject({ method: sent.method as 'GET', url: sent.target, headers: withLength(sent), ...(sent.body !== undefined && { payload: sent.body }) })
      const headers = Object.entries(reply.headers).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((item) => [name, String(item)] as const))
      return { status: reply.statusCode, statusText: reply.statusMessage, headers, body: reply.rawPayload }
    })
  } finally {
    await mock.close()
  }
}

/** (c) The MSW handlers under msw/node, through fetch to Sequence's production host. */
async function throughMsw (): Promise<Exchange[]> {
  const server = setupServer(...sequenceHandlers(FORM_OPTIONS))
  server.listen({ onUnhandledRequest: 'error' })
  try {
    return await run(async (sent) => {
      const response = await fetch(`https://${HOST}${sent.target}`, { method: sent.method, headers: sent.headers, ...(sent.body !== undefined && { body: sent.body }) })
      return { status: response.status, statusText: response.statusText, headers: [...response.headers], body: Buffer.from(await response.arrayBuffer()) }
    })
  } finally {
    server.close()
  }
}

// One form at a time: msw/node intercepts node:http too while it listens.
const socket = await throughSocket()
const inProcess = await throughInject()
const msw = await throughMsw()

t.test('the recorded set answers what each request is there for', async (t) => {
  t.strictSame(socket.map((exchange) => exchange.status), RECORDED_REQUESTS.map((request) => request.status))
})

RECORDED_REQUESTS.forEach((request, index) => {
  t.test(`${request.method} ${request.name}: the same status, headers and bytes in every form`, async (t) => {
    const [a, b, c] = [socket[index], inProcess[index], msw[index]] as [Exchange, Exchange, Exchange]
    for (const [form, exchange] of [['socket', a], ['startMock app', b], ['MSW', c]] as const) {
      t.ok(exchange.headers.some(([name, value]) => name === 'date' && !Number.isNaN(Date.parse(value))), `${form}: a Date header`)
    }
    // Node's server sends Keep-Alive beside `Connection: keep-alive`; an answer without it (a body Fastify did not read) closes the connection.
    const keptAlive = a.headers.some(([name, value]) => name === 'connection' && value === 'keep-alive')
    t.equal(a.headers.some(([name]) => name === 'keep-alive'), keptAlive, 'socket: its keep-alive timeout exactly when the connection stays open')
    const expected = { status: a.status, statusText: a.statusText, headers: answerHeaders(request, a.headers), body: a.body }
    t.strictSame({ ...b, headers: answerHeaders(request, b.headers) }, expected, 'startMock\'s app: the socket\'s headers, in their order')
    t.notOk(c.headers.some(([name]) => HOP_BY_HOP.includes(name)), 'MSW: no Connection, Keep-Alive or Transfer-Encoding')
    const withoutHopByHop = expected.headers.filter(([name]) => !HOP_BY_HOP.includes(name))
    t.strictSame({ ...c, headers: answerHeaders(request, c.headers) }, { ...expected, headers: asFetchHeaders(withoutHopByHop) }, 'MSW: the socket\'s other headers, as fetch holds them')
  })
})

/**
 * Requests Node's HTTP parser and server refuse or treat specially, which no recorded request sends
 * (`inject` has no parser: that form is left out). Each is sent with the headers given, the default
 * credentials and `Connection: close`; the answer expected is the socket's.
 */
const PARSER_REQUESTS: ReadonlyArray<{ name: string, method: string, headers: Record<string, string>, status: number }> = [
  { name: 'a lower-case method', method: 'propfind', headers: {}, status: 400 },
  { name: 'an unknown method', method: 'BREW', headers: {}, status: 400 },
  { name: 'a control character in a header value', method: 'GET', headers: { 'x-note': 'a\u0001b' }, status: 400 },
  { name: 'a HEAD with a control character', method: 'HEAD', headers: { 'x-note': 'a\u0001b' }, status: 400 },
  { name: 'headers over the limit', method: 'GET', headers: { 'x-large': 'x'.repeat(20_000) }, status: 431 },
  { name: 'an Expect other than 100-continue', method: 'GET', headers: { expect: 'teapot' }, status: 417 },
  { name: 'Expect: 100-continue', method: 'GET', headers: { expect: '100-continue' }, status: 200 }
]

/** The final response of a raw exchange (after any interim 100 Continue), names in lower case, the body up to the close. */
function finalResponse (raw: string): Exchange {
  const final = raw.replace(/^(?:HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '')
  const end = final.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = final.slice(0, end).split('\r\n')
  const [, status = '0', statusText = ''] = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(statusLine) ?? []
  const headers = lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const)
  return { status: Number(status), statusText, headers, body: Buffer.from(final.slice(end + 4), 'latin1') }
}

t.test('requests the HTTP parser refuses or treats specially: the socket\'s answer through MSW too', async (t) => {
  const mock = await startMock(FORM_OPTIONS)
  const { port } = mock.app.server.address() as AddressInfo
  const onSocket: Exchange[] = []
  try {
    for (const { method, headers } of PARSER_REQUESTS) {
      const lines = [`${method} /api/users?limit=1 HTTP/1.1`, `host: ${HOST}`, `authorization: ${AUTH}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), 'connection: close']
      const answer = await exchange(port, `${lines.join('\r\n')}\r\n\r\n`)
      onSocket.push(finalResponse(answer?.raw ?? ''))
    }
  } finally {
    await mock.close()
  }
  const server = setupServer(...sequenceHandlers(FORM_OPTIONS))
  server.listen({ onUnhandledRequest: 'error' })
  const throughMsw: Exchange[] = []
  try {
    for (const { method, headers } of PARSER_REQUESTS) {
      const response = await fetch(`https://${HOST}/api/users?limit=1`, { method, headers: { authorization: AUTH, ...headers } })
      throughMsw.push({ status: response.status, statusText: response.statusText, headers: [...response.headers], body: Buffer.from(await response.arrayBuffer()) })
    }
  } finally {
    server.close()
  }
  PARSER_REQUESTS.forEach(({ name, status }, index) => {
    const [a, c] = [onSocket[index], throughMsw[index]] as [Exchange, Exchange]
    t.equal(a.status, status, `${name}: ${status} on a socket`)
    const compared = (headers: Exchange['headers']): Array<[string, string]> => asFetchHeaders(headers.filter(([name]) => name !== 'date' && !HOP_BY_HOP.includes(name)))
    t.strictSame({ ...c, headers: compared(c.headers) }, { ...a, headers: compared(a.headers) }, `${name}: the same status, headers and bytes through MSW`)
  })
})
