import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ROLES } from '../src/contract/roles.js'
import { FixturesError, loadFixtures } from '../src/data/fixtures.js'
import { build, get } from './helper.js'

const SHIPPED = 'fixtures/sequence-examples.json'
const dir = mkdtempSync(join(tmpdir(), 'sequence-mock-fixtures-'))
let files = 0
function fixtureFile (content: unknown): string {
  const path = join(dir, `users-${files++}.json`)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

const valid = {
  id: '7b1f28b9-a4ad-450b-a0ea-fd647d5109b2',
  email: 'john@example.xyz',
  sequenceAccountIds: ['83da2ca4-49c7-4d81-9c9a-ba5be11768b0'],
  state: 'active',
  roles: [ROLES.financeUser]
}
const other = { ...valid, id: 'c9e249d8-5ac9-49af-b9a3-0da9f0946c3d', email: 'jane@example.xyz' }

t.test('the shipped fixtures are served in the API shape, newest first', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_FIXTURES: SHIPPED })
  const body = (await get(app, '/api/users')).json()
  t.same(body.items.map((user: { email: string }) => user.email), ['sam@example.xyz', 'person@example.com', 'john@example.xyz', 'alex@example.xyz'])
  t.same(body.pagination, { after: null, before: null, totalResultSize: 4 })
  const john = (await get(app, '/api/users/7b1f28b9-a4ad-450b-a0ea-fd647d5109b2')).json()
  t.same(john, {
    id: '7b1f28b9-a4ad-450b-a0ea-fd647d5109b2',
    email: 'john@example.xyz',
    sequenceAccountIds: ['83da2ca4-49c7-4d81-9c9a-ba5be11768b0', 'c0901c87-e1a9-48e9-9e2f-9e05c402dcea'],
    state: 'active',
    roles: [ROLES.financeUser]
  }, "the list example's user, without createdAt")
  const person = (await get(app, '/api/users/ca88f667-a17a-4c84-a8ee-8a4293834ff4')).json()
  t.same(person.roles.map((role: { roleName: string }) => role.roleName), ['salesUser', 'financeUser'], 'role order kept')
})

t.test('the shipped fixtures reproduce the documented example cursors', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_FIXTURES: SHIPPED })
  const newest = (await get(app, '/api/users?limit=1')).json()
  t.equal(newest.pagination.after, 'ZTMwOWU5NDgtMDg4ZS00ZDc3LWI2NTQtY2Q4NTQ5OGYxNTU1IzE2NTgyNjA4NTYwMzMwMTMjREVTQw==', 'documented after')
  const oldest = (await get(app, '/api/users?limit=3&after=' + encodeURIComponent(newest.pagination.after))).json()
  t.equal(oldest.items.at(-1).email, 'alex@example.xyz')
  t.equal(oldest.pagination.after, null, 'nothing is older than the oldest user')
  const afterJohn = Buffer.from('7b1f28b9-a4ad-450b-a0ea-fd647d5109b2#1658260812000000#DESC').toString('base64')
  const last = (await get(app, '/api/users?limit=1&after=' + encodeURIComponent(afterJohn))).json()
  t.same(last.items.map((user: { email: string }) => user.email), ['alex@example.xyz'])
  t.equal(last.pagination.before, 'NjRlZjJmZjktMmJjYi00M2RiLWI0ZDUtOTAxMDU4MjRiMTdmIzE2NTgyNjA3NTk3NTE2ODEjQVND', 'documented before')
})

t.test('a saved list response ({"items": [...]}) works as a fixtures file', async (t) => {
  const users = await loadFixtures(fixtureFile({ items: [valid, other], pagination: {} }))
  t.same(users.map((user) => user.email), ['john@example.xyz', 'jane@example.xyz'])
})

t.test('users without createdAt keep the file order, newest first', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_FIXTURES: fixtureFile([other, valid]) })
  t.same((await get(app, '/api/users')).json().items.map((user: { id: string }) => user.id), [other.id, valid.id])
})

