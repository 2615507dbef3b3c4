// Properties: cursors round-trip, and any input through the app gets a valid answer or a 4xx in the one envelope, never a throw, a 5xx or an internal detail.
import assert from 'node:assert/strict'
import t, { type Test } from 'tap'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { Value } from 'typebox/value'
import { UserPageSchemas, UserSchemas } from '../src/contract/schemas.js'
import { API_VERSIONS, LATEST_VERSION, type ApiVersion } from '../src/contract/versions.js'
import { decodeCursor, encodeCursor, type Cursor } from '../src/data/cursor.js'
import { parameters } from './fc-parameters.js'
import { AUTH, build, JSON_UTF8, type Reply } from './helper.js'

// Thousands of requests per property; on a busy 2-core machine the file takes well under this.
t.setTimeout(240_000)

const USERS = 30
const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
/** A UUID in its textual form, any case (RFC 9562 section 4): no braces, no `urn:uuid:`. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const LIMIT_MESSAGE = 'Invalid limit: must be an integer between 1 and 100 (inclusive).'
const UNRECOGNISED_VERSION = { error: { type: 'UnrecognisedApiVersion', message: 'No matching API version found. Please make sure the specified API version is valid.' } }
const BASIC_CHALLENGE = 'Basic realm="Sequence", charset="UTF-8"'

/** One tap assertion per property: the counterexample, its seed and the error are the failure's message. */
async function holds<Ts> (t: Test, property: fc.IRawProperty<Ts>, numRuns: number): Promise<void> {
  const details = await fc.check(property, parameters(numRuns) as fc.Parameters<Ts>)
  t.notOk(details.failed, details.failed ? fc.defaultReportMessage(details) ?? 'failed' : `${details.numRuns} cases`)
}

// ---------------------------------------------------------------------------------------------
// Inputs: what a real HTTP client can send.

