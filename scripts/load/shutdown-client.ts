// One raw HTTP/1.1 keep-alive connection for the shutdown run: what exactly happened to each request on it.
import { connect, type Socket } from 'node:net'

/** What became of one request. */
export type Outcome =
  /** A whole response: status line, headers, and as many body bytes as its Content-Length says. */
  | { readonly kind: 'answered', readonly status: number, readonly headers: Readonly<Record<string, string>>, readonly body: Buffer, readonly at: number }
  /** Part of a response, then the connection ended: a received request cut off. */
  | { readonly kind: 'cut', readonly bytes: number, readonly error: string, readonly at: number }
  /** The connection ended (reset or closed) before a single byte of response. */
  | { readonly kind: 'dropped', readonly error: string, readonly at: number }

/** A connection attempt that failed: ECONNREFUSED once the listener is closed. */
export interface ConnectFailure {
  readonly code: string
  readonly at: number
}

let connections = 0

/**
 * Raw bytes rather than node:http's client: it tells a reset before any byte (the server never read the
 * request) from a response cut short, and never retries or reconnects on its own.
 */
export class KeepAliveConnection {
  readonly id = ++connections
  readonly openedAt: number
  /** Requests sent on it so far. */
  sent = 0
  /** When the connection ended, from either side; undefined while open. */
  closedAt: number | undefined
  readonly #socket: Socket
  #received: Buffer = Buffer.alloc(0)
  #pending: ((outcome: Outcome) => void) | undefined

  private constructor (socket: Socket) {
    this.#socket = socket
    this.openedAt = performance.now()
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk])
      this.#settle()
    })
    // 'error' comes before 'close', which always follows: the outcome is settled there.
    let error = 'closed by the server'
    socket.on('error', (cause: NodeJS.ErrnoException) => { error = cause.code ?? cause.message })
    socket.on('close', () => {
      this.closedAt = performance.now()
      const received = this.#received.length
      this.#finish(received > 0
        ? { kind: 'cut', bytes: received, error, at: this.closedAt }
        : { kind: 'dropped', error, at: this.closedAt })
    })
  }

  static async open (port: number, host = '127.0.0.1'): Promise<KeepAliveConnection | ConnectFailure> {
    return await new Promise((resolve) => {
      const socket = connect({ port, host })
      const failed = (error: NodeJS.ErrnoException): void => { resolve({ code: error.code ?? error.message, at: performance.now() }) }
      socket.once('error', failed)
      socket.once('connect', () => {
        socket.off('error', failed)
        resolve(new KeepAliveConnection(socket))
      })
    })
  }

  get open (): boolean {
    return this.closedAt === undefined && !this.#socket.destroyed
  }

  /** Writes the whole request at once; resolves when its response is complete or the connection ends. */
  async send (request: Buffer): Promise<Outcome> {
    if (this.#pending !== undefined) throw new Error('one request at a time on a connection')
    this.sent++
    const outcome = new Promise<Outcome>((resolve) => { this.#pending = resolve })
    this.#socket.write(request)
    return await outcome
  }

  /** Ends this side (after a `Connection: close` answer, or at the end of a round). */
  close (): void {
    this.#socket.destroy()
  }

  #settle (): void {
    if (this.#pending === undefined) return
    const headerEnd = this.#received.indexOf('\r\n\r\n')
    if (headerEnd < 0) return
    const head = this.#received.subarray(0, headerEnd).toString('latin1').split('\r\n')
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head[0] ?? '')?.[1] ?? Number.NaN)
    const headers: Record<string, string> = {}
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const length = Number(headers['content-length'])
    // Every answer of the mock has a Content-Length: without one, where the body ends is unknown, so the
    // answer counts as cut (the check that reads it says why).
    if (!Number.isSafeInteger(length) || Number.isNaN(status)) {
      this.#finish({ kind: 'cut', bytes: this.#received.length, error: `unreadable response head: ${JSON.stringify(head.join(' | ').slice(0, 200))}`, at: performance.now() })
      this.close()
      return
    }
    const bodyStart = headerEnd + 4
    if (this.#received.length < bodyStart + length) return
    const body = this.#received.subarray(bodyStart, bodyStart + length)
    // Bytes beyond the answer were never asked for: kept, so that the next request's outcome shows them.
    this.#received = this.#received.subarray(bodyStart + length)
    this.#finish({ kind: 'answered', status, headers, body, at: performance.now() })
  }

  #finish (outcome: Outcome): void {
    const pending = this.#pending
    this.#pending = undefined
    pending?.(outcome)
  }
}
