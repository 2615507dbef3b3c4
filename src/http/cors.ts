// CORS for browser apps in local development: Sequence is server-to-server, the mock opens it up.
import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import { MOCK_VERSION_HEADER } from './version.js'

/** `['*']` allows any origin, `[]` turns CORS off, else exactly the listed origins. */
export async function registerCors (app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return
  await app.register(fastifyCors, {
    // Reflecting the caller's origin (rather than `*`) lets requests with credentials through too.
    origin: origins.includes('*') ? true : [...origins],
    credentials: true,
    methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'POST'],
    allowedHeaders: ['Authorization', 'Sequence-Version', 'Content-Type', 'Prefer'],
    exposedHeaders: ['Sequence-Version', MOCK_VERSION_HEADER, 'Retry-After', 'WWW-Authenticate', 'Allow'],
    maxAge: 600
  })
}
