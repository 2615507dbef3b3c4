// Hostile HTTP-level requests (well-framed, each on its own or a kept-alive connection): queries, cursors, headers, paths, methods, bodies, CORS and /_mock.
import type { Case, HeaderValue } from './case.js'
import { requestBytes } from './case.js'
import type { Random } from './random.js'

/** What the generator knows of the mock it fuzzes. */
export interface Target {
  readonly port: number
  /** `after`/`before` cursors the mock issued before the run. */
  readonly cursors: readonly string[]
  /** Ids of users the mock had before the run. */
  readonly userIds: readonly string[]
  /** Basic credentials the mock accepts: `[clientId, secret]`. */
  readonly credentials: ReadonlyArray<readonly [string, string]>
  /** The admin token the mock was started with, if any. */
  readonly adminToken: string | undefined
  /** Values that must never come back: secrets other than the documented example, the admin token. */
  readonly secrets: readonly string[]
}

export interface Draft {
  readonly family: string
  readonly method: string
  /** Path and query as written (latin1: each character one byte). */
  readonly target: string
  readonly headers: Array<readonly [string, HeaderValue]>
  readonly body?: Buffer
  readonly asks5xx?: boolean
}

const VERSIONS = ['2024-01-01', '2024-05-09', '2024-07-30'] as const
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'] as const
/** Methods llhttp knows but the mock never serves, and tokens it does not know at all. */
const OTHER_METHODS = ['PROPFIND', 'SEARCH', 'QUERY', 'MKCOL', 'LINK', 'PURGE', 'REPORT', 'M-SEARCH', 'LOCK', 'SOURCE', 'FOO', 'get', 'Get', 'X'.repeat(40), 'GETT', 'G3T']
const ROUTES = ['/api/users', '/api/users/{id}', '/health', '/openapi.json', '/_mock/reset', '/_mock/users', '/_mock/users/{id}', '/_mock/requests', '/_mock/scenarios', '/_mock/scenarios/{id}', '/_mock/report', '/api', '/', '/_mock']
const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const ROLES = ['admin', 'financeUser', 'salesUser', 'readOnlyUser']
const PRINTABLE = ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
const TOKEN = '!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const HEX = '0123456789abcdef'
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='

/** Draft → bytes with Host and, when there is a body, Content-Length (unless the draft frames it itself). */
export function toCase (index: number, draft: Draft, target: Target): Case {
  const headers: Array<readonly [string, HeaderValue]> = [['Host', `127.0.0.1:${target.port}`], ...draft.headers]
  const framed = draft.headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))
  if (draft.body !== undefined && !framed) headers.push(['Content-Length', String(draft.body.length)])
  // A HEAD gets a GET /health pipelined behind it: a body after the HEAD answer's headers would be read in place of that answer.
  // Not behind a `Connection` header: after `close` the server reads no more (raw:after-close tests that on its own).
  const sentinel = draft.method === 'HEAD' && !draft.headers.some(([name]) => /^connection$/i.test(name)) ? [requestBytes('GET', '/health', [['Host', `127.0.0.1:${target.port}`]])] : []
  return {
    index,
    family: draft.family,
    raw: false,
    bytes: Buffer.concat([requestBytes(draft.method, draft.target, headers, draft.body), ...sentinel]),
    requests: [{ method: draft.method, target: draft.target }, ...(sentinel.length > 0 ? [{ method: 'GET', target: '/health' }] : [])],
    halfClose: false,
    mayCloseUnanswered: false,
    asks5xx: draft.asks5xx === true || draft.headers.some(([name, value]) => /^prefer$/i.test(name) && /code\s*=\s*"?\s*5/i.test(value.toString())),
    secrets: target.secrets
  }
}

/** One hostile request, chosen by family. */
export function generateDraft (random: Random, target: Target): Draft {
  const family = random.weighted<(r: Random, t: Target) => Draft>([
    [18, queryDraft],
    [8, userIdDraft],
    [16, headerDraft],
    [12, pathDraft],
    [8, methodDraft],
    [10, bodyDraft],
    [16, adminDraft],
    [5, corsDraft],
    [7, validDraft]
  ])
  return family(random, target)
}

// ——— the parts of a request ———

