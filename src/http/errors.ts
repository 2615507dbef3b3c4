// The one error envelope: every error path (validation, auth, version, unknown route or user, 5xx) ends here.
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorBody, ErrorDetail } from '../contract/schemas.js'

export class ApiError extends Error {
  constructor (
    readonly statusCode: number,
    readonly type: string,
    message: string,
    readonly errors?: ErrorDetail[],
    /** Headers that belong to this error, e.g. Retry-After. */
    readonly headers?: Readonly<Record<string, string>>
  ) {
    super(message)
  }
}

/** Sequence's documented shape for invalid request data, one detail per bad key. */
export function validationError (details: ReadonlyArray<{ key: string, message: string }>): ApiError {
  const errors = details.map(({ key, message }) => ({ code: 'validationError', message, key, errors: [] }))
  return new ApiError(400, 'validationError', 'Request data validation failed', errors)
}

export const AUTHENTICATE_HINT = 'Send `Authorization: Basic base64(clientId:clientSecret)`, e.g. `Authorization: Basic a2V5OnNlY3JldA==` for client id `key` and secret `secret`. See https://docs.sequencehq.com/reference/authentication'
/** The challenge @fastify/basic-auth sends on its own 401s, so that every 401 carries the same one. */
export const BASIC_CHALLENGE = 'Basic realm="Sequence", charset="UTF-8"'

export const invalidCredentials = (): ApiError =>
  new ApiError(401, 'Unauthorized', `Invalid API credentials. ${AUTHENTICATE_HINT}`, undefined, { 'www-authenticate': BASIC_CHALLENGE })

export const userNotFound = (id: string): ApiError =>
  new ApiError(404, 'NotFound', `No user with id ${JSON.stringify(id)}.`)

export const rateLimited = (perMinute: number, retryAfterSeconds: number): ApiError =>
  new ApiError(429, 'TooManyRequests', `Rate limit exceeded: ${perMinute} requests per minute per API key. Retry after ${seconds(retryAfterSeconds)}.`,
    undefined, { 'retry-after': String(retryAfterSeconds) })

/** The `type` of an error without one of its own: its status text without spaces, `URI Too Long` → `URITooLong`. */
export function statusType (status: number): string {
  return (STATUS_CODES[status] ?? 'Client Error').replace(/[^A-Za-z]/g, '')
}

export const seconds = (n: number): string => `${n} second${n === 1 ? '' : 's'}`

export const internalError = (): ApiError =>
  new ApiError(500, 'InternalServerError', 'The mock failed to handle this request; the details are in its log.')

export function registerErrorEnvelope (app: FastifyInstance): void {
  app.setErrorHandler(sendError)
  app.setNotFoundHandler((request) => {
    throw new ApiError(404, 'NotFound', `No route ${request.method} ${request.url.split('?')[0]}. This mock serves /api/users and /api/users/{id}, /health, /openapi.json and /_mock.`)
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The `type` of the error this request was answered with, for the journal. */
    errorType: string | null
  }
}

export function sendError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error, request)
  if (apiError.statusCode >= 500 && !(error instanceof ApiError)) request.log.error({ err: error }, 'request failed')
  const body: ErrorBody = {
    error: { type: apiError.type, message: apiError.message, ...(apiError.errors && { errors: apiError.errors }) }
  }
  request.errorType = apiError.type
  // Fastify closes the connection after a body it could not read; Node then reads and drops the rest of
  // the body instead, so a client still sending it gets this answer rather than a reset connection.
  if (error.code?.startsWith('FST_ERR_CTP_') === true) reply.removeHeader('connection')
  if (apiError.headers !== undefined) reply.headers(apiError.headers)
  return reply.status(apiError.statusCode).send(body)
}

/** `/sequenceAccountIds/0` → `sequenceAccountIds[0]`. */
function keyOf (instancePath: string): string {
  return instancePath.split('/').slice(1).map((segment) => /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`).join('').replace(/^\./, '')
}

function toApiError (error: FastifyError, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error
  if (error.validation !== undefined) {
    const schema = request.routeOptions.schema?.[error.validationContext as 'querystring'] as { properties?: Record<string, { description?: string }> } | undefined
    return validationError(error.validation.map((issue) => {
      const named = issue.params['missingProperty'] ?? issue.params['additionalProperty']
      const key = [keyOf(issue.instancePath), named].filter(Boolean).join('.') || String(error.validationContext)
      const rule = issue.keyword === 'additionalProperties'
        ? 'is not a field of this request.'
        : schema?.properties?.[key]?.description ?? `${issue.message ?? 'is not valid'}.`
      return { key, message: `Invalid ${key}: ${rule}` }
    }))
  }
  if (error.code === 'FST_BASIC_AUTH_MISSING_OR_BAD_AUTHORIZATION_HEADER') {
    const problem = request.headers.authorization === undefined ? 'Missing Authorization header.' : 'Malformed Authorization header.'
    return new ApiError(401, 'Unauthorized', `${problem} ${AUTHENTICATE_HINT}`)
  }
  // A body that is not JSON at all (empty, truncated, or with a `__proto__` key) is invalid request data too.
  if (error.statusCode === 400 && (error.code?.startsWith('FST_ERR_CTP_') === true || error instanceof SyntaxError)) {
    return validationError([{ key: 'body', message: `Invalid body: must be JSON (${error.message}).` }])
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ApiError(415, 'UnsupportedMediaType', `Unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}: send the body as JSON with Content-Type: application/json.`)
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ApiError(413, statusType(413), `The request body exceeds ${request.routeOptions.bodyLimit} bytes.`)
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) return new ApiError(status, statusType(status), error.message)
  return internalError()
}
