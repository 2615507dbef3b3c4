// The parity check: a second mock has no differences; other settings and patched behaviours are each found and named.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { startMock, type MockOptions, type RunningMock } from '../src/index.js'
import { parityCommand, parseParityArgs } from '../src/parity/command.js'
import { orderingRules } from '../src/parity/compare.js'
import { FIRST_PROBE, READ_PROBES, WRITE_PROBES } from '../src/parity/probes.js'
import { runParity, type ParityOptions, type ParityResult } from '../src/parity/run.js'
import { ParityError, retryAfterMs, type Clock } from '../src/parity/send.js'
import { startMock as spawnMock } from './spawn.js'

/** A distinctive secret, to look for in everything printed. */
const SECRET = 'pa55-parity-s3cret-9f41'
const CREDENTIALS = [{ clientId: 'key', clientSecret: SECRET }]

/** Time that passes only when the check sleeps: its pacing and Retry-After waits cost no real time and can be read. */
function fakeClock (): Clock & { time: number, slept: number[] } {
  const clock = {
    time: 0,
    slept: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => { clock.slept.push(ms); clock.time += ms }
  }
  return clock
}

async function target (t: Test, options: MockOptions = {}): Promise<RunningMock> {
  const mock = await startMock({ credentials: CREDENTIALS, ...options })
  t.teardown(() => mock.close())
  return mock
}

async function parity (url: string, options: Partial<ParityOptions> = {}): Promise<ParityResult> {
  return await runParity({ target: url, clientId: 'key', clientSecret: SECRET, clock: fakeClock(), ...options })
}

/** probe → aspect, for whole-list comparisons. */
const found = (result: ParityResult): string[] => result.differences.map(({ probe, aspect }) => `${probe} → ${aspect}`)
const aspects = (result: ParityResult): string[] => [...new Set(result.differences.map(({ aspect }) => aspect))].sort()

interface Exchange {
  status: number
  headers: Record<string, string>
  body: string
}

interface Patch {
  /** The query the mock gets, from the query the check sent. */
  request?: (query: URLSearchParams) => void
  response: (exchange: Exchange, url: URL, headers: IncomingHttpHeaders) => Exchange
}

