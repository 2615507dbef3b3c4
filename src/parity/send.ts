// Sends the parity check's requests to one side: paced, with a timeout, waiting out a 429's Retry-After.

export interface Answer {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  /** The parsed body; undefined when it is not JSON. */
  readonly json: unknown
}

export interface Request {
  readonly method: 'GET' | 'PUT'
  /** After the base URL, e.g. `/users/<id>`. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  readonly body?: unknown
}

/** Time as the pacing sees it; tests pass a fake one whose sleep only moves its clock. */
export interface Clock {
  now: () => number
  sleep: (ms: number) => Promise<void>
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms) => await new Promise((resolve) => setTimeout(resolve, ms))
}

/** The check could not run (exit 2): bad usage, an unreachable side, refused credentials, a rate limit it cannot wait out. */
export class ParityError extends Error {
  override name = 'ParityError'
}

/** Sequence documents 1,500 requests a minute per API key; 20 a second stays well under it. */
export const DEFAULT_REQUESTS_PER_SECOND = 20
export const MAX_REQUESTS_PER_SECOND = 25
export const DEFAULT_TIMEOUT_MS = 10_000
/** A 429 is waited out this many times for one request, for at most this long each; beyond either, the check stops. */
const MAX_RATE_LIMIT_WAITS = 3
const MAX_RETRY_AFTER_MS = 120_000
/** A 429 without Retry-After waits out the documented limit's window. */
const DEFAULT_RETRY_AFTER_MS = 60_000

export interface SideOptions {
  readonly label: 'target' | 'mock'
  /** The API's base URL, without a trailing slash. */
  readonly base: string
  /** Milliseconds between the starts of two requests; 0 for none. */
  readonly paceMs: number
  readonly timeoutMs: number
  readonly clock: Clock
}

export class Side {
  requests = 0
  #lastStart = -Infinity

  constructor (readonly options: SideOptions) {}

  async send (request: Request): Promise<Answer> {
    for (let waits = 0; ; waits++) {
      const answer = await this.#sendOnce(request)
      if (answer.status !== 429) return answer
      const waitMs = retryAfterMs(answer.headers['retry-after'], Date.now())
      if (waits === MAX_RATE_LIMIT_WAITS || waitMs > MAX_RETRY_AFTER_MS) {
        throw new ParityError(`the ${this.options.label} answered 429 Too Many Requests to ${request.method} ${request.path} ${waits + 1} times (Retry-After: ${answer.headers['retry-after'] ?? 'none'}); stopped. Try again later, or with a lower --rate.`)
      }
      await this.options.clock.sleep(waitMs)
    }
  }

  async #sendOnce ({ method, path, query, headers, body }: Request): Promise<Answer> {
    await this.#pace()
    this.requests++
    const search = new URLSearchParams(query).toString()
    const url = `${this.options.base}${path}${search === '' ? '' : `?${search}`}`
    try {
      const response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs)
      })
      const text = await response.text()
      return { status: response.status, headers: Object.fromEntries(response.headers), text, json: parseJson(text) }
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new ParityError(`the ${this.options.label} did not answer ${method} ${path} within ${this.options.timeoutMs} ms (--timeout-ms).`)
      }
      const cause = (error as { cause?: { code?: string, message?: string } }).cause
      throw new ParityError(`could not reach the ${this.options.label} at ${this.options.base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`)
    }
  }

  /** Request starts are at least paceMs apart, so a burst never reaches the target's rate limit. */
  async #pace (): Promise<void> {
    const now = this.options.clock.now()
    const start = Math.max(now, this.#lastStart + this.options.paceMs)
    if (start > now) await this.options.clock.sleep(start - now)
    this.#lastStart = start
  }
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterMs (header: string | undefined, nowMs: number): number {
  if (header === undefined || header.trim() === '') return DEFAULT_RETRY_AFTER_MS
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const date = Date.parse(header)
  return Number.isNaN(date) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, date - nowMs)
}

function parseJson (text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
