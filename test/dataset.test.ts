import t from 'tap'
import { decodeCursor } from '../src/data/cursor.js'
import { EARLIEST_CREATED_AT, REFERENCE_DATE, generateUsers } from '../src/data/generate.js'
import { build, get } from './helper.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const ACCOUNT = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'

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

t.test('a larger dataset from the same seed starts with the same users', async (t) => {
  const small = generateUsers({ seed: 3, size: 50, accountId: ACCOUNT })
  const large = generateUsers({ seed: 3, size: 500, accountId: ACCOUNT })
  t.same(large.slice(0, 50), small)
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
