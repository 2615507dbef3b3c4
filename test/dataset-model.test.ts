// The dataset against a plain array: random adds, updates, deletes, removals, replacements, resets and page walks through the API and /_mock agree with it.
import assert from 'node:assert/strict'
import t, { type Test } from 'tap'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { ROLE_NAMES, ROLES, type RoleName } from '../src/contract/roles.js'
import type { Role } from '../src/contract/schemas.js'
import { API_VERSIONS, type ApiVersion } from '../src/contract/versions.js'
import { parameters } from './fc-parameters.js'
import { AUTH, build, JSON_UTF8, type Reply } from './helper.js'

// Two delete modes, a hundred-odd command sequences each; on a busy 2-core machine the file takes well under this.
t.setTimeout(240_000)

const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
/** Creation times the model draws: 1970 to 2100, well inside what a cursor carries. */
const MAX_MICROS = Date.UTC(2100, 0, 1) * 1000

// ---------------------------------------------------------------------------------------------
// The model: users in an array, ordered by the contract's rule, and the few facts it needs.

interface Position { readonly id: string, readonly micros: number }
interface ModelUser extends Position {
  readonly email: string
  readonly sequenceAccountIds: readonly string[]
  readonly state: string
  readonly roles: readonly Role[]
}

interface Model {
  readonly deleteMode: 'soft' | 'hard'
  readonly initial: readonly ModelUser[]
  /** The list, newest first. */
  users: ModelUser[]
  /** Every user ever stored, as last seen: ids and emails that may be used again once they are gone. */
  readonly known: Map<string, ModelUser>
  /** Cursors the list has handed out, to come back with later. */
  readonly cursors: string[]
  /** Numbers for fresh emails. */
  emails: number
}

interface Real {
  readonly app: FastifyInstance
}

/** `a` comes after `b` in the list: older, or as old with a smaller id (creation time descending, then id descending). */
function comesAfter (a: Position, b: Position): boolean {
  return a.micros < b.micros || (a.micros === b.micros && a.id < b.id)
}

function ordered (users: readonly ModelUser[]): ModelUser[] {
  return [...users].sort((a, b) => comesAfter(a, b) ? 1 : comesAfter(b, a) ? -1 : 0)
}

function present (model: Model, id: string): ModelUser | undefined {
  return model.users.find((user) => user.id === id)
}

/** Users once stored and not in the list now. */
function gone (model: Model): ModelUser[] {
  return [...model.known.values()].filter((user) => present(model, user.id) === undefined)
}

function store (model: Model, user: ModelUser): void {
  model.users = ordered([...model.users.filter((other) => other.id !== user.id), user])
  model.known.set(user.id, user)
}

function remove (model: Model, id: string): void {
  model.users = model.users.filter((user) => user.id !== id)
}

/** Sequence's cursor: padded base64 of `<id>#<epoch µs>#<DESC|ASC>`. */
function cursorOf (position: Position, direction: 'DESC' | 'ASC'): string {
  return Buffer.from(`${position.id}#${position.micros}#${direction}`).toString('base64')
}

function positionOf (cursor: string): Position {
  const [id, micros] = Buffer.from(cursor, 'base64').toString('latin1').split('#')
  return { id: id ?? '', micros: Number(micros) }
}

/** ISO 8601 in UTC with microseconds, as the admin API writes `createdAt`. */
function isoOf (micros: number): string {
  const millis = Math.floor(micros / 1000)
  return new Date(millis).toISOString().replace(/Z$/, `${String(micros - millis * 1000).padStart(3, '0')}Z`)
}

function microsOf (iso: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z$/.exec(iso)
  assert.ok(match !== null, `createdAt ${iso} is ISO 8601 in UTC with microseconds`)
  return Date.parse(`${match[1]}Z`) * 1000 + Number(match[2])
}

function userIn (user: ModelUser, version: ApiVersion): object {
  const { id, email, sequenceAccountIds, state, roles } = user
  return version === '2024-07-30' ? { id, email, sequenceAccountIds, state, roles } : { id, email, sequenceAccountIds, state }
}

function adminUser (user: ModelUser): object {
  return { ...userIn(user, '2024-07-30'), createdAt: isoOf(user.micros) }
}

