// The users in list order (newest first): a read-only base list, and the changes made since on top of it.
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

/** Users in list order that never change: generated on demand, or sorted from a list. */
export interface UserList {
  readonly size: number
  at: (index: number) => StoredUser
  /**
   * The index of the first user that comes after `position` in list order, or at it when
   * `inclusive`; `size` when there is none. O(log n): a cursor never costs a scan.
   */
  indexOf: (position: Position, inclusive: boolean) => number
  indexOfId: (id: string) => number | undefined
  indexOfEmail: (email: string) => number | undefined
}

/** Users given as a list (fixtures, `PUT /_mock/users`), sorted once; throws on a duplicate id. */
export class SortedUsers implements UserList {
  readonly #users: readonly StoredUser[]
  readonly #byId = new Map<string, number>()
  /** Built on the first write that needs it: reads never pay for it. */
  #byEmail: Map<string, number> | undefined

  constructor (users: readonly StoredUser[]) {
    this.#users = [...users].sort(comparePositions)
    this.#users.forEach((user, index) => {
      if (this.#byId.has(user.id)) throw new Error(`duplicate user id ${user.id}`)
      this.#byId.set(user.id, index)
    })
  }

  get size (): number {
    return this.#users.length
  }

  at (index: number): StoredUser {
    return this.#users[index]!
  }

  indexOf (position: Position, inclusive: boolean): number {
    return lowerBound(this.#users, position, inclusive)
  }

  indexOfId (id: string): number | undefined {
    return this.#byId.get(id)
  }

  indexOfEmail (email: string): number | undefined {
    this.#byEmail ??= new Map(this.#users.map((user, index) => [user.email, index]))
    return this.#byEmail.get(email)
  }
}

/**
 * Changes are kept beside the base list, never copied into it: a write costs memory in proportion
 * to what it changes, however large the base, and a reset just drops them. Pages are a merge of
 * the base (minus removed, with replacements) and the added users, both in list order, so a cursor
 * (a position, not an offset) never skips or repeats a user however the list changed since.
 * Stored users are never mutated: a change replaces the object, so a page being sent keeps its view.
 */
export class UserStore {
  /** The users it was built with; `#base` is this list until `replaceAll`. */
  readonly #initial: UserList
  #base: UserList
  /** Users that are not in the base, in list order. */
  #added: StoredUser[] = []
  #addedById = new Map<string, StoredUser>()
  #addedByEmail = new Map<string, string>()
  /** Base users replaced by a newer version of themselves. */
  #replaced = new Map<string, StoredUser>()
  /** Base users removed. */
  #removed = new Set<string>()
  /** Counts changes: what was worked out from the users is still true while it stays the same. */
  #revision = 0

  constructor (users: UserList | readonly StoredUser[]) {
    this.#initial = isList(users) ? users : new SortedUsers(users)
    this.#base = this.#initial
  }

  get size (): number {
    return this.#base.size - this.#removed.size + this.#added.length
  }

  get revision (): number {
    return this.#revision
  }

