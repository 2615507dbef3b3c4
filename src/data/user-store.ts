// The users in list order (newest first), indexed by id; positions are found by binary search.
import type { User } from '../contract/schemas.js'
import type { Position } from './cursor.js'

/** A user as the API returns it, plus its creation time, which orders the list but is not returned. */
export type StoredUser = User & { readonly createdAtMicros: number }

/**
 * List order: creation time descending, then id descending as the tie-break, so that every
 * position (a cursor's `id#micros`) has one place in the list whether or not its user still exists.
 */
export function comparePositions (a: Position, b: Position): number {
  if (a.createdAtMicros !== b.createdAtMicros) return b.createdAtMicros - a.createdAtMicros
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/**
 * Every change goes into the one ordered array that pages are cut from, so a cursor (a position,
 * not an offset) never skips or repeats a user however the list changed since it was issued.
 * Stored users are never mutated: a change replaces the object, so a page being sent keeps its view.
 */
export class UserStore {
  /** The users it was built with, in order; `#ordered` shares this array until the first change. */
  readonly #initial: readonly StoredUser[]
  #ordered: StoredUser[]
  #byId = new Map<string, StoredUser>()
  /** Built on the first write that needs it: reads never pay for it. */
  #byEmail: Map<string, string> | undefined

  constructor (users: readonly StoredUser[]) {
    this.#initial = sortedById(users, this.#byId)
    this.#ordered = this.#initial as StoredUser[]
  }

  get size (): number {
    return this.#ordered.length
  }

  get (id: string): StoredUser | undefined {
    return this.#byId.get(id)
  }

  /** The id of the user with this email, if any. */
  idOfEmail (email: string): string | undefined {
    this.#byEmail ??= new Map(this.#ordered.map((user) => [user.email, user.id]))
    return this.#byEmail.get(email)
  }

  slice (start: number, end: number): StoredUser[] {
    return this.#ordered.slice(start, end)
  }

  /**
   * The index of the first user that comes after `position` in list order, or at it when
   * `inclusive`; `size` when there is none. O(log n): a cursor never costs a scan.
   */
  indexOf (position: Position, inclusive: boolean): number {
    let low = 0
    let high = this.#ordered.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const order = comparePositions(this.#ordered[middle] as StoredUser, position)
      if (order < 0 || (order === 0 && !inclusive)) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Everything at once (`PUT /_mock/users`); throws on a duplicate id and changes nothing. */
  replaceAll (users: readonly StoredUser[]): void {
    const byId = new Map<string, StoredUser>()
    this.#ordered = sortedById(users, byId) as StoredUser[]
    this.#useIndex(byId)
  }

  /** Back to the users it was built with. */
  reset (): void {
    if (this.#ordered === this.#initial) return
    this.#ordered = this.#initial as StoredUser[]
    this.#useIndex(new Map(this.#initial.map((user) => [user.id, user])))
  }

  /** A new user at its place in the order; throws on a duplicate id. */
  add (user: StoredUser): void {
    if (this.#byId.has(user.id)) throw new Error(`duplicate user id ${user.id}`)
    this.#writable().splice(this.indexOf(user, true), 0, user)
    this.#byId.set(user.id, user)
    this.#byEmail?.set(user.email, user.id)
  }

  /** Replaces a stored user by one with the same id and position; returns it, or undefined when there is none. */
  update (id: string, change: (user: StoredUser) => StoredUser): StoredUser | undefined {
    const current = this.#byId.get(id)
    if (current === undefined) return undefined
    const next = change(current)
    if (next.id !== id || next.createdAtMicros !== current.createdAtMicros) throw new Error('an update cannot move a user')
    this.#writable()[this.indexOf(current, true)] = next
    this.#byId.set(id, next)
    if (this.#byEmail !== undefined && next.email !== current.email) {
      this.#byEmail.delete(current.email)
      this.#byEmail.set(next.email, id)
    }
    return next
  }

  /** Removes a user; returns it, or undefined when there is none. */
  remove (id: string): StoredUser | undefined {
    const user = this.#byId.get(id)
    if (user === undefined) return undefined
    this.#writable().splice(this.indexOf(user, true), 1)
    this.#byId.delete(id)
    this.#byEmail?.delete(user.email)
    return user
  }

  /** The order to change: a copy on the first change, so the users it was built with stay as they were. */
  #writable (): StoredUser[] {
    if (this.#ordered === this.#initial) this.#ordered = [...this.#initial]
    return this.#ordered
  }

  #useIndex (byId: Map<string, StoredUser>): void {
    this.#byId = byId
    this.#byEmail = undefined
  }
}

/** The users in list order, indexed into `byId`; throws on a duplicate id. */
function sortedById (users: readonly StoredUser[], byId: Map<string, StoredUser>): readonly StoredUser[] {
  for (const user of users) {
    if (byId.has(user.id)) throw new Error(`duplicate user id ${user.id}`)
    byId.set(user.id, user)
  }
  return [...users].sort(comparePositions)
}
