// The README's "Use" example runs as written against the built package and prints what its
// comments say: input 0's ten class probabilities, each well inside (0, 1) (not the 6e-40s and a
// 1 of an unscaled softmax), summing to 1, and a positive simulated time.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the README\'s Use example prints ten meaningful probabilities that sum to 1, and a simulated time', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /## Use\n\n```ts\n([^]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  // Run inside the package, so 'mtia-sim' resolves to it (a package may import itself by name).
  const dir = mkdtempSync(join(root, 'dist', 'readme-example-'));
  try {
    writeFileSync(join(dir, 'example.mjs'), code!);
    const run = spawnSync(process.execPath, [join(dir, 'example.mjs')], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Float32Array\(10\) \[/);
    const probs = run.stdout.slice(run.stdout.indexOf('[') + 1, run.stdout.indexOf(']')).split(',').map(Number);
    expect(probs).toHaveLength(10);
    // bfloat16 keeps 8 significant bits: each probability within 2^-8 relative, so the sum within 10 · 2^-8 of 1.
    expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(10 * 2 ** -8);
    for (const p of probs) {
      expect(p).toBeGreaterThan(1e-4);
      expect(p).toBeLessThan(0.99);
    }
    expect(Number(/\]\n([\d.e-]+) ms of simulated MTIA 2i time\n$/.exec(run.stdout)?.[1])).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
