// Keyset walks under concurrent writes: a user that exists throughout a walk is seen exactly once, in list order.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { ROLES } from '../src/contract/roles.js'
import { API_VERSIONS, type ApiVersion } from '../src/contract/versions.js'
import { formatMicros } from '../src/data/fixtures.js'
import { AUTH, build } from './helper.js'
import { seededRandom } from '../scripts/load/random.js'

const USERS = 300
const LIMITS = [1, 7, 20, 100] as const
const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
/** A position past the oldest user (creation time 0): walking back from it visits the whole list. */
const PAST_OLDEST = Buffer.from('00000000-0000-4000-8000-000000000000#0#ASC').toString('base64')
/** Far more pages than any walk here needs: a walk that gets this far is going round in circles. */
const MAX_PAGES = 5000

type Direction = 'forward' | 'backward'

interface ListPage {
  items: Array<{ id: string }>
  pagination: { after?: string | null, before?: string | null, totalResultSize: number }
}

interface Walk {
  readonly direction: Direction
  readonly limit: number
  readonly version: ApiVersion
  /** The ids in the order the walk puts them: list order, whichever way it went. */
  readonly ids: string[]
  readonly failures: string[]
  /** Users whose hard removal had started by the time the walk ended. */
  readonly removedBeforeEnd: ReadonlySet<string>
  readonly lastPagination: ListPage['pagination'] | undefined
}

const nextTurn = async (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Adds (newest, or at a chosen creation time in the middle, ties included), updates, soft-deletes and
 * hard-removes users, one change per step, through the same HTTP doors a client and a test suite use.
 */
class Writers {
  /** Every user ever stored, with its creation time, for the order check. */
  readonly micros = new Map<string, number>()
  /** Users whose hard removal has started. */
  readonly removed = new Set<string>()
  readonly failures: string[] = []
  /** Changes that went through, by kind. */
  readonly done = { added: 0, addedInTheMiddle: 0, updated: 0, deleted: 0, removed: 0 }
  readonly #app: FastifyInstance
  readonly #hardDelete: boolean
  readonly #random = seededRandom(20240730)
  /** Users that may still be updated, deleted or removed. */
  readonly #live: string[]
  readonly #initialMicros: number[]
  #added = 0

  constructor (app: FastifyInstance, hardDelete: boolean) {
    this.#app = app
    this.#hardDelete = hardDelete
    for (const user of app.mock.users.after(undefined, app.mock.users.size)) this.micros.set(user.id, user.createdAtMicros)
    this.#live = [...this.micros.keys()]
    this.#initialMicros = [...this.micros.values()]
  }

  async step (): Promise<void> {
    const choice = this.#random()
    if (choice < 0.2) return this.#add(undefined)
    if (choice < 0.35) return this.#add(this.#middleMicros())
    if (choice < 0.55) return this.#update()
    if (choice < 0.75) return this.#delete()
    return this.#remove()
  }

  /** A creation time among the initial users': a third of the time exactly one of theirs, so the id breaks the tie. */
  #middleMicros (): number {
    const low = Math.min(...this.#initialMicros)
    const high = Math.max(...this.#initialMicros)
    if (this.#random() < 1 / 3) return this.#initialMicros[Math.floor(this.#random() * this.#initialMicros.length)] ?? low
    return low + Math.floor(this.#random() * (high - low))
  }

  #pick (): string | undefined {
    return this.#live[Math.floor(this.#random() * this.#live.length)]
  }

  /** Takes a user out of the pool before its removal is sent, so no later step targets it. */
  #take (): string | undefined {
    const id = this.#pick()
    if (id === undefined) return undefined
    this.#live.splice(this.#live.indexOf(id), 1)
    this.removed.add(id)
    return id
  }

  async #add (createdAtMicros: number | undefined): Promise<void> {
    const n = ++this.#added
    const payload = {
      email: `walker-${n}@example.com`,
      sequenceAccountIds: [ACCOUNT_ID],
      state: 'active',
      roles: [ROLES.readOnlyUser],
      ...(createdAtMicros !== undefined && { createdAt: formatMicros(createdAtMicros) })
    }
    const res = await this.#app.inject({ method: 'POST', url: '/_mock/users', payload })
    if (res.statusCode !== 201) return this.#fail('POST /_mock/users', res.statusCode, res.body)
    const { id } = res.json() as { id: string }
    this.micros.set(id, this.#app.mock.users.get(id)?.createdAtMicros ?? Number.NaN)
    this.#live.push(id)
    this.done[createdAtMicros === undefined ? 'added' : 'addedInTheMiddle']++
  }

  async #update (): Promise<void> {
    const id = this.#pick()
    if (id === undefined) return
    const res = await this.#app.inject({
      method: 'PUT',
      url: `/api/users/${id}`,
      headers: { authorization: AUTH, 'sequence-version': '2024-05-09' },
      payload: { sequenceAccountIds: [ACCOUNT_ID, `00000000-0000-4000-8000-${String(this.#added).padStart(12, '0')}`] }
    })
    if (this.#expect(`PUT /api/users/${id}`, id, res.statusCode, 201, res.body)) this.done.updated++
  }

  async #delete (): Promise<void> {
    const id = this.#hardDelete ? this.#take() : this.#pick()
    if (id === undefined) return
    const version = API_VERSIONS[Math.floor(this.#random() * API_VERSIONS.length)] as ApiVersion
    const res = await this.#app.inject({ method: 'DELETE', url: `/api/users/${id}`, headers: { authorization: AUTH, 'sequence-version': version } })
    if (this.#expect(`DELETE /api/users/${id}`, id, res.statusCode, 200, res.body)) this.done.deleted++
  }

  async #remove (): Promise<void> {
    const id = this.#take()
    if (id === undefined) return
    const res = await this.#app.inject({ method: 'DELETE', url: `/_mock/users/${id}` })
    if (this.#expect(`DELETE /_mock/users/${id}`, id, res.statusCode, 200, res.body)) this.done.removed++
  }

  /** A change to a user removed meanwhile (its removal overtook it) may find nothing; anything else must succeed. */
  #expect (label: string, id: string, status: number, expected: number, body: string): boolean {
    if (status === expected) return true
    if (status !== 404 || !this.removed.has(id)) this.#fail(label, status, body)
    return false
  }

  #fail (label: string, status: number, body: string): void {
    this.failures.push(`${label}: ${status} ${body}`)
  }
}

