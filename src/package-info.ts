// The mock's own name and version, from package.json (one level above both src/ and dist/).
import { readFileSync } from 'node:fs'

const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string, version: string }

export const MOCK_NAME = name
export const MOCK_VERSION = version
