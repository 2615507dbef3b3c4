// dispatch(): one request through an app's own http.Server on an in-memory connection, no port and no `inject`.
import type { Server } from 'node:http'
import { Duplex } from 'node:stream'

export interface DispatchRequest {
  readonly method: string
  /** Path and query, as on the request line. */
  readonly url: string
  /** Names and values as sent, `host` included; `content-length` and `connection` are this module's. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  /** Sent with its Content-Length; undefined: no body and no Content-Length. */
  readonly body: Buffer | undefined
}

export interface DispatchResponse {
  readonly status: number
  readonly statusText: string
  /** As the server wrote them: in order, names as written, a repeated header once per value. */
  readonly headers: Array<[string, string]>
  readonly body: Buffer
}

/** What describes the connection rather than the request: written here, one request per connection. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length'])

/**
 * Sends the request to `server` as a connection of its own and resolves with the response it wrote.
 * Node's server takes any Duplex as a connection (@see https://nodejs.org/api/http.html#event-connection),
 * so the request meets the same parser, limits and listeners as on a socket, with no socket, port or
 * timer of its own, and works where `inject` (light-my-request, CommonJS requiring the ESM-only `cookie`) cannot
 * load, such as Jest's module runtime. `Connection: close` makes the server end the connection after
 * its answer: that end is the response's end, and ending ours in turn closes the duplex. The timeouts
 * Node checks on a listening server's connections still apply; a server that never listened checks none.
 */
export async function dispatch (server: Server, request: DispatchRequest): Promise<DispatchResponse> {
  const lines = [`${request.method} ${request.url} HTTP/1.1`]
  for (const [name, value] of request.headers) {
    if (!CONNECTION_HEADERS.has(name.toLowerCase())) lines.push(`${name}: ${value}`)
  }
  // A line break inside a line would end it early, and could send what follows as a second request.
  if (lines.some((line) => /[\r\n]/.test(line))) throw new TypeError('A request line or header holds a line break.')
  if (request.body !== undefined) lines.push(`content-length: ${request.body.length}`)
  lines.push('connection: close', '', '')

  const received: Buffer[] = []
  const connection = new Duplex({
    read () {},
    write (chunk: Buffer, _encoding, callback) {
      received.push(chunk)
      callback()
    },
    final (callback) {
      callback()
      connection.push(null)
    }
  })
  const closed = new Promise<void>((resolve) => { connection.once('close', resolve) })
  server.emit('connection', connection)
  // Header values are byte strings (fetch's Headers): latin1 writes each character as its byte.
  const bytes = Buffer.from(lines.join('\r\n'), 'latin1')
  connection.push(request.body === undefined ? bytes : Buffer.concat([bytes, request.body]))
  await closed
  return parseResponse(Buffer.concat(received), request.method)
}

/** The response in `bytes`, after any interim 1xx (a 100 Continue to `Expect: 100-continue`). */
function parseResponse (bytes: Buffer, method: string): DispatchResponse {
  for (let start = 0; ;) {
    const headEnd = bytes.indexOf('\r\n\r\n', start)
    if (headEnd === -1) throw new Error(`The server closed the connection without a whole response (${bytes.length} bytes).`)
    const [statusLine = '', ...lines] = bytes.toString('latin1', start, headEnd).split('\r\n')
    const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine)
    if (match === null) throw new Error(`Not an HTTP/1.1 status line: ${JSON.stringify(statusLine)}.`)
    const status = Number(match[1])
    start = headEnd + 4
    if (status < 200) continue
    const headers = lines.map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()])
    const value = (name: string): string | undefined => headers.findLast(([key]) => key.toLowerCase() === name)?.[1]
    let body: Buffer
    if (method === 'HEAD' || status === 204 || status === 304) body = Buffer.alloc(0)
    else if (value('transfer-encoding')?.toLowerCase().endsWith('chunked') === true) body = unchunk(bytes, start)
    else if (value('content-length') !== undefined) {
      body = bytes.subarray(start, start + Number(value('content-length')))
      if (body.length !== Number(value('content-length'))) throw new Error(`The server closed the connection ${body.length} bytes into a ${value('content-length')}-byte body.`)
    } else body = bytes.subarray(start)
    return { status, statusText: match[2] ?? '', headers, body }
  }
}

/** A chunked body's bytes (RFC 9112 §7.1): each chunk's size line, then its bytes; trailers are dropped. */
function unchunk (bytes: Buffer, from: number): Buffer {
  const chunks: Buffer[] = []
  for (let at = from; ;) {
    const lineEnd = bytes.indexOf('\r\n', at)
    const size = lineEnd === -1 ? NaN : Number.parseInt(bytes.toString('latin1', at, lineEnd), 16)
    if (Number.isNaN(size) || lineEnd + 2 + size > bytes.length) throw new Error('The server closed the connection inside a chunked body.')
    if (size === 0) return Buffer.concat(chunks)
    chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}
