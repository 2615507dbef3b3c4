// The client-conformance report: per client id, what clients did that a real integration should not.
import type { Page } from '../data/page.js'
import type { UserStore } from '../data/user-store.js'
import type { JournalEntry } from './journal.js'

export class ClientReport {
  constructor (readonly users: UserStore) {}

  observe (_entry: JournalEntry, _page: Page | null): void {}

  toJSON (): object {
    return { clients: [] }
  }

  toText (): string {
    return ''
  }

  clear (): void {}
}
