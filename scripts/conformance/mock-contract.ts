// The mock's side of the comparison: per operation, the TypeBox shapes its routes declare (src/routes/users.ts).
import { OPERATIONS, type Operation } from '../../src/contract/operations.js'
import {
  ListUsersQuerySchema, UpdateUserBodySchema, UpdateUserResponseSchema, UserPageSchemas, UserParamsSchema, UserSchemas, VersionHeadersSchema
} from '../../src/contract/schemas.js'
import type { ApiVersion } from '../../src/contract/versions.js'
import type { MockSchema } from './schema.js'

export interface MockOperation {
  readonly query?: MockSchema
  readonly params?: MockSchema
  readonly headers: MockSchema
  readonly body?: MockSchema
  readonly response: (version: ApiVersion) => MockSchema
}

/** By Sequence's operationId, as the routes declare them. */
export const MOCK_OPERATIONS: Readonly<Record<string, MockOperation>> = {
  getUsers: { query: ListUsersQuerySchema, headers: VersionHeadersSchema, response: (version) => UserPageSchemas[version] },
  getUsersById: { params: UserParamsSchema, headers: VersionHeadersSchema, response: (version) => UserSchemas[version] },
  putUsersById: { params: UserParamsSchema, headers: VersionHeadersSchema, body: UpdateUserBodySchema, response: () => UpdateUserResponseSchema },
  deleteUsersById: { params: UserParamsSchema, headers: VersionHeadersSchema, response: (version) => UserSchemas[version] }
}

/** The mock's operation for a method and path in a version, if it serves one. */
export function mockOperation (method: string, path: string, version: ApiVersion): Operation | undefined {
  return OPERATIONS.find((operation) => operation.method === method && operation.path === path && operation.versions.includes(version))
}

/** Every method the mock knows on a path, in any version. */
export function mockMethods (path: string): string[] {
  return [...new Set(OPERATIONS.filter((operation) => operation.path === path).map((operation) => operation.method))]
}