/** A proxy in front of a mock that changes one thing about its answers. */
async function proxy (t: Test, upstream: RunningMock, patch: Patch): Promise<string> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy')
    patch.request?.(url.searchParams)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'connection')) as Record<string, string>
      void fetch(`${upstream.origin}${url.pathname}${url.search}`, { method: req.method, headers, ...(chunks.length > 0 && { body: Buffer.concat(chunks) }) })
        .then(async (response) => {
          const received = { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
          const sent = patch.response(received, url, req.headers)
          delete sent.headers['content-length']
          delete sent.headers['transfer-encoding']
          delete sent.headers['connection']
          delete sent.headers['keep-alive']
          res.writeHead(sent.status, sent.headers).end(sent.body)
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve() }) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`
}

/** A patch of the JSON body only. */
const jsonPatch = (change: (json: any, url: URL) => void): Patch => ({
  response: (exchange, url) => {
    if (!exchange.headers['content-type']?.includes('json')) return exchange
    const json = JSON.parse(exchange.body)
    change(json, url)
    return { ...exchange, body: JSON.stringify(json) }
  }
})

const users = (json: any): any[] => Array.isArray(json.items) ? json.items : typeof json.id === 'string' ? [json] : []

const PATCHES: Record<string, Patch> = {
  'reorders keys': jsonPatch((json) => {
    for (const user of users(json)) {
      const { id, email, ...rest } = user
      for (const key of Object.keys(user)) delete user[key]
      Object.assign(user, { email, id, ...rest })
    }
  }),
  'renames an error type': jsonPatch((json) => { if (json.error?.type === 'validationError') json.error.type = 'ValidationError' }),
  'changes a message': jsonPatch((json) => { if (json.error?.type === 'UnrecognisedApiVersion') json.error.message = 'Unknown API version.' }),
  'drops Sequence-Version': { response: (exchange) => { delete exchange.headers['sequence-version']; return exchange } },
  'changes the cursor format': {
    request: (query) => {
      for (const key of ['after', 'before']) {
        const value = query.get(key)
        if (value !== null && /^[A-Za-z0-9_-]+$/.test(value)) query.set(key, Buffer.from(value, 'base64url').toString('base64'))
      }
    },
    ...jsonPatch((json) => {
      for (const key of ['after', 'before']) {
        if (typeof json.pagination?.[key] === 'string') json.pagination[key] = Buffer.from(json.pagination[key], 'base64').toString('base64url')
      }
    })
  },
  'reverses item order': jsonPatch((json) => { if (Array.isArray(json.items)) json.items.reverse() }),
  'turns null into a missing field': jsonPatch((json) => {
    for (const [key, value] of Object.entries(json.pagination ?? {})) if (value === null) delete json.pagination[key]
  }),
  'drops totalResultSize': jsonPatch((json) => { if (json.pagination !== undefined) delete json.pagination.totalResultSize }),
  'ignores before': { request: (query) => { query.delete('before') }, response: (exchange) => exchange },
  'changes a status': { response: (exchange, url) => /^\/api\/users\/[^/]+$/.test(url.pathname) && exchange.status === 404 ? { ...exchange, status: 400 } : exchange }
}


/** The probes sent when every one can be (the last limit=100 page is not, with 150 users: the list ends at page 2). */
const SENT = READ_PROBES.length - 1
const VALIDATION_PROBES = ['limit=0', 'limit=101', 'limit=abc', 'after that is not a cursor', 'after that is base64 of no cursor', 'before that is not a cursor', 'after and before together']

t.test('a second mock with the same settings: no differences, exit 0', async (t) => {
  const mock = await target(t)
  const out: string[] = []
  const code = await parityCommand(['--target', mock.url, '--auth', `key:${SECRET}`], {}, { stdout: (text) => out.push(text), stderr: (text) => out.push(text) }, fakeClock())
  t.equal(code, 0)
  t.match(out.join(''), /^Target: http:\/\/127\.0\.0\.1:\d+\/api \(client id "key"\)\nMock: {3}sequence-mock [\d.]+, in-process, 150 users \(the target's totalResultSize\)\n/)
  t.match(out.join(''), `Probes: ${READ_PROBES.length} (${SENT} requests to the target, ${SENT} to the mock)`)
  t.match(out.join(''), /No differences: the mock behaves like the target in all \d+ probes\.\n$/)
  t.notMatch(out.join(''), SECRET)
})

t.test('other data (seed, size, account id, fixtures) is values, not behaviour: no differences', async (t) => {
  for (const options of [{ seed: 99, users: 7, accountId: 'c0901c87-e1a9-48e9-9e2f-9e05c402dcea' }, { fixtures: 'fixtures/sequence-examples.json' }, { users: 0 }, { users: 1000 }]) {
    const result = await parity((await target(t, options)).url)
    t.strictSame(result.differences, [], JSON.stringify(options))
    t.equal(result.mockUsers, options.users ?? 4, 'the mock holds as many users as the target says it has')
  }
})

t.test('the JSON report holds the same result', async (t) => {
  const mock = await target(t, { defaultLimit: 10 })
  let out = ''
  const code = await parityCommand(['--target', mock.url, '--auth', `key:${SECRET}`, '--json'], {}, { stdout: (text) => { out += text }, stderr: (text) => { out += text } }, fakeClock())
  t.equal(code, 1)
  const report = JSON.parse(out)
  t.strictSame(report.differences, [{ probe: FIRST_PROBE, request: 'GET /users', aspect: 'items', target: '10 users', mock: '20 users' }])
  t.strictSame([report.target, report.clientId, report.mockUsers, report.probes, report.requests], [mock.url, 'key', 150, READ_PROBES.length, { target: SENT, mock: SENT }])
})

t.test('a target with another default page size: the page without limit differs, and only it', async (t) => {
  const result = await parity((await target(t, { defaultLimit: 10 })).url)
  t.strictSame(result.differences, [{ probe: FIRST_PROBE, request: 'GET /users', aspect: 'items', target: '10 users', mock: '20 users' }])
})

t.test('a target without CORS: the browser probe lacks Access-Control-Allow-Origin', async (t) => {
  const result = await parity((await target(t, { corsOrigins: [] })).url)
  t.strictSame(result.differences, [{
    probe: 'list from a browser Origin',
    request: 'GET /users?limit=1 (Origin: https://parity.example)',
    aspect: 'header access-control-allow-origin',
    target: '(absent)',
    mock: 'https://parity.example'
  }])
})

t.test('a key pinned to an API version: requests without Sequence-Version get the pinned version and its shape', async (t) => {
  const result = await parity((await target(t, { credentials: [{ ...CREDENTIALS[0]!, version: '2024-01-01' }] })).url)
  t.strictSame(aspects(result), ['header sequence-version', 'shape items[].roles', 'shape pagination.before'])
  t.ok(result.differences.some((d) => d.probe === FIRST_PROBE && d.aspect === 'header sequence-version' && d.target === '2024-01-01' && d.mock === '2024-07-30'))
  t.notOk(result.differences.some((d) => d.request.includes('Sequence-Version: "2024')), 'requests that name a version are alike')
})

t.test('a target that refuses the credentials stops the check (exit 2) without printing the secret', async (t) => {
  const mock = await target(t, { credentials: [{ clientId: 'key', clientSecret: 'another-one' }] })
  await t.rejects(parity(mock.url), new ParityError('the target refused the credentials of client id "key" (401 to GET /users); pass your sandbox API key: --auth <id:secret>'))
  let err = ''
  const code = await parityCommand(['--target', mock.url, `--auth=key:${SECRET}`], {}, { stdout: () => {}, stderr: (text) => { err += text } }, fakeClock())
  t.equal(code, 2)
  t.match(err, /^sequence-mock parity: the target refused the credentials/)
  t.notMatch(err, SECRET)
  t.equal(mock.requests().length, 2, 'nothing more is sent after the refusal: one request a run')
})

t.test('a write-only setting (deleteMode) is out of reach of read-only probes: no differences, no DELETE', async (t) => {
  const mock = await target(t, { deleteMode: 'hard' })
  const result = await parity(mock.url, { allowWrites: true })
  t.strictSame(result.differences, [])
  t.notOk(mock.requests().some((entry) => entry.method === 'DELETE'))
})

t.test('without --allow-writes only GET is sent; with it, PUTs that write back what is there, and never DELETE', async (t) => {
  const mock = await target(t)
  const list = async (): Promise<string> => (await mock.app.inject({ url: '/api/users?limit=100', headers: { authorization: `Basic ${Buffer.from(`key:${SECRET}`).toString('base64')}`, 'sequence-version': '2024-05-09' } })).body
  const before = await list()
  await parity(mock.url)
  t.strictSame([...new Set(mock.requests().map((entry) => entry.method))], ['GET'])
  mock.reset()
  const result = await parity(mock.url, { allowWrites: true })
  t.strictSame(result.differences, [])
  t.equal(result.probes, READ_PROBES.length + WRITE_PROBES.length)
  const puts = mock.requests().filter((entry) => entry.method !== 'GET').reverse()
  t.strictSame(puts.map((entry) => [entry.method, entry.status]), [['PUT', 201], ['PUT', 405], ['PUT', 404], ['PUT', 400]])
  t.equal(await list(), before, 'the data is as it was')
})

t.test('planted differences: each is found and named', async (t) => {
  const upstream = await target(t)
  const run = async (patch: Patch): Promise<ParityResult> => await parity(await proxy(t, upstream, patch))

  t.test('user keys in another order', async (t) => {
    const result = await run(PATCHES['reorders keys']!)
    t.strictSame(aspects(result), ['key order (body)', 'key order items[]'])
    t.ok(result.differences.some((d) => d.probe === 'user by id in 2024-07-30' && d.aspect === 'key order (body)' &&
      d.target === 'email, id, sequenceAccountIds, state, roles' && d.mock === 'id, email, sequenceAccountIds, state, roles'))
  })

  t.test('an error type renamed', async (t) => {
    const result = await run(PATCHES['renames an error type']!)
    t.strictSame(found(result), VALIDATION_PROBES.map((probe) => `${probe} → error type`))
    t.strictSame([result.differences[0]?.target, result.differences[0]?.mock], ['"ValidationError"', '"validationError"'])
  })

  t.test('an error message changed', async (t) => {
    const result = await run(PATCHES['changes a message']!)
    t.strictSame(found(result), ['unknown Sequence-Version', 'empty Sequence-Version', 'unknown Sequence-Version and limit=0'].map((probe) => `${probe} → error message`))
    t.strictSame([result.differences[0]?.target, result.differences[0]?.mock], ['"Unknown API version."', '"No matching API version found. Please make sure the specified API version is valid."'])
  })

  t.test('Sequence-Version dropped from every response', async (t) => {
    const result = await run(PATCHES['drops Sequence-Version']!)
    t.strictSame(aspects(result), ['header sequence-version'])
    t.equal(result.differences.length, SENT, 'in every probe')
  })

  t.test('cursors in another encoding', async (t) => {
    const result = await run(PATCHES['changes the cursor format']!)
    // An ASC cursor is 57 bytes, a multiple of 3: unpadded, it reads the same in both encodings unless it holds + or /.
    t.ok(aspects(result).includes('cursor pagination.after') && aspects(result).every((aspect) => aspect.startsWith('cursor pagination.')), aspects(result).join())
    t.strictSame(result.differences[0], {
      probe: FIRST_PROBE, request: 'GET /users', aspect: 'cursor pagination.after',
      target: 'base64url("<last id>#<16 digits>#DESC")', mock: 'base64("<last id>#<16 digits>#DESC")'
    })
  })

  t.test('items in reverse order', async (t) => {
    const result = await run(PATCHES['reverses item order']!)
    t.strictSame(aspects(result), ['cursor pagination.after', 'cursor pagination.before', 'its pages joined are the start of the first page at limit=100'])
    t.ok(result.differences.some((d) => d.aspect === 'cursor pagination.after' && d.target === 'base64("<first id>#<16 digits>#DESC")' && d.mock === 'base64("<last id>#<16 digits>#DESC")'),
      'the after cursor names the first item, not the last')
  })

  t.test('null cursors turned into missing fields', async (t) => {
    const result = await run(PATCHES['turns null into a missing field']!)
    t.strictSame(aspects(result), ['shape pagination.after', 'shape pagination.before'])
    t.ok(result.differences.every((d) => d.target === '(absent)' && d.mock === 'null'))
  })

  t.test('a status changed', async (t) => {
    const result = await run(PATCHES['changes a status']!)
    t.strictSame(result.differences.map((d) => [d.probe, d.aspect, d.target, d.mock]), [
      ['unknown user id', 'status', '400', '404'],
      ['user id that is not a UUID', 'status', '400', '404']
    ])
  })

  t.test('totalResultSize dropped: the mock keeps its default size, and the field is missing', async (t) => {
    const result = await parity(await proxy(t, await target(t, { users: 30 }), PATCHES['drops totalResultSize']!))
    t.strictSame([result.mockUsers, result.mockUsersFrom], [150, 'the default: the target gave no totalResultSize'])
    t.ok(result.differences.some((d) => d.probe === FIRST_PROBE && d.aspect === 'shape pagination.totalResultSize' && d.target === '(absent)' && d.mock === 'integer'))
  })

  t.test('before ignored: walking back does not give the earlier pages again', async (t) => {
    const result = await run(PATCHES['ignores before']!)
    t.strictSame(found(result).filter((line) => line.includes('walking back')), [
      'limit=1 in 2024-07-30 → walking back with before gives page 2 again',
      'limit=1 in 2024-07-30 → walking back with before gives page 1 again',
      'limit=2 in 2024-01-01 → walking back with before gives page 2 again',
      'limit=2 in 2024-01-01 → walking back with before gives page 1 again'
    ])
    t.ok(result.differences.some((d) => d.aspect === 'walking back with before gives page 1 again' && d.target === 'not walked' && d.mock === 'yes'),
      'the first page has no before cursor to walk back from')
    t.ok(result.differences.some((d) => d.probe === 'limit=1 in 2024-07-30, back to page 2' && d.aspect === 'shape pagination.before' && d.target === 'null' && d.mock === 'string'))
  })
})

t.test('the list order is read from the times in one-user pages\' cursors', async (t) => {
  const ids = ['6f1c2a9e-0b7d-4e7a-9a51-0c8f3e2d1b01', '6f1c2a9e-0b7d-4e7a-9a51-0c8f3e2d1b02', '6f1c2a9e-0b7d-4e7a-9a51-0c8f3e2d1b03']
  const order = (cursors: (id: string, i: number) => string): string | undefined => {
    const answers = new Map(ids.map((id, i) => {
      const json = { items: [{ id }], pagination: { after: cursors(id, i), before: null, totalResultSize: 3 } }
      return [`limit=1 in 2024-07-30, page ${i + 1}`, { status: 200, headers: {}, text: JSON.stringify(json), json }]
    }))
    return orderingRules(answers).get('limit=1 in 2024-07-30')?.get('order by creation time (read from the cursors)')
  }
  const cursor = (id: string, micros: number): string => Buffer.from(`${id}#${micros}#DESC`).toString('base64')
  t.equal(order((id, i) => cursor(id, 1700000000000000 - i)), 'newest first')
  t.equal(order((id, i) => cursor(id, 1700000000000000 + i)), 'oldest first')
  t.equal(order((id, i) => cursor(id, 1700000000000000 + [0, 5, 2][i]!)), 'neither newest nor oldest first')
  t.equal(order((_id, i) => String(i + 1)), 'unknown (no cursor carries a time)', 'offsets carry no time')
})

