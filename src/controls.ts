// The mock's test controls in one place: the users, scenarios, journal, client report and
// rate-limit counters, and reset(), which puts them all back as they were at start.
import type { UserStore } from './data/user-store.js'
import { Journal } from './http/journal.js'
import { RateLimitCounters } from './http/rate-limit.js'
import { ClientReport } from './http/report.js'
import { Scenarios } from './http/scenarios.js'

export class MockControls {
  readonly scenarios = new Scenarios()
  readonly rateLimit = new RateLimitCounters()
  readonly journal: Journal
  readonly report: ClientReport

  constructor (readonly users: UserStore, journalSize: number) {
    this.journal = new Journal(journalSize)
    this.report = new ClientReport(users)
  }

  /** Back to the data the mock started with; journal, report, scenarios and rate-limit counters cleared. */
  reset (): void {
    this.users.reset()
    this.scenarios.clear()
    this.rateLimit.clear()
    this.journal.clear()
    this.report.clear()
  }
}
