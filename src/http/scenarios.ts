// Scenarios: a request's `Prefer` header (as Prism reads it), or a rule set through /_mock/scenarios,
// turns a request into a chosen error and/or a delay. One hook applies both, after auth and version.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import type { Delay } from '../config.js'
import { ApiError, internalError, invalidCredentials, rateLimited, seconds, userNotFound, validationError } from './errors.js'

export const SCENARIO_CODES = [400, 401, 404, 429, 500, 503] as const
export const MAX_DELAY_MS = 60_000
/** Retry-After of a simulated 429 or 503 unless the scenario says otherwise. */
export const DEFAULT_RETRY_AFTER = 1

export const ScenarioResponseSchema = Type.Object({
  code: Type.Optional(Type.Enum(SCENARIO_CODES)),
  delay: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_DELAY_MS })),
  /** Seconds, for a 429 or 503. */
  retryAfter: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 }))
}, { additionalProperties: false, minProperties: 1 })
export type ScenarioResponse = Static<typeof ScenarioResponseSchema>

/** The methods a scenario can match, in any case (JSON Schema patterns have no case-insensitive flag). */
const METHODS_PATTERN = `^(?:${['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH']
  .map((method) => [...method].map((letter) => `[${letter}${letter.toLowerCase()}]`).join('')).join('|')})$`

/** Every field optional: an empty match matches every API request. */
export const ScenarioMatchSchema = Type.Object({
  method: Type.Optional(Type.String({ pattern: METHODS_PATTERN })),
  /** An exact path under /api, or a template: `/api/users/{id}` matches any id. */
  path: Type.Optional(Type.String({ pattern: '^/api(/.*)?$' })),
  clientId: Type.Optional(Type.String({ minLength: 1 }))
}, { additionalProperties: false })

export const ScenarioInputSchema = Type.Object({
  match: Type.Optional(ScenarioMatchSchema),
  response: ScenarioResponseSchema,
  /** How many matching requests it answers; absent: until removed. */
  times: Type.Optional(Type.Integer({ minimum: 1 }))
}, { additionalProperties: false })
export type ScenarioInput = Static<typeof ScenarioInputSchema>

export const ScenarioSchema = Type.Object({
  id: Type.String(),
  match: ScenarioMatchSchema,
  response: ScenarioResponseSchema,
  times: Type.Union([Type.Integer(), Type.Null()]),
  fired: Type.Integer()
})
export type Scenario = Static<typeof ScenarioSchema>

interface Rule {
  readonly scenario: Scenario
  readonly path: RegExp | undefined
}

/** The scenarios set from outside; the newest matching one wins, as WireMock's newest stub does. */
export class Scenarios {
  #rules: Rule[] = []

  add (input: ScenarioInput): Scenario {
    const match = input.match === undefined ? {} : { ...input.match, ...(input.match.method !== undefined && { method: input.match.method.toUpperCase() }) }
    const scenario: Scenario = { id: randomUUID(), match, response: input.response, times: input.times ?? null, fired: 0 }
    this.#rules.unshift({ scenario, path: input.match?.path === undefined ? undefined : pathPattern(input.match.path) })
    return scenario
  }

  get size (): number {
    return this.#rules.length
  }

  /** Oldest first, as they were added; spent ones too (with `fired` equal to `times`), until removed. */
  list (): Scenario[] {
    return this.#rules.map((rule) => rule.scenario).reverse()
  }

  remove (id: string): Scenario | undefined {
    const rule = this.#rules.find((candidate) => candidate.scenario.id === id)
    this.#rules = this.#rules.filter((candidate) => candidate !== rule)
    return rule?.scenario
  }

  clear (): void {
    this.#rules = []
  }

  /** The response of the newest live scenario matching the request, counted as fired. */
  take (request: { readonly method: string, readonly path: string, readonly clientId: string | undefined }): Scenario | undefined {
    for (const { scenario, path } of this.#rules) {
      const { match } = scenario
      if (scenario.times !== null && scenario.fired >= scenario.times) continue
      if (match.method !== undefined && match.method !== request.method) continue
      if (path !== undefined && !path.test(request.path)) continue
      if (match.clientId !== undefined && match.clientId !== request.clientId) continue
      scenario.fired++
      return scenario
    }
    return undefined
  }
}

