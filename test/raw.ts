// Raw-socket exchanges, for requests no HTTP client would send: whatever the server writes back, until it closes.
import { connect } from 'node:net'

export interface RawResponse {
  readonly status: number
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Everything received, for responses to pipelined requests. */
  readonly raw: string
}

/**
 * Writes `chunks` (a pause of `pauseMs` between them), then waits for the server to close the
 * connection; undefined when it has not within `waitMs` (a hang).
 */
export async function exchange (port: number, chunks: string | string[], { pauseMs = 0, waitMs = 5000 } = {}): Promise<RawResponse | undefined> {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  let received = ''
  socket.on('data', (data: Buffer) => { received += data.toString('latin1') })
  const closed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => { resolve(false) }, waitMs)
    socket.on('close', () => { clearTimeout(timer); resolve(true) })
  })
  for (const chunk of typeof chunks === 'string' ? [chunks] : chunks) {
    if (socket.destroyed) break
    socket.write(chunk, 'latin1')
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
  }
  const done = await closed
  socket.destroy()
  return done ? parse(received) : undefined
}

/** The first response in `raw`. */
export function parse (raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n')
  const headers = Object.fromEntries(lines.map((line) => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
  }))
  const length = Number(headers['content-length'] ?? 0)
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4, end + 4 + length), raw }
}
