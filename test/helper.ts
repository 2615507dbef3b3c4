// Builds the app for one test from SEQUENCE_MOCK_* variables, and closes it in teardown.
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildApp, type AppDependencies } from '../src/app.js'
import { loadConfig } from '../src/config.js'

/** The documented example credentials, `key:secret`. */
export const AUTH = 'Basic a2V5OnNlY3JldA=='

/** Quiet, and with no rate limit unless a test asks for one (walks send thousands of requests). */
export async function build (t: Test, env: Record<string, string> = {}, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const app = await buildApp(loadConfig({ SEQUENCE_MOCK_LOG_LEVEL: 'silent', SEQUENCE_MOCK_RATE_LIMIT: '0', ...env }), deps)
  t.teardown(() => app.close())
  return app
}

/** GET with the default credentials unless `headers` says otherwise. */
export async function get (app: FastifyInstance, url: string, headers: Record<string, string> = {}): Promise<Awaited<ReturnType<FastifyInstance['inject']>>> {
  const options: InjectOptions = { method: 'GET', url, headers: { authorization: AUTH, ...headers } }
  return app.inject(options)
}

export type Reply = Awaited<ReturnType<FastifyInstance['inject']>>

export const JSON_UTF8 = 'application/json; charset=utf-8'

/** Sequence's documented validation envelope, one detail for one bad key. */
export function validationError (key: string, message: string): unknown {
  return { error: { type: 'validationError', message: 'Request data validation failed', errors: [{ code: 'validationError', message, key, errors: [] }] } }
}

/** Status, content type and the whole parsed body. */
export function assertReply (t: Test, res: Reply, status: number, body: unknown): void {
  t.equal(res.statusCode, status, 'status')
  t.equal(res.headers['content-type'], JSON_UTF8, 'content-type')
  t.strictSame(res.json(), body, 'whole body')
}
