// The mock's configuration: one schema, defaults, and loadConfig(env) that names every bad variable.
import { Type, type Static } from 'typebox'
import { Value } from 'typebox/value'
import { API_VERSIONS } from './contract/versions.js'

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'

export const CredentialSchema = Type.Object({
  clientId: Type.String({ minLength: 1, pattern: '^[^:]+$' }),
  clientSecret: Type.String({ minLength: 1 }),
  /** A key pinned to a version gets it when a request sends no Sequence-Version header. */
  version: Type.Optional(Type.Enum(API_VERSIONS))
})
export type Credential = Static<typeof CredentialSchema>

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
/** `auto`: readable lines on a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const

export const DELETE_MODES = ['soft', 'hard'] as const

export const DelaySchema = Type.Object({
  min: Type.Integer({ minimum: 0, maximum: 60000 }),
  max: Type.Integer({ minimum: 0, maximum: 60000 })
})
export type Delay = Static<typeof DelaySchema>

export const ConfigSchema = Type.Object({
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  seed: Type.Integer({ minimum: 0, maximum: 4294967295 }),
  users: Type.Integer({ minimum: 0, maximum: 10000000 }),
  accountId: Type.String({ pattern: UUID }),
  fixtures: Type.Optional(Type.String({ minLength: 1 })),
  credentials: Type.Array(CredentialSchema, { minItems: 1 }),
  defaultLimit: Type.Integer({ minimum: 1, maximum: 100 }),
  rateLimit: Type.Integer({ minimum: 0, maximum: 1000000 }),
  logLevel: Type.Enum(LOG_LEVELS),
  logFormat: Type.Enum(LOG_FORMATS),
  /** Allowed browser origins: `['*']` any, `[]` CORS off. */
  corsOrigins: Type.Array(Type.String({ pattern: '^(\\*|https?://[^/\\s]+)$' })),
  /** Latency added to every API response: a fixed delay (`min` = `max`) or a uniform random one. */
  delayMs: DelaySchema,
  shutdownGraceMs: Type.Integer({ minimum: 0, maximum: 600000 }),
  /** `soft`: a deleted user stays, with `"state": "deleted"`; `hard`: it is gone from the list and by id. */
  deleteMode: Type.Enum(DELETE_MODES),
  /** When set, every /_mock call needs `Authorization: Bearer <token>`. */
  adminToken: Type.Optional(Type.String({ minLength: 1 })),
  /** How many requests the journal keeps (the newest); 0 turns it off. */
  journalSize: Type.Integer({ minimum: 0, maximum: 1000000 }),
  /** Print the client-conformance report on standard output when the mock stops. */
  reportOnExit: Type.Boolean(),
  /** The request line and headers together, in bytes: 431 beyond (Node's own limit). */
  maxHeaderBytes: Type.Integer({ minimum: 1024, maximum: 1048576 }),
  /** The request target (path and query), in characters: 414 beyond. */
  maxUrlLength: Type.Integer({ minimum: 256, maximum: 1048576 }),
  /** A request body, in bytes: 413 beyond (PUT /_mock/users, a whole dataset, has its own 256 MiB). */
  maxBodyBytes: Type.Integer({ minimum: 1024, maximum: 268435456 }),
  /** Time for a request's headers and body to arrive: 408 beyond. A response's latency is not counted. */
  requestTimeoutMs: Type.Integer({ minimum: 1000, maximum: 600000 })
})
export type Config = Static<typeof ConfigSchema>

/** The documented example credentials: client id `key`, secret `secret` (`Basic a2V5OnNlY3JldA==`). */
export const DEFAULT_CREDENTIALS = 'key:secret'

type Field = keyof Config

interface Variable {
  readonly field: Field
  readonly default: string | undefined
  /** What a valid value looks like, for the error message and the README. */
  readonly rule: string
  readonly parse: (text: string) => unknown
  /** Never echoed in error messages. */
  readonly secret?: true
}

const integer = (text: string): unknown => /^\d+$/.test(text.trim()) ? Number(text.trim()) : text
const text = (value: string): unknown => value

