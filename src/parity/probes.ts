// The parity check's fixed probes: read-only requests, some built from the same side's earlier answers (cursors, ids).
import { API_VERSIONS, LATEST_VERSION } from '../contract/versions.js'

/** A value taken from an earlier probe's answer on the same side: its cursors, its first user's id or accounts. */
export interface Ref {
  readonly from: string
  readonly field: 'after' | 'before' | 'firstId' | 'accounts'
}

export type Value = string | Ref

/** Which Authorization header a probe sends. */
export type AuthKind = 'valid' | 'none' | 'wrong' | 'malformed'

export interface Probe {
  readonly name: string
  readonly method: 'GET' | 'PUT'
  /** The user id for `/users/{id}`; the list `/users` without one. */
  readonly id?: Value
  readonly query?: Readonly<Record<string, Value>>
  /** The Sequence-Version header; none when undefined. */
  readonly version?: string
  readonly auth: AuthKind
  readonly origin?: string
  /** A PUT's body: the user's own account ids sent back (a write that changes nothing), or a literal. */
  readonly body?: { readonly accounts: Ref } | Readonly<Record<string, unknown>>
}

/** No user has this id: a version-4 UUID of zeros. */
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
/** Standard base64 of `hello world`: a valid encoding of something that is no cursor. */
export const OTHER_BASE64 = Buffer.from('hello world').toString('base64')
export const PROBE_ORIGIN = 'https://parity.example'

const ref = (from: string, field: Ref['field']): Ref => ({ from, field })
const get = (name: string, rest: Omit<Probe, 'name' | 'method' | 'auth'> & { auth?: AuthKind } = {}): Probe =>
  ({ name, method: 'GET', auth: 'valid', ...rest })

/** The first page with no limit and no version comes first: its totalResultSize sizes the mock (src/parity/run.ts). */
export const FIRST_PROBE = 'list, no limit, no Sequence-Version'

/** Forward `pages` pages from the start, then `back` pages back with `before` from the last one. */
function walk (limit: number, version: string, pages: number, back: number): Probe[] {
  const label = walkLabel(limit, version)
  const page = (n: number): string => `${label}, page ${n}`
  const probes: Probe[] = [get(page(1), { query: { limit: String(limit) }, version })]
  for (let n = 2; n <= pages; n++) probes.push(get(page(n), { query: { limit: String(limit), after: ref(page(n - 1), 'after') }, version }))
  let from = page(pages)
  for (let n = pages - 1; n >= pages - back; n--) {
    const name = `${label}, back to page ${n}`
    probes.push(get(name, { query: { limit: String(limit), before: ref(from, 'before') }, version }))
    from = name
  }
  return probes
}

export const walkLabel = (limit: number, version: string): string => `limit=${limit} in ${version}`

/** The walks the ordering rules read (src/parity/compare.ts): limit, version, pages forward, pages back. */
export const WALKS = [
  { limit: 1, version: LATEST_VERSION, pages: 3, back: 2 },
  { limit: 2, version: '2024-01-01', pages: 3, back: 2 },
  { limit: 5, version: '2024-05-09', pages: 3, back: 0 },
  { limit: 100, version: LATEST_VERSION, pages: 3, back: 0 }
] as const

const FIRST_USER = `${walkLabel(1, LATEST_VERSION)}, page 1`
const SECOND_PAGE = `${walkLabel(1, LATEST_VERSION)}, page 2`

