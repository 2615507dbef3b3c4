// SIGTERM while keep-alive clients are mid-request: every request received is answered, new connections are refused, exit 0.
import { once } from 'node:events'
import t from 'tap'
import { GRACE_MS, roundEnv, RULES, runRound, type MockRun } from '../scripts/load/shutdown-round.js'
import { startMock } from './spawn.js'

const CLIENTS = 50

/** With latency, requests are in flight at SIGTERM; paused, more clients connect and send while the mock cannot accept them yet. */
for (const kind of ['latency', 'paused'] as const) {
  t.test(`SIGTERM while 50 keep-alive connections are mid-request (${kind}): every request already sent is answered, new connections are refused, exit 0`, async (t) => {
    const mock = startMock('server', [], roundEnv(kind))
    t.teardown(() => { mock.child.kill('SIGKILL') })
    // The whole standard output, up to 'close': the last request lines are written just before the process exits.
    let stdout = ''
    mock.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    const closed = once(mock.child, 'close')
    const exited: Promise<MockRun> = Promise.all([mock.exited, closed]).then(([run]) => ({ ...run, stdout }))
    const port = Number(new URL(await mock.listening).port)

    const round = await runRound({ child: mock.child, port, exited }, { clients: CLIENTS, kind, seed: 20240730, signalWithinMs: 500, afterSignalMs: 1500 })

    t.ok(round.sentBeforeSignal.inFlight >= CLIENTS / 2, `most connections had a request in flight at SIGTERM (${round.sentBeforeSignal.inFlight})`)
    t.equal(round.sentBeforeSignal.answered, round.sentBeforeSignal.total, 'every request sent before SIGTERM got an answer')
    t.ok(round.refusedAtConnect > 0, 'clients trying new connections after SIGTERM were refused')
    // Each rule with what broke it, so that a failure says which request and how.
    for (const [rule, title] of Object.entries(RULES) as Array<[keyof typeof RULES, string]>) {
      t.strictSame(round.violations[rule], [], title)
    }
    t.equal(round.exit.code, 0, 'exit code 0')
    t.ok(round.exit.ms !== null && round.exit.ms < GRACE_MS, `exits within the grace period (${round.exit.ms} ms after SIGTERM)`)
  })
}
