// Raw-socket cases that Node's HTTP parser itself may reject: request lines, versions, control characters, Host, framing, sizes, Expect, CONNECT, Upgrade, pipelining, cut-offs.
import type { Case, SentRequest } from './case.js'
import { generateDraft, toCase, type Target } from './generate.js'
import type { Random } from './random.js'

interface RawDraft {
  readonly family: string
  readonly bytes: Buffer
  /** The requests in it, in order; one unparseable request is `{ method: '?' }`. */
  readonly requests: readonly SentRequest[]
  /** Half-close after writing: only for requests cut off on purpose. */
  readonly halfClose?: boolean
  readonly mayCloseUnanswered?: boolean
  readonly asks5xx?: boolean
}

const AUTH = 'Basic a2V5OnNlY3JldA=='
const CONTROL = [0, 1, 7, 8, 11, 12, 27, 127]

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1')
const one = (method: string, target = '/api/users'): SentRequest[] => [{ method, target }]

export function generateRawCase (index: number, random: Random, target: Target): Case {
  const host = `Host: 127.0.0.1:${target.port}\r\n`
  const get = (path = '/api/users', extra = ''): string => `GET ${path} HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\n${extra}\r\n`
  const draft = random.weighted<() => RawDraft>([
    [3, () => badRequestLine(random, host)],
    [2, () => {
      const version = random.pick(['HTTP/9.9', 'HTTP/1.1x', 'HTTP/2.0', 'HTTP/1', 'http/1.1', 'HTTP/1.10', 'HTTP/0.9', 'HTTP/1.2', 'HTTPS/1.1', 'HTTP/ 1.1', 'HTTP/1.1 ', 'HTTP/3', 'HTTP/1.1\t', 'HTTP/11', 'HTTP/a.b'])
      const method = random.pick(['GET', 'GET', 'HEAD'])
      return { family: 'raw:bad-version', bytes: bytes(`${method} /api/users ${version}\r\n${host}Authorization: ${AUTH}\r\n\r\n`), requests: one(method) }
    }],
    [3, () => controlCharacters(random, host)],
    [2, () => {
      const method = random.pick(['GET', 'HEAD'])
      const text = random.pick([
        `${method} /health HTTP/1.1\nHost: 127.0.0.1\n\n`,
        `${method} /health HTTP/1.1\r${host}\r\n`,
        `${method} /health HTTP/1.1\r\n${host}X-Folded: a\r\n b\r\n\r\n`,
        `${method} /health HTTP/1.1\r\n${host}X-No-Colon\r\n\r\n`,
        `${method} /health HTTP/1.1\r\n${host}X-Space : a\r\n\r\n`,
        `${method} /health HTTP/1.1\r\n${host}: empty-name\r\n\r\n`,
        `${method} /health HTTP/1.1\r\n ${host}\r\n`,
        `${method} /health HTTP/1.1\r\n${host}X-A: b\r\r\n\r\n`,
        `${method} /health HTTP/1.1\r\n${host}X-A: b\n\r\n`,
        `${method} /health HTTP/1.1\r\n${host}\r\n\r\n`
      ])
      return { family: 'raw:line-endings', bytes: bytes(text), requests: one(method, '/health') }
    }],
    [3, () => {
      const method = random.pick(['GET', 'GET', 'HEAD'])
      const hostLines = random.pick(['', `${host}${host}`, `${host}Host: example.com\r\n`, 'Host: \r\n', 'Host: a b\r\n', 'Host: \x01\r\n', `Host: ${'h'.repeat(20000)}\r\n`, 'Host: [::1\r\n', 'Host: 127.0.0.1:99999\r\n', 'Host: ü\r\n', 'host: 127.0.0.1\r\nHOST: 127.0.0.1\r\n'])
      return { family: 'raw:host', bytes: bytes(`${method} /api/users HTTP/1.1\r\n${hostLines}Authorization: ${AUTH}\r\n\r\n`), requests: one(method) }
    }],
    [5, () => framing(random, host)],
    [3, () => oversized(random, host)],
    [2, () => {
      const method = random.pick(['GET', 'HEAD', 'POST', 'PUT'])
      const expect = random.pick(['200-ok', '100-continue', '100-Continue', '100-continue, foo', '', 'foo', '100-continue\x01', '102-processing'])
      const body = method === 'POST' || method === 'PUT' ? '{"sequenceAccountIds":[]}' : ''
      const length = body === '' ? '' : `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`
      return { family: 'raw:expect', bytes: bytes(`${method} /api/users HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\nExpect: ${expect}\r\n${length}\r\n${body}`), requests: one(method) }
    }],
    [2, () => {
      const text = random.pick([
        'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n',
        'CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n',
        `CONNECT /api/users HTTP/1.1\r\n${host}\r\n`,
        'CONNECT 127.0.0.1:80 HTTP/1.0\r\n\r\n',
        `CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\n\r\nGET /health HTTP/1.1\r\n${host}\r\n`
      ])
      return { family: 'raw:connect', bytes: bytes(text), requests: text.includes('GET /health') ? [...one('CONNECT'), ...one('GET', '/health')] : one('CONNECT') }
    }],
    [3, () => {
      const upgrade = random.pick([
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
        'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n',
        'Upgrade: websocket\r\n',
        'Connection: upgrade\r\nUpgrade: \r\n',
        'Connection: Upgrade\r\nUpgrade: x'.padEnd(3000, 'x') + '\r\n'
      ])
      const behind = random.chance(0.8)
      const text = `${get('/api/users', upgrade)}${behind ? get('/health') : ''}`
      return { family: 'raw:upgrade', bytes: bytes(text), requests: behind ? [...one('GET'), ...one('GET', '/health')] : one('GET') }
    }],
    [4, () => pipelined(random, target)],
    [1, () => {
      // After a request that says `Connection: close` the server must answer it and may ignore the rest, not drop it.
      const method = random.pick(['GET', 'HEAD'])
      const text = `${method} /health HTTP/1.1\r\n${host}Connection: close\r\n\r\n${random.pick([get('/health'), 'GARBAGE\r\n\r\n', get('/api/users')])}`
      return { family: 'raw:after-close', bytes: bytes(text), requests: [...one(method, '/health'), { method: '?', target: '' }] }
    }],
    [2, () => {
      // Cut off, then half-closed: nothing complete arrived, so a close without an answer is acceptable.
      const full = get(random.pick(['/api/users', '/health']), 'X-Long: '.padEnd(200, 'z') + '\r\n')
      const cut = random.int(1, full.length - 3)
      const method = full.slice(0, cut).startsWith('GET ') ? 'GET' : '?'
      return { family: 'raw:cut-off', bytes: bytes(full.slice(0, cut)), requests: one(method), halfClose: true, mayCloseUnanswered: true }
    }],
    [1, () => {
      const body = '{"sequenceAccountIds":[]}'
      const text = `PUT /api/users/${random.pick(target.userIds.length > 0 ? target.userIds : ['x'])} HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\nSequence-Version: 2024-05-09\r\nContent-Type: application/json\r\nContent-Length: ${body.length + random.int(1, 1000)}\r\n\r\n${body}`
      return { family: 'raw:cut-off-body', bytes: bytes(text), requests: one('PUT'), halfClose: true, mayCloseUnanswered: true }
    }],
    [2, () => {
      const method = random.pick(['GET', 'HEAD'])
      const text = random.pick([
        `${method} /api/users HTTP/1.0\r\nAuthorization: ${AUTH}\r\n\r\n`,
        `${method} /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
        `${method} /api/users HTTP/1.0\r\n${host}Transfer-Encoding: chunked\r\nAuthorization: ${AUTH}\r\n\r\n0\r\n\r\n`,
        `${method} /nothing HTTP/1.0\r\n\r\n`
      ])
      return { family: 'raw:http1.0', bytes: bytes(text), requests: one(method) }
    }],
    [2, () => {
      const method = random.pick(['GET', 'HEAD', 'OPTIONS', 'DELETE'])
      const form = random.pick(['*', `http://127.0.0.1:${target.port}/api/users`, 'http://127.0.0.1/api/users?limit=1', 'https://127.0.0.1/api/users', `127.0.0.1:${target.port}`, '?limit=1', '/a b', '/a#b', '/api/users?a b', 'api/users', '/\x7fapi', ''])
      return { family: 'raw:target-form', bytes: bytes(`${method} ${form} HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\n\r\n`), requests: one(method, form) }
    }],
    [2, () => {
      const method = random.pick(['FOO', 'get', 'G E T', 'GET\t', 'G:T', 'GE/T', 'X'.repeat(random.pick([30, 200, 5000])), 'PRI', 'HTTP/1.1', '\x00GET', 'GET\x00', 'ÄGET', 'BREW'])
      return { family: 'raw:method', bytes: bytes(`${method} /api/users HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\n\r\n`), requests: one(method) }
    }],
    [2, () => {
      const text = random.weighted<() => Buffer>([
        [3, () => random.bytes(random.length(4096))],
        [1, () => Buffer.from('160301020001000200' + 'ab'.repeat(random.int(10, 200)), 'hex')],
        [1, () => bytes('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')],
        [1, () => bytes(`${random.string(random.int(1, 300), ' \t\r\n:/')}`)],
        [1, () => bytes('\r\n'.repeat(random.pick([1, 10, 1000])))]
      ])()
      return { family: 'raw:garbage', bytes: text, requests: one('?', ''), mayCloseUnanswered: text.toString('latin1').trim() === '' }
    }]
  ])()
  return {
    index,
    family: draft.family,
    raw: true,
    bytes: draft.bytes,
    requests: draft.requests,
    halfClose: draft.halfClose ?? false,
    mayCloseUnanswered: draft.mayCloseUnanswered ?? false,
    asks5xx: draft.asks5xx ?? false,
    secrets: target.secrets
  }
}

function badRequestLine (random: Random, host: string): RawDraft {
  // GET only: whether a server can tell that an unparseable line was a HEAD (no body allowed) is a guess.
  const line = random.pick([
    'GET', 'GET /api/users', 'GET  /api/users HTTP/1.1', ' GET /api/users HTTP/1.1', '/api/users HTTP/1.1',
    'GET /api/users HTTP/1.1 extra', 'GET /api/users  HTTP/1.1', 'GET\t/api/users\tHTTP/1.1', 'GET HTTP/1.1',
    `GET /api/users HTTP/1.1${'x'.repeat(100)}`, 'HTTP/1.1 200 OK', `GET /api/users?${'%'.repeat(50)} HTTP/1.1`
  ])
  const text = random.chance(0.8) ? `${line}\r\n${host}Authorization: ${AUTH}\r\n\r\n` : `${line}\r\n\r\n`
  return { family: 'raw:request-line', bytes: bytes(text), requests: one('GET') }
}

function controlCharacters (random: Random, host: string): RawDraft {
  const c = String.fromCharCode(random.pick(CONTROL))
  const method = random.pick(['GET', 'HEAD'])
  const text = random.pick([
    `${method} /api/${c}users HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\n\r\n`,
    `${method} /api/users?limit=${c} HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\n\r\n`,
    `${method} /api/users HTTP/1.1\r\n${host}X-${c}Name: a\r\nAuthorization: ${AUTH}\r\n\r\n`,
    `${method} /api/users HTTP/1.1\r\n${host}X-Value: a${c}b\r\nAuthorization: ${AUTH}\r\n\r\n`,
    `${method} /api/users HTTP/1.1\r\n${host}Authorization: Basic a2V5${c}OnNlY3JldA==\r\n\r\n`,
    `${method} /api/users HTTP/1.1\r\n${host}Sequence-Version: 2024-07-30${c}\r\nAuthorization: ${AUTH}\r\n\r\n`,
    `${method} /api/users HTTP/1.1\r\n${host}Prefer: code=429${c}\r\nAuthorization: ${AUTH}\r\n\r\n`,
    `${method} /api/users HTTP/1.1\r\n${host}X-Value: ${c.repeat(100)}\r\nAuthorization: ${AUTH}\r\n\r\n`
  ])
  return { family: 'raw:control-chars', bytes: bytes(text), requests: one(method) }
}

function framing (random: Random, host: string): RawDraft {
  const method = random.pick(['POST', 'PUT', 'GET', 'DELETE'])
  const start = `${method} /api/users/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\nSequence-Version: 2024-05-09\r\nContent-Type: application/json\r\n`
  const body = '{"sequenceAccountIds":[]}'
  const chunk = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
  const [text, requests] = random.pick<[string, number]>([
    [`${start}Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`, 1],
    [`${start}Transfer-Encoding: chunked\r\nContent-Length: ${body.length}\r\n\r\n${chunk}`, 1],
    [`${start}Content-Length: ${body.length}\r\nContent-Length: ${body.length + 1}\r\n\r\n${body} `, 1],
    [`${start}Content-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 1],
    [`${start}Content-Length: ${body.length}, ${body.length}\r\n\r\n${body}`, 1],
    [`${start}Content-Length: -1\r\n\r\n${body}`, 1],
    [`${start}Content-Length: abc\r\n\r\n${body}`, 1],
    [`${start}Content-Length: 1e3\r\n\r\n${body}`, 1],
    [`${start}Content-Length: +${body.length}\r\n\r\n${body}`, 1],
    [`${start}Content-Length: 99999999999999999999\r\n\r\n${body}`, 1],
    [`${start}Content-Length: ${body.length - 5}\r\n\r\n${body}`, 2],
    [`${start}Content-Length:${body.length}\r\n\r\n${body}`, 1],
    [`${start}Transfer-Encoding: chunked, gzip\r\n\r\n${chunk}`, 1],
    [`${start}Transfer-Encoding: gzip\r\n\r\n${body}`, 1],
    [`${start}Transfer-Encoding: identity\r\n\r\n${body}`, 1],
    [`${start}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`, 1],
    [`${start}Transfer-Encoding: chunkedx\r\n\r\n${chunk}`, 1],
    [`${start}Transfer-Encoding:  chunked \r\n\r\n${chunk}`, 1],
    [`${start}Transfer-Encoding: \x0bchunked\r\n\r\n${chunk}`, 1],
    [`${start}Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`, 1],
    [`${start}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n${body}\r\n0\r\n\r\n`, 1],
    [`${start}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)};\x01\r\n${body}\r\n0\r\n\r\n`, 1],
    [`${start}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}0\r\n\r\n`, 1],
    [`${start}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n`, 1],
    [`${start}Transfer-Encoding: chunked\r\n\r\n-1\r\n${body}\r\n0\r\n\r\n`, 1],
    [`${start}Transfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: \x01\r\n\r\n`, 1]
  ])
  const sent = one(method, '/api/users/00000000-0000-4000-8000-000000000000')
  // A body cut short by the half-close: nothing complete arrived to answer.
  const unfinished = /0\r\n\r\n$/.test(text) === false && text.includes('chunked') && !text.includes('Content-Length')
  return { family: 'raw:framing', bytes: bytes(text), requests: requests === 2 ? [...sent, { method: '?', target: '' }] : sent, halfClose: unfinished, mayCloseUnanswered: unfinished }
}

function oversized (random: Random, host: string): RawDraft {
  const method = random.pick(['GET', 'GET', 'HEAD'])
  const [text, target] = random.pick<[string, string]>([
    [`${method} /api/users HTTP/1.1\r\n${host}X-Big: ${'b'.repeat(random.pick([16500, 17000, 40000, 100000]))}\r\nAuthorization: ${AUTH}\r\n\r\n`, '/api/users'],
    [`${method} /api/users HTTP/1.1\r\n${host}${Array.from({ length: random.pick([200, 400, 2500]) }, (_, i) => `X-H${i}: ${'v'.repeat(90)}\r\n`).join('')}Authorization: ${AUTH}\r\n\r\n`, '/api/users'],
    [`${method} /api/users?after=${'A'.repeat(random.pick([8200, 9000, 12000, 16500, 70000]))} HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\n\r\n`, '/api/users?after=…'],
    [`${method} /${'p'.repeat(random.pick([8200, 9000, 20000, 100000]))} HTTP/1.1\r\n${host}\r\n`, '/ppp…'],
    [`${method} /api/users HTTP/1.1\r\n${host}Authorization: Basic ${'A'.repeat(20000)}\r\n\r\n`, '/api/users'],
    [`${method} /api/users HTTP/1.1\r\n${host}Cookie: ${'c=1; '.repeat(4000)}\r\nAuthorization: ${AUTH}\r\n\r\n`, '/api/users']
  ])
  return { family: 'raw:oversized', bytes: bytes(text), requests: one(method, target) }
}

/** Several requests in one write: well-formed and hostile ones from the HTTP-level generator, a HEAD among them, or garbage last. */
function pipelined (random: Random, target: Target): RawDraft {
  const count = random.int(2, 5)
  const parts: Buffer[] = []
  const requests: SentRequest[] = []
  let asks5xx = false
  for (let i = 0; i < count; i++) {
    const draft = generateDraft(random, target)
    // Small ones only (a pipeline of 2 MiB bodies tests nothing more), and none that asks the server to close after it.
    if ((draft.body?.length ?? 0) > 65536 || draft.headers.some(([name]) => name.toLowerCase() === 'connection')) continue
    const sent = toCase(0, draft, target)
    parts.push(sent.bytes)
    requests.push(...sent.requests)
    asks5xx ||= sent.asks5xx
  }
  if (random.chance(0.2)) {
    parts.push(bytes(random.pick(['GARBAGE\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET /health HTTP/1.1\r\n\r\n'])))
    requests.push({ method: '?', target: '' })
  }
  if (requests.length === 0) return pipelined(random, target)
  return { family: 'raw:pipelined', bytes: Buffer.concat(parts), requests, asks5xx }
}
