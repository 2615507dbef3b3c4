// TypeBox shapes of Sequence's users endpoints, per API version: the one source of truth.
import { Type, type Static } from 'typebox'
import { API_VERSIONS, type ApiVersion } from './versions.js'
import { ROLE_NAMES } from './roles.js'

export const PermissionSchema = Type.Object({
  resource: Type.String(),
  actions: Type.Array(Type.String())
})

export const RoleSchema = Type.Object({
  roleName: Type.Enum(ROLE_NAMES),
  permissions: Type.Array(PermissionSchema)
})
export type Role = Static<typeof RoleSchema>

const userFields = {
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  sequenceAccountIds: Type.Array(Type.String({ format: 'uuid' })),
  state: Type.String()
}

/** 2024-01-01 and 2024-05-09. */
export const UserV20240101Schema = Type.Object(userFields)
/** 2024-07-30 adds the required `roles`. */
export const UserV20240730Schema = Type.Object({ ...userFields, roles: Type.Array(RoleSchema) })
export type User = Static<typeof UserV20240730Schema>

/** Older versions: all three optional and never null, so an absent cursor is omitted. */
export const PaginationV20240101Schema = Type.Object({
  after: Type.Optional(Type.String()),
  before: Type.Optional(Type.String()),
  totalResultSize: Type.Optional(Type.Integer())
})
/** 2024-07-30: the three fields are nullable. */
export const PaginationV20240730Schema = Type.Object({
  after: Type.Union([Type.String(), Type.Null()]),
  before: Type.Union([Type.String(), Type.Null()]),
  totalResultSize: Type.Union([Type.Integer(), Type.Null()])
})

export const UserSchemas = {
  '2024-01-01': UserV20240101Schema,
  '2024-05-09': UserV20240101Schema,
  '2024-07-30': UserV20240730Schema
} as const satisfies Record<ApiVersion, unknown>

export const UserPageV20240101Schema = Type.Object({ items: Type.Array(UserV20240101Schema), pagination: PaginationV20240101Schema })
export const UserPageV20240730Schema = Type.Object({ items: Type.Array(UserV20240730Schema), pagination: PaginationV20240730Schema })

export const UserPageSchemas = {
  '2024-01-01': UserPageV20240101Schema,
  '2024-05-09': UserPageV20240101Schema,
  '2024-07-30': UserPageV20240730Schema
} as const satisfies Record<ApiVersion, unknown>

/** What a route may answer, whatever the version; each reply is serialized by its version's own schema. */
export const UserPageSchema = Type.Union([UserPageV20240730Schema, UserPageV20240101Schema])
export type UserPage = Static<typeof UserPageSchema>
export const AnyUserSchema = Type.Union([UserV20240730Schema, UserV20240101Schema])

/** `limit` as text: an integer from 1 to 100, leading zeros allowed. */
export const LIMIT_PATTERN = '^0*(?:[1-9][0-9]?|100)$'

export const ListUsersQuerySchema = Type.Object({
  /**
   * "Must be between 1 and 100 (inclusive)": matched as text, so that ` 7`, `7e0` or `1.0`, which a
   * number coercion would let through, are refused like any other non-integer.
   */
  limit: Type.Optional(Type.String({ pattern: LIMIT_PATTERN, description: 'must be an integer between 1 and 100 (inclusive).' })),
  after: Type.Optional(Type.String({ description: 'must be one cursor: pagination.after of the previous page.' })),
  before: Type.Optional(Type.String({ description: 'must be one cursor: pagination.before of the next page.' }))
})
export type ListUsersQuery = Static<typeof ListUsersQuerySchema>

export const UserParamsSchema = Type.Object({ id: Type.String() })

/** `PUT /users/{id}` (2024-01-01, 2024-05-09): `UpdateSequenceUserRequest`. Unknown fields are refused, not ignored. */
export const UpdateUserBodySchema = Type.Object({
  sequenceAccountIds: Type.Array(Type.String({ format: 'uuid' }), {
    uniqueItems: true,
    description: 'must be an array of distinct Sequence account ids (UUIDs).'
  })
}, { additionalProperties: false })
export type UpdateUserBody = Static<typeof UpdateUserBodySchema>

/** `UpdateSequenceUserResponse`: the id and the new account ids, and nothing else. */
export const UpdateUserResponseSchema = Type.Object({
  id: Type.String(),
  sequenceAccountIds: Type.Array(Type.String())
})

export const VersionHeadersSchema = Type.Object({
  authorization: Type.String(),
  'sequence-version': Type.Optional(Type.Enum(API_VERSIONS))
})

/** One detail of a validationError, as in Sequence's older documents. */
export const ErrorDetailSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  key: Type.String(),
  errors: Type.Array(Type.Unknown())
})
export type ErrorDetail = Static<typeof ErrorDetailSchema>

/** The envelope of every error: `{"error":{"type","message"}}`, validation errors with `errors[]`. */
export const ErrorSchema = Type.Object({
  error: Type.Object({
    type: Type.String(),
    message: Type.String(),
    errors: Type.Optional(Type.Array(ErrorDetailSchema))
  })
})
export type ErrorBody = Static<typeof ErrorSchema>