export const READ_PROBES: readonly Probe[] = [
  get(FIRST_PROBE),
  ...API_VERSIONS.map((version) => get(`list in ${version}`, { query: { limit: '3' }, version })),
  get('unknown Sequence-Version', { query: { limit: '1' }, version: '2023-01-01' }),
  get('empty Sequence-Version', { query: { limit: '1' }, version: '' }),
  get('no credentials', { query: { limit: '1' }, auth: 'none' }),
  get('wrong secret', { query: { limit: '1' }, auth: 'wrong' }),
  get('Authorization not Basic', { query: { limit: '1' }, auth: 'malformed' }),
  get('no credentials and an unknown Sequence-Version', { query: { limit: '1' }, auth: 'none', version: '2023-01-01' }),
  get('unknown Sequence-Version and limit=0', { query: { limit: '0' }, version: '2023-01-01' }),
  get('limit=0', { query: { limit: '0' } }),
  get('limit=101', { query: { limit: '101' } }),
  get('limit=abc', { query: { limit: 'abc' } }),
  get('after that is not a cursor', { query: { limit: '1', after: 'not-a-cursor' } }),
  get('after that is base64 of no cursor', { query: { limit: '1', after: OTHER_BASE64 } }),
  get('before that is not a cursor', { query: { limit: '1', before: 'not-a-cursor' } }),
  ...WALKS.flatMap(({ limit, version, pages, back }) => walk(limit, version, pages, back)),
  get('after and before together', { query: { limit: '1', after: ref(SECOND_PAGE, 'after'), before: ref(SECOND_PAGE, 'before') } }),
  ...API_VERSIONS.map((version) => get(`user by id in ${version}`, { id: ref(FIRST_USER, 'firstId'), version })),
  get('unknown user id', { id: UNKNOWN_ID }),
  get('user id that is not a UUID', { id: 'not-a-user-id' }),
  get('list from a browser Origin', { query: { limit: '1' }, origin: PROBE_ORIGIN })
]

const BY_ID_OLD = 'user by id in 2024-05-09'

/**
 * Only with --allow-writes. Each leaves the data as it was: a user's own account ids written back,
 * an unknown id, a body without the field. Never a DELETE.
 */
export const WRITE_PROBES: readonly Probe[] = [
  { name: 'PUT the same accounts back in 2024-05-09', method: 'PUT', auth: 'valid', version: '2024-05-09', id: ref(BY_ID_OLD, 'firstId'), body: { accounts: ref(BY_ID_OLD, 'accounts') } },
  { name: 'PUT the same accounts back in 2024-07-30', method: 'PUT', auth: 'valid', version: '2024-07-30', id: ref(BY_ID_OLD, 'firstId'), body: { accounts: ref(BY_ID_OLD, 'accounts') } },
  { name: 'PUT an unknown user id in 2024-05-09', method: 'PUT', auth: 'valid', version: '2024-05-09', id: UNKNOWN_ID, body: { sequenceAccountIds: [] } },
  { name: 'PUT without sequenceAccountIds in 2024-05-09', method: 'PUT', auth: 'valid', version: '2024-05-09', id: ref(BY_ID_OLD, 'firstId'), body: {} }
]

export function probesFor (allowWrites: boolean): readonly Probe[] {
  return allowWrites ? [...READ_PROBES, ...WRITE_PROBES] : READ_PROBES
}

export const isRef = (value: unknown): value is Ref =>
  typeof value === 'object' && value !== null && 'from' in value && 'field' in value

/** How a probe's request reads in the report, with references named rather than valued (they differ per side). */
export function describeProbe (probe: Probe): string {
  const show = (value: Value): string => isRef(value) ? `<${value.field} of "${value.from}">` : value
  const path = probe.id === undefined ? '/users' : `/users/${show(probe.id)}`
  const query = Object.entries(probe.query ?? {}).map(([key, value]) => `${key}=${show(value)}`).join('&')
  const headers = [
    probe.version === undefined ? '' : `Sequence-Version: ${JSON.stringify(probe.version)}`,
    { valid: '', none: 'no Authorization', wrong: 'a wrong secret', malformed: 'Authorization: Bearer' }[probe.auth],
    probe.origin === undefined ? '' : `Origin: ${probe.origin}`
  ].filter(Boolean)
  return `${probe.method} ${path}${query === '' ? '' : `?${query}`}${headers.length === 0 ? '' : ` (${headers.join(', ')})`}`
}
