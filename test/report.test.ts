// The client-conformance report (GET /_mock/report): per client id, what a client did that a real integration should not.
import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { ClientSummary } from '../src/http/report.js'
import { AUTH, build, get } from './helper.js'
import { startMock } from './spawn.js'

const LATEST = { 'sequence-version': '2024-07-30' }
const CI = `Basic ${Buffer.from('ci:pw').toString('base64')}`
const OPS = `Basic ${Buffer.from('ops:pw').toString('base64')}`
const THREE_KEYS = { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,ci:pw,ops:pw' }
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const WITHOUT_VERSION = 'without Sequence-Version: pin one, e.g. Sequence-Version: 2024-07-30.'
const BAD_LIMIT = 'with a limit the API refuses: it must be an integer between 1 and 100 (inclusive).'
const MALFORMED = 'with a malformed cursor: pass pagination.after or pagination.before back unchanged, URL-encoded.'
const FOREIGN = 'with a foreign cursor: well-formed, but from no page this mock served (from Sequence itself, or another dataset?).'
const UNAUTHORIZED = 'answered 401 Unauthorized: missing, malformed or wrong credentials.'

/** A client's entry: nothing counted unless `fields` says so. */
function client (clientId: string | null, fields: Partial<ClientSummary>): ClientSummary {
  return {
    clientId,
    requests: 0,
    peakRequestsPerMinute: 0,
    withoutVersion: 0,
    oldVersions: { '2024-01-01': 0, '2024-05-09': 0 },
    limitOutOfRange: 0,
    malformedCursors: 0,
    foreignCursors: 0,
    unauthorized: 0,
    tooManyRequests: 0,
    retriedBeforeRetryAfter: 0,
    walks: { finished: 0, unfinished: [], dropped: 0 },
    findings: [],
    ...fields
  }
}

/** The JSON report without its generatedAt, which must be an ISO 8601 time. */
async function report (t: Test, app: FastifyInstance): Promise<unknown> {
  const response = await app.inject('/_mock/report')
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  const { generatedAt, ...rest } = response.json() as { generatedAt: string }
  t.match(generatedAt, ISO)
  return rest
}

/** The text report, its time replaced by `<time>`. */
async function text (t: Test, app: FastifyInstance): Promise<string> {
  const response = await app.inject('/_mock/report?format=text')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'text/plain; charset=utf-8')
  return maskTime(response.body)
}

function maskTime (body: string): string {
  return body.replace(/^(sequence-mock client report, )\S+$/m, '$1<time>')
}

/** When the journal says request `seq` arrived: a walk's startedAt. */
function arrival (app: FastifyInstance, seq: number): string {
  const entry = app.mock.journal.list().find((candidate) => candidate.seq === seq)
  if (entry === undefined) throw new Error(`no journal entry ${seq}`)
  return entry.time
}

interface PageBody { items: Array<{ id: string }>, pagination: { after?: string | null, before?: string | null } }

async function page (app: FastifyInstance, query: string, headers: Record<string, string> = LATEST): Promise<PageBody> {
  const response = await get(app, `/api/users${query}`, headers)
  if (response.statusCode !== 200) throw new Error(`${query}: ${response.statusCode} ${response.body}`)
  return response.json() as PageBody
}

const cursorQuery = (key: 'after' | 'before', cursor: string | null | undefined): string => `${key}=${encodeURIComponent(cursor ?? '')}`

t.test('with no requests to /api the report is empty and says no problems found', async (t) => {
  const app = await build(t)
  t.same(await report(t, app), { clients: [], untrackedRequests: 0 })
  t.equal(await text(t, app), 'sequence-mock client report, <time>\nno requests to /api\nno problems found\n')
})

t.test('a client that pins the version, sends limits in range and finishes its walk has no findings', async (t) => {
  const app = await build(t)
  const first = await page(app, '?limit=100')
  const last = await page(app, `?limit=0100&${cursorQuery('after', first.pagination.after)}`)
  t.equal(last.pagination.after, null, 'leading zeros are a limit in range, and this is the last page')
  t.equal((await get(app, `/api/users/${first.items[0]?.id}`, LATEST)).statusCode, 200)
  t.same(await report(t, app), {
    clients: [client('key', { requests: 3, peakRequestsPerMinute: 3, walks: { finished: 1, unfinished: [], dropped: 0 } })],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 3 requests, peak 3 per minute, 1 walk finished',
    '  no problems found',
    'no problems found',
    ''
  ].join('\n'))
})