/** The page the contract gives for `limit` users after a position (from the newest when none) or just before one. */
function expectedPage (model: Model, version: ApiVersion, limit: number, from: { after?: Position, before?: Position }): { body: object, cursors: string[] } {
  const { users } = model
  const items = from.before === undefined
    ? users.filter((user) => from.after === undefined || comesAfter(user, from.after)).slice(0, limit)
    : users.filter((user) => comesAfter(from.before!, user)).slice(-limit)
  const first = items[0]
  const last = items.at(-1)
  const after = last !== undefined && users.some((user) => comesAfter(user, last)) ? cursorOf(last, 'DESC') : undefined
  const before = first !== undefined && users.some((user) => comesAfter(first, user)) ? cursorOf(first, 'ASC') : undefined
  const pagination = version === '2024-07-30'
    ? { after: after ?? null, before: before ?? null, totalResultSize: users.length }
    : { ...(after !== undefined && { after }), ...(before !== undefined && { before }), totalResultSize: users.length }
  return { body: { items: items.map((user) => userIn(user, version)), pagination }, cursors: [after, before].filter((cursor) => cursor !== undefined) }
}

// ---------------------------------------------------------------------------------------------
// Talking to the app.

async function send (real: Real, options: InjectOptions): Promise<Reply> {
  return real.app.inject(options)
}

const api = (method: InjectOptions['method'], url: string, version: ApiVersion, payload?: unknown): InjectOptions =>
  ({ method, url, headers: { authorization: AUTH, 'sequence-version': version }, ...(payload !== undefined && { payload: payload as InjectOptions['payload'] }) })

/** The whole body, as JSON (a readable difference) and as bytes (key order too), with its status and content type. */
function assertBody (res: Reply, status: number, body: unknown, label: string): void {
  assert.equal(res.statusCode, status, `${label}: ${res.body}`)
  assert.equal(res.headers['content-type'], JSON_UTF8, label)
  assert.deepEqual(res.json(), body, label)
  assert.equal(res.body, JSON.stringify(body), `${label}: key order`)
}

const notFound = (id: string): object => ({ error: { type: 'NotFound', message: `No user with id ${JSON.stringify(id)}.` } })

/** Index `n` into a list that may have changed size since the command was drawn. */
function pick<T> (list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length]
}

// ---------------------------------------------------------------------------------------------
// Commands.

type Command = fc.AsyncCommand<Model, Real>

/** Where a new user goes: now (the newest), level with a user (the id breaks the tie), between two, or any time. */
type When = { kind: 'now' } | { kind: 'tie', n: number } | { kind: 'between', n: number } | { kind: 'at', micros: number }

const when: fc.Arbitrary<When> = fc.oneof(
  fc.constant({ kind: 'now' as const }),
  fc.nat().map((n) => ({ kind: 'tie' as const, n })),
  fc.nat().map((n) => ({ kind: 'between' as const, n })),
  fc.integer({ min: 0, max: MAX_MICROS }).map((micros) => ({ kind: 'at' as const, micros }))
)

/** The creation time `when` stands for in this model, or undefined for now. */
function microsFor (model: Model, at: When): number | undefined {
  if (at.kind === 'now') return undefined
  if (at.kind === 'at') return at.micros
  const all = [...model.known.values()]
  const user = pick(at.kind === 'tie' ? all : model.users, at.n)
  if (user === undefined) return Date.UTC(2023, 5, 1) * 1000
  if (at.kind === 'tie') return user.micros
  const next = model.users[(model.users.indexOf(user) + 1)]
  return next === undefined ? Math.max(0, user.micros - 1) : Math.floor((user.micros + next.micros) / 2)
}

const roleNames = fc.uniqueArray(fc.constantFrom(...ROLE_NAMES), { minLength: 1, maxLength: 2 })
const accountIds = fc.uniqueArray(fc.oneof(fc.constant(ACCOUNT_ID), fc.uuid({ version: 4 })), { maxLength: 3 })

