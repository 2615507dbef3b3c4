// Users from a JSON file, in the API's own 2024-07-30 shape, validated before the server starts.
import { readFile } from 'node:fs/promises'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { UserV20240730Schema } from '../contract/schemas.js'
import { ROLES } from '../contract/roles.js'
import { REFERENCE_DATE } from './generate.js'
import type { StoredUser } from './user-store.js'

/** A user as `GET /api/users/{id}` returns it in 2024-07-30, optionally with its creation time. */
export const FixtureUserSchema = Type.Object({
  ...UserV20240730Schema.properties,
  id: Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' }),
  roles: Type.Array(UserV20240730Schema.properties.roles.items, { minItems: 1 }),
  /** ISO 8601 with up to microsecond precision, e.g. `2022-07-19T20:00:56.033013Z`. */
  createdAt: Type.Optional(Type.String())
}, { additionalProperties: false })
export type FixtureUser = Static<typeof FixtureUserSchema>

/** The file holds an array of users, or a saved list response (`{"items": [...]}`). */
const FixtureFileSchema = Type.Union([
  Type.Array(Type.Unknown()),
  Type.Object({ items: Type.Array(Type.Unknown()) })
])

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/

export class FixturesError extends Error {
  override name = 'FixturesError'
}

export async function loadFixtures (path: string): Promise<StoredUser[]> {
  const fail = (problem: string): never => {
    throw new FixturesError(`Invalid fixtures file ${path}: ${problem}`)
  }
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    return fail(error instanceof SyntaxError ? `not JSON (${error.message})` : (error as Error).message)
  }
  if (!Value.Check(FixtureFileSchema, json)) fail('expected an array of users, or an object with an "items" array')
  const entries = Array.isArray(json) ? json : (json as { items: unknown[] }).items

  const ids = new Map<string, number>()
  const emails = new Map<string, number>()
  return entries.map((entry, index) => {
    const at = (field: string, problem: string): never => fail(`user at index ${index}, field "${field}": ${problem}`)
    const error = firstError(entry)
    if (error !== undefined) at(error.field || '(the user)', error.message)
    const user = entry as FixtureUser
    for (const [i, role] of user.roles.entries()) {
      if (JSON.stringify(role) !== JSON.stringify(ROLES[role.roleName])) {
        at(`roles[${i}]`, `must equal Sequence's documented role "${role.roleName}" exactly`)
      }
    }
    if (ids.has(user.id)) at('id', `duplicates the id of the user at index ${ids.get(user.id)}`)
    if (emails.has(user.email)) at('email', `duplicates the email of the user at index ${emails.get(user.email)}`)
    ids.set(user.id, index)
    emails.set(user.email, index)

    // Users without a creation time keep the file's order, newest first, one second apart.
    const createdAtMicros = user.createdAt === undefined
      ? (REFERENCE_DATE - index * 1000) * 1000
      : parseMicros(user.createdAt) ?? at('createdAt', 'must be an ISO 8601 date-time, e.g. 2022-07-19T20:00:56.033013Z')
    const { createdAt, ...apiUser } = user
    return { ...apiUser, roles: apiUser.roles.map((role) => ROLES[role.roleName]), createdAtMicros }
  })
}

/** The first schema error as a dotted field path (`roles[0].roleName`), skipping anyOf branch noise. */
function firstError (entry: unknown): { field: string, message: string } | undefined {
  const error = Value.Errors(FixtureUserSchema, entry).find((e) => !e.schemaPath.includes('/anyOf/'))
  if (error === undefined) return undefined
  const segments = error.instancePath.split('/').slice(1)
  let message = error.message
  const missing = (error.params as { requiredProperties?: string[] }).requiredProperties?.[0]
  const extra = (error.params as { additionalProperties?: string[] }).additionalProperties?.[0]
  if (missing !== undefined) {
    segments.push(missing)
    message = 'is required'
  } else if (extra !== undefined || error.keyword === 'boolean') {
    if (extra !== undefined) segments.push(extra)
    message = 'is not a field of a Sequence user'
  }
  const field = segments.map((s) => /^\d+$/.test(s) ? `[${s}]` : `.${s}`).join('').replace(/^\./, '')
  return { field, message }
}

/** Epoch microseconds of an ISO 8601 date-time, or undefined when it is not one. */
export function parseMicros (text: string): number | undefined {
  const match = TIMESTAMP.exec(text)
  if (match === null) return undefined
  const millis = Date.parse(`${match[1]}${match[3]}`)
  if (Number.isNaN(millis)) return undefined
  return millis * 1000 + Number((match[2] ?? '').padEnd(6, '0'))
}
