// The soak's load: a wrk Lua script cycling through a varied request mix with real cursors, counting every answer's status against the one expected.
import { Client, AUTHORIZATION } from './http.js'
import { CannotRun } from './mock.js'

/** One request of the cycle, and the status the contract gives it. */
export interface MixEntry {
  readonly method: string
  /** `{id}` stands for a user the cycle added itself, `lag` cycles ago. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly expect: number
  readonly lag?: number
}

export interface Mix {
  readonly entries: readonly MixEntry[]
  /** What one cycle is made of, for the report. */
  readonly description: string
}

const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const VERSIONS = ['2024-07-30', '2024-05-09', '2024-01-01'] as const
const LIMITS = [5, 20, 100] as const
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const WRONG_AUTHORIZATION = `Basic ${Buffer.from('key:wrong').toString('base64')}`

/**
 * The cycle: list pages (first, deep with `after`, deep with `before`) at three limits in every
 * version, twice; users by id; an unknown id (404), a bad limit (400), wrong credentials (401);
 * the journal and /health; and, about one request in twenty, writes: a user added
 * (`POST /_mock/users`), updated (`PUT /api/users/{id}`), deleted (`DELETE /api/users/{id}`) and
 * removed (`DELETE /_mock/users/{id}`) a few cycles later, so that the store's changes come and go
 * and every write drops the replayed answers.
 */
export async function planMix (port: number, users: number): Promise<Mix> {
  const client = new Client(port)
  const page = async (query: string): Promise<{ items: Array<{ id: string }>, pagination: { after: string | null, before: string | null } }> => {
    const answer = await client.api(`/api/users?${query}`, '2024-07-30')
    if (answer.status !== 200) throw new CannotRun(`planning the mix, GET /api/users?${query} answered ${answer.status}: ${answer.body.slice(0, 300)}`)
    return JSON.parse(answer.body)
  }
  // A page in the middle of the list: its cursors lead both ways.
  let middle = await page('limit=100')
  for (let read = 100; read < users / 2 && middle.pagination.after !== null; read += 100) middle = await page(`limit=100&after=${encodeURIComponent(middle.pagination.after)}`)
  client.close()
  const { after, before } = middle.pagination
  if (after === null || before === null) throw new CannotRun(`the soak needs at least 300 users, not ${users}`)
  const api = (version: string, authorization = AUTHORIZATION): Record<string, string> => ({ Authorization: authorization, 'Sequence-Version': version })
  const json = { 'Content-Type': 'application/json' }

  const lists: MixEntry[] = VERSIONS.flatMap((version) => LIMITS.flatMap((limit) => [
    `/api/users?limit=${limit}`, `/api/users?limit=${limit}&after=${encodeURIComponent(after)}`, `/api/users?limit=${limit}&before=${encodeURIComponent(before)}`
  ].map((path) => ({ method: 'GET', path, headers: api(version), expect: 200 }))))
  const ids = middle.items.slice(0, 6).map((user, index): MixEntry => ({ method: 'GET', path: `/api/users/${user.id}`, headers: api(VERSIONS[index % 3] as string), expect: 200 }))
  const entries: MixEntry[] = [
    { method: 'POST', path: '/_mock/users', headers: json, body: JSON.stringify({ id: '{id}', email: 'soak-{id}@example.com', sequenceAccountIds: [ACCOUNT_ID], state: 'active', roles: ['readOnlyUser'] }), expect: 201, lag: 0 },
    ...lists,
    ...ids.slice(0, 3),
    { method: 'GET', path: `/api/users/${UNKNOWN_ID}`, headers: api('2024-07-30'), expect: 404 },
    { method: 'GET', path: '/api/users?limit=0', headers: api('2024-07-30'), expect: 400 },
    { method: 'GET', path: '/api/users?limit=20', headers: api('2024-07-30', WRONG_AUTHORIZATION), expect: 401 },
    { method: 'PUT', path: '/api/users/{id}', headers: { ...api('2024-05-09'), ...json }, body: JSON.stringify({ sequenceAccountIds: [ACCOUNT_ID] }), expect: 201, lag: 1 },
    { method: 'GET', path: '/_mock/requests?limit=5', headers: {}, expect: 200 },
    { method: 'DELETE', path: '/api/users/{id}', headers: api('2024-01-01'), expect: 200, lag: 2 },
    ...lists,
    ...ids.slice(3),
    { method: 'GET', path: `/api/users/${UNKNOWN_ID}`, headers: api('2024-01-01'), expect: 404 },
    { method: 'GET', path: '/api/users?limit=abc', headers: api('2024-05-09'), expect: 400 },
    { method: 'GET', path: `/api/users/${middle.items[0]?.id}`, headers: api('2024-07-30', WRONG_AUTHORIZATION), expect: 401 },
    { method: 'GET', path: '/health', headers: {}, expect: 200 },
    { method: 'DELETE', path: '/_mock/users/{id}', headers: {}, expect: 200, lag: 3 }
  ]
  const writes = entries.filter((entry) => entry.lag !== undefined).length
  return {
    entries,
    description: `${entries.length} requests a cycle: ${2 * lists.length} list pages (first, deep after, deep before; limits ${LIMITS.join(', ')}; every version), ` +
      `${ids.length} by id, 2 unknown ids (404), 2 bad limits (400), 2 wrong credentials (401), 1 GET /_mock/requests, 1 GET /health, ` +
      `${writes} writes (${(100 * writes / entries.length).toFixed(1)}%: POST /_mock/users, PUT and DELETE /api/users/{id}, DELETE /_mock/users/{id} of a user added 1 to 3 cycles before)`
  }
}

