// The fuzzer's HTTP/1.1 client on raw sockets: writes a case's bytes, reads every byte back, and parses the answers strictly.
import { connect, type Socket } from 'node:net'
import type { Case } from './case.js'

export interface Response {
  readonly status: number
  /** [name, value] pairs as they came on the wire. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Buffer
  /** The status line and headers, for reports. */
  readonly head: string
}

export interface Exchange {
  /** The final answers (interim 1xx left out), in the order of the case's requests. */
  readonly responses: readonly Response[]
  /** The server closed the connection (or reset it). */
  readonly closed: boolean
  /** The connection was reset rather than closed. */
  readonly reset: boolean
  /** Neither every answer nor a close arrived in time. */
  readonly timedOut: boolean
  /** What was wrong with the bytes that came back, if anything. */
  readonly malformed: string | undefined
  /** Bytes that came back after the last complete answer and parse as none (read only up to a close). */
  readonly trailing: Buffer
  /** Every byte that came back, for reports. */
  readonly received: Buffer
}

type Step =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'malformed', readonly reason: string }
  | { readonly kind: 'response', readonly response: Response, readonly next: number }

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n\0]*)?$/
// RFC 9110 token characters for the name; a value without CR, LF or NUL.
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\r\n\0]*?)[ \t]*$/
const MAX_HEAD_BYTES = 64 * 1024

/** One response starting at `offset`; `head` for an answer to HEAD (never a body), `eof` once the server closed. */
export function parseResponse (buffer: Buffer, offset: number, head: boolean, eof: boolean): Step {
  const end = buffer.indexOf('\r\n\r\n', offset, 'latin1')
  if (end < 0) {
    if (buffer.length - offset > MAX_HEAD_BYTES) return { kind: 'malformed', reason: `no end of headers within ${MAX_HEAD_BYTES} bytes` }
    return eof ? { kind: 'malformed', reason: 'closed in the middle of a status line or headers' } : { kind: 'incomplete' }
  }
  const headText = buffer.toString('latin1', offset, end)
  const [statusLine = '', ...lines] = headText.split('\r\n')
  const statusMatch = STATUS_LINE.exec(statusLine)
  if (statusMatch === null) return { kind: 'malformed', reason: `bad status line ${JSON.stringify(statusLine.slice(0, 80))}` }
  const status = Number(statusMatch[1])
  const headers: Array<readonly [string, string]> = []
  for (const line of lines) {
    const match = HEADER_LINE.exec(line)
    if (match === null) return { kind: 'malformed', reason: `bad header line ${JSON.stringify(line.slice(0, 80))}` }
    headers.push([match[1] as string, match[2] as string])
  }
  const bodyStart = end + 4
  const done = (bodyEnd: number, body: Buffer): Step => ({ kind: 'response', response: { status, headers, body, head: headText }, next: bodyEnd })
  if (head || (status >= 100 && status < 200) || status === 204 || status === 304) return done(bodyStart, Buffer.alloc(0))

  const values = (name: string): string[] => headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value)
  const encodings = values('transfer-encoding').join(',').split(',').map((token) => token.trim().toLowerCase()).filter(Boolean)
  const lengths = values('content-length')
  if (encodings.length > 0) {
    if (lengths.length > 0) return { kind: 'malformed', reason: 'both Transfer-Encoding and Content-Length' }
    if (encodings.at(-1) !== 'chunked') return eof ? done(buffer.length, buffer.subarray(bodyStart)) : { kind: 'incomplete' }
    return parseChunked(buffer, bodyStart, eof, done)
  }
  if (lengths.length > 0) {
    const distinct = new Set(lengths.flatMap((value) => value.split(',').map((part) => part.trim())))
    const [length] = distinct
    if (distinct.size !== 1 || length === undefined || !/^\d{1,15}$/.test(length)) return { kind: 'malformed', reason: `bad Content-Length ${JSON.stringify(lengths.join(', '))}` }
    const bodyEnd = bodyStart + Number(length)
    if (buffer.length >= bodyEnd) return done(bodyEnd, buffer.subarray(bodyStart, bodyEnd))
    return eof ? { kind: 'malformed', reason: `closed after ${buffer.length - bodyStart} of ${length} body bytes (Content-Length)` } : { kind: 'incomplete' }
  }
  // Neither: the body runs to the close.
  return eof ? done(buffer.length, buffer.subarray(bodyStart)) : { kind: 'incomplete' }
}

