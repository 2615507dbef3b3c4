import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

t.test('no configuration at all is valid, with the documented defaults', async (t) => {
  t.same(loadConfig({}), {
    host: '127.0.0.1',
    port: 8910,
    seed: 1,
    users: 150,
    accountId: '83da2ca4-49c7-4d81-9c9a-ba5be11768b0',
    credentials: [{ clientId: 'key', clientSecret: 'secret' }],
    defaultLimit: 20,
    rateLimit: 1500,
    logLevel: 'info',
    logFormat: 'auto',
    corsOrigins: ['*'],
    delayMs: { min: 0, max: 0 },
    shutdownGraceMs: 10000,
    deleteMode: 'soft',
    journalSize: 1000,
    reportOnExit: false,
    maxHeaderBytes: 16384,
    maxUrlLength: 8192,
    maxBodyBytes: 1048576,
    requestTimeoutMs: 10000
  })
})

t.test('every variable is read, and an empty value means the default', async (t) => {
  const config = loadConfig({
    SEQUENCE_MOCK_HOST: '0.0.0.0',
    SEQUENCE_MOCK_PORT: '0',
    SEQUENCE_MOCK_SEED: '99',
    SEQUENCE_MOCK_USERS: '5',
    SEQUENCE_MOCK_ACCOUNT_ID: 'c0901c87-e1a9-48e9-9e2f-9e05c402dcea',
    SEQUENCE_MOCK_FIXTURES: 'fixtures/sequence-examples.json',
    SEQUENCE_MOCK_CREDENTIALS: 'key:secret, ci:pa:ss@2024-01-01 ,web:x@y',
    SEQUENCE_MOCK_DEFAULT_LIMIT: '100',
    SEQUENCE_MOCK_RATE_LIMIT: '0',
    SEQUENCE_MOCK_LOG_LEVEL: '',
    SEQUENCE_MOCK_LOG_FORMAT: 'json',
    SEQUENCE_MOCK_CORS: 'http://localhost:3000, https://app.example.com/',
    SEQUENCE_MOCK_DELAY_MS: '250',
    SEQUENCE_MOCK_SHUTDOWN_GRACE_MS: '2000',
    SEQUENCE_MOCK_DELETE_MODE: 'hard',
    SEQUENCE_MOCK_ADMIN_TOKEN: 's3cret-token',
    SEQUENCE_MOCK_JOURNAL_SIZE: '0',
    SEQUENCE_MOCK_REPORT_ON_EXIT: 'true',
    SEQUENCE_MOCK_MAX_HEADER_BYTES: '32768',
    SEQUENCE_MOCK_MAX_URL_LENGTH: '2048',
    SEQUENCE_MOCK_MAX_BODY_BYTES: '4096',
    SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: '5000'
  })
  t.same(config, {
    host: '0.0.0.0',
    port: 0,
    seed: 99,
    users: 5,
    accountId: 'c0901c87-e1a9-48e9-9e2f-9e05c402dcea',
    fixtures: 'fixtures/sequence-examples.json',
    credentials: [
      { clientId: 'key', clientSecret: 'secret' },
      { clientId: 'ci', clientSecret: 'pa:ss', version: '2024-01-01' },
      { clientId: 'web', clientSecret: 'x@y' }
    ],
    defaultLimit: 100,
    rateLimit: 0,
    logLevel: 'info',
    logFormat: 'json',
    corsOrigins: ['http://localhost:3000', 'https://app.example.com'],
    delayMs: { min: 250, max: 250 },
    shutdownGraceMs: 2000,
    deleteMode: 'hard',
    adminToken: 's3cret-token',
    journalSize: 0,
    reportOnExit: true,
    maxHeaderBytes: 32768,
    maxUrlLength: 2048,
    maxBodyBytes: 4096,
    requestTimeoutMs: 5000
  })
})