t.test('requests without Sequence-Version, and requests served in an older version, counted per version', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_CREDENTIALS: 'key:secret,ci:pw@2024-05-09' })
  const user = (await page(app, '?limit=1')).items[0]?.id
  await get(app, `/api/users/${user}`, {})
  await get(app, `/api/users/${user}`, { 'sequence-version': '2024-01-01' })
  await get(app, `/api/users/${user}`, { 'sequence-version': '2024-01-01' })
  await get(app, `/api/users/${user}`, { 'sequence-version': '2024-05-09' })
  await get(app, `/api/users/${user}`, { authorization: CI })
  const firstPage = { startedAt: arrival(app, 1), direction: 'forward', limit: 1, apiVersion: '2024-07-30', pages: 1, usersSeen: 1, totalResultSize: 150 } as const
  t.same(await report(t, app), {
    clients: [
      client('key', {
        requests: 5,
        peakRequestsPerMinute: 5,
        withoutVersion: 1,
        oldVersions: { '2024-01-01': 2, '2024-05-09': 1 },
        walks: { finished: 0, unfinished: [firstPage], dropped: 0 },
        findings: [
          `1 request ${WITHOUT_VERSION}`,
          '2 requests served in API version 2024-01-01, older than the latest, 2024-07-30.',
          '1 request served in API version 2024-05-09, older than the latest, 2024-07-30.',
          `unfinished walk started ${firstPage.startedAt} (forward, limit 1, 2024-07-30): stopped after 1 of 150 pages, 1 of 150 users seen.`
        ]
      }),
      client('ci', {
        requests: 1,
        peakRequestsPerMinute: 1,
        withoutVersion: 1,
        oldVersions: { '2024-01-01': 0, '2024-05-09': 1 },
        findings: [`1 request ${WITHOUT_VERSION}`, '1 request served in API version 2024-05-09, older than the latest, 2024-07-30.']
      })
    ],
    untrackedRequests: 0
  }, 'a key pinned to an old version and sending no header shows both')
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 5 requests, peak 5 per minute, 0 walks finished',
    `  - 1 request ${WITHOUT_VERSION}`,
    '  - 2 requests served in API version 2024-01-01, older than the latest, 2024-07-30.',
    '  - 1 request served in API version 2024-05-09, older than the latest, 2024-07-30.',
    `  - unfinished walk started ${firstPage.startedAt} (forward, limit 1, 2024-07-30): stopped after 1 of 150 pages, 1 of 150 users seen.`,
    'client "ci": 1 request, peak 1 per minute, 0 walks finished',
    `  - 1 request ${WITHOUT_VERSION}`,
    '  - 1 request served in API version 2024-05-09, older than the latest, 2024-07-30.',
    '6 problems found',
    ''
  ].join('\n'))
})

t.test('every limit the API refuses is counted, whatever the answer was', async (t) => {
  const app = await build(t)
  for (const limit of ['0', '101', '-1', '1.5', 'abc', '', '7e0', '1&limit=2']) {
    t.equal((await get(app, `/api/users?limit=${limit}`, LATEST)).statusCode, 400, `limit=${limit}`)
  }
  t.equal((await get(app, '/api/users?limit=0', { ...LATEST, authorization: 'Basic a2V5Ondyb25n' })).statusCode, 401)
  t.same(await report(t, app), {
    clients: [client('key', {
      requests: 9,
      peakRequestsPerMinute: 9,
      limitOutOfRange: 9,
      unauthorized: 1,
      findings: [`9 requests ${BAD_LIMIT}`, `1 request ${UNAUTHORIZED}`]
    })],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 9 requests, peak 9 per minute, 0 walks finished',
    `  - 9 requests ${BAD_LIMIT}`,
    `  - 1 request ${UNAUTHORIZED}`,
    '2 problems found',
    ''
  ].join('\n'))
})