/** A character a header value can carry on the wire: tab, visible ASCII and space, and the bytes 0x80–0xff (read as latin1). */
const headerChar = fc.oneof(
  fc.constant('\t'),
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code))
)
/** A header value as a server receives it: HTTP strips leading and trailing spaces and tabs. */
const headerText = fc.string({ unit: headerChar, maxLength: 80 }).map((text) => text.replace(/^[\t ]+|[\t ]+$/g, ''))
/** Any text at all: every code point, ASCII control characters, or printable graphemes. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 })
)

/** A query value as sent: any text URL-encoded, raw bytes percent-encoded one by one (not UTF-8), or broken escapes. */
const rawQueryValue = fc.oneof(
  anyText.map(encodeURIComponent),
  fc.string({ unit: 'binary-ascii', maxLength: 40 })
    .map((text) => [...text].map((c) => /[A-Za-z0-9._~-]/.test(c) ? c : `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')),
  fc.array(fc.constantFrom('%', '%z', '%zz', '%e9', '%c3%28', '%00', '+', '=', '%2B', '%26', 'a', '/', '?', '..'), { maxLength: 8 }).map((parts) => parts.join(''))
)

/** Texts near a cursor: base64 of `<id>#<micros>#<direction>` with each part sometimes wrong. */
const cursorLikeText = fc.tuple(
  fc.oneof(fc.uuid(), fc.uuid().map((id) => id.toUpperCase()), fc.constant('00000000-0000-4000-8000-000000000000'), anyText),
  fc.constantFrom('#', '#', '#', '', '##', ':'),
  fc.oneof(
    fc.maxSafeNat().map(String),
    fc.nat().map((n) => `00${n}`),
    fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
    fc.constantFrom('', '-1', ' 1', '1.5', '1e3', '9007199254740992', '99999999999999999')
  ),
  fc.constantFrom('#', '#', '#', '', '# '),
  fc.constantFrom('DESC', 'ASC', 'desc', 'Asc', '', 'DESC ', 'DESCX')
).map((parts) => parts.join(''))

const cursorText = fc.oneof(
  cursorLikeText.map((text) => Buffer.from(text, 'latin1').toString('base64')),
  cursorLikeText.map((text) => Buffer.from(text, 'latin1').toString('base64').replace(/=+$/, '')),
  cursorLikeText.map((text) => Buffer.from(text, 'latin1').toString('base64url')),
  fc.base64String({ maxLength: 140 }),
  anyText
)

const version = fc.constantFrom(...API_VERSIONS)

// ---------------------------------------------------------------------------------------------
// What every answer must be.

const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a stack frame', /\bat [^"]*:\d+:\d+|\\n\s+at /],
  ['a file path', /\/work\/|node_modules|\.[cm]?[jt]s:\d/],
  ['a library name', /fastify|\bajv\b|typebox|avvio|pino|FST_/i]
]

/** No internal detail, unless the request itself sent it (messages quote the id or the path they refuse). */
function assertNoLeak (body: string, sent: InjectOptions): void {
  const request = `${JSON.stringify(sent)} ${safeDecode(String(sent.url))}`.toLowerCase()
  for (const [what, pattern] of LEAKS) {
    const found = pattern.exec(body)?.[0]
    if (found !== undefined && !request.includes(found.toLowerCase())) assert.fail(`${what} in the body: ${JSON.stringify(found)} in ${body}`)
  }
}

function safeDecode (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

interface ErrorDetail { code: string, message: string, key: string, errors: unknown[] }
interface ErrorBody { type: string, message: string, errors?: ErrorDetail[] }

/** `{"error":{"type","message"}}` with nothing else, `errors` a list of details when present, as JSON in UTF-8. */
function assertEnvelope (res: Reply): ErrorBody {
  assert.equal(res.headers['content-type'], JSON_UTF8, `content-type of ${res.statusCode} ${res.body}`)
  const body = JSON.parse(res.body) as { error: ErrorBody }
  assert.deepEqual(Object.keys(body), ['error'], res.body)
  assert.ok(['type,message', 'type,message,errors'].includes(Object.keys(body.error).join()), res.body)
  assert.equal(typeof body.error.type, 'string', res.body)
  assert.equal(typeof body.error.message, 'string', res.body)
  if (body.error.errors !== undefined) {
    assert.ok(Array.isArray(body.error.errors) && body.error.errors.length > 0, res.body)
    for (const detail of body.error.errors) {
      assert.deepEqual(Object.keys(detail), ['code', 'message', 'key', 'errors'], res.body)
      assert.ok(typeof detail.code === 'string' && typeof detail.message === 'string' && typeof detail.key === 'string' && Array.isArray(detail.errors), res.body)
    }
  }
  return body.error
}

/**
 * Sends the request: the answer is below 500, a 4xx is the envelope (a HEAD's has no body), and no
 * body carries an internal detail; a 2xx is for `ok` to judge.
 */
async function answer (app: FastifyInstance, sent: InjectOptions, ok: (res: Reply) => void = () => {}): Promise<Reply> {
  const res = await app.inject(sent)
  assert.ok(res.statusCode >= 200 && res.statusCode < 500, `status ${res.statusCode}: ${res.body}`)
  assertNoLeak(res.body, sent)
  if (res.statusCode < 400) ok(res)
  else if (sent.method !== 'HEAD') assertEnvelope(res)
  else {
    assert.equal(res.headers['content-type'], JSON_UTF8)
    assert.equal(res.body, '')
  }
  return res
}

/** A 400 validationError whose only detail names `key` (and says `message`, when given). */
function assertValidationError (res: Reply, key: string, message?: string): void {
  assert.equal(res.statusCode, 400, res.body)
  const error = assertEnvelope(res)
  assert.equal(error.type, 'validationError', res.body)
  assert.equal(error.message, 'Request data validation failed', res.body)
  assert.deepEqual(error.errors?.map((detail) => detail.key), [key], res.body)
  if (message !== undefined) assert.equal(error.errors?.[0]?.message, message, res.body)
}

const USER_KEYS: Readonly<Record<ApiVersion, string>> = {
  '2024-01-01': 'id,email,sequenceAccountIds,state',
  '2024-05-09': 'id,email,sequenceAccountIds,state',
  '2024-07-30': 'id,email,sequenceAccountIds,state,roles'
}

function assertUser (user: unknown, version: ApiVersion): void {
  assert.ok(Value.Check(UserSchemas[version], user), `a ${version} user: ${JSON.stringify(user)}`)
  assert.equal(Object.keys(user as object).join(), USER_KEYS[version])
}

/** A page in the version's documented shape, fields in the documented order, at most `limit` users. */
function assertPage (res: Reply, version: ApiVersion, limit = 100): { items: Array<{ id: string }>, pagination: Record<string, unknown> } {
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.headers['content-type'], JSON_UTF8)
  assert.equal(res.headers['sequence-version'], version)
  const body = res.json() as { items: Array<{ id: string }>, pagination: Record<string, unknown> }
  assert.ok(Value.Check(UserPageSchemas[version], body), `a ${version} page: ${res.body}`)
  assert.equal(Object.keys(body).join(), 'items,pagination')
  for (const user of body.items) assertUser(user, version)
  const keys = Object.keys(body.pagination).join()
  if (version === '2024-07-30') assert.equal(keys, 'after,before,totalResultSize')
  else assert.ok(['totalResultSize', 'after,totalResultSize', 'before,totalResultSize', 'after,before,totalResultSize'].includes(keys), keys)
  assert.ok(body.items.length <= limit, `${body.items.length} users, limit ${limit}`)
  return body
}

const apiGet = (url: string, headers: Record<string, string> = {}): InjectOptions =>
  ({ method: 'GET', url, headers: { authorization: AUTH, ...headers } })

/** The example users' ids, newest first. */
async function userIds (app: FastifyInstance): Promise<string[]> {
  return ((await app.inject(apiGet('/api/users?limit=100'))).json() as { items: Array<{ id: string }> }).items.map((user) => user.id)
}

const reset = async (app: FastifyInstance): Promise<void> => {
  const res = await app.inject({ method: 'POST', url: '/_mock/reset' })
  assert.equal(res.statusCode, 200, res.body)
}

// ---------------------------------------------------------------------------------------------
// The cursor, a pure function.

const position = fc.record({ id: fc.uuid(), createdAtMicros: fc.oneof(fc.maxSafeNat(), fc.integer({ min: 0, max: 4_000_000_000_000_000 })) })
const direction = fc.constantFrom('DESC' as const, 'ASC' as const)

t.test('any position encodes to padded base64 of id#micros#direction that decodes to the same position', async (t) => {
  await holds(t, fc.property(position, direction, (at, dir) => {
    const text = encodeCursor(at, dir)
    assert.match(text, /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/)
    assert.equal(Buffer.from(text, 'base64').toString('utf8'), `${at.id}#${at.createdAtMicros}#${dir}`)
    assert.deepEqual(decodeCursor(text), { id: at.id, createdAtMicros: at.createdAtMicros, direction: dir })
  }), 2000)
})

/** Independent of the decoder: what the cursor's text must be to stand for a position. */
function cursorOf (latin1: string): Cursor | undefined {
  const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})#(\d+)#(DESC|ASC)$/.exec(latin1)
  if (match === null || match[2]!.length > 16 || !Number.isSafeInteger(Number(match[2]))) return undefined
  return { id: match[1]!, createdAtMicros: Number(match[2]), direction: match[3] as Cursor['direction'] }
}