class Add implements Command {
  constructor (readonly at: When, readonly id: string | undefined, readonly roles: RoleName[], readonly accounts: string[], readonly state: string) {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    const micros = microsFor(model, this.at)
    const email = `model-${++model.emails}@example.com`
    const given = this.id !== undefined && model.known.has(this.id) ? undefined : this.id
    const res = await send(real, {
      method: 'POST',
      url: '/_mock/users',
      payload: {
        ...(given !== undefined && { id: given }),
        email,
        sequenceAccountIds: this.accounts,
        state: this.state,
        roles: this.roles,
        ...(micros !== undefined && { createdAt: isoOf(micros) })
      }
    })
    assert.equal(res.statusCode, 201, res.body)
    const sent = res.json() as { id: string, createdAt: string }
    assert.match(sent.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    if (given !== undefined) assert.equal(sent.id, given)
    else assert.ok(!model.known.has(sent.id), `a new id: ${sent.id}`)
    const user: ModelUser = { id: sent.id, micros: micros ?? microsOf(sent.createdAt), email, sequenceAccountIds: this.accounts, state: this.state, roles: this.roles.map((name) => ROLES[name]) }
    assertBody(res, 201, adminUser(user), 'POST /_mock/users')
    store(model, user)
  }

  toString = (): string => `add(${JSON.stringify(this.at)}${this.id === undefined ? '' : `, id ${this.id}`}, ${this.roles.join('+')}, ${this.state})`
}

/** A user that is gone (deleted hard, removed, replaced, or added before a reset) comes back with its id and email, anywhere. */
class AddAgain implements Command {
  constructor (readonly n: number, readonly at: When) {}
  check = (model: Readonly<Model>): boolean => gone(model as Model).length > 0
  async run (model: Model, real: Real): Promise<void> {
    const before = pick(gone(model), this.n)!
    const micros = microsFor(model, this.at) ?? before.micros
    const user: ModelUser = { ...before, micros }
    const res = await send(real, { method: 'POST', url: '/_mock/users', payload: { ...userIn(user, '2024-07-30'), createdAt: isoOf(micros) } })
    assertBody(res, 201, adminUser(user), `POST /_mock/users again for ${user.id}`)
    store(model, user)
  }

  toString = (): string => `addAgain(${this.n}, ${JSON.stringify(this.at)})`
}

class AddDuplicate implements Command {
  constructor (readonly n: number, readonly field: 'id' | 'email') {}
  check = (model: Readonly<Model>): boolean => model.users.length > 0
  async run (model: Model, real: Real): Promise<void> {
    const other = pick(model.users, this.n)!
    const payload = {
      ...(this.field === 'id' && { id: other.id }),
      email: this.field === 'email' ? other.email : `model-${++model.emails}@example.com`,
      sequenceAccountIds: [ACCOUNT_ID],
      state: 'active',
      roles: ['readOnlyUser']
    }
    const res = await send(real, { method: 'POST', url: '/_mock/users', payload })
    const value = this.field === 'id' ? other.id : other.email
    assertBody(res, 400, {
      error: { type: 'validationError', message: 'Request data validation failed', errors: [{ code: 'validationError', message: `Invalid ${this.field}: a user with ${this.field} ${value} already exists.`, key: this.field, errors: [] }] }
    }, `POST /_mock/users with the ${this.field} of ${other.id}`)
  }

  toString = (): string => `addDuplicate(${this.n}, ${this.field})`
}

class Update implements Command {
  constructor (readonly n: number, readonly accounts: string[], readonly version: '2024-01-01' | '2024-05-09', readonly missing: boolean) {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    const target = this.missing ? pick(gone(model), this.n) : pick(model.users, this.n)
    const id = target?.id ?? '00000000-0000-4000-8000-00000000abcd'
    const res = await send(real, api('PUT', `/api/users/${id}`, this.version, { sequenceAccountIds: this.accounts }))
    const current = present(model, id)
    if (current === undefined) return assertBody(res, 404, notFound(id), `PUT ${id}, not there`)
    assertBody(res, 201, { id, sequenceAccountIds: this.accounts }, `PUT ${id}`)
    store(model, { ...current, sequenceAccountIds: this.accounts })
  }

  toString = (): string => `update(${this.missing ? 'gone ' : ''}${this.n}, [${this.accounts.length} accounts], ${this.version})`
}

class Delete implements Command {
  constructor (readonly n: number, readonly version: ApiVersion, readonly missing: boolean) {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    const target = this.missing ? pick(gone(model), this.n) : pick(model.users, this.n)
    const id = target?.id ?? '00000000-0000-4000-8000-00000000abcd'
    const res = await send(real, api('DELETE', `/api/users/${id}`, this.version))
    const current = present(model, id)
    if (current === undefined) return assertBody(res, 404, notFound(id), `DELETE ${id}, not there`)
    const deleted = { ...current, state: 'deleted' }
    assertBody(res, 200, userIn(deleted, this.version), `DELETE ${id} (${model.deleteMode})`)
    if (model.deleteMode === 'soft') store(model, deleted)
    else remove(model, id)
  }

