// The requests the benchmark measures, and their URLs at one dataset size: first pages, a page deep behind a cursor, one user by id.
import { BenchError } from './processes.js'
import { get, type RawResponse } from './http.js'

export const VERSIONS = ['2024-07-30', '2024-01-01'] as const
/** Generated users are created between this time and 2026-01-01 (epoch µs). */
const FIRST_CREATED_MICROS = Date.UTC(2021, 0, 1) * 1000

export interface Row {
  /** The same request at every size: the key of the cost-vs-size comparison. */
  readonly key: string
  readonly page: 'first' | 'deep' | 'by id'
  readonly limit: number | undefined
  readonly version: string
}

export function rowsFor (quick: boolean): Row[] {
  const byId: Row = { key: 'by id 2024-07-30', page: 'by id', limit: undefined, version: '2024-07-30' }
  const list = (version: string, limit: number, page: 'first' | 'deep'): Row => ({ key: `${page} ${limit} ${version}`, page, limit, version })
  if (quick) return [list('2024-07-30', 100, 'first'), list('2024-07-30', 100, 'deep'), byId]
  const rows: Row[] = []
  for (const version of VERSIONS) {
    for (const limit of [100, 20]) rows.push(list(version, limit, 'first'), list(version, limit, 'deep'))
  }
  rows.push(byId)
  return rows
}

export function describe (row: Row): string {
  if (row.page === 'by id') return 'GET /api/users/{id}'
  return `GET /api/users?limit=${row.limit}${row.page === 'deep' ? '&after=…' : ''}`
}

export interface PlannedRow {
  readonly row: Row
  readonly path: string
  /** The mock's answer, which the baseline sends back byte for byte. */
  readonly response: RawResponse
  /** What was not as expected of the answer (a deep page without both cursors, say). */
  readonly problems: readonly string[]
}

/**
 * Asks the mock once for every row. The deep cursor is a position, not a user: the newest user's
 * id at a time halfway between its creation and the first generated one, so the page lies in the
 * middle of the list. The by-id row asks for the first user of that page, deep in the dataset.
 */
export async function planRows (port: number, rows: readonly Row[]): Promise<PlannedRow[]> {
  const newest = await ask(port, '/api/users?limit=1', '2024-07-30')
  const first = newest.items[0]
  const newestMicros = first === undefined ? undefined : cursorMicros(newest.pagination.after)
  const middle = newestMicros === undefined ? FIRST_CREATED_MICROS : Math.floor((newestMicros + FIRST_CREATED_MICROS) / 2)
  const after = encodeURIComponent(Buffer.from(`${first?.id ?? '00000000-0000-4000-8000-000000000000'}#${middle}#DESC`).toString('base64'))
  const deepFirstId = (await ask(port, `/api/users?limit=100&after=${after}`, '2024-07-30')).items[0]?.id
  const planned: PlannedRow[] = []
  for (const row of rows) {
    const path = row.page === 'by id'
      ? `/api/users/${deepFirstId ?? first?.id ?? 'none'}`
      : `/api/users?limit=${row.limit}${row.page === 'deep' ? `&after=${after}` : ''}`
    const response = await get(port, path, row.version, 60_000)
    if (response.status !== 200) throw new BenchError(`the mock answered GET ${path} (${row.version}) with ${response.status}, not 200: ${response.body.toString('utf8').slice(0, 300)}`)
    const problems: string[] = []
    if (row.page === 'deep') problems.push(...checkDeepPage(JSON.parse(response.body.toString('utf8')) as Page, row.limit ?? 0))
    if (row.page === 'by id' && deepFirstId === undefined) problems.push('the deep page was empty: this is the newest user')
    planned.push({ row, path, response, problems })
  }
  return planned
}

interface Page {
  readonly items: ReadonlyArray<{ readonly id: string }>
  readonly pagination: { readonly after?: string | null, readonly before?: string | null }
}

async function ask (port: number, path: string, version: string): Promise<Page> {
  const response = await get(port, path, version, 60_000)
  if (response.status !== 200) throw new BenchError(`the mock answered GET ${path} (${version}) with ${response.status}, not 200: ${response.body.toString('utf8').slice(0, 300)}`)
  return JSON.parse(response.body.toString('utf8')) as Page
}

/** A page deep in the list is full and has cursors both ways. */
function checkDeepPage (page: Page, limit: number): string[] {
  const notes: string[] = []
  if (page.items.length !== limit) notes.push(`deep page has ${page.items.length} items, not ${limit}`)
  if (typeof page.pagination.after !== 'string') notes.push('deep page has no after cursor')
  if (typeof page.pagination.before !== 'string') notes.push('deep page has no before cursor')
  return notes
}

/** The creation time a cursor names (with limit=1, `after` names the page's only item). */
function cursorMicros (cursor: string | null | undefined): number | undefined {
  if (typeof cursor !== 'string') return undefined
  const micros = /#(\d+)#/.exec(Buffer.from(cursor, 'base64').toString('latin1'))?.[1]
  return micros === undefined ? undefined : Number(micros)
}
