// Slow and idle clients beside the run: a request dripped a byte at a time must end in an error answer, and idle connections must not stop others being served.
import { connect, type Socket } from 'node:net'
import type { Case } from './case.js'
import { checkExchange, type Finding } from './checks.js'
import { parseResponse, type Exchange, type Response } from './wire.js'

export interface SlowOptions {
  readonly port: number
  /** Clients that send a request one byte per `intervalMs`, headers or body. */
  readonly slow: number
  /** Connections opened and never written to. */
  readonly idle: number
  readonly intervalMs: number
  /** When the slow clients give up: no answer by then is a hang. */
  readonly deadline: number
}

export interface SlowOutcome {
  readonly cases: Case[]
  readonly findings: Array<{ readonly fuzzCase: Case, readonly finding: Finding, readonly exchange: Exchange }>
  /** Status of each slow client's answer, or `none`. */
  readonly statuses: string[]
  readonly idleOpened: number
  readonly idleClosedByServer: number
  /** Slowest time to an answer, ms. */
  readonly slowestAnswerMs: number
}

const AUTH = 'Basic a2V5OnNlY3JldA=='

/** Starts them; `finish()` closes the idle connections and waits for every slow client's answer or deadline. */
export function startSlowClients (options: SlowOptions): { finish: () => Promise<SlowOutcome> } {
  const host = `Host: 127.0.0.1:${options.port}\r\n`
  const slow = Array.from({ length: options.slow }, (_, i) => {
    const headersSlow = i % 2 === 0
    const start = headersSlow
      ? `GET /api/users HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\nX-Slow: `
      : `PUT /api/users/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\n${host}Authorization: ${AUTH}\r\nSequence-Version: 2024-05-09\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[`
    const fuzzCase: Case = {
      index: -1 - i,
      family: headersSlow ? 'slow:headers' : 'slow:body',
      raw: true,
      bytes: Buffer.from(`${start}… one byte every ${options.intervalMs} ms`, 'latin1'),
      requests: [{ method: headersSlow ? 'GET' : 'PUT', target: headersSlow ? '/api/users' : '/api/users/00000000-0000-4000-8000-000000000000' }],
        halfClose: false,
      mayCloseUnanswered: false,
      asks5xx: false,
      secrets: []
    }
    return { fuzzCase, result: drip(options, start) }
  })
  const idle: Array<{ socket: Socket, closedByServer: boolean }> = []
  for (let i = 0; i < options.idle; i++) {
    const entry = { socket: connect({ host: '127.0.0.1', port: options.port }), closedByServer: false }
    entry.socket.on('error', () => { entry.closedByServer = true })
    entry.socket.on('end', () => { entry.closedByServer = true })
    entry.socket.resume()
    idle.push(entry)
  }
  return {
    finish: async () => {
      const idleClosedByServer = idle.filter((entry) => entry.closedByServer).length
      for (const entry of idle) entry.socket.destroy()
      const results = await Promise.all(slow.map(({ result }) => result))
      const findings = slow.flatMap(({ fuzzCase }, i) => {
        const result = results[i] as DripResult
        return checkExchange(fuzzCase, result.exchange).map((finding) => ({ fuzzCase, finding, exchange: result.exchange }))
      })
      return {
        cases: slow.map(({ fuzzCase }) => fuzzCase),
        findings,
        statuses: results.map((result) => result.exchange.responses[0]?.status.toString() ?? 'none'),
        idleOpened: idle.length,
        idleClosedByServer,
        slowestAnswerMs: Math.max(0, ...results.map((result) => result.answerMs))
      }
    }
  }
}

interface DripResult {
  readonly exchange: Exchange
  readonly answerMs: number
}

async function drip (options: SlowOptions, start: string): Promise<DripResult> {
  const began = performance.now()
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: options.port })
    let received = Buffer.alloc(0)
    let closed = false
    let reset = false
    let settled = false
    const finish = (timedOut: boolean): void => {
      if (settled) return
      settled = true
      clearInterval(ticker)
      clearTimeout(timer)
      socket.destroy()
      const step = received.length === 0 ? undefined : parseResponse(received, 0, false, closed || timedOut)
      const responses: Response[] = step?.kind === 'response' ? [step.response] : []
      const malformed = step?.kind === 'malformed' ? step.reason : undefined
      const trailing = step?.kind === 'response' ? received.subarray(step.next) : Buffer.alloc(0)
      resolve({ exchange: { responses, closed, reset, timedOut: timedOut && responses.length === 0, malformed, trailing, received }, answerMs: performance.now() - began })
    }
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const step = parseResponse(received, 0, false, false)
      if (step.kind !== 'incomplete') finish(false)
    })
    socket.on('end', () => { closed = true; finish(false) })
    socket.on('error', (error: NodeJS.ErrnoException) => { closed = true; reset = error.code === 'ECONNRESET'; finish(false) })
    socket.write(start)
    const ticker = setInterval(() => { if (!socket.destroyed) socket.write('a') }, options.intervalMs)
    const timer = setTimeout(() => finish(true), Math.max(0, options.deadline - Date.now()))
  })
}