t.test('decoding any text never throws: it gives a position a cursor can carry, or nothing', async (t) => {
  await holds(t, fc.property(cursorText, (text) => {
    const cursor = decodeCursor(text)
    if (cursor === undefined) return
    assert.match(cursor.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    assert.ok(Number.isSafeInteger(cursor.createdAtMicros) && cursor.createdAtMicros >= 0, String(cursor.createdAtMicros))
    assert.ok(cursor.direction === 'DESC' || cursor.direction === 'ASC')
    assert.deepEqual(decodeCursor(encodeCursor(cursor, cursor.direction)), cursor, 'its own encoding decodes to it')
  }), 3000)
})

t.test('padded base64 of a text is a cursor exactly when the text is <lower-case uuid>#<digits>#DESC|ASC', async (t) => {
  await holds(t, fc.property(cursorLikeText, (text) => {
    const bytes = Buffer.from(text, 'latin1')
    assert.deepEqual(decodeCursor(bytes.toString('base64')), bytes.length === 0 ? undefined : cursorOf(text))
  }), 3000)
})

// ---------------------------------------------------------------------------------------------
// The list's query.

t.test('any limit: the digits of 1 to 100 get that many users (or all there are), anything else 400 naming limit', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const limitText = fc.oneof(
    fc.integer({ min: -5, max: 205 }).map(String),
    fc.tuple(fc.constantFrom('', '0', '00', '+', '-', ' ', '\t'), fc.integer({ min: 0, max: 120 }), fc.constantFrom('', '.0', '.5', 'e0', ' ', 'x', '%')).map((parts) => parts.join('')),
    anyText
  )
  await holds(t, fc.asyncProperty(limitText, version, async (limit, v) => {
    const sent = apiGet(`/api/users?limit=${encodeURIComponent(limit)}`, { 'sequence-version': v })
    const res = await answer(app, sent)
    if (/^0*(?:[1-9][0-9]?|100)$/.test(limit)) assert.equal(assertPage(res, v).items.length, Math.min(Number(limit), USERS))
    else assertValidationError(res, 'limit', LIMIT_MESSAGE)
  }), 300)
})

t.test('any after or before: a cursor gets a page, any other text 400 naming the parameter', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  await holds(t, fc.asyncProperty(cursorText, fc.constantFrom('after', 'before'), version, fc.integer({ min: 1, max: 100 }), async (text, key, v, limit) => {
    const res = await answer(app, apiGet(`/api/users?limit=${limit}&${key}=${encodeURIComponent(text)}`, { 'sequence-version': v }))
    if (decodeCursor(text) !== undefined) assertPage(res, v, limit)
    else assertValidationError(res, key, `Invalid ${key}: not a cursor from this API. Pass pagination.after or pagination.before of a previous page unchanged (URL-encoded).`)
  }), 300)
})

t.test('any query, repeated parameters and broken escapes included, gets a page or a 4xx in the envelope', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const parameter = fc.tuple(fc.constantFrom('limit', 'after', 'before', 'Limit', 'x', '', 'limit[]', 'after%00'), fc.option(rawQueryValue, { nil: undefined }))
    .map(([name, value]) => value === undefined ? name : `${name}=${value}`)
  await holds(t, fc.asyncProperty(fc.array(parameter, { maxLength: 5 }), version, async (parameters, v) => {
    await answer(app, apiGet(`/api/users?${parameters.join('&')}`, { 'sequence-version': v }), (res) => assertPage(res, v))
  }), 300)
})

