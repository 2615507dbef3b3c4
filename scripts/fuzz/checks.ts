// The fuzzer's checks of one exchange: no 5xx, errors in the envelope, nothing internal leaked, HEAD bodiless, answered, well-formed.
import type { Case, SentRequest } from './case.js'
import { header, type Exchange, type Response } from './wire.js'

export const FINDING_KINDS = ['5xx', 'non-envelope error body', 'internal detail leaked', 'HEAD answer with a body', 'hang', 'no answer', 'malformed response', 'server down'] as const
export type FindingKind = typeof FINDING_KINDS[number]

export interface Finding {
  readonly kind: FindingKind
  /** Short and stable across requests of one form, for grouping: `400 Content-Type missing`. */
  readonly key: string
  /** What came back, or what did not. */
  readonly detail: string
  /** The request it is about, when the case has several. */
  readonly request?: SentRequest
}

const ENVELOPE_CONTENT_TYPE = 'application/json; charset=utf-8'

/**
 * What must never be in a body: a stack frame, a file path, a library's name. Each counts only when
 * the request did not send it itself (a 404 names the path it was asked for).
 */
const INTERNAL_DETAILS = ['    at ', '/work/', '/app/', 'node_modules', '.js:', '.ts:', 'fastify', 'avvio', 'ajv', 'typebox', 'pino', 'find-my-way', 'llhttp', 'undici']

/** 2xx bodies that echo what clients sent (the journal, the report) or describe the API: not checked for internal details. */
const ECHOING_PATHS = new Set(['/_mock/requests', '/_mock/report', '/openapi.json'])

export function checkExchange (fuzzCase: Case, exchange: Exchange): Finding[] {
  const findings: Finding[] = []
  const { requests } = fuzzCase
  const { responses } = exchange
  if (exchange.malformed !== undefined) {
    const after = requests[responses.length - 1]
    // Right after a HEAD answer, bytes that are no status line are most likely the body it should not have.
    const headBody = after?.method === 'HEAD' && /^(bad status line|closed in the middle of a status line)/.test(exchange.malformed)
    findings.push({
      kind: headBody ? 'HEAD answer with a body' : 'malformed response',
      key: headBody ? 'bytes after the headers' : exchange.malformed.replace(/\d+/g, 'N').replace(/"[^"]*"/g, '…'),
      detail: `${exchange.malformed} (after ${responses.length} complete answers)`
    })
  } else if (exchange.timedOut) {
    findings.push({ kind: 'hang', key: `${responses.length} of ${requests.length} answered`, detail: `${responses.length} of ${requests.length} answers, then nothing${exchange.closed ? '' : ' and no close'} within the timeout` })
  } else if (responses.length > requests.length) {
    findings.push({ kind: 'malformed response', key: 'more answers than requests', detail: `${responses.length} answers to ${requests.length} requests` })
  } else if (responses.length < requests.length) {
    const last = responses.at(-1)
    const how = exchange.reset ? 'reset' : 'closed'
    if (last === undefined) {
      if (!fuzzCase.mayCloseUnanswered) findings.push({ kind: 'no answer', key: `${how} without any answer`, detail: `connection ${how} without any answer` })
    } else if (last.status < 400 && !/\bclose\b/i.test(header(last, 'connection') ?? '')) {
      // After an error, or an answer that said `Connection: close`, the client knows the rest went unserved.
      findings.push({
        kind: 'no answer',
        key: `${how} after a ${last.status}, a request unanswered`,
        detail: `connection ${how} after ${responses.length} of ${requests.length} answers, the last a ${last.status}`,
        request: requests[responses.length] as SentRequest
      })
    }
  }
  if (exchange.trailing.length > 0 && exchange.malformed === undefined) {
    const last = requests[responses.length - 1]
    findings.push(last?.method === 'HEAD' && responses.length > 0
      ? { kind: 'HEAD answer with a body', key: `${responses.at(-1)?.status} with a body`, detail: `${describe(responses.at(-1) as Response)}, then ${exchange.trailing.length} bytes after its headers: ${show(exchange.trailing, 120)}`, request: last }
      : { kind: 'malformed response', key: 'bytes after the last answer', detail: `${exchange.trailing.length} bytes after the last answer that are none: ${show(exchange.trailing, 120)}` })
  }
  responses.forEach((response, i) => {
    const request = requests[Math.min(i, requests.length - 1)] as SentRequest
    findings.push(...checkResponse(fuzzCase, request, response))
  })
  return findings
}

