// Builds everything the package ships into dist/:
//   core.wasm          the device core (asc, release target of asconfig.json), plain SIMD
//   core-relaxed.wasm  the same core built with relaxed SIMD (release-relaxed target): fused
//                      multiply-add kernels; the host loads it where the engine validates it
//   kernel-thread.wasm, kernel-thread-relaxed.wasm
//                      the matmul kernel alone, which a device's helper threads run on its
//                      shared memory (workers/kernel-threads.ts); checked to carry no data
//   device-worker.js   the device worker bundle, one file for Node and browsers
//   index.js           the library bundle (Node, and pages serving dist/ as it is)
//   types/             its public declarations: those index.d.ts reaches
//   browser/index.js   the library for bundlers (the `browser` export condition): no node: module,
//                      core.wasm and device-worker.js carried inside (src/runtime/environment.ts)
//   cli.js             the mtia-sim command
//   playground/        the browser playground as static files (examples/playground/build.mjs)
// Run by `npm run build`, and so by `npm test` (pretest), `npm pack` (prepack) and `npm start`
// (when dist/ is stale). Installing runs no script (no `prepare`): `npm ci` in a clone only installs.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { build } from 'esbuild';
import { buildPlayground } from '../examples/playground/build.mjs';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const run = (command, args) => execFileSync(bin(command), args, { stdio: 'inherit' });

// dist/ is overwritten file by file, not removed first: a test run in another shell keeps
// finding the files it needs while a build runs.
mkdirSync('dist/types', { recursive: true });

run('asc', ['assembly/index.ts', '--target', 'release']);
run('asc', ['assembly/index.ts', '--target', 'release-relaxed']);
run('asc', ['assembly/kernel-thread.ts', '--target', 'kernel-thread']);
run('asc', ['assembly/kernel-thread.ts', '--target', 'kernel-thread-relaxed']);
const WASM_FILES = ['core.wasm', 'core-relaxed.wasm', 'kernel-thread.wasm', 'kernel-thread-relaxed.wasm'];
for (const file of WASM_FILES) copyFileSync(`build/${file}`, `dist/${file}`);

/** Ids of the sections of the WebAssembly binary `bytes`, in order (binary format §5.5.2). */
function sectionIds(bytes) {
  const ids = [];
  for (let at = 8; at < bytes.length;) {
    ids.push(bytes[at++]);
    let size = 0;
    for (let shift = 0, byte = 0x80; byte & 0x80; shift += 7) size += ((byte = bytes[at++]) & 0x7f) * 2 ** shift;
    at += size;
  }
  return ids;
}
// A kernel thread instantiates its module on the device's live memory: a data section (id 11)
// would overwrite the core's static data each time, and a start function (id 8) would run code.
for (const file of ['kernel-thread.wasm', 'kernel-thread-relaxed.wasm']) {
  const ids = sectionIds(readFileSync(`dist/${file}`));
  if (ids.includes(11) || ids.includes(8)) throw new Error(`dist/${file} must have no data section and no start function (sections: ${ids.join(', ')})`);
}

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

