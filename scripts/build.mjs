// npm run build: tsc's output for every module, then the programs bundled, so that they start fast.
import { chmod, readFile } from 'node:fs/promises'
import { build } from 'esbuild'

// TypeBox is about 700 modules: loading them one by one takes a third of a second, most of the
// mock's start-up. It is inlined; every other dependency stays an import from node_modules.
const { dependencies } = JSON.parse(await readFile('package.json', 'utf8'))
const packages = [...Object.keys(dependencies).filter((name) => name !== 'typebox'), 'msw']
const external = [...packages, ...packages.map((name) => `${name}/*`)]
const options = { bundle: true, platform: 'node', format: 'esm', target: 'node20', outdir: 'dist', sourcemap: true, sourcesContent: false, logLevel: 'warning' }

await build({ ...options, entryPoints: ['src/server.ts', 'src/healthcheck.ts', 'src/index.ts'], external })
// The command line imports the server's bundle rather than a second copy of it: the server starts
// itself when it is the program run, which a copy inside the command line's bundle would always be.
// The same for `sequence-mock parity`, which starts a mock through the package's entry point.
await build({ ...options, entryPoints: ['src/cli.ts'], external: [...external, './server.js', './parity/command.js'] })
await build({ ...options, entryPoints: ['src/parity/command.ts'], outbase: 'src', external: [...external, '../index.js', '../package-info.js'] })
await chmod('dist/cli.js', 0o755)
// The MSW handlers use the package's own entry point, so that `sequence-mock` and `sequence-mock/msw`
// share one app and one MockControlError.
await build({ ...options, entryPoints: ['src/msw.ts'], external: [...external, './index.js'] })