async function walk (app: FastifyInstance, direction: Direction, limit: number, version: ApiVersion, pace: () => Promise<void>, removed: ReadonlySet<string>): Promise<Walk> {
  const pages: string[][] = []
  const failures: string[] = []
  let cursor: string | undefined = direction === 'backward' ? PAST_OLDEST : undefined
  let lastPagination: ListPage['pagination'] | undefined
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES) {
      failures.push(`still walking after ${MAX_PAGES} pages`)
      break
    }
    await pace()
    const query = cursor === undefined ? '' : `&${direction === 'forward' ? 'after' : 'before'}=${encodeURIComponent(cursor)}`
    const res = await app.inject({ method: 'GET', url: `/api/users?limit=${limit}${query}`, headers: { authorization: AUTH, 'sequence-version': version } })
    if (res.statusCode !== 200) {
      failures.push(`page ${page}: ${res.statusCode} ${res.body}`)
      break
    }
    const body = res.json() as ListPage
    const ids = body.items.map((user) => user.id)
    if (direction === 'forward') pages.push(ids)
    else pages.unshift(ids)
    lastPagination = body.pagination
    const next = direction === 'forward' ? body.pagination.after : body.pagination.before
    if (next === undefined || next === null) break
    cursor = next
  }
  return { direction, limit, version, ids: pages.flat(), failures, removedBeforeEnd: new Set(removed), lastPagination }
}

/** List order: creation time descending, then id descending. */
function listsBefore (micros: ReadonlyMap<string, number>, a: string, b: string): boolean {
  const ma = micros.get(a) ?? Number.NaN
  const mb = micros.get(b) ?? Number.NaN
  return ma > mb || (ma === mb && a > b)
}

for (const deleteMode of ['soft', 'hard'] as const) {
  t.test(`walks forward and back at limits ${LIMITS.join(', ')} in every version, while users are added, updated, deleted (${deleteMode}) and removed, see every lasting user once, in list order`, async (t) => {
    const app = await build(t, { SEQUENCE_MOCK_USERS: String(USERS), SEQUENCE_MOCK_DELETE_MODE: deleteMode })
    const writers = new Writers(app, deleteMode === 'hard')
    const initial = [...writers.micros.keys()]
    t.equal(initial.length, USERS)

    let seed = 0
    const walks = await Promise.all(LIMITS.flatMap((limit) => API_VERSIONS.flatMap((version) => (['forward', 'backward'] as const).map(async (direction) => {
      // About one change per 20 users read, so that short walks and long ones both see changes throughout.
      const chance = seededRandom(++seed)
      const pace = async (): Promise<void> => chance() < Math.min(1, limit / 20) ? writers.step() : nextTurn()
      return walk(app, direction, limit, version, pace, writers.removed)
    }))))

    t.strictSame(writers.failures, [], 'every write succeeded')
    for (const [kind, count] of Object.entries(writers.done)) t.ok(count >= 5, `${kind}: ${count} users, during the walks`)
    for (const { direction, limit, version, ids, failures, removedBeforeEnd, lastPagination } of walks) {
      t.test(`${direction} walk, limit ${limit}, ${version}`, async (t) => {
        t.strictSame(failures, [], 'every page is 200')
        const seen = new Set(ids)
        t.strictSame(ids.filter((id, index) => ids.indexOf(id) !== index), [], 'no user seen twice')
        t.strictSame(initial.filter((id) => !removedBeforeEnd.has(id) && !seen.has(id)), [], 'every user present throughout is seen')
        t.strictSame(ids.filter((id) => !writers.micros.has(id)), [], 'no user that was never stored')
        const outOfOrder = ids.slice(1).flatMap((id, index) => listsBefore(writers.micros, ids[index] ?? '', id) ? [] : [`${ids[index]} then ${id}`])
        t.strictSame(outOfOrder, [], 'creation time descending, then id descending')
        const end = direction === 'forward' ? 'after' : 'before'
        if (version === '2024-07-30') t.equal(lastPagination?.[end], null, `the last page's ${end} is null`)
        else t.notOk(lastPagination !== undefined && end in lastPagination, `the last page has no ${end}`)
      })
    }
  })
}
