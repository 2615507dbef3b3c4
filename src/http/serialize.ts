// The JSON of users and pages in each API version, written field by field in the schemas' order.
import { UserSchemas, type Role, type User } from '../contract/schemas.js'
import { API_VERSIONS, hasNullableCursors, type ApiVersion } from '../contract/versions.js'
import type { Page } from '../data/page.js'

/**
 * A 2024-07-30 page is mostly role permission lists (about 1.4 KB a user), drawn from a handful of
 * role objects: each role's JSON is written once and reused, where a schema serializer would
 * rebuild it for every user of every page. The fields are the schemas' (src/contract/schemas.ts),
 * in their order, and nothing else: the tests check every response against the published shapes.
 */
const roleJson = new WeakMap<Role, string>()

function writeRole (role: Role): string {
  let json = roleJson.get(role)
  if (json === undefined) {
    const permissions = role.permissions.map(({ resource, actions }) => `{"resource":${string(resource)},"actions":[${actions.map(string).join(',')}]}`)
    json = `{"roleName":${string(role.roleName)},"permissions":[${permissions.join(',')}]}`
    roleJson.set(role, json)
  }
  return json
}

/** 2024-07-30 added `roles`. */
const WITH_ROLES = new Set(API_VERSIONS.filter((version) => 'roles' in UserSchemas[version].properties))

export function userJson (user: User, version: ApiVersion): string {
  const common = `{"id":${string(user.id)},"email":${string(user.email)},"sequenceAccountIds":[${user.sequenceAccountIds.map(string).join(',')}],"state":${string(user.state)}`
  return WITH_ROLES.has(version) ? `${common},"roles":[${user.roles.map(writeRole).join(',')}]}` : `${common}}`
}

/** In 2024-07-30 an absent cursor is null; older versions omit it (their schema is not nullable). */
export function pageJson ({ items, after, before, totalResultSize }: Page, version: ApiVersion): string {
  let json = '{"items":['
  for (let i = 0; i < items.length; i++) json += (i === 0 ? '' : ',') + userJson(items[i]!, version)
  json += '],"pagination":{'
  if (hasNullableCursors(version)) {
    json += `"after":${after === undefined ? 'null' : string(after)},"before":${before === undefined ? 'null' : string(before)},`
  } else {
    json += `${after === undefined ? '' : `"after":${string(after)},`}${before === undefined ? '' : `"before":${string(before)},`}`
  }
  return `${json}"totalResultSize":${totalResultSize}}}`
}

const string = (text: string): string => JSON.stringify(text)
