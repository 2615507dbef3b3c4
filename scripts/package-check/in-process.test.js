// Run by scripts/test-package.sh with `node --test` in a new project that installed the packed tarball (msw not installed).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, MockControlError, startMock } from 'sequence-mock'

const auth = { authorization: `Basic ${Buffer.from('key:secret').toString('base64')}` }

test('startMock serves a page and a user by id, lists an added user first, and closes', async () => {
  const mock = await startMock({ users: 5 })
  assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+\/api$/)

  const list = await fetch(`${mock.url}/users?limit=2`, { headers: auth })
  assert.equal(list.status, 200)
  assert.equal(list.headers.get('content-type'), 'application/json; charset=utf-8')
  const page = await list.json()
  assert.equal(page.items.length, 2)
  assert.equal(page.pagination.totalResultSize, 5)

  const byId = await fetch(`${mock.url}/users/${page.items[0].id}`, { headers: auth })
  assert.equal(byId.status, 200)
  assert.deepEqual(await byId.json(), page.items[0])

  const added = await mock.addUser({ email: 'new@example.com', sequenceAccountIds: [mock.config.accountId], state: 'active', roles: ['admin'] })
  const first = await (await fetch(`${mock.url}/users?limit=1`, { headers: auth })).json()
  assert.equal(first.items[0].id, added.id)
  assert.equal(first.pagination.totalResultSize, 6)
  await assert.rejects(mock.addUser({ email: 'no-accounts@example.com' }), (error) => error instanceof MockControlError && error.statusCode === 400)

  await mock.close()
  await assert.rejects(fetch(`${mock.url}/users`, { headers: auth }), TypeError, 'nothing listens after close')
})

test('bad options reject with a ConfigError naming each one', async () => {
  await assert.rejects(startMock({ users: -1, defaultLimit: 0 }), (error) =>
    error instanceof ConfigError && error.message === 'Invalid options:\n  users: must be >= 0\n  defaultLimit: must be >= 1')
})

test('only the exports map\'s entry points can be imported', async () => {
  await assert.rejects(import('sequence-mock/dist/app.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
})
