// GET /users and GET /users/{id}: pages and users in the shape of the request's API version.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import {
  AnyUserSchema, ErrorSchema, ListUsersQuerySchema, UserPageSchema, UserPageSchemas,
  UserParamsSchema, UserSchemas, VersionHeadersSchema, type UserPage
} from '../contract/schemas.js'
import { hasNullableCursors, type ApiVersion } from '../contract/versions.js'
import { decodeCursor, type Cursor } from '../data/cursor.js'
import { selectPage, type Page } from '../data/page.js'
import type { UserStore } from '../data/user-store.js'
import { ApiError, validationError } from '../http/errors.js'

export interface UsersRoutesOptions {
  readonly users: UserStore
  readonly defaultLimit: number
}

const errorResponses = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema, 500: ErrorSchema }

export const usersRoutes: FastifyPluginAsyncTypebox<UsersRoutesOptions> = async (app, { users, defaultLimit }) => {
  app.get('/users', {
    schema: {
      querystring: ListUsersQuerySchema,
      headers: VersionHeadersSchema,
      response: { 200: UserPageSchema, ...errorResponses }
    }
  }, async (request, reply) => {
    const { after, before } = request.query
    const limit = request.query.limit === undefined ? defaultLimit : Number(request.query.limit)
    if (after !== undefined && before !== undefined) {
      throw validationError([{ key: 'before', message: 'Send either after or before, not both.' }])
    }
    const page = selectPage(users, { limit, after: parseCursor('after', after), before: parseCursor('before', before) })
    serializeAs(reply, UserPageSchemas[request.apiVersion])
    return pageBody(page, request.apiVersion)
  })

  app.get('/users/:id', {
    schema: {
      params: UserParamsSchema,
      headers: VersionHeadersSchema,
      response: { 200: AnyUserSchema, ...errorResponses }
    }
  }, async (request, reply) => {
    const user = users.get(request.params.id)
    if (user === undefined) throw new ApiError(404, 'NotFound', `No user with id ${JSON.stringify(request.params.id)}.`)
    serializeAs(reply, UserSchemas[request.apiVersion])
    return user
  })
}

function parseCursor (key: 'after' | 'before', text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined
  const cursor = decodeCursor(text)
  if (cursor === undefined) {
    throw validationError([{ key, message: `Invalid ${key}: not a cursor from this API. Pass pagination.after or pagination.before of a previous page unchanged (URL-encoded).` }])
  }
  return cursor
}

/** In 2024-07-30 an absent cursor is null; older versions omit it (their schema is not nullable). */
function pageBody (page: Page, version: ApiVersion): UserPage {
  const { items, after, before, totalResultSize } = page
  return hasNullableCursors(version)
    ? { items, pagination: { after: after ?? null, before: before ?? null, totalResultSize } }
    : { items, pagination: { after, before, totalResultSize } }
}

/** The route's response schema is the union of versions; each reply is serialized by its own version's schema. */
function serializeAs (reply: FastifyReply, schema: object): void {
  reply.type('application/json; charset=utf-8')
  reply.serializer(reply.compileSerializationSchema(schema as Record<string, unknown>))
}
