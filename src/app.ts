// buildApp(config): wires contract, data and HTTP into a ready Fastify instance; it never listens.
import Fastify, { type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config, Credential } from './config.js'
import { LATEST_VERSION, type ApiVersion } from './contract/versions.js'
import { createDataset } from './data/dataset.js'
import type { UserStore } from './data/user-store.js'
import { registerBasicAuth } from './http/auth.js'
import { registerErrorEnvelope, sendError } from './http/errors.js'
import { registerRateLimit } from './http/rate-limit.js'
import { labelVersion, selectVersion } from './http/version.js'
import { usersRoutes } from './routes/users.js'

declare module 'fastify' {
  interface FastifyRequest {
    apiVersion: ApiVersion
    credential: Credential | undefined
  }
}

export interface AppDependencies {
  /** A dataset built elsewhere (tests); by default it is created from the config. */
  readonly users?: UserStore
}

export async function buildApp (config: Config, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const users = deps.users ?? await createDataset({ ...config, size: config.users })
  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    // Query strings are text: coerce `limit=5` to 5, but never drop or invent what the client sent.
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: false, allErrors: true } },
    frameworkErrors: sendError
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorateRequest('apiVersion', LATEST_VERSION)
  app.decorateRequest('credential', undefined)
  registerErrorEnvelope(app)
  app.addHook('onRequest', labelVersion)

  // Sequence's order of checks: authentication, then version, then query validation (route schemas).
  await app.register(async (api) => {
    await registerBasicAuth(api, config.credentials)
    api.addHook('onRequest', selectVersion)
    await registerRateLimit(api, config.rateLimit)
    await api.register(usersRoutes, { users, defaultLimit: config.defaultLimit })
  }, { prefix: '/api' })

  await app.ready()
  return app
}
