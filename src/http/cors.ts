// CORS for browser apps in local development: Sequence is server-to-server, the mock opens it up.
import fastifyCors from '@fastify/cors'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from './errors.js'
import { MOCK_VERSION_HEADER } from './version.js'

const EXPOSED_HEADERS = ['Sequence-Version', MOCK_VERSION_HEADER, 'Retry-After', 'WWW-Authenticate', 'Allow']

/** `['*']` allows any origin, `[]` turns CORS off, else exactly the listed origins. */
export async function registerCors (app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return
  // @fastify/cors answers an OPTIONS that is no complete preflight with a text/plain 400: the envelope instead.
  app.addHook('onRequest', async (request) => {
    // Empty counts as missing, as @fastify/cors counts it.
    if (request.method === 'OPTIONS' && (!request.headers.origin || !request.headers['access-control-request-method'])) {
      throw new ApiError(400, 'BadRequest', 'OPTIONS is answered only as a CORS preflight: send Origin and Access-Control-Request-Method headers.')
    }
  })
  await app.register(fastifyCors, {
    // Reflecting the caller's origin (rather than `*`) lets requests with credentials through too.
    origin: origins.includes('*') ? true : [...origins],
    credentials: true,
    methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'POST'],
    allowedHeaders: ['Authorization', 'Sequence-Version', 'Content-Type', 'Prefer'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600
  })
}

/**
 * The headers @fastify/cors gives an allowed origin's response, for the errors Fastify raises before
 * any hook runs (a bad URL, an over-long id): a browser app reads those errors too.
 */
export function addCorsHeaders (origins: readonly string[], request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin
  if (origin === undefined || !(origins.includes('*') || origins.includes(origin))) return
  reply.headers({
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
    vary: 'Origin'
  })
}
