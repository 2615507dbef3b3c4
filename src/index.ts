// The package's API: startMock() serves the mock inside the caller's process; buildApp() for `inject`; the shapes' types.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import { Value } from 'typebox/value'
import { buildApp } from './app.js'
import { ConfigError, ConfigSchema, loadConfig, type Config } from './config.js'
import { dispatch } from './http/dispatch.js'
import type {
  PaginationV20240101Schema, PaginationV20240730Schema,
  UserPageV20240101Schema, UserPageV20240730Schema, UserV20240101Schema, UserV20240730Schema
} from './contract/schemas.js'
import type { JournalEntry, JournalFilter } from './http/journal.js'

export { buildApp, ConfigError, type Config }
export { FixturesError } from './data/fixtures.js'
export { API_VERSIONS, LATEST_VERSION, type ApiVersion } from './contract/versions.js'
export type { Credential } from './config.js'
export type { Role, ErrorBody, ErrorDetail, UpdateUserBody } from './contract/schemas.js'
export type { JournalEntry } from './http/journal.js'

/** A user as 2024-01-01 and 2024-05-09 return it. */
export type UserV20240101 = Static<typeof UserV20240101Schema>
/** A user as 2024-07-30 returns it, with `roles`. */
export type UserV20240730 = Static<typeof UserV20240730Schema>
export type PaginationV20240101 = Static<typeof PaginationV20240101Schema>
export type PaginationV20240730 = Static<typeof PaginationV20240730Schema>
export type UserPageV20240101 = Static<typeof UserPageV20240101Schema>
export type UserPageV20240730 = Static<typeof UserPageV20240730Schema>
/** The user shape of each API version. */
export interface UserOf { '2024-01-01': UserV20240101, '2024-05-09': UserV20240101, '2024-07-30': UserV20240730 }
/** The list page shape of each API version. */
export interface UserPageOf { '2024-01-01': UserPageV20240101, '2024-05-09': UserPageV20240101, '2024-07-30': UserPageV20240730 }
/** A user as the test controls take it (`POST /_mock/users`): the 2024-07-30 shape, `id` and `createdAt` optional, roles by name or object. */
export interface NewUser extends Omit<UserV20240730, 'id' | 'roles'> {
  id?: string
  createdAt?: string
  roles: Array<UserV20240730['roles'][number] | UserV20240730['roles'][number]['roleName']>
}
/** A stored user as the test controls answer it: the 2024-07-30 shape with its `createdAt`. */
export type StoredUser = UserV20240730 & { createdAt: string }

/** Every setting of the configuration (README "Configuration"), camelCase; all optional. */
export type MockOptions = Partial<Config>

/** The in-process defaults that differ from the server's: any free port, and no log lines. */
const IN_PROCESS: Readonly<Record<string, string>> = { SEQUENCE_MOCK_PORT: '0', SEQUENCE_MOCK_LOG_LEVEL: 'silent' }

/** The configuration for options: the server's defaults (not the environment's variables), then the options. Throws a ConfigError naming each bad option. */
export function configOf (options: MockOptions = {}): Config {
  const config = { ...loadConfig(IN_PROCESS), ...options }
  const unknown = Object.keys(options).filter((key) => !(key in ConfigSchema.properties)).map((key) => `  ${key}: not an option`)
  const bad = [...unknown, ...[...Value.Errors(ConfigSchema, config)].map((error) => `  ${error.instancePath.slice(1) || 'options'}: ${error.message}`)]
  if (bad.length > 0) throw new ConfigError(`Invalid options:\n${[...new Set(bad)].join('\n')}`)
  return config
}

/** The error a test control answered with: its status and the mock's envelope. */
export class MockControlError extends Error {
  override name = 'MockControlError'
  constructor (readonly statusCode: number, readonly body: unknown) {
    super(`${statusCode}: ${JSON.stringify(body)}`)
  }
}

export interface RunningMock {
  /** The API's base URL, e.g. `http://127.0.0.1:41235/api`: what a client is configured with. */
  readonly url: string
  /** The server's origin, e.g. `http://127.0.0.1:41235` (`/health`, `/_mock`, `/openapi.json`). */
  readonly origin: string
  readonly config: Config
  /** The Fastify app, for `inject`. */
  readonly app: FastifyInstance
  /** Back to the data at start; journal, report, scenarios and rate-limit counters cleared (`POST /_mock/reset`). */
  reset: () => void
  /** Adds a user (`POST /_mock/users`); throws a MockControlError for an invalid one. */
  addUser: (user: NewUser) => Promise<StoredUser>
  /** Replaces every user (`PUT /_mock/users`); the count. */
  replaceUsers: (users: Array<NewUser & { id: string }>) => Promise<number>
  /** Removes a user outright (`DELETE /_mock/users/{id}`); undefined when there is none. */
  removeUser: (id: string) => Promise<StoredUser | undefined>
  /** The request journal (`GET /_mock/requests`), newest first. */
  requests: (filter?: JournalFilter) => JournalEntry[]
  /** Stops listening and frees everything; waits for requests in flight. */
  close: () => Promise<void>
}

/**
 * Starts the mock on a free port of 127.0.0.1 inside this process, with the same options as the
 * configuration (camelCase): `await startMock({ users: 20, credentials: [{ clientId: 'ci', clientSecret: 's3cret' }] })`.
 */
export async function startMock (options: MockOptions = {}): Promise<RunningMock> {
  const config = configOf(options)
  const app = await buildApp(config)
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await app.close()
    throw error
  }
  const { port } = app.server.address() as AddressInfo
  const origin = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  return {
    url: `${origin}/api`,
    origin,
    config,
    app,
    reset: () => { app.mock.reset() },
    ...userControls(async () => app, config, new URL(origin).host),
    requests: (filter) => app.mock.journal.list(filter),
    close: async () => { await app.close() }
  }
}

/**
 * The controls that change users, as requests to the app's /_mock routes (the same checks and errors
 * as over HTTP) through its server, without a socket or `inject`: they work under Jest, and while a
 * user's MSW intercepts this process's HTTP. Shared with `sequence-mock/msw`; not part of the API.
 * @internal
 */
export function userControls (app: () => Promise<FastifyInstance>, config: Config, host: string): Pick<RunningMock, 'addUser' | 'replaceUsers' | 'removeUser'> {
  const admin = async (method: string, url: string, body?: unknown): Promise<{ status: number, json: unknown }> => {
    const headers: Array<[string, string]> = [['host', host]]
    if (config.adminToken !== undefined) headers.push(['authorization', `Bearer ${config.adminToken}`])
    if (body !== undefined) headers.push(['content-type', 'application/json'])
    const reply = await dispatch((await app()).server, { method, url, headers, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) })
    return { status: reply.status, json: JSON.parse(reply.body.toString()) }
  }
  const expect = <T>({ status, json }: { status: number, json: unknown }, ok: number): T => {
    if (status !== ok) throw new MockControlError(status, json)
    return json as T
  }
  return {
    addUser: async (user) => expect<StoredUser>(await admin('POST', '/_mock/users', user), 201),
    replaceUsers: async (users) => expect<{ users: number }>(await admin('PUT', '/_mock/users', users), 200).users,
    removeUser: async (id) => {
      const answer = await admin('DELETE', `/_mock/users/${encodeURIComponent(id)}`)
      return answer.status === 404 ? undefined : expect<StoredUser>(answer, 200)
    }
  }
}
