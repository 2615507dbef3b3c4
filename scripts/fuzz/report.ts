// The fuzzer's tally and report: requests by kind and status, findings grouped by kind and form with an example each, as text or JSON.
import type { Case } from './case.js'
import { FINDING_KINDS, show, type Finding, type FindingKind } from './checks.js'
import type { Exchange } from './wire.js'

export interface Example {
  readonly index: number
  readonly family: string
  /** Method and target of the request the finding is about. */
  readonly request: string
  /** The bytes written, cut. */
  readonly sent: string
  /** What came back: an answer, the bytes, or what did not come. */
  readonly got: string
}

interface Form {
  count: number
  readonly example: Example
}

export interface PhaseSummary {
  readonly name: string
  readonly settings: string
  readonly requests: number
  /** Problems of GET /health and GET /api/users after the run; empty when both answered 200. */
  readonly stillAnswers: readonly string[]
  readonly exit: string
  readonly logErrorLines: number
}

export interface SlowSummary {
  readonly clients: number
  readonly statuses: readonly string[]
  readonly slowestAnswerMs: number
  readonly idleOpened: number
  readonly idleClosedByServer: number
}

/** Forms shown per kind; the rest are counted. */
const FORMS_SHOWN = 6

export class Tally {
  readonly requests = { http: 0, raw: 0 }
  readonly statuses = new Map<string, number>()
  readonly families = new Map<string, number>()
  readonly findings = new Map<FindingKind, Map<string, Form>>()
  readonly phases: PhaseSummary[] = []
  slow: SlowSummary | undefined

  record (fuzzCase: Case, exchange: Exchange, findings: readonly Finding[]): void {
    if (fuzzCase.index >= 0) {
      if (fuzzCase.raw) this.requests.raw++
      else this.requests.http++
      count(this.families, fuzzCase.family)
      for (const response of exchange.responses) count(this.statuses, String(response.status))
      if (exchange.timedOut) count(this.statuses, 'hang')
      else if (exchange.malformed !== undefined) count(this.statuses, 'malformed')
      else if (exchange.responses.length === 0) count(this.statuses, 'closed, no answer')
    }
    for (const finding of findings) this.add(finding, fuzzCase, exchange)
  }

  add (finding: Finding, fuzzCase: Case, exchange: Exchange | undefined): void {
    const forms = this.findings.get(finding.kind) ?? new Map<string, Form>()
    this.findings.set(finding.kind, forms)
    const key = `${fuzzCase.family} · ${finding.key}`
    const form = forms.get(key)
    if (form !== undefined) {
      form.count++
      return
    }
    const request = finding.request ?? fuzzCase.requests[0]
    forms.set(key, {
      count: 1,
      example: {
        index: fuzzCase.index,
        family: fuzzCase.family,
        request: request === undefined ? '' : `${request.method} ${show(request.target, 100)}`,
        sent: show(fuzzCase.bytes, 300),
        got: finding.detail + (exchange !== undefined && exchange.responses.length === 0 && exchange.received.length > 0 ? `; bytes: ${show(exchange.received, 200)}` : '')
      }
    })
  }

  get findingCount (): number {
    let total = 0
    for (const forms of this.findings.values()) for (const form of forms.values()) total += form.count
    return total
  }
}

