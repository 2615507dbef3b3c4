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
  let start: number
  let end: number
  if (request.before !== undefined) {
    end = users.indexOf(request.before, true)
    start = Math.max(0, end - request.limit)
  } else {
    start = request.after === undefined ? 0 : users.indexOf(request.after, false)
    end = Math.min(users.size, start + request.limit)
  }
  const items = users.slice(start, end)
  const first = items[0]
  const last = items.at(-1)
  return {
    items,
    ...(last !== undefined && end < users.size && { after: encodeCursor(last, 'DESC') }),
    ...(first !== undefined && start > 0 && { before: encodeCursor(first, 'ASC') }),
    totalResultSize: users.size
  }
}
