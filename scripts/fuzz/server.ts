// The mock under fuzz: the build, the process on a free loopback port, what it answers before and after, and its end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../bench/processes.js'

/** The fuzzer cannot run (exit 2): the message says why. */
export class FuzzError extends Error {
  override name = 'FuzzError'
}

export const AUTHORIZATION = 'Basic a2V5OnNlY3JldA==' // key:secret, the mock's default credentials

export function build (root: string): void {
  process.stderr.write('fuzz: npm run build\n')
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (result.status !== 0) throw new FuzzError('npm run build failed (its output is above)')
}

export interface Mock {
  readonly child: ChildProcess
  readonly port: number
  /** Its standard output (the log) and standard error, read when it fails and for secrets. */
  readonly stdoutFile: string
  readonly stderrFile: string
}

/** `node dist/server.js` on 127.0.0.1 with only the given SEQUENCE_MOCK_* settings; resolves once GET /health answers 200. */
export async function startMock (root: string, settings: Readonly<Record<string, string>>, scratch: string, name: string): Promise<Mock> {
  const port = await freePort()
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SEQUENCE_MOCK_')))
  const stdoutFile = join(scratch, `${name}.stdout`)
  const stderrFile = join(scratch, `${name}.stderr`)
  const stdout = openSync(stdoutFile, 'w')
  const stderr = openSync(stderrFile, 'w')
  const child = spawn(process.execPath, [join(root, 'dist/server.js')], {
    stdio: ['ignore', stdout, stderr],
    env: { ...env, ...settings, SEQUENCE_MOCK_HOST: '127.0.0.1', SEQUENCE_MOCK_PORT: String(port) }
  })
  closeSync(stdout)
  closeSync(stderr)
  const mock = { child, port, stdoutFile, stderrFile }
  const since = performance.now()
  for (;;) {
    if (!alive(mock)) throw new FuzzError(`the mock exited (${child.exitCode ?? child.signalCode}) before answering: ${tail(stderrFile)}`)
    const health = await get(port, '/health', {}, 1000).catch(() => undefined)
    if (health?.status === 200) return mock
    if (performance.now() - since > 30_000) {
      await stopMock(mock)
      throw new FuzzError(`the mock did not answer GET /health with 200 within 30 s: ${tail(stderrFile)}`)
    }
    await sleep(20)
  }
}

export function alive (mock: Mock): boolean {
  return mock.child.exitCode === null && mock.child.signalCode === null
}

export function tail (file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().slice(-1000) || '(nothing)'
  } catch {
    return '(unreadable)'
  }
}

/** SIGTERM, then SIGKILL after 5 s; the exit code or signal. */
export async function stopMock (mock: Mock): Promise<string> {
  const { child } = mock
  if (alive(mock)) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(killer)
  }
  return String(child.exitCode ?? child.signalCode)
}

export interface Answer {
  readonly status: number
  readonly body: string
}

export async function get (port: number, path: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs, headers }, (incoming) => {
      const chunks: Buffer[] = []
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
      incoming.on('error', reject)
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
    })
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer to GET ${path} within ${timeoutMs} ms`)))
    outgoing.on('error', reject)
    outgoing.end()
  })
}

/** Whether the mock still serves: GET /health and GET /api/users with the default credentials, each expected 200. */
export async function probe (mock: Mock): Promise<string[]> {
  const problems: string[] = []
  if (!alive(mock)) return [`the process exited (${mock.child.exitCode ?? mock.child.signalCode}): ${tail(mock.stderrFile)}`]
  for (const [path, headers] of [['/health', {}], ['/api/users', { authorization: AUTHORIZATION }]] as const) {
    try {
      const answer = await get(mock.port, path, headers, 5000)
      if (answer.status !== 200) problems.push(`GET ${path} answered ${answer.status}: ${answer.body.slice(0, 200)}`)
    } catch (error) {
      problems.push(`GET ${path}: ${(error as Error).message}`)
    }
  }
  return problems
}

/** Cursors and user ids the mock issues, in every version, both directions: the material for mutated cursors. */
export async function harvest (port: number): Promise<{ cursors: string[], userIds: string[] }> {
  const cursors = new Set<string>()
  const userIds = new Set<string>()
  for (const version of ['2024-01-01', '2024-05-09', '2024-07-30']) {
    let query = 'limit=7'
    for (let page = 0; page < 4; page++) {
      const answer = await get(port, `/api/users?${query}`, { authorization: AUTHORIZATION, 'sequence-version': version }, 5000)
      if (answer.status !== 200) throw new FuzzError(`GET /api/users?${query} answered ${answer.status} before the run: ${answer.body.slice(0, 200)}`)
      const body = JSON.parse(answer.body) as { items: Array<{ id: string }>, pagination: { after?: string | null, before?: string | null } }
      for (const item of body.items) userIds.add(item.id)
      const { after, before } = body.pagination
      if (typeof before === 'string') cursors.add(before)
      if (typeof after !== 'string') break
      cursors.add(after)
      query = `limit=7&after=${encodeURIComponent(after)}`
    }
  }
  return { cursors: [...cursors], userIds: [...userIds] }
}