function checkResponse (fuzzCase: Case, request: SentRequest, response: Response): Finding[] {
  const findings: Finding[] = []
  const { status, body } = response
  // As the router sees it: absolute-form `http://host/x` is `/x`.
  const path = (request.target.split('?')[0] ?? '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1')
  if (status >= 500 && !fuzzCase.asks5xx) findings.push({ kind: '5xx', key: `${status} ${errorType(response)}`, detail: describe(response), request })
  if (status >= 400 && request.method !== 'HEAD' && status !== 304) {
    const problem = envelopeProblem(response)
    if (problem !== undefined) findings.push({ kind: 'non-envelope error body', key: `${status} ${problem}`, detail: `${problem}: ${describe(response)}`, request })
  }
  if (body.length > 0 && !(status < 300 && ECHOING_PATHS.has(path))) {
    const text = body.toString('latin1').toLowerCase()
    const sent = fuzzCase.bytes.toString('latin1').toLowerCase()
    const leaked = INTERNAL_DETAILS.filter((needle) => text.includes(needle) && !sent.includes(needle))
    if (leaked.length > 0) findings.push({ kind: 'internal detail leaked', key: `${status} ${leaked.join(', ')}`, detail: `${leaked.map((needle) => JSON.stringify(needle)).join(', ')} in ${describe(response)}`, request })
  }
  if (fuzzCase.secrets.some((secret) => body.includes(secret) || response.head.includes(secret))) {
    findings.push({ kind: 'internal detail leaked', key: `${status} a configured secret`, detail: `a configured secret or token in the answer: ${describe(response)}`, request })
  }
  return findings
}

/** Why the body is not `{"error":{"type":string,"message":string[,"errors":array]}}` as JSON, or undefined when it is. */
export function envelopeProblem (response: Response): string | undefined {
  const type = header(response, 'content-type')
  if (type?.toLowerCase() !== ENVELOPE_CONTENT_TYPE) return `Content-Type ${type === undefined ? 'missing' : JSON.stringify(type)}`
  let parsed: unknown
  try {
    parsed = JSON.parse(response.body.toString('utf8'))
  } catch {
    return 'body is not JSON'
  }
  if (!isObject(parsed) || Object.keys(parsed).join() !== 'error') return 'body is not {"error":{…}} alone'
  const error = parsed['error']
  if (!isObject(error)) return '"error" is not an object'
  if (typeof error['type'] !== 'string' || typeof error['message'] !== 'string') return '"error" lacks a string "type" and "message"'
  const extra = Object.keys(error).filter((key) => key !== 'type' && key !== 'message' && key !== 'errors')
  if (extra.length > 0) return `"error" has other keys: ${extra.join(', ')}`
  if ('errors' in error && !Array.isArray(error['errors'])) return '"error.errors" is not an array'
  return undefined
}

function errorType (response: Response): string {
  try {
    const type = (JSON.parse(response.body.toString('utf8')) as { error?: { type?: unknown } }).error?.type
    return typeof type === 'string' ? type : '(no error type)'
  } catch {
    return '(not JSON)'
  }
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `400 text/plain "Client Error"`: status, type and the start of the body. */
export function describe (response: Response): string {
  const type = header(response, 'content-type')
  return `${response.status}${type === undefined ? '' : ` ${type}`} ${response.body.length === 0 ? '(no body)' : show(response.body, 160)}`
}

/** Bytes as a quoted, escaped string, cut at `max` characters. */
export function show (bytes: Buffer | string, max: number): string {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1')
  return `${JSON.stringify(text.length > max ? text.slice(0, max) : text)}${text.length > max ? `…(${text.length} bytes)` : ''}`
}
