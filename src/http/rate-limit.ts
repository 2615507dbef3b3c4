// Sequence's documented rate limit: 1,500 requests per minute per API key; over it, 429.
import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { rateLimited } from './errors.js'

/** The documented limit is per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000

/** Sequence documents no rate-limit headers, so only Retry-After (the mock's choice) is sent. */
const NO_QUOTA_HEADERS = { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false } as const

/**
 * Fixed one-minute windows per API key, starting at a key's first request. The plugin's own store
 * cannot be emptied from outside; this one can, so that `POST /_mock/reset` clears the counters.
 */
export class RateLimitCounters {
  readonly #windows = new Map<string, { count: number, startedAt: number }>()

  hit (key: string, windowMs: number): { current: number, ttl: number } {
    const now = Date.now()
    let window = this.#windows.get(key)
    if (window === undefined || window.startedAt + windowMs <= now) {
      window = { count: 0, startedAt: now }
      this.#windows.set(key, window)
    }
    window.count++
    return { current: window.count, ttl: window.startedAt + windowMs - now }
  }

  clear (): void {
    this.#windows.clear()
  }
}

/** @see https://docs.sequencehq.com/reference/authentication (rate limits) */
export async function registerRateLimit (app: FastifyInstance, perMinute: number, counters: RateLimitCounters): Promise<void> {
  if (perMinute === 0) return
  // The plugin's `store` option takes a class; the key set is small (one entry per API key).
  class Store {
    incr (key: string, callback: (error: Error | null, result: { current: number, ttl: number }) => void, timeWindow: number): void {
      callback(null, counters.hit(key, timeWindow))
    }

    child (): Store {
      return this
    }
  }
  await app.register(fastifyRateLimit, {
    // Not a per-route hook (those run after this instance's hooks): one hook, added below in the pipeline's order.
    global: false,
    max: perMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    store: Store,
    // Runs after auth, so the key is the API key (client id), not the caller's address.
    keyGenerator: (request) => request.credential?.clientId ?? request.ip,
    addHeadersOnExceeding: NO_QUOTA_HEADERS,
    addHeaders: { ...NO_QUOTA_HEADERS, 'retry-after': true },
    errorResponseBuilder: (_request, context) => rateLimited(context.max, Math.ceil(context.ttl / 1000))
  })
  app.addHook('onRequest', app.rateLimit())
}
