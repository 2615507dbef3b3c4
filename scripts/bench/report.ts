// The benchmark's results and their Markdown report: per request, per dataset size, page cost across sizes, and every target.
import type { Options } from './options.js'
import { describe, type Row } from './rows.js'
import type { WrkResult } from './wrk.js'

export const TARGETS = {
  ratio: 0.8,
  sameCostAcrossSizes: 0.9,
  startupMs: 1000,
  rssBytes: 150e6
} as const

export interface RowResult {
  readonly size: number
  readonly row: Row
  readonly path: string
  readonly bytes: number
  readonly mock: readonly WrkResult[]
  readonly baseline: readonly WrkResult[]
  readonly mockRps: number
  readonly baselineRps: number
  readonly ratio: number
  /** What went wrong under load or in the answer: a row with problems is not a result. */
  readonly problems: readonly string[]
  /** What may have disturbed the measure (the idle server busy on the shared core). */
  readonly notes: readonly string[]
}

export interface SizeResult {
  readonly size: number
  readonly startupMs: number
  /** The baseline's, from spawn to its first answer: what Node itself takes to start (none without rows). */
  readonly baselineStartupMs: number | undefined
  readonly rssAfterStart: number
  /** The highest VmRSS sampled every 100 ms while under load. */
  readonly maxRssUnderLoad: number
  /** VmHWM at the end: the highest resident set since spawn, start-up included. */
  readonly peakRss: number
  /** What loaded it: the rows, or only a short run for the memory when the size has no rows (--quick). */
  readonly load: string
}

export interface Run {
  readonly date: string
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly wrk: string
  readonly options: Options
  readonly notes: readonly string[]
  /** /proc/loadavg's 1-minute figure before the build and after the last size: other work competing shows here. */
  readonly loadBefore: number
  readonly loadAfter: number
  readonly sizes: readonly SizeResult[]
  readonly rows: readonly RowResult[]
  readonly seconds: number
}

export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] as number : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** Rounds that differ by more than this from each other (spread / median) mean the machine was busy. */
const NOISY = 0.2

/** (max - min) / median of the rounds' req/s. */
export function spread (runs: readonly WrkResult[]): number {
  const values = runs.map((run) => run.requestsPerSecond)
  return (Math.max(...values) - Math.min(...values)) / median(values)
}

function noise (result: RowResult): string | undefined {
  const mock = spread(result.mock)
  const baseline = spread(result.baseline)
  if (mock <= NOISY && baseline <= NOISY) return undefined
  return `rounds vary: mock ${(mock * 100).toFixed(0)}%, baseline ${(baseline * 100).toFixed(0)}%`
}

const count = (value: number): string => Math.round(value).toLocaleString('en-US')
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)
const mark = (met: boolean): string => met ? '✓' : '✗'
const pageOf = (row: Row): string => row.page === 'by id' ? '' : `${row.page} page`

