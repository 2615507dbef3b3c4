// The mock's own OpenAPI 3.0.3 document per API version, built from the TypeBox schemas and the operations table.
import { Type, type Static } from 'typebox'
import { MOCK_NAME, MOCK_VERSION } from '../package-info.js'
import { OPERATIONS, type Operation } from './operations.js'
import {
  ErrorDetailSchema, ErrorSchema, PermissionSchema, RoleSchema, UpdateUserBodySchema, UpdateUserResponseSchema,
  UserPageSchemas, UserSchemas
} from './schemas.js'
import { hasNullableCursors, type ApiVersion } from './versions.js'

export type OpenApiSchema = Record<string, unknown>

/** The top level, for the serializer (in this key order); paths and components are sent as the builder made them. */
export const OpenApiDocumentSchema = Type.Object({
  openapi: Type.Literal('3.0.3'),
  info: Type.Object({ title: Type.String(), description: Type.String(), version: Type.String() }),
  servers: Type.Array(Type.Object({ url: Type.String(), description: Type.String() })),
  security: Type.Array(Type.Record(Type.String(), Type.Array(Type.String()))),
  paths: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
  components: Type.Object({
    schemas: Type.Record(Type.String(), Type.Unknown()),
    securitySchemes: Type.Record(Type.String(), Type.Unknown())
  })
})
export type OpenApiDocument = Static<typeof OpenApiDocumentSchema>

/** @see https://spec.openapis.org/oas/v3.0.3#schema-object: any other JSON Schema keyword is dropped. */
const OPENAPI_KEYWORDS = new Set([
  'title', 'description', 'default', 'example', 'deprecated', 'readOnly', 'writeOnly', 'nullable',
  'type', 'format', 'enum', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties',
  'required', 'properties', 'additionalProperties', 'items', 'allOf', 'oneOf', 'anyOf', 'not'
])

const isNullSchema = (schema: unknown): boolean => (schema as { type?: unknown } | null)?.type === 'null'
const ref = (name: string): OpenApiSchema => ({ $ref: `#/components/schemas/${name}` })

/**
 * A TypeBox (JSON Schema) shape as an OpenAPI 3.0 Schema Object: `anyOf [X, null]` becomes X with
 * `nullable: true`, `const` a one-value `enum`, numeric exclusive bounds 3.0's boolean ones; property
 * order is kept (the contract cares about key order). Shapes that `refOf` names become `$ref`s.
 */
