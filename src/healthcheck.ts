// The container's HEALTHCHECK command: exit 0 when this machine's server answers GET /health with 200, else 1.
const port = process.env.SEQUENCE_MOCK_PORT || '8910'
const url = `http://127.0.0.1:${port}/health`

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
  if (response.status === 200) process.exit(0)
  process.stderr.write(`healthcheck: ${url} answered HTTP ${response.status}\n`)
} catch (error) {
  process.stderr.write(`healthcheck: ${url} failed: ${reason(error)}\n`)
}
process.exit(1)

/** fetch hides the useful part (ECONNREFUSED, ...) in `cause`; a timeout is a TimeoutError. */
function reason (error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer within 2 s'
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof Error) return cause.message
  return error instanceof Error ? error.message : String(error)
}
