// CORS in a real browser: a front-end app on one origin calls the mock on another through Chromium's preflight.
import { existsSync } from 'node:fs'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { chromium, type Browser, type Page } from 'playwright-core'
import { AUTH, build, get } from './helper.js'

const CHROMIUM = '/usr/bin/chromium'
const VERSION = '2024-05-09'
const USERS_URL = '/api/users?limit=3'

/** What the page's script saw: the response as a browser app reads it, or the error fetch threw. */
type Seen =
  | { ok: true, status: number, version: string | null, body: unknown }
  | { ok: false, error: string }

/** Debian's Chromium, never a downloaded one; a missing browser fails the suite rather than skipping it. */
async function launchChromium (): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: this test drives Debian's Chromium. Run \`apt-get install chromium\` (as root, \`npm test\` does it through scripts/test-deps.sh).`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}

/** The front-end app's origin: a tiny page server on another host name and port than the mock. */
async function servePage (): Promise<{ server: Server, origin: string }> {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end('<!doctype html><meta charset="utf-8"><title>front-end app</title><p>calls the mock</p>')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` }
}

/** The mock on a real socket, with every raw request it receives (preflights included) as `METHOD url`. */
async function startMock (t: Test, cors?: string): Promise<{ url: string, received: string[] }> {
  const app = await build(t, { SEQUENCE_MOCK_HOST: '127.0.0.1', SEQUENCE_MOCK_PORT: '0', ...(cors !== undefined && { SEQUENCE_MOCK_CORS: cors }) })
  const received: string[] = []
  // Hooks cannot be added after ready; the raw server still sees every request, including ones CORS answers.
  app.server.on('request', (request) => { received.push(`${request.method ?? ''} ${request.url ?? ''}`) })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url, received }
}

/** A fresh browser context (no cached preflights) on the app's page. */
async function openApp (t: Test): Promise<Page> {
  const context = await browser.newContext()
  t.teardown(() => context.close())
  const page = await context.newPage()
  const response = await page.goto(`${frontEnd.origin}/`)
  t.equal(response?.status(), 200, 'the app page loads')
  t.equal(await page.evaluate('location.origin'), frontEnd.origin, 'the app runs on its own origin')
  return page
}

/** Runs `fetch` in the page as a browser app would, and reports what its script can read. */
async function fetchFromPage (page: Page, url: string, headers: Record<string, string>): Promise<Seen> {
  return page.evaluate(async ({ url, headers }) => {
    try {
      const response = await fetch(url, { headers, credentials: 'include' })
      return { ok: true as const, status: response.status, version: response.headers.get('Sequence-Version'), body: await response.json() as unknown }
    } catch (error) {
      return { ok: false as const, error: String(error) }
    }
  }, { url, headers })
}

const browser = await launchChromium()
const frontEnd = await servePage()
t.teardown(async () => {
  await browser.close()
  frontEnd.server.closeAllConnections()
  frontEnd.server.close()
})

const withAuth = { Authorization: AUTH, 'Sequence-Version': VERSION }
const PREFLIGHT = `OPTIONS ${USERS_URL}`
const GET = `GET ${USERS_URL}`

t.test('by default a page on another origin lists users through a real preflight and reads Sequence-Version', async (t) => {
  const { url, received } = await startMock(t)
  const page = await openApp(t)
  t.not(new URL(url).origin, frontEnd.origin, 'the mock is cross-origin to the page')

  const seen = await fetchFromPage(page, `${url}${USERS_URL}`, withAuth)
  t.match(seen, { ok: true, status: 200, version: VERSION }, 'status 200, and the script can read Sequence-Version')
  const items = seen.ok ? (seen.body as { items: Array<{ id: string }> }).items : []
  t.equal(items.length, 3, 'three users')
  for (const item of items) t.match(item.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'each user has an id')
  const served = await get(await build(t), USERS_URL, { 'sequence-version': VERSION })
  t.strictSame(seen.ok && seen.body, served.json(), 'the browser got the same page the API serves')
  t.strictSame(received, [PREFLIGHT, GET], 'the browser sent an OPTIONS preflight, then the GET')
})

t.test('a page can read a 401 error body, so apps can show why a call failed', async (t) => {
  const { url, received } = await startMock(t)
  const page = await openApp(t)
  const seen = await fetchFromPage(page, `${url}${USERS_URL}`, { 'Sequence-Version': VERSION })
  t.match(seen, { ok: true, status: 401, version: VERSION, body: { error: { type: 'Unauthorized', message: /^Missing Authorization header\./ } } }, 'status 401 and the error envelope')
  t.strictSame(received, [PREFLIGHT, GET])
})

t.test('a page can ask for a scenario with Prefer: the preflight allows it, and the script reads the 429 and its Retry-After', async (t) => {
  const { url, received } = await startMock(t)
  const page = await openApp(t)
  const seen = await page.evaluate(async ({ url, headers }) => {
    const response = await fetch(url, { headers, credentials: 'include' })
    return { status: response.status, retryAfter: response.headers.get('Retry-After'), body: await response.json() as unknown }
  }, { url: `${url}${USERS_URL}`, headers: { ...withAuth, Prefer: 'code=429, retry-after=7' } })
  t.strictSame(seen, {
    status: 429,
    retryAfter: '7',
    body: { error: { type: 'TooManyRequests', message: 'Rate limit exceeded: 1500 requests per minute per API key. Retry after 7 seconds.' } }
  })
  t.strictSame(received, [PREFLIGHT, GET], 'a preflight for Prefer, then the GET')
})

t.test('with SEQUENCE_MOCK_CORS=off the browser blocks the call at the preflight: Failed to fetch', async (t) => {
  const { url, received } = await startMock(t, 'off')
  const page = await openApp(t)
  t.strictSame(await fetchFromPage(page, `${url}${USERS_URL}`, withAuth), { ok: false, error: 'TypeError: Failed to fetch' }, 'fetch rejects')
  t.strictSame(received, [PREFLIGHT], 'the preflight was refused, so the GET was never sent')
})

t.test('SEQUENCE_MOCK_CORS listing the page\'s exact origin lets it call the mock', async (t) => {
  const { url, received } = await startMock(t, `http://localhost:3000,${frontEnd.origin}`)
  const page = await openApp(t)
  const seen = await fetchFromPage(page, `${url}${USERS_URL}`, withAuth)
  t.match(seen, { ok: true, status: 200, version: VERSION }, 'status 200, and the script can read Sequence-Version')
  t.equal(seen.ok ? (seen.body as { items: unknown[] }).items.length : 0, 3, 'three users')
  t.strictSame(received, [PREFLIGHT, GET], 'the preflight passed, then the GET')
})

t.test('SEQUENCE_MOCK_CORS listing only other origins (same port on 127.0.0.1 included) blocks the page', async (t) => {
  const { port } = new URL(frontEnd.origin)
  const { url, received } = await startMock(t, `http://127.0.0.1:${port},https://localhost:${port}`)
  const page = await openApp(t)
  t.strictSame(await fetchFromPage(page, `${url}${USERS_URL}`, withAuth), { ok: false, error: 'TypeError: Failed to fetch' }, 'fetch rejects')
  t.strictSame(received, [PREFLIGHT], 'the preflight was refused, so the GET was never sent')
})