export function toOpenApiSchema (schema: object, refOf: (shape: object) => string | undefined = () => undefined): OpenApiSchema {
  const child = (shape: unknown): unknown => {
    if (typeof shape !== 'object' || shape === null) return shape
    const name = refOf(shape)
    return name === undefined ? toOpenApiSchema(shape, refOf) : ref(name)
  }
  const { anyOf, ...rest } = schema as Record<string, unknown>
  if (Array.isArray(anyOf) && anyOf.some(isNullSchema)) {
    const members = anyOf.filter((member) => !isNullSchema(member))
    const base = (members.length === 1 ? child(members[0]) : { anyOf: members.map(child) }) as OpenApiSchema
    // In 3.0 a `$ref` ignores its siblings, so a nullable reference needs the allOf wrapper.
    return { ...('$ref' in base ? { allOf: [base] } : base), ...toOpenApiSchema(rest, refOf), nullable: true }
  }
  const result: OpenApiSchema = {}
  for (const [keyword, value] of Object.entries(schema)) {
    if (keyword === 'const') {
      result['enum'] = [value]
    } else if ((keyword === 'exclusiveMinimum' || keyword === 'exclusiveMaximum') && typeof value === 'number') {
      result[keyword === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value
      result[keyword] = true
    } else if (!OPENAPI_KEYWORDS.has(keyword)) {
      continue
    } else if (keyword === 'properties') {
      result[keyword] = Object.fromEntries(Object.entries(value as object).map(([name, shape]) => [name, child(shape)]))
    } else if (keyword === 'items' || keyword === 'additionalProperties' || keyword === 'not') {
      result[keyword] = child(value)
    } else if (keyword === 'allOf' || keyword === 'oneOf' || keyword === 'anyOf') {
      result[keyword] = (value as unknown[]).map(child)
    } else {
      result[keyword] = value
    }
  }
  // TypeBox's enums carry no `type`; code generators read a typeless enum as `unknown`.
  const values = result['enum']
  if (result['type'] === undefined && Array.isArray(values) && values.every((value) => typeof value === 'string')) {
    return { type: 'string', ...result }
  }
  return result
}

/** The shapes that are components, named as Sequence's documents name them where they name them. */
function componentShapes (version: ApiVersion): ReadonlyArray<readonly [string, object]> {
  const page = UserPageSchemas[version]
  return [
    ['ListSequenceUsersResponse', page],
    // Sequence's 2024-07-30 document calls its nullable variant PaginationResponse2.
    [hasNullableCursors(version) ? 'PaginationResponse2' : 'PaginationResponse', page.properties.pagination],
    ['SequenceUserResponse', UserSchemas[version]],
    // Sequence's Role is an object with an enum of JSON strings, which no value matches: the mock's is a real object.
    ['Role', RoleSchema],
    ['Permission', PermissionSchema],
    ['UpdateSequenceUserRequest', UpdateUserBodySchema],
    ['UpdateSequenceUserResponse', UpdateUserResponseSchema],
    ['ErrorResponse', ErrorSchema],
    ['ErrorDetail', ErrorDetailSchema]
  ]
}

/** The request body and success body of an operation in a version. */
function bodiesOf (operation: Operation, version: ApiVersion): { request?: object, response: object } {
  switch (operation.operationId) {
    case 'getUsers': return { response: UserPageSchemas[version] }
    case 'getUsersById': return { response: UserSchemas[version] }
    case 'putUsersById': return { request: UpdateUserBodySchema, response: UpdateUserResponseSchema }
    case 'deleteUsersById': return { response: UserSchemas[version] }
    default: throw new Error(`No OpenAPI shapes for operation ${operation.operationId}`)
  }
}

const SUCCESS: Readonly<Record<Operation['status'], string>> = { 200: 'OK', 201: 'Created' }

const ERRORS: Readonly<Record<number, string>> = {
  400: 'An unknown Sequence-Version (`UnrecognisedApiVersion`), or invalid request data (`validationError`, with `errors`).',
  401: 'Missing, malformed or wrong credentials (`Unauthorized`).',
  404: 'No user with this id (`NotFound`); on the list, only when simulated with `Prefer: code=404`.',
  413: 'The request body is over `SEQUENCE_MOCK_MAX_BODY_BYTES`, 1 MiB by default (`PayloadTooLarge`).',
  414: 'The path and query are over `SEQUENCE_MOCK_MAX_URL_LENGTH`, 8,192 characters by default, or an id over 100 characters (`URITooLong`).',
  415: 'The request body is not sent as `application/json` (`UnsupportedMediaType`).',
  429: 'Over the rate limit of 1,500 requests a minute per API key (`TooManyRequests`).',
  500: 'A fault in the mock (`InternalServerError`); the details are in its log.',
  503: 'Unavailable (`ServiceUnavailable`); the mock answers it only when simulated with `Prefer: code=503`.'
}

/** The errors the mock can answer an operation with; 405 goes only to operations a version does not publish. */
function errorStatuses (operation: Operation): number[] {
  // Fastify parses a body on every method but GET.
  const body = operation.method !== 'GET' ? [413, 415] : []
  return [400, 401, 404, ...body, 414, 429, 500, 503].sort((a, b) => a - b)
}

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 0 } } }
const ERROR_HEADERS: Readonly<Record<number, object>> = {
  401: { 'WWW-Authenticate': { description: 'The Basic challenge, realm `Sequence`.', required: true, schema: { type: 'string' } } },
  429: RETRY_AFTER,
  503: RETRY_AFTER
}

