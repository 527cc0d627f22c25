// The relaxed-SIMD build of the core behind the public API: a Node whose engine has relaxed SIMD
// (Node 20 with --experimental-wasm-relaxed-simd) loads dist/core-relaxed.wasm into its device
// workers, and matmul results are as correct as with the plain build (test/core/matmul-kernels
// checks both builds kernel by kernel). Without the flag, Node 20 runs the plain build.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { matmulReference, worstError } from '../support/reference.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs scripts/matmul-product.mjs in a child Node with `flags`; returns what it printed. */
function product(flags: string[]): { m: number; n: number; k: number; a: number[]; b: number[]; c: number[]; probe: number } {
  const run = spawnSync(process.execPath, [...flags, 'test/api/scripts/matmul-product.mjs'], { cwd: root, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

// -1·1 + (1 + 2^-12)²: 2^-11 when the steps round twice, 2^-11 + 2^-24 when fused.
const [unfused, fused] = [2 ** -11, 2 ** -11 + 2 ** -24];

test.each([
  ['--experimental-wasm-relaxed-simd', [unfused, fused]],
  ['--no-experimental-wasm-relaxed-simd', [unfused]],
])('a Node started with %s computes matmul within the float32 bound, its steps rounded as its build allows', (flag, probes) => {
  const { m, n, k, a, b, c, probe } = product([flag]);
  // Tolerance as in test/core/matmul-kernels.test.ts: fused or not, within atol 1e-6·k + rtol 1e-5.
  expect(worstError(c, matmulReference(a, b, m, n, k), 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
  expect(probes).toContain(probe);
});
