// The generated dataset: realistic users from a seed, identical on every machine and every day.
import { Faker, base, en } from '@faker-js/faker'
import { ROLE_NAMES, ROLES } from '../contract/roles.js'
import type { StoredUser } from './user-store.js'

export interface GenerateOptions {
  readonly seed: number
  readonly size: number
  /** The caller's own Sequence account: every user can access it. */
  readonly accountId: string
}

/** Creation times fall between these instants, never relative to "now", so output never drifts. */
export const EARLIEST_CREATED_AT = Date.UTC(2021, 0, 1)
export const REFERENCE_DATE = Date.UTC(2026, 0, 1)

/** Other accounts of the same organisation that some users can also access. */
const OTHER_ACCOUNTS = 4

export function generateUsers ({ seed, size, accountId }: GenerateOptions): StoredUser[] {
  const faker = new Faker({ locale: [en, base] })
  faker.seed(seed)
  const otherAccounts = Array.from({ length: OTHER_ACCOUNTS }, () => faker.string.uuid())
  const emails = new Set<string>()
  const users: StoredUser[] = []
  for (let i = 0; i < size; i++) {
    const id = faker.string.uuid()
    const email = uniqueEmail(faker.internet.exampleEmail().toLowerCase(), emails)
    const accounts = faker.helpers.shuffle([accountId, ...faker.helpers.arrayElements(otherAccounts, { min: 0, max: 2 })])
    const roleCount = faker.datatype.boolean(0.2) ? 2 : 1
    const roles = faker.helpers.arrayElements(ROLE_NAMES, roleCount).map((name) => ROLES[name])
    const createdAtMillis = faker.number.int({ min: EARLIEST_CREATED_AT, max: REFERENCE_DATE - 1 })
    const createdAtMicros = createdAtMillis * 1000 + faker.number.int(999)
    users.push({ id, email, sequenceAccountIds: accounts, state: 'active', roles, createdAtMicros })
  }
  return users
}

/** Example domains (RFC 2606) never reach a person; a clash gets a `+n` tag, still on the same domain. */
function uniqueEmail (email: string, seen: Set<string>): string {
  let candidate = email
  for (let n = 2; seen.has(candidate); n++) candidate = email.replace('@', `+${n}@`)
  seen.add(candidate)
  return candidate
}
