import t from 'tap'
import { Value } from 'typebox/value'
import { ROLE_NAMES, ROLES, type RoleName } from '../src/contract/roles.js'
import { RoleSchema, UserPageSchemas, UserSchemas } from '../src/contract/schemas.js'
import { build, get } from './helper.js'

/** Each role's exact text, as the mock must send it. */
const ROLE_TEXTS = new Map<string, string>(ROLE_NAMES.map((name) => [name, JSON.stringify(ROLES[name])]))
const resources = (name: RoleName): string[] => ROLES[name].permissions.map((permission) => permission.resource)

t.test('the four roles are admin, financeUser, salesUser and readOnlyUser, in that order', async (t) => {
  t.same(ROLE_NAMES, ['admin', 'financeUser', 'salesUser', 'readOnlyUser'])
  t.same(Object.keys(ROLES), ROLE_NAMES)
  t.same(RoleSchema.properties.roleName.enum, ROLE_NAMES, 'the Role shape names the same four')
})

t.test('each role is a roleName and its permissions, each permission a resource and its actions, every resource once', async (t) => {
  for (const name of ROLE_NAMES) {
    const role = ROLES[name]
    t.ok(Value.Check(RoleSchema, role), `${name} has the Role shape`)
    t.equal(role.roleName, name)
    t.same(Object.keys(role), ['roleName', 'permissions'], `${name}: field order`)
    for (const permission of role.permissions) t.same(Object.keys(permission), ['resource', 'actions'], `${name} ${permission.resource}: field order`)
    t.equal(new Set(resources(name)).size, role.permissions.length, `${name}: every resource once`)
  }
})

t.test('admin lists its resources in a different order from the other three, which share one order', async (t) => {
  t.same(resources('salesUser'), resources('financeUser'))
  t.same(resources('readOnlyUser'), resources('financeUser'))
  t.notSame(resources('admin'), resources('financeUser'), 'admin: another order')
  t.same([...resources('admin')].sort(), [...resources('financeUser')].sort(), 'admin: the same resources')
})

t.test('only 2024-07-30 users have roles', async (t) => {
  t.same(Object.keys(UserSchemas['2024-07-30'].properties), ['id', 'email', 'sequenceAccountIds', 'state', 'roles'])
  t.same(Object.keys(UserSchemas['2024-01-01'].properties), ['id', 'email', 'sequenceAccountIds', 'state'])
  t.same(Object.keys(UserSchemas['2024-05-09'].properties), ['id', 'email', 'sequenceAccountIds', 'state'])
})

t.test('every role of every user in 2024-07-30 is one of the four roles, byte for byte, and all four occur', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: '250' })
  const seen = new Map<string, number>()
  let url = '/api/users?limit=100'
  for (;;) {
    const body = (await get(app, url)).json()
    t.ok(Value.Check(UserPageSchemas['2024-07-30'], body), 'the page has the 2024-07-30 shape')
    for (const user of body.items) {
      t.ok(user.roles.length === 1 || user.roles.length === 2, `${user.id} has one or two roles`)
      t.equal(new Set(user.roles.map((role: { roleName: string }) => role.roleName)).size, user.roles.length, `${user.id} holds each role once`)
      for (const role of user.roles) {
        t.equal(JSON.stringify(role), ROLE_TEXTS.get(role.roleName), `${user.id}: ${role.roleName} is the role exactly`)
        seen.set(role.roleName, (seen.get(role.roleName) ?? 0) + 1)
      }
      const single = (await get(app, `/api/users/${user.id}`)).json()
      t.same(single.roles, user.roles, `GET /api/users/${user.id} has the same roles`)
    }
    if (body.pagination.after === null) break
    url = `/api/users?limit=100&after=${encodeURIComponent(body.pagination.after)}`
  }
  t.same([...seen.keys()].sort(), [...ROLE_NAMES].sort(), 'all four roles occur')
  t.ok([...seen.values()].some((n) => n > 1), 'roles are shared between users')
})

t.test('the raw bytes of every user roles array are the role texts, in order', async (t) => {
  const app = await build(t)
  const raw = (await get(app, '/api/users?limit=100')).body
  for (const user of JSON.parse(raw).items) {
    const names: string[] = user.roles.map((role: { roleName: string }) => role.roleName)
    const { roles: _roles, ...fields } = user
    const expected = `${JSON.stringify(fields).slice(0, -1)},"roles":[${names.map((name) => ROLE_TEXTS.get(name)).join(',')}]}`
    t.ok(raw.includes(expected), `${user.id}: ${names.join(', ')}`)
  }
})
