// The mock's own OpenAPI documents: what they declare, that the mock's responses match them, and that generators accept them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { Ajv, type ValidateFunction } from 'ajv'
import formats from 'ajv-formats'
import type { InjectOptions } from 'fastify'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { toOpenApiSchema } from '../src/contract/openapi.js'
import { OPERATIONS } from '../src/contract/operations.js'
import { ROLE_NAMES } from '../src/contract/roles.js'
import { API_VERSIONS, type ApiVersion } from '../src/contract/versions.js'
import { AUTH, build, get } from './helper.js'

// ajv-formats is CommonJS: under NodeNext its default import is the module, whose `default` is the plugin.
const addFormats = formats.default

const JSON_UTF8 = 'application/json; charset=utf-8'
const HOST = 'mock.example:8910'
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'
const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'

interface Schema {
  $ref?: string
  type?: string
  properties?: Record<string, Schema>
  items?: Schema
  [keyword: string]: unknown
}
interface Header { required?: boolean, schema: Schema }
interface ResponseObject { description: string, headers?: Record<string, Header>, content: Record<string, { schema: Schema }> }
interface OperationObject {
  operationId: string
  summary: string
  deprecated?: boolean
  parameters: Array<{ name: string, in: string, required: boolean, schema: Schema }>
  requestBody?: { required: boolean, content: Record<string, { schema: Schema }> }
  responses: Record<string, ResponseObject>
}
interface Document {
  openapi: string
  info: { title: string, version: string }
  servers: Array<{ url: string }>
  security: unknown
  paths: Record<string, Record<string, OperationObject>>
  components: { schemas: Record<string, Schema>, securitySchemes: unknown }
}
interface Page { items: Array<Record<string, unknown>>, pagination: Record<string, unknown> }

const app = await build(t)

async function documentOf (t: Test, version: ApiVersion, host = HOST): Promise<Document> {
  const response = await app.inject({ method: 'GET', url: `/openapi/${version}.json`, headers: { host } })
  t.equal(response.statusCode, 200, `/openapi/${version}.json: status`)
  t.equal(response.headers['content-type'], JSON_UTF8, `/openapi/${version}.json: content type`)
  return response.json()
}

function operationsOf (document: Document): Array<{ path: string, method: string, operation: OperationObject }> {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })))
}

function resolve (document: Document, schema: Schema): Schema {
  return schema.$ref === undefined ? schema : document.components.schemas[schema.$ref.replace('#/components/schemas/', '')] as Schema
}

/** Where an object's keys are not in the order its schema declares them (keys it does not declare count as out of order). */
function orderProblems (document: Document, schema: Schema, value: unknown, at = ''): string[] {
  const resolved = resolve(document, schema)
  if (Array.isArray(value)) {
    return resolved.items === undefined ? [] : value.flatMap((item, index) => orderProblems(document, resolved.items as Schema, item, `${at}/${index}`))
  }
  if (typeof value !== 'object' || value === null || resolved.properties === undefined) return []
  const properties = resolved.properties
  const sent = Object.keys(value)
  const declared = Object.keys(properties).filter((key) => key in value)
  const here = sent.join() === declared.join() ? [] : [`${at || '/'}: sent ${sent.join(', ')}; the schema orders ${declared.join(', ')}`]
  return [...here, ...Object.entries(value).flatMap(([key, child]) => properties[key] === undefined ? [] : orderProblems(document, properties[key], child, `${at}/${key}`))]
}

/** Validates against the document as served: its `$ref`s resolve in its own `components`. */
function validatorOf (document: Document): (pointer: string[]) => ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strictTypes: true })
  // The document's own top-level fields are not JSON Schema keywords; Ajv reads `nullable` itself.
  ajv.addVocabulary(['openapi', 'info', 'servers', 'security', 'paths', 'components'])
  addFormats(ajv)
  ajv.addSchema(document, 'openapi.json')
  return (pointer) => {
    const fragment = pointer.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')
    const validate = ajv.getSchema(`openapi.json#/${fragment}`)
    if (validate === undefined) throw new Error(`no schema at ${pointer.join(' ')}`)
    return validate
  }
}

