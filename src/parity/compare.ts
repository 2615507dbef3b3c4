// Compares the target's and the mock's answers to one probe by behaviour, never by data values; and the walks' ordering rules.
import { LATEST_VERSION } from '../contract/versions.js'
import { WALKS, walkLabel } from './probes.js'
import type { Answer } from './send.js'

export interface Difference {
  /** The probe's name, or the walk's for an ordering rule. */
  readonly probe: string
  /** The request as sent (references named, not valued), or `(across the walk's pages)`. */
  readonly request: string
  /** What differs: `status`, `header sequence-version`, `shape pagination.before`, `error message`, … */
  readonly aspect: string
  readonly target: string
  readonly mock: string
}

/** One side's answer to a probe, with the values its request carried (ids, cursors) that messages may echo. */
export interface Outcome {
  readonly answer?: Answer
  /** Why the probe was not sent on this side (a cursor or id its earlier answers did not give). */
  readonly skipped?: string
  readonly values: readonly string[]
}

export type Finding = Pick<Difference, 'aspect' | 'target' | 'mock'>

/** Findings, and a function that adds one when the two sides' values differ. */
function findingsList (): [Finding[], (aspect: string, target: string, mock: string) => void] {
  const findings: Finding[] = []
  return [findings, (aspect, target, mock) => { if (target !== mock) findings.push({ aspect, target, mock }) }]
}

/** Headers whose meaning a client relies on; Date, Content-Length, Sequence-Mock-Version and the like are not compared. */
const HEADERS: Readonly<Record<string, (value: string | undefined) => string>> = {
  'content-type': (value) => value === undefined ? ABSENT : value.toLowerCase().replace(/\s+/g, ''),
  'sequence-version': (value) => value === undefined ? ABSENT : value,
  'www-authenticate': (value) => value === undefined ? ABSENT : value,
  // Its value counts down: compare its form only.
  'retry-after': (value) => value === undefined ? ABSENT : /^\d+$/.test(value.trim()) ? '<seconds>' : Number.isNaN(Date.parse(value)) ? value : '<HTTP date>',
  allow: (value) => value === undefined ? ABSENT : value.split(',').map((method) => method.trim()).join(', '),
  'access-control-allow-origin': (value) => value === undefined ? ABSENT : value
}

const ABSENT = '(absent)'
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

export function compareOutcomes (target: Outcome, mock: Outcome): Finding[] {
  if (target.answer === undefined || mock.answer === undefined) {
    const state = (outcome: Outcome): string => outcome.answer === undefined ? `not sent: ${outcome.skipped ?? 'unknown'}` : 'sent'
    return state(target) === state(mock) ? [] : [{ aspect: 'sent', target: state(target), mock: state(mock) }]
  }
  const [t, m] = [target.answer, mock.answer]
  const [findings, add] = findingsList()
  add('status', String(t.status), String(m.status))
  for (const [name, normalize] of Object.entries(HEADERS)) add(`header ${name}`, normalize(t.headers[name]), normalize(m.headers[name]))
  const [kindT, kindM] = [bodyKind(t), bodyKind(m)]
  if (kindT !== kindM) {
    add('body', kindT, kindM)
    return findings
  }
  if (kindT === 'not JSON') return findings
  findings.push(...compareShapes(shapeOf(t.json), shapeOf(m.json)))
  findings.push(...compareErrors(t.json, target.values, m.json, mock.values))
  if (kindT === 'page') findings.push(...comparePages(t.json as Page, m.json as Page))
  return findings
}

/** A users page, an error envelope, a user or other JSON, or no JSON at all: different kinds are one difference, not a field-by-field cascade. */
function bodyKind (answer: Answer): string {
  const json = answer.json
  if (json === undefined) return 'not JSON'
  if (isObject(json) && Array.isArray(json['items'])) return 'page'
  if (isObject(json) && isObject(json['error'])) return 'error envelope'
  return isObject(json) ? 'object' : kindOf(json)
}

interface Page {
  items: Array<Record<string, unknown>>
  pagination?: { after?: unknown, before?: unknown, totalResultSize?: unknown }
}

function comparePages (t: Page, m: Page): Finding[] {
  const [findings, add] = findingsList()
  // The mock holds as many users as the target: page sizes and the total are behaviour, not data.
  add('items', `${t.items.length} users`, `${m.items.length} users`)
  const [totalT, totalM] = [t.pagination?.totalResultSize, m.pagination?.totalResultSize]
  if (typeof totalT === 'number' && typeof totalM === 'number') add('pagination.totalResultSize', String(totalT), String(totalM))
  for (const field of ['after', 'before'] as const) {
    const [a, b] = [t.pagination?.[field], m.pagination?.[field]]
    if (typeof a === 'string' && typeof b === 'string') add(`cursor pagination.${field}`, cursorPattern(a, t.items), cursorPattern(b, m.items))
  }
  return findings
}

/**
 * A cursor's format with its values generalised: the encoding, then the decoded text with the page's
 * first and last ids, other UUIDs and digit runs named, e.g. `base64("<last id>#<16 digits>#DESC")`.
 */
