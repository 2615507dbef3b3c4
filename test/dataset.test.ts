import t from 'tap'
import { decodeCursor } from '../src/data/cursor.js'
import { comparePositions, type StoredUser } from '../src/data/user-store.js'
import { EARLIEST_CREATED_AT, GeneratedUsers, REFERENCE_DATE, type GenerateOptions } from '../src/data/generate.js'
import { build, get } from './helper.js'
import { seededRandom } from '../scripts/load/random.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'

function generateUsers (options: GenerateOptions): StoredUser[] {
  const list = new GeneratedUsers(options)
  return Array.from({ length: list.size }, (_, index) => list.at(index))
}

async function bodies (env: Record<string, string>): Promise<string[]> {
  const app = await build(t, env)
  const urls = ['/api/users', '/api/users?limit=100', '/api/users?limit=7']
  const out: string[] = []
  for (const version of ['2024-01-01', '2024-05-09', '2024-07-30']) {
    for (const url of urls) out.push((await get(app, url, { 'sequence-version': version })).body)
  }
  const first = JSON.parse(out[0] as string)
  out.push((await get(app, `/api/users?after=${encodeURIComponent(first.pagination.after)}`)).body)
  out.push((await get(app, `/api/users/${first.items[3].id}`)).body)
  return out
}

t.test('two apps from one seed give byte-identical bodies', async (t) => {
  t.same(await bodies({ SEQUENCE_MOCK_SEED: '7' }), await bodies({ SEQUENCE_MOCK_SEED: '7' }))
})

t.test('another seed gives other users', async (t) => {
  const [a, b] = [await bodies({ SEQUENCE_MOCK_SEED: '7' }), await bodies({ SEQUENCE_MOCK_SEED: '8' })]
  const ids = (body: string): string[] => JSON.parse(body).items.map((user: { id: string }) => user.id)
  t.equal(ids(a[1] as string).filter((id) => ids(b[1] as string).includes(id)).length, 0)
})

t.test('a larger dataset from the same seed starts with the same users; only their creation times spread differently', async (t) => {
  const withoutTime = ({ createdAtMicros, ...user }: StoredUser) => user
  const small = generateUsers({ seed: 3, size: 50, accountId: ACCOUNT })
  const large = generateUsers({ seed: 3, size: 500, accountId: ACCOUNT })
  t.strictSame(large.slice(0, 50).map(withoutTime), small.map(withoutTime))
})

t.test('a user is the same however and whenever it is read', async (t) => {
  const list = new GeneratedUsers({ seed: 5, size: 1000, accountId: ACCOUNT })
  const forward = Array.from({ length: 1000 }, (_, index) => list.at(index))
  const backward = Array.from({ length: 1000 }, (_, index) => list.at(999 - index)).reverse()
  t.strictSame(backward, forward)
  t.strictSame(new GeneratedUsers({ seed: 5, size: 1000, accountId: ACCOUNT }).at(617), forward[617])
})

t.test('every generated user is found by its id and its email, and nothing else is', async (t) => {
  const size = 2000
  const list = new GeneratedUsers({ seed: 9, size, accountId: ACCOUNT })
  const misses: string[] = []
  for (let index = 0; index < size; index++) {
    const { id, email } = list.at(index)
    if (list.indexOfId(id) !== index) misses.push(`id of ${index}`)
    if (list.indexOfEmail(email) !== index) misses.push(`email of ${index}`)
  }
  t.strictSame(misses, [])
  const larger = new GeneratedUsers({ seed: 9, size: size + 10, accountId: ACCOUNT })
  const other = new GeneratedUsers({ seed: 10, size, accountId: ACCOUNT })
  const { id, email } = list.at(5)
  for (const unknown of [larger.at(size + 3).id, other.at(5).id, id.toUpperCase(), id.slice(0, -1) + (id.endsWith('0') ? '1' : '0'), '00000000-0000-4000-8000-000000000000', 'not-a-uuid', '']) {
    t.equal(list.indexOfId(unknown), undefined, `no user has id ${JSON.stringify(unknown)}`)
  }
  for (const unknown of [larger.at(size + 3).email, other.at(5).email, email.replace('@', 'x@'), 'a0@example.com', `${email}.uk`, 'nobody']) {
    t.equal(list.indexOfEmail(unknown), undefined, `no user has email ${JSON.stringify(unknown)}`)
  }
})