t.test('createdAt accepts ISO 8601 with microseconds and offsets', async (t) => {
  const users = await loadFixtures(fixtureFile([
    { ...valid, createdAt: '2022-07-19T20:00:56.033013Z' },
    { ...other, createdAt: '2022-07-19T22:00:56.5+02:00' }
  ]))
  t.same(users.map((user) => user.createdAtMicros), [1658260856033013, 1658260856500000])
})

t.test('a role may be given by its name alone, and stands for the documented role', async (t) => {
  const users = await loadFixtures(fixtureFile([{ ...valid, roles: ['salesUser', ROLES.admin] }]))
  t.same(users[0]?.roles, [ROLES.salesUser, ROLES.admin])
  const app = await build(t, { SEQUENCE_MOCK_FIXTURES: fixtureFile([{ ...valid, roles: ['readOnlyUser'] }]) })
  t.equal((await get(app, `/api/users/${valid.id}`)).body, JSON.stringify({ ...valid, roles: [ROLES.readOnlyUser] }))
})

const badFiles: Array<[string, unknown, string]> = [
  ['not JSON', '{"id": ', 'not JSON'],
  ['neither an array nor {items}', { users: [] }, 'expected an array of users, or an object with an "items" array'],
  ['a missing email', [valid, { ...other, email: undefined }], 'user at index 1, field "email": is required'],
  ['an email that is not text', [{ ...valid, email: 42 }], 'user at index 0, field "email": must be string'],
  ['an unknown field', [valid, other, { ...other, id: '0b5c1c36-8c6f-4b7a-9f71-6dd0b2d1f2aa', email: 'x@example.xyz', name: 'X' }], 'user at index 2, field "name": is not a field of a Sequence user'],
  ['an upper-case id', [{ ...valid, id: valid.id.toUpperCase() }], 'user at index 0, field "id": must match pattern'],
  ['an unknown role', [{ ...valid, roles: [{ roleName: 'owner', permissions: [] }] }], 'user at index 0, field "roles[0].roleName"'],
  ['a role with other permissions', [{ ...valid, roles: [ROLES.admin, { ...ROLES.salesUser, permissions: ROLES.admin.permissions }] }], `user at index 0, field "roles[1]": must equal Sequence's documented role "salesUser" exactly`],
  ['no roles', [{ ...valid, roles: [] }], 'user at index 0, field "roles"'],
  ['an unknown role name', [valid, { ...other, roles: ['owner'] }], `user at index 1, field "roles[0]": must be one of Sequence's roles, admin, financeUser, salesUser, readOnlyUser: by name, or its documented object`],
  ['a duplicate id', [valid, other, { ...other, email: 'x@example.xyz' }], 'user at index 2, field "id": duplicates the id of the user at index 1'],
  ['a duplicate email', [valid, { ...other, email: valid.email }], 'user at index 1, field "email": duplicates the email of the user at index 0'],
  ['a bad createdAt', [{ ...valid, createdAt: 'yesterday' }], 'user at index 0, field "createdAt": must be an ISO 8601 date-time'],
  ['an account id that is not a UUID', [{ ...valid, sequenceAccountIds: ['acct_1'] }], 'user at index 0, field "sequenceAccountIds[0]"']
]

for (const [what, content, message] of badFiles) {
  t.test(`a fixtures file with ${what} stops the app with a message naming the file, index and field`, async (t) => {
    const path = fixtureFile(content)
    const error = await loadFixtures(path).then(() => undefined, (e: unknown) => e)
    t.type(error, FixturesError)
    t.match((error as Error).message, `Invalid fixtures file ${path}: ${message}`)
    await t.rejects(build(t, { SEQUENCE_MOCK_FIXTURES: path }), FixturesError)
  })
}

t.test('a missing fixtures file names the path', async (t) => {
  await t.rejects(loadFixtures(join(dir, 'nope.json')), { name: 'FixturesError', message: /Invalid fixtures file .*nope\.json: ENOENT/ })
})
