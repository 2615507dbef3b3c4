// One GET over a fresh connection, keeping the status, the raw headers in order and case, and the body bytes.
import { request } from 'node:http'

export const AUTHORIZATION = 'Basic a2V5OnNlY3JldA==' // key:secret, the mock's default credentials

export interface RawResponse {
  readonly status: number
  /** [name, value] pairs as they came on the wire. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Buffer
}

/** Headers Node's http server writes on its own: the baseline leaves them to it. */
export const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'])

export async function get (port: number, path: string, version: string, timeoutMs: number): Promise<RawResponse> {
  return await new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port,
      path,
      agent: false,
      timeout: timeoutMs,
      headers: { authorization: AUTHORIZATION, 'sequence-version': version }
    }, (incoming) => {
      const chunks: Buffer[] = []
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
      incoming.on('error', reject)
      incoming.on('end', () => {
        const headers: Array<[string, string]> = []
        for (let i = 0; i < incoming.rawHeaders.length; i += 2) headers.push([incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string])
        resolve({ status: incoming.statusCode ?? 0, headers, body: Buffer.concat(chunks) })
      })
    })
    outgoing.on('timeout', () => outgoing.destroy(new Error(`GET ${path} got no answer within ${timeoutMs} ms`)))
    outgoing.on('error', reject)
    outgoing.end()
  })
}

/** The headers the baseline must send itself, for comparing two answers. */
export function contentHeaders (response: RawResponse): string[] {
  return response.headers.filter(([name]) => !TRANSPORT_HEADERS.has(name.toLowerCase())).map(([name, value]) => `${name.toLowerCase()}: ${value}`)
}
