// The Users resource: list, get, update (older versions) and delete, in the shape of the request's API version.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { DELETE_MODES } from '../config.js'
import {
  AnyUserSchema, ErrorSchema, ListUsersQuerySchema, UpdateUserBodySchema, UpdateUserResponseSchema,
  UserPageSchema, UserParamsSchema, VersionHeadersSchema
} from '../contract/schemas.js'
import { decodeCursor, type Cursor } from '../data/cursor.js'
import { selectPage, type Page } from '../data/page.js'
import type { UserStore } from '../data/user-store.js'
import { userNotFound, validationError } from '../http/errors.js'
import { pageJson, userJson } from '../http/serialize.js'

export interface UsersRoutesOptions {
  readonly users: UserStore
  readonly defaultLimit: number
  readonly deleteMode: (typeof DELETE_MODES)[number]
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The page a list request was answered with, for the client report. */
    page: Page | null
  }
}

const errorResponses = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 405: ErrorSchema, 429: ErrorSchema, 500: ErrorSchema, 503: ErrorSchema }
/** An id over Fastify's 100-character parameter limit. */
const idErrors = { ...errorResponses, 414: ErrorSchema }
/** Fastify reads the body of a PUT or DELETE: too large, or not JSON. */
const bodyErrors = { ...idErrors, 413: ErrorSchema, 415: ErrorSchema }

export const usersRoutes: FastifyPluginAsyncTypebox<UsersRoutesOptions> = async (app, { users, defaultLimit, deleteMode }) => {
  /** A read's answer depends only on the request and the users: it may be replayed until they change (src/http/replay.ts). */
  function replayable (request: FastifyRequest, reply: FastifyReply, json: string): FastifyReply {
    request.replayRevision = users.revision
    return sendJson(reply, Buffer.from(json))
  }

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
    request.page = page
    return replayable(request, reply, pageJson(page, request.apiVersion))
  })

  app.get('/users/:id', {
    schema: {
      params: UserParamsSchema,
      headers: VersionHeadersSchema,
      response: { 200: AnyUserSchema, ...idErrors }
    }
  }, async (request, reply) => {
    const user = users.get(request.params.id) ?? throwNotFound(request.params.id)
    return replayable(request, reply, userJson(user, request.apiVersion))
  })

  // Published in 2024-01-01 and 2024-05-09 only; the version step answers 405 in 2024-07-30.
  app.put('/users/:id', {
    schema: {
      params: UserParamsSchema,
      headers: VersionHeadersSchema,
      body: UpdateUserBodySchema,
      response: { 201: UpdateUserResponseSchema, ...bodyErrors }
    }
  }, async (request, reply) => {
    const { sequenceAccountIds } = request.body
    const user = users.update(request.params.id, (current) => ({ ...current, sequenceAccountIds })) ?? throwNotFound(request.params.id)
    reply.code(201).type('application/json; charset=utf-8')
    return { id: user.id, sequenceAccountIds: user.sequenceAccountIds }
  })

  app.delete('/users/:id', {
    schema: {
      params: UserParamsSchema,
      headers: VersionHeadersSchema,
      response: { 200: AnyUserSchema, ...bodyErrors }
    }
  }, async (request, reply) => {
    const { id } = request.params
    const user = users.get(id) ?? throwNotFound(id)
    // Soft: the user stays, listed and found by id, as `deleted`. Hard: it is gone.
    if (deleteMode === 'hard') users.remove(id)
    else users.update(id, (current) => ({ ...current, state: 'deleted' }))
    return sendJson(reply, Buffer.from(userJson({ ...user, state: 'deleted' }, request.apiVersion)))
  })

  // Other methods on the two paths reach the version step, which answers 405 with the Allow header.
  const unpublished = { schema: { response: errorResponses } }
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/users', ...unpublished, handler: unreachable })
  app.route({ method: ['POST', 'PATCH'], url: '/users/:id', ...unpublished, handler: unreachable })
}

function throwNotFound (id: string): never {
  throw userNotFound(id)
}

async function unreachable (): Promise<never> {
  throw new Error('the version step answers 405 before this handler')
}

function parseCursor (key: 'after' | 'before', text: string | undefined): Cursor | undefined {
  if (text === undefined) return undefined
  const cursor = decodeCursor(text)
  if (cursor === undefined) {
    throw validationError([{ key, message: `Invalid ${key}: not a cursor from this API. Pass pagination.after or pagination.before of a previous page unchanged (URL-encoded).` }])
  }
  return cursor
}

/** Bytes written by src/http/serialize.ts, sent as they are. */
function sendJson (reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body)
}
