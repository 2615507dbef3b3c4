// Sequence's API versions, selected per request by the Sequence-Version header.
/** @see https://docs.sequencehq.com/reference/versioning */
export const API_VERSIONS = ['2024-01-01', '2024-05-09', '2024-07-30'] as const
export type ApiVersion = (typeof API_VERSIONS)[number]
export const LATEST_VERSION: ApiVersion = '2024-07-30'

export const VERSION_HEADER = 'sequence-version'

export function isApiVersion (value: unknown): value is ApiVersion {
  return API_VERSIONS.includes(value as ApiVersion)
}

/** 2024-07-30 made the pagination fields nullable; older versions omit an absent cursor instead. */
export function hasNullableCursors (version: ApiVersion): boolean {
  return version === '2024-07-30'
}
