// /_mock: the test controls (reset, users, scenarios, journal, report), beside the API and never behind its Basic auth.
import { randomUUID, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { ErrorSchema, UserV20240730Schema } from '../contract/schemas.js'
import type { MockControls } from '../controls.js'
import { formatMicros, InvalidUserError, InvalidUsersError, parseNewUser, parseUsers } from '../data/fixtures.js'
import type { StoredUser } from '../data/user-store.js'
import { digest } from '../http/auth.js'
import { ApiError, userNotFound, validationError } from '../http/errors.js'
import { JournalEntrySchema } from '../http/journal.js'
import { ClientReportSchema } from '../http/report.js'
import { ScenarioInputSchema, ScenarioSchema } from '../http/scenarios.js'

export interface AdminRoutesOptions {
  readonly controls: MockControls
  readonly adminToken: string | undefined
}

/** A stored user as the admin API shows it: the 2024-07-30 shape plus its creation time. */
const AdminUserSchema = Type.Object({ ...UserV20240730Schema.properties, createdAt: Type.String() })
type AdminUser = Static<typeof AdminUserSchema>
const CountSchema = (name: string) => Type.Object({ [name]: Type.Integer() })
const IdParamsSchema = Type.Object({ id: Type.String() })
const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 500: ErrorSchema }

/** Room for a large `PUT /_mock/users` (about 400,000 users); the API's own routes keep Fastify's 1 MiB. */
const DATASET_BODY_LIMIT = 256 * 1024 * 1024

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { controls, adminToken }) => {
  const { users, scenarios, journal, report } = controls
  // `curl -X POST -H 'Content-Type: application/json' …/_mock/reset` sends no body: here that is no body, not bad JSON.
  const parseJson = app.getDefaultJsonParser('remove', 'ignore')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined)
    else parseJson(request, body as string, done)
  })
  if (adminToken !== undefined) {
    const expected = digest(adminToken)
    app.addHook('onRequest', async (request: FastifyRequest) => {
      const given = /^Bearer +(.+)$/i.exec(request.headers.authorization ?? '')?.[1]
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        throw new ApiError(401, 'Unauthorized', 'The /_mock API needs `Authorization: Bearer <token>` with the token the mock was started with (SEQUENCE_MOCK_ADMIN_TOKEN).',
          undefined, { 'www-authenticate': 'Bearer realm="sequence-mock"' })
      }
    })
  }

  app.post('/reset', { schema: { response: { 200: Type.Object({ users: Type.Integer() }), ...errors } } }, async () => {
    controls.reset()
    return { users: users.size }
  })

  app.post('/users', { schema: { body: Type.Unknown(), response: { 201: AdminUserSchema, ...errors } } }, async (request, reply) => {
    const user = asBadRequest(() => parseNewUser(request.body, { id: randomUUID(), createdAtMicros: nowMicros() }))
    if (users.get(user.id) !== undefined) throw validationError([{ key: 'id', message: `Invalid id: a user with id ${user.id} already exists.` }])
    if (users.idOfEmail(user.email) !== undefined) throw validationError([{ key: 'email', message: `Invalid email: a user with email ${user.email} already exists.` }])
    users.add(user)
    reply.code(201)
    return adminUser(user)
  })

  app.put('/users', { bodyLimit: DATASET_BODY_LIMIT, schema: { body: Type.Unknown(), response: { 200: CountSchema('users'), ...errors } } }, async (request) => {
    users.replaceAll(asBadRequest(() => parseUsers(request.body)))
    return { users: users.size }
  })

  app.delete('/users/:id', { schema: { params: IdParamsSchema, response: { 200: AdminUserSchema, ...errors } } }, async (request) => {
    const user = users.remove(request.params.id)
    if (user === undefined) throw userNotFound(request.params.id)
    return adminUser(user)
  })

  app.get('/scenarios', { schema: { response: { 200: Type.Object({ scenarios: Type.Array(ScenarioSchema) }), ...errors } } }, async () =>
    ({ scenarios: scenarios.list() }))

  app.post('/scenarios', { schema: { body: ScenarioInputSchema, response: { 201: ScenarioSchema, ...errors } } }, async (request, reply) => {
    reply.code(201)
    return scenarios.add(request.body)
  })

  app.delete('/scenarios', { schema: { response: { 200: CountSchema('removed'), ...errors } } }, async () => {
    const removed = scenarios.list().length
    scenarios.clear()
    return { removed }
  })

  app.delete('/scenarios/:id', { schema: { params: IdParamsSchema, response: { 200: ScenarioSchema, ...errors } } }, async (request) => {
    const scenario = scenarios.remove(request.params.id)
    if (scenario === undefined) throw new ApiError(404, 'NotFound', `No scenario with id ${JSON.stringify(request.params.id)}.`)
    return scenario
  })

  app.get('/requests', {
    schema: {
      querystring: Type.Object({
        clientId: Type.Optional(Type.String()),
        path: Type.Optional(Type.String()),
        status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
        limit: Type.Optional(Type.Integer({ minimum: 1 }))
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ requests: Type.Array(JournalEntrySchema) }), ...errors }
    }
  }, async (request) => ({ requests: journal.list(request.query) }))

  app.delete('/requests', { schema: { response: { 200: CountSchema('removed'), ...errors } } }, async () => {
    const removed = journal.list().length
    journal.clear()
    return { removed }
  })

  app.get('/report', {
    schema: {
      querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'text'])) }, { additionalProperties: false }),
      // With format=text the body is the text, sent as it is (a string with a text content type is not serialized).
      response: { 200: Type.Union([ClientReportSchema, Type.String()]), ...errors }
    }
  }, async (request, reply) => {
    if (request.query.format === 'text') return reply.type('text/plain; charset=utf-8').send(report.toText())
    return report.toJSON()
  })

  app.delete('/report', { schema: { response: { 200: Type.Object({ cleared: Type.Boolean() }), ...errors } } }, async () => {
    report.clear()
    return { cleared: true }
  })
}

/** Now, in epoch microseconds: a user added without createdAt is the newest, listed first. */
function nowMicros (): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000)
}

function adminUser ({ createdAtMicros, ...user }: StoredUser): AdminUser {
  return { ...user, createdAt: formatMicros(createdAtMicros) }
}

/** A bad user is the caller's mistake: 400 naming the user's index (in a list) and field. */
function asBadRequest<T> (parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof InvalidUserError) {
      const key = [error.index === undefined ? '' : `[${error.index}]`, error.field].filter(Boolean).join('.') || 'body'
      throw validationError([{ key, message: `Invalid ${key}: ${error.problem}.` }])
    }
    if (error instanceof InvalidUsersError) throw validationError([{ key: 'body', message: `Invalid body: ${error.message}.` }])
    throw error
  }
}