const responseSchema = (path: string, method: string, status: number | string): string[] =>
  ['paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema']

t.test('each version\'s document has exactly the operations the operations table publishes in it', async (t) => {
  for (const version of API_VERSIONS) {
    const document = await documentOf(t, version)
    const served = operationsOf(document).map(({ path, method, operation }) =>
      ({ path, method, operationId: operation.operationId, summary: operation.summary, deprecated: operation.deprecated ?? false }))
    const published = OPERATIONS.filter((operation) => operation.versions.includes(version)).map((operation) =>
      ({ path: operation.path, method: operation.method.toLowerCase(), operationId: operation.operationId, summary: operation.summary, deprecated: operation.deprecated ?? false }))
    t.strictSame(served, published, version)
  }
  const ids = async (version: ApiVersion): Promise<string[]> => operationsOf(await documentOf(t, version)).map(({ operation }) => operation.operationId)
  t.strictSame(await ids('2024-07-30'), ['getUsers', 'getUsersById', 'deleteUsersById'], '2024-07-30 publishes no PUT')
  for (const version of ['2024-01-01', '2024-05-09'] as const) {
    t.strictSame(await ids(version), ['getUsers', 'getUsersById', 'putUsersById', 'deleteUsersById'], version)
    t.equal((await documentOf(t, version)).paths['/users/{id}']?.['put']?.deprecated, true, `${version}: PUT is deprecated`)
  }
})

t.test('each document is OpenAPI 3.0.3 for its API version, served at the mock\'s URL as the request reached it', async (t) => {
  for (const version of API_VERSIONS) {
    const document = await documentOf(t, version)
    t.equal(document.openapi, '3.0.3', `${version}: openapi`)
    t.equal(document.info.version, version, `${version}: info.version`)
    t.match(document.info.title, /sequence-mock.*Sequence API/, `${version}: the title says whose description it is`)
    t.strictSame(document.servers.map((server) => server.url), [`http://${HOST}/api`], `${version}: servers`)
  }
  t.strictSame((await documentOf(t, '2024-01-01', '127.0.0.1:4321')).servers.map((server) => server.url), ['http://127.0.0.1:4321/api'], 'another Host')
})

t.test('credentials are Basic auth, declared as the security scheme, never as an Authorization parameter', async (t) => {
  for (const version of API_VERSIONS) {
    const document = await documentOf(t, version)
    t.strictSame(document.components.securitySchemes, { basicAuth: { type: 'http', scheme: 'basic' } }, `${version}: scheme`)
    t.strictSame(document.security, [{ basicAuth: [] }], `${version}: required everywhere`)
    for (const { operation } of operationsOf(document)) {
      t.strictSame(operation.parameters.filter((parameter) => parameter.name.toLowerCase() === 'authorization'), [], `${version} ${operation.operationId}`)
    }
  }
})

t.test('parameters are Sequence\'s: limit 1 to 100, after, before, the id, and an optional Sequence-Version of that one version', async (t) => {
  for (const version of API_VERSIONS) {
    const document = await documentOf(t, version)
    const versionHeader = { in: 'header', name: 'Sequence-Version', required: false, schema: { type: 'string', enum: [version] } }
    const shape = ({ name, in: where, required, schema }: OperationObject['parameters'][number]): object => ({ in: where, name, required, schema })
    t.strictSame(document.paths['/users']?.['get']?.parameters.map(shape), [
      { in: 'query', name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } },
      { in: 'query', name: 'after', required: false, schema: { type: 'string' } },
      { in: 'query', name: 'before', required: false, schema: { type: 'string' } },
      versionHeader
    ], `${version} getUsers`)
    for (const [method, operation] of Object.entries(document.paths['/users/{id}'] ?? {})) {
      t.strictSame(operation.parameters.map(shape), [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }, versionHeader], `${version} ${method}`)
    }
  }
  t.strictSame((await documentOf(t, '2024-05-09')).paths['/users/{id}']?.['put']?.requestBody,
    { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/UpdateSequenceUserRequest' } } } }, 'PUT body')
})