// ---------------------------------------------------------------------------------------------
// Headers.

t.test('any Sequence-Version: one of the three versions serves that version, anything else gets exactly the UnrecognisedApiVersion 400', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const versionText = fc.oneof(version, version.map((v) => v.replace(/-/g, '')), headerText, fc.constantFrom('2024-07-31', '2024-07-30, 2024-05-09', 'latest', ''))
  await holds(t, fc.asyncProperty(versionText, fc.constantFrom('/api/users?limit=3', '/api/users/00000000-0000-4000-8000-000000000000'), async (text, url) => {
    const res = await answer(app, apiGet(url, { 'sequence-version': text }))
    if ((API_VERSIONS as readonly string[]).includes(text)) {
      assert.equal(res.headers['sequence-version'], text)
      if (url.includes('?')) assertPage(res, text as ApiVersion)
      else assert.equal(res.statusCode, 404, res.body)
    } else {
      assert.equal(res.statusCode, 400, res.body)
      assert.deepEqual(res.json(), UNRECOGNISED_VERSION)
      assert.equal(res.headers['sequence-version'], LATEST_VERSION)
    }
  }), 300)
})

/** Whether an Authorization value names client id `key` and secret `secret` in the Basic scheme. */
function namesExampleKey (header: string): boolean {
  const token = /^\s*basic\s+(\S+)\s*$/i.exec(header)?.[1]
  return token !== undefined && Buffer.from(token, 'base64').toString('utf8') === 'key:secret'
}

t.test('any Authorization: the example key gets the page, anything else 401 Unauthorized with the Basic challenge', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const credentials = fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom(':', ''), fc.string({ unit: 'binary', maxLength: 20 }))
    .map(([id, colon, secret]) => Buffer.from(`${id}${colon}${secret}`, 'utf8').toString('base64'))
  const authorization = fc.oneof(
    fc.constant(AUTH),
    fc.tuple(fc.constantFrom('Basic', 'basic', 'BASIC', 'Bearer', 'Basic:', ''), fc.constantFrom(' ', '  ', '\t', ''), fc.oneof(credentials, fc.constantFrom('a2V5OnNlY3JldA==', 'a2V5OnNlY3JldA', 'a2V5OnNlY3JldA=', 'a2V5Og==', 'OnNlY3JldA==', 'a2V5OnNlY3JldA==='))).map((parts) => parts.join('')),
    headerText
  )
  await holds(t, fc.asyncProperty(authorization, fc.constantFrom('/api/users?limit=2', '/api/users'), async (header, url) => {
    const res = await answer(app, { method: 'GET', url, headers: { authorization: header } })
    if (header === AUTH) assert.equal(res.statusCode, 200, res.body)
    if (res.statusCode === 200) {
      assert.ok(namesExampleKey(header), `${JSON.stringify(header)} is not key:secret, yet answered 200`)
      assertPage(res, LATEST_VERSION)
    } else {
      assert.equal(res.statusCode, 401, res.body)
      assert.equal(assertEnvelope(res).type, 'Unauthorized')
      assert.equal(res.headers['www-authenticate'], BASIC_CHALLENGE)
    }
  }), 300)
})

const SIMULATED_500 = { error: { type: 'InternalServerError', message: 'The mock failed to handle this request; the details are in its log.' } }

