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

export class UserStore {
  readonly #ordered: StoredUser[]
  readonly #byId = new Map<string, StoredUser>()

  constructor (users: readonly StoredUser[]) {
    for (const user of users) {
      if (this.#byId.has(user.id)) throw new Error(`duplicate user id ${user.id}`)
      this.#byId.set(user.id, user)
    }
    this.#ordered = [...users].sort(comparePositions)
  }

  get size (): number {
    return this.#ordered.length
  }

  get (id: string): StoredUser | undefined {
    return this.#byId.get(id)
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
}