function parseChunked (buffer: Buffer, start: number, eof: boolean, done: (end: number, body: Buffer) => Step): Step {
  const chunks: Buffer[] = []
  let at = start
  for (;;) {
    const lineEnd = buffer.indexOf('\r\n', at, 'latin1')
    if (lineEnd < 0) return eof ? { kind: 'malformed', reason: 'closed in a chunk size line' } : { kind: 'incomplete' }
    const sizeText = buffer.toString('latin1', at, lineEnd).split(';')[0]?.trim() ?? ''
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return { kind: 'malformed', reason: `bad chunk size ${JSON.stringify(sizeText.slice(0, 20))}` }
    const size = parseInt(sizeText, 16)
    at = lineEnd + 2
    if (size === 0) {
      // Trailers, if any, then the empty line.
      for (;;) {
        const trailerEnd = buffer.indexOf('\r\n', at, 'latin1')
        if (trailerEnd < 0) return eof ? { kind: 'malformed', reason: 'closed before the end of a chunked body' } : { kind: 'incomplete' }
        const empty = trailerEnd === at
        at = trailerEnd + 2
        if (empty) return done(at, Buffer.concat(chunks))
      }
    }
    if (buffer.length < at + size + 2) return eof ? { kind: 'malformed', reason: 'closed in the middle of a chunk' } : { kind: 'incomplete' }
    if (buffer.toString('latin1', at + size, at + size + 2) !== '\r\n') return { kind: 'malformed', reason: 'a chunk not followed by CRLF' }
    chunks.push(buffer.subarray(at, at + size))
    at += size + 2
  }
}

export function header (response: Response, name: string): string | undefined {
  return response.headers.find(([key]) => key.toLowerCase() === name)?.[1]
}

/** A kept-alive connection of one worker, or a fresh one of one case. */
export class Connection {
  readonly socket: Socket
  #buffer: Buffer = Buffer.alloc(0)
  #closed = false
  #reset = false
  #listener: (() => void) | undefined

  private constructor (socket: Socket) {
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => { this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]); this.#listener?.() })
    socket.on('end', () => { this.#closed = true; this.#listener?.() })
    socket.on('error', (error: NodeJS.ErrnoException) => { this.#closed = true; this.#reset = error.code === 'ECONNRESET' || error.code === 'EPIPE'; this.#listener?.() })
    socket.on('close', () => { this.#closed = true; this.#listener?.() })
  }

  static async open (port: number, timeoutMs: number): Promise<Connection> {
    return await new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port })
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no connection within ${timeoutMs} ms`)) }, timeoutMs)
      socket.once('connect', () => { clearTimeout(timer); socket.removeAllListeners('error'); resolve(new Connection(socket)) })
      socket.once('error', (error) => { clearTimeout(timer); reject(error) })
    })
  }

  /** Usable for another request: open, and nothing unread on it. */
  get reusable (): boolean {
    return !this.#closed && !this.socket.destroyed && this.#buffer.length === 0
  }

  close (): void {
    this.socket.destroy()
  }

  /** Writes the case and reads until every request is answered, the server closes, or `timeoutMs` passes. */
  async exchange (fuzzCase: Case, timeoutMs: number): Promise<Exchange> {
    const expected = fuzzCase.requests.length
    return await new Promise((resolve) => {
      const responses: Response[] = []
      let offset = 0
      let malformed: string | undefined
      let settled = false
      const finish = (timedOut: boolean): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        this.#listener = undefined
        const received = this.#buffer
        const trailing = malformed === undefined && !timedOut ? received.subarray(offset) : Buffer.alloc(0)
        // What was read is this case's: the connection goes on with an empty buffer, or not at all.
        this.#buffer = Buffer.alloc(0)
        if (timedOut || malformed !== undefined || trailing.length > 0) this.socket.destroy()
        resolve({ responses, closed: this.#closed, reset: this.#reset, timedOut, malformed, trailing, received })
      }
      const advance = (): void => {
        while (malformed === undefined && offset < this.#buffer.length) {
          const method = fuzzCase.requests[Math.min(responses.length, expected - 1)]?.method
          const step = parseResponse(this.#buffer, offset, method === 'HEAD', this.#closed)
          if (step.kind === 'incomplete') break
          if (step.kind === 'malformed') { malformed = step.reason; break }
          offset = step.next
          if (step.response.status >= 200 || step.response.status === 101) responses.push(step.response)
        }
        const last = responses.at(-1)
        const answered = responses.length >= expected
        // After an answer that says `Connection: close`, read to the close: a body sent after a HEAD answer's headers, or a second answer, shows there.
        const closing = last !== undefined && /\bclose\b/i.test(header(last, 'connection') ?? '')
        if (malformed !== undefined || this.#closed || (answered && !closing && !fuzzCase.halfClose)) finish(false)
      }
      const timer = setTimeout(() => finish(true), timeoutMs)
      this.#listener = advance
      if (this.#closed) { advance(); return }
      this.socket.write(fuzzCase.bytes, () => { if (fuzzCase.halfClose) this.socket.end() })
      if (this.#buffer.length > 0) advance()
    })
  }
}