// The browser build carries the built assets in it, byte for byte the files above (one worker
// bundle for Node and browsers); only the worker's source-map comment goes, since a blob: URL
// has no folder to find the map in. `isNode` is a constant false there and minifySyntax drops
// most code behind it; a node: import it leaves (always behind a runtime isNode check) becomes
// a module that throws, so the output imports nothing, which is checked below.
/** Resolves each node: import to a module that throws, naming it (reached only if isNode lies). */
const nodeModulesUnavailable = {
  name: 'node-modules-unavailable',
  setup(builder) {
    builder.onResolve({ filter: /^node:/ }, ({ path }) => ({ path, namespace: 'node-unavailable' }));
    builder.onLoad({ filter: /.*/, namespace: 'node-unavailable' }, ({ path }) => ({
      contents: `throw new Error(${JSON.stringify(`${path} is not available in mtia-sim's browser build`)});`,
      loader: 'js',
    }));
  },
};
/** Resolves src/runtime/assets.js to assets-browser.ts: the assets are chosen at build time. */
const browserAssets = {
  name: 'browser-assets',
  setup(builder) {
    const assets = new URL('../src/runtime/assets.ts', import.meta.url).pathname;
    builder.onResolve({ filter: /\/assets\.js$/ }, ({ path, resolveDir }) =>
      new URL(path.replace(/\.js$/, '.ts'), `file://${resolveDir}/`).pathname === assets
        ? { path: new URL('../src/runtime/assets-browser.ts', import.meta.url).pathname }
        : undefined);
  },
};
const INLINED_ASSETS = {
  ...Object.fromEntries(WASM_FILES.map((file) => [file, readFileSync(`dist/${file}`).toString('base64')])),
  'device-worker.js': readFileSync('dist/device-worker.js', 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'),
};
const browserBuild = await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/browser/index.js',
  platform: 'browser',
  plugins: [nodeModulesUnavailable, browserAssets],
  minifySyntax: true,
  metafile: true,
  define: { MTIA_SIM_BROWSER_BUILD: 'true', MTIA_SIM_INLINED_ASSETS: JSON.stringify(INLINED_ASSETS) },
});
// What a bundler must be able to take as it is: no import, no `new URL(..., import.meta.url)`
// (webpack and Vite resolve those at build time, and the files are not beside this bundle), no
// top-level await (an async module cannot be required, and breaks some bundler setups).
for (const [file, output] of Object.entries(browserBuild.metafile.outputs)) {
  if (output.imports.length > 0) {
    throw new Error(`${file} must import nothing, but imports ${output.imports.map((i) => i.path).join(', ')}`);
  }
  if (!file.endsWith('.js')) continue;
  if (Object.keys(output.inputs).some((input) => input.endsWith('src/runtime/assets.ts'))) {
    throw new Error(`${file} must carry its assets (assets-browser.ts), but has src/runtime/assets.ts`);
  }
  // esbuild itself checks the rest: converting the bundle to CommonJS fails on a top-level
  // await and warns on import.meta (strings, such as the worker bundle inside, are not code).
  const { warnings } = await build({ entryPoints: [file], format: 'cjs', platform: 'browser', write: false, logLevel: 'silent' })
    .catch((error) => {
      throw new Error(`${file} must have no top-level await: ${error.message}`);
    });
  if (warnings.length > 0) throw new Error(`${file} must not use import.meta: ${warnings.map((w) => w.text).join('; ')}`);
}

await buildPlayground();

// tsc declares every module in build/types, leaving out what is marked @internal (stripInternal in
// tsconfig.build.json: the runtime's, allocator's and tracer's machinery that public classes hold
// or public modules also export); only the modules index.d.ts then reaches through its imports
// are public, and only they are copied to dist/types (any other file there is removed). So are
// the global types they need from lib.esnext or lib.dom, declared for projects without them:
// disposable.d.ts (Disposable, which the public classes implement) and host-types.d.ts
// (WebAssembly.Memory and Module, MessagePort), which index.d.ts references (tsc would drop a
// reference or a type-only import written in src/index.ts).
run('tsc', ['-p', 'tsconfig.build.json']);
const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)\.js['"]/g;
const publicDeclarations = new Set();
const toVisit = ['index.d.ts', 'disposable.d.ts', 'host-types.d.ts'];
while (toVisit.length > 0) {
  const file = toVisit.pop();
  if (publicDeclarations.has(file)) continue;
  publicDeclarations.add(file);
  for (const [, specifier] of readFileSync(join('build/types', file), 'utf8').matchAll(IMPORT_SPECIFIER)) {
    toVisit.push(normalize(join(dirname(file), `${specifier}.d.ts`)));
  }
}
const shipped = (folder) => readdirSync(folder, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile()).map((entry) => relative(folder, join(entry.parentPath, entry.name)));
for (const file of shipped('dist/types')) if (!publicDeclarations.has(file)) rmSync(join('dist/types', file));
for (const file of publicDeclarations) {
  mkdirSync(dirname(join('dist/types', file)), { recursive: true });
  copyFileSync(join('build/types', file), join('dist/types', file));
}
const references = ['disposable.d.ts', 'host-types.d.ts'].map((file) => `/// <reference path="./${file}" />\n`).join('');
writeFileSync('dist/types/index.d.ts', `${references}${readFileSync('dist/types/index.d.ts', 'utf8')}`);