t.test('components carry Sequence\'s names, a Role generators accept, and 2024-07-30\'s nullable pagination', async (t) => {
  const older = await documentOf(t, '2024-01-01')
  const latest = await documentOf(t, '2024-07-30')
  t.strictSame(Object.keys(older.components.schemas), ['ListSequenceUsersResponse', 'PaginationResponse', 'SequenceUserResponse', 'UpdateSequenceUserRequest', 'UpdateSequenceUserResponse', 'ErrorResponse', 'ErrorDetail'])
  t.strictSame(Object.keys(latest.components.schemas), ['ListSequenceUsersResponse', 'PaginationResponse2', 'SequenceUserResponse', 'Role', 'Permission', 'ErrorResponse', 'ErrorDetail'])
  t.strictSame(latest.components.schemas['Role'], {
    type: 'object',
    required: ['roleName', 'permissions'],
    properties: {
      roleName: { type: 'string', enum: [...ROLE_NAMES] },
      permissions: { type: 'array', items: { $ref: '#/components/schemas/Permission' } }
    }
  })
  t.strictSame(latest.components.schemas['PaginationResponse2'], {
    type: 'object',
    required: ['after', 'before', 'totalResultSize'],
    properties: { after: { type: 'string', nullable: true }, before: { type: 'string', nullable: true }, totalResultSize: { type: 'integer', nullable: true } }
  })
  t.strictSame(older.components.schemas['PaginationResponse'], {
    type: 'object',
    properties: { after: { type: 'string' }, before: { type: 'string' }, totalResultSize: { type: 'integer' } }
  })
  t.strictSame(Object.keys(latest.components.schemas['SequenceUserResponse']?.properties ?? {}), ['id', 'email', 'sequenceAccountIds', 'state', 'roles'], 'the contract\'s key order')
})

t.test('/openapi.json is the 2024-07-30 document, and neither needs credentials', async (t) => {
  const latest = await app.inject({ method: 'GET', url: '/openapi.json', headers: { host: HOST } })
  const dated = await app.inject({ method: 'GET', url: '/openapi/2024-07-30.json', headers: { host: HOST } })
  t.equal(latest.statusCode, 200)
  t.equal(latest.headers['content-type'], JSON_UTF8)
  t.equal(latest.body, dated.body)
  t.equal((await app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: 'Basic d3Jvbmc6d3Jvbmc=' } })).statusCode, 200, 'wrong credentials are not even read')
})

t.test('an unknown OpenAPI document gets 404 in the envelope, naming the documents there are', async (t) => {
  for (const url of ['/openapi/2099-01-01.json', '/openapi/foo', '/openapi/2024-07-30', '/openapi/2024-07-30.yaml']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 404, `${url}: status`)
    t.equal(response.headers['content-type'], JSON_UTF8, `${url}: content type`)
    t.strictSame(response.json(), {
      error: {
        type: 'NotFound',
        message: `No OpenAPI document at ${url}. The mock serves /openapi.json (API version 2024-07-30), /openapi/2024-01-01.json, /openapi/2024-05-09.json and /openapi/2024-07-30.json.`
      }
    }, `${url}: whole body`)
  }
})