function count (map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

export interface Run {
  readonly seed: number
  readonly seconds: number
  readonly requested: number
  readonly stoppedBy: 'count' | 'duration' | 'server down'
}

export function summary (tally: Tally, run: Run): Record<string, unknown> {
  const total = tally.requests.http + tally.requests.raw
  return {
    seed: run.seed,
    seconds: round(run.seconds),
    requests: { total, http: tally.requests.http, raw: tally.requests.raw, requested: run.requested, stoppedBy: run.stoppedBy },
    requestsPerSecond: round(total / Math.max(run.seconds, 0.001)),
    statuses: Object.fromEntries([...tally.statuses].sort(([a], [b]) => a.localeCompare(b))),
    families: Object.fromEntries([...tally.families].sort(([a], [b]) => a.localeCompare(b))),
    phases: tally.phases,
    slow: tally.slow,
    findings: Object.fromEntries(FINDING_KINDS.filter((kind) => tally.findings.has(kind)).map((kind) => {
      const forms = [...(tally.findings.get(kind) as Map<string, Form>)].sort(([, a], [, b]) => b.count - a.count)
      return [kind, { count: forms.reduce((sum, [, form]) => sum + form.count, 0), forms: forms.map(([key, form]) => ({ key, count: form.count, example: form.example })) }]
    })),
    findingCount: tally.findingCount,
    clean: tally.findingCount === 0
  }
}

export function renderText (tally: Tally, run: Run): string {
  const total = tally.requests.http + tally.requests.raw
  const lines: string[] = []
  lines.push(`sequence-mock fuzz, seed ${run.seed}: ${n(total)} requests (${n(tally.requests.http)} HTTP-level, ${n(tally.requests.raw)} raw-socket) in ${run.seconds.toFixed(1)} s, ${n(Math.round(total / Math.max(run.seconds, 0.001)))} req/s` +
    (run.stoppedBy === 'count' ? '' : `; stopped by ${run.stoppedBy === 'duration' ? '--duration' : 'the server going down'} before ${n(run.requested)}`))
  for (const phase of tally.phases) {
    lines.push(`  mock ${phase.name} (${phase.settings}): ${n(phase.requests)} requests; afterwards ${phase.stillAnswers.length === 0 ? 'GET /health and GET /api/users answered 200' : `NOT SERVING: ${phase.stillAnswers.join('; ')}`}; stopped with SIGTERM, exit: ${phase.exit}; error lines in its log: ${phase.logErrorLines}`)
  }
  if (tally.slow !== undefined) {
    const { clients, statuses, slowestAnswerMs, idleOpened, idleClosedByServer } = tally.slow
    lines.push(`  slow clients: ${clients}, answered ${statuses.join(', ')} (slowest after ${(slowestAnswerMs / 1000).toFixed(1)} s); idle connections: ${idleOpened} held open during the run, ${idleClosedByServer} closed by the server`)
  }
  lines.push(`  statuses: ${[...tally.statuses].sort(([a], [b]) => a.localeCompare(b)).map(([status, times]) => `${status} ×${n(times)}`).join(', ')}`)
  lines.push('')
  if (tally.findingCount === 0) {
    lines.push('No findings: no 5xx, every error in the envelope, nothing internal leaked, no HEAD body, no hang, every request answered, every answer well-formed, and the mock still serves.')
    return `${lines.join('\n')}\n`
  }
  lines.push(`FINDINGS: ${n(tally.findingCount)}`)
  for (const kind of FINDING_KINDS) {
    const forms = tally.findings.get(kind)
    if (forms === undefined) continue
    const sorted = [...forms].sort(([, a], [, b]) => b.count - a.count)
    lines.push('', `${kind}: ${n(sorted.reduce((sum, [, form]) => sum + form.count, 0))} in ${sorted.length} form${sorted.length === 1 ? '' : 's'}`)
    for (const [key, form] of sorted.slice(0, FORMS_SHOWN)) {
      const { example } = form
      lines.push(`  ${key} ×${n(form.count)}`)
      lines.push(`    #${example.index} ${example.request}`)
      lines.push(`    sent: ${example.sent}`)
      lines.push(`    got:  ${example.got}`)
    }
    if (sorted.length > FORMS_SHOWN) lines.push(`  … and ${sorted.length - FORMS_SHOWN} more forms (--json lists them all)`)
  }
  return `${lines.join('\n')}\n`
}

function n (value: number): string {
  return value.toLocaleString('en-US')
}

function round (value: number): number {
  return Math.round(value * 10) / 10
}
