// Bundles bench/models/models.ts (and the test builder it uses) with esbuild into a temporary
// ESM module and imports it: the bench's models are built at run time, never committed.
// onnxruntime-node (imported by the test builder for its ortRun helper) is replaced by an empty
// module, so the bench process holds onnxruntime-web only.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** The models module (resnet18(), bertLayer()), bundled from TypeScript and imported. */
export async function loadModelBuilders() {
  const dir = mkdtempSync(join(tmpdir(), 'mtia-bench-models-'));
  const outfile = join(dir, 'models.mjs');
  try {
    const result = await build({
      entryPoints: [join(here, 'models.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'error',
      plugins: [{
        name: 'no-onnxruntime-node',
        setup(b) {
          b.onResolve({ filter: /^onnxruntime-node$/ }, () => ({ path: 'onnxruntime-node', namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export {};', loader: 'js' }));
        },
      }],
    });
    writeFileSync(outfile, result.outputFiles[0].contents);
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