export function renderReport (run: Run): string {
  const { options } = run
  const lines: string[] = [
    '# sequence-mock benchmark',
    '',
    `- Date: ${run.date}`,
    `- Machine: ${run.cpu}, ${run.cores} cores; servers on core 0 (taskset -c 0), wrk on core 1 (taskset -c 1)`,
    `- Node ${run.node}, wrk ${run.wrk}`,
    `- Options: ${options.quick ? '--quick, ' : ''}${options.rounds} alternating round${options.rounds === 1 ? '' : 's'} of ${options.durationSeconds} s per server and request, ` +
      `${options.warmupSeconds} s warm-up per server and request (not counted), ${options.connections} connections, wrk -t1, ` +
      `sizes ${options.sizes.map(count).join(', ')} users`,
    '- Mock: `node dist/server.js` with SEQUENCE_MOCK_SEED=1, SEQUENCE_MOCK_RATE_LIMIT=0 (the default 1,500 requests/min would answer 429 under load), ' +
      'log level `info` (the default) written to /dev/null, so each request pays its log line',
    '- Baseline: a raw `node:http` server (scripts/bench/baseline.mjs) answering with the status, headers and body bytes the mock returned for the same request',
    ...run.notes.map((note) => `- Note: ${note}`),
    `- Load average (1 min) before: ${run.loadBefore.toFixed(2)}, after: ${run.loadAfter.toFixed(2)} (the servers and wrk take 2 cores; more means other work competed)`,
    `- Run time: ${formatDuration(run.seconds)}`,
    '',
    '## Requests per second, mock vs baseline',
    '',
    `Median of the rounds; ratio = mock / baseline; target ≥ ${TARGETS.ratio}.`,
    '',
    '| Users | Request | Page | Version | Bytes | Mock req/s | Baseline req/s | Ratio | ≥ 0.8 | Mock p50 / p99 ms | Notes |',
    '|---:|---|---|---|---:|---:|---:|---:|:---:|---:|---|'
  ]
  for (const result of run.rows) {
    const p50 = median(result.mock.map((w) => w.p50Ms))
    const p99 = median(result.mock.map((w) => w.p99Ms))
    lines.push(`| ${count(result.size)} | \`${describe(result.row)}\` | ${pageOf(result.row)} | ${result.row.version} | ${count(result.bytes)} | ` +
      `${count(result.mockRps)} | ${count(result.baselineRps)} | ${result.ratio.toFixed(2)} | ${mark(result.ratio >= TARGETS.ratio)} | ` +
      `${p50.toFixed(2)} / ${p99.toFixed(2)} | ${[...result.problems, ...result.notes, noise(result)].filter((note) => note !== undefined).join('; ')} |`)
  }
  if (run.rows.length === 0) lines.push('| | (no requests measured) | | | | | | | | | |')

  lines.push('', '## Start-up and memory per dataset size', '',
    `Start-up: from just before spawn to the first 200 answer of \`GET /api/users\` (target ≤ ${TARGETS.startupMs} ms); ` +
    'the baseline\'s, measured the same way, is what starting Node and a bare server takes. ' +
    `RSS: VmRSS of the server process, MB = 10^6 bytes (target ≤ ${TARGETS.rssBytes / 1e6} MB under load); peak: VmHWM, start-up included.`, '',
    '| Users | Start-up (ms) | ≤ 1 s | Baseline start-up (ms) | RSS after start (MB) | Max RSS under load (MB) | ≤ 150 MB | Peak RSS (MB) | Load |',
    '|---:|---:|:---:|---:|---:|---:|:---:|---:|---|')
  for (const size of run.sizes) {
    lines.push(`| ${count(size.size)} | ${count(size.startupMs)} | ${mark(size.startupMs <= TARGETS.startupMs)} | ${size.baselineStartupMs === undefined ? '—' : count(size.baselineStartupMs)} | ${mb(size.rssAfterStart)} | ` +
      `${mb(size.maxRssUnderLoad)} | ${mark(size.maxRssUnderLoad <= TARGETS.rssBytes)} | ${mb(size.peakRss)} | ${size.load} |`)
  }

  const comparisons = costComparisons(run)
  lines.push('', '## Page cost vs dataset size', '')
  if (comparisons.sizes.length < 2) {
    lines.push('Needs requests measured at two sizes or more.')
  } else {
    const [reference] = comparisons.sizes as [number, ...number[]]
    lines.push(`The mock's ratio to the baseline at each size, and in parentheses relative to ${count(reference)} users (target ≥ ${TARGETS.sameCostAcrossSizes}, i.e. within 10%). ` +
      'Ratios rather than req/s: the sizes run minutes apart and the machine\'s speed moves between them; ' +
      'the baseline, sending the same bytes at the same moment, cancels that out.', '',
      `| Request | Page | Version | ${comparisons.sizes.map((size) => `${count(size)} users`).join(' | ')} | ≥ 0.9 |`,
      `|---|---|---|${comparisons.sizes.map(() => '---:').join('|')}|:---:|`)
    for (const line of comparisons.lines) {
      const cells = line.ratios.map((ratio, i) => ratio === undefined ? '—' : i === 0 ? ratio.toFixed(2) : `${ratio.toFixed(2)} (${(line.relative[i] as number).toFixed(2)})`)
      lines.push(`| \`${describe(line.row)}\` | ${pageOf(line.row)} | ${line.row.version} | ${cells.join(' | ')} | ${mark(line.met)} |`)
    }
  }

  lines.push('', '## Targets', '')
  for (const target of targets(run, comparisons)) lines.push(`- ${target.met === undefined ? '–' : mark(target.met)} ${target.text}`)
  lines.push('')
  return lines.join('\n')
}

interface Comparison {
  readonly row: Row
  /** Mock over baseline, at each size. */
  readonly ratios: ReadonlyArray<number | undefined>
  readonly relative: ReadonlyArray<number | undefined>
  readonly met: boolean
}

