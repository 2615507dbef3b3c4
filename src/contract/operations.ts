// Sequence's Users operations: which API versions publish each one, with Sequence's operation ids.
import { API_VERSIONS, type ApiVersion } from './versions.js'

export interface Operation {
  readonly operationId: string
  readonly method: 'GET' | 'PUT' | 'DELETE'
  /** Sequence's path, below the `/api` server URL. */
  readonly path: '/users' | '/users/{id}'
  readonly summary: string
  readonly status: 200 | 201
  readonly versions: readonly ApiVersion[]
  readonly deprecated?: true
}

/** @see https://docs.sequencehq.com/api-reference (Users) */
export const OPERATIONS: readonly Operation[] = [
  { operationId: 'getUsers', method: 'GET', path: '/users', summary: 'List all Users', status: 200, versions: API_VERSIONS },
  { operationId: 'getUsersById', method: 'GET', path: '/users/{id}', summary: 'Get a user', status: 200, versions: API_VERSIONS },
  // "Update a user" is published, deprecated, in the two older versions only.
  { operationId: 'putUsersById', method: 'PUT', path: '/users/{id}', summary: 'Update a user', status: 201, versions: ['2024-01-01', '2024-05-09'], deprecated: true },
  { operationId: 'deleteUsersById', method: 'DELETE', path: '/users/{id}', summary: 'Delete User', status: 200, versions: API_VERSIONS }
]

/** The methods a version publishes for a path, in the table's order (HEAD goes with GET); one lookup per request. */
const PUBLISHED = new Map(API_VERSIONS.flatMap((version) => ['/users', '/users/{id}'].map((path) =>
  [`${version} ${path}`, OPERATIONS.filter((operation) => operation.path === path && operation.versions.includes(version)).map((operation) => operation.method)] as const)))

export function publishedMethods (path: string, version: ApiVersion): readonly string[] {
  return PUBLISHED.get(`${version} ${path}`) ?? []
}
