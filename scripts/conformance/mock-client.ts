// The mock under check, over HTTP: started in-process or already running (--url); its requests, counted, and its /_mock users.
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { ROLES } from '../../src/contract/roles.js'

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The parsed body; undefined when it is not JSON. */
  readonly json: unknown
}

export interface RequestOptions {
  /** The Sequence-Version header to send; none when undefined. */
  readonly version?: string
  /** Send the Basic credentials (default true). */
  readonly authorize?: boolean
  readonly query?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: unknown
}

/** The mock cannot be reached or used as the check needs (exit 2). */
export class MockError extends Error {
  override name = 'MockError'
}

/** One of Sequence's documented example accounts, for the users the check adds. */
export const EXAMPLE_ACCOUNT_IDS = ['83da2ca4-49c7-4d81-9c9a-ba5be11768b0', 'c0901c87-e1a9-48e9-9e2f-9e05c402dcea'] as const

export class MockClient {
  requests = 0
  readonly #authorization: string
  /** The origin and prefix in front of /api, where /_mock and /openapi live. */
  readonly root: string

  constructor (readonly api: string, readonly clientId: string, secret: string, readonly adminToken: string | undefined, readonly close: () => Promise<void>) {
    this.#authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`
    this.root = api.replace(/\/api\/?$/, '')
  }

  /** A request to the API, below the /api base URL. */
  async send (method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers }
    if (options.authorize !== false) headers['authorization'] = this.#authorization
    if (options.version !== undefined) headers['sequence-version'] = options.version
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const query = options.query === undefined ? '' : `?${options.query}`
    return await this.#fetch(`${this.api}${path}${query}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) })
  }

  /** A request outside the API (/openapi, /_mock), with the admin token when there is one. */
  async sendRoot (method: string, path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = {}
    if (this.adminToken !== undefined && path.startsWith('/_mock')) headers['authorization'] = `Bearer ${this.adminToken}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    return await this.#fetch(`${this.root}${path}`, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) })
  }

  /** Adds a user of the check's own through /_mock, so that PUT and DELETE touch nobody else's; its id. */
  async addUser (): Promise<string> {
    const reply = await this.sendRoot('POST', '/_mock/users', {
      email: `conformance-${randomUUID()}@example.com`,
      sequenceAccountIds: [...EXAMPLE_ACCOUNT_IDS],
      state: 'active',
      roles: [ROLES.salesUser, ROLES.financeUser]
    })
    const id = (reply.json as { id?: unknown } | undefined)?.id
    if (reply.status === 201 && typeof id === 'string') return id
    throw new MockError(adminFailure('POST /_mock/users', reply))
  }

  async removeUser (id: string): Promise<void> {
    const reply = await this.sendRoot('DELETE', `/_mock/users/${encodeURIComponent(id)}`)
    // 404: a mock in hard delete mode already removed it.
    if (reply.status !== 200 && reply.status !== 404) throw new MockError(adminFailure(`DELETE /_mock/users/${id}`, reply))
  }

  async #fetch (url: string, init: RequestInit): Promise<Reply> {
    this.requests++
    let response: Response
    try {
      response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(30_000) })
    } catch (error) {
      const cause = (error as { cause?: { code?: string, message?: string } }).cause
      throw new MockError(`cannot reach the mock at ${this.api}: ${cause?.code ?? cause?.message ?? (error as Error).message}`)
    }
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {}
    return { status: response.status, headers: response.headers, text, json }
  }
}

function adminFailure (what: string, reply: Reply): string {
  if (reply.status === 401) return `${what} answered 401: the mock's /_mock API needs its token; pass --admin-token <token> (the mock's SEQUENCE_MOCK_ADMIN_TOKEN)`
  if (reply.status === 404) return `${what} answered 404: the check needs the mock's /_mock API to add and remove its own users`
  return `${what} answered ${reply.status}: ${reply.text.slice(0, 300)}`
}

/** The default mock, built from this checkout and listening on a free port of 127.0.0.1 until closed. */
export async function startMock (): Promise<MockClient> {
  const app = await buildApp(loadConfig({ SEQUENCE_MOCK_LOG_LEVEL: 'silent', SEQUENCE_MOCK_HOST: '127.0.0.1', SEQUENCE_MOCK_PORT: '0' }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  return new MockClient(`http://127.0.0.1:${port}/api`, 'key', 'secret', undefined, async () => { await app.close() })
}

/** A mock that is already running, e.g. the container. */
export function runningMock (api: string, clientId: string, secret: string, adminToken: string | undefined): MockClient {
  return new MockClient(api.replace(/\/+$/, ''), clientId, secret, adminToken, async () => {})
}
