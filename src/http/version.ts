// The Sequence-Version header: which version a request gets, and the header on every response.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { publishedMethods } from '../contract/operations.js'
import { API_VERSIONS, isApiVersion, LATEST_VERSION, VERSION_HEADER, type ApiVersion } from '../contract/versions.js'
import { MOCK_VERSION } from '../package-info.js'
import { ApiError } from './errors.js'

export const MOCK_VERSION_HEADER = 'Sequence-Mock-Version'

/**
 * The header when sent (it wins over a pinned key), else the key's pinned version, else the
 * latest; undefined when the header names no version.
 * @see https://docs.sequencehq.com/reference/versioning
 */
export function resolveVersion (header: unknown, pinned: ApiVersion | undefined): ApiVersion | undefined {
  if (header === undefined) return pinned ?? LATEST_VERSION
  return isApiVersion(header) ? header : undefined
}

function useVersion (request: FastifyRequest, reply: FastifyReply, version: ApiVersion): void {
  request.apiVersion = version
  reply.header('Sequence-Version', version)
}

/**
 * Runs first on every request: the mock's own header (as stripe-mock's Stripe-Mock-Version), so a
 * client suite can tell it is not Sequence, and a version, so that even a 401 or an unknown route carries one.
 */
export function labelResponse (request: FastifyRequest, reply: FastifyReply): void {
  reply.header(MOCK_VERSION_HEADER, MOCK_VERSION)
  useVersion(request, reply, resolveVersion(request.headers[VERSION_HEADER], undefined) ?? LATEST_VERSION)
}

/**
 * Runs after auth on the API routes: the version this request is served in, or 400; then whether
 * that version publishes the operation (PUT /users/{id} is gone from 2024-07-30), or 405.
 */
export async function selectVersion (request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const version = resolveVersion(request.headers[VERSION_HEADER], request.credential?.version)
  if (version === undefined) {
    throw new ApiError(400, 'UnrecognisedApiVersion', 'No matching API version found. Please make sure the specified API version is valid.')
  }
  useVersion(request, reply, version)
  const path = operationPath(request.routeOptions.url ?? '')
  const method = request.method === 'HEAD' ? 'GET' : request.method
  const allowed = publishedMethods(path, version)
  if (!allowed.includes(method)) {
    const elsewhere = API_VERSIONS.filter((other) => publishedMethods(path, other).includes(method))
    const hint = elsewhere.length > 0
      ? `It is published in API version ${elsewhere.join(' and ')} only; send Sequence-Version: ${elsewhere.at(-1)} to use it.`
      : `Allowed: ${allowed.join(', ')}.`
    throw new ApiError(405, 'MethodNotAllowed', `${request.method} /api${path} is not an operation of API version ${version}. ${hint}`, undefined, { allow: allowed.join(', ') })
  }
}

const operationPaths = new Map<string, string>()

/** `/api/users/:id` (Fastify's route) → `/users/{id}` (Sequence's path), worked out once per route. */
function operationPath (routeUrl: string): string {
  let path = operationPaths.get(routeUrl)
  if (path === undefined) {
    path = routeUrl.replace(/^\/api/, '').replace(/:(\w+)/g, '{$1}')
    operationPaths.set(routeUrl, path)
  }
  return path
}