function basic (clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`
}

function validAuth (random: Random, target: Target): string {
  const [clientId, secret] = random.pick(target.credentials)
  return basic(clientId, secret)
}

/** Valid credentials and, most of the time, a valid version: so that the rest of the request is what gets judged. */
function apiHeaders (random: Random, target: Target): Array<readonly [string, HeaderValue]> {
  const headers: Array<readonly [string, HeaderValue]> = [['Authorization', validAuth(random, target)]]
  if (random.chance(0.7)) headers.push(['Sequence-Version', random.pick(VERSIONS)])
  return headers
}

function userId (random: Random, target: Target): string {
  return random.chance(0.6) && target.userIds.length > 0 ? random.pick(target.userIds) : uuid(random)
}

function uuid (random: Random): string {
  const hex = random.string(32, HEX)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`
}

function encode (text: string): string {
  return encodeURIComponent(text)
}

/** Text as the bytes of its UTF-8 encoding, one latin1 character each: how non-ASCII goes on the wire unencoded. */
function utf8Bytes (text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1')
}

function fillRoute (route: string, random: Random, target: Target): string {
  return route.replace('{id}', () => random.chance(0.8) ? userId(random, target) : garbageSegment(random))
}

/** A path segment anyone might send: encoded junk, dot segments, NUL, unicode, long. */
function garbageSegment (random: Random): string {
  return random.weighted<() => string>([
    [3, () => encode(random.string(random.length(300), PRINTABLE))],
    [2, () => random.pick(['%00', '%2F', '%2e%2e', '..', '.', '%', '%zz', '%E0%A4%A', '%C0%AF', '%FF', '%u0041', '%25', '%20', '+', ';', ';x=1', ',', '~', 'null', 'undefined', '__proto__', 'constructor', 'prototype', '0', '-1', '1e999'])],
    [1, () => utf8Bytes(random.pick(['ü', '日本', '\u202e', '\u{1f600}', '\ufeff', 'é'.repeat(50)]))],
    [1, () => encode(utf8Bytes(random.pick(['ü', '日本', '\u202e', '\u{1f600}'])))],
    [1, () => 'a'.repeat(random.pick([100, 1000, 4000, 8200, 9000, 20000]))],
    [1, () => uuid(random).toUpperCase()],
    [1, () => `${uuid(random)}${random.pick(['x', '/', '%00', ' ', '.json', '?'])}`]
  ])()
}

// ——— cursors and limits ———

function cursorValue (random: Random, target: Target): string {
  const valid = target.cursors.length > 0 ? random.pick(target.cursors) : Buffer.from(`${uuid(random)}#1658260856033013#DESC`).toString('base64')
  return random.weighted<() => string>([
    [3, () => encode(valid)],
    [1, () => valid],
    [3, () => encode(mutate(random, valid))],
    [2, () => encode(random.bytes(random.length(300)).toString('base64'))],
    [2, () => encode(Buffer.from(`${random.chance(0.5) ? uuid(random) : random.string(36, HEX + '-')}#${random.pick(['0', '-1', '1658260856033013', '99999999999999999', '1'.repeat(30), '1.5', '', 'x'])}#${random.pick(['DESC', 'ASC', 'desc', '', 'UP', 'DESC#DESC'])}`).toString('base64'))],
    [1, () => encode(Buffer.from(random.pick(['#', '##', '#0#DESC', '\u0000', 'ü#1#DESC', `${uuid(random)}#1#DESC\n`]), 'latin1').toString('base64'))],
    [1, () => random.string(random.length(200), BASE64_ALPHABET)],
    [1, () => 'A'.repeat(random.pick([129, 1000, 8000, 9000, 20000]))],
    [1, () => random.pick(['', '=', '==', 'null', 'undefined', '%00', '%', '%zz', '+', ' ', '%20'])],
    [1, () => encode(utf8Bytes(random.string(random.int(1, 20), 'äöü日本\u202e')))]
  ])()
}