t.test('any Prefer: what it asks for when the mock understands it, 400 naming Prefer when it does not, never an unasked 5xx', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const spelled = (name: string, value: number): fc.Arbitrary<string> =>
    fc.tuple(fc.mixedCase(fc.constant(name)), fc.constantFrom('=', ' =', '= ', ' = '), fc.boolean())
      .map(([n, equals, quoted]) => `${n}${equals}${quoted ? `"${value}"` : value}`)
  // Small delays only: a case must not make the run slow.
  const understood = fc.record({
    code: fc.option(fc.constantFrom(400, 401, 404, 429, 500, 503), { nil: undefined }),
    delay: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    retryAfter: fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined })
  }).filter(({ code, delay, retryAfter }) => code !== undefined || delay !== undefined || retryAfter !== undefined)
    .chain(({ code, delay, retryAfter }) => fc.tuple(
      fc.tuple(...[
        ...(code === undefined ? [] : [spelled('code', code)]),
        ...(delay === undefined ? [] : [spelled('delay', delay)]),
        ...(retryAfter === undefined ? [] : [spelled('retry-after', retryAfter)])
      ]).chain((parts) => fc.shuffledSubarray(parts, { minLength: parts.length })),
      fc.constantFrom(', ', ',', ' ,', ',,', ' , ')
    ).map(([parts, separator]) => ({ header: parts.join(separator), expect: code ?? 'none' as const })))
  const refused = fc.constantFrom('return=minimal', 'code=418', 'code=abc', 'delay=60001', 'delay=-1', 'code=429;x', 'code=', 'code=400, code=400', 'retry-after=86401', ',', 'code=500 delay=1')
    .map((header) => ({ header, expect: 'refused' as const }))
  const random = headerText.filter((text) => !/delay/i.test(text)).map((header) => ({ header, expect: 'any' as const }))
  await holds(t, fc.asyncProperty(fc.oneof(understood, refused, random), fc.constantFrom('/api/users?limit=2', `/api/users/${ACCOUNT_ID}`), async ({ header, expect }, url) => {
    const sent = apiGet(url, { prefer: header })
    const res = await app.inject(sent)
    assertNoLeak(res.body, sent)
    if (res.statusCode >= 400) assertEnvelope(res)
    if (expect === 'refused') return assertValidationError(res, 'Prefer')
    if (expect === 'any') return assert.ok(res.statusCode < 500 || /code\s*=\s*"?50[03]/i.test(header), `status ${res.statusCode} for Prefer: ${header}`)
    // Without a code the request runs: a page, or the real 404 of an id no user has.
    if (expect === 'none') return assert.equal(res.statusCode, url.includes('?') ? 200 : 404, res.body)
    assert.equal(res.statusCode, expect, res.body)
    if (expect === 500) assert.deepEqual(res.json(), SIMULATED_500)
  }), 300)
})

// ---------------------------------------------------------------------------------------------
// Path ids.

t.test('any id in the path (URL-encoded): the user, or 404 NotFound naming it, in every version and method', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const ids = await userIds(app)
  const id = fc.oneof(fc.constantFrom(...ids), fc.constantFrom(...ids).map((known) => known.toUpperCase()), fc.uuid(), anyText)
  await holds(t, fc.asyncProperty(id, version, fc.constantFrom('GET', 'DELETE', 'PUT'), async (userId, v, method) => {
    const putVersion = v === '2024-07-30' ? '2024-05-09' : v
    const sent: InjectOptions = {
      method,
      url: `/api/users/${encodeURIComponent(userId)}`,
      headers: { authorization: AUTH, 'sequence-version': method === 'PUT' ? putVersion : v },
      ...(method === 'PUT' && { payload: { sequenceAccountIds: [ACCOUNT_ID] } })
    }
    const res = await answer(app, sent)
    if (res.statusCode === 414) return assert.ok(encodeURIComponent(userId).length > 100, `414 for an id of ${encodeURIComponent(userId).length} characters`)
    // URL-encoding leaves `.` and `..` as they are, and a URL resolves them (as a browser's or curl's does) before the request is sent.
    if (userId === '.' || userId === '..') return assert.deepEqual([res.statusCode, assertEnvelope(res).type], [404, 'NotFound'])
    if (ids.includes(userId)) {
      assert.equal(res.statusCode, method === 'PUT' ? 201 : 200, res.body)
      if (method === 'PUT') assert.deepEqual(res.json(), { id: userId, sequenceAccountIds: [ACCOUNT_ID] })
      else assertUser(res.json(), v)
    } else {
      assert.equal(res.statusCode, 404, res.body)
      assert.deepEqual(res.json(), { error: { type: 'NotFound', message: `No user with id ${JSON.stringify(userId)}.` } })
    }
  }), 300)
  await reset(app)
})

/** Path segments as a hostile client writes them: dot segments, encoded slashes and NULs, doubled slashes, very long ones. */
const rawSegment = fc.oneof(
  fc.array(fc.constantFrom('.', '..', '%2e', '%2E%2E', '%2F', '%2f', '%5C', '%00', '%', '%zz', '%c0%af', '%ff', ';', ':', '@', '~', 'users', 'a'), { maxLength: 6 }).map((parts) => parts.join('')),
  fc.integer({ min: 90, max: 9000 }).map((length) => 'a'.repeat(length)),
  rawQueryValue
)

t.test('any raw path under /api, /_mock and elsewhere gets an answer in the envelope', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const prefix = fc.constantFrom('/api/users/', '/api/users', '/api/', '/api', '/_mock/', '/_mock/users/', '/_mock/scenarios/', '/openapi/', '/', '/api//users/')
  // `inject` reads a path that starts with `//` as a URL with a host; raw sockets are the fuzz script's (npm run fuzz).
  const url = fc.tuple(prefix, fc.array(rawSegment, { minLength: 1, maxLength: 3 })).map(([start, segments]) => `${start}${segments.join('/')}`).filter((path) => !path.startsWith('//'))
  await holds(t, fc.asyncProperty(url, fc.constantFrom('GET', 'DELETE', 'HEAD'), async (url, method) => {
    // A 2xx is a route this mock serves, found by an odd spelling: any of its answers will do here.
    await answer(app, { method, url, headers: { authorization: AUTH } })
  }), 300)
  await reset(app)
})

