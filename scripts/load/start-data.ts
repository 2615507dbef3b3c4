// The mock's start data read over HTTP: every user in list order with its creation time, which only the cursors tell.
import { decodeCursor } from '../../src/data/cursor.js'
import { Client } from './http.js'
import { CannotRun } from './mock.js'
import { PAST_OLDEST } from './walks.js'
import type { StartUser } from './writers.js'

interface ListPage {
  items: Array<Record<string, unknown> & { id: string }>
  pagination: { after: string | null, before: string | null }
}

/**
 * Pages of 100 give the users; pages of 2 (before names the first user, after the last) give the
 * creation times, read in parallel from each page of 100's start; the first and the oldest user
 * take one more request each.
 */
export async function readStartData (port: number, parallel: number): Promise<StartUser[]> {
  const client = new Client(port)
  const pages: Array<{ items: ListPage['items'], from: string | undefined }> = []
  for (let from: string | undefined; ;) {
    const page = await list(client, `limit=100${from === undefined ? '' : `&after=${encodeURIComponent(from)}`}`)
    pages.push({ items: page.items, from })
    if (page.pagination.after === null) break
    from = page.pagination.after
  }
  const micros = new Map<string, number>()
  const note = (cursor: string | null): void => {
    const position = cursor === null ? undefined : decodeCursor(cursor)
    if (position !== undefined) micros.set(position.id, position.createdAtMicros)
  }
  const queue = [...pages]
  await Promise.all(Array.from({ length: parallel }, async () => {
    const reader = new Client(port)
    for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
      let from = chunk.from
      for (let read = 0; read < chunk.items.length; read += 2) {
        const page = await list(reader, `limit=2${from === undefined ? '' : `&after=${encodeURIComponent(from)}`}`)
        note(page.pagination.before)
        note(page.pagination.after)
        if (page.pagination.after === null) break
        from = page.pagination.after
      }
    }
    reader.close()
  }))
  note((await list(client, 'limit=1')).pagination.after)
  note((await list(client, `limit=1&before=${encodeURIComponent(PAST_OLDEST)}`)).pagination.before)
  client.close()
  return pages.flatMap((page) => page.items).map((user) => {
    const at = micros.get(user.id)
    if (at === undefined) throw new CannotRun(`no cursor names user ${user.id}: its creation time is unknown`)
    return { user, micros: at }
  })
}

async function list (client: Client, query: string): Promise<ListPage> {
  const answer = await client.api(`/api/users?${query}`, '2024-07-30')
  if (answer.status !== 200) throw new CannotRun(`reading the start data, GET /api/users?${query} answered ${answer.status}: ${answer.body.slice(0, 300)}`)
  return JSON.parse(answer.body) as ListPage
}
