// What can be compared without a request: versions, roles, the operations table, shapes, parameters and examples.
import { ROLE_NAMES, ROLES } from '../../src/contract/roles.js'
import { UserSchemas } from '../../src/contract/schemas.js'
import { API_VERSIONS, isApiVersion, type ApiVersion } from '../../src/contract/versions.js'
import { operationsOf, USERS_PATHS, type Document, type MediaType, type OperationObject, type Parameter, type Published } from './documents.js'
import { MOCK_OPERATIONS, mockMethods, mockOperation, type MockOperation } from './mock-contract.js'
import { checkExample, compareShape, firstDifference, type MockSchema } from './schema.js'

/** Every version Sequence publishes: a document per version, and latest.product.json's enum. */
export function publishedVersions (published: Published): string[] {
  return [...new Set([...published.documents.keys(), ...(published.latest ?? [])])].sort()
}

export function checkVersions (published: Published): string[] {
  const versions = publishedVersions(published)
  return [
    ...versions.filter((version) => !isApiVersion(version)).map((version) => `versions: ${version}: published by Sequence, not served by the mock`),
    ...API_VERSIONS.filter((version) => !versions.includes(version)).map((version) => `versions: ${version}: served by the mock, not published by Sequence`),
    ...API_VERSIONS.filter((version) => versions.includes(version) && !published.documents.has(version))
      .map((version) => `versions: ${version}: published by Sequence (latest.product.json), but its document is missing`)
  ]
}

/** `components.schemas.Role.enum`, JSON strings, against the mock's ROLES: names in order, then each role byte for byte. */
export function checkRoles (published: Published): string[] {
  const out: string[] = []
  const mock = ROLE_NAMES.map((name) => ROLES[name])
  for (const [version, document] of published.documents) {
    const role = document.components?.schemas?.['Role']
    const hasRoles = isApiVersion(version) && 'roles' in UserSchemas[version].properties
    if (role?.enum === undefined) {
      if (hasRoles) out.push(`roles: ${version}: the document has no components.schemas.Role.enum`)
      continue
    }
    let documented: unknown[]
    try {
      documented = role.enum.map((value) => typeof value === 'string' ? JSON.parse(value) : value)
    } catch {
      out.push(`roles: ${version}: components.schemas.Role.enum holds text that is not JSON`)
      continue
    }
    const names = documented.map((value) => (value as { roleName?: unknown } | null)?.roleName)
    if (names.join() !== ROLE_NAMES.join()) out.push(`roles: ${version} Role.enum names ${names.join(', ')}; the mock's ROLES: ${ROLE_NAMES.join(', ')}`)
    for (const [index, value] of documented.entries()) {
      const name = String(names[index])
      const ours = mock.find((candidate) => candidate.roleName === name)
      if (ours === undefined) continue
      const difference = firstDifference(value, ours)
      if (difference !== undefined) out.push(`roles: ${version} Role.enum[${index}] (${name}) differs from the mock's ROLES.${name} at ${difference}`)
    }
  }
  return out
}

