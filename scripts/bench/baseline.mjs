// The benchmark's baseline: a raw node:http server answering each request with bytes prepared before it listened.
// Usage: node baseline.mjs <responses.json> <port>
// The file holds [{ version, url, status, headers: [[name, value], ...], body: <base64> }], the mock's
// answers; a request is found by its Sequence-Version header and URL, one Map lookup, nothing more.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

const [file, port] = process.argv.slice(2)
const responses = new Map()
for (const { version, url, status, headers, body } of JSON.parse(readFileSync(file, 'utf8'))) {
  responses.set(`${version} ${url}`, { status, headers: headers.flat(), body: Buffer.from(body, 'base64') })
}
const missing = { status: 404, headers: ['content-type', 'text/plain'], body: Buffer.from('not in the baseline\n') }

const server = createServer((request, reply) => {
  const response = responses.get(`${request.headers['sequence-version']} ${request.url}`) ?? missing
  reply.writeHead(response.status, response.headers)
  reply.end(response.body)
})
server.listen(Number(port), '127.0.0.1')
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections())