  toString = (): string => `delete(${this.missing ? 'gone ' : ''}${this.n}, ${this.version})`
}

/** DELETE /_mock/users/{id}: gone whatever the delete mode. */
class Remove implements Command {
  constructor (readonly n: number, readonly missing: boolean) {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    const target = this.missing ? pick(gone(model), this.n) : pick(model.users, this.n)
    const id = target?.id ?? '00000000-0000-4000-8000-00000000abcd'
    const res = await send(real, { method: 'DELETE', url: `/_mock/users/${id}` })
    const current = present(model, id)
    if (current === undefined) return assertBody(res, 404, notFound(id), `DELETE /_mock/users/${id}, not there`)
    assertBody(res, 200, adminUser(current), `DELETE /_mock/users/${id}`)
    remove(model, id)
  }

  toString = (): string => `remove(${this.missing ? 'gone ' : ''}${this.n})`
}

class Reset implements Command {
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    assertBody(await send(real, { method: 'POST', url: '/_mock/reset' }), 200, { users: model.initial.length }, 'POST /_mock/reset')
    model.users = [...model.initial]
    for (const user of model.initial) model.known.set(user.id, user)
  }

  toString = (): string => 'reset'
}

/** PUT /_mock/users: every user replaced by a few new ones (or by none), as an array or a saved list response. */
class ReplaceAll implements Command {
  constructor (readonly users: Array<{ id: string, at: When, roles: RoleName[] }>, readonly asList: boolean) {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    const users = this.users.map(({ id, at, roles }): ModelUser => ({
      id,
      micros: microsFor(model, at) ?? Date.UTC(2024, 0, 1) * 1000,
      email: `model-${++model.emails}@example.com`,
      sequenceAccountIds: [ACCOUNT_ID],
      state: 'active',
      roles: roles.map((name) => ROLES[name])
    }))
    const payload = users.map((user) => ({ ...userIn(user, '2024-07-30'), createdAt: isoOf(user.micros) }))
    const res = await send(real, { method: 'PUT', url: '/_mock/users', payload: this.asList ? { items: payload } : payload })
    assertBody(res, 200, { users: users.length }, 'PUT /_mock/users')
    model.users = ordered(users)
    for (const user of users) model.known.set(user.id, user)
  }

  toString = (): string => `replaceAll(${this.users.length} users${this.asList ? ', as a list response' : ''})`
}

class GetById implements Command {
  constructor (readonly n: number, readonly version: ApiVersion, readonly missing: boolean) {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    const target = this.missing ? pick(gone(model), this.n) : pick(model.users, this.n)
    const id = target?.id ?? '00000000-0000-4000-8000-00000000abcd'
    const res = await send(real, api('GET', `/api/users/${id}`, this.version))
    const current = present(model, id)
    if (current === undefined) return assertBody(res, 404, notFound(id), `GET ${id}, not there`)
    assertBody(res, 200, userIn(current, this.version), `GET ${id}`)
  }

  toString = (): string => `get(${this.missing ? 'gone ' : ''}${this.n}, ${this.version})`
}

/** Where one page starts: the newest, a cursor handed out earlier, or a position of a user (there or gone) or anywhere. */
type From =
  | { kind: 'first' }
  | { kind: 'cursor', n: number, key: 'after' | 'before' | 'own' }
  | { kind: 'user', n: number, key: 'after' | 'before' }
  | { kind: 'anywhere', id: string, micros: number, key: 'after' | 'before' }

const limit = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(7, 20, 100), fc.constant(undefined))
const version = fc.constantFrom(...API_VERSIONS)

/** GET /api/users once, from anywhere: the page the model gives, byte for byte. */
class Page implements Command {
  constructor (readonly from: From, readonly limit: number | undefined, readonly version: ApiVersion, readonly word: 'DESC' | 'ASC') {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    let key: 'after' | 'before' | undefined
    let position: Position | undefined
    let cursor: string | undefined
    const from = this.from
    if (from.kind === 'cursor') {
      cursor = pick(model.cursors, from.n)
      if (cursor !== undefined) {
        position = positionOf(cursor)
        key = from.key !== 'own' ? from.key : Buffer.from(cursor, 'base64').toString('latin1').endsWith('#DESC') ? 'after' : 'before'
      }
    } else if (from.kind === 'user') {
      position = pick([...model.known.values()], from.n)
      key = from.key
    } else if (from.kind === 'anywhere') {
      position = from
      key = from.key
    }
    // The direction word does not change the meaning, which comes from the parameter.
    if (position !== undefined && cursor === undefined) cursor = cursorOf(position, this.word)
    const query = [this.limit === undefined ? '' : `limit=${this.limit}`, key === undefined ? '' : `${key}=${encodeURIComponent(cursor!)}`].filter(Boolean).join('&')
    const res = await send(real, api('GET', `/api/users${query === '' ? '' : `?${query}`}`, this.version))
    const expected = expectedPage(model, this.version, this.limit ?? 20, key === undefined || position === undefined ? {} : { [key]: position })
    assertBody(res, 200, expected.body, `GET /api/users?${query} (${cursor === undefined ? '' : Buffer.from(cursor, 'base64').toString('latin1')})`)
    model.cursors.push(...expected.cursors)
  }