export function cursorPattern (cursor: string, items: ReadonlyArray<Record<string, unknown>>): string {
  const encoding = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(cursor)
    ? 'base64'
    : /^[A-Za-z0-9_-]+$/.test(cursor) ? 'base64url' : 'text'
  const decoded = encoding === 'text' ? cursor : Buffer.from(cursor, encoding).toString('latin1')
  // Base64 of bytes that are not text is no structure worth naming: show the raw text's pattern instead.
  const [shown, text] = /^[\x20-\x7e]+$/.test(decoded) ? [encoding, decoded] : ['text', cursor]
  const first = String(items[0]?.['id'] ?? '')
  const last = String(items.at(-1)?.['id'] ?? '')
  const generalised = text
    .replace(UUID, (id) => id === last ? '<last id>' : id === first ? '<first id>' : '<uuid>')
    .replace(/\d+/g, (digits) => `<${digits.length} digits>`)
  return `${shown}(${JSON.stringify(generalised)})`
}

/** The error's type, its message with the request's own values (ids, cursors) and any UUID named, and each detail. */
function compareErrors (t: unknown, tValues: readonly string[], m: unknown, mValues: readonly string[]): Finding[] {
  const [a, b] = [errorOf(t), errorOf(m)]
  if (a === undefined || b === undefined) return []
  const [findings, add] = findingsList()
  add('error type', show(a['type']), show(b['type']))
  add('error message', normalize(a['message'], tValues), normalize(b['message'], mValues))
  const [da, db] = [details(a), details(b)]
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    for (const field of ['code', 'key', 'message']) {
      const x = da[i] === undefined ? ABSENT : normalize(da[i]?.[field], tValues)
      const y = db[i] === undefined ? ABSENT : normalize(db[i]?.[field], mValues)
      add(`error errors[${i}].${field}`, x, y)
    }
  }
  return findings
}

function errorOf (json: unknown): Record<string, unknown> | undefined {
  return isObject(json) && isObject(json['error']) ? json['error'] : undefined
}

function details (error: Record<string, unknown>): Array<Record<string, unknown>> {
  return Array.isArray(error['errors']) ? error['errors'].filter(isObject) : []
}

/** Values differ by side; what a message says about them should not. */
export function normalize (message: unknown, values: readonly string[]): string {
  if (typeof message !== 'string') return show(message)
  let text = message
  for (const value of [...values].sort((x, y) => y.length - x.length)) {
    if (value.length >= 8) text = text.replaceAll(value, '<value from the request>')
  }
  return JSON.stringify(text.replace(UUID, '<uuid>'))
}

const show = (value: unknown): string => value === undefined ? ABSENT : JSON.stringify(value)

// --- Shapes ---------------------------------------------------------------------------------------

/**
 * A JSON value's shape, flattened: each path (`items[].roles[].roleName`) with the set of kinds
 * seen there, array items merged (a key missing from some items adds `absent`), and each object's
 * key order (`items[]{}`).
 */
export interface Shape {
  readonly kinds: Map<string, Set<string>>
  readonly keys: Map<string, string[]>
}

export function shapeOf (value: unknown): Shape {
  const shape: Shape = { kinds: new Map(), keys: new Map() }
  describe(value, '', shape)
  return shape
}

function describe (value: unknown, path: string, shape: Shape): void {
  addKind(shape, path, kindOf(value))
  if (Array.isArray(value)) {
    if (value.length === 0) return
    const union: string[] = []
    for (const item of value) if (isObject(item)) for (const key of Object.keys(item)) if (!union.includes(key)) union.push(key)
    for (const item of value) {
      describe(item, `${path}[]`, shape)
      if (isObject(item)) for (const key of union) if (!(key in item)) addKind(shape, `${path}[].${key}`, 'absent')
    }
    return
  }
  if (!isObject(value)) return
  const known = shape.keys.get(path) ?? []
  for (const key of Object.keys(value)) if (!known.includes(key)) known.push(key)
  shape.keys.set(path, known)
  for (const [key, field] of Object.entries(value)) describe(field, path === '' ? key : `${path}.${key}`, shape)
}

function addKind (shape: Shape, path: string, kind: string): void {
  const kinds = shape.kinds.get(path) ?? new Set()
  kinds.add(kind)
  shape.kinds.set(path, kinds)
}