// ---------------------------------------------------------------------------------------------
// Bodies.

/** JSON values, deep and shallow, with the keys and values a validator can trip on. */
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom('sequenceAccountIds', '__proto__', 'constructor', 'id', 'email', 'state', 'roles', 'createdAt', 'x'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
)

/** `sequenceAccountIds` as the API refuses or takes it: UUIDs in any case, duplicates, near misses. */
const accountIds = fc.array(fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.constant(ACCOUNT_ID),
  fc.uuid().map((id) => `urn:uuid:${id}`),
  fc.uuid().map((id) => `{${id}}`),
  fc.uuid().map((id) => id.replace(/-/g, '')),
  fc.uuid().map((id) => ` ${id}`),
  fc.uuid().map((id) => `${id.slice(0, -1)}g`),
  fc.jsonValue({ maxDepth: 1 })
), { maxLength: 4 })

/** The body as sent: JSON of a value, or any text at all. */
const updateBody = fc.oneof(
  fc.record({ sequenceAccountIds: accountIds }).map((body) => JSON.stringify(body)),
  fc.tuple(accountIds, fc.constantFrom('__proto__', 'extra', 'sequenceAccountIDs'), fc.jsonValue({ maxDepth: 1 }))
    .map(([ids, key, value]) => `{"sequenceAccountIds":${JSON.stringify(ids)},${JSON.stringify(key)}:${JSON.stringify(value)}}`),
  jsonish.map((value) => JSON.stringify(value) ?? ''),
  anyText,
  fc.constant('')
)

/** What the API takes as an update, after dropping a `__proto__` key (never applied): its account ids, else undefined. */
function validUpdate (text: string): string[] | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const keys = Object.keys(body).filter((key) => key !== '__proto__')
  const ids = (body as { sequenceAccountIds?: unknown }).sequenceAccountIds
  if (keys.join() !== 'sequenceAccountIds' || !Array.isArray(ids)) return undefined
  if (!ids.every((id) => typeof id === 'string' && UUID.test(id)) || new Set(ids).size !== ids.length) return undefined
  if (hasConstructorPrototype(body)) return undefined
  return ids as string[]
}

/** `{"constructor":{"prototype":…}}` anywhere is refused as prototype poisoning. */
function hasConstructorPrototype (value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  const constructor = Object.hasOwn(record, 'constructor') ? record['constructor'] : undefined
  if (typeof constructor === 'object' && constructor !== null && Object.hasOwn(constructor, 'prototype')) return true
  return Object.values(record).some(hasConstructorPrototype)
}

t.test('any body of PUT /api/users/{id} (2024-01-01, 2024-05-09): 201 with exactly the id and account ids when valid, else 400 validationError', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const ids = await userIds(app)
  const id = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fc.uuid() })
  await holds(t, fc.asyncProperty(updateBody, id, fc.constantFrom('2024-01-01', '2024-05-09'), async (body, userId, v) => {
    const sent: InjectOptions = { method: 'PUT', url: `/api/users/${userId}`, headers: { authorization: AUTH, 'sequence-version': v, 'content-type': 'application/json' }, payload: body }
    const res = await answer(app, sent)
    const valid = validUpdate(body)
    if (valid === undefined) {
      assert.equal(res.statusCode, 400, res.body)
      return assert.equal(assertEnvelope(res).type, 'validationError', res.body)
    }
    if (!ids.includes(userId)) return assert.deepEqual({ status: res.statusCode, body: res.json() }, { status: 404, body: { error: { type: 'NotFound', message: `No user with id "${userId}".` } } })
    assert.equal(res.statusCode, 201, res.body)
    assert.equal(res.body, JSON.stringify({ id: userId, sequenceAccountIds: valid }))
    assert.deepEqual((await app.inject(apiGet(`/api/users/${userId}`))).json().sequenceAccountIds, valid, 'the user shows the change')
  }), 300)
  await reset(app)
})

/** A user for POST /_mock/users: mostly right, each field sometimes wrong. */
const newUser = fc.record({
  id: fc.oneof(fc.uuid(), fc.uuid().map((id) => id.toUpperCase()), anyText),
  email: fc.oneof(fc.emailAddress(), anyText),
  sequenceAccountIds: accountIds,
  state: fc.oneof(fc.constantFrom('active', 'deleted'), anyText),
  roles: fc.array(fc.oneof(fc.constantFrom('admin', 'financeUser', 'salesUser', 'readOnlyUser', 'owner'), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }),
  createdAt: fc.oneof(
    fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true }).map((date) => date.toISOString()),
    anyText
  ),
  extra: jsonish
}, { requiredKeys: ['email', 'sequenceAccountIds', 'state', 'roles'] })

