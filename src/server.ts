// The process: configuration from environment-style variables, listen, and a graceful stop on signals.
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { ConfigError, DEFAULT_CREDENTIALS, loadConfig, type Config } from './config.js'
import { FixturesError } from './data/fixtures.js'

/** Starts the mock from SEQUENCE_MOCK_* variables; bad configuration or fixtures exit 1 with a message. */
export async function serve (env: Readonly<Record<string, string | undefined>>): Promise<void> {
  let config: Config
  try {
    config = loadConfig(env)
  } catch (error) {
    exitOnBadInput(error)
  }
  const logFormat = config.logFormat === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : config.logFormat
  let app: FastifyInstance | undefined

  // Installed before the dataset is built: Node as PID 1 (in a container) ignores SIGTERM without a
  // handler. Stop accepting connections, let in-flight requests finish within the grace period,
  // then exit 0 (1 if the period runs out).
  closeWithGrace({ delay: config.shutdownGraceMs, logger: { error: (message: string) => process.stderr.write(`sequence-mock: ${message}\n`) } }, async ({ signal, err }) => {
    if (err !== undefined) app?.log.error({ err }, 'closing after an error')
    else app?.log.info(`${signal} received, closing`)
    await app?.close()
    // After close, so that requests still in flight are in it; on standard output, so `docker logs` has it.
    if (config.reportOnExit && app !== undefined) process.stdout.write(app.mock.report.toText())
  })

  try {
    app = await buildApp({ ...config, logFormat })
  } catch (error) {
    exitOnBadInput(error)
  }
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const [first] = config.credentials
  // Standard output ends up in `docker logs` and CI logs: only Sequence's documented example secret is shown.
  const example = `${first?.clientId}:${first?.clientSecret}` === DEFAULT_CREDENTIALS
  const secret = example ? `secret "${first?.clientSecret}"` : 'secret not shown'
  process.stdout.write(
    `sequence-mock listening on http://${host}:${port}/api\n` +
    `  credentials: client id "${first?.clientId}", ${secret}` +
    `${config.credentials.length > 1 ? ` (and ${config.credentials.length - 1} more pairs)` : ''}\n` +
    `  try: curl -u '${first?.clientId}:${example ? first?.clientSecret : '<secret>'}' http://${host}:${port}/api/users\n`
  )
  if (!isLoopback(config.host) && config.adminToken === undefined) {
    process.stderr.write(
      `sequence-mock: warning: listening on ${config.host}, so other hosts can reach it, and the /_mock API, which resets and ` +
      'rewrites the data, needs no token. Set SEQUENCE_MOCK_ADMIN_TOKEN, or SEQUENCE_MOCK_HOST=127.0.0.1 if only this host needs it.\n'
    )
  }
}

/** Whether only this host can connect: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** Bad configuration or fixtures: their message and exit 1, no stack trace. Anything else is a bug: rethrown. */
function exitOnBadInput (error: unknown): never {
  if (!(error instanceof ConfigError || error instanceof FixturesError)) throw error
  process.stderr.write(`sequence-mock: ${error.message}\n`)
  process.exit(1)
}

const main = process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url
if (main) await serve(process.env)
