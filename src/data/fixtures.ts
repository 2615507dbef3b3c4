// Users from a JSON file, in the API's own 2024-07-30 shape, validated before the server starts.
import { readFile } from 'node:fs/promises'
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { UserV20240730Schema } from '../contract/schemas.js'
import { ROLE_NAMES, ROLES, type RoleName } from '../contract/roles.js'
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

/** Content that is not a list of valid users. */
export class InvalidUsersError extends Error {
  override name = 'InvalidUsersError'
}

/** One bad user: where it is (its index in a list, when it came in one), which field, and what is wrong. */
export class InvalidUserError extends InvalidUsersError {
  override name = 'InvalidUserError'
  /** `field` is empty when the problem is the user as a whole (not an object, say). */
  constructor (readonly field: string, readonly problem: string, readonly index?: number) {
    super(`${index === undefined ? '' : `user at index ${index}${field === '' ? ': ' : ', '}`}${field === '' ? '' : `field "${field}": `}${problem}`)
  }
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
  try {
    return parseUsers(json)
  } catch (error) {
    if (!(error instanceof InvalidUsersError)) throw error
    return fail(error.message)
  }
}

/**
 * The users of a fixtures file's content (also `PUT /_mock/users`). Throws an InvalidUserError
 * naming the first bad user's index and field, or an InvalidUsersError when the whole is not a list.
 */
export function parseUsers (json: unknown): StoredUser[] {
  if (!Value.Check(FixtureFileSchema, json)) throw new InvalidUsersError('expected an array of users, or an object with an "items" array')
  const entries = Array.isArray(json) ? json : (json as { items: unknown[] }).items
  const ids = new Map<string, number>()
  const emails = new Map<string, number>()
  return entries.map((entry, index) => {
    const user = checkUser(entry, index)
    const at = (field: string, problem: string): never => { throw new InvalidUserError(field, problem, index) }
    if (ids.has(user.id)) at('id', `duplicates the id of the user at index ${ids.get(user.id)}`)
    if (emails.has(user.email)) at('email', `duplicates the email of the user at index ${emails.get(user.email)}`)
    ids.set(user.id, index)
    emails.set(user.email, index)
    // Users without a creation time keep the file's order, newest first, one second apart.
    return toStoredUser(user, (REFERENCE_DATE - index * 1000) * 1000, index)
  })
}

/** One new user (`POST /_mock/users`): the fixture shape, with the id optional too. */
export function parseNewUser (json: unknown, defaults: { readonly id: string, readonly createdAtMicros: number }): StoredUser {
  const entry = typeof json === 'object' && json !== null && !Array.isArray(json) && !('id' in json) ? { ...json, id: defaults.id } : json
  return toStoredUser(checkUser(entry, undefined), defaults.createdAtMicros, undefined)
}

function checkUser (given: unknown, index: number | undefined): FixtureUser {
  const entry = withRoleNames(given, index)
  const error = firstError(entry)
  if (error !== undefined) throw new InvalidUserError(error.field, error.message, index)
  const user = entry as FixtureUser
  for (const [i, role] of user.roles.entries()) {
    // Each role once: a list of one role many times would make every page holding the user as large.
    if (user.roles.findIndex((other) => other.roleName === role.roleName) < i) {
      throw new InvalidUserError(`roles[${i}]`, `repeats the role "${role.roleName}": each role is listed once`, index)
    }
    if (JSON.stringify(role) !== JSON.stringify(ROLES[role.roleName])) {
      throw new InvalidUserError(`roles[${i}]`, `must equal Sequence's documented role "${role.roleName}" exactly`, index)
    }
  }
  return user
}

/** A role may be given by its name alone (`"roles": ["admin"]`): it stands for the documented role. */
function withRoleNames (entry: unknown, index: number | undefined): unknown {
  const roles = (entry as { roles?: unknown } | null)?.roles
  if (!Array.isArray(roles) || !roles.some((role) => typeof role === 'string')) return entry
  return {
    ...(entry as object),
    roles: roles.map((role, i) => {
      if (typeof role !== 'string') return role
      if (!(ROLE_NAMES as readonly string[]).includes(role)) {
        throw new InvalidUserError(`roles[${i}]`, `must be one of Sequence's roles, ${ROLE_NAMES.join(', ')}: by name, or its documented object`, index)
      }
      return ROLES[role as RoleName]
    })
  }
}

function toStoredUser (user: FixtureUser, defaultMicros: number, index: number | undefined): StoredUser {
  const createdAtMicros = user.createdAt === undefined ? defaultMicros : parseMicros(user.createdAt)
  if (createdAtMicros === undefined) throw new InvalidUserError('createdAt', 'must be an ISO 8601 date-time, e.g. 2022-07-19T20:00:56.033013Z', index)
  // A cursor carries the creation time as whole microseconds since 1970 (src/data/cursor.ts).
  if (createdAtMicros < 0 || createdAtMicros > Number.MAX_SAFE_INTEGER) {
    throw new InvalidUserError('createdAt', `must be from ${formatMicros(0)} to ${formatMicros(Number.MAX_SAFE_INTEGER)}, the times a cursor can carry`, index)
  }
  const { createdAt, ...apiUser } = user
  return { ...apiUser, roles: apiUser.roles.map((role) => ROLES[role.roleName]), createdAtMicros }
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
  // Date.parse rolls a day the month does not have (February 30) over into the next month.
  if (Number.isNaN(millis) || !sameCalendarDate(match[1] as string, match[3] as string, millis)) return undefined
  return millis * 1000 + Number((match[2] ?? '').padEnd(6, '0'))
}

/** Whether `millis`, seen in the text's own offset, has the text's date and time. */
function sameCalendarDate (dateTime: string, offset: string, millis: number): boolean {
  const sign = offset.startsWith('-') ? -1 : 1
  const offsetMinutes = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)))
  return new Date(millis + offsetMinutes * 60_000).toISOString().slice(0, 19) === dateTime
}

/** The ISO 8601 form of epoch microseconds, e.g. `2022-07-19T20:00:56.033013Z`. */
export function formatMicros (micros: number): string {
  const seconds = Math.floor(micros / 1_000_000)
  return new Date(seconds * 1000).toISOString().replace('.000Z', `.${String(micros - seconds * 1_000_000).padStart(6, '0')}Z`)
}
