#!/usr/bin/env node
// `sequence-mock [flags]`: a flag for every setting; flags override SEQUENCE_MOCK_* variables, which override defaults.
import { parseArgs } from 'node:util'
import { flagOf, VARIABLES } from './config.js'
import { MOCK_VERSION } from './package-info.js'
import { serve } from './server.js'

const flags = Object.fromEntries(Object.keys(VARIABLES).map((name) => [flagOf(name).slice(2), name]))

function usage (): string {
  const width = Math.max(...Object.keys(VARIABLES).map((name) => flagOf(name).length)) + ' <value> '.length
  const rows = Object.entries(VARIABLES).map(([name, variable]) => {
    const shown = variable.default === undefined ? '' : ` (default: ${variable.default})`
    return `  ${`${flagOf(name)} <value>`.padEnd(width)}${name}\n  ${''.padEnd(width)}${variable.rule}${shown}`
  })
  return [
    `sequence-mock ${MOCK_VERSION}: a local stand-in for Sequence's Users API`,
    '',
    'Usage: sequence-mock [flags]',
    '       sequence-mock parity --target <base URL> --auth <id:secret>   compare the mock with your Sequence sandbox (parity --help)',
    '',
    'Every flag has an environment variable; a flag overrides its variable, which overrides the default.',
    '',
    ...rows,
    `  ${'--help'.padEnd(width)}this text`,
    `  ${'--version'.padEnd(width)}the mock's version`,
    ''
  ].join('\n')
}

function readFlags (): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({
      options: {
        ...Object.fromEntries(Object.keys(flags).map((flag) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean' },
        version: { type: 'boolean' }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    process.stderr.write(`sequence-mock: ${(error as Error).message}\nRun sequence-mock --help for the flags.\n`)
    process.exit(1)
  }
}

if (process.argv[2] === 'parity') {
  // Loaded only for the subcommand: the server's start-up stays as it was.
  const { parityCommand } = await import('./parity/command.js')
  const write = (stream: NodeJS.WriteStream) => (text: string): void => { stream.write(text) }
  process.exitCode = await parityCommand(process.argv.slice(3), process.env, { stdout: write(process.stdout), stderr: write(process.stderr) })
} else {
  const values = readFlags()
  if (values['help'] === true) {
    process.stdout.write(usage())
  } else if (values['version'] === true) {
    process.stdout.write(`${MOCK_VERSION}\n`)
  } else {
    const fromFlags = Object.fromEntries(Object.entries(values)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([flag, value]) => [flags[flag] as string, value]))
    await serve({ ...process.env, ...fromFlags })
  }
}