  toString = (): string => `page(${JSON.stringify(this.from)}, limit ${this.limit}, ${this.version}, ${this.word})`
}

/** Creation time 0 and a small id: walking back from it visits every user the model draws but one level with it. */
const PAST_OLDEST: Position = { id: '00000000-0000-4000-8000-000000000000', micros: 0 }

/** Every page, forward from the newest or backward from past the oldest, each page as the model gives it. */
class Walk implements Command {
  constructor (readonly direction: 'forward' | 'backward', readonly limit: number | undefined, readonly version: ApiVersion) {}
  check = (): boolean => true
  async run (model: Model, real: Real): Promise<void> {
    const key = this.direction === 'forward' ? 'after' : 'before'
    let position: Position | undefined = this.direction === 'forward' ? undefined : PAST_OLDEST
    let cursor = position === undefined ? undefined : cursorOf(position, 'ASC')
    const seen: string[][] = []
    for (let page = 0; page <= model.users.length + 1; page++) {
      const query = [this.limit === undefined ? '' : `limit=${this.limit}`, cursor === undefined ? '' : `${key}=${encodeURIComponent(cursor)}`].filter(Boolean).join('&')
      const res = await send(real, api('GET', `/api/users${query === '' ? '' : `?${query}`}`, this.version))
      const expected = expectedPage(model, this.version, this.limit ?? 20, position === undefined ? {} : { [key]: position })
      assertBody(res, 200, expected.body, `${this.direction} walk, page ${page}: GET /api/users?${query}`)
      const body = res.json() as { items: Array<{ id: string }>, pagination: Record<string, string | null | undefined> }
      if (this.direction === 'forward') seen.push(body.items.map((user) => user.id))
      else seen.unshift(body.items.map((user) => user.id))
      const next = body.pagination[key]
      if (typeof next !== 'string') {
        const whole = model.users.filter((user) => this.direction === 'forward' || comesAfter(PAST_OLDEST, user))
        assert.deepEqual(seen.flat(), whole.map((user) => user.id), `the ${this.direction} walk saw the whole list, once, in order`)
        return
      }
      cursor = next
      position = positionOf(next)
    }
    assert.fail(`the ${this.direction} walk did not end after ${model.users.length + 2} pages`)
  }

  toString = (): string => `walk(${this.direction}, limit ${this.limit}, ${this.version})`
}

