// The requests the shutdown run's clients send, each with the answer it gets when nothing is shutting down.
import { isDeepStrictEqual } from 'node:util'
import { API_VERSIONS, type ApiVersion } from '../../src/contract/versions.js'
import { seededRandom } from './random.js'

export const AUTHORIZATION = 'Basic a2V5OnNlY3JldA==' // key:secret, the mock's default credentials
export const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'
const JSON_UTF8 = 'application/json; charset=utf-8'
const LIMITS = [5, 20, 100] as const
/** PUT /api/users/{id} is published in these two versions only. */
const UPDATE_VERSIONS = ['2024-01-01', '2024-05-09'] as const

export type RequestKind = 'list' | 'user' | 'missing' | 'update' | 'delete' | 'add'

export interface PlannedRequest {
  readonly kind: RequestKind
  readonly method: string
  readonly url: string
  readonly version: ApiVersion
  readonly body: string | undefined
  /** The status it gets when the mock is not shutting down. */
  readonly status: number
  /** Why a parsed body is not the normal answer; undefined when it is. */
  readonly check: (body: any) => string | undefined
}

/** How often each kind is drawn, out of their sum. */
export type Mix = Readonly<Record<RequestKind, number>>

/** With latency: every kind often, writes included (all soft: a user once known stays found by id). */
export const MIX_WITH_LATENCY: Mix = { list: 40, user: 30, missing: 10, update: 7, delete: 6, add: 7 }
/** Without latency: reads repeat and writes are rare, so that most reads are replayed answers (src/http/replay.ts). */
export const MIX_FAST: Mix = { list: 55, user: 35, missing: 9.7, update: 0.1, delete: 0.1, add: 0.1 }

/** One client's requests: page walks that follow `pagination.after`, users by id, unknown ids, writes. */
export class RequestPlanner {
  readonly #random: () => number
  readonly #ids: readonly string[]
  readonly #mix: Mix
  readonly #name: string
  #walk: { version: ApiVersion, limit: number, after: string | undefined } | undefined
  #added = 0

  constructor (seed: number, ids: readonly string[], mix: Mix, name: string) {
    this.#random = seededRandom(seed)
    this.#ids = ids
    this.#mix = mix
    this.#name = name
  }

  next (): PlannedRequest {
    const kind = this.#kind()
    const version = this.#pick(API_VERSIONS)
    const id = this.#pick(this.#ids)
    switch (kind) {
      case 'list': return this.#list()
      case 'user':
        return get('user', `/api/users/${id}`, version, 200, (body) => body?.id === id && typeof body.email === 'string' ? undefined : 'not the user asked for')
      case 'missing': {
        const missing = this.#uuid()
        const expected = { error: { type: 'NotFound', message: `No user with id ${JSON.stringify(missing)}.` } }
        return get('missing', `/api/users/${missing}`, version, 404, (body) => isDeepStrictEqual(body, expected) ? undefined : 'not the NotFound envelope')
      }
      case 'update': {
        const expected = { id, sequenceAccountIds: [ACCOUNT_ID] }
        return {
          kind, method: 'PUT', url: `/api/users/${id}`, version: this.#pick(UPDATE_VERSIONS), body: JSON.stringify({ sequenceAccountIds: [ACCOUNT_ID] }), status: 201,
          check: (body) => isDeepStrictEqual(body, expected) ? undefined : 'not the UpdateSequenceUserResponse'
        }
      }
      case 'delete':
        return {
          kind, method: 'DELETE', url: `/api/users/${id}`, version, body: undefined, status: 200,
          check: (body) => body?.id === id && body.state === 'deleted' ? undefined : 'not the deleted user'
        }
      case 'add': {
        const email = `${this.#name}-${++this.#added}@example.com`
        const user = { email, sequenceAccountIds: [ACCOUNT_ID], state: 'active', roles: ['readOnlyUser'] }
        return {
          kind, method: 'POST', url: '/_mock/users', version, body: JSON.stringify(user), status: 201,
          check: (body) => body?.email === email && typeof body.id === 'string' && typeof body.createdAt === 'string' ? undefined : 'not the added user'
        }
      }
    }
  }

  /** The answer to a list request: where the walk goes next. */
  followed (planned: PlannedRequest, body: any): void {
    if (planned.kind !== 'list' || this.#walk === undefined) return
    const after: unknown = body?.pagination?.after
    if (typeof after === 'string') this.#walk.after = after
    else this.#walk = undefined
  }

  #list (): PlannedRequest {
    this.#walk ??= { version: this.#pick(API_VERSIONS), limit: this.#pick(LIMITS), after: undefined }
    return listRequest(this.#walk.version, this.#walk.limit, this.#walk.after)
  }

  #kind (): RequestKind {
    const kinds = Object.entries(this.#mix) as Array<[RequestKind, number]>
    let draw = this.#random() * kinds.reduce((sum, [, weight]) => sum + weight, 0)
    for (const [kind, weight] of kinds) {
      draw -= weight
      if (draw < 0) return kind
    }
    return 'list'
  }

  #pick<T> (items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)] as T
  }

  /** A random version 4 UUID: no stored user has it. */
  #uuid (): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.#random() * 16).toString(16)).join('')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`
  }
}

/** A page of the list: the first, or the one after a cursor. */
export function listRequest (version: ApiVersion, limit: number, after: string | undefined): PlannedRequest {
  const url = `/api/users?limit=${limit}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`
  return get('list', url, version, 200, (body) =>
    Array.isArray(body?.items) && body.items.length <= limit && typeof body.pagination?.totalResultSize === 'number' ? undefined : 'not a page of users')
}

function get (kind: RequestKind, url: string, version: ApiVersion, status: number, check: PlannedRequest['check']): PlannedRequest {
  return { kind, method: 'GET', url, version, body: undefined, status, check }
}

/** The bytes of a request on a keep-alive connection. */
export function requestBytes (planned: PlannedRequest, port: number): Buffer {
  const lines = [
    `${planned.method} ${planned.url} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: ${AUTHORIZATION}`,
    `Sequence-Version: ${planned.version}`
  ]
  if (planned.body !== undefined) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(planned.body)}`)
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${planned.body ?? ''}`)
}

/** Why an answer is not the one the request gets when nothing is shutting down; undefined when it is. */
export function abnormality (planned: PlannedRequest, status: number, headers: Readonly<Record<string, string>>, body: Buffer): { problem: string | undefined, parsed: unknown } {
  if (status !== planned.status) return { problem: `status ${status}, expected ${planned.status}: ${body.toString('utf8').slice(0, 200)}`, parsed: undefined }
  if (headers['content-type'] !== JSON_UTF8) return { problem: `content-type ${JSON.stringify(headers['content-type'])}`, parsed: undefined }
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return { problem: `body is not JSON: ${body.toString('utf8').slice(0, 200)}`, parsed: undefined }
  }
  return { problem: planned.check(parsed), parsed }
}
