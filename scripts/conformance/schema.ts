// Schemas compared: a response body against Sequence's schema, the mock's TypeBox shapes and Sequence's examples against each other.
import { jsonEncodedEnum, resolve, type Document, type Schema } from './documents.js'

/** The mock's TypeBox schemas are JSON Schema; these are the parts compared. */
export interface MockSchema {
  readonly type?: string
  readonly properties?: Readonly<Record<string, MockSchema>>
  readonly required?: readonly string[]
  readonly items?: MockSchema
  readonly anyOf?: readonly MockSchema[]
  readonly enum?: readonly unknown[]
}

/** `items[].roles`: where in a body a difference is; the body itself is `body`. */
const at = (path: string): string => path === '' ? 'body' : path
const join = (path: string, key: string): string => path === '' ? key : `${path}.${key}`
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function typeOfValue (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function matchesType (value: unknown, type: string): boolean {
  const actual = typeOfValue(value)
  return actual === type || (type === 'number' && actual === 'integer')
}

/**
 * What in `value` does not match Sequence's `schema`, one line per difference (`items[].roles: missing
 * in the mock`). OpenAPI 3.0: `nullable`, and no additional properties unless the schema allows them,
 * since a field Sequence does not document is drift too. Object keys must come in the documented order.
 */
export function validate (document: Document, schema: Schema, value: unknown, path = '', out: string[] = []): string[] {
  const documented = resolve(document, schema)
  if (value === null) {
    if (documented.nullable !== true && documented.type !== undefined) out.push(`${at(path)}: null in the mock, documented not nullable`)
    return out
  }
  const roles = jsonEncodedEnum(documented)
  if (roles !== undefined) {
    // Sequence's Role: an object matches when it is one of the parsed enum values, byte for byte.
    if (!roles.some((role) => JSON.stringify(role) === JSON.stringify(value))) {
      const name = isObject(value) ? ` (${String(value['roleName'])})` : ''
      out.push(`${at(path)}: not one of the roles of Role.enum, byte for byte${name}`)
    }
    return out
  }
  for (const part of documented.allOf ?? []) validate(document, part, value, path, out)
  const alternatives = documented.anyOf ?? documented.oneOf
  if (alternatives !== undefined && !alternatives.some((part) => validate(document, part, value, path).length === 0)) {
    out.push(`${at(path)}: matches none of the documented alternatives`)
  }
  if (documented.enum !== undefined && !documented.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    out.push(`${at(path)}: ${JSON.stringify(value)} is not one of the documented values`)
  }
  if (documented.type !== undefined && !matchesType(value, documented.type)) {
    out.push(`${at(path)}: ${typeOfValue(value)} in the mock, documented ${documented.type}`)
    return out
  }
  if (Array.isArray(value) && documented.items !== undefined) {
    for (const item of value) validate(document, documented.items, item, `${path}[]`, out)
  }
  if (isObject(value) && documented.properties !== undefined) {
    const properties = documented.properties
    for (const key of documented.required ?? []) {
      if (!(key in value)) out.push(`${join(path, key)}: missing in the mock`)
    }
    for (const [key, field] of Object.entries(value)) {
      const property = properties[key]
      if (property !== undefined) validate(document, property, field, join(path, key), out)
      else if (isObject(documented.additionalProperties)) validate(document, documented.additionalProperties, field, join(path, key), out)
      else if (documented.additionalProperties !== true) out.push(`${join(path, key)}: not documented`)
    }
    compareOrder(Object.keys(value), Object.keys(properties), path, out)
  }
  return [...new Set(out)]
}

function compareOrder (mock: readonly string[], documented: readonly string[], path: string, out: string[]): void {
  const ours = mock.filter((key) => documented.includes(key))
  const theirs = documented.filter((key) => mock.includes(key))
  if (ours.join() !== theirs.join()) out.push(`${at(path)}: fields in the order ${ours.join(', ')} in the mock, documented ${theirs.join(', ')}`)
}

const isNullable = (schema: MockSchema): boolean => schema.type === 'null' || (schema.anyOf ?? []).some((part) => part.type === 'null')

/** The schema without its `null` alternative. */
function nonNull (schema: MockSchema): MockSchema {
  const rest = (schema.anyOf ?? []).filter((part) => part.type !== 'null')
  return rest.length === 1 && rest[0] !== undefined ? rest[0] : schema
}

function typeOf (schema: MockSchema): string | undefined {
  if (schema.type !== undefined) return schema.type
  const first = schema.enum?.[0]
  return first === undefined ? undefined : typeOfValue(first)
}

/**
 * Where the mock's TypeBox shape differs from Sequence's schema: fields (names, order), which are
 * required, which are nullable (a nullable field is always sent, as null; an optional one that is not
 * nullable is omitted, never null), types, and the examples found on the way (see checkExample).
 */
export function compareShape (document: Document, schema: Schema, mock: MockSchema, path: string, out: string[]): void {
  checkExample(schema.example, mock, path, out)
  const documented = resolve(document, schema)
  if (documented !== schema) checkExample(documented.example, mock, path, out)
  const ours = nonNull(mock)
  const roles = jsonEncodedEnum(documented)
  if (roles !== undefined) {
    const fields = Object.keys(ours.properties ?? {}).join(', ')
    for (const role of roles) {
      const keys = isObject(role) ? Object.keys(role).join(', ') : typeOfValue(role)
      if (keys !== fields) out.push(`${at(path)}: fields ${fields} in the mock, documented ${keys} (Role.enum)`)
    }
    return
  }
  const type = typeOf(ours)
  if (documented.type !== undefined && type !== undefined && documented.type !== type) {
    out.push(`${at(path)}: ${type} in the mock, documented ${documented.type}`)
    return
  }
  if (documented.items !== undefined && ours.items !== undefined) compareShape(document, documented.items, ours.items, `${path}[]`, out)
  if (documented.properties === undefined || ours.properties === undefined) return
  const theirs = documented.properties
  const mine = ours.properties
  for (const key of Object.keys(theirs)) if (!(key in mine)) out.push(`${join(path, key)}: missing in the mock`)
  for (const key of Object.keys(mine)) if (!(key in theirs)) out.push(`${join(path, key)}: not documented`)
  compareOrder(Object.keys(mine), Object.keys(theirs), path, out)
  for (const [key, property] of Object.entries(theirs)) {
    const field = mine[key]
    if (field === undefined) continue
    const where = join(path, key)
    const required = documented.required?.includes(key) === true
    const nullable = resolve(document, property).nullable === true
    const sent = ours.required?.includes(key) === true
    if (nullable && !isNullable(field)) out.push(`${where}: never null in the mock, documented nullable`)
    if (!nullable && isNullable(field)) out.push(`${where}: may be null in the mock, documented not nullable`)
    if (required && !sent) out.push(`${where}: optional in the mock, documented required`)
    if (!required && !nullable && sent) out.push(`${where}: always sent by the mock, documented optional and not nullable (omitted when absent)`)
    if (!required && nullable && !sent) out.push(`${where}: may be omitted by the mock, documented nullable (sent as null)`)
    compareShape(document, property, field, where, out)
  }
}

/** Where a documented example's field names or order differ from the mock's shape. */
export function checkExample (example: unknown, mock: MockSchema, path: string, out: string[]): void {
  if (example === undefined || example === null) return
  const ours = nonNull(mock)
  if (Array.isArray(example) && ours.items !== undefined) {
    for (const item of example) checkExample(item, ours.items, `${path}[]`, out)
    return
  }
  if (!isObject(example) || ours.properties === undefined) return
  const fields = Object.keys(ours.properties)
  const keys = Object.keys(example)
  for (const key of keys) if (!fields.includes(key)) out.push(`example ${join(path, key)}: not a field of the mock`)
  for (const key of ours.required ?? []) if (!keys.includes(key)) out.push(`example ${join(path, key)}: missing, the mock always sends it`)
  const ordered = keys.filter((key) => fields.includes(key))
  const expected = fields.filter((key) => keys.includes(key))
  if (ordered.join() !== expected.join()) out.push(`example ${at(path)}: fields in the order ${ordered.join(', ')}, the mock's order is ${expected.join(', ')}`)
  for (const key of ordered) checkExample(example[key], ours.properties[key] as MockSchema, join(path, key), out)
}

/** Where two JSON values first differ, e.g. `permissions[3].actions`; undefined when they are the same text. */
export function firstDifference (a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const inner = firstDifference(a[i], b[i], `${path}[${i}]`)
      if (inner !== undefined) return inner
    }
    return `${at(path)} (${a.length} items, ${b.length} in the mock)`
  }
  if (isObject(a) && isObject(b)) {
    if (Object.keys(a).join() !== Object.keys(b).join()) return `${at(path)} (fields ${Object.keys(a).join(', ')}; ${Object.keys(b).join(', ')} in the mock)`
    for (const key of Object.keys(a)) {
      const inner = firstDifference(a[key], b[key], join(path, key))
      if (inner !== undefined) return inner
    }
  }
  return `${at(path)} (${JSON.stringify(a)}; ${JSON.stringify(b)} in the mock)`
}
