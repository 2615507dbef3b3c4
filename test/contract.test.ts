import { readdirSync } from 'node:fs'
import t from 'tap'
import { Type } from 'typebox'
import { ROLES, ROLE_NAMES } from '../src/contract/roles.js'
import { UserPageSchemas, UserSchemas } from '../src/contract/schemas.js'
import { API_VERSIONS } from '../src/contract/versions.js'
import { OPENAPI_DIR, readOpenApi, resolve } from './openapi.js'

const isOptional = (schema: object): boolean => Type.IsOptional(schema as never)

t.test('the mock serves exactly the versions Sequence publishes documents for', async (t) => {
  const published = readdirSync(OPENAPI_DIR).map((name) => /^(\d{4}-\d{2}-\d{2})\.product\.json$/.exec(name)?.[1]).filter(Boolean).sort()
  t.same(published, [...API_VERSIONS])
})

t.test('the four roles equal components.schemas.Role.enum of the 2024-07-30 document, byte for byte and in order', async (t) => {
  const documented = readOpenApi('2024-07-30').components.schemas['Role']?.enum ?? []
  t.same(documented.map((role) => JSON.parse(role).roleName), ROLE_NAMES)
  t.same(ROLE_NAMES.map((name) => JSON.stringify(ROLES[name])), documented.map((role) => JSON.stringify(JSON.parse(role))))
})

for (const version of API_VERSIONS) {
  t.test(`the ${version} user and page shapes are the documented ones`, async (t) => {
    const document = readOpenApi(version)
    const list = document.paths['/users']?.['get']
    t.same(list.parameters.find((p: { name: string }) => p.name === 'Sequence-Version').schema.enum, [version])
    const page = resolve(document, list.responses['200'].content['application/json'].schema)
    const user = resolve(document, page.properties?.['items']?.items ?? {})
    const pagination = resolve(document, page.properties?.['pagination'] ?? {})

    const ours = UserSchemas[version]
    t.same(Object.keys(ours.properties), Object.keys(user.properties ?? {}), 'user fields, in documented order')
    t.same([...ours.required].sort(), [...(user.required ?? [])].sort(), 'required user fields')

    const oursPagination = UserPageSchemas[version].properties.pagination.properties
    t.same(Object.keys(oursPagination), Object.keys(pagination.properties ?? {}), 'pagination fields')
    for (const [name, field] of Object.entries(pagination.properties ?? {})) {
      const nullable = JSON.stringify(oursPagination[name as keyof typeof oursPagination]).includes('"null"')
      t.equal(nullable, field.nullable === true, `pagination.${name} nullable as documented`)
      t.equal(isOptional(oursPagination[name as keyof typeof oursPagination]), !nullable, `pagination.${name} omitted rather than null only where not nullable`)
    }
  })
}
