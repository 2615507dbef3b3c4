// The soak's measurements: the monitor's windows read back, and the verdicts drawn from them.
import { readFileSync } from 'node:fs'

/** One line of scripts/load/monitor.mjs: a window of the server's life. */
export interface Window {
  /** Epoch milliseconds. */
  readonly start: number
  readonly end: number
  readonly requests: number
  readonly rss: number
  readonly rssMax: number
  readonly heapUsed: number
  readonly heapUsedMean: number
  /** [epoch ms, heapUsed] right after each full (mark-sweep-compact) collection in the window: what the server keeps. */
  readonly afterFullGc: ReadonlyArray<readonly [number, number]>
  readonly heapTotal: number
  readonly external: number
  readonly arrayBuffers: number
  /** Event-loop delay, milliseconds. */
  readonly loopP50: number
  readonly loopP99: number
  readonly loopMax: number
}

export function readWindows (file: string): Window[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  // The last line may be half written.
  return text.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Window]
    } catch {
      return []
    }
  })
}

export interface Verdict {
  readonly name: string
  readonly passed: boolean
  readonly detail: string
}

/** RSS may grow less than this after warm-up: each window's highest, the first against the last and against the highest of all. */
export const RSS_GROWTH_LIMIT = 0.10
/** The least event-loop p99 of the last third of windows may exceed the first third's by this factor, plus the slack below. */
export const LOOP_P99_FACTOR = 1.5
export const LOOP_P99_SLACK_MS = 2
/** heapUsed after full collections: its trend (a least-squares line) may rise less than this share of its mean over the run. */
export const HEAP_TREND_LIMIT = 0.10

export function rssVerdict (windows: readonly Window[]): Verdict {
  const first = (windows[0] as Window).rssMax
  const last = (windows.at(-1) as Window).rssMax
  const max = Math.max(...windows.map((window) => window.rssMax))
  const growth = last / first - 1
  const peak = max / first - 1
  return {
    name: `RSS growth after warm-up < ${100 * RSS_GROWTH_LIMIT}%`,
    passed: growth < RSS_GROWTH_LIMIT && peak < RSS_GROWTH_LIMIT,
    detail: `highest RSS of the first window ${mb(first)}, of the last ${mb(last)} (${percent(growth)}), of all ${mb(max)} (${percent(peak)})`
  }
}

/**
 * Judged on each third's quietest window: other processes on the machine only ever add delay, in
 * bursts, while a server that slows down as it runs raises every window, the quietest included.
 */
export function loopVerdict (windows: readonly Window[]): Verdict {
  const third = Math.max(1, Math.floor(windows.length / 3))
  const early = windows.slice(0, third).map((window) => window.loopP99)
  const late = windows.slice(-third).map((window) => window.loopP99)
  const bound = Math.min(...early) * LOOP_P99_FACTOR + LOOP_P99_SLACK_MS
  return {
    name: 'event-loop delay p99 not growing',
    passed: Math.min(...late) <= bound,
    detail: `p99 of the first ${third} windows: least ${Math.min(...early).toFixed(2)} ms, median ${median(early).toFixed(2)} ms; ` +
      `of the last ${third}: least ${Math.min(...late).toFixed(2)} ms, median ${median(late).toFixed(2)} ms ` +
      `(allowed: least ≤ ${LOOP_P99_FACTOR} × the first third's + ${LOOP_P99_SLACK_MS} ms = ${bound.toFixed(2)} ms)`
  }
}

export function journalVerdict (windows: readonly Window[], polls: readonly number[], size: number): Verdict {
  const most = Math.max(0, ...polls)
  const points = windows.flatMap((window) => window.afterFullGc.map(([time, heap]): [number, number] => [time / 60_000, heap]))
  const minutes = ((windows.at(-1) as Window).end - (windows[0] as Window).start) / 60_000
  const mean = points.reduce((sum, [, heap]) => sum + heap, 0) / points.length
  const slope = slopePerMinute(points)
  const rise = slope * minutes / mean
  return {
    name: `journal memory bounded (at most ${size} entries; heapUsed after full collections trending up < ${100 * HEAP_TREND_LIMIT}% over the run)`,
    passed: polls.length > 0 && most <= size && points.length >= 3 && rise < HEAP_TREND_LIMIT,
    detail: `${polls.length} polls of GET /_mock/requests, at most ${most} entries; heapUsed after ${points.length} full collections: mean ${mb(mean)}, ` +
      `trend ${slope >= 0 ? '+' : ''}${mb(slope)}/min (${percent(rise)} over ${minutes.toFixed(1)} min)`
  }
}

/** Least-squares slope of [minutes, value] points, per minute. */
function slopePerMinute (points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n
  const sxy = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0)
  const sxx = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}

export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] as number : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** MB = 10^6 bytes, as the benchmark reports. */
export function mb (bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

function percent (share: number): string {
  return `${share >= 0 ? '+' : ''}${(100 * share).toFixed(1)}%`
}