t.test('TypeBox shapes become OpenAPI 3.0: nullable for null unions, enum for const, order kept, unknown keywords dropped', async (t) => {
  t.strictSame(toOpenApiSchema({
    $id: 'Example',
    type: 'object',
    required: ['b', 'a'],
    properties: {
      b: { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'null' }], description: 'maybe' },
      a: { const: 'fixed' },
      c: { type: 'integer', exclusiveMinimum: 0 },
      d: { type: 'object', patternProperties: { '^x': { type: 'string' } }, additionalProperties: { enum: ['x', 'y'] } },
      e: { anyOf: [{ type: 'null' }, { type: 'string' }, { type: 'integer' }] }
    }
  }), {
    type: 'object',
    required: ['b', 'a'],
    properties: {
      b: { type: 'string', format: 'uuid', description: 'maybe', nullable: true },
      a: { type: 'string', enum: ['fixed'] },
      c: { type: 'integer', minimum: 0, exclusiveMinimum: true },
      d: { type: 'object', additionalProperties: { type: 'string', enum: ['x', 'y'] } },
      e: { anyOf: [{ type: 'string' }, { type: 'integer' }], nullable: true }
    }
  })
  const Named = { type: 'object', properties: {} }
  const refOf = (shape: object): string | undefined => shape === Named ? 'Named' : undefined
  t.strictSame(toOpenApiSchema({ type: 'array', items: Named }, refOf), { type: 'array', items: { $ref: '#/components/schemas/Named' } }, 'a named shape is a $ref')
  t.strictSame(toOpenApiSchema({ anyOf: [Named, { type: 'null' }] }, refOf), { allOf: [{ $ref: '#/components/schemas/Named' }], nullable: true }, 'a nullable $ref')
})

/** One request per status the mock can answer an operation with; the document must list exactly these. */
function requestsFor (method: string, path: string, operationId: string, version: ApiVersion, id: string, cursors: { next: string, last: string }): Array<{ what: string, status: number, request: InjectOptions }> {
  const headers = { authorization: AUTH, 'sequence-version': version }
  const body = method === 'put' ? { 'content-type': 'application/json' } : {}
  const at = (url: string, extra: Record<string, string> = {}, payload?: string): InjectOptions =>
    ({ method: method.toUpperCase() as 'GET', url, headers: { ...headers, ...body, ...extra }, ...(payload !== undefined && { payload }) })
  const here = `/api${path.replace('{id}', id)}`
  const valid = method === 'put' ? JSON.stringify({ sequenceAccountIds: [ACCOUNT_ID] }) : undefined
  const prefer = (status: number): { what: string, status: number, request: InjectOptions } =>
    ({ what: `Prefer: code=${status}`, status, request: at(here, { prefer: `code=${status}` }, valid) })
  const common = [
    { what: 'an unknown Sequence-Version', status: 400, request: at(here, { 'sequence-version': '2099-01-01' }, valid) },
    { what: 'no credentials', status: 401, request: { ...at(here, {}, valid), headers: { 'sequence-version': version, ...body } } },
    { what: 'wrong credentials', status: 401, request: at(here, { authorization: 'Basic a2V5Ondyb25n' }, valid) },
    { what: 'a URL over 8,192 characters', status: 414, request: at(`${here}?padding=${'a'.repeat(8200)}`, {}, valid) },
    prefer(429), prefer(500), prefer(503)
  ]
  const withBody = [
    { what: 'a body over 1 MiB', status: 413, request: at(here, { 'content-type': 'application/json' }, JSON.stringify({ sequenceAccountIds: ['x'.repeat(1_100_000)] })) },
    { what: 'an XML body', status: 415, request: at(here, { 'content-type': 'application/xml' }, '<user/>') },
    { what: 'a body that is not JSON', status: 400, request: at(here, { 'content-type': 'application/json' }, '{') }
  ]
  const byId = [
    { what: 'an unknown id', status: 404, request: at(`/api/users/${UNKNOWN_ID}`, {}, valid) },
    { what: 'an id over 100 characters', status: 414, request: at(`/api/users/${'a'.repeat(101)}`, {}, valid) }
  ]
  switch (operationId) {
    case 'getUsers': return [
      { what: 'a first page', status: 200, request: at('/api/users?limit=2') },
      { what: 'a middle page', status: 200, request: at(`/api/users?limit=2&after=${encodeURIComponent(cursors.next)}`) },
      { what: 'the last page', status: 200, request: at(`/api/users?limit=100&after=${encodeURIComponent(cursors.last)}`) },
      { what: 'limit=0', status: 400, request: at('/api/users?limit=0') },
      { what: 'after and before', status: 400, request: at(`/api/users?after=${encodeURIComponent(cursors.next)}&before=${encodeURIComponent(cursors.next)}`) },
      prefer(404),
      ...common
    ]
    case 'getUsersById': return [{ what: 'a user', status: 200, request: at(here) }, prefer(400), ...byId, ...common]
    case 'putUsersById': return [
      { what: 'new account ids', status: 201, request: at(here, {}, valid) },
      { what: 'account ids that are not a list', status: 400, request: at(here, {}, JSON.stringify({ sequenceAccountIds: ACCOUNT_ID })) },
      ...withBody, ...byId, ...common
    ]
    case 'deleteUsersById': return [{ what: 'a user', status: 200, request: at(here) }, ...withBody, ...byId, ...common]
    default: throw new Error(`no requests for ${operationId}`)
  }
}