t.test('bad values fail with one error naming every bad variable and what it expects', async (t) => {
  const error = t.throws(() => loadConfig({
    SEQUENCE_MOCK_PORT: '80a',
    SEQUENCE_MOCK_SEED: '-1',
    SEQUENCE_MOCK_USERS: '1.5',
    SEQUENCE_MOCK_ACCOUNT_ID: 'acct_1',
    SEQUENCE_MOCK_DEFAULT_LIMIT: '101',
    SEQUENCE_MOCK_LOG_LEVEL: 'loud',
    SEQUENCE_MOCK_CREDENTIALS: 'key:topsecret@2023-01-01',
    SEQUENCE_MOCK_CORS: 'localhost:3000',
    SEQUENCE_MOCK_DELAY_MS: '300-50',
    SEQUENCE_MOCK_SHUTDOWN_GRACE_MS: 'soon',
    SEQUENCE_MOCK_DELETE_MODE: 'archive',
    SEQUENCE_MOCK_ADMIN_TOKEN: '',
    SEQUENCE_MOCK_JOURNAL_SIZE: '-5',
    SEQUENCE_MOCK_REPORT_ON_EXIT: 'yes',
    SEQUENCE_MOCK_MAX_HEADER_BYTES: '100',
    SEQUENCE_MOCK_MAX_URL_LENGTH: 'long',
    SEQUENCE_MOCK_MAX_BODY_BYTES: '1e6',
    SEQUENCE_MOCK_REQUEST_TIMEOUT_MS: '0'
  })) as Error
  t.type(error, ConfigError)
  t.equal(error.message, [
    'Invalid configuration:',
    '  SEQUENCE_MOCK_PORT (--port)="80a": expected an integer from 0 to 65535',
    '  SEQUENCE_MOCK_SEED (--seed)="-1": expected an integer from 0 to 4294967295',
    '  SEQUENCE_MOCK_USERS (--users)="1.5": expected an integer from 0 to 10000000',
    '  SEQUENCE_MOCK_ACCOUNT_ID (--account-id)="acct_1": expected a lower-case UUID',
    '  SEQUENCE_MOCK_CREDENTIALS (--credentials)=(not shown): expected comma-separated clientId:clientSecret pairs, each optionally pinned with @<API version>',
    '  SEQUENCE_MOCK_DEFAULT_LIMIT (--default-limit)="101": expected an integer from 1 to 100',
    '  SEQUENCE_MOCK_LOG_LEVEL (--log-level)="loud": expected one of fatal, error, warn, info, debug, trace, silent',
    '  SEQUENCE_MOCK_CORS (--cors)="localhost:3000": expected * (any origin), off, or comma-separated origins like http://localhost:3000',
    '  SEQUENCE_MOCK_DELAY_MS (--delay-ms)="300-50": expected milliseconds added before each API response: an integer from 0 to 60000, or a range like 50-300 for a uniform random delay',
    '  SEQUENCE_MOCK_SHUTDOWN_GRACE_MS (--shutdown-grace-ms)="soon": expected milliseconds in-flight requests get to finish on SIGTERM or SIGINT, an integer from 0 to 600000',
    '  SEQUENCE_MOCK_DELETE_MODE (--delete-mode)="archive": expected soft (a deleted user stays, with state "deleted") or hard (it is gone)',
    '  SEQUENCE_MOCK_JOURNAL_SIZE (--journal-size)="-5": expected how many requests GET /_mock/requests keeps, an integer from 0 (off) to 1000000',
    '  SEQUENCE_MOCK_REPORT_ON_EXIT (--report-on-exit)="yes": expected 1 (print the client report on standard output when the mock stops) or 0',
    '  SEQUENCE_MOCK_MAX_HEADER_BYTES (--max-header-bytes)="100": expected bytes of request line and headers before 431, an integer from 1024 to 1048576',
    '  SEQUENCE_MOCK_MAX_URL_LENGTH (--max-url-length)="long": expected characters of path and query before 414, an integer from 256 to 1048576',
    '  SEQUENCE_MOCK_MAX_BODY_BYTES (--max-body-bytes)="1e6": expected bytes of a request body before 413, an integer from 1024 to 268435456',
    '  SEQUENCE_MOCK_REQUEST_TIMEOUT_MS (--request-timeout-ms)="0": expected milliseconds for a request\'s headers and body to arrive before 408, an integer from 1000 to 600000'
  ].join('\n'))
  t.notMatch(error.message, 'topsecret', 'secrets are never echoed')
})

for (const credentials of ['key', 'key:', ':secret', 'key:secret,', 'key:secret@2099-01-01']) {
  t.test(`credentials ${JSON.stringify(credentials)} are rejected`, async (t) => {
    t.throws(() => loadConfig({ SEQUENCE_MOCK_CREDENTIALS: credentials }), { name: 'ConfigError', message: /SEQUENCE_MOCK_CREDENTIALS/ })
  })
}

t.test('SEQUENCE_MOCK_DELAY_MS takes a fixed delay or a range; a range must run from low to high within 60000', async (t) => {
  t.same(loadConfig({ SEQUENCE_MOCK_DELAY_MS: '50-300' }).delayMs, { min: 50, max: 300 })
  t.same(loadConfig({ SEQUENCE_MOCK_DELAY_MS: ' 7-7 ' }).delayMs, { min: 7, max: 7 })
  for (const bad of ['300-50', 'a-b', '70000', '0-60001', '-5', '5-']) {
    t.throws(() => loadConfig({ SEQUENCE_MOCK_DELAY_MS: bad }), { message: `SEQUENCE_MOCK_DELAY_MS (--delay-ms)=${JSON.stringify(bad)}` }, bad)
  }
})

t.test('SEQUENCE_MOCK_CORS=off turns CORS off', async (t) => {
  t.same(loadConfig({ SEQUENCE_MOCK_CORS: 'off' }).corsOrigins, [])
})

t.test('a port beyond 65535 is rejected', async (t) => {
  t.throws(() => loadConfig({ SEQUENCE_MOCK_PORT: '65536' }), { message: /SEQUENCE_MOCK_PORT \(--port\)="65536"/ })
})
