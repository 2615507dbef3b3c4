// Every documented status of every operation, produced for real over HTTP and checked against Sequence's document.
import { API_VERSIONS } from '../../src/contract/versions.js'
import { SCENARIO_CODES } from '../../src/http/scenarios.js'
import { operationsOf, USERS_PATHS, type Document, type OperationObject, type Schema } from './documents.js'
import { EXAMPLE_ACCOUNT_IDS, type MockClient, type Reply, type RequestOptions } from './mock-client.js'
import { validate } from './schema.js'

/** Sequence's documented body for an unknown Sequence-Version, byte for byte. */
export const UNRECOGNISED_VERSION_BODY = '{"error":{"type":"UnrecognisedApiVersion","message":"No matching API version found. Please make sure the specified API version is valid."}}'
export const JSON_TYPE = 'application/json; charset=utf-8'
const UNKNOWN_VERSION = '1999-01-01'
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
/** Methods a client might try on the Users paths; those a version does not publish must get 405. */
const TRIED_METHODS = ['GET', 'PUT', 'DELETE', 'POST', 'PATCH']
const UPDATE = { sequenceAccountIds: [...EXAMPLE_ACCOUNT_IDS].reverse() }

interface Expected {
  readonly status: number
  /** The Sequence-Version the response must carry, or one of several. */
  readonly version: string | readonly string[]
  /** Sequence's schema for this status, when it documents one. */
  readonly schema?: Schema | undefined
  /** The body must be the error envelope. */
  readonly envelope?: boolean
  /** The body, byte for byte. */
  readonly exact?: string
  /** A validationError, naming this key when given. */
  readonly validation?: { readonly key?: string }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The newest published version must be what a request without Sequence-Version gets. */
export async function checkDefaultVersion (client: MockClient, newest: string): Promise<string[]> {
  const reply = await client.send('GET', '/users', { query: 'limit=1' })
  const got = reply.headers.get('sequence-version')
  return got === newest ? [] : [`versions: a request without Sequence-Version gets ${got ?? 'no Sequence-Version'}, Sequence's newest published version is ${newest}`]
}

/** One version: the methods it does not publish get 405; each documented status of each operation is produced and checked. */
export async function checkVersionLive (client: MockClient, version: string, document: Document, userId: string): Promise<string[]> {
  const out: string[] = []
  const send = async (label: string, method: string, path: string, options: RequestOptions, expected: Expected): Promise<Reply> => {
    const reply = await client.send(method, path, options)
    out.push(...verify(document, reply, expected).map((line) => `${label}: ${line}`))
    return reply
  }
  const concrete = (path: string): string => path.replace('{id}', encodeURIComponent(userId))

  for (const path of USERS_PATHS) {
    const published = operationsOf(document, path).map(({ method }) => method)
    for (const method of TRIED_METHODS.filter((candidate) => !published.includes(candidate))) {
      const label = `${version} ${method} ${path}`
      const body = ['PUT', 'POST', 'PATCH'].includes(method) ? UPDATE : undefined
      const reply = await client.send(method, concrete(path), { version, body })
      if (reply.status !== 405) {
        out.push(`${label}: not published by Sequence, but the mock answers ${reply.status} (expected 405)`)
        continue
      }
      out.push(...verify(document, reply, { status: 405, version, envelope: true }).map((line) => `${label}: ${line}`))
      const allow = (reply.headers.get('allow') ?? '').split(',').map((name) => name.trim()).filter(Boolean)
      if ([...allow].sort().join() !== [...published].sort().join()) out.push(`${label}: Allow: ${allow.join(', ') || '(none)'} in the mock, documented methods ${published.join(', ')}`)
    }
  }

  // DELETE last: it changes the user the other operations use.
  const operations = USERS_PATHS.flatMap((path) => operationsOf(document, path).map((entry) => ({ ...entry, path })))
    .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'))
  for (const { method, path, operation } of operations) {
    const id = operation.operationId ?? `${method} ${path}`
    const target = concrete(path)
    const queryNames = new Set((operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name))
    const statuses = Object.keys(operation.responses ?? {}).filter((status) => /^\d{3}$/.test(status))
    // Errors first, so that a success (a DELETE) comes after the requests that need the user as it was.
    for (const status of statuses.sort((a, b) => Number(a.startsWith('2')) - Number(b.startsWith('2')))) {
      const code = Number(status)
      const label = `${version} ${id} ${status}`
      const schema = operation.responses?.[status]?.content?.['application/json']?.schema
      const error = (note: string, options: RequestOptions, expected: Partial<Expected> = {}): Promise<Reply> =>
        send(`${label} (${note})`, method, target, { version, ...options }, { status: code, version, schema, envelope: true, ...expected })

      if (code >= 200 && code < 300) {
        out.push(...await success(send, { label, method, path: target, version, schema, status: code, queryNames, userId, operation }))
      } else if (code === 400) {
        // No version applies; the response still names one the mock serves (which one Sequence does not say).
        await error('unknown Sequence-Version', { version: UNKNOWN_VERSION }, { exact: UNRECOGNISED_VERSION_BODY, version: API_VERSIONS })
        if (queryNames.has('limit')) await error('limit=0', { query: 'limit=0' }, { validation: { key: 'limit' } })
        if (operation.requestBody !== undefined) await error('bad body', { body: { sequenceAccountIds: 'not a list' } }, { validation: {} })
      } else if (code === 401) {
        await error('no credentials', { authorize: false })
      } else if (code === 404 && path.includes('{id}')) {
        await send(`${label} (unknown id)`, method, path.replace('{id}', UNKNOWN_ID), { version, ...(operation.requestBody !== undefined && { body: UPDATE }) }, { status: 404, version, schema, envelope: true })
      } else if ((SCENARIO_CODES as readonly number[]).includes(code)) {
        await error(`Prefer: code=${code}`, { headers: { prefer: `code=${code}` }, ...(operation.requestBody !== undefined && { body: UPDATE }) })
      } else {
        out.push(`${label}: documented, and the check cannot make the mock answer it`)
      }
    }
  }
  return out
}

interface SuccessCase {
  readonly label: string
  readonly method: string
  readonly path: string
  readonly version: string
  readonly schema: Schema | undefined
  readonly status: number
  readonly queryNames: ReadonlySet<string>
  readonly userId: string
  readonly operation: OperationObject
}

type Send = (label: string, method: string, path: string, options: RequestOptions, expected: Expected) => Promise<Reply>

/** A valid request for each operation; for the list, the documented parameters too: limit, then after, then before. */
async function success (send: Send, c: SuccessCase): Promise<string[]> {
  const out: string[] = []
  const expected: Expected = { status: c.status, version: c.version, schema: c.schema }
  if (c.method === 'GET' && !c.path.includes('/users/')) {
    const limit = c.queryNames.has('limit') ? 'limit=2' : undefined
    const first = await send(c.label, 'GET', c.path, { version: c.version, ...(limit !== undefined && { query: limit }) }, expected)
    const page = pageOf(first)
    if (limit !== undefined && page.ids.length > 2) out.push(`${c.label}: limit=2 answered ${page.ids.length} items`)
    if (!c.queryNames.has('after') || first.status !== 200) return out
    if (page.after === undefined) return [...out, `${c.label}: limit=2 of ${page.total ?? 'several'} users answered no pagination.after`]
    const second = pageOf(await send(c.label, 'GET', c.path, { version: c.version, query: `limit=2&after=${encodeURIComponent(page.after)}` }, expected))
    if (second.ids.some((id) => page.ids.includes(id))) out.push(`${c.label}: the page after=pagination.after repeats users of the first page`)
    if (!c.queryNames.has('before')) return out
    if (second.before === undefined) return [...out, `${c.label}: the second page answered no pagination.before`]
    const back = pageOf(await send(c.label, 'GET', c.path, { version: c.version, query: `limit=2&before=${encodeURIComponent(second.before)}` }, expected))
    if (back.ids.join() !== page.ids.join()) out.push(`${c.label}: before=pagination.before of the second page answered ${back.ids.join(', ') || 'no users'}, not the first page`)
    return out
  }
  const reply = await send(c.label, c.method, c.path, { version: c.version, ...(c.operation.requestBody !== undefined && { body: UPDATE }) }, expected)
  if (reply.status !== c.status || !isObject(reply.json)) return out
  if (reply.json['id'] !== c.userId) out.push(`${c.label}: id ${JSON.stringify(reply.json['id'])}, not the requested user's`)
  if (c.operation.requestBody !== undefined && JSON.stringify(reply.json['sequenceAccountIds']) !== JSON.stringify(UPDATE.sequenceAccountIds)) {
    out.push(`${c.label}: sequenceAccountIds ${JSON.stringify(reply.json['sequenceAccountIds'])}, not the ones sent`)
  }
  return out
}

function pageOf (reply: Reply): { ids: string[], after: string | undefined, before: string | undefined, total: unknown } {
  const body = isObject(reply.json) ? reply.json : {}
  const items = Array.isArray(body['items']) ? body['items'] : []
  const pagination = isObject(body['pagination']) ? body['pagination'] : {}
  const text = (value: unknown): string | undefined => typeof value === 'string' ? value : undefined
  return { ids: items.map((item) => String((item as { id?: unknown }).id)), after: text(pagination['after']), before: text(pagination['before']), total: pagination['totalResultSize'] }
}

/** Status, Content-Type, Sequence-Version, then the body: exact, the error envelope, and Sequence's schema. */
function verify (document: Document, reply: Reply, expected: Expected): string[] {
  if (reply.status !== expected.status) return [`status ${reply.status} in the mock, documented ${expected.status}${isObject(reply.json) && isObject(reply.json['error']) ? ` (${String(reply.json['error']['type'])})` : ''}`]
  const out: string[] = []
  const type = reply.headers.get('content-type')
  if (type !== JSON_TYPE) out.push(`Content-Type ${type ?? '(none)'}, expected ${JSON_TYPE}`)
  const version = reply.headers.get('sequence-version')
  const versions = typeof expected.version === 'string' ? [expected.version] : expected.version
  if (version === null || !versions.includes(version)) out.push(`Sequence-Version ${version ?? '(none)'}, expected ${versions.length === 1 ? versions[0] : `one of ${versions.join(', ')}`}`)
  if (reply.json === undefined) return [...out, `body is not JSON: ${reply.text.slice(0, 200)}`]
  if (expected.exact !== undefined && reply.text !== expected.exact) out.push(`body ${reply.text.slice(0, 300)}, documented exactly ${expected.exact}`)
  if (expected.envelope === true) out.push(...envelope(reply.json))
  if (expected.validation !== undefined) {
    const error = isObject(reply.json) && isObject(reply.json['error']) ? reply.json['error'] : {}
    const keys = Array.isArray(error['errors']) ? error['errors'].map((detail) => (detail as { key?: unknown }).key) : []
    const key = expected.validation.key
    if (error['type'] !== 'validationError' || (key !== undefined && !keys.includes(key))) {
      out.push(`error type ${String(error['type'])}${keys.length > 0 ? ` (keys ${keys.join(', ')})` : ''}, expected validationError${key === undefined ? '' : ` naming ${key}`}`)
    }
  }
  if (expected.schema !== undefined) out.push(...validate(document, expected.schema, reply.json))
  return out
}

/** Sequence's envelope: `{"error":{"type","message"}}`; validation errors add `errors: [{code, message, key, errors}]`. */
function envelope (body: unknown): string[] {
  if (!isObject(body) || Object.keys(body).join() !== 'error' || !isObject(body['error'])) {
    return [`body ${JSON.stringify(body).slice(0, 200)} is not the error envelope {"error":{"type","message"}}`]
  }
  const error = body['error']
  const out: string[] = []
  const fields = Object.keys(error)
  const expected = ['type', 'message', 'errors'].filter((key) => fields.includes(key))
  for (const key of ['type', 'message']) if (typeof error[key] !== 'string' || error[key] === '') out.push(`error.${key}: missing or not a text`)
  for (const key of fields.filter((name) => !['type', 'message', 'errors'].includes(name))) out.push(`error.${key}: not part of the envelope`)
  if (fields.filter((key) => expected.includes(key)).join() !== expected.join()) out.push(`error: fields in the order ${fields.join(', ')}, documented type, message, errors`)
  if ('errors' in error) {
    const details = error['errors']
    if (!Array.isArray(details)) return [...out, 'error.errors: not a list']
    for (const detail of details) {
      if (!isObject(detail) || Object.keys(detail).join() !== 'code,message,key,errors' || !Array.isArray(detail['errors'])) {
        out.push(`error.errors[]: ${JSON.stringify(detail).slice(0, 200)} is not {"code","message","key","errors":[]}`)
      }
    }
  }
  return out
}

/** The mock's own OpenAPI document for a version, when it serves one: the Users paths, methods and operationIds. */
export async function checkOwnDocument (client: MockClient, version: string, document: Document): Promise<string[]> {
  const label = `${version} openapi: GET /openapi/${version}.json`
  const reply = await client.sendRoot('GET', `/openapi/${version}.json`)
  if (reply.status === 404) return [`${label}: not served`]
  if (reply.status !== 200) return [`${label}: answers ${reply.status}`]
  const ours = reply.json as Document | undefined
  if (!isObject(ours) || !isObject(ours.paths)) return [`${label}: not an OpenAPI document`]
  const out: string[] = []
  for (const path of USERS_PATHS) {
    const theirs = new Map(operationsOf(document, path).map(({ method, operation }) => [method, operation.operationId]))
    const mine = new Map(operationsOf(ours, path).map(({ method, operation }) => [method, operation.operationId]))
    for (const [method, id] of theirs) {
      if (!mine.has(method)) out.push(`${label}: ${method} ${path} (${id}): missing in the mock's document`)
      else if (mine.get(method) !== id) out.push(`${label}: ${method} ${path}: operationId ${mine.get(method)} in the mock's document, ${id} in Sequence's`)
    }
    for (const [method, id] of mine) if (!theirs.has(method)) out.push(`${label}: ${method} ${path} (${id}): in the mock's document, not published by Sequence`)
  }
  return out
}