  get (id: string): StoredUser | undefined {
    const added = this.#addedById.get(id)
    if (added !== undefined) return added
    if (this.#removed.has(id)) return undefined
    const index = this.#base.indexOfId(id)
    return index === undefined ? undefined : this.#replaced.get(id) ?? this.#base.at(index)
  }

  /** The id of the user with this email, if any. Emails never change, so the base's own index holds. */
  idOfEmail (email: string): string | undefined {
    const added = this.#addedByEmail.get(email)
    if (added !== undefined) return added
    const index = this.#base.indexOfEmail(email)
    const id = index === undefined ? undefined : this.#base.at(index).id
    return id === undefined || this.#removed.has(id) ? undefined : id
  }

  /** Up to `count` users strictly after `position` (from the newest when undefined), in list order. */
  after (position: Position | undefined, count: number): StoredUser[] {
    const users: StoredUser[] = []
    let base = position === undefined ? 0 : this.#base.indexOf(position, false)
    let added = position === undefined ? 0 : lowerBound(this.#added, position, false)
    while (users.length < count) {
      const fromBase = this.#baseUser(base, 1)
      base = fromBase.index
      const fromAdded = this.#added[added]
      if (fromBase.user === undefined && fromAdded === undefined) break
      if (fromAdded === undefined || (fromBase.user !== undefined && comparePositions(fromBase.user, fromAdded) < 0)) {
        users.push(fromBase.user!)
        base++
      } else {
        users.push(fromAdded)
        added++
      }
    }
    return users
  }

  /** Up to `count` users strictly before `position`, the nearest ones, in list order. */
  before (position: Position, count: number): StoredUser[] {
    const users: StoredUser[] = []
    let base = this.#base.indexOf(position, true) - 1
    let added = lowerBound(this.#added, position, true) - 1
    while (users.length < count) {
      const fromBase = this.#baseUser(base, -1)
      base = fromBase.index
      const fromAdded = this.#added[added]
      if (fromBase.user === undefined && fromAdded === undefined) break
      if (fromAdded === undefined || (fromBase.user !== undefined && comparePositions(fromBase.user, fromAdded) > 0)) {
        users.push(fromBase.user!)
        base--
      } else {
        users.push(fromAdded)
        added--
      }
    }
    return users.reverse()
  }

  /** Everything at once (`PUT /_mock/users`); throws on a duplicate id and changes nothing. */
  replaceAll (users: readonly StoredUser[]): void {
    const base = new SortedUsers(users)
    this.#clearChanges()
    this.#base = base
  }

  /** Back to the users it was built with. */
  reset (): void {
    this.#clearChanges()
    this.#base = this.#initial
  }

  /** A new user at its place in the order; throws on a duplicate id. */
  add (user: StoredUser): void {
    if (this.get(user.id) !== undefined) throw new Error(`duplicate user id ${user.id}`)
    this.#added.splice(lowerBound(this.#added, user, true), 0, user)
    this.#addedById.set(user.id, user)
    this.#addedByEmail.set(user.email, user.id)
    this.#revision++
  }

  /** Replaces a stored user by one with the same id, position and email; returns it, or undefined when there is none. */
  update (id: string, change: (user: StoredUser) => StoredUser): StoredUser | undefined {
    const current = this.get(id)
    if (current === undefined) return undefined
    const next = change(current)
    if (next.id !== id || next.createdAtMicros !== current.createdAtMicros || next.email !== current.email) {
      throw new Error('an update cannot move a user or change its email')
    }
    if (this.#addedById.has(id)) {
      this.#added[lowerBound(this.#added, current, true)] = next
      this.#addedById.set(id, next)
    } else {
      this.#replaced.set(id, next)
    }
    this.#revision++
    return next
  }

  /** Removes a user; returns it, or undefined when there is none. */
  remove (id: string): StoredUser | undefined {
    const user = this.get(id)
    if (user === undefined) return undefined
    if (this.#addedById.delete(id)) {
      this.#addedByEmail.delete(user.email)
      this.#added.splice(lowerBound(this.#added, user, true), 1)
    } else {
      this.#replaced.delete(id)
      this.#removed.add(id)
    }
    this.#revision++
    return user
  }

  /** The base user at `index` or the next one in `step`'s direction that is still there, as it is now. */
  #baseUser (index: number, step: 1 | -1): { index: number, user: StoredUser | undefined } {
    for (; index >= 0 && index < this.#base.size; index += step) {
      const user = this.#base.at(index)
      if (this.#removed.size === 0 || !this.#removed.has(user.id)) return { index, user: this.#replaced.get(user.id) ?? user }
    }
    return { index, user: undefined }
  }

  #clearChanges (): void {
    this.#added = []
    this.#addedById = new Map()
    this.#addedByEmail = new Map()
    this.#replaced = new Map()
    this.#removed = new Set()
    this.#revision++
  }
}

function isList (users: UserList | readonly StoredUser[]): users is UserList {
  return !Array.isArray(users)
}

/**
 * The first of `size` items in list order that comes after a position (or is at it, when
 * `inclusive`); `size` when there is none. `order(i)` compares item i with the position, as
 * comparePositions does. A binary search: a cursor never costs a scan.
 */
export function searchOrdered (size: number, order: (index: number) => number, inclusive: boolean): number {
  let low = 0
  let high = size
  while (low < high) {
    const middle = (low + high) >>> 1
    const compared = order(middle)
    if (compared < 0 || (compared === 0 && !inclusive)) low = middle + 1
    else high = middle
  }
  return low
}

/** The index of the first user after `position` (at it, when `inclusive`) in a sorted array. */
function lowerBound (users: readonly StoredUser[], position: Position, inclusive: boolean): number {
  return searchOrdered(users.length, (index) => comparePositions(users[index]!, position), inclusive)
}
