// Builds the playground into static files: dist/playground/{index.html, style.css,
// playground.js, and the package's core.wasm and device-worker.js when it needs them beside
// it}. Called by scripts/build.mjs after the package itself is built; any static host serves
// the result (`npm run serve` serves it locally).
//
// The page imports 'mtia-sim' and is bundled by esbuild with the `browser` condition, so it
// takes the package's browser build where package.json exports one and its default build
// (dist/index.js, which loads ./core.wasm and ./device-worker.js next to the bundle and imports
// node: modules only on Node) otherwise. That choice is made in libraryNeedsAssets() alone.

import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = new URL('../../', import.meta.url);
const source = new URL('./', import.meta.url);

/**
 * True when the build of the package the page bundles loads its core and worker from files next
 * to the bundle: when package.json's exports have no `browser` condition (that build inlines
 * them).
 */
function libraryNeedsAssets() {
  const { exports } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
  return !(typeof exports?.['.'] === 'object' && 'browser' in exports['.']);
}

/** Builds the playground into `outdir` (default dist/playground/), from the built dist/. */
export async function buildPlayground(outdir = new URL('dist/playground/', root)) {
  mkdirSync(outdir, { recursive: true });
  const needsAssets = libraryNeedsAssets();
  await build({
    entryPoints: [new URL('main.ts', source).pathname],
    outfile: new URL('playground.js', outdir).pathname,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    conditions: ['browser'],
    sourcemap: true,
    logLevel: 'warning',
    // The default build imports node: modules only under Node; the browser build imports none.
    external: needsAssets ? ['node:*'] : [],
  });
  for (const file of ['index.html', 'style.css']) copyFileSync(new URL(file, source), new URL(file, outdir));
  // Copied for the default build; removed (left from an earlier build) for the browser build.
  for (const file of ['core.wasm', 'core-relaxed.wasm', 'device-worker.js', 'device-worker.js.map']) {
    if (needsAssets) copyFileSync(new URL(`dist/${file}`, root), new URL(file, outdir));
    else rmSync(new URL(file, outdir), { force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await buildPlayground();