t.test('every response the mock gives, success or error, matches its own document: status, content type, headers, body and key order', async (t) => {
  const ids = ((await get(app, '/api/users?limit=3')).json() as Page).items.map((user) => user.id as string)
  for (const [index, version] of API_VERSIONS.entries()) {
    const document = await documentOf(t, version)
    const schemaAt = validatorOf(document)
    const next = ((await get(app, '/api/users?limit=2', { 'sequence-version': version })).json() as Page).pagination.after as string
    const last = ((await get(app, '/api/users?limit=100', { 'sequence-version': version })).json() as Page).pagination.after as string
    for (const { path, method, operation } of operationsOf(document)) {
      const requests = requestsFor(method, path, operation.operationId, version, ids[index] as string, { next, last })
      t.strictSame([...new Set(requests.map((request) => String(request.status)))].sort(), Object.keys(operation.responses).sort(),
        `${version} ${operation.operationId}: the document lists exactly the statuses the mock answers`)
      for (const { what, status, request } of requests) {
        const label = `${version} ${operation.operationId}, ${what}`
        const response = await app.inject(request)
        t.equal(response.statusCode, status, `${label}: status`)
        const described = operation.responses[status]
        if (described === undefined) continue
        t.equal(response.headers['content-type'], JSON_UTF8, `${label}: content type`)
        t.strictSame(Object.keys(described.content), ['application/json'], `${label}: documented media type`)
        const validate = schemaAt(responseSchema(path, method, status))
        const body: unknown = response.json()
        t.ok(validate(body), `${label}: body matches ${JSON.stringify(described.content['application/json']?.schema)}`, { errors: validate.errors })
        t.strictSame(orderProblems(document, described.content['application/json']?.schema as Schema, body), [], `${label}: key order`)
        for (const [name, header] of Object.entries(described.headers ?? {})) {
          const value = response.headers[name.toLowerCase()]
          if (header.required === true) t.type(value, 'string', `${label}: ${name} is sent`)
          const typed = header.schema.type === 'integer' ? Number(value) : value
          t.ok(new Ajv().validate(header.schema, typed), `${label}: ${name}: ${String(value)} matches ${JSON.stringify(header.schema)}`)
        }
      }
    }
  }
})

t.test('a document that did not describe a response would fail: wrong bodies and wrong order are caught', async (t) => {
  const older = await documentOf(t, '2024-01-01')
  const latest = await documentOf(t, '2024-07-30')
  const olderPage = schemaOf(older, '/users', 'get', 200)
  const latestPage = schemaOf(latest, '/users', 'get', 200)
  const latestUser = schemaOf(latest, '/users/{id}', 'get', 200)
  const error = schemaOf(latest, '/users', 'get', 400)
  const page = (await get(app, '/api/users?limit=2')).json() as Page
  const user = page.items[0] as Record<string, unknown>
  const oldUser = (await get(app, `/api/users/${user.id as string}`, { 'sequence-version': '2024-01-01' })).json() as Record<string, unknown>
  t.ok(latestPage(page), 'the real page is valid')
  t.ok(latestUser(user), 'the real user is valid')
  const copy = <T>(value: T): T => structuredClone(value)
  const mutated: Array<[what: string, validate: ValidateFunction, body: unknown]> = [
    ['a user without email', latestPage, (() => { const body = copy(page); delete body.items[0]?.['email']; return body })()],
    ['a role the contract does not have', latestUser, { ...user, roles: [{ roleName: 'superUser', permissions: [] }] }],
    ['a role as Sequence\'s JSON string', latestUser, { ...user, roles: [JSON.stringify((user.roles as unknown[])[0])] }],
    ['a numeric cursor', latestPage, { ...page, pagination: { ...page.pagination, after: 42 } }],
    ['a null cursor in 2024-01-01', olderPage, { items: [], pagination: { before: null } }],
    ['a 2024-07-30 first page (null before) as 2024-01-01', olderPage, page],
    ['a 2024-01-01 user (no roles) as 2024-07-30', latestUser, oldUser],
    ['an id that is no UUID', latestUser, { ...user, id: 'nope' }],
    ['an error without a message', error, { error: { type: 'NotFound' } }]
  ]
  for (const [what, validate, body] of mutated) t.notOk(validate(body), what)
  const reordered = Object.fromEntries(Object.entries(user).reverse())
  t.not(orderProblems(latest, { $ref: '#/components/schemas/SequenceUserResponse' }, reordered).length, 0, 'a user with its keys reversed')
  t.not(orderProblems(latest, { $ref: '#/components/schemas/SequenceUserResponse' }, { ...user, extra: 1 }).length, 0, 'a user with an undeclared key')
})

