// The request journal: what clients sent to /api and what they got, the newest N requests in a ring.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { basicClientId } from './auth.js'

export const JournalEntrySchema = Type.Object({
  /** Counts the API's requests from 1 since the start or the last clear, kept in the ring or not. */
  seq: Type.Integer(),
  /** When the request arrived, ISO 8601. */
  time: Type.String(),
  method: Type.String(),
  path: Type.String(),
  query: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  status: Type.Integer(),
  /** The version the request was served in. */
  apiVersion: Type.String(),
  /** The Sequence-Version header as sent, or null when there was none. */
  requestedVersion: Type.Union([Type.String(), Type.Null()]),
  /** The client id the request authenticated with, or tried to; never the secret. */
  clientId: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Number(),
  /** The error's `type` when the response was an error. */
  errorType: Type.Union([Type.String(), Type.Null()]),
  /** `Prefer`, or the id of the /_mock scenario that answered. */
  scenario: Type.Union([Type.String(), Type.Null()]),
  /** The JSON body of a PUT, as sent; one over 16 KiB is replaced by a note of its size. */
  body: Type.Optional(Type.Unknown())
})
export type JournalEntry = Static<typeof JournalEntrySchema>
/** What a finished request tells the journal; it adds the sequence number and the arrival time. */
export type Observation = Omit<JournalEntry, 'seq' | 'time'>

export interface JournalFilter {
  readonly clientId?: string | undefined
  readonly path?: string | undefined
  readonly status?: number | undefined
  readonly limit?: number | undefined
}

/**
 * A ring of the newest `capacity` requests: memory stays bounded however long the mock runs. It
 * keeps each request's observation (shared by the requests a replay answers) and its own few
 * numbers; entries are only written out when the journal is read.
 */
export class Journal {
  readonly #observations: Array<Observation | undefined>
  readonly #methods: string[]
  /** Sequence number, arrival (epoch ms) and duration of each request. */
  readonly #numbers: Float64Array
  #next = 0
  #seq = 0

  constructor (readonly capacity: number) {
    this.#observations = new Array<Observation | undefined>(capacity)
    this.#methods = new Array<string>(capacity)
    this.#numbers = new Float64Array(capacity * 3)
  }

  /** A request that has been answered; seq counts every request, kept or not. Returns its arrival (epoch ms), its entry's `time`. */
  record (observation: Observation, method = observation.method, durationMs = observation.durationMs): number {
    this.#seq++
    const arrivedAt = Date.now() - durationMs
    if (this.capacity === 0) return arrivedAt
    const at = this.#next
    this.#observations[at] = observation
    this.#methods[at] = method
    this.#numbers[at * 3] = this.#seq
    this.#numbers[at * 3 + 1] = arrivedAt
    this.#numbers[at * 3 + 2] = durationMs
    this.#next = (at + 1) % this.capacity
    return arrivedAt
  }

  /** Newest first. */
  list ({ clientId, path, status, limit }: JournalFilter = {}): JournalEntry[] {
    const found: JournalEntry[] = []
    for (let i = 1; i <= this.capacity && found.length < (limit ?? Infinity); i++) {
      const at = (this.#next - i + this.capacity) % this.capacity
      const observation = this.#observations[at]
      if (observation === undefined) break
      if ((clientId === undefined || observation.clientId === clientId) && (path === undefined || observation.path === path) && (status === undefined || observation.status === status)) {
        const numbers = this.#numbers
        found.push({ seq: numbers[at * 3]!, time: new Date(numbers[at * 3 + 1]!).toISOString(), ...observation, method: this.#methods[at]!, durationMs: numbers[at * 3 + 2]! })
      }
    }
    return found
  }

  clear (): void {
    this.#observations.fill(undefined)
    this.#next = 0
    this.#seq = 0
  }
}

/** A request as Fastify answered it. */
export function observationOf (request: FastifyRequest, reply: FastifyReply): Observation {
  return {
    method: request.method,
    path: pathOf(request.url),
    query: { ...(request.query as JournalEntry['query']) },
    status: reply.statusCode,
    apiVersion: request.apiVersion,
    requestedVersion: requestedVersion(request.headers['sequence-version']),
    clientId: request.credential?.clientId ?? basicClientId(request.headers.authorization) ?? null,
    durationMs: Math.round(reply.elapsedTime * 100) / 100,
    errorType: request.errorType,
    scenario: request.scenario,
    ...(request.method === 'PUT' && request.body !== undefined && { body: keptBody(request.body) })
  }
}

function pathOf (url: string): string {
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

function requestedVersion (header: string | string[] | undefined): string | null {
  return header === undefined ? null : String(header)
}

/** The ring holds up to `capacity` bodies: a large one is not kept, so its memory stays bounded. */
const MAX_KEPT_BODY = 16 * 1024

function keptBody (body: unknown): unknown {
  const size = Buffer.byteLength(JSON.stringify(body) ?? '')
  return size <= MAX_KEPT_BODY ? body : `(a body of ${size} bytes, over 16 KiB, is not kept)`
}
