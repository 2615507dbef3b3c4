// The dataset, built once at start: generated from a seed, or loaded from a fixtures file.
import { loadFixtures } from './fixtures.js'
import { generateUsers } from './generate.js'
import { UserStore } from './user-store.js'

export interface DatasetOptions {
  readonly seed: number
  readonly size: number
  readonly accountId: string
  readonly fixtures?: string | undefined
}

export async function createDataset (options: DatasetOptions): Promise<UserStore> {
  const users = options.fixtures === undefined ? generateUsers(options) : await loadFixtures(options.fixtures)
  return new UserStore(users)
}
