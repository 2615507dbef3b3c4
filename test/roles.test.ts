import t from 'tap'
import { readOpenApi } from './openapi.js'
import { build, get } from './helper.js'

const documentedByName = new Map((readOpenApi('2024-07-30').components.schemas['Role']?.enum ?? []).map((role) => [JSON.parse(role).roleName as string, JSON.stringify(JSON.parse(role))]))
const documented = new Set(documentedByName.values())

t.test('every role of every user in 2024-07-30 is one of the four documented roles, byte for byte', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: '250' })
  const seen = new Map<string, number>()
  let url = '/api/users?limit=100'
  for (;;) {
    const body = (await get(app, url)).json()
    for (const user of body.items) {
      t.ok(user.roles.length === 1 || user.roles.length === 2, `${user.id} has one or two roles`)
      t.equal(new Set(user.roles.map((role: { roleName: string }) => role.roleName)).size, user.roles.length, `${user.id} holds each role once`)
      for (const role of user.roles) {
        const text = JSON.stringify(role)
        t.ok(documented.has(text), `${user.id}: ${role.roleName} is documented exactly`)
        seen.set(role.roleName, (seen.get(role.roleName) ?? 0) + 1)
      }
      const single = (await get(app, `/api/users/${user.id}`)).json()
      t.same(single.roles, user.roles, `GET /api/users/${user.id} has the same roles`)
    }
    if (body.pagination.after === null) break
    url = `/api/users?limit=100&after=${encodeURIComponent(body.pagination.after)}`
  }
  t.same([...seen.keys()].sort(), ['admin', 'financeUser', 'readOnlyUser', 'salesUser'], 'all four roles occur')
  t.ok([...seen.values()].some((n) => n > 1), 'roles are shared between users')
})

t.test('the raw bytes of every user roles array are the documented role texts, in order', async (t) => {
  const app = await build(t)
  const raw = (await get(app, '/api/users?limit=100')).body
  for (const user of JSON.parse(raw).items) {
    const names: string[] = user.roles.map((role: { roleName: string }) => role.roleName)
    const expected = `"state":"active","roles":[${names.map((name) => documentedByName.get(name)).join(',')}]}`
    t.ok(raw.includes(`"id":"${user.id}"`) && raw.includes(expected), `${user.id}: ${names.join(', ')}`)
  }
})
