// Builds everything the package ships into dist/:
//   core.wasm          the device core (asc, release target of asconfig.json)
//   device-worker.js   the device worker bundle, one file for Node and browsers
//   index.js           the library bundle;  types/  its declarations
//   cli.js             the mtia-sim command
// Run by `npm run build`, and so by `npm ci` (prepare), `npm test` and `npm start`.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const run = (command, args) => execFileSync(bin(command), args, { stdio: 'inherit' });

// dist/ is overwritten file by file, not removed first: a test run in another shell keeps
// finding the files it needs while a build runs.
mkdirSync('dist', { recursive: true });

run('asc', ['assembly/index.ts', '--target', 'release']);
copyFileSync('build/core.wasm', 'dist/core.wasm');

// The CLI imports the library from dist/index.js instead of carrying a copy, so that a script
// run by `mtia-sim trace` (which imports 'mtia-sim', that file) and the CLI's profiler share one
// library instance (src/cli/trace.ts).
const libraryExternal = {
  name: 'library-external',
  setup(builder) {
    const library = new URL('../src/index.ts', import.meta.url).pathname;
    builder.onResolve({ filter: /\/index\.js$/ }, ({ path, resolveDir }) =>
      new URL(path.replace(/\.js$/, '.ts'), `file://${resolveDir}/`).pathname === library ? { path: './index.js', external: true } : undefined);
  },
};

const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
};
await Promise.all([
  build({ ...common, entryPoints: ['workers/device-worker.ts'], outfile: 'dist/device-worker.js', platform: 'browser', external: ['node:*'] }),
  build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'browser', external: ['node:*'] }),
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', plugins: [libraryExternal], banner: { js: '#!/usr/bin/env node' } }),
]);

run('tsc', ['-p', 'tsconfig.build.json']);
