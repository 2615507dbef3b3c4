// Pagination over HTTP: walking the whole dataset with after and before, in every version and at several limits.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { API_VERSIONS, type ApiVersion } from '../src/contract/versions.js'
import { decodeCursor, type Cursor } from '../src/data/cursor.js'
import { build, get } from './helper.js'

/** No limit below divides it, so every walk ends on a short page. */
const SIZE = 143
const LIMITS = [1, 7, 20, 100] as const
const PAGINATION_KEYS = ['after', 'before', 'totalResultSize'] as const

interface Item { readonly id: string, readonly [key: string]: unknown }
interface Body {
  readonly items: Item[]
  readonly pagination: { readonly after?: string | null, readonly before?: string | null, readonly totalResultSize?: number | null }
}
interface Response { readonly status: number, readonly version: unknown, readonly contentType: unknown, readonly raw: string, readonly body: Body }

const app = await build(t, { SEQUENCE_MOCK_USERS: String(SIZE) })

async function list (app: FastifyInstance, version: ApiVersion | undefined, query: string): Promise<Response> {
  const response = await get(app, `/api/users${query}`, version === undefined ? {} : { 'sequence-version': version })
  return {
    status: response.statusCode,
    version: response.headers['sequence-version'],
    contentType: response.headers['content-type'],
    raw: response.body,
    body: JSON.parse(response.body) as Body
  }
}

/** A cursor, or undefined when absent (null in 2024-07-30, no key in older versions). */
const cursor = (body: Body, key: 'after' | 'before'): string | undefined => body.pagination[key] ?? undefined

async function walk (version: ApiVersion, limit: number, key: 'after' | 'before', start: string | undefined): Promise<Response[]> {
  const responses: Response[] = []
  let next = start
  do {
    const query = `?limit=${limit}${next === undefined ? '' : `&${key}=${encodeURIComponent(next)}`}`
    const response = await list(app, version, query)
    responses.push(response)
    next = response.status === 200 ? cursor(response.body, key) : undefined
  } while (next !== undefined && responses.length <= SIZE + 1)
  return responses
}

/** One forward walk per version and limit, shared by the tests that look at it. */
const forwardWalks = new Map<string, Promise<Response[]>>()
function walkForward (version: ApiVersion, limit: number): Promise<Response[]> {
  const key = `${version} ${limit}`
  let walked = forwardWalks.get(key)
  if (walked === undefined) {
    walked = walk(version, limit, 'after', undefined)
    forwardWalks.set(key, walked)
  }
  return walked
}

/** What each page of a walk must look like, from the contract's arithmetic alone. */
function expectedShapes (version: ApiVersion, limit: number): object[] {
  const pages = Math.ceil(SIZE / limit)
  return Array.from({ length: pages }, (_, page) => {
    const hasAfter = page < pages - 1
    const hasBefore = page > 0
    return {
      status: 200,
      version,
      contentType: 'application/json; charset=utf-8',
      items: page < pages - 1 ? limit : SIZE - limit * (pages - 1),
      paginationKeys: version === '2024-07-30' ? [...PAGINATION_KEYS] : PAGINATION_KEYS.filter((k) => k === 'totalResultSize' || (k === 'after' ? hasAfter : hasBefore)),
      after: hasAfter ? 'string' : version === '2024-07-30' ? null : 'absent',
      before: hasBefore ? 'string' : version === '2024-07-30' ? null : 'absent',
      totalResultSize: SIZE
    }
  })
}

function shape (response: Response): object {
  const { pagination, items } = response.body
  const kind = (key: 'after' | 'before'): string | null => !Object.hasOwn(pagination, key) ? 'absent' : pagination[key] === null ? null : typeof pagination[key]
  return {
    status: response.status,
    version: response.version,
    contentType: response.contentType,
    items: items.length,
    paginationKeys: Object.keys(pagination),
    after: kind('after'),
    before: kind('before'),
    totalResultSize: pagination.totalResultSize
  }
}

const USER_KEYS = ['id', 'email', 'sequenceAccountIds', 'state']
const userKeys = (version: ApiVersion): string[] => version === '2024-07-30' ? [...USER_KEYS, 'roles'] : USER_KEYS

const ids = (responses: readonly Response[]): string[] => responses.flatMap((response) => response.body.items.map((item) => item.id))

function decoded (text: string | null | undefined): Cursor | undefined {
  return typeof text === 'string' ? decodeCursor(text) : undefined
}

