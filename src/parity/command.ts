// `sequence-mock parity`: options → runParity → the report; exit 0 (no differences), 1 (differences) or 2 (could not run).
import { parseArgs } from 'node:util'
import { masker, jsonReport, textReport } from './report.js'
import { runParity, type ParityOptions } from './run.js'
import { DEFAULT_REQUESTS_PER_SECOND, DEFAULT_TIMEOUT_MS, MAX_REQUESTS_PER_SECOND, ParityError, type Clock } from './send.js'

export const PARITY_USAGE = `Usage: sequence-mock parity --target <base URL> --auth <id:secret> [options]

Sends a fixed set of read-only requests to the target (your Sequence sandbox) and the same ones to
an in-process mock with the same credentials and as many users, and prints every difference in
behaviour: status, headers, shape, errors, cursors, ordering. Data values are not compared.

  --target <url>       the API's base URL, e.g. https://sandbox.sequencehq.com/api
  --auth <id:secret>   your API key's client id and secret (or SEQUENCE_PARITY_AUTH); never printed
  --allow-writes       also send PUTs that write a user's own account ids back (no change; never a DELETE)
  --json               print the report as JSON
  --rate <n>           requests a second to the target, 1 to ${MAX_REQUESTS_PER_SECOND} (default: ${DEFAULT_REQUESTS_PER_SECOND})
  --timeout-ms <ms>    for each request (default: ${DEFAULT_TIMEOUT_MS})
  --help               this text

Exit codes: 0 no differences, 1 differences, 2 the check could not run.
`

export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
}

/** The options from arguments (after `parity`) and the environment; throws a ParityError naming what is wrong. */
export function parseParityArgs (args: readonly string[], env: Readonly<Record<string, string | undefined>>): ParityOptions & { json: boolean } | 'help' {
  let values
  try {
    values = parseArgs({
      args: [...args],
      options: {
        target: { type: 'string' },
        auth: { type: 'string' },
        'allow-writes': { type: 'boolean' },
        json: { type: 'boolean' },
        rate: { type: 'string' },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean' }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    // parseArgs quotes what it could not place, which may be a secret given in the wrong place: only an option's name is repeated.
    const option = /'(--?[A-Za-z][\w-]*)'/.exec((error as Error).message)?.[1]
    throw new ParityError((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined ? `unknown option ${option}` : 'unexpected argument or missing value')
  }
  if (values.help === true) return 'help'
  if (values.target === undefined) throw new ParityError('--target <base URL> is required, e.g. --target https://sandbox.sequencehq.com/api')
  const auth = values.auth ?? env['SEQUENCE_PARITY_AUTH']
  if (auth === undefined || auth === '') throw new ParityError('--auth <id:secret> (or SEQUENCE_PARITY_AUTH) is required: your sandbox API key')
  const colon = auth.indexOf(':')
  if (colon <= 0 || colon === auth.length - 1) throw new ParityError('--auth must be <client id>:<secret>, both non-empty')
  return {
    target: values.target,
    clientId: auth.slice(0, colon),
    clientSecret: auth.slice(colon + 1),
    allowWrites: values['allow-writes'] === true,
    json: values.json === true,
    requestsPerSecond: integer('--rate', values.rate, DEFAULT_REQUESTS_PER_SECOND, 1, MAX_REQUESTS_PER_SECOND),
    timeoutMs: integer('--timeout-ms', values['timeout-ms'], DEFAULT_TIMEOUT_MS, 1, 600_000)
  }
}

function integer (flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback
  const value = /^\d+$/.test(text) ? Number(text) : NaN
  if (!(value >= min && value <= max)) throw new ParityError(`${flag} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`)
  return value
}

/** `--auth <id:secret>`, `--auth=<id:secret>` or SEQUENCE_PARITY_AUTH, as given: masked even when the options turn out invalid. */
function givenAuth (args: readonly string[], env: Readonly<Record<string, string | undefined>>): string | undefined {
  const i = args.findIndex((arg) => arg === '--auth' || arg.startsWith('--auth='))
  const arg = i < 0 ? undefined : args[i]?.startsWith('--auth=') === true ? args[i]?.slice('--auth='.length) : args[i + 1]
  return arg ?? env['SEQUENCE_PARITY_AUTH']
}

function maskerOf (auth: string | undefined): (text: string) => string {
  if (auth === undefined) return (text) => text
  const colon = auth.indexOf(':')
  return colon < 0 ? masker('', auth) : masker(auth.slice(0, colon), auth.slice(colon + 1))
}

/** The whole command; never throws. `clock` is for tests. */
export async function parityCommand (args: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io, clock?: Clock): Promise<number> {
  const mask = maskerOf(givenAuth(args, env))
  try {
    const options = parseParityArgs(args, env)
    if (options === 'help') {
      io.stdout(PARITY_USAGE)
      return 0
    }
    const result = await runParity({ ...options, ...(clock !== undefined && { clock }) })
    io.stdout(mask(options.json ? jsonReport(result) : textReport(result)))
    return result.differences.length === 0 ? 0 : 1
  } catch (error) {
    const known = error instanceof ParityError
    io.stderr(mask(`sequence-mock parity: ${known ? error.message : (error as Error).stack ?? String(error)}\n`))
    if (known && /^(--|unknown option|unexpected)/.test(error.message)) io.stderr('Run sequence-mock parity --help for the options.\n')
    return 2
  }
}