/** Every variable, keyed by its environment name. */
export const VARIABLES: Readonly<Record<string, Variable>> = {
  SEQUENCE_MOCK_HOST: { field: 'host', default: '127.0.0.1', rule: 'a host name or IP address to listen on', parse: text },
  SEQUENCE_MOCK_PORT: { field: 'port', default: '8910', rule: 'an integer from 0 to 65535', parse: integer },
  SEQUENCE_MOCK_SEED: { field: 'seed', default: '1', rule: 'an integer from 0 to 4294967295', parse: integer },
  SEQUENCE_MOCK_USERS: { field: 'users', default: '150', rule: 'an integer from 0 to 10000000', parse: integer },
  SEQUENCE_MOCK_ACCOUNT_ID: { field: 'accountId', default: '83da2ca4-49c7-4d81-9c9a-ba5be11768b0', rule: 'a lower-case UUID', parse: text },
  SEQUENCE_MOCK_FIXTURES: { field: 'fixtures', default: undefined, rule: 'the path of a JSON file of users', parse: text },
  SEQUENCE_MOCK_CREDENTIALS: { field: 'credentials', default: DEFAULT_CREDENTIALS, rule: 'comma-separated clientId:clientSecret pairs, each optionally pinned with @<API version>', parse: parseCredentials, secret: true },
  SEQUENCE_MOCK_DEFAULT_LIMIT: { field: 'defaultLimit', default: '20', rule: 'an integer from 1 to 100', parse: integer },
  SEQUENCE_MOCK_RATE_LIMIT: { field: 'rateLimit', default: '1500', rule: 'requests per minute per API key, an integer from 0 (no limit) to 1000000', parse: integer },
  SEQUENCE_MOCK_LOG_LEVEL: { field: 'logLevel', default: 'info', rule: `one of ${LOG_LEVELS.join(', ')}`, parse: text },
  SEQUENCE_MOCK_LOG_FORMAT: { field: 'logFormat', default: 'auto', rule: `one of ${LOG_FORMATS.join(', ')}`, parse: text },
  SEQUENCE_MOCK_CORS: { field: 'corsOrigins', default: '*', rule: '* (any origin), off, or comma-separated origins like http://localhost:3000', parse: parseOrigins },
  SEQUENCE_MOCK_DELAY_MS: { field: 'delayMs', default: '0', rule: 'milliseconds added before each API response: an integer from 0 to 60000, or a range like 50-300 for a uniform random delay', parse: parseDelay },
  SEQUENCE_MOCK_SHUTDOWN_GRACE_MS: { field: 'shutdownGraceMs', default: '10000', rule: 'milliseconds in-flight requests get to finish on SIGTERM or SIGINT, an integer from 0 to 600000', parse: integer },
  SEQUENCE_MOCK_DELETE_MODE: { field: 'deleteMode', default: 'soft', rule: 'soft (a deleted user stays, with state "deleted") or hard (it is gone)', parse: text },
  SEQUENCE_MOCK_ADMIN_TOKEN: { field: 'adminToken', default: undefined, rule: 'a token that every /_mock call must send as Authorization: Bearer <token>', parse: text, secret: true },
  SEQUENCE_MOCK_JOURNAL_SIZE: { field: 'journalSize', default: '1000', rule: 'how many requests GET /_mock/requests keeps, an integer from 0 (off) to 1000000', parse: integer },
  SEQUENCE_MOCK_REPORT_ON_EXIT: { field: 'reportOnExit', default: '0', rule: '1 (print the client report on standard output when the mock stops) or 0', parse: parseSwitch },
  SEQUENCE_MOCK_MAX_HEADER_BYTES: { field: 'maxHeaderBytes', default: '16384', rule: 'bytes of request line and headers before 431, an integer from 1024 to 1048576', parse: integer },
  SEQUENCE_MOCK_MAX_URL_LENGTH: { field: 'maxUrlLength', default: '8192', rule: 'characters of path and query before 414, an integer from 256 to 1048576', parse: integer },
  SEQUENCE_MOCK_MAX_BODY_BYTES: { field: 'maxBodyBytes', default: '1048576', rule: 'bytes of a request body before 413, an integer from 1024 to 268435456', parse: integer },
  SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: { field: 'requestTimeoutMs', default: '10000', rule: 'milliseconds for a request\'s headers and body to arrive before 408, an integer from 1000 to 600000', parse: integer }
}

/** The command-line flag of a variable: SEQUENCE_MOCK_ACCOUNT_ID → --account-id. */
export function flagOf (name: string): string {
  return `--${name.replace(/^SEQUENCE_MOCK_/, '').toLowerCase().replaceAll('_', '-')}`
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * The configuration from environment-style variables (`SEQUENCE_MOCK_*`), with defaults for
 * everything, so that no configuration at all is valid. Throws one ConfigError naming each bad variable.
 */
export function loadConfig (env: Readonly<Record<string, string | undefined>>): Config {
  const candidate: Record<string, unknown> = {}
  const bad: string[] = []
  for (const [name, variable] of Object.entries(VARIABLES)) {
    const given = env[name]
    const value = given === undefined || given === '' ? variable.default : given
    if (value === undefined) continue
    candidate[variable.field] = variable.parse(value)
    // Each variable on its own, so that every bad one is named, however many there are.
    if (!Value.Check(ConfigSchema.properties[variable.field], candidate[variable.field])) bad.push(name)
  }
  if (bad.length > 0) {
    const lines = bad.map((name) => {
      const shown = VARIABLES[name]?.secret === true ? '(not shown)' : JSON.stringify(env[name])
      return `  ${name} (${flagOf(name)})=${shown}: expected ${VARIABLES[name]?.rule}`
    })
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return candidate as Config
}

/** `250` → 250 ms every time; `50-300` → a uniform random delay between the two, per request. */
function parseDelay (value: string): unknown {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value.trim())
  if (match === null) return value
  const min = Number(match[1])
  const max = match[2] === undefined ? min : Number(match[2])
  return min <= max ? { min, max } : value
}

const SWITCHES: Readonly<Record<string, boolean>> = { 1: true, true: true, 0: false, false: false }

function parseSwitch (value: string): unknown {
  return SWITCHES[value.trim().toLowerCase()] ?? value
}

function parseOrigins (value: string): unknown {
  return value.trim() === 'off' ? [] : value.split(',').map((origin) => origin.trim().replace(/\/$/, ''))
}

/** `key:secret,ci:other@2024-01-01` → credentials; a secret may contain `:` but not `,`. */
function parseCredentials (value: string): unknown {
  return value.split(',').map((pair) => {
    const trimmed = pair.trim()
    const pinned = /^(.*)@(\d{4}-\d{2}-\d{2})$/.exec(trimmed)
    const [credentials, version] = pinned === null ? [trimmed, undefined] : [pinned[1] as string, pinned[2]]
    const colon = credentials.indexOf(':')
    if (colon < 0) return { clientId: credentials }
    return { clientId: credentials.slice(0, colon), clientSecret: credentials.slice(colon + 1), ...(version !== undefined && { version }) }
  })
}
