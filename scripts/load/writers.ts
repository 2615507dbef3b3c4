// The walk's writers: adds, updates, deletes, removals and resets through the API and /_mock, and the clock of each, for the walks' checks.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { API_VERSIONS } from '../../src/contract/versions.js'
import { formatMicros, parseMicros } from '../../src/data/fixtures.js'
import { Client, type Answer } from './http.js'

export const ACCOUNT_ID = '83da2ca4-49c7-4d81-9c9a-ba5be11768b0'

/** A user of the start data, as the list shows it in 2024-07-30, and its creation time from the cursors. */
export interface StartUser {
  readonly user: Readonly<Record<string, unknown>> & { readonly id: string }
  readonly micros: number
}

/**
 * When the events that concern one user happened, on the writers' clock (Infinity: not yet). A
 * request's effect lies between its sending and its answer, so a walk's checks use whichever
 * bound is safe: a user must be seen if it was added before the walk started and no removal of it
 * was sent before the walk ended.
 */
interface Life {
  added: number
  removalSent: number
  removed: number
  deleteSent: number
  deleted: number
}

/** The users between two resets: every reset (or replacement with the start data) begins a new epoch. */
export interface Epoch {
  readonly lives: Map<string, Life>
  /** Users a write may still target: not removed, nor being removed. */
  readonly targets: string[]
}

/** Where a walk began or ended: the writers' clock, and the epoch then. */
export interface Moment {
  readonly clock: number
  readonly epoch: Epoch
}

export interface WritersOptions {
  readonly port: number
  readonly hardDelete: boolean
  readonly writers: number
  /** Writes per second, all writers together. */
  readonly rate: number
  /** Seconds between resets; 0 for none. */
  readonly resetEverySeconds: number
}

export const WRITE_KINDS = ['added', 'addedInTheMiddle', 'addedAtATie', 'updated', 'deleted', 'removed', 'reset', 'replaced'] as const
export type WriteKind = typeof WRITE_KINDS[number]

const MAX_EXAMPLES = 5

export class Writers {
  /** The creation time of every user ever stored, for the order check. */
  readonly micros = new Map<string, number>()
  readonly done: Record<WriteKind, number> = Object.fromEntries(WRITE_KINDS.map((kind) => [kind, 0])) as Record<WriteKind, number>
  /** Writes answered otherwise than the contract says: a count, and the first few. */
  failures = 0
  readonly failureExamples: string[] = []
  /** Every reset and replacement: when it was sent and when answered. */
  readonly resets: Array<{ sent: number, answered: number }> = []
  /** Requests the run sent, the walks' pages included. */
  requests = 0

  readonly #options: WritersOptions
  readonly #start: readonly StartUser[]
  readonly #lowMicros: number
  readonly #highMicros: number
  #clock = 0
  #epoch: Epoch
  #added = 0
  #stopped = false
  /** Set while a reset runs: no write starts meanwhile, so every write belongs to one epoch. */
  #barrier: Promise<void> | undefined
  readonly #inFlight = new Set<Promise<void>>()
  readonly #loops: Array<Promise<void>> = []

  constructor (options: WritersOptions, start: readonly StartUser[]) {
    this.#options = options
    this.#start = start
    for (const { user, micros } of start) this.micros.set(user.id, micros)
    const micros = start.map((user) => user.micros)
    this.#lowMicros = Math.min(...micros)
    this.#highMicros = Math.max(...micros)
    this.#epoch = this.#startEpoch()
  }

