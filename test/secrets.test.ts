// Credentials and the admin token: never in a log line at any level, never echoed in a response.
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { exchange } from './raw.js'

const SECRET = 'Pr1vate-Secret'
const WRONG = 'Wr0ng-Guess'
const TOKEN = 'Adm1n-Token'
const basic = (pair: string): string => `Basic ${Buffer.from(pair).toString('base64')}`
/** What must never appear: the secrets and tokens, as text or as a logged byte list, and the headers that carry them. */
const FORBIDDEN = [SECRET, WRONG, TOKEN, basic(`ci:${SECRET}`).slice(6), basic(`ci:${WRONG}`).slice(6), 'Authorization: Basic', 'authorization":"Basic', 'Bearer',
  Buffer.from(SECRET).join(','), Buffer.from(TOKEN).join(','), Buffer.from(basic(`ci:${SECRET}`).slice(6)).join(',')]

t.test('at trace level, no log line holds a secret, an admin token or an Authorization header, whatever the request', async (t) => {
  let log = ''
  const logStream = new Writable({ write (chunk, _encoding, done) { log += String(chunk); done() } })
  const app = await buildApp(loadConfig({
    SEQUENCE_MOCK_LOG_LEVEL: 'trace',
    SEQUENCE_MOCK_CREDENTIALS: `ci:${SECRET}`,
    SEQUENCE_MOCK_ADMIN_TOKEN: TOKEN,
    SEQUENCE_MOCK_RATE_LIMIT: '3'
  }), { logStream })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const right = { authorization: basic(`ci:${SECRET}`) }
  const statuses: number[] = []
  const send = async (path: string, init: RequestInit = {}): Promise<void> => {
    const response = await fetch(`${base}${path}`, init)
    const body = await response.text()
    for (const secret of [SECRET, WRONG, TOKEN]) t.notMatch(body, secret, `${path}: the response does not echo a secret`)
    statuses.push(response.status)
  }
  await send('/api/users?limit=1', { headers: right })
  await send('/api/users?limit=1', { headers: { authorization: basic(`ci:${WRONG}`) } })
  await send('/api/users?limit=1', { headers: { authorization: `Basic ${SECRET}` } })
  await send('/api/users/not-a-user', { headers: right })
  await send('/api/users?limit=1', { headers: right })
  await send('/api/users?limit=1', { headers: right }) // over the rate limit of 3, with the 404
  await send('/_mock/requests', { headers: { authorization: `Bearer ${TOKEN}` } })
  await send('/_mock/requests', { headers: { authorization: `Bearer ${WRONG}` } })
  await send('/_mock/users', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: `{"email":"${SECRET}` })
  // Requests Node itself rejects: their raw bytes, Authorization included, reach the client-error handler.
  const port = (app.server.address() as AddressInfo).port
  const auth = `Authorization: ${basic(`ci:${SECRET}`)}\r\n`
  for (const raw of [
    `GET /api/users HTTP/1.1\r\nHost: x\r\n${auth}X: \u0001\r\n\r\n`,
    `GET /api/users HTTP/1.1\r\nHost: x\r\n${auth}X: ${'a'.repeat(17000)}\r\n\r\n`,
    `GET /api/users HTTP/9.9\r\nHost: x\r\n${auth}\r\n`,
    `GET /_mock/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n`
  ]) {
    const response = await exchange(port, raw)
    t.equal(response?.status !== undefined && response.status >= 400, true, 'rejected')
    statuses.push(response?.status ?? 0)
  }
  await app.close()
  t.strictSame(statuses, [200, 401, 401, 404, 200, 429, 200, 401, 400, 400, 431, 400, 400], 'every kind of request was made')
  t.ok(log.split('\n').length > 13, 'trace logging wrote lines')
  for (const forbidden of FORBIDDEN) t.notMatch(log, forbidden, `no log line holds ${JSON.stringify(forbidden)}`)
})
