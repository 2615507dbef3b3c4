// One keyset walk over HTTP, every page checked as it comes, then the walk checked against what the writers did meanwhile.
import type { ApiVersion } from '../../src/contract/versions.js'
import { decodeCursor } from '../../src/data/cursor.js'
import type { Client } from './http.js'
import type { Moment, Writers } from './writers.js'

export type Direction = 'forward' | 'backward'

export interface WalkPlan {
  readonly version: ApiVersion
  readonly direction: Direction
  readonly limit: number
}

/** The kinds of violation a walk can find; each is a failure of the run. */
export const VIOLATIONS = ['http', 'shape', 'seenTwice', 'neverStored', 'order', 'skipped', 'seenAfterRemoval', 'state'] as const
export type Violation = typeof VIOLATIONS[number]

export interface WalkResult {
  readonly plan: WalkPlan
  readonly pages: number
  readonly users: number
  /** A reset was under way during the walk: who existed throughout is unknown, so only errors, repeats and order are checked. */
  readonly overlappedReset: boolean
  readonly violations: Readonly<Partial<Record<Violation, number>>>
  /** The first few violations of each kind, for the report. */
  readonly examples: readonly string[]
}

/** A position past the oldest user (creation time 0): walking back from it visits the whole list. */
export const PAST_OLDEST = Buffer.from('00000000-0000-4000-8000-000000000000#0#ASC').toString('base64')
/** Far more pages than any walk here needs: a walk that gets this far is going round in circles. */
const MAX_PAGES = 200_000
/** Examples kept per kind of violation in one walk. */
const EXAMPLES_PER_WALK = 3

const ITEM_KEYS: Readonly<Record<ApiVersion, string>> = {
  '2024-01-01': 'id,email,sequenceAccountIds,state',
  '2024-05-09': 'id,email,sequenceAccountIds,state',
  '2024-07-30': 'id,email,sequenceAccountIds,state,roles'
}

interface Item {
  readonly id: string
  readonly state: string
}

/**
 * Walks the whole list, `after` cursors forward from the first page or `before` cursors back from
 * past the oldest user. Undefined when the deadline passed first: a walk cut off is not checked.
 */
export async function walk (client: Client, plan: WalkPlan, writers: Writers, deadline: number): Promise<WalkResult | undefined> {
  const found = new Findings()
  const pages: Item[][] = []
  const start = writers.now()
  let cursor: string | undefined = plan.direction === 'backward' ? PAST_OLDEST : undefined
  while (found.count('http') + found.count('shape') === 0) {
    if (performance.now() > deadline) return undefined
    if (pages.length === MAX_PAGES) {
      found.add('http', `still walking after ${MAX_PAGES} pages`)
      break
    }
    const query = cursor === undefined ? '' : `&${plan.direction === 'forward' ? 'after' : 'before'}=${encodeURIComponent(cursor)}`
    const path = `/api/users?limit=${plan.limit}${query}`
    let page: Page | undefined
    try {
      const answer = await client.api(path, plan.version)
      writers.requests++
      if (answer.status !== 200) found.add('http', `page ${pages.length + 1}: GET ${path} answered ${answer.status} ${answer.body.slice(0, 200)}`)
      else page = checkPage(answer.body, plan, (message) => found.add('shape', `page ${pages.length + 1}: GET ${path}: ${message}`))
    } catch (error) {
      found.add('http', `page ${pages.length + 1}: ${(error as Error).message}`)
    }
    if (page === undefined) break
    if (plan.direction === 'forward') pages.push(page.items)
    else pages.unshift(page.items)
    cursor = page.next
    if (cursor === undefined) break
  }
  const end = writers.now()
  await writers.settled()
  const overlappedReset = writers.resetBetween(start, end)
  const items = pages.flat()
  // A walk that stopped on a bad page saw only part of the list: what it missed is not a skip.
  const complete = found.count('http') + found.count('shape') === 0
  checkWalk(items, writers, start, end, overlappedReset || !complete, found)
  return { plan, pages: pages.length, users: items.length, overlappedReset, violations: found.counts, examples: found.examples }
}

interface Page {
  readonly items: Item[]
  /** The cursor to the next page in the walk's direction, when there is one. */
  readonly next: string | undefined
}