t.test('malformed cursors and foreign ones; a cursor of a user deleted since it was issued is not foreign', async (t) => {
  const app = await build(t)
  // A well-formed cursor at a position no user has: from Sequence itself, or another dataset.
  const foreign = Buffer.from('00000000-0000-4000-8000-000000000000#1658260856033013#DESC').toString('base64')
  // An existing user's position, never issued: a cursor this dataset could have given, so not foreign.
  const third = app.mock.users.after(undefined, 3)[2]
  const unissued = Buffer.from(`${third?.id}#${third?.createdAtMicros}#DESC`).toString('base64')
  const first = await page(app, '?limit=2')
  const deleted = (await app.inject({ method: 'DELETE', url: `/_mock/users/${first.items[1]?.id}` })).json() as { id: string }
  t.equal(deleted.id, first.items[1]?.id)

  t.equal((await get(app, `/api/users?limit=2&${cursorQuery('after', first.pagination.after)}`, LATEST)).statusCode, 200, "the deleted user's cursor still works")
  t.equal((await get(app, `/api/users?limit=2&${cursorQuery('after', foreign)}`, LATEST)).statusCode, 200, 'a foreign cursor is still a position')
  t.equal((await get(app, `/api/users?limit=2&${cursorQuery('before', foreign)}`, LATEST)).statusCode, 200)
  t.equal((await get(app, `/api/users?limit=2&${cursorQuery('after', unissued)}`, LATEST)).statusCode, 200)
  t.equal((await get(app, '/api/users?after=not-a-cursor', LATEST)).statusCode, 400)
  t.equal((await get(app, '/api/users?after=aGVsbG8%3D', LATEST)).statusCode, 400, 'base64, but of "hello"')
  t.equal((await get(app, '/api/users?before=', LATEST)).statusCode, 400)
  t.same(await report(t, app), {
    clients: [client('key', {
      requests: 8,
      peakRequestsPerMinute: 8,
      malformedCursors: 3,
      foreignCursors: 2,
      walks: {
        finished: 0,
        unfinished: [{ startedAt: arrival(app, 1), direction: 'forward', limit: 2, apiVersion: '2024-07-30', pages: 2, usersSeen: 4, totalResultSize: 149 }],
        dropped: 0
      },
      findings: [
        `3 requests ${MALFORMED}`,
        `2 requests ${FOREIGN}`,
        `unfinished walk started ${arrival(app, 1)} (forward, limit 2, 2024-07-30): stopped after 2 of 75 pages, 4 of 149 users seen.`
      ]
    })],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 8 requests, peak 8 per minute, 0 walks finished',
    `  - 3 requests ${MALFORMED}`,
    `  - 2 requests ${FOREIGN}`,
    `  - unfinished walk started ${arrival(app, 1)} (forward, limit 2, 2024-07-30): stopped after 2 of 75 pages, 4 of 149 users seen.`,
    '3 problems found',
    ''
  ].join('\n'))
})

t.test('a walk left after its first pages is reported unfinished, with how far it got', async (t) => {
  const app = await build(t)
  await page(app, '?limit=20')
  const first = await page(app, '?limit=50', { 'sequence-version': '2024-01-01' })
  await page(app, `?limit=50&${cursorQuery('after', first.pagination.after)}`, { 'sequence-version': '2024-01-01' })
  const walks = [
    { startedAt: arrival(app, 1), direction: 'forward', limit: 20, apiVersion: '2024-07-30', pages: 1, usersSeen: 20, totalResultSize: 150 },
    { startedAt: arrival(app, 2), direction: 'forward', limit: 50, apiVersion: '2024-01-01', pages: 2, usersSeen: 100, totalResultSize: 150 }
  ] as const
  const findings = [
    '2 requests served in API version 2024-01-01, older than the latest, 2024-07-30.',
    `unfinished walk started ${walks[0].startedAt} (forward, limit 20, 2024-07-30): stopped after 1 of 8 pages, 20 of 150 users seen.`,
    `unfinished walk started ${walks[1].startedAt} (forward, limit 50, 2024-01-01): stopped after 2 of 3 pages, 100 of 150 users seen.`
  ]
  t.same(await report(t, app), {
    clients: [client('key', {
      requests: 3,
      peakRequestsPerMinute: 3,
      oldVersions: { '2024-01-01': 2, '2024-05-09': 0 },
      walks: { finished: 0, unfinished: [...walks], dropped: 0 },
      findings
    })],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 3 requests, peak 3 per minute, 0 walks finished',
    ...findings.map((finding) => `  - ${finding}`),
    '3 problems found',
    ''
  ].join('\n'))
})

