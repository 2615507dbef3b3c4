// The one log line per request, in pino's own JSON format, batched: it is the line the mock writes most.
import type { FastifyBaseLogger } from 'fastify'
import pino, { type Logger } from 'pino'

export interface RequestLine {
  readonly reqId: string
  readonly method: string
  readonly url: string
  readonly status: number
  readonly ms: number
  readonly apiVersion: string
}

const INFO = 30

/**
 * Writes what `log.info({ reqId, method, url, status, ms, apiVersion }, 'request')` would (pid and
 * hostname from the logger's own bindings), without pino's general-purpose serialization, and one
 * write per turn of the event loop for all the requests answered in it: under load, a write per line
 * costs more than the rest of a replayed request. Lines keep their order; a line can follow another
 * log line written in the same turn.
 */
export class RequestLog {
  readonly #stream: { write: (chunk: string) => void }
  readonly #bindings: string
  readonly #enabled: boolean
  #pending = ''
  #scheduled = false

  constructor (log: FastifyBaseLogger) {
    // Fastify's logger is pino's.
    const logger = log as unknown as Logger & Record<symbol, unknown>
    this.#stream = logger[pino.symbols.streamSym] as { write: (chunk: string) => void }
    this.#bindings = String(logger[pino.symbols.chindingsSym])
    this.#enabled = logger.isLevelEnabled('info')
  }

  write ({ reqId, method, url, status, ms, apiVersion }: RequestLine): void {
    if (!this.#enabled) return
    // The method is one Node's parser knows and the version one of API_VERSIONS: only the request id
    // and the URL need escaping.
    this.#pending += `{"level":${INFO},"time":${Date.now()}${this.#bindings},"reqId":${JSON.stringify(reqId)},"method":"${method}",` +
      `"url":${JSON.stringify(url)},"status":${status},"ms":${ms},"apiVersion":"${apiVersion}","msg":"request"}\n`
    if (!this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => { this.flush() })
    }
  }

  /** Writes the lines not yet written (also when the app closes). */
  flush (): void {
    this.#scheduled = false
    if (this.#pending === '') return
    const lines = this.#pending
    this.#pending = ''
    this.#stream.write(lines)
  }
}