function kindOf (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

/** Field names, kinds and nullability, then key order where both sides have the same fields. */
export function compareShapes (t: Shape, m: Shape): Finding[] {
  const findings: Finding[] = []
  const paths = [...new Set([...t.kinds.keys(), ...m.kinds.keys()])]
  for (const path of paths) {
    const [a, b] = [t.kinds.get(path), m.kinds.get(path)]
    if (a !== undefined && b !== undefined) {
      const [x, y] = [kinds(a), kinds(b)]
      if (x !== y) findings.push({ aspect: `shape ${path || '(body)'}`, target: x, mock: y })
    } else if (comparable(path, a === undefined ? t : m)) {
      findings.push({ aspect: `shape ${path}`, target: a === undefined ? ABSENT : kinds(a), mock: b === undefined ? ABSENT : kinds(b) })
    }
  }
  for (const [path, keysT] of t.keys) {
    const keysM = m.keys.get(path)
    if (keysM === undefined) continue
    const [x, y] = [keysT.filter((key) => keysM.includes(key)), keysM.filter((key) => keysT.includes(key))]
    if (x.join() !== y.join()) findings.push({ aspect: `key order ${path || '(body)'}`, target: x.join(', '), mock: y.join(', ') })
  }
  return findings
}

/**
 * A path only one side has is a difference when its parent, on the side without it, is an object
 * (a field is missing) and not when the parent is itself missing (reported there) or an empty array.
 */
function comparable (path: string, without: Shape): boolean {
  if (path.endsWith('[]')) return false
  const parent = path.replace(/\.?[^.[\]]+$/, '')
  return without.kinds.get(parent)?.has('object') === true
}

const kinds = (set: Set<string>): string => [...set].sort().join('|')

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// --- Ordering rules -------------------------------------------------------------------------------

/** One side's answers by probe name. */
export type Answers = ReadonlyMap<string, Answer | undefined>

/** The rules each side's walks follow, by walk and rule; the values are compared between sides. */
export function orderingRules (answers: Answers): Map<string, Map<string, string>> {
  const rules = new Map<string, Map<string, string>>()
  const ids = (name: string): string[] | undefined => {
    const json = answers.get(name)?.json
    return isObject(json) && Array.isArray(json['items']) ? json['items'].filter(isObject).map((item) => String(item['id'])) : undefined
  }
  const longest = ids(`${walkLabel(100, LATEST_VERSION)}, page 1`)
  for (const { limit, version, pages, back } of WALKS) {
    const label = walkLabel(limit, version)
    const walk = new Map<string, string>()
    const forward = Array.from({ length: pages }, (_, n) => ids(`${label}, page ${n + 1}`))
    const walked = forward.filter((page) => page !== undefined)
    const all = walked.flat()
    walk.set('users seen twice in a forward walk', String(all.length - new Set(all).size))
    if (limit < 100 && longest !== undefined) {
      const same = all.every((id, i) => longest[i] === undefined || longest[i] === id)
      walk.set('its pages joined are the start of the first page at limit=100', same ? 'yes' : 'no')
    }
    for (let n = pages - 1; n >= pages - back; n--) {
      const backward = ids(`${label}, back to page ${n}`)
      const rule = `walking back with before gives page ${n} again`
      walk.set(rule, backward === undefined || forward[n - 1] === undefined ? 'not walked' : backward.join() === forward[n - 1]?.join() ? 'yes' : 'no')
    }
    const totals = new Set(Array.from({ length: pages }, (_, n) => answers.get(`${label}, page ${n + 1}`)?.json)
      .filter(isObject).map((json) => JSON.stringify((json['pagination'] as Record<string, unknown> | undefined)?.['totalResultSize'])))
    walk.set('totalResultSize on every page', totals.size <= 1 ? 'the same' : 'varies')
    rules.set(label, walk)
  }
  rules.get(walkLabel(1, LATEST_VERSION))?.set('order by creation time (read from the cursors)', creationOrder(answers))
  return rules
}

/** Pages of one user each: each page's cursors name its user and carry a time, which shows the list's order. */
function creationOrder (answers: Answers): string {
  const label = walkLabel(1, LATEST_VERSION)
  const times: number[] = []
  for (let n = 1; n <= 3; n++) {
    const json = answers.get(`${label}, page ${n}`)?.json
    if (!isObject(json) || !Array.isArray(json['items'])) continue
    const id = (json['items'][0] as Record<string, unknown> | undefined)?.['id']
    const pagination = (json['pagination'] ?? {}) as Record<string, unknown>
    const time = [pagination['after'], pagination['before']].map((cursor) => timeOf(cursor, id)).find((found) => found !== undefined)
    if (time !== undefined) times.push(time)
  }
  if (times.length < 2) return 'unknown (no cursor carries a time)'
  const pairs = times.slice(1).map((time, i) => Math.sign(time - (times[i] as number)))
  if (pairs.every((sign) => sign <= 0)) return 'newest first'
  if (pairs.every((sign) => sign >= 0)) return 'oldest first'
  return 'neither newest nor oldest first'
}

/** The time in a cursor `base64(<id>#<digits>#…)` that names this id. */
function timeOf (cursor: unknown, id: unknown): number | undefined {
  if (typeof cursor !== 'string' || typeof id !== 'string') return undefined
  const match = /^([^#]+)#(\d+)#/.exec(Buffer.from(cursor, 'base64').toString('latin1'))
  return match?.[1] === id ? Number(match[2]) : undefined
}

export function compareRules (target: Answers, mock: Answers): Difference[] {
  const [t, m] = [orderingRules(target), orderingRules(mock)]
  const differences: Difference[] = []
  for (const [walk, rules] of t) {
    for (const [rule, value] of rules) {
      const other = m.get(walk)?.get(rule) ?? ABSENT
      if (value !== other) differences.push({ probe: walk, request: '(across the walk\'s pages)', aspect: rule, target: value, mock: other })
    }
  }
  return differences
}
