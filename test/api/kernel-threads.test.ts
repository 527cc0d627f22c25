// Kernel threads (workers/kernel-threads.ts, assembly/kernels/matmul-shared.ts): a device's large
// float32 matmuls computed by its worker and helper threads together. The results must be the
// same bit for bit as the worker alone computes them (every element gets the same multiply-adds
// in the same order), and equal the float64 product within float32 rounding; the threads start
// with the device for an explicit count, at the first large matmul for 'auto', and end with it.

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { linear, matmul, mtia, rand, tensor, ValueError, type Tensor } from 'mtia-sim';
import { matmulReference, randomValues, worstError } from '../support/reference.js';

afterEach(() => mtia.shutdown());

/**
 * The products the test compares, from seeded inputs: above the threaded size (4 Mi
 * multiply-adds, A at least 64 rows) with edge tiles, half-precision operands (accumulated in
 * float32, rounded once), a transposed operand, a batch, a bias, and a K so deep that packed B
 * is split into several spans of columns (K = 8448: 33 slices, spans of 496 columns).
 */
async function products(): Promise<Float32Array[]> {
  mtia.manualSeed(2026);
  const cases: Tensor[] = [
    matmul(rand([257, 300]), rand([300, 130])),
    matmul(rand([160, 520], { dtype: 'bfloat16' }), rand([520, 96], { dtype: 'bfloat16' })),
    matmul(rand([160, 520], { dtype: 'float16' }), rand([520, 96], { dtype: 'float16' })),
    matmul(rand([200, 256]), rand([200, 256]).transpose(0, 1)),
    matmul(rand([3, 96, 200]), rand([3, 200, 300])),
    linear(rand([128, 512]), rand([256, 512]), rand([256])),
    matmul(rand([64, 8448]), rand([8448, 1000])),
  ];
  const values = await Promise.all(cases.map((t) => t.toArray() as Promise<Float32Array>));
  for (const t of cases) t.free();
  return values;
}

describe('kernel threads', () => {
  let alone: Float32Array[];

  test('kernelThreads: 1 computes on the worker alone', async () => {
    mtia.configure({ deviceCount: 1, kernelThreads: 1 });
    alone = await products();
    expect(await mtia.debug.kernelThreads()).toBe(1);
  });

  test('kernelThreads: 3 starts two helpers with the device; every product is the same bit for bit', async () => {
    mtia.configure({ deviceCount: 1, kernelThreads: 3 });
    expect(await mtia.debug.kernelThreads()).toBe(3);
    const threaded = await products();
    expect(threaded.length).toBe(alone.length);
    threaded.forEach((values, i) => {
      expect(values.length).toBe(alone[i]!.length);
      expect(Buffer.from(values.buffer).equals(Buffer.from(alone[i]!.buffer)), `product ${i}`).toBe(true);
    });
  });

  test('a threaded product equals the float64 product within float32 rounding', async () => {
    mtia.configure({ deviceCount: 1, kernelThreads: 2 });
    const [m, k, n] = [131, 517, 97];
    const a = randomValues(m * k, 3).map(Math.fround);
    const b = randomValues(k * n, 4).map(Math.fround);
    const out = matmul(tensor(Float32Array.from(a)).view(m, k), tensor(Float32Array.from(b)).view(k, n));
    expect(await mtia.debug.kernelThreads()).toBe(2);
    // float32 accumulation over k = 517 terms in [-1, 1): 1e-5 relative plus 1e-6 · k.
    expect(worstError(await out.toArray(), matmulReference(a, b, m, n, k), 1e-6 * k, 1e-5)).toBeLessThanOrEqual(1);
  });

  test("'auto' starts its helpers at the first large matmul: one per logical processor, at most 8", async () => {
    mtia.configure({ deviceCount: 1, kernelThreads: 'auto' });
    expect(await mtia.debug.kernelThreads()).toBe(1);
    const expected = Math.min(8, availableParallelism());
    const deadline = Date.now() + 20_000;
    let threads = 1;
    while (threads < expected && Date.now() < deadline) {
      await matmul(rand([256, 256]), rand([256, 256])).toArray();
      threads = await mtia.debug.kernelThreads();
    }
    expect(threads).toBe(expected);
  });

  test('kernelThreads must be an integer from 1 to 8 or auto', () => {
    expect(() => mtia.configure({ kernelThreads: 0 })).toThrow(new ValueError("configure(): kernelThreads (or 'auto') must be an integer in [1, 8], but got: 0"));
    expect(() => mtia.configure({ kernelThreads: 9 })).toThrow("must be an integer in [1, 8], but got: 9");
    expect(() => mtia.configure({ kernelThreads: 2.5 })).toThrow("must be an integer in [1, 8], but got: 2.5");
    expect(() => mtia.configure({ kernelThreads: 'all' as never })).toThrow(new TypeError("configure(): kernelThreads (or 'auto') must be a number, but got: string"));
  });

  test('a script whose device has kernel threads exits by itself, without shutdown()', () => {
    const script = fileURLToPath(new URL('./scripts/threaded-matmul.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined(); // a timeout would show up here
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ threads: 2, corner: 300 });
  });
});
