// npm run shutdown-load: SIGTERM while keep-alive clients are mid-request; every request accounted for, exit 0 within the grace period.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { GRACE_MS, ROUND_KINDS, roundEnv, RULES, runRound, type RoundKind, type Rule, type MockProcess, type MockRun, type RoundResult } from './load/shutdown-round.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

const USAGE = `Usage: npm run shutdown-load -- [options]

Starts the mock (node dist/server.js, built first) once per round on 127.0.0.1, opens keep-alive
connections that send requests in a loop (page walks, users by id, unknown ids, PUT, DELETE,
POST /_mock/users), and sends SIGTERM at a random moment once all are busy. Then half the clients
go quiet, their connections left open and idle; the others keep sending and connecting for 1.5 s.
Rounds cycle through three kinds: latency (SEQUENCE_MOCK_DELAY_MS=200-800: requests in flight on
every connection), fast (no latency: replayed reads, connections idle between requests) and paused
(as latency, but the mock is stopped with SIGSTOP while a quarter more clients connect and write a
request, gets SIGTERM, and resumes 100 ms later). Every request is classified and checked against
the mock's own log. Exit 0 when every round kept every rule, 1 on any violation or when it could
not run.

  --clients <n>    keep-alive connections per round (default 200; quick 50)
  --rounds <n>     rounds, cycling latency, fast, paused (default 5; quick 3)
  --seed <n>       seed of the first round (default: random, printed); round i uses seed + i
  --quick          50 connections, 3 rounds: one of each kind
  --no-build       use dist/ as it is instead of running npm run build first
  --json           print the results as JSON instead of the table
  --help           this text
`

interface Options {
  readonly help: boolean
  readonly clients: number
  readonly rounds: number
  readonly seed: number
  readonly build: boolean
  readonly json: boolean
}

/** Bad usage, or the run could not start: the message says why (exit 1). */
class RunError extends Error {
  override name = 'RunError'
}

function parseOptions (args: readonly string[]): Options {
  let values
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        clients: { type: 'string' },
        rounds: { type: 'string' },
        seed: { type: 'string' },
        quick: { type: 'boolean' },
        'no-build': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean' }
      }
    }))
  } catch (error) {
    throw new RunError(`${(error as Error).message}\nRun npm run shutdown-load -- --help for the options.`)
  }
  const quick = values.quick === true
  return {
    help: values.help === true,
    clients: integer('--clients', values.clients, quick ? 50 : 200, 1, 5000),
    rounds: integer('--rounds', values.rounds, quick ? 3 : 5, 1, 100),
    seed: integer('--seed', values.seed, Math.floor(Math.random() * 1_000_000), 0, 2 ** 31),
    build: values['no-build'] !== true,
    json: values.json === true
  }
}

function integer (option: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) throw new RunError(`${option} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`)
  return value
}

let running: ChildProcess | undefined

/** `node dist/server.js` with the round's variables only (the shell's SEQUENCE_MOCK_* are dropped), once it listens. */
async function startMock (kind: RoundKind): Promise<MockProcess> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SEQUENCE_MOCK_')))
  const child = spawn(process.execPath, [join(ROOT, 'dist/server.js')], { env: { ...env, ...roundEnv(kind) }, stdio: ['ignore', 'pipe', 'pipe'] })
  running = child
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  // 'close', not 'exit': the last log lines are read by then.
  const exited = new Promise<MockRun>((resolve) => {
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => { resolve({ code, signal, stdout, stderr }) })
  })
  const port = await new Promise<number>((resolve, reject) => {
    const listening = (): void => {
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout)?.[1]
      if (port === undefined) return
      child.stdout.off('data', listening)
      resolve(Number(port))
    }
    child.stdout.on('data', listening)
    void exited.then((run) => { reject(new RunError(`the mock exited (${run.code ?? run.signal}) before listening: ${run.stderr.trim()}`)) })
  })
  return { child, port, exited }
}

