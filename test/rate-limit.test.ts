import t from 'tap'
import { build, get } from './helper.js'

const OTHER = `Basic ${Buffer.from('ci:pw').toString('base64')}`

t.test('over the per-key rate limit a key gets 429 TooManyRequests with Retry-After; other keys do not', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '3', SEQUENCE_MOCK_CREDENTIALS: 'key:secret,ci:pw' })
  for (let i = 0; i < 3; i++) {
    const ok = await get(app, '/api/users?limit=1')
    t.equal(ok.statusCode, 200)
    t.notOk(Object.keys(ok.headers).some((name) => name.startsWith('x-ratelimit')), 'no undocumented quota headers')
  }
  const limited = await get(app, '/api/users?limit=1')
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(limited.headers['retry-after'], '60')
  t.equal(limited.headers['sequence-version'], '2024-07-30')
  t.same(limited.json(), { error: { type: 'TooManyRequests', message: 'Rate limit exceeded: 3 requests per minute per API key. Retry after 60 seconds.' } })
  t.equal((await get(app, '/api/users?limit=1', { authorization: OTHER })).statusCode, 200, 'another key has its own quota')
})

t.test('failed authentication does not use up a key quota', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '1' })
  for (let i = 0; i < 3; i++) t.equal((await get(app, '/api/users', { authorization: 'Basic a2V5Ondyb25n' })).statusCode, 401)
  t.equal((await get(app, '/api/users')).statusCode, 200)
})

t.test('SEQUENCE_MOCK_RATE_LIMIT=0 turns the limit off', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '0' })
  for (let i = 0; i < 1600; i++) {
    const response = await get(app, '/api/users?limit=1')
    if (response.statusCode !== 200) return t.fail(`request ${i} got ${response.statusCode}`)
  }
  t.pass('1600 requests in a minute, all 200')
})

t.test("the default limit is Sequence's 1,500 requests per minute", async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_RATE_LIMIT: '' }) // empty: the default
  let first429 = 0
  for (let i = 1; i <= 1501 && first429 === 0; i++) {
    if ((await get(app, '/api/users?limit=1')).statusCode === 429) first429 = i
  }
  t.equal(first429, 1501)
})
