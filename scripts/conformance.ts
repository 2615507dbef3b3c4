// npm run conformance: checks the mock against Sequence's published OpenAPI documents and prints every difference.
import { API_VERSIONS, type ApiVersion } from '../src/contract/versions.js'
import { downloadDocuments, DocumentsError, operationsOf, readDocuments, USERS_PATHS, type Published } from './conformance/documents.js'
import { checkDefaultVersion, checkOwnDocument, checkVersionLive } from './conformance/live-checks.js'
import { MockError, runningMock, startMock, type MockClient } from './conformance/mock-client.js'
import { parseOptions, USAGE, UsageError, type Options } from './conformance/options.js'
import { checkRoles, checkOperations, checkVersions, publishedVersions } from './conformance/static-checks.js'

async function main (args: readonly string[]): Promise<number> {
  const options = parseOptions(args, process.env)
  if (options.help) {
    process.stdout.write(USAGE)
    return 0
  }
  const published = options.documents.kind === 'dir'
    ? await readDocuments(options.documents.dir)
    : await downloadDocuments(options.documents.from, options.documents.ref, API_VERSIONS)
  console.log(`Sequence's documents: ${published.source} (${[...published.documents.keys()].join(', ')})`)

  const differences: string[] = [...checkVersions(published), ...checkRoles(published)]
  const versions = API_VERSIONS.filter((version) => published.documents.has(version))
  for (const version of versions) differences.push(...checkOperations(version, published.documents.get(version)!))

  const client = await connect(options)
  console.log(`The mock: ${client.api}${options.mock.kind === 'in-process' ? ' (this checkout, in-process)' : ''}`)
  try {
    differences.push(...await checkLive(client, published, versions))
  } finally {
    await client.close()
  }

  const unique = [...new Set(differences)]
  for (const line of unique) console.log(line)
  const operations = versions.reduce((count, version) => count + countOperations(published, version), 0)
  const scope = `${versions.length} versions, ${operations} operations, ${client.requests} requests`
  console.log(unique.length === 0
    ? `No differences: the mock matches Sequence's published documents (${scope}).`
    : `${unique.length} difference${unique.length === 1 ? '' : 's'} between the mock and Sequence's published documents (${scope}).`)
  return unique.length === 0 ? 0 : 1
}

async function connect (options: Options): Promise<MockClient> {
  if (options.mock.kind === 'in-process') return await startMock()
  const { api, clientId, secret, adminToken } = options.mock
  return runningMock(api, clientId, secret, adminToken)
}

/** Over HTTP: credentials first (a refusal is bad usage), then per version with users of the check's own, removed at the end. */
async function checkLive (client: MockClient, published: Published, versions: readonly ApiVersion[]): Promise<string[]> {
  const probe = await client.send('GET', '/users', { query: 'limit=1' })
  if (probe.status === 401) throw new MockError(`the mock at ${client.api} refused the credentials of client id ${JSON.stringify(client.clientId)} (401); pass the ones it was started with: --auth <id:secret>`)
  if (probe.status !== 200) throw new MockError(`the mock at ${client.api} answered GET /users with ${probe.status}, not 200: ${probe.text.slice(0, 300)}`)
  const differences: string[] = []
  const newest = publishedVersions(published).at(-1) as string
  differences.push(...await checkDefaultVersion(client, newest))
  const users = new Map<ApiVersion, string>()
  try {
    for (const version of versions) users.set(version, await client.addUser())
    for (const version of versions) {
      differences.push(...await checkVersionLive(client, version, published.documents.get(version)!, users.get(version)!))
    }
    for (const version of versions) differences.push(...await checkOwnDocument(client, version, published.documents.get(version)!))
  } finally {
    for (const id of users.values()) await client.removeUser(id)
  }
  return differences
}

function countOperations (published: Published, version: string): number {
  const document = published.documents.get(version)
  return document === undefined ? 0 : USERS_PATHS.reduce((count, path) => count + operationsOf(document, path).length, 0)
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  // Exit 1 means differences and nothing else: anything that stops the check is 2.
  const known = error instanceof UsageError || error instanceof DocumentsError || error instanceof MockError
  console.error(`conformance: ${known ? (error as Error).message : (error as Error).stack}`)
  if (error instanceof UsageError) console.error('Run npm run conformance -- --help for the options.')
  process.exitCode = 2
}