/**
 * The wrk script. Requests are made once in init(), except the writes, whose user id comes from
 * the cycle count and the run's nonce; before a write's user exists (the first cycles) /health is
 * sent instead. Each thread counts the status expected for what it sent and the status of each
 * answer; done() prints both as one JSON line starting with `SOAK `.
 */
export function luaScript (mix: Mix): string {
  const entries = mix.entries.map((entry) => `  { method = ${lua(entry.method)}, path = ${lua(entry.path)}, headers = { ${Object.entries(entry.headers).map(([name, value]) => `[${lua(name)}] = ${lua(value)}`).join(', ')} }, ` +
    `body = ${entry.body === undefined ? 'nil' : lua(entry.body)}, expect = ${entry.expect}, lag = ${entry.lag ?? 'nil'} }`)
  return `-- Generated by scripts/load/soak-mix.ts for one soak run.
local entries = {
${entries.join(',\n')}
}
local prepared = {}
local threads = {}
local count = 0
local cycle = 0
local verified = false

local function copy (t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

function setup (thread)
  table.insert(threads, thread)
end

function init (args)
  nonce = args[1]
  sent = {}
  got = {}
  for i, e in ipairs(entries) do
    prepared[i] = wrk.format(e.method, e.path, copy(e.headers), e.body)
  end
  health = wrk.format("GET", "/health", {}, nil)
end

function request ()
  -- wrk calls request() once before the run to check what it returns, and never sends that one:
  -- it must not be a write, whose user later requests expect. Counted, in case it is sent.
  if not verified then
    verified = true
    sent[200] = (sent[200] or 0) + 1
    return health
  end
  local i = count % #entries + 1
  count = count + 1
  if i == 1 then cycle = cycle + 1 end
  local e = entries[i]
  local req, expect = prepared[i], e.expect
  if e.lag then
    local n = cycle - e.lag
    if n < 1 then
      req, expect = health, 200
    else
      local id = string.format("5eed%s-0000-4000-8000-%012x", nonce, n)
      req = wrk.format(e.method, (e.path:gsub("{id}", id)), copy(e.headers), e.body and (e.body:gsub("{id}", id)))
    end
  end
  sent[expect] = (sent[expect] or 0) + 1
  return req
end

function response (status, headers, body)
  got[status] = (got[status] or 0) + 1
end

local function json (t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%d":%d', k, v)) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done (summary, latency, requests)
  local sent, got = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("sent")) do sent[k] = (sent[k] or 0) + v end
    for k, v in pairs(thread:get("got")) do got[k] = (got[k] or 0) + v end
  end
  io.write("SOAK {\\"sent\\":" .. json(sent) .. ",\\"got\\":" .. json(got) .. "}\\n")
end
`
}

/** A Lua string literal. */
function lua (text: string): string {
  return JSON.stringify(text)
}

export interface StatusCounts {
  /** Requests sent, by the status each should get. */
  readonly sent: Readonly<Record<string, number>>
  /** Answers, by status. */
  readonly got: Readonly<Record<string, number>>
}

export function parseCounts (output: string): StatusCounts {
  const line = /^SOAK (\{.*\})$/m.exec(output)?.[1]
  if (line === undefined) throw new CannotRun(`wrk's script printed no status counts:\n${output}`)
  return JSON.parse(line) as StatusCounts
}

/**
 * Answers with a status no request of the mix should get. Requests still in flight when wrk stops
 * are sent and never answered, so a count can fall short but never exceed what was sent: an
 * answer over the count for its status is one that should have had another.
 */
export function unexpectedAnswers ({ sent, got }: StatusCounts): Record<string, number> {
  return Object.fromEntries(Object.entries(got).flatMap(([status, count]) => count > (sent[status] ?? 0) ? [[status, count - (sent[status] ?? 0)]] : []))
}
