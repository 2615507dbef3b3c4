// The generated dataset: user i of a seed is a pure function of (seed, i), built when it is read.
import { faker } from '@faker-js/faker/locale/en'
import { ROLE_NAMES, ROLES } from '../contract/roles.js'
import type { Role } from '../contract/schemas.js'
import type { Position } from './cursor.js'
import { comparePositions, searchOrdered, type StoredUser, type UserList } from './user-store.js'

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
/** Feistel rounds that turn an index into the first 48 bits of its id, and back. */
const ROUNDS = 4
const MASK_24 = 0xffffff
const TWO_24 = 0x1000000
const TWO_32 = 0x100000000

/**
 * Nothing is stored per user, so a dataset of 10,000,000 starts at once and takes no memory:
 * - list order is index order: creation times fall in consecutive, shrinking-in-time slots;
 * - an id's first 48 bits are the index through a keyed permutation, so an id finds its index;
 * - an email ends with the user's number (index + 1), so an email finds its index too.
 * Faker's seeded generator is sequential (user i would need users 0..i-1), so each user draws from
 * its own small keyed hash instead, and takes names and domains from Faker's English locale (only
 * that locale is loaded: all of them take 30 MB).
 */
export class GeneratedUsers implements UserList {
  readonly size: number
  readonly #seed: number
  readonly #keys: readonly number[]
  readonly #accounts: readonly string[]
  readonly #accountId: string
  /** Microseconds between consecutive users' slots: the five years spread evenly. */
  readonly #step: number

  constructor ({ seed, size, accountId }: GenerateOptions) {
    this.size = size
    this.#seed = mix(seed ^ 0x5eed)
    this.#keys = Array.from({ length: ROUNDS }, (_, round) => mix(this.#seed + round * 0x9e3779b9))
    this.#accountId = accountId
    const random = this.#random(-1)
    this.#accounts = Array.from({ length: OTHER_ACCOUNTS }, () => uuidFrom(random(), random(), random))
    this.#step = (REFERENCE_DATE - EARLIEST_CREATED_AT) * 1000 / Math.max(size, 1)
  }

  at (index: number): StoredUser {
    const random = this.#random(index)
    const first = pick(FIRST_NAMES, random())
    const last = pick(LAST_NAMES, random())
    const email = `${EMAIL_FORMATS[random() % EMAIL_FORMATS.length]!(first, last)}${index + 1}@${pick(DOMAINS, random())}`
    const others = this.#accounts.filter(() => random() % 4 === 0).slice(0, 2)
    const accounts = [this.#accountId, ...others]
    const at = random() % accounts.length
    ;[accounts[0], accounts[at]] = [accounts[at]!, accounts[0]!]
    const roles = pick(ROLE_SETS, random())
    return { id: this.#id(index), email, sequenceAccountIds: accounts, state: 'active', roles, createdAtMicros: this.#createdAt(index) }
  }

  indexOf (position: Position, inclusive: boolean): number {
    return searchOrdered(this.size, (index) => {
      const micros = this.#createdAt(index)
      // Creation times differ between users: the id is needed only when the time is the position's.
      return micros !== position.createdAtMicros
        ? position.createdAtMicros - micros
        : comparePositions({ createdAtMicros: micros, id: this.#id(index) }, position)
    }, inclusive)
  }

  indexOfId (id: string): number | undefined {
    if (!UUID.test(id)) return undefined
    let left = Number.parseInt(id.slice(0, 6), 16)
    let right = Number.parseInt(id.slice(6, 8) + id.slice(9, 13), 16)
    for (let round = ROUNDS - 1; round >= 0; round--) {
      ;[left, right] = [right ^ (mix(left ^ this.#keys[round]!) & MASK_24), left]
    }
    const index = left * TWO_24 + right
    return index < this.size && this.#id(index) === id ? index : undefined
  }

  indexOfEmail (email: string): number | undefined {
    const number = /(\d+)@/.exec(email)?.[1]
    if (number === undefined) return undefined
    const index = Number(number) - 1
    return index >= 0 && index < this.size && this.at(index).email === email ? index : undefined
  }

  /** Newest first: user i's time lies in slot i, so times strictly decrease with the index. */
  #createdAt (index: number): number {
    const start = Math.floor(index * this.#step)
    const slot = Math.max(Math.floor((index + 1) * this.#step) - start, 1)
    const random = this.#random(index, 1)
    const offset = ((random() & 0x1fffff) * TWO_32 + random()) % slot
    return REFERENCE_DATE * 1000 - 1 - start - offset
  }

  #id (index: number): string {
    let left = Math.floor(index / TWO_24)
    let right = index & MASK_24
    for (let round = 0; round < ROUNDS; round++) {
      ;[left, right] = [right, left ^ (mix(right ^ this.#keys[round]!) & MASK_24)]
    }
    const random = this.#random(index, 2)
    return uuidFrom(left * 0x100 + (right >>> 16), right & 0xffff, random)
  }

  /** Successive 32-bit words for one user and one purpose, the same on every machine. */
  #random (index: number, stream = 0): () => number {
    let state = mix(this.#seed ^ mix(index + 1) ^ mix(stream + 0x51ed))
    return () => {
      state = (state + 0x9e3779b9) | 0
      return mix(state)
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** A version-4 UUID: 32 + 16 given bits, the rest drawn. */
function uuidFrom (high: number, middle: number, random: () => number): string {
  const variant = (8 + (random() & 3)).toString(16)
  return `${hex(high, 8)}-${hex(middle, 4)}-4${hex(random(), 3)}-${variant}${hex(random(), 3)}-${hex(random(), 8)}${hex(random(), 4)}`
}

function hex (value: number, digits: number): string {
  return ((value >>> 0) % 16 ** digits).toString(16).padStart(digits, '0')
}

/** A 32-bit integer hash (lowbias32): every bit of the input moves every bit of the output. */
function mix (value: number): number {
  let x = value | 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

function pick<T> (items: readonly T[], word: number): T {
  return items[word % items.length]!
}

const letters = (name: string): string => name.toLowerCase().replace(/[^a-z]/g, '')
const FIRST_NAMES = [...new Set(faker.definitions.person.first_name.generic ?? [])].map(letters)
const LAST_NAMES = [...new Set(faker.definitions.person.last_name.generic ?? [])].map(letters)
/** Example domains (RFC 2606) never reach a person. */
const DOMAINS = faker.definitions.internet.example_email
/** Every format ends with the user's number, so emails are unique; names never hold a digit. */
const EMAIL_FORMATS: ReadonlyArray<(first: string, last: string) => string> = [
  (first, last) => `${first}.${last}`,
  (first, last) => `${first}_${last}`,
  (first, last) => `${first.charAt(0)}${last}`,
  (first) => first
]
const SINGLE_ROLES = ROLE_NAMES.map((name) => [ROLES[name]])
const ROLE_PAIRS = ROLE_NAMES.flatMap((one) => ROLE_NAMES.filter((two) => two !== one).map((two) => [ROLES[one], ROLES[two]]))
/** One role for four users in five (48 of 60 sets), two for the rest; the arrays are shared, never copied. */
const ROLE_SETS: ReadonlyArray<Role[]> = [...Array.from({ length: 12 }, () => SINGLE_ROLES).flat(), ...ROLE_PAIRS]
