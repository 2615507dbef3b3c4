// Run by scripts/test-package.sh with Jest's ESM mode (NODE_OPTIONS=--experimental-vm-modules) in the new project: the MSW handlers and startMock's controls.
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { setupServer } from 'msw/node'
import { startMock } from 'sequence-mock'
import { createSequenceMock } from 'sequence-mock/msw'

const auth = { authorization: 'Basic a2V5OnNlY3JldA==' }
const sequence = createSequenceMock({ users: 20 })
const server = setupServer(...sequence.handlers)
// Requests to the in-process mock go to its socket; anything else unanswered is a failure, never the network.
beforeAll(() => { server.listen({ onUnhandledRequest: (request, print) => { if (new URL(request.url).hostname !== '127.0.0.1') print.error() } }) })
afterAll(async () => { server.close(); await sequence.close() })

// Under Jest, Fastify's `inject` fails to load (ERR_REQUIRE_ESM): these answers come through the app's own server.
test('fetch to Sequence\'s host gets the mock\'s page, and a user added from code is listed first', async () => {
  const response = await fetch('https://eu.sequencehq.com/api/users?limit=2', { headers: auth })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
  expect(response.headers.get('connection')).toBeNull()
  const page = await response.json()
  expect(page.items).toHaveLength(2)
  expect(page.pagination.totalResultSize).toBe(20)

  const added = await sequence.addUser({ email: 'jest@example.com', sequenceAccountIds: [], state: 'active', roles: ['admin'] })
  const first = await (await fetch('https://eu.sequencehq.com/api/users?limit=1', { headers: auth })).json()
  expect(first.items[0].id).toBe(added.id)
  expect(first.pagination.totalResultSize).toBe(21)
})

test('a request without credentials gets Sequence\'s 401 envelope', async () => {
  const response = await fetch('https://sandbox.sequencehq.com/api/users')
  expect(response.status).toBe(401)
  expect(response.headers.get('www-authenticate')).toBe('Basic realm="Sequence", charset="UTF-8"')
  expect((await response.json()).error.type).toBe('Unauthorized')
})

test('startMock\'s addUser works under Jest, with MSW listening', async () => {
  const mock = await startMock({ users: 3 })
  try {
    const added = await mock.addUser({ email: 'in-process@example.com', sequenceAccountIds: [], state: 'active', roles: ['salesUser'] })
    const page = await (await fetch(`${mock.url}/users?limit=1`, { headers: auth })).json()
    expect(page.items[0].id).toBe(added.id)
    expect(page.pagination.totalResultSize).toBe(4)
  } finally {
    await mock.close()
  }
})
