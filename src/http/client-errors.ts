// Requests Node's HTTP server rejects before Fastify sees them: answered in the envelope on the raw socket.
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { ErrorBody } from '../contract/schemas.js'
import { LATEST_VERSION, VERSION_HEADER } from '../contract/versions.js'
import { MOCK_VERSION } from '../package-info.js'
import { statusType } from './errors.js'

type Limits = Pick<Config, 'maxHeaderBytes' | 'requestTimeoutMs'>

/** An error answered before Fastify: the envelope, and its headers (the connection closes after it). */
function errorAnswer (status: number, message: string): { json: string, headers: Record<string, string> } {
  const json = JSON.stringify({ error: { type: statusType(status), message } } satisfies ErrorBody)
  return {
    json,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(json)),
      [VERSION_HEADER]: LATEST_VERSION,
      'sequence-mock-version': MOCK_VERSION,
      connection: 'close'
    }
  }
}

/** A whole response, headers and body, for a socket no request object exists for. No body to a HEAD request. */
function rawErrorResponse (status: number, message: string, head = false): string {
  const { json, headers } = errorAnswer(status, message)
  const lines = Object.entries({ ...headers, date: new Date().toUTCString() }).map(([name, value]) => `${name}: ${value}\r\n`)
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('')}\r\n${head ? '' : json}`
}

interface ParseError extends Error {
  code?: string
  /** llhttp's reason, e.g. "Invalid header value char". */
  reason?: string
  /** The bytes of the read that failed: never logged, they hold the request's Authorization header. */
  rawPacket?: unknown
  /** Where in `rawPacket` the parser stopped. */
  bytesParsed?: number
}

/** What a parse error is answered with: status and message, naming the setting where one applies. */
function answerOf (error: ParseError, limits: Limits): [number, string] {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, `The request's headers and body did not arrive within ${limits.requestTimeoutMs} ms (SEQUENCE_MOCK_REQUEST_TIMEOUT_MS).`]
    case 'HPE_HEADER_OVERFLOW':
      return [431, `The request line and headers exceed ${limits.maxHeaderBytes} bytes (SEQUENCE_MOCK_MAX_HEADER_BYTES).`]
    default:
      return [400, `Malformed HTTP request${error.reason === undefined ? '' : `: ${error.reason.replace(/\.$/, '')}`}.`]
  }
}

/** Each connection's newest response (set by screenRequest), which its errors are answered after. */
const newest = new WeakMap<Socket, ServerResponse>()
/** Connections whose error is answered: the parser stays broken, and may report again. */
const failed = new WeakSet<Socket>()

/**
 * Fastify's `clientErrorHandler`: its default answers `{"error":"Bad Request","message":"Client Error"}`
 * and logs the raw bytes at trace; Node's own drops the answers still due to requests before the bad
 * one. Here every request read gets its answer, the error gets the envelope after them, and only the
 * error's code is logged. The connection then closes: what follows on it cannot be trusted.
 */
export function clientErrorHandler (limits: Limits) {
  return function (this: { log: FastifyBaseLogger }, error: ParseError, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed || failed.has(socket)) return
    failed.add(socket)
    const [status, message] = answerOf(error, limits)
    this.log.debug({ code: error.code, status }, 'client error')
    const request = (socket as { parser?: { incoming?: IncomingMessage | null } }).parser?.incoming
    const response = newest.get(socket)
    if (request != null && !request.complete && response?.req === request) {
      // The error is in this request's body, or its time ran out while the body arrived.
      if (!response.headersSent) sendEnvelope(request, response, status, message)
      else if (response.writableFinished) closeGently(socket)
      else response.once('finish', () => { closeGently(socket) })
      return
    }
    // In the request line or headers: no request object exists. Answered once those before it are;
    // read the method now, while the bytes are there (Node reuses the buffer for the next read).
    const head = isHead(error)
    const answer = (): void => {
      if (socket.writable) socket.write(rawErrorResponse(status, message, head))
      closeGently(socket)
    }
    if (response === undefined || response.writableFinished) answer()
    else response.once('finish', answer)
  }
}

/**
 * Ends the connection, then reads and drops what the client still sends for a moment: closing a
 * socket with unread input resets it, and the reset can destroy the answer before the client reads it.
 */
function closeGently (socket: Socket): void {
  socket.end()
  setTimeout(() => { socket.destroy() }, 1000).unref()
}

/**
 * Whether the request that failed is a HEAD. The error is in its request line or headers; the read
 * may hold whole requests before it, pipelined: each is skipped by its headers and Content-Length.
 * A read that starts inside a body (a request larger than one read) has no request to start from:
 * then the failing request's line is the last `METHOD target HTTP/1.x` that starts before the error.
 */
function isHead (error: ParseError): boolean {
  const raw = error.rawPacket
  if (!Buffer.isBuffer(raw)) return false
  const at = error.bytesParsed ?? raw.length
  let start = 0
  while (raw[start] === 0x0d || raw[start] === 0x0a) start++
  if (!/^[A-Za-z]+ /.test(raw.toString('latin1', start, start + 24))) {
    const text = raw.toString('latin1', 0, raw.indexOf('\r\n', at) === -1 ? raw.length : raw.indexOf('\r\n', at))
    const lines = [...text.matchAll(/([A-Z]+) \S+ HTTP\/1\.[01]\r?$/gm)].filter((line) => line.index <= at)
    return lines.at(-1)?.[1]?.endsWith('HEAD') === true
  }
  for (;;) {
    const headEnd = raw.indexOf('\r\n\r\n', start)
    if (headEnd === -1 || headEnd + 4 > at) break
    const length = /\r\ncontent-length: *(\d+)/i.exec(raw.subarray(start, headEnd).toString('latin1'))?.[1]
    const next = headEnd + 4 + Number(length ?? 0)
    if (next > at) break
    start = next
    while (raw[start] === 0x0d || raw[start] === 0x0a) start++
  }
  return raw.subarray(start, start + 5).toString('latin1') === 'HEAD '
}

/**
 * Runs first for every request Node parsed: true when it answered it. Node would answer a missing
 * Host with an empty 400 (RFC 9112 §3.2 asks for 400 on a missing or repeated Host): the envelope here.
 */
export function screenRequest (request: IncomingMessage, response: ServerResponse): boolean {
  newest.set(request.socket, response)
  // Node stops reading the connection after a request with an Upgrade header it does not upgrade:
  // closing it after the answer keeps a request pipelined behind from waiting forever.
  if (request.headers.upgrade !== undefined) response.shouldKeepAlive = false
  let hosts = 0
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] as string
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++
  }
  if (hosts === 1 || (hosts === 0 && request.httpVersion === '1.0')) return false
  sendEnvelope(request, response, 400, `${hosts === 0 ? 'Missing' : 'Repeated'} Host header: an HTTP/1.1 request has exactly one.`)
  return true
}

/** An error answered from Node's own request and response, before Fastify: unusual requests only. */
function sendEnvelope (request: IncomingMessage, response: ServerResponse, status: number, message: string): void {
  const { json, headers } = errorAnswer(status, message)
  response.writeHead(status, headers)
  response.end(request.method === 'HEAD' ? undefined : json)
}

/**
 * Node answers an `Expect` other than 100-continue with a bare 417, and drops a CONNECT without a
 * word: both get the envelope instead.
 */
export function answerUnusualRequests (server: Server): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    sendEnvelope(request, response, 417, `Unsupported Expect: ${JSON.stringify(request.headers.expect)}. Only 100-continue is supported.`)
  })
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {})
    socket.end(rawErrorResponse(405, 'CONNECT is not supported: this is an API server, not a proxy.'))
  })
}