t.test('any body of POST /_mock/users: 201 with the stored user, then found by id, or 400 in the envelope', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  await holds(t, fc.asyncProperty(fc.oneof(newUser.map((user) => JSON.stringify(user)), jsonish.map((value) => JSON.stringify(value) ?? ''), anyText), async (body) => {
    const res = await answer(app, { method: 'POST', url: '/_mock/users', headers: { 'content-type': 'application/json' }, payload: body }, (res) => {
      assert.equal(res.statusCode, 201, res.body)
      const { createdAt, ...user } = res.json() as { createdAt: unknown, id: string }
      assert.match(String(createdAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
      assertUser(user, '2024-07-30')
    })
    if (res.statusCode === 201) {
      const { createdAt, ...user } = res.json() as { createdAt: string, id: string }
      assert.deepEqual((await app.inject(apiGet(`/api/users/${user.id}`))).json(), user)
      await reset(app)
    } else {
      assert.equal(res.statusCode, 400, res.body)
    }
  }), 200)
  await reset(app)
})

t.test('a user added with any creation time the admin API takes is walked past, both ways, with cursors the list takes back', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: '3' })
  const createdAt = fc.tuple(
    fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
    fc.integer({ min: 0, max: 999 })
  ).map(([date, micros]) => date.toISOString().replace(/Z$/, `${String(micros).padStart(3, '0')}Z`))
  /** Follows `key` from `cursor` one user a page; every page must be 200. */
  const walk = async (key: 'after' | 'before', cursor: string | undefined, v: ApiVersion): Promise<{ ids: string[], before: unknown }> => {
    const ids: string[] = []
    let before: unknown
    for (let page = 0; page < 10; page++) {
      const res = await app.inject(apiGet(`/api/users?limit=1${cursor === undefined ? '' : `&${key}=${encodeURIComponent(cursor)}`}`, { 'sequence-version': v }))
      assert.equal(res.statusCode, 200, `${key}=${cursor} (${Buffer.from(cursor ?? '', 'base64').toString('latin1')}): ${res.body}`)
      const body = assertPage(res, v, 1)
      ids.push(...body.items.map((user) => user.id))
      before = body.pagination.before
      const next = body.pagination[key]
      if (typeof next !== 'string') break
      cursor = next
    }
    return { ids, before }
  }
  await holds(t, fc.asyncProperty(createdAt, version, async (when, v) => {
    await reset(app)
    const added = await app.inject({ method: 'POST', url: '/_mock/users', payload: { email: 'then@example.com', sequenceAccountIds: [ACCOUNT_ID], state: 'active', roles: ['admin'], createdAt: when } })
    if (added.statusCode !== 201) return assertValidationError(added, 'createdAt')
    const forward = await walk('after', undefined, v)
    assert.equal(new Set(forward.ids).size, 4, `forward, limit 1: all 4 users once: ${forward.ids.join()}`)
    // Back from the last page: every user but the last, once.
    const backward = typeof forward.before === 'string' ? await walk('before', forward.before, v) : { ids: [] }
    assert.deepEqual(backward.ids, forward.ids.slice(0, -1).reverse(), 'backward from the last page')
  }), 100)
  await reset(app)
})

t.test('any body of PUT /_mock/users: 200 with the count the list then has, or 400 and the list unchanged', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const users = fc.array(newUser, { maxLength: 4 })
  const body = fc.oneof(
    users.map((list) => JSON.stringify(list)),
    users.map((list) => JSON.stringify({ items: list })),
    jsonish.map((value) => JSON.stringify(value) ?? ''),
    anyText
  )
  const total = async (): Promise<unknown> => (await app.inject(apiGet('/api/users?limit=1'))).json().pagination.totalResultSize
  await holds(t, fc.asyncProperty(body, async (text) => {
    const res = await answer(app, { method: 'PUT', url: '/_mock/users', headers: { 'content-type': 'application/json' }, payload: text }, (res) => {
      assert.equal(res.statusCode, 200, res.body)
      assert.deepEqual(Object.keys(res.json()), ['users'])
    })
    if (res.statusCode === 200) {
      assert.equal(await total(), res.json().users)
      await reset(app)
    } else {
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(await total(), USERS)
    }
  }), 200)
  await reset(app)
})

