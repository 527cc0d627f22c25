// Random factories on in-realm devices: values equal the documented transforms of the
// reference Philox4x32-10 stream (test/support/reference.ts) at the generator's seed and
// offset; offsets advance as documented; state saved and restored reproduces the numbers.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { rand, randint, randn } from '../../src/tensor/factories.js';
import { DEFAULT_SEED, Generator, generatorFor } from '../../src/tensor/generator.js';

const manualSeed = mtia.manualSeedAll;
import { philoxWords, storeAs, worstError } from '../support/reference.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 2, memoryBytes: 8 << 20 }));
afterAll(() => mtia.shutdown());

const read = async (t: { toArray(): Promise<ArrayLike<number>> }) => Array.from(await t.toArray());

describe('generator state', () => {
  test("PyTorch's default seed; offsets advance by values rounded up to 4; state is 16 bytes seed LE, offset LE", () => {
    const g = new Generator();
    expect(g.seed).toBe(DEFAULT_SEED);
    expect([g.reserve(5), g.reserve(4), g.reserve(1), g.offset]).toEqual([0n, 8n, 12n, 16n]);
    g.manualSeed(0x0102030405060708n);
    g.reserve(9);
    expect(Array.from(g.getState())).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 12, 0, 0, 0, 0, 0, 0, 0]);
    const copy = new Generator();
    copy.setState(g.getState());
    expect([copy.seed, copy.offset]).toEqual([g.seed, g.offset]);
    expect(() => copy.setState(new Uint8Array(15))).toThrow('RNG state is wrong size: expected 16 bytes (seed, offset) or 8 (seed), but got 15');
    expect(() => copy.setState([1, 2] as never)).toThrow(new TypeError('RNG state must be a torch.ByteTensor (here: a Uint8Array), but got: [1, 2]'));
    const odd = g.getState();
    odd[8] = 3;
    expect(() => copy.setState(odd)).toThrow('offset must be a multiple of 4, but got 3');
    copy.setState(new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]));
    expect([copy.seed, copy.offset]).toEqual([0x0102030405060708n, 0n]);
  });
});

describe('random factories', () => {
  test('rand: float32 is (word >> 8) · 2^-24, bfloat16 (word >> 24) · 2^-8 (exact, below 1), at the advancing offset', async () => {
    manualSeed(1234);
    const a = rand([7]);
    const b = rand([2, 3], { dtype: 'bfloat16' });
    const words = philoxWords(1234n, 0n, 16);
    expect(await read(a)).toEqual(words.slice(0, 7).map((w) => (w >>> 8) * 2 ** -24));
    expect(await read(b)).toEqual(words.slice(8, 14).map((w) => (w >>> 24) * 2 ** -8));
    expect(generatorFor(runtime.device(0)).offset).toBe(16n);
  });

  test('randn: Box–Muller of word pairs (float64, rounded once); float16 adds one rounding', async () => {
    manualSeed(99);
    const z = randn([5]);
    const h = randn([3], { dtype: 'float16' });
    const words = philoxWords(99n, 0n, 12);
    const normals = (from: number, count: number) => {
      const out: number[] = [];
      for (let p = 0; out.length < count; p++) {
        const u1 = ((words[from + 2 * p]! >>> 8) + 1) * 2 ** -24;
        const u2 = (words[from + 2 * p + 1]! >>> 8) * 2 ** -24;
        const r = Math.sqrt(-2 * Math.log(u1));
        out.push(r * Math.cos(2 * Math.PI * u2), r * Math.sin(2 * Math.PI * u2));
      }
      return out.slice(0, count);
    };
    // Tolerance: float32 rounding of a float64 result computed with another libm: 1e-6 relative.
    expect(worstError(await read(z), normals(0, 5), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    // randn([5]) consumed 6 values → offset 8.
    expect(worstError(await read(h), normals(8, 3).map((x) => storeAs('float16', x)), 1e-3, 2 ** -10)).toBeLessThanOrEqual(1);
  });

  test('randn of 20 000 values has mean ≈ 0 and variance ≈ 1 (5 standard errors)', async () => {
    const values = await read(randn([20000]));
    const mean = values.reduce((s, x) => s + x, 0) / values.length;
    const variance = values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(values.length));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / values.length));
  });

  test('randint: low + word mod (high - low) in [low, high); signature (high, size) and (low, high, size)', async () => {
    manualSeed(7n);
    const a = randint(-5, 5, [9]);
    const b = randint(3, [4], { dtype: 'int8' });
    const words = philoxWords(7n, 0n, 16);
    expect(a.dtype).toBe('int32');
    expect(await read(a)).toEqual(words.slice(0, 9).map((w) => -5 + (w % 10)));
    expect(await read(b)).toEqual(words.slice(12, 16).map((w) => w % 3));
    expect(() => randint(5, 5, [2])).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
    expect(() => rand([2], { dtype: 'int32' })).toThrow(`"check_uniform_bounds" not implemented for 'Int'`);
  });

  test('restoring a saved state reproduces the numbers; devices keep separate generators', async () => {
    manualSeed(42);
    const generator = generatorFor(runtime.device(0));
    rand([3]);
    const saved = generator.getState();
    const first = await read(rand([10]));
    const onOtherDevice = await read(rand([3], { device: 1 }));
    generator.setState(saved);
    expect(await read(rand([10]))).toEqual(first);
    expect(onOtherDevice).toEqual(philoxWords(42n, 0n, 3).map((w) => (w >>> 8) * 2 ** -24));
  });
});