/** A page as the version's contract says, its cursors naming its own first and last user; undefined when it cannot be walked on. */
function checkPage (text: string, plan: WalkPlan, problem: (message: string) => void): Page | undefined {
  let body: { items?: unknown, pagination?: Record<string, unknown> }
  try {
    body = JSON.parse(text)
  } catch {
    problem(`not JSON: ${text.slice(0, 200)}`)
    return undefined
  }
  if (Object.keys(body).join() !== 'items,pagination' || !Array.isArray(body.items) || typeof body.pagination !== 'object' || body.pagination === null) {
    problem(`not {items, pagination}: ${text.slice(0, 200)}`)
    return undefined
  }
  const items = body.items as Array<Record<string, unknown>>
  const pagination = body.pagination
  const latest = plan.version === '2024-07-30'
  for (const item of items) {
    const valid = Object.keys(item).join() === ITEM_KEYS[plan.version] && typeof item.id === 'string' && typeof item.email === 'string' &&
      Array.isArray(item.sequenceAccountIds) && typeof item.state === 'string' && (!latest || Array.isArray(item.roles))
    if (!valid) {
      problem(`an item is not a ${plan.version} user: ${JSON.stringify(item).slice(0, 200)}`)
      return undefined
    }
  }
  // 2024-07-30 sends both cursors, null when absent; the older versions omit an absent one.
  const keys = ['after', 'before', 'totalResultSize'].filter((key) => latest || key in pagination)
  const cursorsValid = ['after', 'before'].every((key) => typeof pagination[key] === 'string' || pagination[key] === (latest ? null : undefined))
  if (Object.keys(pagination).join() !== keys.join() || !cursorsValid || !Number.isInteger(pagination.totalResultSize)) {
    problem(`pagination is not ${plan.version}'s: ${JSON.stringify(pagination)}`)
    return undefined
  }
  const after = pagination.after as string | null | undefined
  const before = pagination.before as string | null | undefined
  const first = items[0]?.id as string | undefined
  const last = items.at(-1)?.id as string | undefined
  if (typeof after === 'string' && decodeCursor(after)?.id !== last) problem(`pagination.after ${after} does not name the last user, ${last}`)
  if (typeof before === 'string' && decodeCursor(before)?.id !== first) problem(`pagination.before ${before} does not name the first user, ${first}`)
  const next = (plan.direction === 'forward' ? after : before) ?? undefined
  if (items.length > plan.limit || (next !== undefined && items.length !== plan.limit)) {
    problem(`${items.length} users on a page of limit ${plan.limit}${next === undefined ? '' : ' with more after it'}`)
  }
  return { items: items.map((item) => ({ id: item.id as string, state: item.state as string })), next }
}

/** No user twice, none that was never stored, list order; and for a whole walk with no reset during it: none skipped, none back from removal, deletes shown. */
function checkWalk (items: readonly Item[], writers: Writers, start: Moment, end: Moment, partly: boolean, found: Findings): void {
  const seen = new Map<string, Item>()
  let previous: Item | undefined
  for (const item of items) {
    if (seen.has(item.id)) found.add('seenTwice', `user ${item.id} seen twice`)
    seen.set(item.id, item)
    const micros = writers.micros.get(item.id)
    if (micros === undefined) found.add('neverStored', `user ${item.id} was never stored`)
    else if (previous !== undefined && !listsBefore(writers.micros.get(previous.id), previous.id, micros, item.id)) {
      found.add('order', `user ${previous.id} (${writers.micros.get(previous.id)} µs) listed before ${item.id} (${micros} µs)`)
    }
    previous = item
  }
  if (partly) return
  for (const [id, life] of start.epoch.lives) {
    const item = seen.get(id)
    if (item === undefined) {
      if (life.added < start.clock && life.removalSent > end.clock) found.add('skipped', `user ${id}, there throughout, not seen`)
      continue
    }
    if (life.removed < start.clock) found.add('seenAfterRemoval', `user ${id} seen, removed before the walk began`)
    if (item.state === 'deleted' && life.deleteSent > end.clock) found.add('state', `user ${id} listed as deleted, never deleted`)
    if (item.state !== 'deleted' && life.deleted < start.clock) found.add('state', `user ${id} listed as ${item.state}, deleted before the walk began`)
  }
}

/** List order: creation time descending, then id descending. */
function listsBefore (microsA: number | undefined, a: string, microsB: number, b: string): boolean {
  if (microsA === undefined) return true
  return microsA > microsB || (microsA === microsB && a > b)
}

/** Violations by kind, and the first few of each kind as examples: one broken walk can show thousands. */
class Findings {
  readonly counts: Partial<Record<Violation, number>> = {}
  readonly examples: string[] = []

  add (kind: Violation, message: string): void {
    const count = (this.counts[kind] ?? 0) + 1
    this.counts[kind] = count
    if (count <= EXAMPLES_PER_WALK) this.examples.push(`${kind}: ${message}`)
  }

  count (kind: Violation): number {
    return this.counts[kind] ?? 0
  }
}
