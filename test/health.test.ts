import t from 'tap'
import { MOCK_VERSION } from '../src/package-info.js'
import { build, get } from './helper.js'

t.test('GET /health needs no credentials and reports status, version, dataset size and API versions', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_USERS: '42' })
  const response = await app.inject({ method: 'GET', url: '/health' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
  t.same(response.json(), {
    status: 'ok',
    name: 'sequence-mock',
    version: MOCK_VERSION,
    users: 42,
    apiVersions: ['2024-01-01', '2024-05-09', '2024-07-30'],
    latestApiVersion: '2024-07-30'
  })
})

t.test('health reports the size of a fixtures dataset', async (t) => {
  const app = await build(t, { SEQUENCE_MOCK_FIXTURES: 'fixtures/sequence-examples.json' })
  t.equal((await app.inject({ method: 'GET', url: '/health' })).json().users, 4)
})

t.test('every response carries Sequence-Mock-Version, so a client suite can tell it is not Sequence', async (t) => {
  const app = await build(t)
  t.match(MOCK_VERSION, /^\d+\.\d+\.\d+/)
  const responses = {
    'a page': await get(app, '/api/users'),
    'a user': await get(app, `/api/users/${(await get(app, '/api/users')).json().items[0].id}`),
    'a 400': await get(app, '/api/users?limit=0'),
    'a 401': await get(app, '/api/users', { authorization: '' }),
    'an unknown route': await get(app, '/nope'),
    'a bad URL': await get(app, '/api/users/%E0%A4%A'),
    health: await app.inject({ method: 'GET', url: '/health' })
  }
  for (const [what, response] of Object.entries(responses)) {
    t.equal(response.headers['sequence-mock-version'], MOCK_VERSION, what)
  }
})