/** Each request measured at two sizes or more: its ratio to the baseline against that at the smallest size it was measured at. */
function costComparisons (run: Run): { sizes: number[], lines: Comparison[] } {
  const sizes = [...new Set(run.rows.map((result) => result.size))].sort((a, b) => a - b)
  const keys = [...new Set(run.rows.map((result) => result.row.key))]
  const lines: Comparison[] = []
  for (const key of keys) {
    const results = sizes.map((size) => run.rows.find((result) => result.size === size && result.row.key === key))
    const measured = results.filter((result) => result !== undefined)
    const [first] = measured
    if (first === undefined || measured.length < 2) continue
    const relative = results.map((result) => result === undefined ? undefined : result.ratio / first.ratio)
    lines.push({ row: first.row, ratios: results.map((result) => result?.ratio), relative, met: relative.every((value) => value === undefined || value >= TARGETS.sameCostAcrossSizes) })
  }
  return { sizes, lines }
}

interface Target {
  /** Undefined for a caveat rather than a target. */
  readonly met: boolean | undefined
  readonly text: string
}

function targets (run: Run, comparisons: { sizes: number[], lines: Comparison[] }): Target[] {
  const list: Target[] = []
  const largest = Math.max(...run.options.sizes)
  const missed = run.rows.filter((result) => result.ratio < TARGETS.ratio)
  list.push({
    met: run.rows.length > 0 && missed.length === 0,
    text: `req/s ≥ ${TARGETS.ratio}× the baseline: ${run.rows.length - missed.length} of ${run.rows.length} requests` +
      (missed.length === 0 ? '' : `; below: ${missed.map((result) => `${count(result.size)} users ${describe(result.row)} ${pageOf(result.row)} ${result.row.version} (${result.ratio.toFixed(2)})`.replace(/ {2,}/g, ' ')).join(', ')}`)
  })
  const costly = comparisons.lines.filter((line) => !line.met)
  list.push({
    met: comparisons.lines.length > 0 && costly.length === 0,
    text: comparisons.lines.length === 0
      ? 'a page costs the same at every size (within 10%): not measured (needs requests at two sizes)'
      : `a page costs the same at ${comparisons.sizes.map(count).join(', ')} users (within 10%): ${comparisons.lines.length - costly.length} of ${comparisons.lines.length} requests` +
        (costly.length === 0 ? '' : `; slower: ${costly.map((line) => `${describe(line.row)} ${pageOf(line.row)} ${line.row.version} (${Math.min(...line.relative.filter((value) => value !== undefined)).toFixed(2)})`.replace(/ {2,}/g, ' ')).join(', ')}`)
  })
  const slowest = run.sizes.reduce((worst, size) => size.startupMs > worst.startupMs ? size : worst)
  list.push({
    met: run.sizes.every((size) => size.startupMs <= TARGETS.startupMs),
    text: `start-up to the first served request ≤ 1 s: slowest ${count(slowest.startupMs)} ms at ${count(slowest.size)} users`
  })
  const biggest = run.sizes.reduce((worst, size) => size.maxRssUnderLoad > worst.maxRssUnderLoad ? size : worst)
  list.push({
    met: run.sizes.every((size) => size.maxRssUnderLoad <= TARGETS.rssBytes),
    text: `RSS under load ≤ 150 MB: highest ${mb(biggest.maxRssUnderLoad)} MB at ${count(biggest.size)} users`
  })
  const errors = run.rows.filter((result) => result.problems.length > 0)
  list.push({
    met: errors.length === 0,
    text: errors.length === 0 ? 'every answer under load was 2xx with no socket errors, every deep page full with both cursors' : `${errors.length} requests had errors or unexpected answers (see the table's notes): their numbers are not results`
  })
  const noisy = run.rows.filter((result) => noise(result) !== undefined || result.notes.length > 0)
  if (noisy.length > 0) {
    list.push({ met: undefined, text: `${noisy.length} of ${run.rows.length} requests had rounds more than ${NOISY * 100}% apart or a busy idle server (see the table's notes): rerun on an idle machine` })
  }
  if (largest < 10_000_000) list.push({ met: undefined, text: `measured up to ${count(largest)} users; the targets hold up to 10,000,000 (run without --sizes)` })
  return list
}

export function formatDuration (seconds: number): string {
  const whole = Math.round(seconds)
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`
}
