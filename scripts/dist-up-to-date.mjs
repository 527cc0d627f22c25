// Exits 0 if dist/ is up to date with the sources (every output newer than every source), 1 if
// not: `npm start` runs the demo from dist/ without rebuilding when it is (package.json
// prestart: `node scripts/dist-up-to-date.mjs || npm run build`). Times are file mtimes, so a
// clone where `npm run build` ran after the sources were checked out counts as up to date.
// Usage: node scripts/dist-up-to-date.mjs [package folder, default: this package]

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
/** What the build reads. */
const SOURCES = ['assembly', 'src', 'workers', 'scripts/build.mjs', 'package.json', 'asconfig.json', 'tsconfig.build.json'];
/** What `npm start` (dist/cli.js demo) runs on. */
const OUTPUTS = ['dist/cli.js', 'dist/index.js', 'dist/device-worker.js', 'dist/core.wasm', 'dist/core-relaxed.wasm', 'dist/kernel-thread.wasm',
  'dist/kernel-thread-relaxed.wasm'];

/** Modification times (ms) of `path` and, for a folder, of every file under it. */
function mtimes(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return [stats.mtimeMs];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
}

const missing = OUTPUTS.filter((file) => !existsSync(join(root, file)));
if (missing.length > 0) {
  console.error(`dist/ is not built (${missing.join(', ')} missing)`);
  process.exit(1);
}
const newestSource = Math.max(...SOURCES.filter((p) => existsSync(join(root, p))).flatMap((p) => mtimes(join(root, p))));
const oldestOutput = Math.min(...OUTPUTS.flatMap((file) => mtimes(join(root, file))));
if (newestSource > oldestOutput) {
  console.error('dist/ is older than the sources: rebuilding');
  process.exit(1);
}