t.test('the secret is masked even where the target echoes it', async (t) => {
  const upstream = await target(t)
  const url = await proxy(t, upstream, {
    response: (exchange, _url, headers) => {
      if (exchange.status !== 400 || headers.authorization === undefined) return exchange
      const json = JSON.parse(exchange.body)
      json.error.message += ` (sent by ${Buffer.from(headers.authorization.slice('Basic '.length), 'base64').toString()}, ${headers.authorization})`
      return { ...exchange, body: JSON.stringify(json) }
    }
  })
  let out = ''
  const code = await parityCommand(['--target', url, '--auth', `key:${SECRET}`], {}, { stdout: (text) => { out += text }, stderr: (text) => { out += text } }, fakeClock())
  t.equal(code, 1)
  t.match(out, '(sent by key:***, Basic ***)')
  t.notMatch(out, SECRET)
  t.notMatch(out, Buffer.from(`key:${SECRET}`).toString('base64'))
})

t.test('requests to the target start at least 50 ms apart (20 a second), the mock is not paced', async (t) => {
  const clock = fakeClock()
  const upstream = await target(t)
  const starts: number[] = []
  const url = await proxy(t, upstream, { response: (exchange) => { starts.push(clock.now()); return exchange } })
  const result = await parity(url, { clock })
  t.equal(starts.length, result.requests.target)
  t.ok(starts.slice(1).every((start, i) => start - starts[i]! >= 50), 'every gap is at least 50 ms')
  t.equal(clock.slept.length, SENT - 1, 'one wait before each target request but the first, none for the mock')
  const fast = fakeClock()
  await parity(url, { clock: fast, requestsPerSecond: 5 })
  t.ok(fast.slept.every((ms) => ms <= 200) && fast.slept.reduce((sum, ms) => sum + ms, 0) >= (SENT - 1) * 200 - 1, '--rate 5: 200 ms apart')
})