t.test('walks finished forward and backward are counted as finished, not reported', async (t) => {
  const app = await build(t)
  // Forward to the end: 150 users, 8 pages of 20.
  let forward = await page(app, '?limit=20')
  let pages = 1
  while (forward.pagination.after !== null) {
    forward = await page(app, `?limit=20&${cursorQuery('after', forward.pagination.after)}`)
    pages++
  }
  t.equal(pages, 8)
  // Forward two pages, then back to the first, which has nothing before it.
  const one = await page(app, '?limit=30')
  const two = await page(app, `?limit=30&${cursorQuery('after', one.pagination.after)}`)
  const three = await page(app, `?limit=30&${cursorQuery('after', two.pagination.after)}`)
  const back = await page(app, `?limit=30&${cursorQuery('before', three.pagination.before)}`)
  t.same(back.items, two.items)
  t.equal((await page(app, `?limit=30&${cursorQuery('before', back.pagination.before)}`)).pagination.before, null)
  t.same(await report(t, app), {
    clients: [client('key', { requests: 13, peakRequestsPerMinute: 13, walks: { finished: 2, unfinished: [], dropped: 0 } })],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), 'sequence-mock client report, <time>\nclient "key": 13 requests, peak 13 per minute, 2 walks finished\n  no problems found\nno problems found\n')
})

t.test('only the newest 20 unfinished walks are kept per client; older ones are counted as dropped', async (t) => {
  const app = await build(t)
  for (let i = 0; i < 23; i++) await page(app, '?limit=10')
  const kept = Array.from({ length: 20 }, (_, i) => ({
    startedAt: arrival(app, i + 4), direction: 'forward', limit: 10, apiVersion: '2024-07-30', pages: 1, usersSeen: 10, totalResultSize: 150
  } as const))
  const findings = [
    ...kept.map((walk) => `unfinished walk started ${walk.startedAt} (forward, limit 10, 2024-07-30): stopped after 1 of 15 pages, 10 of 150 users seen.`),
    '3 older unfinished walks not listed: only the newest 20 are kept.'
  ]
  t.same(await report(t, app), {
    clients: [client('key', { requests: 23, peakRequestsPerMinute: 23, walks: { finished: 0, unfinished: kept, dropped: 3 }, findings })],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 23 requests, peak 23 per minute, 0 walks finished',
    ...findings.map((finding) => `  - ${finding}`),
    '21 problems found',
    ''
  ].join('\n'))
})

t.test('401s count under the client id that was tried; requests naming none under null', async (t) => {
  const app = await build(t)
  t.equal((await get(app, '/api/users?limit=1', { ...LATEST, authorization: 'Basic a2V5Ondyb25n' })).statusCode, 401, 'key:wrong')
  t.equal((await get(app, '/api/users?limit=1', { authorization: '' })).statusCode, 401)
  t.equal((await get(app, '/api/users?limit=1', { ...LATEST, authorization: 'Bearer abc' })).statusCode, 401)
  t.same(await report(t, app), {
    clients: [
      client('key', { requests: 1, peakRequestsPerMinute: 1, unauthorized: 1, findings: [`1 request ${UNAUTHORIZED}`] }),
      client(null, { requests: 2, peakRequestsPerMinute: 2, withoutVersion: 1, unauthorized: 2, findings: [`1 request ${WITHOUT_VERSION}`, `2 requests ${UNAUTHORIZED}`] })
    ],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 1 request, peak 1 per minute, 0 walks finished',
    `  - 1 request ${UNAUTHORIZED}`,
    'no client id: 2 requests, peak 2 per minute, 0 walks finished',
    `  - 1 request ${WITHOUT_VERSION}`,
    `  - 2 requests ${UNAUTHORIZED}`,
    '3 problems found',
    ''
  ].join('\n'))
})

