// The one error envelope: every error path (validation, auth, version, unknown route or user, 5xx) ends here.
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorBody, ErrorDetail } from '../contract/schemas.js'

export class ApiError extends Error {
  constructor (
    readonly statusCode: number,
    readonly type: string,
    message: string,
    readonly errors?: ErrorDetail[]
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

export function registerErrorEnvelope (app: FastifyInstance): void {
  app.setErrorHandler(sendError)
  app.setNotFoundHandler((request) => {
    throw new ApiError(404, 'NotFound', `No route ${request.method} ${request.url.split('?')[0]}. This mock serves GET /api/users and GET /api/users/{id}.`)
  })
}

export function sendError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error, request)
  if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed')
  const body: ErrorBody = {
    error: { type: apiError.type, message: apiError.message, ...(apiError.errors && { errors: apiError.errors }) }
  }
  return reply.status(apiError.statusCode).send(body)
}

function toApiError (error: FastifyError, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error
  if (error.validation !== undefined) {
    const schema = request.routeOptions.schema?.[error.validationContext as 'querystring'] as { properties?: Record<string, { description?: string }> } | undefined
    return validationError(error.validation.map((issue) => {
      const key = issue.instancePath.slice(1) || String(issue.params['missingProperty'] ?? error.validationContext)
      const rule = schema?.properties?.[key]?.description ?? `${issue.message ?? 'is not valid'}.`
      return { key, message: `Invalid ${key}: ${rule}` }
    }))
  }
  if (error.code === 'FST_BASIC_AUTH_MISSING_OR_BAD_AUTHORIZATION_HEADER') {
    const problem = request.headers.authorization === undefined ? 'Missing Authorization header.' : 'Malformed Authorization header.'
    return new ApiError(401, 'Unauthorized', `${problem} ${AUTHENTICATE_HINT}`)
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const type = (STATUS_CODES[status] ?? 'Client Error').replace(/[^A-Za-z]/g, '')
    return new ApiError(status, type, error.message)
  }
  return new ApiError(500, 'InternalServerError', 'The mock failed to handle this request; the details are in its log.')
}
