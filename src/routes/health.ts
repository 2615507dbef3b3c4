// GET /health: outside /api and without auth, for container health checks and humans.
import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorSchema } from '../contract/schemas.js'
import { API_VERSIONS, LATEST_VERSION } from '../contract/versions.js'
import type { UserStore } from '../data/user-store.js'
import { MOCK_NAME, MOCK_VERSION } from '../package-info.js'

export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  name: Type.String(),
  version: Type.String(),
  users: Type.Integer(),
  apiVersions: Type.Array(Type.String()),
  latestApiVersion: Type.String()
})

export const healthRoutes: FastifyPluginAsyncTypebox<{ users: UserStore }> = async (app, { users }) => {
  app.get('/health', { schema: { response: { 200: HealthSchema, 500: ErrorSchema } } }, async () => ({
    status: 'ok' as const,
    name: MOCK_NAME,
    version: MOCK_VERSION,
    users: users.size,
    apiVersions: [...API_VERSIONS],
    latestApiVersion: LATEST_VERSION
  }))
}
