// Basic auth against the configured credentials, compared in constant time, before anything else.
import { createHash, timingSafeEqual } from 'node:crypto'
import fastifyBasicAuth from '@fastify/basic-auth'
import type { FastifyInstance } from 'fastify'
import type { Credential } from '../config.js'
import { ApiError, AUTHENTICATE_HINT } from './errors.js'

/** @see https://docs.sequencehq.com/reference/authentication */
export async function registerBasicAuth (app: FastifyInstance, credentials: readonly Credential[]): Promise<void> {
  // Digests have one length, so timingSafeEqual never throws and never leaks a length.
  const digest = (clientId: string, clientSecret: string): Buffer =>
    createHash('sha256').update(`${clientId}:${clientSecret}`).digest()
  const known = credentials.map((credential) => ({ credential, digest: digest(credential.clientId, credential.clientSecret) }))

  await app.register(fastifyBasicAuth, {
    authenticate: { realm: 'Sequence' },
    validate: async (clientId, clientSecret, request) => {
      const given = digest(clientId, clientSecret)
      let match: Credential | undefined
      for (const entry of known) {
        if (timingSafeEqual(given, entry.digest)) match ??= entry.credential
      }
      if (match === undefined) throw new ApiError(401, 'Unauthorized', `Invalid API credentials. ${AUTHENTICATE_HINT}`)
      request.credential = match
    }
  })
  app.addHook('onRequest', app.basicAuth)
}
