// What one fuzz case is: the bytes it writes, the requests in them, and how its connection is used.

export interface SentRequest {
  readonly method: string
  /** The request target as written (path and query), latin1. */
  readonly target: string
}

export interface Case {
  /** Its number in the run: with the seed, it alone decides the bytes. */
  readonly index: number
  /** What kind of hostile input it is, e.g. `query`, `admin`, `raw:bad-version`. */
  readonly family: string
  /** Raw bytes that Node's HTTP parser itself may reject: sent on a connection of its own, not a worker's kept-alive one. */
  readonly raw: boolean
  readonly bytes: Buffer
  /** The requests in `bytes`, in order (a pipelined case has several); answers are matched to them in order. */
  readonly requests: readonly SentRequest[]
  /**
   * Half-close after writing: for a request cut off on purpose. (Not otherwise: Node's server drops the
   * requests in flight on a half-close, so an answer that takes a moment would be lost.)
   */
  readonly halfClose: boolean
  /** The server may close without answering: nothing it could answer was sent (e.g. headers cut off). */
  readonly mayCloseUnanswered: boolean
  /** A 5xx the request asked for (`Prefer: code=500`), not a fault. */
  readonly asks5xx: boolean
  /** Values that must never come back in a body: the secret and token this case sent. */
  readonly secrets: readonly string[]
}

export type HeaderValue = string | Buffer

/** The bytes of one HTTP/1.1 request; headers are written exactly as given (no Host added). */
export function requestBytes (method: string, target: string | Buffer, headers: ReadonlyArray<readonly [string, HeaderValue]>, body?: Buffer, version = 'HTTP/1.1'): Buffer {
  const parts: Buffer[] = [Buffer.from(`${method} `, 'latin1'), typeof target === 'string' ? Buffer.from(target, 'latin1') : target, Buffer.from(` ${version}\r\n`, 'latin1')]
  for (const [name, value] of headers) parts.push(Buffer.from(`${name}: `, 'latin1'), typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Buffer.from('\r\n'))
  parts.push(Buffer.from('\r\n'))
  if (body !== undefined) parts.push(body)
  return Buffer.concat(parts)
}