t.test('any body of POST /_mock/scenarios: 201 with the scenario, listed, or 400 and nothing added', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const scenario = fc.record({
    match: fc.record({
      method: fc.oneof(fc.mixedCase(fc.constantFrom('get', 'put', 'delete', 'head')), anyText),
      path: fc.oneof(fc.constantFrom('/api/users', '/api/users/{id}', '/api', '/api/{x}/{y}', '/other'), anyText),
      clientId: fc.oneof(fc.constantFrom('key', ''), anyText),
      other: jsonish
    }, { requiredKeys: [] }),
    response: fc.record({
      code: fc.oneof(fc.constantFrom(400, 401, 404, 429, 500, 503, 418), fc.jsonValue({ maxDepth: 0 })),
      delay: fc.oneof(fc.integer({ min: -1, max: 60_001 }), fc.jsonValue({ maxDepth: 0 })),
      retryAfter: fc.oneof(fc.integer({ min: -1, max: 86_401 }), fc.jsonValue({ maxDepth: 0 }))
    }, { requiredKeys: [] }),
    times: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.jsonValue({ maxDepth: 0 })),
    other: jsonish
  }, { requiredKeys: [] })
  const listed = async (): Promise<number> => ((await app.inject({ method: 'GET', url: '/_mock/scenarios' })).json() as { scenarios: unknown[] }).scenarios.length
  await holds(t, fc.asyncProperty(fc.oneof(scenario.map((value) => JSON.stringify(value)), jsonish.map((value) => JSON.stringify(value) ?? ''), anyText), async (text) => {
    const res = await answer(app, { method: 'POST', url: '/_mock/scenarios', headers: { 'content-type': 'application/json' }, payload: text }, (res) => {
      assert.equal(res.statusCode, 201, res.body)
      assert.deepEqual(Object.keys(res.json()), ['id', 'match', 'response', 'times', 'fired'])
    })
    if (res.statusCode === 201) {
      assert.equal(await listed(), 1)
      await reset(app)
    } else {
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(await listed(), 0)
    }
  }), 200)
  await reset(app)
})

// ---------------------------------------------------------------------------------------------
// Every method, every route, any body, and the admin token.

t.test('any method on any route, with any body and content type, gets an answer in the envelope', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  const [someId] = await userIds(app)
  const route = fc.constantFrom('/api/users', `/api/users/${someId}`, '/api/users/nobody', '/api', '/health', '/openapi.json', '/openapi/2024-01-01.json',
    '/_mock/reset', '/_mock/users', `/_mock/users/${someId}`, '/_mock/requests', '/_mock/scenarios', '/_mock/scenarios/nothing', '/_mock/report', '/nowhere')
  const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'QUERY', 'LOCK', 'MKCOL')
  const contentType = fc.option(fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/jsonx', 'json', ''), headerText), { nil: undefined })
  const body = fc.option(fc.oneof(jsonish.map((value) => JSON.stringify(value) ?? ''), anyText), { nil: undefined })
  await holds(t, fc.asyncProperty(method, route, contentType, body, version, async (verb, url, type, payload, v) => {
    const headers: Record<string, string> = { authorization: AUTH, 'sequence-version': v, ...(type !== undefined && { 'content-type': type }) }
    // Every write to the data is undone below; the mock's own 2xx bodies are judged by the other properties.
    await answer(app, { method: verb as InjectOptions['method'], url, headers, ...(payload !== undefined && { payload }) })
    if (verb !== 'GET' && verb !== 'HEAD') await reset(app)
  }), 300)
  await reset(app)
})

t.test('with an admin token, any Authorization but its Bearer gets 401 on /_mock, in the envelope with the Bearer challenge', async (t) => {
  const token = 'adm1n-T0ken'
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS), SEQUENCE_MOCK_ADMIN_TOKEN: token })
  const authorization = fc.oneof(
    fc.tuple(fc.constantFrom('Bearer', 'bearer', 'Basic', ''), fc.constantFrom(' ', '  ', ''), fc.oneof(fc.constantFrom(token, `${token}x`, token.toLowerCase(), token.slice(1)), headerText)).map((parts) => parts.join('')),
    headerText
  )
  await holds(t, fc.asyncProperty(fc.option(authorization, { nil: undefined }), fc.constantFrom('/_mock/requests', '/_mock/scenarios', '/_mock/report'), async (header, url) => {
    const res = await answer(app, { method: 'GET', url, headers: header === undefined ? {} : { authorization: header } })
    if (header !== undefined && /^bearer +/i.test(header) && header.replace(/^bearer +/i, '') === token) return assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.statusCode, 401, res.body)
    assert.equal(assertEnvelope(res).type, 'Unauthorized')
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="sequence-mock"')
    assert.ok(!res.body.includes(token), 'the token is never shown')
  }), 300)
})

t.test('any query of GET /_mock/requests and /_mock/report gets the journal, the report, or 400 in the envelope', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS) })
  await app.inject(apiGet('/api/users?limit=1'))
  const parameter = fc.tuple(fc.constantFrom('clientId', 'path', 'status', 'limit', 'format', 'other'), rawQueryValue).map(([name, value]) => `${name}=${value}`)
  await holds(t, fc.asyncProperty(fc.constantFrom('/_mock/requests', '/_mock/report'), fc.array(parameter, { maxLength: 3 }), async (path, parameters) => {
    await answer(app, { method: 'GET', url: `${path}?${parameters.join('&')}` }, (res) => {
      assert.equal(res.statusCode, 200, res.body)
      if (res.headers['content-type'] === JSON_UTF8) assert.ok(typeof res.json() === 'object')
      else assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    })
  }), 300)
})
