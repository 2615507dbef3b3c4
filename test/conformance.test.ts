import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { OPERATIONS, type Operation } from '../src/contract/operations.js'
import { ROLE_NAMES, ROLES } from '../src/contract/roles.js'
import { ListUsersQuerySchema, UpdateUserBodySchema, UpdateUserResponseSchema, UserPageSchemas, UserSchemas } from '../src/contract/schemas.js'
import { API_VERSIONS, LATEST_VERSION, type ApiVersion } from '../src/contract/versions.js'
import { AUTH, build } from './helper.js'

// Every run of the check is a TypeScript process that starts a mock and sends it about a hundred requests.
t.setTimeout(300_000)

type Json = Record<string, any>
type Documents = Record<string, Json>

/** A TypeBox shape as Sequence writes it: OpenAPI 3.0 `nullable`, required names sorted, roles as a `$ref` to the Role quirk. */
function openapiSchema (schema: Json): Json {
  if (Array.isArray(schema['anyOf'])) {
    const [base] = schema['anyOf'].filter((member: Json) => member['type'] !== 'null')
    return { ...openapiSchema(base), nullable: true }
  }
  if (schema['type'] === 'object' && schema['properties']?.roleName !== undefined) return { $ref: '#/components/schemas/Role' }
  if (schema['type'] === 'object') {
    const properties = Object.fromEntries(Object.entries(schema['properties'] as Json).map(([name, field]) => [name, openapiSchema(field)]))
    return { ...(schema['required'] !== undefined && { required: [...schema['required']].sort() }), type: 'object', properties }
  }
  if (schema['type'] === 'array') return { type: 'array', items: openapiSchema(schema['items']) }
  if (schema['type'] === 'integer') return { type: 'integer', format: 'int64' }
  return { type: schema['type'] }
}

const SAMPLE: Json = {
  id: '7b1f28b9-a4ad-450b-a0ea-fd647d5109b2',
  email: 'john@example.xyz',
  sequenceAccountIds: ['83da2ca4-49c7-4d81-9c9a-ba5be11768b0'],
  state: 'active',
  roles: [ROLES.salesUser, ROLES.financeUser]
}

/** An example in the mock's field order, as Sequence's examples are. */
const exampleUser = (version: ApiVersion): Json => Object.fromEntries(Object.keys(UserSchemas[version].properties).map((name) => [name, SAMPLE[name]]))

const RESPONSES: Record<string, string> = { 'GET /users': 'ListSequenceUsersResponse', 'GET /users/{id}': 'SequenceUserResponse', 'PUT /users/{id}': 'UpdateSequenceUserResponse', 'DELETE /users/{id}': 'SequenceUserResponse' }

