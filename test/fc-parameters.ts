// fast-check's run parameters for the property tests, from the environment.
import type fc from 'fast-check'

/**
 * A fresh random seed per run, so that every run tries new cases; a failure prints its seed and path.
 * `FC_SEED=<seed> FC_PATH=<path>` replays it (with tap's `--grep` for the one property); `FC_NUM_RUNS`
 * sets how many cases every property tries.
 */
export function parameters (numRuns: number): fc.Parameters<unknown> {
  const { FC_SEED, FC_PATH, FC_NUM_RUNS } = process.env
  return {
    includeErrorInReport: true,
    numRuns: FC_NUM_RUNS === undefined || FC_NUM_RUNS === '' ? numRuns : Number(FC_NUM_RUNS),
    ...(FC_SEED !== undefined && FC_SEED !== '' && { seed: Number(FC_SEED) }),
    ...(FC_PATH !== undefined && FC_PATH !== '' && { path: FC_PATH })
  }
}
