// GET /openapi.json and GET /openapi/{version}.json: the mock's own OpenAPI documents, without credentials.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { buildOpenApiDocument, OpenApiDocumentSchema, type OpenApiDocument } from '../contract/openapi.js'
import { ErrorSchema } from '../contract/schemas.js'
import { API_VERSIONS, isApiVersion, LATEST_VERSION, type ApiVersion } from '../contract/versions.js'
import { ApiError } from '../http/errors.js'

const AVAILABLE = [`/openapi.json (API version ${LATEST_VERSION})`, ...API_VERSIONS.map((version) => `/openapi/${version}.json`)]
  .join(', ').replace(/, ([^,]*)$/, ' and $1')
const response = { 200: OpenApiDocumentSchema, 404: ErrorSchema, 500: ErrorSchema }

export const openapiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/openapi.json', { schema: { response } }, async (request, reply) => documentFor(LATEST_VERSION, request, reply))

  app.get('/openapi/:file', { schema: { params: Type.Object({ file: Type.String() }), response } }, async (request, reply) => {
    const version = /^(.*)\.json$/.exec(request.params.file)?.[1]
    if (!isApiVersion(version)) {
      throw new ApiError(404, 'NotFound', `No OpenAPI document at ${request.url.split('?')[0]}. The mock serves ${AVAILABLE}.`)
    }
    return documentFor(version, request, reply)
  })
}

/** The server URL is this mock as the client reached it, so generated clients and Swagger UI call it back. */
function documentFor (version: ApiVersion, request: FastifyRequest, reply: FastifyReply): OpenApiDocument {
  reply.type('application/json; charset=utf-8')
  const serverUrl = request.host ? `${request.protocol}://${request.host}/api` : '/api'
  return buildOpenApiDocument(version, serverUrl)
}