for (const version of API_VERSIONS) {
  for (const limit of LIMITS) {
    t.test(`walking forward with after at limit ${limit} in ${version} visits every user once`, async (t) => {
      const responses = await walkForward(version, limit)
      t.strictSame(responses.map(shape), expectedShapes(version, limit), 'page sizes, cursors present exactly when older or newer users exist, the total on every page')
      const seen = ids(responses)
      t.equal(seen.length, SIZE, 'as many users as totalResultSize')
      t.equal(new Set(seen).size, SIZE, 'no user twice')
      t.strictSame(responses.flatMap((r) => r.body.items.map((item) => Object.keys(item).join())), seen.map(() => userKeys(version).join()), `every user in the ${version} shape`)
    })

    t.test(`each after cursor at limit ${limit} in ${version} names the page's last user with DESC, each before its first user with ASC`, async (t) => {
      const responses = await walkForward(version, limit)
      const expected = responses.map(({ body }, page) => ({
        after: page < responses.length - 1 ? { id: body.items.at(-1)?.id, direction: 'DESC' } : undefined,
        before: page > 0 ? { id: body.items[0]?.id, direction: 'ASC' } : undefined
      }))
      const actual = responses.map(({ body }) => {
        const after = decoded(body.pagination.after)
        const before = decoded(body.pagination.before)
        return {
          after: after === undefined ? undefined : { id: after.id, direction: after.direction },
          before: before === undefined ? undefined : { id: before.id, direction: before.direction }
        }
      })
      t.strictSame(actual, expected)
    })

    t.test(`walking back with before from the last page at limit ${limit} in ${version} visits the same pages in reverse`, async (t) => {
      const forward = await walkForward(version, limit)
      const last = forward.at(-1)
      t.ok(last, 'the forward walk reached a last page')
      const backward = await walk(version, limit, 'before', cursor(last?.body as Body, 'before'))
      t.strictSame(backward.map((r) => r.body), forward.slice(0, -1).reverse().map((r) => r.body), 'the same bodies, cursors included')
      t.strictSame(backward.map(shape), expectedShapes(version, limit).slice(0, -1).reverse())
      const back = [...ids(backward), ...ids([last as Response])]
      t.equal(back.length, SIZE, 'as many users on the way back as totalResultSize')
      t.equal(new Set(back).size, SIZE, 'no user twice on the way back')
    })
  }

  t.test(`users come newest first in ${version}: the creation times in the cursors never increase`, async (t) => {
    // At limit 1 every user carries a cursor (after unless last, before unless first), so every creation time is known.
    const responses = await walkForward(version, 1)
    const times = responses.map(({ body }) => (decoded(body.pagination.after) ?? decoded(body.pagination.before))?.createdAtMicros)
    t.equal(times.filter((time) => typeof time === 'number').length, SIZE, 'a creation time for every user')
    const descending = [...times].sort((x, y) => (y ?? 0) - (x ?? 0))
    t.strictSame(times, descending)
    t.ok((times[0] ?? 0) > (times.at(-1) ?? 0), 'the dataset spans more than one creation time')
    for (const limit of LIMITS.slice(1)) {
      const pages = await walkForward(version, limit)
      const bounds = pages.flatMap(({ body }) => [decoded(body.pagination.before), decoded(body.pagination.after)])
        .filter((c) => c !== undefined).map((c) => c.createdAtMicros)
      t.strictSame(bounds, [...bounds].sort((x, y) => y - x), `page boundaries at limit ${limit} are newest first too`)
    }
  })

  t.test(`every limit lists the same users in the same order in ${version}`, async (t) => {
    const reference = ids(await walkForward(version, 1))
    for (const limit of LIMITS.slice(1)) t.strictSame(ids(await walkForward(version, limit)), reference, `limit ${limit}`)
  })
}

t.test('every version lists the same users in the same order; only 2024-07-30 adds roles', async (t) => {
  const latest = (await walkForward('2024-07-30', 20)).flatMap((r) => r.body.items)
  t.equal(latest.length, SIZE)
  const withoutRoles = latest.map(({ roles: _roles, ...user }) => user)
  for (const version of ['2024-01-01', '2024-05-09'] as const) {
    t.strictSame((await walkForward(version, 20)).flatMap((r) => r.body.items), withoutRoles, version)
  }
})

t.test('every version issues the same cursors for the same pages', async (t) => {
  const [older, latest] = [await walkForward('2024-01-01', 7), await walkForward('2024-07-30', 7)]
  t.strictSame(older.map((r) => cursor(r.body, 'after')), latest.map((r) => cursor(r.body, 'after')))
  t.strictSame(older.map((r) => cursor(r.body, 'before')), latest.map((r) => cursor(r.body, 'before')))
})

