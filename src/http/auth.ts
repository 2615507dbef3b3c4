// Basic auth against the configured credentials, compared in constant time, before anything else.
import { createHash, timingSafeEqual } from 'node:crypto'
import fastifyBasicAuth from '@fastify/basic-auth'
import type { FastifyInstance } from 'fastify'
import type { Credential } from '../config.js'
import { invalidCredentials } from './errors.js'

/** Digests have one length, so timingSafeEqual never throws and never leaks a length. */
export function digest (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** @see https://docs.sequencehq.com/reference/authentication */
export async function registerBasicAuth (app: FastifyInstance, credentials: readonly Credential[]): Promise<void> {
  const known = credentials.map((credential) => ({ credential, digest: digest(`${credential.clientId}:${credential.clientSecret}`) }))

  await app.register(fastifyBasicAuth, {
    authenticate: { realm: 'Sequence' },
    validate: async (clientId, clientSecret, request) => {
      const given = digest(`${clientId}:${clientSecret}`)
      let match: Credential | undefined
      for (const entry of known) {
        if (timingSafeEqual(given, entry.digest)) match ??= entry.credential
      }
      if (match === undefined) throw invalidCredentials()
      request.credential = match
    }
  })
  app.addHook('onRequest', app.basicAuth)
}

/** The client id a Basic Authorization header names, right or wrong; never its secret. */
export function basicClientId (header: string | undefined): string | undefined {
  const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header ?? '')
  if (match === null) return undefined
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon > 0 ? decoded.slice(0, colon) : undefined
}