function parametersOf (operation: Operation, version: ApiVersion): object[] {
  const path = operation.path.includes('{id}')
    ? [{ name: 'id', in: 'path', description: 'Sequence user id.', required: true, schema: { type: 'string' } }]
    : []
  const query = operation.operationId === 'getUsers'
    ? [
        { name: 'limit', in: 'query', description: 'Maximum number of users per page. Must be between 1 and 100 (inclusive).', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } },
        { name: 'after', in: 'query', description: 'A cursor: `pagination.after` of the previous page, unchanged. Not with `before`.', required: false, schema: { type: 'string' } },
        { name: 'before', in: 'query', description: 'A cursor: `pagination.before` of the next page, unchanged. Not with `after`.', required: false, schema: { type: 'string' } }
      ]
    : []
  // Credentials are the security scheme, not an Authorization parameter, so generated clients handle them.
  const header = { name: 'Sequence-Version', in: 'header', description: 'The API version; without it, the latest (or the key\'s pinned version).', required: false, schema: { type: 'string', enum: [version] } }
  return [...path, ...query, header]
}

/** Sequence's users operations as the mock serves them in `version`, at `serverUrl` (e.g. `http://127.0.0.1:8910/api`). */
export function buildOpenApiDocument (version: ApiVersion, serverUrl: string): OpenApiDocument {
  const shapes = componentShapes(version)
  const used: string[] = []
  const refOf = (shape: object): string | undefined => {
    const name = shapes.find(([, candidate]) => candidate === shape)?.[0]
    if (name !== undefined && !used.includes(name)) used.push(name)
    return name
  }
  const use = (shape: object): OpenApiSchema => {
    const name = refOf(shape)
    return name === undefined ? toOpenApiSchema(shape, refOf) : ref(name)
  }
  const json = (shape: object): object => ({ 'application/json': { schema: use(shape) } })

  const paths: Record<string, Record<string, unknown>> = {}
  for (const operation of OPERATIONS.filter((candidate) => candidate.versions.includes(version))) {
    const bodies = bodiesOf(operation, version)
    const responses: Record<string, unknown> = {
      [operation.status]: {
        description: SUCCESS[operation.status],
        headers: { 'Sequence-Version': { description: 'The API version the response is in.', required: true, schema: { type: 'string', enum: [version] } } },
        content: json(bodies.response)
      }
    }
    for (const status of errorStatuses(operation)) {
      responses[status] = { description: ERRORS[status], ...(ERROR_HEADERS[status] !== undefined && { headers: ERROR_HEADERS[status] }), content: json(ErrorSchema) }
    }
    const pathItem = (paths[operation.path] ??= {})
    pathItem[operation.method.toLowerCase()] = {
      operationId: operation.operationId,
      summary: operation.summary,
      ...(operation.deprecated && { deprecated: true }),
      parameters: parametersOf(operation, version),
      ...(bodies.request !== undefined && { requestBody: { required: true, content: json(bodies.request) } }),
      responses
    }
  }

  // Components name components (a user its roles): `used` grows while this loop reads it.
  const converted = new Map<string, OpenApiSchema>()
  for (const name of used) {
    const shape = shapes.find(([candidate]) => candidate === name)?.[1] as object
    converted.set(name, toOpenApiSchema(shape, refOf))
  }
  const schemas = Object.fromEntries(shapes.filter(([name]) => converted.has(name)).map(([name]) => [name, converted.get(name)]))

  return {
    openapi: '3.0.3',
    info: {
      title: `${MOCK_NAME}: Sequence API (users), as the mock serves it`,
      description: `${MOCK_NAME} ${MOCK_VERSION}'s own description of Sequence's users endpoints in API version ${version}: ` +
        'a local, offline stand-in, not Sequence. Authenticate with Basic auth; the mock\'s default credentials are `key:secret`.',
      version
    },
    servers: [{ url: serverUrl, description: `${MOCK_NAME}, as this request reached it` }],
    security: [{ basicAuth: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { basicAuth: { type: 'http', scheme: 'basic' } }
    }
  }
}