t.test('a 429 is waited out for its Retry-After, then the probe is sent again', async (t) => {
  const clock = fakeClock()
  const upstream = await target(t)
  let limited = 0
  const url = await proxy(t, upstream, {
    response: (exchange, url) => url.searchParams.get('limit') === '3' && limited++ === 0
      ? { status: 429, headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '7' }, body: '{"error":{"type":"TooManyRequests","message":"Slow down."}}' }
      : exchange
  })
  const result = await parity(url, { clock })
  t.strictSame(result.differences, [])
  t.ok(clock.slept.includes(7000), 'waited 7 s')
  t.equal(result.requests.target, SENT + 1, 'the limited probe once more')
})

t.test('a target that keeps answering 429 stops the check', async (t) => {
  const clock = fakeClock()
  const upstream = await target(t)
  const url = await proxy(t, upstream, { response: () => ({ status: 429, headers: { 'retry-after': '2' }, body: '' }) })
  await t.rejects(parity(url, { clock }), { name: 'ParityError', message: /^the target answered 429 Too Many Requests to GET \/users 4 times \(Retry-After: 2\); stopped\./ })
  t.strictSame(clock.slept.filter((ms) => ms === 2000).length, 3)
  const hours = await proxy(t, upstream, { response: () => ({ status: 429, headers: { 'retry-after': '3600' }, body: '' }) })
  await t.rejects(parity(hours, { clock: fakeClock() }), { message: /1 times \(Retry-After: 3600\); stopped/ }, 'a wait over two minutes is not waited')
})

