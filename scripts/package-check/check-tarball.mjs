// Run by scripts/test-package.sh on the unpacked tarball: it holds what a user needs and nothing else.
// Usage: node check-tarball.mjs <unpacked package folder> <repository root>
import { existsSync, readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'

const [packageDir, root] = process.argv.slice(2)
const files = (await readdir(packageDir, { recursive: true, withFileTypes: true }))
  .filter((entry) => entry.isFile())
  .map((entry) => relative(packageDir, join(entry.parentPath ?? entry.path, entry.name)))
  .sort()
const problems = []

// What the package is allowed to hold: the build (JavaScript, declarations, source maps), the fixtures, README, licence, package.json.
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICEN[CS]E(\.(md|txt))?$/i, /^fixtures\/[^/]+\.json$/, /^dist\/.+\.(js|d\.ts|js\.map)$/]
for (const file of files) {
  if (!ALLOWED.some((pattern) => pattern.test(file))) problems.push(`${file}: not part of the package (only dist/, fixtures/, README.md, package.json and a licence belong)`)
}

// Every built file comes from a module of src/: anything else is left over from an older build (the build does not empty dist/).
for (const file of files.filter((name) => name.startsWith('dist/'))) {
  const source = file.replace(/^dist\//, 'src/').replace(/(\.d\.ts|\.js\.map|\.js)$/, '.ts')
  if (!existsSync(join(root, source))) problems.push(`${file}: no ${source} in the repository (a stale build output? remove dist/ and build again)`)
}

// What package.json points at is there: the exports map, types and bin.
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
const targets = [manifest.types, ...Object.values(manifest.bin ?? {}), ...Object.values(manifest.exports ?? {}).flatMap((entry) => typeof entry === 'string' ? [entry] : Object.values(entry))]
for (const target of targets.filter(Boolean).map((path) => path.replace(/^\.\//, ''))) {
  if (!files.includes(target)) problems.push(`package.json points at ${target}, which the tarball lacks`)
}
if (!files.includes('fixtures/sequence-examples.json')) problems.push('fixtures/sequence-examples.json is missing')

// Source maps describe src/ (and, for the bundles, the dependencies they inline), never tests or scripts.
for (const file of files.filter((name) => name.endsWith('.js.map'))) {
  let sources
  try {
    sources = JSON.parse(readFileSync(join(packageDir, file), 'utf8')).sources ?? []
  } catch (error) {
    problems.push(`${file}: not a source map (${error.message})`)
    continue
  }
  for (const source of sources) {
    if (!/^(\.\.\/)+(src|node_modules)\//.test(source)) problems.push(`${file}: maps ${source}, which is neither src/ nor a dependency`)
  }
}

if (problems.length > 0) {
  process.stderr.write(`The tarball's files are not right:\n${problems.map((problem) => `  ${problem}`).join('\n')}\n`)
  process.exit(1)
}
const count = (pattern) => files.filter((file) => pattern.test(file)).length
process.stdout.write(`${files.length} files: ${count(/\.js$/)} .js, ${count(/\.d\.ts$/)} .d.ts, ${count(/\.js\.map$/)} .js.map, ${count(/^fixtures\//)} fixtures, README.md, package.json\n`)
