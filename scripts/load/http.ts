// A tiny HTTP client for the load scripts: one keep-alive connection per client, requests one at a time, every answer bounded in time.
import { Agent, request } from 'node:http'

export const AUTHORIZATION = 'Basic a2V5OnNlY3JldA==' // key:secret, the mock's default credentials

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: string
}

export interface Send {
  readonly method?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as JSON, with its content type. */
  readonly json?: unknown
}

/** No answer within the time: a hang, which the scripts report like any other failure. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError'
}

export class Client {
  /** One socket, kept open between requests, as a client with a keep-alive pool of one would. */
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 })

  constructor (readonly port: number, readonly timeoutMs = 10_000) {}

  async send (path: string, { method = 'GET', headers = {}, json }: Send = {}): Promise<Answer> {
    const body = json === undefined ? undefined : JSON.stringify(json)
    const allHeaders = body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
    return await new Promise((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port: this.port, path, method, agent: this.#agent, headers: allHeaders }, (incoming) => {
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.on('error', reject)
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }))
      })
      outgoing.setTimeout(this.timeoutMs, () => outgoing.destroy(new NoAnswerError(`${method} ${path.slice(0, 200)}: no answer within ${this.timeoutMs} ms`)))
      outgoing.on('error', reject)
      outgoing.end(body)
    })
  }

  /** A request to the API with the default credentials and a Sequence-Version. */
  async api (path: string, version: string, method = 'GET', json?: unknown): Promise<Answer> {
    return await this.send(path, { method, headers: { authorization: AUTHORIZATION, 'sequence-version': version }, json })
  }

  close (): void {
    this.#agent.destroy()
  }
}
