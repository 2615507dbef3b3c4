// GET /openapi.json and GET /openapi/{version}.json: the mock's own OpenAPI documents (placeholder).
import type { FastifyPluginAsync } from 'fastify'

export const openapiRoutes: FastifyPluginAsync = async () => {}