function schemaOf (document: Document, path: string, method: string, status: number): ValidateFunction {
  return validatorOf(document)(responseSchema(path, method, status))
}

t.test('openapi-typescript generates types from each document as served, and real responses type-check against them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sequence-mock-openapi-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const files: string[] = []
  for (const version of API_VERSIONS) {
    const generated = astToString(await openapiTS(await documentOf(t, version) as unknown as Parameters<typeof openapiTS>[0]))
    const operationIds = OPERATIONS.filter((operation) => operation.versions.includes(version)).map((operation) => operation.operationId)
    for (const operationId of operationIds) t.match(generated, new RegExp(`\\n {4}${operationId}: \\{`), `${version}: ${operationId}`)
    t.equal(generated.includes('putUsersById: {'), version !== '2024-07-30', `${version}: PUT only where published`)
    if (version === '2024-07-30') t.match(generated, 'roleName: "admin" | "financeUser" | "salesUser" | "readOnlyUser";', 'the roleName union')
    writeFileSync(join(dir, `sequence-${version}.d.ts`), generated)

    const headers = { 'sequence-version': version }
    const page = (await get(app, '/api/users?limit=3', headers)).json() as Page
    const user = (await get(app, `/api/users/${page.items[0]?.id as string}`, headers)).json() as Record<string, unknown>
    const notFound = (await get(app, `/api/users/${UNKNOWN_ID}`, headers)).json() as unknown
    const type = (operationId: string, status: number): string => `operations['${operationId}']['responses'][${status}]['content']['application/json']`
    const wrong = version === '2024-07-30'
      ? [
          '// @ts-expect-error a role the contract does not have',
          `export const wrongRole: ${type('getUsersById', 200)} = ${JSON.stringify({ ...user, roles: [{ roleName: 'superUser', permissions: [] }] })}`,
          '// @ts-expect-error roles are required in 2024-07-30',
          `export const noRoles: ${type('getUsersById', 200)} = ${JSON.stringify({ id: user.id, email: user.email, sequenceAccountIds: [], state: 'active' })}`
        ]
      : [
          '// @ts-expect-error cursors are never null before 2024-07-30',
          `export const nullCursor: ${type('getUsers', 200)} = ${JSON.stringify({ items: [], pagination: { after: null } })}`
        ]
    const check = join(dir, `check-${version}.ts`)
    writeFileSync(check, [
      `import type { operations } from './sequence-${version}'`,
      `export const page: ${type('getUsers', 200)} = ${JSON.stringify(page)}`,
      `export const user: ${type('getUsersById', 200)} = ${JSON.stringify(user)}`,
      `export const notFound: ${type('getUsersById', 404)} = ${JSON.stringify(notFound)}`,
      ...wrong,
      ''
    ].join('\n'))
    files.push(check)
  }
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: []
  })
  const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
  t.strictSame(diagnostics, [], 'the generated types and the real responses type-check; each wrong value is refused')
})
