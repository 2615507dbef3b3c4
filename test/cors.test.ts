import t from 'tap'
import { build, get } from './helper.js'

const ORIGIN = 'http://localhost:3000'
const preflight = { 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,sequence-version', origin: ORIGIN }

t.test('by default a preflight from any origin for Authorization and Sequence-Version succeeds without credentials', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'OPTIONS', url: '/api/users', headers: preflight })
  t.equal(response.statusCode, 204)
  t.equal(response.headers['access-control-allow-origin'], ORIGIN)
  t.equal(response.headers['access-control-allow-credentials'], 'true')
  t.match(response.headers['access-control-allow-headers'], /Authorization/)
  t.match(response.headers['access-control-allow-headers'], /Sequence-Version/)
  t.match(response.headers['access-control-allow-methods'], /GET/)
  t.match(response.headers['vary'], /Origin/)
})

t.test('responses expose Sequence-Version to scripts, errors included', async (t) => {
  const app = await build(t)
  for (const response of [await get(app, '/api/users', { origin: ORIGIN }), await get(app, '/api/users', { origin: ORIGIN, authorization: '' })]) {
    t.equal(response.headers['access-control-allow-origin'], ORIGIN)
    t.match(response.headers['access-control-expose-headers'], /Sequence-Version/)
  }
})

t.test('SEQUENCE_MOCK_CORS=off sends no CORS headers', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_CORS: 'off' })
  const response = await get(app, '/api/users', { origin: ORIGIN })
  t.equal(response.statusCode, 200)
  t.notOk(Object.keys(response.headers).some((name) => name.startsWith('access-control-')))
  const options = await app.inject({ method: 'OPTIONS', url: '/api/users', headers: preflight })
  t.notOk(options.headers['access-control-allow-origin'], 'no preflight approval')
})

t.test('a list of origins allows exactly those origins', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_CORS: `${ORIGIN},https://app.example.com` })
  const allowed = await app.inject({ method: 'OPTIONS', url: '/api/users', headers: { ...preflight, origin: 'https://app.example.com' } })
  t.equal(allowed.headers['access-control-allow-origin'], 'https://app.example.com')
  const other = await app.inject({ method: 'OPTIONS', url: '/api/users', headers: { ...preflight, origin: 'http://evil.example' } })
  t.notOk(other.headers['access-control-allow-origin'])
})
