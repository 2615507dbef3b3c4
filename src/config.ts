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
  delayMs: Type.Integer({ minimum: 0, maximum: 60000 }),
  shutdownGraceMs: Type.Integer({ minimum: 0, maximum: 600000 })
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
  SEQUENCE_MOCK_DELAY_MS: { field: 'delayMs', default: '0', rule: 'milliseconds added before each API response, an integer from 0 to 60000', parse: integer },
  SEQUENCE_MOCK_SHUTDOWN_GRACE_MS: { field: 'shutdownGraceMs', default: '10000', rule: 'milliseconds in-flight requests get to finish on SIGTERM or SIGINT, an integer from 0 to 600000', parse: integer }
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
