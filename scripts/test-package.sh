#!/usr/bin/env bash
# The package as a user gets it: build, `npm pack`, check the tarball's files, install it into a new project in a
# temporary folder and there run a node:test file (startMock), `npx sequence-mock --help`, a Vitest file (the MSW
# handlers with fetch), a Jest file in its ESM mode (the handlers and the controls) and a type check of the shapes'
# types. Needs the npm registry; nothing else leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fixtures=$root/scripts/package-check

# The new project must see only what it installs: Node and TypeScript look for node_modules in every folder
# above it, so the temporary folder goes where no ancestor has one.
sees_node_modules () {
  local dir
  dir=$(cd "$1" && pwd -P)
  while :; do
    [[ -e $dir/node_modules ]] && return 0
    [[ $dir == / ]] && return 1
    dir=$(dirname "$dir")
  done
}
base=
for candidate in "${TMPDIR:-/tmp}" /var/tmp; do
  if [[ -d $candidate ]] && ! sees_node_modules "$candidate"; then base=$candidate; break; fi
done
[[ -n $base ]] || { echo "test-package: ${TMPDIR:-/tmp} and /var/tmp both have a node_modules above them; set TMPDIR to a folder without one" >&2; exit 1; }
work=$(mktemp -d "$base/sequence-mock-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
began=$SECONDS
summary=()

step () { printf '\n== %s\n' "$1"; step_began=$SECONDS; }
passed () { summary+=("ok   $1 ($((SECONDS - step_began)) s)"); }
fail () { printf '\ntest-package: FAILED: %s\n' "$1" >&2; exit 1; }
# Quiet installs from the registry (the npm cache first); npm's own output only when it fails.
install () { npm install --no-audit --no-fund --prefer-offline --loglevel=error "$@" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "npm install $*"; }; }

step 'build and pack'
npm run build --silent || fail 'npm run build'
# The build just ran; `prepare` would run it again.
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$work") || fail 'npm pack'
tarball=$work/$tarball
passed "packed $(basename "$tarball"), $(du -k "$tarball" | cut -f1) KiB"

step "the tarball's files"
mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
listing=$(node "$fixtures/check-tarball.mjs" "$work/unpacked/package" "$root") || fail "the tarball's files (above)"
echo "$listing"
passed "the tarball holds dist/, fixtures/, README.md and package.json only: $listing"

step 'a new project installs the tarball (without msw, an optional peer)'
project=$work/project
mkdir "$project"
cd "$project"
npm init -y >/dev/null
npm pkg set type=module private=true
install "$tarball" typescript@5 @types/node@20
[[ ! -e node_modules/msw ]] || fail 'installing sequence-mock installed msw: it is an optional peer dependency'
passed 'npm install <tarball> typescript@5 @types/node@20'

step 'node --test: startMock (list, by id, addUser, close)'
cp "$fixtures/in-process.test.js" .
# A mock that leaves a handle open keeps the process alive: the timeout turns that into a failure.
timeout 60 node --test in-process.test.js || fail 'node --test in-process.test.js (exit 124: it did not exit within 60 s)'
passed 'node --test with startMock'

step 'sequence-mock/msw without msw installed names the missing package'
node --input-type=module -e "
  try { await import('sequence-mock/msw') } catch (error) {
    if (/'msw'/.test(error.message)) process.exit(0)
    console.error(error.message)
  }
  process.exit(1)" || fail "import('sequence-mock/msw') without msw did not fail naming 'msw'"
passed "import('sequence-mock/msw') without msw: Cannot find package 'msw'"

step 'npx sequence-mock --help'
version=$(node -p "require('$root/package.json').version")
help=$(npx --no -- sequence-mock --help) || fail 'npx sequence-mock --help exited non-zero'
printf '%s\n' "$help" | head -3
[[ $help == "sequence-mock $version: "* && $help == *'Usage: sequence-mock [flags]'* ]] || fail 'npx sequence-mock --help did not print the usage'
[[ $(npx --no -- sequence-mock --version) == "$version" ]] || fail "npx sequence-mock --version did not print $version"
passed 'npx sequence-mock --help and --version'

step 'the project adds msw 2 and Vitest 4'
install msw@2 vitest@4
passed "npm install msw@2 vitest@4 (msw $(node -p "require('msw/package.json').version"), vitest $(node -p "require('vitest/package.json').version"))"

step 'vitest: setupServer(...sequenceHandlers()) with fetch'
cp "$fixtures/msw.test.js" .
timeout 120 npx --no -- vitest run msw.test.js || fail 'vitest run msw.test.js'
passed 'Vitest with the MSW handlers'

step 'jest (ESM mode): setupServer(...), createSequenceMock controls and startMock().addUser'
install jest@30
cp "$fixtures/jest.test.js" .
# Jest's module runtime cannot require an ES module from CommonJS: a request through Fastify's inject would fail there.
NODE_OPTIONS=--experimental-vm-modules timeout 120 npx --no -- jest --ci jest.test.js || fail 'jest jest.test.js'
passed "Jest $(node -p "require('jest/package.json').version") with the MSW handlers and startMock"

step 'tsc --noEmit: the shapes, options and handlers typed from the package'
cp "$fixtures/types.ts.txt" types.ts
cp "$fixtures/tsconfig.json" .
npx --no -- tsc -p tsconfig.json || fail 'tsc -p tsconfig.json (the package types above)'
passed "tsc $(npx --no -- tsc --version | cut -d' ' -f2) on a file importing the package's types"

printf '\n== package check passed in %s s\n' "$((SECONDS - began))"
printf '%s\n' "${summary[@]}"
