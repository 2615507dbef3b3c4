// Run by scripts/test-package.sh with Vitest in a new project that installed the packed tarball, msw 2 and Vitest.
import { setupServer } from 'msw/node'
import { startMock } from 'sequence-mock'
import { sequenceHandlers } from 'sequence-mock/msw'
import { afterAll, beforeAll, expect, test } from 'vitest'

const auth = { authorization: 'Basic a2V5OnNlY3JldA==' }
const server = setupServer(...sequenceHandlers())
// Requests to the in-process mock go to its socket; anything else unanswered is a failure, never the network.
beforeAll(() => { server.listen({ onUnhandledRequest: (request, print) => { if (new URL(request.url).hostname !== '127.0.0.1') print.error() } }) })
afterAll(() => { server.close() })

test('fetch to Sequence\'s host gets the mock\'s first page, and its cursor the next one', async () => {
  const response = await fetch('https://eu.sequencehq.com/api/users?limit=2', { headers: auth })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
  expect(response.headers.get('sequence-version')).toBe('2024-07-30')
  const page = await response.json()
  expect(page.items).toHaveLength(2)
  expect(page.pagination.totalResultSize).toBe(150)

  const next = await fetch(`https://eu.sequencehq.com/api/users?limit=2&after=${encodeURIComponent(page.pagination.after)}`, { headers: auth })
  const nextPage = await next.json()
  expect(nextPage.items).toHaveLength(2)
  expect(nextPage.items.map((user) => user.id)).not.toContain(page.items[0].id)
})

test('a request without credentials gets Sequence\'s 401 envelope', async () => {
  const response = await fetch('https://sandbox.sequencehq.com/api/users')
  expect(response.status).toBe(401)
  expect((await response.json()).error.type).toBe('Unauthorized')
})

test('the handlers answer the bytes the in-process server sends for the same requests', async () => {
  const mock = await startMock()
  try {
    for (const [path, headers] of [['/users?limit=2', auth], ['/users?limit=3', { ...auth, 'sequence-version': '2024-01-01' }], ['/users?limit=0', auth], ['/users', {}]]) {
      const handled = await fetch(`https://eu.sequencehq.com/api${path}`, { headers })
      const served = await fetch(`${mock.url}${path}`, { headers })
      expect(handled.status).toBe(served.status)
      expect(handled.headers.get('sequence-version')).toBe(served.headers.get('sequence-version'))
      expect(await handled.text()).toBe(await served.text())
    }
  } finally {
    await mock.close()
  }
})