t.test('a generated list finds positions like a linear scan, inclusive and not', async (t) => {
  const list = new GeneratedUsers({ seed: 4, size: 500, accountId: ACCOUNT })
  const users = generateUsers({ seed: 4, size: 500, accountId: ACCOUNT })
  t.strictSame([...users].sort(comparePositions), users, 'index order is list order')
  const random = seededRandom(4)
  const linear = (position: StoredUser | { createdAtMicros: number, id: string }, inclusive: boolean): number => {
    const index = users.findIndex((user) => inclusive ? comparePositions(user, position) >= 0 : comparePositions(user, position) > 0)
    return index < 0 ? users.length : index
  }
  const mismatches: string[] = []
  for (let probe = 0; probe < 400; probe++) {
    const user = users[Math.floor(random() * users.length)] as StoredUser
    const positions = [user, { createdAtMicros: user.createdAtMicros, id: '00000000-0000-4000-8000-000000000000' }, { createdAtMicros: user.createdAtMicros, id: 'ffffffff-ffff-4fff-bfff-ffffffffffff' }, { createdAtMicros: user.createdAtMicros + 1, id: user.id }]
    for (const position of positions) {
      for (const inclusive of [true, false]) {
        if (list.indexOf(position, inclusive) !== linear(position, inclusive)) mismatches.push(`${position.id}#${position.createdAtMicros} ${inclusive}`)
      }
    }
  }
  t.strictSame(mismatches, [])
  t.equal(list.indexOf({ createdAtMicros: REFERENCE_DATE * 1000, id: '' }, true), 0)
  t.equal(list.indexOf({ createdAtMicros: EARLIEST_CREATED_AT * 1000 - 1, id: '' }, true), 500)
})

t.test('ten million users: the newest, the oldest and any between, in order, distinct, within the years', async (t) => {
  const size = 10_000_000
  const list = new GeneratedUsers({ seed: 1, size, accountId: ACCOUNT })
  const indexes = [0, 1, 2, 4_999_999, 5_000_000, 9_999_998, size - 1]
  const users = indexes.map((index) => list.at(index))
  t.strictSame([...users].sort(comparePositions), users, 'in list order')
  t.equal(new Set(users.map((user) => user.id)).size, users.length)
  t.equal(users.at(-1)?.email.match(/(\d+)@/)?.[1], '10000000', "an email ends with the user's number")
  for (const [n, user] of users.entries()) {
    t.equal(list.indexOfId(user.id), indexes[n])
    t.ok(user.createdAtMicros >= EARLIEST_CREATED_AT * 1000 && user.createdAtMicros < REFERENCE_DATE * 1000)
  }
})

t.test('the default dataset does not drift across machines or days', async (t) => {
  const app = await build(t)
  for (const version of ['2024-01-01', '2024-07-30']) {
    t.matchSnapshot((await get(app, '/api/users?limit=3', { 'sequence-version': version })).body, `first page of three in ${version}`)
  }
})

t.test('generated users are realistic', async (t) => {
  const size = 400
  const users = generateUsers({ seed: 11, size, accountId: ACCOUNT })
  t.equal(users.length, size)
  t.equal(new Set(users.map((user) => user.id)).size, size, 'ids are unique')
  t.equal(new Set(users.map((user) => user.email)).size, size, 'emails are unique')
  t.equal(new Set(users.map((user) => user.createdAtMicros)).size, size, 'creation times differ')
  for (const user of users) {
    t.match(user.id, UUID)
    t.match(user.email, /^[^@\s]+@example\.(com|net|org)$/, 'emails are on reserved example domains')
    t.ok(user.sequenceAccountIds.length >= 1 && user.sequenceAccountIds.length <= 3, 'one to three accounts')
    t.ok(user.sequenceAccountIds.includes(ACCOUNT), "the caller's account is among them")
    t.equal(new Set(user.sequenceAccountIds).size, user.sequenceAccountIds.length, 'no account twice')
    t.equal(user.state, 'active')
    t.ok(user.createdAtMicros >= EARLIEST_CREATED_AT * 1000 && user.createdAtMicros < REFERENCE_DATE * 1000, 'created in the past years')
  }
  const accounts = new Set(users.flatMap((user) => user.sequenceAccountIds))
  t.ok(accounts.size > 1 && accounts.size <= 5, 'accounts come from a small pool')
  t.ok(users.some((user) => user.roles.length === 2), 'some users hold two roles')
  t.ok(new Set(users.map((user) => user.createdAtMicros % 1000)).size > 100, 'microsecond digits vary')
  const years = new Set(users.map((user) => new Date(user.createdAtMicros / 1000).getUTCFullYear()))
  t.ok(years.size >= 4, `creation times spread over years (${[...years].join(', ')})`)
})

t.test("SEQUENCE_MOCK_ACCOUNT_ID is every user's own account, and creation times order the list", async (t) => {
  const account = '11111111-2222-4333-8444-555555555555'
  const app = await build(t, { SEQUENCE_MOCK_ACCOUNT_ID: account, SEQUENCE_MOCK_USERS: '30' })
  const body = (await get(app, '/api/users?limit=100')).json()
  t.equal(body.items.length, 30)
  for (const user of body.items) t.ok(user.sequenceAccountIds.includes(account))
  t.ok(body.items.every((user: unknown) => !Object.hasOwn(user as object, 'createdAtMicros')), 'creation time is not returned')
  const page = (await get(app, '/api/users?limit=2')).json()
  const cursor = decodeCursor(page.pagination.after)
  t.equal(cursor?.id, page.items[1].id)
})
