// Page selection over the ordered users: pure keyset pagination, work proportional to the page.
import { encodeCursor, type Position } from './cursor.js'
import type { StoredUser, UserStore } from './user-store.js'

export interface PageRequest {
  readonly limit: number
  /** Items strictly after this position. */
  readonly after?: Position | undefined
  /** The `limit` items strictly before this position, still in list order. */
  readonly before?: Position | undefined
}

export interface Page {
  readonly items: StoredUser[]
  /** Cursor of the last item (`DESC`), only when older items exist. */
  readonly after?: string
  /** Cursor of the first item (`ASC`), only when newer items exist. */
  readonly before?: string
  readonly totalResultSize: number
}

export function selectPage (users: UserStore, request: PageRequest): Page {
  const items = request.before === undefined ? users.after(request.after, request.limit) : users.before(request.before, request.limit)
  const first = items[0]
  const last = items.at(-1)
  return {
    items,
    ...(last !== undefined && users.after(last, 1).length > 0 && { after: encodeCursor(last, 'DESC') }),
    ...(first !== undefined && users.before(first, 1).length > 0 && { before: encodeCursor(first, 'ASC') }),
    totalResultSize: users.size
  }
}
