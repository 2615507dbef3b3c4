// The process entry point: configuration from the environment, listen, and stop on signals.
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { FixturesError } from './data/fixtures.js'

try {
  const config = loadConfig(process.env)
  const app = await buildApp(config)
  await app.listen({ host: config.host, port: config.port })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const [first] = config.credentials
  process.stdout.write(
    `sequence-mock listening on http://${host}:${port}/api\n` +
    `  credentials: client id "${first?.clientId}", secret "${first?.clientSecret}"` +
    `${config.credentials.length > 1 ? ` (and ${config.credentials.length - 1} more pairs)` : ''}\n` +
    `  try: curl -u '${first?.clientId}:${first?.clientSecret}' http://${host}:${port}/api/users\n`
  )
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.close().then(() => process.exit(0), () => process.exit(1))
    })
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof FixturesError) {
    process.stderr.write(`sequence-mock: ${error.message}\n`)
    process.exit(1)
  }
  throw error
}