/** `/api/users/{id}` → a pattern where `{id}` is one path segment; everything else is literal. */
function pathPattern (template: string): RegExp {
  const literal = template.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${literal.join('[^/]+')}$`)
}

const PREFERENCES: Readonly<Record<string, keyof ScenarioResponse>> = { code: 'code', delay: 'delay', 'retry-after': 'retryAfter' }
const PREFER_HINT = `The mock understands code=${SCENARIO_CODES.join('|')}, delay=<0 to ${MAX_DELAY_MS} ms> and retry-after=<seconds>, e.g. Prefer: code=429, delay=200.`

/**
 * The scenario a `Prefer` header asks for (RFC 7240: comma-separated `name=value` preferences,
 * values optionally quoted), or undefined when there is none. Anything it does not understand is a
 * 400 naming it: a mock that ignored a misspelt `Prefer` would quietly test the happy path.
 */
export function parsePrefer (header: string | string[] | undefined): ScenarioResponse | undefined {
  if (header === undefined) return undefined
  const text = Array.isArray(header) ? header.join(',') : header
  const response: Record<string, number> = {}
  for (const preference of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const match = /^([A-Za-z-]+)\s*=\s*(?:"(\d+)"|(\d+))$/.exec(preference)
    const name = PREFERENCES[match?.[1]?.toLowerCase() ?? '']
    if (match === null || name === undefined) throw badPreference(`${JSON.stringify(preference)} is not a preference the mock understands.`)
    if (name in response) throw badPreference(`${match[1]} is given twice.`)
    response[name] = Number(match[2] ?? match[3])
  }
  if (Object.keys(response).length === 0) throw badPreference('it is empty.')
  const { code, delay, retryAfter } = response
  if (code !== undefined && !(SCENARIO_CODES as readonly number[]).includes(code)) throw badPreference(`code=${code} is not one the mock simulates.`)
  if (delay !== undefined && delay > MAX_DELAY_MS) throw badPreference(`delay=${delay} is over ${MAX_DELAY_MS} ms.`)
  if (retryAfter !== undefined && retryAfter > 86400) throw badPreference(`retry-after=${retryAfter} is over 86400 seconds.`)
  return response as ScenarioResponse
}

function badPreference (problem: string): ApiError {
  return validationError([{ key: 'Prefer', message: `Invalid Prefer header: ${problem} ${PREFER_HINT}` }])
}

/** The error a scenario code stands for, as the mock produces it on its own. */
export function simulatedError (code: (typeof SCENARIO_CODES)[number], request: FastifyRequest, rateLimit: number, retryAfter = DEFAULT_RETRY_AFTER): ApiError {
  switch (code) {
    case 400: return validationError([{ key: 'scenario', message: 'A simulated validation error (Prefer: code=400, or a /_mock scenario).' }])
    case 401: return invalidCredentials()
    case 404: {
      const { id } = request.params as { id?: string }
      return id === undefined ? new ApiError(404, 'NotFound', 'Not found.') : userNotFound(id)
    }
    case 429: return rateLimited(rateLimit, retryAfter)
    case 500: return internalError()
    case 503: return new ApiError(503, 'ServiceUnavailable', `The service is temporarily unavailable. Retry after ${seconds(retryAfter)}.`, undefined, { 'retry-after': String(retryAfter) })
  }
}

/** A delay drawn uniformly from the configured range. */
export function drawDelay ({ min, max }: Delay): number {
  return min === max ? min : min + Math.floor(Math.random() * (max - min + 1))
}

declare module 'fastify' {
  interface FastifyRequest {
    /** What steered this request: `Prefer`, a scenario's id, or null. */
    scenario: string | null
    /** The delay a scenario chose for this response; null: the configured latency. */
    delayMs: number | null
  }
}

/**
 * The API's scenario step: the request's own `Prefer` wins over a /_mock scenario (which then is not
 * counted); its delay replaces the configured latency (applied as the response is sent); then the
 * chosen error, if any.
 */
export function scenarioHook (scenarios: Scenarios, rateLimit: number) {
  return async (request: FastifyRequest): Promise<void> => {
    const preferred = parsePrefer(request.headers.prefer)
    const scenario = preferred === undefined
      ? scenarios.take({ method: request.method, path: request.url.split('?')[0] ?? '', clientId: request.credential?.clientId })
      : undefined
    const response = preferred ?? scenario?.response
    request.scenario = preferred !== undefined ? 'Prefer' : scenario?.id ?? null
    request.delayMs = response?.delay ?? null
    if (response?.code !== undefined) throw simulatedError(response.code, request, rateLimit, response.retryAfter)
  }
}

/** Waits before an API response is sent: the scenario's delay, else the configured latency. */
export async function delayResponse (request: FastifyRequest, configured: Delay): Promise<void> {
  const delay = request.delayMs ?? drawDelay(configured)
  if (delay > 0) await sleep(delay)
}