t.test('429s, and requests sent again before the Retry-After of a 429 or 503 had passed', async (t) => {
  const app = await build(t, THREE_KEYS)
  const user = app.mock.users.after(undefined, 1)[0]?.id
  const limited = await get(app, `/api/users/${user}`, { ...LATEST, prefer: 'code=429, retry-after=30' })
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['retry-after'], '30')
  t.equal((await get(app, `/api/users/${user}`, LATEST)).statusCode, 200, 'sent at once: 30 seconds too early')
  // Retry-After: 0 asks for no wait at all.
  t.equal((await get(app, `/api/users/${user}`, { ...LATEST, authorization: CI, prefer: 'code=429, retry-after=0' })).statusCode, 429)
  t.equal((await get(app, `/api/users/${user}`, { ...LATEST, authorization: CI })).statusCode, 200)
  t.equal((await get(app, `/api/users/${user}`, { ...LATEST, authorization: OPS, prefer: 'code=503, retry-after=30' })).statusCode, 503)
  t.equal((await get(app, `/api/users/${user}`, { ...LATEST, authorization: OPS })).statusCode, 200)
  const retried = '1 request sent before the Retry-After of a previous 429 or 503 had passed.'
  t.same(await report(t, app), {
    clients: [
      client('key', { requests: 2, peakRequestsPerMinute: 2, tooManyRequests: 1, retriedBeforeRetryAfter: 1, findings: ['1 request answered 429 TooManyRequests.', retried] }),
      client('ci', { requests: 2, peakRequestsPerMinute: 2, tooManyRequests: 1, findings: ['1 request answered 429 TooManyRequests.'] }),
      client('ops', { requests: 2, peakRequestsPerMinute: 2, retriedBeforeRetryAfter: 1, findings: [retried] })
    ],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), [
    'sequence-mock client report, <time>',
    'client "key": 2 requests, peak 2 per minute, 0 walks finished',
    '  - 1 request answered 429 TooManyRequests.',
    `  - ${retried}`,
    'client "ci": 2 requests, peak 2 per minute, 0 walks finished',
    '  - 1 request answered 429 TooManyRequests.',
    'client "ops": 2 requests, peak 2 per minute, 0 walks finished',
    `  - ${retried}`,
    '4 problems found',
    ''
  ].join('\n'))
})

t.test("the mock's own rate limit: a 429's Retry-After counts too", async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '1' })
  const user = app.mock.users.after(undefined, 1)[0]?.id
  t.equal((await get(app, `/api/users/${user}`, LATEST)).statusCode, 200)
  t.equal((await get(app, `/api/users/${user}`, LATEST)).statusCode, 429)
  t.equal((await get(app, `/api/users/${user}`, LATEST)).statusCode, 429)
  t.same(await report(t, app), {
    clients: [client('key', {
      requests: 3,
      peakRequestsPerMinute: 3,
      tooManyRequests: 2,
      retriedBeforeRetryAfter: 1,
      findings: ['2 requests answered 429 TooManyRequests.', '1 request sent before the Retry-After of a previous 429 or 503 had passed.']
    })],
    untrackedRequests: 0
  })
})

t.test("a peak over Sequence's documented 1,500 requests per minute is a finding", async (t) => {
  const app = await build(t)
  const user = app.mock.users.after(undefined, 1)[0]?.id
  for (let i = 0; i < 1501; i++) {
    const response = await get(app, `/api/users/${user}`, LATEST)
    if (response.statusCode !== 200) return t.fail(`request ${i} got ${response.statusCode}`)
  }
  const finding = "peak of 1501 requests per minute: over Sequence's documented limit of 1500 per API key."
  t.same(await report(t, app), {
    clients: [client('key', { requests: 1501, peakRequestsPerMinute: 1501, findings: [finding] })],
    untrackedRequests: 0
  })
  t.equal(await text(t, app), `sequence-mock client report, <time>\nclient "key": 1501 requests, peak 1501 per minute, 0 walks finished\n  - ${finding}\n1 problem found\n`)
})

