// The dataset, made at start: generated from a seed (on demand, user by user), or loaded from a fixtures file.
import { loadFixtures } from './fixtures.js'
import { GeneratedUsers } from './generate.js'
import { UserStore } from './user-store.js'

export interface DatasetOptions {
  readonly seed: number
  readonly size: number
  readonly accountId: string
  readonly fixtures?: string | undefined
}

export async function createDataset (options: DatasetOptions): Promise<UserStore> {
  return new UserStore(options.fixtures === undefined ? new GeneratedUsers(options) : await loadFixtures(options.fixtures))
}
