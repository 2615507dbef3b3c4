// Sequence's documented rate limit: 1,500 requests per minute per API key; over it, 429.
import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { ApiError } from './errors.js'

/** Sequence documents no rate-limit headers, so only Retry-After (the mock's choice) is sent. */
const NO_QUOTA_HEADERS = { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false } as const

/** @see https://docs.sequencehq.com/reference/authentication (rate limits) */
export async function registerRateLimit (app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute === 0) return
  await app.register(fastifyRateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    // Runs after auth, so the key is the API key (client id), not the caller's address.
    keyGenerator: (request) => request.credential?.clientId ?? request.ip,
    addHeadersOnExceeding: NO_QUOTA_HEADERS,
    addHeaders: { ...NO_QUOTA_HEADERS, 'retry-after': true },
    errorResponseBuilder: (_request, context) => new ApiError(429, 'TooManyRequests',
      `Rate limit exceeded: ${context.max} requests per minute per API key. Retry after ${Math.ceil(context.ttl / 1000)} seconds.`)
  })
}
