// A preload for the soak (node --import): samples the server's event-loop delay, memory and requests per window into JSON lines, and does nothing else.
import { subscribe } from 'node:diagnostics_channel'
import { closeSync, openSync, writeSync } from 'node:fs'
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'

const file = process.env.SOAK_MONITOR_FILE
const windowMs = Number(process.env.SOAK_MONITOR_WINDOW_MS ?? 10_000)
/** Memory is read this often within a window, for its mean, least and most. */
const SAMPLE_MS = 500
/** The histogram's timer fires every 10 ms; what it records includes those 10 ms, which are not delay. */
const RESOLUTION_MS = 10

if (file !== undefined && file !== '') {
  const fd = openSync(file, 'w')
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  delay.enable()
  // Published by node:http for every request, replayed ones included; counting them changes nothing.
  let requests = 0
  subscribe('http.server.request.start', () => { requests++ })
  let samples = []
  // heapUsed right after each full (mark-sweep-compact) collection: what the server really keeps.
  let afterFullGc = []
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) afterFullGc.push([Date.now(), process.memoryUsage().heapUsed])
    }
  }).observe({ entryTypes: ['gc'] })
  // Windows end on fixed boundaries from the start, so that they do not drift against the load's.
  const origin = Date.now()
  let windowStart = origin
  let windows = 0

  const sample = () => {
    samples.push(process.memoryUsage())
    const now = Date.now()
    if (now < origin + (windows + 1) * windowMs) return
    // A stall longer than a window makes one long window, not a burst of empty ones.
    windows = Math.floor((now - origin) / windowMs)
    const end = origin + windows * windowMs
    const last = samples.at(-1)
    const ms = (nanoseconds) => Math.max(0, Math.round((nanoseconds / 1e6 - RESOLUTION_MS) * 100) / 100)
    const line = {
      // The window's boundaries; it is sampled within 500 ms after its end.
      start: windowStart,
      end,
      requests,
      rss: last.rss,
      rssMax: Math.max(...samples.map((memory) => memory.rss)),
      heapUsed: last.heapUsed,
      heapUsedMean: Math.round(samples.reduce((sum, memory) => sum + memory.heapUsed, 0) / samples.length),
      // [epoch ms, heapUsed] after each full collection in the window.
      afterFullGc,
      heapTotal: last.heapTotal,
      external: last.external,
      arrayBuffers: last.arrayBuffers,
      // Milliseconds of delay: how much later than due the histogram's timer ran.
      loopP50: ms(delay.percentile(50)),
      loopP99: ms(delay.percentile(99)),
      loopMax: ms(delay.max)
    }
    writeSync(fd, `${JSON.stringify(line)}\n`)
    delay.reset()
    requests = 0
    samples = []
    afterFullGc = []
    windowStart = end
  }
  // Unref'd: the monitor never keeps the server alive, nor delays its exit.
  setInterval(sample, SAMPLE_MS).unref()
  process.once('exit', () => closeSync(fd))
}