function renderReport (options: Options, rounds: readonly RoundResult[]): string {
  const sum = (pick: (round: RoundResult) => number): number => rounds.reduce((total, round) => total + pick(round), 0)
  const n = (value: number): string => value.toLocaleString('en-US')
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  const lines = [
    `sequence-mock shutdown under load: ${rounds.length} rounds of ${n(options.clients)} keep-alive connections, seed ${options.seed}, ` +
      `grace period ${n(GRACE_MS)} ms, Node ${process.version}`,
    '',
    row(['round', 'kind', 'sent before SIGTERM', 'answered', 'in flight at SIGTERM (with Connection: close)', 'mock saw SIGTERM (ms)', 'sent after SIGTERM',
      'answered (with Connection: close)', 'dropped, never received (reused / new connection)', 'refused at connect', 'first new connection refused (ms)',
      'exit', 'SIGTERM to exit (ms)', 'violations']),
    row(Array.from({ length: 14 }, () => '---'))
  ]
  rounds.forEach((round, index) => {
    const { sentBeforeSignal: before, sentAfterSignal: after, listener } = round
    lines.push(row([
      String(index + 1), round.kind === 'paused' ? `paused, ${round.latecomers} latecomers` : round.kind, n(before.total), n(before.answered),
      `${n(before.inFlight)} (${n(before.inFlightConnectionClose)})`, round.signalLoggedMs === null ? '?' : n(round.signalLoggedMs), n(after.total),
      `${n(after.answered)} (${n(after.connectionClose)})`, `${n(after.dropped.reusedConnection + after.dropped.newConnection)} (${n(after.dropped.reusedConnection)} / ${n(after.dropped.newConnection)})`,
      n(round.refusedAtConnect), listener.refusedAfterMs === null ? 'never' : `${n(listener.refusedAfterMs)}${listener.refusedWhileServing ? ', while draining' : ''}`,
      String(round.exit.code ?? round.exit.signal), round.exit.ms === null ? 'never' : n(round.exit.ms), n(round.violationCount)
    ]))
  })
  lines.push(row([
    '**total**', '', n(sum((round) => round.sentBeforeSignal.total)), n(sum((round) => round.sentBeforeSignal.answered)),
    `${n(sum((round) => round.sentBeforeSignal.inFlight))} (${n(sum((round) => round.sentBeforeSignal.inFlightConnectionClose))})`, '',
    n(sum((round) => round.sentAfterSignal.total)), `${n(sum((round) => round.sentAfterSignal.answered))} (${n(sum((round) => round.sentAfterSignal.connectionClose))})`,
    n(sum((round) => round.sentAfterSignal.dropped.reusedConnection + round.sentAfterSignal.dropped.newConnection)),
    n(sum((round) => round.refusedAtConnect)), '', rounds.every((round) => round.exit.code === 0) ? 'all 0' : 'not all 0',
    `max ${n(Math.max(...rounds.map((round) => round.exit.ms ?? Number.POSITIVE_INFINITY)))}`, n(sum((round) => round.violationCount))
  ]))
  lines.push('')
  for (const [index, round] of rounds.entries()) {
    if (round.violationCount === 0) continue
    lines.push(`Round ${index + 1} (${round.kind}, seed ${round.seed}) broke these rules:`)
    for (const [rule, found] of Object.entries(round.violations) as Array<[Rule, readonly string[]]>) {
      if (found.length > 0) lines.push(`  ${RULES[rule]}:`, ...found.map((violation) => `    - ${violation}`))
    }
    if (round.stderr !== '') lines.push(`  the mock's standard error: ${round.stderr.slice(0, 1000)}`)
    lines.push('')
  }
  const violations = sum((round) => round.violationCount)
  lines.push(violations === 0
    ? 'No violation: every request sent before SIGTERM was answered normally, every request the mock logged reached its client with that status, ' +
      'requests dropped after SIGTERM were never received (absent from the log), new connections were refused, and every round exited 0 within the grace period.'
    : `${n(violations)} violation(s): see above. To rerun round k (timing differs from run to run): --clients ${options.clients} --seed ${options.seed} --rounds k.`)
  return `${lines.join('\n')}\n`
}

async function main (args: readonly string[]): Promise<void> {
  const options = parseOptions(args)
  if (options.help) {
    process.stdout.write(USAGE)
    return
  }
  if (options.build) {
    progress('npm run build')
    if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] }).status !== 0) throw new RunError('npm run build failed (its output is above)')
  }
  if (!existsSync(join(ROOT, 'dist/server.js'))) throw new RunError('dist/server.js is missing: run npm run build (or drop --no-build)')
  const rounds: RoundResult[] = []
  for (let index = 0; index < options.rounds; index++) {
    const kind = ROUND_KINDS[index % ROUND_KINDS.length] as RoundKind
    const seed = options.seed + index
    progress(`round ${index + 1} of ${options.rounds}: ${kind}, ${options.clients} connections, seed ${seed}`)
    const mock = await startMock(kind)
    const round = await runRound(mock, { clients: options.clients, kind, seed, signalWithinMs: kind === 'fast' ? 500 : 1000, afterSignalMs: 1500 })
    running = undefined
    rounds.push(round)
    progress(`round ${index + 1}: ${round.sentBeforeSignal.total} sent before SIGTERM (${round.sentBeforeSignal.inFlight} in flight), mock saw SIGTERM after ${round.signalLoggedMs ?? '?'} ms, ` +
      `${round.sentAfterSignal.total} after, exit ${round.exit.code ?? round.exit.signal} after ${round.exit.ms ?? '?'} ms, ${round.violationCount} violation(s)`)
  }
  process.stdout.write(options.json ? `${JSON.stringify({ options, node: process.version, rounds }, null, 2)}\n` : renderReport(options, rounds))
  if (rounds.some((round) => round.violationCount > 0)) process.exitCode = 1
}

function progress (message: string): void {
  process.stderr.write(`shutdown-load: ${message}\n`)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    running?.kill('SIGKILL')
    process.exit(signal === 'SIGINT' ? 130 : 143)
  })
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  process.exitCode = 1
  process.stderr.write(`shutdown-load: ${error instanceof RunError ? error.message : (error as Error).stack}\n`)
  running?.kill('SIGKILL')
}