t.test('the first 1,000 client ids are reported; requests from further ids are only counted', async (t) => {
  const app = await build(t)
  const tried = (id: string) => get(app, '/api/users', { ...LATEST, authorization: `Basic ${Buffer.from(`${id}:x`).toString('base64')}` })
  for (let i = 0; i < 1000; i++) await tried(`c${i}`)
  await tried('c1000')
  await tried('c1001')
  await tried('c0')
  const body = await report(t, app) as { clients: ClientSummary[], untrackedRequests: number }
  t.same(body.clients.map((entry) => entry.clientId), Array.from({ length: 1000 }, (_, i) => `c${i}`), 'in first-seen order')
  t.same(body.clients[0], client('c0', { requests: 2, peakRequestsPerMinute: 2, unauthorized: 2, findings: [`2 requests ${UNAUTHORIZED}`] }))
  t.equal(body.untrackedRequests, 2)
  t.match(await text(t, app), /\n2 requests from client ids beyond the first 1000 not reported\n1000 problems found\n$/)
})

t.test("browser preflights are not the client's requests", async (t) => {
  const app = await build(t)
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/api/users',
    headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,sequence-version' }
  })
  t.equal(preflight.statusCode, 204)
  t.same(await report(t, app), { clients: [], untrackedRequests: 0 })
})

t.test('DELETE /_mock/report and POST /_mock/reset clear everything, remembered cursors included', async (t) => {
  const app = await build(t)
  const first = await page(app, '?limit=2')
  await app.inject({ method: 'DELETE', url: `/_mock/users/${first.items[1]?.id}` })
  t.equal((await get(app, '/api/users?limit=0')).statusCode, 400)
  t.same((await app.inject({ method: 'DELETE', url: '/_mock/report' })).json(), { cleared: true })
  t.same(await report(t, app), { clients: [], untrackedRequests: 0 })

  // Forgotten: the deleted user's cursor is now one this mock never issued.
  t.equal((await get(app, `/api/users?limit=2&${cursorQuery('after', first.pagination.after)}`, LATEST)).statusCode, 200)
  t.same(await report(t, app), {
    clients: [client('key', { requests: 1, peakRequestsPerMinute: 1, foreignCursors: 1, findings: [`1 request ${FOREIGN}`] })],
    untrackedRequests: 0
  })
  t.equal((await app.inject({ method: 'POST', url: '/_mock/reset' })).statusCode, 200)
  t.same(await report(t, app), { clients: [], untrackedRequests: 0 })
  t.equal(await text(t, app), 'sequence-mock client report, <time>\nno requests to /api\nno problems found\n')
})

t.test('SEQUENCE_MOCK_REPORT_ON_EXIT=1 prints the text report on standard output when the mock stops, and it exits 0', async (t) => {
  const mock = startMock('server', [], { SEQUENCE_MOCK_REPORT_ON_EXIT: '1' })
  t.teardown(() => { mock.child.kill('SIGKILL') })
  const url = await mock.listening
  t.equal((await fetch(`${url}/users?limit=0`, { headers: { authorization: AUTH, ...LATEST } })).status, 400)
  t.equal((await fetch(`${url}/users/unknown`, { headers: { authorization: AUTH, ...LATEST } })).status, 404)
  t.equal((await fetch(`${url}/users`)).status, 401)
  mock.child.kill('SIGTERM')
  const run = await mock.exited
  t.equal(run.code, 0)
  t.equal(run.stderr, '')
  const start = run.stdout.indexOf('sequence-mock client report')
  t.ok(start > 0, 'after the banner')
  t.equal(maskTime(run.stdout.slice(start)), [
    'sequence-mock client report, <time>',
    'client "key": 2 requests, peak 2 per minute, 0 walks finished',
    `  - 1 request ${BAD_LIMIT}`,
    'no client id: 1 request, peak 1 per minute, 0 walks finished',
    `  - 1 request ${WITHOUT_VERSION}`,
    `  - 1 request ${UNAUTHORIZED}`,
    '3 problems found',
    ''
  ].join('\n'))
})
