import { readFileSync } from 'node:fs'
import t from 'tap'
import { flagOf, VARIABLES } from '../src/config.js'
import { MOCK_VERSION } from '../src/package-info.js'
import { startMock } from './spawn.js'

async function health (url: string): Promise<{ users: number }> {
  return await (await fetch(url.replace(/\/api$/, '/health'))).json() as { users: number }
}

t.test('--help names every flag with its variable and default, and exits 0', async (t) => {
  const run = await startMock('cli', ['--help']).exited
  t.equal(run.code, 0)
  for (const [name, variable] of Object.entries(VARIABLES)) {
    t.match(run.stdout, new RegExp(`${flagOf(name)} <value>\\s+${name}\\n`), `${flagOf(name)} and ${name}`)
    if (variable.default !== undefined) t.match(run.stdout, `(default: ${variable.default})`)
  }
  t.match(run.stdout, '--help')
  t.match(run.stdout, '--version')
  t.ok(readFileSync('README.md', 'utf8').includes(`$ npx sequence-mock --help\n${run.stdout}`), 'the README shows the current --help')
})

t.test('--version prints the mock version', async (t) => {
  const run = await startMock('cli', ['--version']).exited
  t.same([run.code, run.stdout], [0, `${MOCK_VERSION}\n`])
})

t.test('a flag overrides its environment variable, which overrides the default; the host defaults to 127.0.0.1', async (t) => {
  const mock = startMock('cli', ['--users', '9', '--port=0'], { SEQUENCE_MOCK_USERS: '7', SEQUENCE_MOCK_DEFAULT_LIMIT: '3', SEQUENCE_MOCK_PORT: '1' })
  t.teardown(() => { mock.child.kill('SIGKILL') })
  const url = await mock.listening
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api$/)
  t.equal((await health(url)).users, 9, 'flag beats variable')
  const page = await (await fetch(`${url}/users`, { headers: { authorization: 'Basic a2V5OnNlY3JldA==' } })).json() as { items: unknown[] }
  t.equal(page.items.length, 3, 'variable beats default')
  mock.child.kill('SIGINT')
  t.equal((await mock.exited).code, 0, 'SIGINT exits 0')
})

t.test('every setting has a flag', async (t) => {
  const mock = startMock('cli', ['--fixtures', 'fixtures/sequence-examples.json', '--credentials', 'a:b', '--log-level', 'warn',
    '--log-format', 'json', '--cors', 'off', '--delay-ms', '0', '--shutdown-grace-ms', '1000', '--rate-limit', '5',
    '--seed', '2', '--account-id', 'c0901c87-e1a9-48e9-9e2f-9e05c402dcea', '--default-limit', '2', '--host', '127.0.0.1', '--port', '0', '--users', '3'])
  t.teardown(() => { mock.child.kill('SIGKILL') })
  const url = await mock.listening
  t.equal((await health(url)).users, 4, 'the fixtures win over generated users')
  const response = await fetch(`${url}/users`, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } })
  t.equal(response.status, 200, 'the credentials flag is used')
  t.equal(((await response.json()) as { items: unknown[] }).items.length, 2)
  mock.child.kill('SIGTERM')
  t.equal((await mock.exited).code, 0)
})

t.test('invalid values stop it at start with one message naming each bad setting', async (t) => {
  const run = await startMock('cli', ['--port', 'x', '--default-limit', '0'], { SEQUENCE_MOCK_SEED: 'abc' }).exited
  t.equal(run.code, 1)
  t.equal(run.stderr, [
    'sequence-mock: Invalid configuration:',
    '  SEQUENCE_MOCK_PORT (--port)="x": expected an integer from 0 to 65535',
    '  SEQUENCE_MOCK_SEED (--seed)="abc": expected an integer from 0 to 4294967295',
    '  SEQUENCE_MOCK_DEFAULT_LIMIT (--default-limit)="0": expected an integer from 1 to 100',
    ''
  ].join('\n'))
})

t.test('an unknown flag or argument stops it with a pointer to --help', async (t) => {
  for (const args of [['--prot', '80'], ['serve']]) {
    const run = await startMock('cli', args).exited
    t.equal(run.code, 1, args.join(' '))
    t.match(run.stderr, 'Run sequence-mock --help for the flags.')
  }
})