const commands = fc.commands([
  fc.tuple(when, fc.option(fc.uuid({ version: 4 }), { nil: undefined }), roleNames, accountIds, fc.constantFrom('active', 'active', 'deleted', 'invited'))
    .map(([at, id, roles, accounts, state]) => new Add(at, id, roles, accounts, state)),
  fc.tuple(when, fc.option(fc.uuid({ version: 4 }), { nil: undefined }), roleNames, accountIds).map(([at, id, roles, accounts]) => new Add(at, id, roles, accounts, 'active')),
  fc.tuple(fc.nat(), when).map(([n, at]) => new AddAgain(n, at)),
  fc.tuple(fc.nat(), fc.constantFrom('id' as const, 'email' as const)).map(([n, field]) => new AddDuplicate(n, field)),
  fc.tuple(fc.nat(), accountIds, fc.constantFrom('2024-01-01' as const, '2024-05-09' as const), fc.boolean()).map(([n, accounts, v, missing]) => new Update(n, accounts, v, missing)),
  fc.tuple(fc.nat(), version, fc.boolean()).map(([n, v, missing]) => new Delete(n, v, missing)),
  fc.tuple(fc.nat(), version, fc.constant(false)).map(([n, v, missing]) => new Delete(n, v, missing)),
  fc.tuple(fc.nat(), fc.boolean()).map(([n, missing]) => new Remove(n, missing)),
  fc.constant(new Reset()),
  fc.tuple(fc.uniqueArray(fc.record({ id: fc.uuid({ version: 4 }), at: when, roles: roleNames }), { maxLength: 6, selector: (user) => user.id }), fc.boolean()).map(([users, asList]) => new ReplaceAll(users, asList)),
  fc.tuple(fc.nat(), version, fc.boolean()).map(([n, v, missing]) => new GetById(n, v, missing)),
  fc.tuple(
    fc.oneof(
      fc.constant({ kind: 'first' as const }),
      fc.record({ kind: fc.constant('cursor' as const), n: fc.nat(), key: fc.constantFrom('after' as const, 'before' as const, 'own' as const, 'own' as const) }),
      fc.record({ kind: fc.constant('user' as const), n: fc.nat(), key: fc.constantFrom('after' as const, 'before' as const) }),
      fc.record({ kind: fc.constant('anywhere' as const), id: fc.uuid(), micros: fc.integer({ min: 0, max: MAX_MICROS }), key: fc.constantFrom('after' as const, 'before' as const) })
    ),
    limit, version, fc.constantFrom('DESC' as const, 'ASC' as const)
  ).map(([from, size, v, word]) => new Page(from, size, v, word)),
  fc.tuple(fc.constantFrom('forward' as const, 'backward' as const), limit, version).map(([direction, size, v]) => new Walk(direction, size, v))
], { maxCommands: 40, size: 'max' })

// ---------------------------------------------------------------------------------------------
// The app, and what the model starts from.

/**
 * The users the app starts with, read through the API: a walk one user a page in 2024-07-30 gives each
 * user whole, and its position from its cursor (documented format), so the model owes nothing to the store.
 */
async function startingUsers (app: FastifyInstance): Promise<ModelUser[]> {
  const users: ModelUser[] = []
  let after: string | undefined
  for (;;) {
    const res = await app.inject(api('GET', `/api/users?limit=1${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`, '2024-07-30'))
    assert.equal(res.statusCode, 200, res.body)
    const { items: [user], pagination } = res.json() as { items: Array<Omit<ModelUser, 'micros'>>, pagination: { after: string | null, before: string | null } }
    if (user === undefined) return users
    const cursor = pagination.after ?? pagination.before
    assert.ok(cursor !== null, 'a page of one user among several has a cursor')
    const position = positionOf(cursor)
    assert.equal(position.id, user.id)
    users.push({ ...user, micros: position.micros })
    if (pagination.after === null) return users
    after = pagination.after
  }
}

for (const deleteMode of ['soft', 'hard'] as const) {
  t.test(`any sequence of adds, updates, deletes (${deleteMode}), removals, replacements, resets and page walks agrees with a plain array ordered newest first, id descending`, async (t: Test) => {
    const apps = new Map<number, { app: FastifyInstance, initial: ModelUser[] }>()
    const appOf = async (size: number): Promise<{ app: FastifyInstance, initial: ModelUser[] }> => {
      let entry = apps.get(size)
      if (entry === undefined) {
        const app = await build(t, { SEQUENCE_MOCK_USERS: String(size), SEQUENCE_MOCK_DELETE_MODE: deleteMode })
        const initial = await startingUsers(app)
        assert.equal(initial.length, size)
        assert.deepEqual(ordered(initial).map((user) => user.id), initial.map((user) => user.id), 'the starting list is in the contract\'s order')
        entry = { app, initial }
        apps.set(size, entry)
      }
      return entry
    }
    const sizes = fc.constantFrom(5, 6, 13, 30)
    const details = await fc.check(fc.asyncProperty(sizes, commands, async (size, sequence) => {
      const { app, initial } = await appOf(size)
      assertBody(await app.inject({ method: 'POST', url: '/_mock/reset' }), 200, { users: size }, 'POST /_mock/reset before the run')
      const setup = (): { model: Model, real: Real } => ({
        model: { deleteMode, initial, users: [...initial], known: new Map(initial.map((user) => [user.id, user])), cursors: [], emails: 0 },
        real: { app }
      })
      await fc.asyncModelRun(setup, sequence)
    }), parameters(100))
    t.notOk(details.failed, details.failed ? fc.defaultReportMessage(details) ?? 'failed' : `${details.numRuns} sequences`)
  })
}