/** One version's Users operations against the mock's table, shapes, parameters and examples. */
export function checkOperations (version: ApiVersion, document: Document): string[] {
  const out: string[] = []
  for (const path of USERS_PATHS) {
    const documented = operationsOf(document, path)
    for (const { method, operation } of documented) {
      const ours = mockOperation(method, path, version)
      const id = operation.operationId ?? `${method} ${path}`
      if (ours === undefined) {
        out.push(`${version} ${method} ${path} (${id}): published by Sequence, not served by the mock`)
        continue
      }
      if (ours.operationId !== operation.operationId) out.push(`${version} ${method} ${path}: operationId ${operation.operationId} in the document, ${ours.operationId} in the mock`)
      if ((operation.deprecated === true) !== (ours.deprecated === true)) out.push(`${version} ${id}: ${operation.deprecated === true ? 'deprecated' : 'not deprecated'} in the document, ${ours.deprecated === true ? 'deprecated' : 'not deprecated'} in the mock`)
      if (operation.summary !== undefined && operation.summary !== ours.summary) out.push(`${version} ${id}: summary ${JSON.stringify(operation.summary)} in the document, ${JSON.stringify(ours.summary)} in the mock`)
      const successes = Object.keys(operation.responses ?? {}).filter((status) => status.startsWith('2'))
      if (!successes.includes(String(ours.status))) out.push(`${version} ${id}: success status ${ours.status} in the mock, documented ${successes.join(', ') || 'none'}`)
      const shapes = MOCK_OPERATIONS[ours.operationId]
      if (shapes === undefined) continue
      out.push(...checkParameters(version, id, operation.parameters ?? [], shapes))
      out.push(...checkBodies(document, `${version} ${id}`, operation, shapes.body, shapes.response(version), ours.status))
    }
    const published = documented.map(({ method }) => method)
    for (const method of mockMethods(path)) {
      const ours = mockOperation(method, path, version)
      if (ours !== undefined && !published.includes(method)) out.push(`${version} ${method} ${path} (${ours.operationId}): served by the mock, not published by Sequence`)
    }
  }
  return out
}

/** Query, path and header parameters: the same names, the same required ones; every Sequence-Version value one the mock serves. */
function checkParameters (version: string, id: string, parameters: readonly Parameter[], shapes: MockOperation): string[] {
  const out: string[] = []
  const key = (location: string, name: string): string => `${name} (${location})`
  const documented = new Map(parameters.map((parameter) => [key(parameter.in, parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name), parameter]))
  const ours = new Map<string, boolean>()
  for (const [location, schema] of [['query', shapes.query], ['path', shapes.params], ['header', shapes.headers]] as const) {
    for (const name of Object.keys(schema?.properties ?? {})) ours.set(key(location, name), schema?.required?.includes(name) === true)
  }
  for (const [name, parameter] of documented) {
    const required = ours.get(name)
    // OpenAPI: a path parameter is always required.
    const documentedRequired = parameter.required === true || parameter.in === 'path'
    if (required === undefined) out.push(`${version} ${id}: parameter ${name}: documented, not accepted by the mock`)
    else if (required !== documentedRequired) {
      out.push(`${version} ${id}: parameter ${name}: ${required ? 'required' : 'optional'} in the mock, documented ${documentedRequired ? 'required' : 'optional'}`)
    }
    if (name === key('header', 'sequence-version')) {
      for (const value of parameter.schema?.enum ?? []) {
        if (!isApiVersion(value)) out.push(`${version} ${id}: parameter ${name}: ${String(value)} is not a version the mock serves`)
      }
    }
  }
  for (const name of ours.keys()) if (!documented.has(name)) out.push(`${version} ${id}: parameter ${name}: accepted by the mock, not documented`)
  return out
}

/** The request body and the success response: shapes and every example, against the mock's. */
function checkBodies (document: Document, label: string, operation: OperationObject, body: MockSchema | undefined, response: MockSchema, status: number): string[] {
  const out: string[] = []
  const request = operation.requestBody?.content?.['application/json']
  if (request === undefined && body !== undefined) out.push(`${label}: the mock takes a request body, none is documented`)
  if (request !== undefined && body === undefined) out.push(`${label}: a request body is documented, the mock takes none`)
  if (request !== undefined && body !== undefined) out.push(...prefixed(`${label} request`, compareMedia(document, request, body)))
  const success = operation.responses?.[String(status)]?.content?.['application/json']
  if (success !== undefined) out.push(...prefixed(`${label} ${status}`, compareMedia(document, success, response)))
  return out
}

function compareMedia (document: Document, media: MediaType, mock: MockSchema): string[] {
  const found: string[] = []
  if (media.schema !== undefined) compareShape(document, media.schema, mock, '', found)
  checkExample(media.example, mock, '', found)
  for (const example of Object.values(media.examples ?? {})) checkExample(example.value, mock, '', found)
  return found
}

const prefixed = (label: string, lines: readonly string[]): string[] => [...new Set(lines)].map((line) => `${label}: ${line}`)