/** The end of a body as sent: `"pagination":{...}}`, with a cursor as standard padded base64. */
const CURSOR = '"[A-Za-z0-9+/]+={0,2}"'
const wire = (pagination: string): RegExp => new RegExp(`,"pagination":\\{${pagination}\\}\\}$`)

t.test('in 2024-07-30 an absent cursor is null, and the keys are after, before, totalResultSize in that order', async (t) => {
  const [first, last] = await walkForward('2024-07-30', 100)
  t.match(first?.raw, wire(`"after":${CURSOR},"before":null,"totalResultSize":143`), 'the first page')
  t.match(last?.raw, wire(`"after":null,"before":${CURSOR},"totalResultSize":143`), 'the last page')
  const middle = (await walkForward('2024-07-30', 7))[1]
  t.match(middle?.raw, wire(`"after":${CURSOR},"before":${CURSOR},"totalResultSize":143`), 'a page in the middle')
})

for (const version of ['2024-01-01', '2024-05-09'] as const) {
  t.test(`in ${version} an absent cursor is left out, never null, and the keys keep their order`, async (t) => {
    const [first, last] = await walkForward(version, 100)
    t.match(first?.raw, wire(`"after":${CURSOR},"totalResultSize":143`), 'the first page has no before key')
    t.notOk(Object.hasOwn(first?.body.pagination ?? {}, 'before'))
    t.match(last?.raw, wire(`"before":${CURSOR},"totalResultSize":143`), 'the last page has no after key')
    t.notOk(Object.hasOwn(last?.body.pagination ?? {}, 'after'))
    const middle = (await walkForward(version, 7))[1]
    t.match(middle?.raw, wire(`"after":${CURSOR},"before":${CURSOR},"totalResultSize":143`), 'a page in the middle')
  })
}

t.test('without Sequence-Version a page is the 2024-07-30 page', async (t) => {
  const [bare, latest] = [await list(app, undefined, '?limit=7'), await list(app, '2024-07-30', '?limit=7')]
  t.equal(bare.version, '2024-07-30')
  t.strictSame(bare.body, latest.body)
})

t.test('cursors survive URL-encoding: an after cursor ending in == sent through encodeURIComponent gives the next page', async (t) => {
  const walked = await walkForward('2024-07-30', 20)
  const afters = walked.map((r) => cursor(r.body, 'after')).filter((c) => c !== undefined)
  t.equal(afters.length, walked.length - 1)
  t.ok(afters.every((c) => c.endsWith('==') && encodeURIComponent(c).endsWith('%3D%3D')), 'every after cursor has URL-special padding')
  for (const [index, after] of afters.entries()) {
    t.strictSame((await list(app, '2024-07-30', `?limit=20&after=${encodeURIComponent(after)}`)).body, walked[index + 1]?.body, `encoded, page ${index + 2}`)
    t.strictSame((await list(app, '2024-07-30', `?after=${after}&limit=20`)).body, walked[index + 1]?.body, `as is, page ${index + 2}`)
  }
})

t.test('the default limit is 20', async (t) => {
  for (const version of API_VERSIONS) {
    const [bare, twenty] = [await list(app, version, ''), await list(app, version, '?limit=20')]
    t.equal(bare.body.items.length, 20, version)
    t.strictSame(bare.body, twenty.body, `${version}: the same page as limit=20`)
    const next = await list(app, version, `?after=${encodeURIComponent(cursor(bare.body, 'after') ?? '')}`)
    t.strictSame(next.body, (await walkForward(version, 20))[1]?.body, `${version}: the next page without a limit is 20 long too`)
  }
})

t.test('SEQUENCE_MOCK_DEFAULT_LIMIT changes the default limit, and an explicit limit still wins', async (t) => {
  const configured = await build(t, { SEQUENCE_MOCK_USERS: String(SIZE), SEQUENCE_MOCK_DEFAULT_LIMIT: '7' })
  for (const version of API_VERSIONS) {
    const bare = await list(configured, version, '')
    t.equal(bare.body.items.length, 7, version)
    t.strictSame(bare.body, (await walkForward(version, 7))[0]?.body, `${version}: the same page as limit=7`)
    t.strictSame((await list(configured, version, '?limit=20')).body, (await walkForward(version, 20))[0]?.body, `${version}: limit=20 gives 20`)
  }
})