t.test('Retry-After is read as seconds or an HTTP date; without it, a minute', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.strictSame(['5', ' 0 ', 'Thu, 01 Jan 2026 00:00:30 GMT', undefined, 'soon'].map((header) => retryAfterMs(header, now)), [5000, 0, 30000, 60000, 60000])
})

t.test('a target that does not answer in time, or cannot be reached, stops the check (exit 2)', async (t) => {
  const silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { silent.closeAllConnections(); silent.close() })
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api`
  await t.rejects(parity(url, { timeoutMs: 200 }), new ParityError('the target did not answer GET /users within 200 ms (--timeout-ms).'))
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  await t.rejects(parity(`http://127.0.0.1:${port}/api`), new ParityError(`could not reach the target at http://127.0.0.1:${port}/api: ECONNREFUSED`))
})

t.test('bad options are usage errors that name the problem', async (t) => {
  const cases: Array<[string[], Record<string, string>, string]> = [
    [['--auth', 'key:secret'], {}, '--target <base URL> is required, e.g. --target https://sandbox.sequencehq.com/api'],
    [['--target', 'https://sandbox.sequencehq.com/api'], {}, '--auth <id:secret> (or SEQUENCE_PARITY_AUTH) is required: your sandbox API key'],
    [['--target', 'https://sandbox.sequencehq.com/api', '--auth', 'no-colon'], {}, '--auth must be <client id>:<secret>, both non-empty'],
    [['--target', 'https://sandbox.sequencehq.com/api', '--auth', 'key:'], {}, '--auth must be <client id>:<secret>, both non-empty'],
    [['--target', 'x', '--auth', 'a:b', '--rate', '26'], {}, '--rate must be an integer from 1 to 25, not "26"'],
    [['--target', 'x', '--auth', 'a:b', '--timeout-ms', '1.5'], {}, '--timeout-ms must be an integer from 1 to 600000, not "1.5"'],
    [['--target', 'x', '--auth', 'a:b', '--bogus'], {}, 'unknown option --bogus'],
    [['--target', 'x', '--auth'], {}, 'unexpected argument or missing value'],
    [['--target', 'x', 'a:b'], {}, 'unexpected argument or missing value']
  ]
  for (const [args, env, message] of cases) t.throws(() => parseParityArgs(args, env), new ParityError(message), args.join(' '))
  t.match(parseParityArgs(['--target', 'https://sandbox.sequencehq.com/api'], { SEQUENCE_PARITY_AUTH: 'ci:p:w' }), { clientId: 'ci', clientSecret: 'p:w', allowWrites: false, json: false, requestsPerSecond: 20, timeoutMs: 10000 })
  t.equal(parseParityArgs(['--help'], {}), 'help')
  for (const [target, message] of [
    ['sandbox.sequencehq.com', '--target must be a URL such as https://sandbox.sequencehq.com/api, not "sandbox.sequencehq.com"'],
    ['ftp://example.com/api', '--target must be an http or https URL, not ftp:'],
    [`https://key:${SECRET}@example.com/api`, '--target must not carry credentials: pass them with --auth'],
    ['https://example.com/api?x=1', '--target is a base URL, without a query or fragment']
  ] as const) {
    await t.rejects(parity(target), new ParityError(message), target)
  }
  let err = ''
  t.equal(await parityCommand(['--auth', `key:${SECRET}`, SECRET], {}, { stdout: () => {}, stderr: (text) => { err += text } }), 2)
  t.equal(err, 'sequence-mock parity: unexpected argument or missing value\nRun sequence-mock parity --help for the options.\n')
})

t.test('through the command line: exit codes, --help, and the secret never printed', async (t) => {
  const mock = await target(t)
  const ok = await spawnMock('cli', ['parity', '--target', mock.url, '--auth', `key:${SECRET}`, '--rate', '25']).exited
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, /No differences: the mock behaves like the target in all \d+ probes\.\n$/)
  const refused = await spawnMock('cli', ['parity', '--target', mock.url], { SEQUENCE_PARITY_AUTH: `key:x${SECRET}` }).exited
  t.equal(refused.code, 2)
  t.match(refused.stderr, /^sequence-mock parity: the target refused the credentials of client id "key" \(401 to GET \/users\)/)
  for (const run of [ok, refused]) t.notMatch(run.stdout + run.stderr, SECRET)
  const help = await spawnMock('cli', ['parity', '--help']).exited
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: sequence-mock parity --target <base URL> --auth <id:secret> \[options\]\n/)
})
