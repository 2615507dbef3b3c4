// The drift check's command line: where Sequence's documents come from, and which mock to check.
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

export const DEFAULT_FROM = 'https://raw.githubusercontent.com'
export const DEFAULT_REF = 'main'
export const DEFAULT_AUTH = 'key:secret'
/** The folder beside the checkout: `../shared/sequence-openapi/` from the repository root. */
export const DEFAULT_SPEC_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/sequence-openapi')

export const USAGE = `Usage: npm run conformance -- [options]

Checks the mock against Sequence's published OpenAPI documents (<version>.product.json) and prints
each difference. Exit 0: none; 1: differences; 2: bad usage, or documents or mock unreadable.

Documents (one of):
  --spec-dir <dir>       read them from <dir> (default: $SEQUENCE_OPENAPI_DIR, else ${DEFAULT_SPEC_DIR})
  --download             fetch them from GitHub, SequenceHQ/openapi-schema
    --ref <ref>          the commit or branch to fetch (default: ${DEFAULT_REF})
    --from <url>         instead of ${DEFAULT_FROM}

Mock (default: this checkout's, started in-process on a free port):
  --url <url>            a running mock's API base URL, e.g. http://127.0.0.1:8910/api
    --auth <id:secret>   its credentials (default: ${DEFAULT_AUTH})
    --admin-token <t>    its /_mock token, when it was started with SEQUENCE_MOCK_ADMIN_TOKEN

  --help                 this text
`

export type Documents =
  | { readonly kind: 'dir', readonly dir: string }
  | { readonly kind: 'download', readonly from: string, readonly ref: string }

export type Mock =
  | { readonly kind: 'in-process' }
  | { readonly kind: 'url', readonly api: string, readonly clientId: string, readonly secret: string, readonly adminToken: string | undefined }

export interface Options {
  readonly help: boolean
  readonly documents: Documents
  readonly mock: Mock
}

/** Bad usage: the message says what to change (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError'
}

export function parseOptions (args: readonly string[], env: Readonly<Record<string, string | undefined>>): Options {
  let values
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        'spec-dir': { type: 'string' },
        download: { type: 'boolean' },
        ref: { type: 'string' },
        from: { type: 'string' },
        url: { type: 'string' },
        auth: { type: 'string' },
        'admin-token': { type: 'string' },
        help: { type: 'boolean' }
      }
    }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const needs = (option: string, other: string): void => {
    if ((values as Record<string, unknown>)[option] !== undefined) throw new UsageError(`--${option} goes with --${other}`)
  }
  if (values.download === true && values['spec-dir'] !== undefined) throw new UsageError('--spec-dir and --download exclude each other: the documents come from one place')
  if (values.download !== true) {
    needs('ref', 'download')
    needs('from', 'download')
  }
  if (values.url === undefined) {
    needs('auth', 'url')
    needs('admin-token', 'url')
  }
  const documents: Documents = values.download === true
    ? { kind: 'download', from: httpUrl('--from', values.from ?? DEFAULT_FROM), ref: nonEmpty('--ref', values.ref ?? DEFAULT_REF) }
    : { kind: 'dir', dir: resolve(nonEmpty('--spec-dir', values['spec-dir'] ?? (env['SEQUENCE_OPENAPI_DIR'] || DEFAULT_SPEC_DIR))) }
  return { help: values.help === true, documents, mock: values.url === undefined ? { kind: 'in-process' } : mockAt(values.url, values.auth ?? DEFAULT_AUTH, values['admin-token']) }
}

function mockAt (url: string, auth: string, adminToken: string | undefined): Mock {
  const api = httpUrl('--url', url).replace(/\/+$/, '')
  if (!api.endsWith('/api')) throw new UsageError(`--url must be the mock's API base URL, ending in /api (e.g. http://127.0.0.1:8910/api), not ${api}`)
  const colon = auth.indexOf(':')
  // Never echo the value: it holds a secret.
  if (colon < 1 || colon === auth.length - 1) throw new UsageError('--auth must be clientId:clientSecret')
  if (adminToken === '') throw new UsageError('--admin-token must not be empty')
  return { kind: 'url', api, clientId: auth.slice(0, colon), secret: auth.slice(colon + 1), adminToken }
}

function httpUrl (option: string, text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${option} must be an http(s) URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} must be an http(s) URL`)
  if (url.username !== '' || url.password !== '') throw new UsageError(`${option} must not hold credentials; pass them with --auth`)
  return text
}

function nonEmpty (option: string, text: string): string {
  if (text.trim() === '') throw new UsageError(`${option} must not be empty`)
  return text
}
