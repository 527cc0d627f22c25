// Builds everything the package ships into dist/:
//   core.wasm          the device core (asc, release target of asconfig.json), plain SIMD
//   core-relaxed.wasm  the same core built with relaxed SIMD (release-relaxed target): fused
//                      multiply-add kernels; the host loads it where the engine validates it
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
run('asc', ['assembly/index.ts', '--target', 'release-relaxed']);
copyFileSync('build/core.wasm', 'dist/core.wasm');
copyFileSync('build/core-relaxed.wasm', 'dist/core-relaxed.wasm');

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
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', banner: { js: '#!/usr/bin/env node' } }),
]);

run('tsc', ['-p', 'tsconfig.build.json']);