function operationObject (operation: Operation, version: ApiVersion): Json {
  const response = RESPONSES[`${operation.method} ${operation.path}`] as string
  const header = (name: string, required: boolean, schema: Json = { type: 'string' }): Json => ({ name, in: 'header', required, schema })
  return {
    tags: ['Users'],
    summary: operation.summary,
    operationId: operation.operationId,
    parameters: [
      ...(operation.path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : []),
      header('Authorization', true),
      ...(operation.path === '/users' ? Object.keys(ListUsersQuerySchema.properties).map((name) => ({ name, in: 'query', required: false, schema: { type: name === 'limit' ? 'integer' : 'string' } })) : []),
      header('Sequence-Version', false, { type: 'string', enum: [version] })
    ],
    ...(operation.method === 'PUT' && {
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/UpdateSequenceUserRequest', example: { sequenceAccountIds: SAMPLE['sequenceAccountIds'] } } } }, required: true }
    }),
    responses: {
      [operation.status]: { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${response}` } } } },
      400: { description: 'Bad Request', content: {} },
      401: { description: 'Unauthorized', content: {} },
      500: { description: 'Internal Server Error', content: {} }
    },
    ...(operation.deprecated === true && { deprecated: true })
  }
}

/** One version's document, shaped like Sequence's, from the project's own contract. */
function syntheticDocument (version: ApiVersion): Json {
  const paths: Json = {}
  for (const operation of OPERATIONS.filter((candidate) => candidate.versions.includes(version))) {
    paths[operation.path] = { ...paths[operation.path], [operation.method.toLowerCase()]: operationObject(operation, version) }
  }
  const page = UserPageSchemas[version]
  const user = exampleUser(version)
  const schemas: Json = {
    ListSequenceUsersResponse: {
      required: [...page.required].sort(),
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/SequenceUserResponse' } }, pagination: { $ref: '#/components/schemas/PaginationResponse' } },
      example: { items: [user], pagination: { after: 'YWZ0ZXI=', before: 'YmVmb3Jl', totalResultSize: 100 } }
    },
    SequenceUserResponse: { ...openapiSchema(UserSchemas[version]), example: user },
    PaginationResponse: openapiSchema(page.properties.pagination),
    UpdateSequenceUserRequest: openapiSchema(UpdateUserBodySchema),
    UpdateSequenceUserResponse: { ...openapiSchema(UpdateUserResponseSchema), example: { id: SAMPLE['id'], sequenceAccountIds: SAMPLE['sequenceAccountIds'] } }
  }
  // Sequence's quirk: an object schema whose enum holds each role as JSON text.
  if ('roles' in UserSchemas[version].properties) schemas['Role'] = { type: 'object', example: ROLES.financeUser, enum: ROLE_NAMES.map((name) => JSON.stringify(ROLES[name])) }
  return { openapi: '3.0.3', info: { title: 'Sequence API', version: '0.1.0' }, servers: [{ url: 'https://sandbox.sequencehq.com/api' }], paths, components: { schemas } }
}

/** `<version>.product.json` for every version, and latest.product.json (the newest one's document). */
function faithfulDocuments (): Documents {
  const documents: Documents = Object.fromEntries(API_VERSIONS.map((version) => [`${version}.product.json`, syntheticDocument(version)]))
  documents['latest.product.json'] = syntheticDocument(LATEST_VERSION)
  return documents
}

function withDrift (plant: (documents: Documents, latest: Json) => void): Documents {
  const documents = faithfulDocuments()
  plant(documents, documents[`${LATEST_VERSION}.product.json`] as Json)
  return documents
}

function writeDocuments (t: Test, documents: Documents): string {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  for (const [name, document] of Object.entries(documents)) writeFileSync(join(dir, name), JSON.stringify(document))
  return dir
}

interface Run { code: number | null, stdout: string, stderr: string }

async function conformance (...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'scripts/conformance.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += chunk })
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const [code] = await once(child, 'close')
  return { code: code as number | null, stdout, stderr }
}

async function listen (t: Test, server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  return (server.address() as AddressInfo).port
}

const NO_DIFFERENCES = /^No differences: the mock matches Sequence's published documents/m

const DRIFTS: ReadonlyArray<{ name: string, plant: (documents: Documents, latest: Json) => void, named: RegExp }> = [
  {
    name: 'an extra required user field',
    plant: (_documents, latest) => {
      const user = latest['components'].schemas.SequenceUserResponse
      user.properties.createdAt = { type: 'string' }
      user.required.push('createdAt')
    },
    named: new RegExp(`^${LATEST_VERSION} getUsers 200: items\\[\\]\\.createdAt: missing in the mock$`, 'm')
  },
  {
    name: 'a changed role permission',
    plant: (_documents, latest) => {
      const index = ROLE_NAMES.indexOf('salesUser')
      const role = JSON.parse(latest['components'].schemas.Role.enum[index])
      role.permissions[0].actions.pop()
      latest['components'].schemas.Role.enum[index] = JSON.stringify(role)
    },
    named: new RegExp(`^roles: ${LATEST_VERSION} Role\\.enum\\[2\\] \\(salesUser\\) differs from the mock's ROLES\\.salesUser at permissions\\[0\\]\\.actions`, 'm')
  },
  {
    name: 'a new version file',
    plant: (documents) => {
      const next = syntheticDocument(LATEST_VERSION)
      documents['2099-01-01.product.json'] = next
    },
    named: /^versions: 2099-01-01: published by Sequence, not served by the mock$/m
  },
  {
    name: `a PUT published in ${LATEST_VERSION}`,
    plant: (_documents, latest) => {
      const put = OPERATIONS.find((operation) => operation.method === 'PUT') as Operation
      latest['paths']['/users/{id}'].put = operationObject(put, LATEST_VERSION)
    },
    named: new RegExp(`^${LATEST_VERSION} PUT /users/\\{id\\} \\(putUsersById\\): published by Sequence, not served by the mock$`, 'm')
  },
  {
    name: 'a pagination field no longer nullable',
    plant: (_documents, latest) => { delete latest['components'].schemas.PaginationResponse.properties.before.nullable },
    named: new RegExp(`^${LATEST_VERSION} getUsers 200: pagination\\.before: null in the mock, documented not nullable$`, 'm')
  }
]

t.test('documents that match the mock: exit 0 and a "no differences" summary', async (t) => {
  const run = await conformance('--spec-dir', writeDocuments(t, faithfulDocuments()))
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, NO_DIFFERENCES)
  t.match(run.stdout, `(${API_VERSIONS.join(', ')})`, 'names the versions it read')
})

for (const drift of DRIFTS) {
  t.test(`a planted drift is found and named: ${drift.name}`, async (t) => {
    const run = await conformance('--spec-dir', writeDocuments(t, withDrift(drift.plant)))
    t.equal(run.code, 1, run.stderr)
    t.match(run.stdout, drift.named)
    t.match(run.stdout, /^\d+ differences? between the mock and Sequence's published documents/m)
    t.notMatch(run.stdout, NO_DIFFERENCES)
  })
}

t.test('bad usage and unreadable documents exit 2 with a message', async (t) => {
  const empty = writeDocuments(t, {})
  const cases: Array<[string[], RegExp]> = [
    [['--spec-dir', empty], /no <version>\.product\.json files in /],
    [['--spec-dir', join(empty, 'missing')], /cannot read Sequence's OpenAPI documents in .*missing \(ENOENT\)/],
    [['--spec-dir', writeDocuments(t, { [`${LATEST_VERSION}.product.json`]: { openapi: '3.0.3' } })], /is not an OpenAPI document/],
    [['--download', '--spec-dir', empty], /--spec-dir and --download exclude each other/],
    [['--no-such-option'], /Unknown option '--no-such-option'/]
  ]
  for (const [args, message] of cases) {
    const run = await conformance(...args)
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, message)
  }
})

t.test('--download fetches each version and latest.product.json at --ref from --from', async (t) => {
  const ref = '0123456789abcdef0123456789abcdef01234567'
  let served: Documents = faithfulDocuments()
  const requested: string[] = []
  const port = await listen(t, createServer((req, res) => {
    requested.push(req.url ?? '')
    const name = (req.url ?? '').replace(`/SequenceHQ/openapi-schema/${ref}/`, '')
    const document = served[name]
    if (document === undefined) res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found')
    else res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(JSON.stringify(document))
  }))
  const from = `http://127.0.0.1:${port}`

  const faithful = await conformance('--download', '--from', from, '--ref', ref)
  t.equal(faithful.code, 0, faithful.stdout + faithful.stderr)
  t.match(faithful.stdout, NO_DIFFERENCES)
  t.same(requested.sort(), [...API_VERSIONS, 'latest'].map((name) => `/SequenceHQ/openapi-schema/${ref}/${name}.product.json`).sort())

  t.test('a version in latest.product.json that the mock does not serve is a difference', async (t) => {
    served = withDrift((documents) => {
      for (const operations of Object.values(documents['latest.product.json']?.['paths'] ?? {})) {
        for (const operation of Object.values(operations as Json)) {
          operation.parameters.find((parameter: Json) => parameter.name === 'Sequence-Version').schema.enum = ['2099-01-01']
        }
      }
    })
    const run = await conformance('--download', '--from', from, '--ref', ref)
    t.equal(run.code, 1, run.stderr)
    t.match(run.stdout, /^versions: 2099-01-01: published by Sequence, not served by the mock$/m)
    t.match(run.stdout, /^versions: a request without Sequence-Version gets \S+, Sequence's newest published version is 2099-01-01$/m)
  })

  t.test('a planted drift is found the same way', async (t) => {
    const [drift] = DRIFTS
    served = withDrift(drift!.plant)
    const run = await conformance('--download', '--from', from, '--ref', ref)
    t.equal(run.code, 1, run.stderr)
    t.match(run.stdout, drift!.named)
  })

  t.test('a failed download exits 2 naming the URL', async (t) => {
    const run = await conformance('--download', '--from', from, '--ref', 'no-such-ref')
    t.equal(run.code, 2)
    t.match(run.stderr, `cannot download ${from}/SequenceHQ/openapi-schema/no-such-ref/${API_VERSIONS[0]}.product.json: 404`)
    t.equal(run.stdout, '')
  })
})

/** The first page, as a client sees it. */
async function firstPage (api: string, authorization = AUTH): Promise<string> {
  return await (await fetch(`${api}/users`, { headers: { authorization } })).text()
}

t.test('--url checks a running mock with --auth and --admin-token, never prints them, and leaves its data as it was', async (t) => {
  const secret = 's3cret-only-ci-knows'
  const token = 'admin-t0ken-never-shown'
  const app = await build(t, { SEQUENCE_MOCK_CREDENTIALS: `ci:${secret}`, SEQUENCE_MOCK_ADMIN_TOKEN: token, SEQUENCE_MOCK_DEFAULT_LIMIT: '7' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const api = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api`
  const authorization = `Basic ${Buffer.from(`ci:${secret}`).toString('base64')}`
  const spec = writeDocuments(t, faithfulDocuments())
  const before = await firstPage(api, authorization)

  const refused = await conformance('--spec-dir', spec, '--url', api)
  t.equal(refused.code, 2)
  t.match(refused.stderr, /refused the credentials of client id "key" \(401\); pass the ones it was started with: --auth <id:secret>/)

  const noToken = await conformance('--spec-dir', spec, '--url', api, '--auth', `ci:${secret}`)
  t.equal(noToken.code, 2)
  t.match(noToken.stderr, /POST \/_mock\/users answered 401: .*pass --admin-token <token>/)

  const run = await conformance('--spec-dir', spec, '--url', api, '--auth', `ci:${secret}`, '--admin-token', token)
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, NO_DIFFERENCES)
  t.match(run.stdout, `The mock: ${api}\n`)
  for (const output of [refused, noToken, run]) {
    t.notMatch(output.stdout + output.stderr, secret, 'the secret is never printed')
    t.notMatch(output.stdout + output.stderr, token, 'the admin token is never printed')
  }
  t.equal(await firstPage(api, authorization), before, 'the same first page before and after')
  t.equal(app.mock.users.size, 150, 'the users it added are gone')
})

t.test('--url finds a difference in a running mock: a 401 in Fastify\'s default body instead of the envelope', async (t) => {
  const app = await build(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const mockPort = (app.server.address() as AddressInfo).port
  // In front of the mock, a proxy that answers every 401 as a framework would by default.
  const port = await listen(t, createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: mockPort, method: req.method, path: req.url, headers: req.headers }, async (answer) => {
      const chunks: Buffer[] = []
      for await (const chunk of answer) chunks.push(chunk as Buffer)
      const body = answer.statusCode === 401 ? '{"statusCode":401,"error":"Unauthorized","message":"Missing or bad formatted authorization header"}' : Buffer.concat(chunks)
      const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = answer.headers
      res.writeHead(answer.statusCode ?? 502, headers).end(body)
    })
    req.pipe(upstream)
  }))
  const api = `http://127.0.0.1:${port}/api`
  const before = await firstPage(api)

  const run = await conformance('--spec-dir', writeDocuments(t, faithfulDocuments()), '--url', api)
  t.equal(run.code, 1, run.stderr)
  const differences = run.stdout.trim().split('\n').slice(2, -1)
  const operations = OPERATIONS.reduce((count, operation) => count + operation.versions.length, 0)
  t.equal(differences.length, operations, 'one difference per operation and version')
  for (const line of differences) {
    t.match(line, /^\S+ \w+ 401 \(no credentials\): body {"statusCode":401,"error":"Unauthorized","message":"Missing or bad formatted authorization header"} is not the error envelope/)
  }
  t.equal(await firstPage(api), before, 'the same first page before and after')
})
