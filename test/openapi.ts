// Reads Sequence's published OpenAPI documents from ../shared (never committed into this repo).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/** Where the documents live: SEQUENCE_OPENAPI_DIR, else the shared folder beside the checkout. */
export const OPENAPI_DIR = process.env['SEQUENCE_OPENAPI_DIR'] ?? fileURLToPath(new URL('../../shared/sequence-openapi/', import.meta.url))

interface Schema { properties?: Record<string, Schema & { nullable?: boolean }>, required?: string[], enum?: string[], $ref?: string, items?: Schema }
export interface OpenApiDocument { components: { schemas: Record<string, Schema> }, paths: Record<string, Record<string, any>> }

export function readOpenApi (version: string): OpenApiDocument {
  const path = join(OPENAPI_DIR, `${version}.product.json`)
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new Error(`Cannot read Sequence's OpenAPI document ${path} (set SEQUENCE_OPENAPI_DIR): ${(error as Error).message}`)
  }
}

/** The schema a `$ref` points at. */
export function resolve (document: OpenApiDocument, schema: Schema): Schema {
  return schema.$ref === undefined ? schema : document.components.schemas[schema.$ref.split('/').at(-1) as string] as Schema
}
