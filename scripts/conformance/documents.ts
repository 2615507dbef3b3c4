// Sequence's published OpenAPI documents: read from a folder or downloaded from SequenceHQ/openapi-schema.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The parts of an OpenAPI 3.0 schema the checks read. */
export interface Schema {
  readonly $ref?: string
  readonly type?: string
  readonly properties?: Readonly<Record<string, Schema>>
  readonly required?: readonly string[]
  readonly items?: Schema
  readonly enum?: readonly unknown[]
  readonly nullable?: boolean
  readonly example?: unknown
  readonly allOf?: readonly Schema[]
  readonly anyOf?: readonly Schema[]
  readonly oneOf?: readonly Schema[]
  readonly additionalProperties?: boolean | Schema
}

export interface Parameter { readonly name: string, readonly in: string, readonly required?: boolean, readonly schema?: Schema }
export interface MediaType { readonly schema?: Schema, readonly example?: unknown, readonly examples?: Readonly<Record<string, { readonly value?: unknown }>> }
export interface Response { readonly content?: Readonly<Record<string, MediaType>> }

export interface OperationObject {
  readonly operationId?: string
  readonly summary?: string
  readonly deprecated?: boolean
  readonly parameters?: readonly Parameter[]
  readonly requestBody?: { readonly content?: Readonly<Record<string, MediaType>> }
  readonly responses?: Readonly<Record<string, Response>>
}

export interface Document {
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly components?: { readonly schemas?: Readonly<Record<string, Schema>> }
}

export interface Published {
  /** Where they came from, for the report: a folder or the download URLs' common prefix. */
  readonly source: string
  /** One document per version, by version. */
  readonly documents: ReadonlyMap<string, Document>
  /** The `Sequence-Version` enum of `latest.product.json`, when there is one. */
  readonly latest: readonly string[] | undefined
}

/** Documents that cannot be read or are not OpenAPI: the check cannot run (exit 2). */
export class DocumentsError extends Error {
  override name = 'DocumentsError'
}

export const USERS_PATHS = ['/users', '/users/{id}'] as const
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']
const VERSION_FILE = /^(\d{4}-\d{2}-\d{2})\.product\.json$/
const LATEST_FILE = 'latest.product.json'

export async function readDocuments (dir: string): Promise<Published> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (error) {
    throw new DocumentsError(`cannot read Sequence's OpenAPI documents in ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Pass --spec-dir DIR, set SEQUENCE_OPENAPI_DIR, or use --download.`)
  }
  const documents = new Map<string, Document>()
  for (const name of names.sort()) {
    const version = VERSION_FILE.exec(name)?.[1]
    if (version !== undefined) documents.set(version, parse(await readText(join(dir, name)), join(dir, name)))
  }
  if (documents.size === 0) throw new DocumentsError(`no <version>.product.json files in ${dir}`)
  const latest = names.includes(LATEST_FILE) ? versionEnum(parse(await readText(join(dir, LATEST_FILE)), join(dir, LATEST_FILE))) : undefined
  return { source: dir, documents, latest }
}

/** `<from>/SequenceHQ/openapi-schema/<ref>/<file>`, as raw.githubusercontent.com serves a repository's files. */
export function downloadUrl (from: string, ref: string, file: string): string {
  return `${from.replace(/\/+$/, '')}/SequenceHQ/openapi-schema/${ref.split('/').map(encodeURIComponent).join('/')}/${file}`
}

/** Each version's document and latest.product.json; any failed download stops the check. */
export async function downloadDocuments (from: string, ref: string, versions: readonly string[]): Promise<Published> {
  const documents = new Map<string, Document>()
  for (const version of versions) documents.set(version, await download(downloadUrl(from, ref, `${version}.product.json`)))
  const latest = versionEnum(await download(downloadUrl(from, ref, LATEST_FILE)))
  return { source: downloadUrl(from, ref, ''), documents, latest }
}

async function download (url: string): Promise<Document> {
  let response: globalThis.Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) })
  } catch (error) {
    const cause = (error as { cause?: { code?: string, message?: string } }).cause
    throw new DocumentsError(`cannot download ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`)
  }
  if (response.status !== 200) throw new DocumentsError(`cannot download ${url}: ${response.status} ${response.statusText}`)
  return parse(await response.text(), url)
}

async function readText (path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new DocumentsError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
}

function parse (text: string, name: string): Document {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new DocumentsError(`${name} is not JSON (${(error as Error).message})`)
  }
  const paths = (json as { paths?: unknown } | null)?.paths
  if (typeof paths !== 'object' || paths === null) throw new DocumentsError(`${name} is not an OpenAPI document (it has no "paths")`)
  return json as Document
}

/** The schema a `$ref` (`#/components/schemas/X`) points at, through chains of refs. */
export function resolve (document: Document, schema: Schema): Schema {
  let current = schema
  for (let hops = 0; current.$ref !== undefined && hops < 20; hops++) {
    const target = document.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')]
    if (target === undefined) throw new DocumentsError(`unresolvable $ref ${current.$ref}`)
    current = target
  }
  return current
}

/** The operations a document publishes on a path, method in upper case. */
export function operationsOf (document: Document, path: string): Array<{ method: string, operation: OperationObject }> {
  return Object.entries(document.paths[path] ?? {})
    .filter(([method]) => METHODS.includes(method))
    .map(([method, operation]) => ({ method: method.toUpperCase(), operation: operation as OperationObject }))
}

/** Every value of the `Sequence-Version` header enum over the document's Users operations. */
export function versionEnum (document: Document): string[] {
  const values = USERS_PATHS.flatMap((path) => operationsOf(document, path))
    .flatMap(({ operation }) => operation.parameters ?? [])
    .filter((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'sequence-version')
    .flatMap((parameter) => parameter.schema?.enum ?? [])
  return [...new Set(values.map(String))]
}

/**
 * Sequence's Role quirk: `type: object` with an `enum` of JSON-encoded strings, which no object can
 * match. The parsed values, when the schema is that; otherwise undefined.
 */
export function jsonEncodedEnum (schema: Schema): unknown[] | undefined {
  if (schema.type !== 'object' || schema.enum === undefined || schema.enum.length === 0) return undefined
  if (!schema.enum.every((value) => typeof value === 'string' && value.trimStart().startsWith('{'))) return undefined
  try {
    return schema.enum.map((value) => JSON.parse(value as string))
  } catch {
    return undefined
  }
}