  now (): Moment {
    return { clock: ++this.#clock, epoch: this.#epoch }
  }

  /** Waits until the writes in flight now are answered, so that every user a walk saw is known. */
  async settled (): Promise<void> {
    await Promise.all([...this.#inFlight])
  }

  /** Whether a reset was under way at any time between two moments. */
  resetBetween (start: Moment, end: Moment): boolean {
    return this.resets.some((reset) => reset.sent < end.clock && reset.answered > start.clock)
  }

  start (): void {
    const interval = 1000 * this.#options.writers / this.#options.rate
    for (let i = 0; i < this.#options.writers; i++) this.#loops.push(this.#writeLoop(new Client(this.#options.port), interval, i * interval / this.#options.writers))
    if (this.#options.resetEverySeconds > 0) this.#loops.push(this.#resetLoop(new Client(this.#options.port)))
  }

  async stop (): Promise<void> {
    this.#stopped = true
    await Promise.all(this.#loops)
  }

  async #writeLoop (client: Client, intervalMs: number, offsetMs: number): Promise<void> {
    let next = performance.now() + offsetMs
    while (!this.#stopped) {
      await sleep(Math.max(0, next - performance.now()))
      next = Math.max(next + intervalMs, performance.now())
      while (this.#barrier !== undefined) await this.#barrier
      if (this.#stopped) break
      const write = this.#write(client)
      this.#inFlight.add(write)
      await write
      this.#inFlight.delete(write)
    }
    client.close()
  }

  /** Every few seconds, alternately `POST /_mock/reset` and `PUT /_mock/users` with the start data, once the writes in flight are answered. */
  async #resetLoop (client: Client): Promise<void> {
    let replace = false
    for (;;) {
      const deadline = performance.now() + this.#options.resetEverySeconds * 1000
      while (!this.#stopped && performance.now() < deadline) await sleep(Math.min(100, deadline - performance.now()))
      if (this.#stopped) break
      let release = (): void => {}
      this.#barrier = new Promise((resolve) => { release = resolve })
      await this.settled()
      const reset = { sent: ++this.#clock, answered: Infinity }
      this.resets.push(reset)
      const answer = await this.#send(client, replace ? 'PUT /_mock/users' : 'POST /_mock/reset', replace
        ? { method: 'PUT', path: '/_mock/users', json: { items: this.#start.map(({ user, micros }) => ({ ...user, createdAt: formatMicros(micros) })) } }
        : { method: 'POST', path: '/_mock/reset' })
      const expected = JSON.stringify({ users: this.#start.length })
      if (answer !== undefined && (answer.status !== 200 || answer.body !== expected)) this.#fail(`${replace ? 'PUT /_mock/users' : 'POST /_mock/reset'}: ${answer.status} ${answer.body.slice(0, 300)}, expected 200 ${expected}`)
      else if (answer !== undefined) this.done[replace ? 'replaced' : 'reset']++
      this.#epoch = this.#startEpoch()
      reset.answered = ++this.#clock
      replace = !replace
      this.#barrier = undefined
      release()
    }
    client.close()
  }

  #startEpoch (): Epoch {
    const lives = new Map<string, Life>()
    for (const { user } of this.#start) lives.set(user.id, { added: 0, removalSent: Infinity, removed: Infinity, deleteSent: Infinity, deleted: Infinity })
    return { lives, targets: [...lives.keys()] }
  }

  async #write (client: Client): Promise<void> {
    const choice = Math.random()
    if (choice < 0.15) return await this.#add(client, 'added', undefined)
    if (choice < 0.25) return await this.#add(client, 'addedInTheMiddle', this.#lowMicros + Math.floor(Math.random() * (this.#highMicros - this.#lowMicros)))
    // Exactly a start user's creation time: the id breaks the tie.
    if (choice < 0.30) return await this.#add(client, 'addedAtATie', this.#start[Math.floor(Math.random() * this.#start.length)]?.micros)
    if (choice < 0.55) return await this.#update(client)
    if (choice < 0.80) return await this.#delete(client)
    return await this.#remove(client)
  }

  async #add (client: Client, kind: WriteKind, createdAtMicros: number | undefined): Promise<void> {
    const epoch = this.#epoch
    const user = {
      email: `walker-${++this.#added}@example.com`,
      sequenceAccountIds: [ACCOUNT_ID],
      state: 'active',
      roles: ['readOnlyUser'],
      ...(createdAtMicros !== undefined && { createdAt: formatMicros(createdAtMicros) })
    }
    const answer = await this.#send(client, 'POST /_mock/users', { method: 'POST', path: '/_mock/users', json: user })
    if (answer === undefined) return
    const stored = answer.status === 201 ? parseJson(answer.body) as { id?: unknown, createdAt?: unknown } | undefined : undefined
    const micros = typeof stored?.createdAt === 'string' ? parseMicros(stored.createdAt) : undefined
    if (typeof stored?.id !== 'string' || micros === undefined || (createdAtMicros !== undefined && micros !== createdAtMicros)) {
      return this.#fail(`POST /_mock/users: ${answer.status} ${answer.body.slice(0, 300)}, expected 201 with the stored user`)
    }
    this.micros.set(stored.id, micros)
    epoch.lives.set(stored.id, { added: ++this.#clock, removalSent: Infinity, removed: Infinity, deleteSent: Infinity, deleted: Infinity })
    epoch.targets.push(stored.id)
    this.done[kind]++
  }

  async #update (client: Client): Promise<void> {
    const id = this.#pick()
    if (id === undefined) return
    const body = { sequenceAccountIds: [ACCOUNT_ID, randomUUID()] }
    const answer = await this.#send(client, `PUT /api/users/${id}`, { method: 'PUT', path: `/api/users/${id}`, version: '2024-05-09', json: body })
    if (answer === undefined || this.#refused(answer, 201, id, `PUT /api/users/${id}`)) return
    if (answer.body !== JSON.stringify({ id, ...body })) return this.#fail(`PUT /api/users/${id}: ${answer.body.slice(0, 300)}, expected ${JSON.stringify({ id, ...body })}`)
    this.done.updated++
  }

  /** `DELETE /api/users/{id}` in any version: soft, the user stays (deleted); hard, it is removed. */
  async #delete (client: Client): Promise<void> {
    const epoch = this.#epoch
    const id = this.#options.hardDelete ? this.#take() : this.#pick()
    if (id === undefined) return
    const life = epoch.lives.get(id) as Life
    if (this.#options.hardDelete) life.removalSent = Math.min(life.removalSent, ++this.#clock)
    else life.deleteSent = Math.min(life.deleteSent, ++this.#clock)
    const version = API_VERSIONS[Math.floor(Math.random() * API_VERSIONS.length)] as string
    const answer = await this.#send(client, `DELETE /api/users/${id}`, { method: 'DELETE', path: `/api/users/${id}`, version })
    if (answer === undefined || this.#refused(answer, 200, id, `DELETE /api/users/${id}`)) return
    const user = parseJson(answer.body) as { id?: unknown, state?: unknown } | undefined
    if (user?.id !== id || user.state !== 'deleted') return this.#fail(`DELETE /api/users/${id}: ${answer.body.slice(0, 300)}, expected the user with "state":"deleted"`)
    if (this.#options.hardDelete) life.removed = Math.min(life.removed, ++this.#clock)
    else life.deleted = Math.min(life.deleted, ++this.#clock)
    this.done.deleted++
  }

  /** `DELETE /_mock/users/{id}`: gone, whatever the delete mode. */
  async #remove (client: Client): Promise<void> {
    const epoch = this.#epoch
    const id = this.#take()
    if (id === undefined) return
    const life = epoch.lives.get(id) as Life
    life.removalSent = Math.min(life.removalSent, ++this.#clock)
    const answer = await this.#send(client, `DELETE /_mock/users/${id}`, { method: 'DELETE', path: `/_mock/users/${id}` })
    if (answer === undefined || this.#refused(answer, 200, id, `DELETE /_mock/users/${id}`)) return
    life.removed = Math.min(life.removed, ++this.#clock)
    this.done.removed++
  }

  #pick (): string | undefined {
    const targets = this.#epoch.targets
    return targets[Math.floor(Math.random() * targets.length)]
  }

  /** Takes a user out of the targets before its removal is sent, so that no later write targets it. */
  #take (): string | undefined {
    const targets = this.#epoch.targets
    const index = Math.floor(Math.random() * targets.length)
    const id = targets[index]
    if (id === undefined) return undefined
    targets[index] = targets.at(-1) as string
    targets.pop()
    return id
  }

  /**
   * True when the write did not happen. A 404 is right only for a user whose removal was sent
   * before (a removal can overtake an update sent earlier); anything else unexpected is a failure.
   */
  #refused (answer: Answer, expected: number, id: string, label: string): boolean {
    if (answer.status === expected) return false
    const life = this.#epoch.lives.get(id)
    if (answer.status !== 404 || life === undefined || life.removalSent === Infinity) this.#fail(`${label}: ${answer.status} ${answer.body.slice(0, 300)}, expected ${expected}`)
    return true
  }

  async #send (client: Client, label: string, request: { method: string, path: string, version?: string, json?: unknown }): Promise<Answer | undefined> {
    this.requests++
    try {
      return await (request.version === undefined
        ? client.send(request.path, { method: request.method, json: request.json })
        : client.api(request.path, request.version, request.method, request.json))
    } catch (error) {
      this.#fail(`${label}: ${(error as Error).message}`)
      return undefined
    }
  }

  #fail (message: string): void {
    this.failures++
    if (this.failureExamples.length < MAX_EXAMPLES) this.failureExamples.push(message)
  }
}

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
