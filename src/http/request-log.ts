// The one log line per request, in pino's own JSON format, written directly: it is the line the mock writes most.
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
 * What `log.info({ reqId, method, url, status, ms, apiVersion }, 'request')` writes (pid and hostname
 * come from the logger's own bindings), without pino's general-purpose serialization, which costs
 * more than the rest of a replayed request.
 */
export function logRequest (log: FastifyBaseLogger, { reqId, method, url, status, ms, apiVersion }: RequestLine): void {
  // Fastify's logger is pino's.
  const logger = log as unknown as Logger & Record<symbol, unknown>
  if (!logger.isLevelEnabled('info')) return
  const stream = logger[pino.symbols.streamSym] as { write: (line: string) => void }
  stream.write(`{"level":${INFO},"time":${Date.now()}${String(logger[pino.symbols.chindingsSym])},"reqId":${JSON.stringify(reqId)},` +
    `"method":${JSON.stringify(method)},"url":${JSON.stringify(url)},"status":${status},"ms":${ms},"apiVersion":${JSON.stringify(apiVersion)},"msg":"request"}\n`)
}