/** A valid cursor changed a little: a flipped character, cut, extended, case changed, padding removed. */
function mutate (random: Random, cursor: string): string {
  const at = random.int(0, Math.max(0, cursor.length - 1))
  return random.weighted<() => string>([
    [3, () => `${cursor.slice(0, at)}${random.pick([...BASE64_ALPHABET])}${cursor.slice(at + 1)}`],
    [1, () => cursor.slice(0, at)],
    [1, () => `${cursor}${random.string(random.int(1, 8), BASE64_ALPHABET)}`],
    [1, () => cursor.replace(/=+$/, '')],
    [1, () => cursor.toLowerCase()],
    [1, () => cursor.repeat(random.int(2, 40))],
    [1, () => {
      const decoded = Buffer.from(cursor, 'base64').toString('latin1')
      const changed = random.pick([decoded.replace('DESC', 'ASC'), decoded.replace('ASC', 'DESC'), decoded.toUpperCase(), decoded.replace(/#\d+#/, '#99999999999999999#'), decoded.replace(/#\d+#/, '#-5#'), `${decoded}#`, decoded.slice(1)])
      return Buffer.from(changed, 'latin1').toString('base64')
    }]
  ])()
}

const LIMITS = ['-1', '0', '1', '20', '100', '101', '1e2', '1.5', '1.0', 'abc', '', ' 5', '5 ', '0x10', '+5', '05', '99999999999999999999999', 'Infinity', 'NaN', 'null', 'true', '[]', '%00', '%2F', '%EF%BC%95', '1%00', '-0', '1e-2', '9007199254740993']

function limitValue (random: Random): string {
  return random.weighted<() => string>([
    [6, () => random.pick(LIMITS)],
    [1, () => String(random.int(-1000, 1000))],
    [1, () => '1'.repeat(random.pick([50, 1000, 8000]))],
    [1, () => encode(random.string(random.int(1, 12), PRINTABLE))]
  ])()
}

function queryString (random: Random, target: Target): string {
  const parts: string[] = []
  const count = random.int(1, 4)
  for (let i = 0; i < count; i++) {
    parts.push(random.weighted<() => string>([
      [4, () => `limit=${limitValue(random)}`],
      [4, () => `after=${cursorValue(random, target)}`],
      [3, () => `before=${cursorValue(random, target)}`],
      [1, () => `limit=${random.int(1, 100)}&limit=${random.int(1, 100)}`],
      [1, () => `after=${cursorValue(random, target)}&after=${cursorValue(random, target)}`],
      [1, () => random.pick(['limit', 'after', 'before', 'limit[]=1', 'limit[a]=1', 'after[]=x', '__proto__[x]=1', 'constructor[prototype][x]=1', '__proto__=1', 'foo=bar', '=', '&', '&&', '%zz=1', 'limit%00=1', 'LIMIT=5', 'a'.repeat(2000) + '=1'])],
      [1, () => `${encode(random.string(random.int(1, 20), PRINTABLE))}=${encode(random.string(random.length(200), PRINTABLE))}`]
    ])())
  }
  return parts.join(random.chance(0.9) ? '&' : random.pick([';', '&&', '&amp;']))
}

// ——— headers ———

const SEQUENCE_VERSIONS = ['', ' 2024-07-30', '2024-07-30 ', '2024-7-30', '2024-07-31', '2023-01-01', '2025-01-01', 'latest', '2024-07-30,2024-01-01', '2024-07-30, 2024-05-09', '20240730', 'v1', '*', 'null', '\t2024-07-30', '2024-07-30\t']
const PREFERS = ['code=429', 'code=418', 'code=abc', 'code=', 'code', 'delay=-1', 'delay=60001', 'delay=1e9', 'delay=abc', 'delay=0', 'delay=10', 'delay=', 'code=404, delay=5', 'code="429"', 'code=\'429\'', 'return=minimal', 'return=representation', 'code=429;x', 'code=400,code=401', 'code=401, code=401', 'retry-after=99999999999', 'retry-after=-1', 'retry-after=5', 'code=429, retry-after=3', 'CODE=401', 'Code=404', 'code=4e2', 'code=0x190', ',,,', ',', '=', '==', ';', 'code==429', 'code =429', 'code= 429', 'code=429 , delay=1', 'respond-async', 'wait=5', 'handling=strict', 'code=400, delay=200', '"code=429"', 'code=1e999']
const AUTHORIZATIONS = ['', 'Basic', 'Basic ', 'Basic  ', 'Basic a2V5OnNlY3JldA', 'Basic a2V5OnNlY3JldA=', 'Basic !!!!', 'Basic ====', 'Basic a2V5', 'basic a2V5OnNlY3JldA==', 'BASIC a2V5OnNlY3JldA==', 'Basic  a2V5OnNlY3JldA==', 'Basic a2V5OnNlY3JldA== ', 'Basic a2V5OnNlY3JldA==, Basic a2V5OnNlY3JldA==', 'Bearer x', 'Bearer', 'Digest username="key"', 'Negotiate YII=', 'a2V5OnNlY3JldA==', 'Basic a2V5OnNlY3JldA==a2V5', 'Basic\ta2V5OnNlY3JldA==', 'Basic a2V5 OnNlY3JldA==', 'Basic %61%32', 'Basic a2V5OnNlY3JldA==\t', 'Basic YTpi\u00ff']

function authorizationValue (random: Random, target: Target): HeaderValue {
  return random.weighted<() => HeaderValue>([
    [5, () => random.pick(AUTHORIZATIONS)],
    [2, () => basic(random.pick(['key', '', ':', 'key:', 'KEY', 'k'.repeat(300), 'ü', '\u0000', 'null']), random.pick(['secret', '', 'wrong', 'secret ', 'SECRET', ':', 'secret\u0000', 's'.repeat(5000), '日本']))],
    [1, () => basic('key', 'secret').replace('=', '')],
    [1, () => `Basic ${Buffer.from(random.bytes(random.length(200))).toString('base64')}`],
    [1, () => `Basic ${random.string(random.length(300), BASE64_ALPHABET)}`],
    [1, () => `Basic ${'A'.repeat(random.pick([1000, 8000, 15000, 20000]))}`],
    [1, () => Buffer.concat([Buffer.from('Basic '), random.bytes(random.int(1, 40)).map((byte) => byte | 0x80)])],
    [1, () => {
      // A configured client id with a near miss of its secret.
      const [clientId, secret] = random.pick(target.credentials)
      return basic(clientId, random.pick([`${secret}x`, secret.slice(1), secret.toUpperCase(), ` ${secret}`]))
    }]
  ])()
}

/** A header value that is huge, not ASCII, or full of control characters (some of which Node's parser refuses). */
function junkValue (random: Random): HeaderValue {
  return random.weighted<() => HeaderValue>([
    [4, () => random.string(random.length(400), PRINTABLE)],
    [1, () => 'x'.repeat(random.pick([4000, 8000, 15000, 17000, 40000]))],
    [2, () => Buffer.from(random.bytes(random.int(1, 60)).map((byte) => byte | 0x80))],
    [1, () => utf8Bytes(random.pick(['ü', '日本語', '\u202e', '\u{1f600}', '\ufeff']))],
    [1, () => `a${String.fromCharCode(random.pick([0, 1, 7, 8, 11, 12, 27, 127]))}b`],
    [1, () => `a\tb`],
    [1, () => '']
  ])()
}

function headerName (random: Random): string {
  return random.weighted<() => string>([
    [3, () => `X-${random.string(random.int(1, 20), TOKEN)}`],
    [2, () => random.pick(['Accept', 'Accept-Encoding', 'Accept-Language', 'Cookie', 'Content-Type', 'Origin', 'Referer', 'User-Agent', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'Forwarded', 'X-Request-Id', 'Via', 'If-None-Match', 'If-Modified-Since', 'Range', 'Cache-Control', 'Pragma', 'TE', 'Trailer', 'Max-Forwards', 'X-HTTP-Method-Override', 'Sec-Fetch-Mode', 'Access-Control-Request-Method', 'Proxy-Authorization', 'Sequence-Mock-Version', 'Keep-Alive'])],
    [1, () => random.string(random.pick([100, 1000, 8000]), 'abcdefghij')]
  ])()
}

// ——— families ———

function queryDraft (random: Random, target: Target): Draft {
  return { family: 'query', method: random.chance(0.9) ? 'GET' : 'HEAD', target: `/api/users?${queryString(random, target)}`, headers: apiHeaders(random, target) }
}

function userIdDraft (random: Random, target: Target): Draft {
  const method = random.pick(['GET', 'GET', 'DELETE', 'PUT', 'HEAD'])
  const id = random.chance(0.3) ? userId(random, target) : garbageSegment(random)
  const headers = apiHeaders(random, target)
  let body: Buffer | undefined
  if (method === 'PUT') {
    headers.push(['Content-Type', 'application/json'])
    body = Buffer.from(jsonBody(random, 'put'), 'latin1')
  }
  return { family: 'user-id', method, target: `/api/users/${id}${random.chance(0.1) ? `?${queryString(random, target)}` : ''}`, headers, ...(body !== undefined && { body }) }
}

function headerDraft (random: Random, target: Target): Draft {
  const route = fillRoute(random.pick(['/api/users', '/api/users', '/api/users/{id}', '/health', '/_mock/scenarios']), random, target)
  const headers: Array<readonly [string, HeaderValue]> = []
  const choose = (): void => {
    random.weighted<() => void>([
      [3, () => headers.push(['Sequence-Version', random.weighted<() => HeaderValue>([[4, () => random.pick(SEQUENCE_VERSIONS)], [1, () => random.pick(VERSIONS)], [2, () => junkValue(random)]])()])],
      [1, () => { headers.push(['Sequence-Version', random.pick(VERSIONS)]); headers.push(['Sequence-Version', random.pick(VERSIONS)]) }],
      [3, () => headers.push(['Prefer', random.weighted<() => HeaderValue>([[5, () => random.pick(PREFERS)], [1, () => `${random.pick(PREFERS)}, ${random.pick(PREFERS)}`], [2, () => junkValue(random)]])()])],
      [1, () => { headers.push(['Prefer', random.pick(PREFERS)]); headers.push(['Prefer', random.pick(PREFERS)]) }],
      [4, () => headers.push(['Authorization', authorizationValue(random, target)])],
      [1, () => { headers.push(['Authorization', validAuth(random, target)]); headers.push(['Authorization', authorizationValue(random, target)]) }],
      [3, () => headers.push([headerName(random), junkValue(random)])],
      [1, () => { const name = headerName(random); for (let i = random.int(2, 300); i > 0; i--) headers.push([name, random.string(random.int(0, 20), PRINTABLE)]) }],
      [1, () => { for (let i = random.int(50, 600); i > 0; i--) headers.push([`X-${i}`, random.string(random.int(0, 40), PRINTABLE)]) }],
      [1, () => headers.push(['Content-Length', '0'])],
      [1, () => headers.push(['Connection', random.pick(['close', 'keep-alive', 'Upgrade', 'foo', 'keep-alive, Authorization', 'TE'])])],
      [1, () => headers.push(['Accept', random.pick(['text/html', 'application/xml', '*/*', 'application/json;q=0', ''])])]
    ])()
  }
  const count = random.int(1, 3)
  for (let i = 0; i < count; i++) choose()
  // Valid credentials unless a junk Authorization was chosen: the junk elsewhere is then what gets judged.
  if (!headers.some(([name]) => name === 'Authorization') && random.chance(0.8)) headers.push(['Authorization', validAuth(random, target)])
  return { family: 'header', method: random.chance(0.9) ? 'GET' : 'HEAD', target: route, headers }
}

function pathDraft (random: Random, target: Target): Draft {
  const base = random.pick(['/api/users', '/api/users/{id}', '/_mock/users/{id}', '/_mock/scenarios/{id}', '/health', '/openapi.json', '/_mock/requests'])
  const route = fillRoute(base, random, target)
  const path = random.weighted<() => string>([
    [2, () => random.pick([route.replace('/api/', '/api%2F'), route.replace('/users', '%2Fusers'), `${route}%2F`, route.replaceAll('/', '%2F'), route.replace('/api/', '/api%2f'), route.replace('/', '%5C')])],
    [2, () => random.pick([route.replace('/api/', '/api/./'), route.replace('/api/', '/api/../api/'), `${route}/..`, `${route}/.`, `/api/users/../../_mock/reset`, `/%2e%2e/api/users`, `/api/users/%2e%2e/%2e%2e/_mock/reset`, `/./health`, `/../../etc/passwd`, '/api/users/../users'])],
    [1, () => random.pick([`${route}%00`, `${route}/%00`, route.replace('users', 'us%00ers'), `/api/users/%00${uuid(random)}`])],
    [1, () => random.pick([route.replace('/', '//'), `${route}/`, `${route}//`, route.replaceAll('/', '//'), `/${route}`])],
    [1, () => `${route}/${'a'.repeat(random.pick([500, 2000, 8000, 8200, 9000, 20000, 70000]))}`],
    [1, () => `/api/users/${garbageSegment(random)}`],
    [1, () => `/_mock/users/${garbageSegment(random)}`],
    [1, () => random.pick([route.toUpperCase(), route.replace('api', 'Api'), `${route}#fragment`, `${route}?`, `${route}??`, `${route};x=1`, `${route}\\`, route.replace('/users', '\\users'), `${route}%`, `${route}%zz`, `${route}%20`, `${route}.json`, `${route}~`])],
    [1, () => random.pick(['*', `http://127.0.0.1:${target.port}${route}`, `http://127.0.0.1${route}`, `HTTP://LOCALHOST${route}`, `//127.0.0.1${route}`, '/api/users?' + 'x'.repeat(9000)])],
    [1, () => `${route}${utf8Bytes(random.pick(['/ü', '/日本', '\u202e', '/\u{1f600}', '/é']))}`]
  ])()
  return { family: 'path', method: random.pick(['GET', 'GET', 'GET', 'HEAD', 'DELETE', 'PUT', 'POST']), target: path, headers: apiHeaders(random, target) }
}

function methodDraft (random: Random, target: Target): Draft {
  const method = random.chance(0.6) ? random.pick(METHODS) : random.pick(OTHER_METHODS)
  return { family: 'method', method, target: fillRoute(random.pick(ROUTES), random, target), headers: apiHeaders(random, target) }
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'application/json;charset=UTF-8', 'application/json, text/plain', 'application/vnd.api+json', 'application/jsonx', 'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', ';', '*/*', 'application/json; boundary=', 'application/json; charset="', 'text/json']

function bodyDraft (random: Random, target: Target): Draft {
  const method = random.pick(['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'OPTIONS'])
  const route = fillRoute(random.pick(ROUTES), random, target)
  const headers = apiHeaders(random, target)
  if (random.chance(0.85)) headers.push(['Content-Type', random.pick(CONTENT_TYPES)])
  const body = random.chance(0.02)
    ? Buffer.alloc(random.pick([1024 * 1024 + 1, 2 * 1024 * 1024]), random.pick(['a', '[', ' ']))
    : Buffer.from(jsonBody(random, random.pick(['put', 'user', 'users', 'scenario', 'any'])), 'latin1')
  if (random.chance(0.1)) {
    // Chunked rather than Content-Length framing, well formed.
    headers.push(['Transfer-Encoding', 'chunked'])
    return { family: 'body', method, target: route, headers, body: chunked(body, random) }
  }
  return { family: 'body', method, target: route, headers, body }
}

function chunked (body: Buffer, random: Random): Buffer {
  const parts: Buffer[] = []
  for (let at = 0; at < body.length;) {
    const size = Math.min(body.length - at, random.int(1, 4096))
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), body.subarray(at, at + size), Buffer.from('\r\n'))
    at += size
  }
  parts.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(parts)
}

/** Admin requests: the routes of /_mock with junk bodies, queries and ids; with a token, Bearer headers right and wrong. */
function adminDraft (random: Random, target: Target): Draft {
  const headers: Array<readonly [string, HeaderValue]> = []
  if (target.adminToken !== undefined && random.chance(0.6)) headers.push(['Authorization', `Bearer ${target.adminToken}`])
  else if (random.chance(target.adminToken === undefined ? 0.2 : 0.8)) headers.push(['Authorization', adminAuthorization(random, target)])
  const json = (kind: 'user' | 'users' | 'scenario' | 'any'): Buffer => {
    headers.push(['Content-Type', random.chance(0.9) ? 'application/json' : random.pick(CONTENT_TYPES)])
    return Buffer.from(jsonBody(random, kind), 'latin1')
  }
  const draft = random.weighted<() => Omit<Draft, 'family' | 'headers'>>([
    [2, () => ({ method: 'POST', target: '/_mock/reset', ...(random.chance(0.3) && { body: json('any') }) })],
    [5, () => ({ method: 'POST', target: '/_mock/users', body: json('user') })],
    [2, () => ({ method: 'PUT', target: '/_mock/users', body: json('users') })],
    [3, () => ({ method: 'DELETE', target: `/_mock/users/${random.chance(0.5) ? userId(random, target) : garbageSegment(random)}` })],
    [3, () => ({ method: 'GET', target: `/_mock/requests${random.chance(0.8) ? `?${adminQuery(random)}` : ''}` })],
    [1, () => ({ method: 'DELETE', target: '/_mock/requests' })],
    [2, () => ({ method: 'GET', target: '/_mock/scenarios' })],
    [4, () => ({ method: 'POST', target: '/_mock/scenarios', body: json('scenario') })],
    [1, () => ({ method: 'DELETE', target: '/_mock/scenarios' })],
    [2, () => ({ method: 'DELETE', target: `/_mock/scenarios/${random.chance(0.3) ? uuid(random) : garbageSegment(random)}` })],
    [2, () => ({ method: 'GET', target: `/_mock/report${random.chance(0.7) ? `?${random.pick(['format=text', 'format=json', 'format=xml', 'format=', 'format=text&format=json', 'x=1', 'format[]=text', `format=${encode(random.string(random.length(100), PRINTABLE))}`])}` : ''}` })],
    [1, () => ({ method: 'DELETE', target: '/_mock/report' })],
    [2, () => ({ method: random.pick([...METHODS, ...OTHER_METHODS]), target: random.pick(['/_mock/reset', '/_mock/users', '/_mock/requests', '/_mock/scenarios', '/_mock/report', '/_mock', '/_mock/', `/_mock/${garbageSegment(random)}`]) })]
  ])()
  return { family: 'admin', headers, ...draft }
}

function adminAuthorization (random: Random, target: Target): HeaderValue {
  const token = target.adminToken ?? 'token'
  return random.weighted<() => HeaderValue>([
    [3, () => random.pick(['Bearer', 'Bearer ', 'Bearer  ', 'bearer x', `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Bearer ${token.toUpperCase()}`, `Bearer  ${token}`, `Bearer ${token} `, `bearer ${token}`, `Basic ${token}`, `${token}`, `Bearer ${token}, Bearer ${token}`, 'Basic a2V5OnNlY3JldA=='])],
    [1, () => `Bearer ${random.string(random.length(20000), BASE64_ALPHABET)}`],
    [1, () => junkValue(random)]
  ])()
}

function adminQuery (random: Random): string {
  const parts: string[] = []
  for (let i = random.int(1, 3); i > 0; i--) {
    parts.push(random.pick([
      `clientId=${encode(random.string(random.length(100), PRINTABLE))}`, 'clientId=key', `path=${encode(random.pick(['/api/users', '/api/users/x', '', '%00', 'x'.repeat(3000)]))}`,
      `status=${random.pick(['200', '401', '99', '600', 'abc', '', '4e2', '-1', '200.5', '200&status=401'])}`, `limit=${limitValue(random)}`, 'unknown=1', 'limit', '__proto__[x]=1'
    ]))
  }
  return parts.join('&')
}

function corsDraft (random: Random, target: Target): Draft {
  const headers: Array<readonly [string, HeaderValue]> = []
  if (random.chance(0.8)) headers.push(['Origin', random.weighted<() => HeaderValue>([[4, () => random.pick(['http://localhost:3000', 'https://example.com', 'null', 'file://', 'http://localhost:3000/', 'http://a b', '*', ''])], [1, () => junkValue(random)]])()])
  if (random.chance(0.6)) headers.push(['Access-Control-Request-Method', random.pick(['GET', 'PUT', 'DELETE', 'POST', 'PATCH', 'get', '', 'FOO', 'GET, PUT', 'x'.repeat(5000)])])
  if (random.chance(0.5)) headers.push(['Access-Control-Request-Headers', random.pick(['authorization', 'Authorization, Sequence-Version', 'prefer, content-type', 'x-junk', '', ',,,', 'a'.repeat(9000), 'authorization,authorization'])])
  if (random.chance(0.3)) headers.push(['Authorization', validAuth(random, target)])
  const method = random.chance(0.8) ? 'OPTIONS' : random.pick(['GET', 'HEAD', 'PUT', 'DELETE'])
  return { family: 'cors', method, target: fillRoute(random.pick(ROUTES), random, target), headers }
}

/** Ordinary requests among the hostile ones, so that the server keeps doing its real work. */
function validDraft (random: Random, target: Target): Draft {
  const headers = apiHeaders(random, target)
  return random.weighted<() => Draft>([
    [4, () => ({ family: 'valid', method: 'GET', target: `/api/users?limit=${random.int(1, 100)}${random.chance(0.6) && target.cursors.length > 0 ? `&${random.pick(['after', 'before'])}=${encode(random.pick(target.cursors))}` : ''}`, headers })],
    [2, () => ({ family: 'valid', method: 'GET', target: `/api/users/${userId(random, target)}`, headers })],
    [1, () => ({ family: 'valid', method: 'HEAD', target: '/api/users', headers })],
    [1, () => ({ family: 'valid', method: 'DELETE', target: `/api/users/${userId(random, target)}`, headers })],
    [1, () => ({ family: 'valid', method: 'PUT', target: `/api/users/${userId(random, target)}`, headers: [['Authorization', validAuth(random, target)], ['Sequence-Version', random.pick(['2024-01-01', '2024-05-09'])], ['Content-Type', 'application/json']], body: Buffer.from(JSON.stringify({ sequenceAccountIds: random.chance(0.5) ? [ACCOUNT_ID] : [] })) })],
    [1, () => ({ family: 'valid', method: 'GET', target: random.pick(['/health', '/openapi.json']), headers: [] })],
    [1, () => ({ family: 'valid', method: 'GET', target: '/api/users', headers: [...headers, ['Prefer', random.pick(['code=429', 'code=404', 'code=401', 'code=400', 'delay=5', 'code=503, retry-after=2', 'code=500'])]] })]
  ])()
}

// ——— JSON bodies ———

/** A body for `kind`: mostly near-valid JSON with one thing wrong, sometimes not JSON at all. Latin1: one character per byte. */
function jsonBody (random: Random, kind: 'put' | 'user' | 'users' | 'scenario' | 'any'): string {
  return random.weighted<() => string>([
    [6, () => JSON.stringify(nearValid(random, kind))],
    [2, () => random.pick(['', ' ', '{', '}', '[', 'null', '[]', '{}', '"x"', '1', '-0', 'true', '1e999', '{"a":1,}', '{a:1}', "{'a':1}", '{"a":1}{"b":2}', '\ufeff{}', 'NaN', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '"\\'])],
    [1, () => random.pick(['[', '{"a":']).repeat(random.pick([100, 1000, 10000, 50000]))],
    [1, () => JSON.stringify({ s: 'x'.repeat(random.pick([1000, 100000, 600000])) })],
    [1, () => random.bytes(random.length(2000)).toString('latin1')],
    [1, () => utf8Bytes(JSON.stringify({ email: '日本@例え.jp', sequenceAccountIds: ['ü'] }))],
    [1, () => JSON.stringify(Object.fromEntries(Array.from({ length: random.pick([100, 5000]) }, (_, i) => [`k${i}`, i])))]
  ])()
}

function nearValid (random: Random, kind: 'put' | 'user' | 'users' | 'scenario' | 'any'): unknown {
  switch (kind) {
    case 'put': return breakOne(random, { sequenceAccountIds: [ACCOUNT_ID, uuid(random)] })
    case 'user': return breakOne(random, newUser(random))
    case 'users': {
      const users = Array.from({ length: random.int(0, 4) }, () => random.chance(0.8) ? newUser(random) : breakOne(random, newUser(random)))
      return random.chance(0.3) ? { items: users } : users
    }
    case 'scenario': return breakOne(random, {
      match: { method: random.pick(['GET', 'get', 'PUT', 'DELETE']), path: random.pick(['/api/users', '/api/users/{id}', '/api/users/{x}', '/api']), clientId: random.pick(['key', 'fuzz', 'nobody']) },
      // Never a 5xx and never a long delay: a simulated 500 or a 60-second wait would read as a fault or a hang.
      response: { code: random.pick([400, 401, 404, 429]), delay: random.pick([0, 5, 20]), retryAfter: random.pick([1, 2, 30]) },
      times: random.int(1, 3)
    })
    case 'any': return breakOne(random, { a: 1, b: [true, null], c: { d: 'e' } })
  }
}

function newUser (random: Random): Record<string, unknown> {
  const user: Record<string, unknown> = {
    email: `fuzz.${random.string(10, HEX)}@example.com`,
    sequenceAccountIds: [ACCOUNT_ID],
    state: random.pick(['active', 'inactive', 'deleted']),
    roles: [random.pick(ROLES)]
  }
  if (random.chance(0.3)) user['id'] = uuid(random)
  if (random.chance(0.3)) user['createdAt'] = `202${random.int(1, 5)}-0${random.int(1, 9)}-1${random.int(0, 9)}T10:00:00.${random.string(6, '0123456789')}Z`
  return user
}

const WRONG_VALUES: readonly unknown[] = [null, '', 'x', -1, 0, 1.5, 1e308, true, [], {}, ['x'], [null], 'ü', 'a'.repeat(10000), '2025-02-30T00:00:00Z', '-271821-04-20T00:00:00Z', '9999-12-31T23:59:59.999999Z', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'A@B', '<script>', '../../etc/passwd', { $ref: '#' }, [1, 1], 4e2, '429', 418, 999, 60001, 'GET']

/** The object with one field removed, set to a wrong value, or joined by an unknown one; sometimes left valid. */
function breakOne (random: Random, value: Record<string, unknown>): unknown {
  const copy: Record<string, unknown> = { ...value }
  const keys = Object.keys(copy)
  random.weighted<() => void>([
    [2, () => {}],
    [2, () => { delete copy[random.pick(keys)] }],
    [4, () => { const key = random.pick(keys); copy[key] = breakNested(random, copy[key]) }],
    [1, () => { copy[random.pick(['extra', '__proto__', 'constructor', 'prototype', 'ID', ''])] = random.pick(WRONG_VALUES) }],
    [1, () => { copy[random.pick(keys)] = random.pick(WRONG_VALUES) }]
  ])()
  return copy
}

function breakNested (random: Random, value: unknown): unknown {
  if (Array.isArray(value)) return random.pick([[...value, random.pick(WRONG_VALUES)], [...value, ...value], [], Array.from({ length: random.pick([100, 10000]) }, () => value[0]), value.map(() => random.pick(WRONG_VALUES))])
  if (typeof value === 'object' && value !== null) return breakOne(random, value as Record<string, unknown>)
  return random.pick(WRONG_VALUES)
}
