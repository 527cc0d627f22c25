// scaledDotProductAttention through the built package with real device workers, against the
// float64 reference of test/support/attention-reference.ts (torch's documented definition).
// Tolerances: float32 accumulation over S and E terms of values in [-1, 1) stays well under
// 1e-5 absolute + 1e-4 relative; float16 and bfloat16 outputs are one rounding from the float32
// result (2⁻¹¹ and 2⁻⁸ relative), so 2⁻¹⁰ and 2⁻⁷ relative with a small absolute floor.

import { afterAll, describe, expect, test } from 'vitest';
import { MtiaError, empty, mtia, scaledDotProductAttention, tensor } from 'mtia-sim';
import type { DType, Tensor } from 'mtia-sim';
import { attentionReference, type AttentionReferenceOptions } from '../support/attention-reference.js';
import { Nd } from '../support/ndarray.js';
import { randomValues, storeAs, worstError } from '../support/reference.js';

afterAll(() => mtia.shutdown());

const TOLERANCE: Record<'float32' | 'float16' | 'bfloat16', [atol: number, rtol: number]> = {
  float32: [1e-5, 1e-4],
  float16: [1e-3, 2 ** -10],
  bfloat16: [8e-3, 2 ** -7],
};

let seed = 1;

/** Random values in [-1, 1) exactly representable in `dtype`, as an Nd and a device tensor. */
function operand(shape: number[], dtype: DType = 'float32', scale = 1): { nd: Nd; t: Tensor } {
  const data = randomValues(shape.reduce((n, s) => n * s, 1), seed++).map((x) => storeAs(dtype, x * scale));
  return { nd: new Nd(shape, data), t: tensor(Float32Array.from(data), { dtype }).view(shape) };
}

/** Runs the device op and the reference and returns the worst error (≤ 1 passes). */
async function compare(
  q: { nd: Nd; t: Tensor }, k: { nd: Nd; t: Tensor }, v: { nd: Nd; t: Tensor },
  options: Parameters<typeof scaledDotProductAttention>[3] = {}, reference: AttentionReferenceOptions = {},
): Promise<number> {
  const out = scaledDotProductAttention(q.t, k.t, v.t, options);
  const expected = attentionReference(q.nd, k.nd, v.nd, reference);
  expect(out.shape).toEqual(expected.shape);
  expect(out.dtype).toBe(q.t.dtype);
  const [atol, rtol] = TOLERANCE[q.t.dtype as 'float32'];
  const actual = await out.toArray();
  out.free();
  return worstError(actual, expected.data, atol, rtol);
}

describe('scaledDotProductAttention (compute mode)', () => {
  test('4-d float32 [2, 3, L=5, E=8] over S=7 keys with Ev=6 equals softmax(QKᵀ/√E)·V', async () => {
    const q = operand([2, 3, 5, 8]), k = operand([2, 3, 7, 8]), v = operand([2, 3, 7, 6]);
    expect(await compare(q, k, v)).toBeLessThanOrEqual(1);
  });

  test('S larger than a key block (150 keys: 3 blocks of the online softmax), large scores', async () => {
    const q = operand([1, 2, 9, 16], 'float32', 4), k = operand([1, 2, 150, 16], 'float32', 4), v = operand([1, 2, 150, 16]);
    expect(await compare(q, k, v)).toBeLessThanOrEqual(1);
  });

  test('3-d inputs with broadcast batch dims: query [4, L, E] against key and value [1, S, E]', async () => {
    const q = operand([4, 6, 8]), k = operand([1, 5, 8]), v = operand([1, 5, 8]);
    expect(await compare(q, k, v)).toBeLessThanOrEqual(1);
  });

  test('bool masks: [L, S] broadcast over batch and heads, and a [B, 1, 1, S] padding mask', async () => {
    const q = operand([2, 3, 4, 8]), k = operand([2, 3, 6, 8]), v = operand([2, 3, 6, 8]);
    const square = Array.from({ length: 24 }, (_, i) => (i * 7) % 5 !== 0 ? 1 : 0);
    const mask = tensor(square, { dtype: 'bool' }).view(4, 6);
    expect(await compare(q, k, v, { attnMask: mask }, { mask: { nd: new Nd([4, 6], square), bool: true } })).toBeLessThanOrEqual(1);
    const padding = [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0];
    const padMask = tensor(padding, { dtype: 'bool' }).view(2, 1, 1, 6);
    expect(await compare(q, k, v, { attnMask: padMask }, { mask: { nd: new Nd([2, 1, 1, 6], padding), bool: true } })).toBeLessThanOrEqual(1);
  });

  test('a query row whose keys are all masked out is 0, not NaN (torch\'s math kernel: _safe_softmax)', async () => {
    const q = operand([1, 3, 4]), k = operand([1, 5, 4]), v = operand([1, 5, 4]);
    const bits = [1, 1, 0, 1, 0, /* row 1: none */ 0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const mask = tensor(bits, { dtype: 'bool' }).view(3, 5);
    const out = scaledDotProductAttention(q.t, k.t, v.t, { attnMask: mask });
    const values = Array.from(await out.toArray());
    expect(values.slice(4, 8)).toEqual([0, 0, 0, 0]);
    expect(worstError(values, attentionReference(q.nd, k.nd, v.nd, { mask: { nd: new Nd([3, 5], bits), bool: true } }).data, 1e-5, 1e-4)).toBeLessThanOrEqual(1);
  });

  test('float masks are added to the scores: float32 [1, 3, L, S] over float32 inputs, float16 and float32 over float16 inputs', async () => {
    const q = operand([2, 3, 4, 8]), k = operand([2, 3, 5, 8]), v = operand([2, 3, 5, 8]);
    const bias = operand([1, 3, 4, 5], 'float32', 3);
    expect(await compare(q, k, v, { attnMask: bias.t }, { mask: { nd: bias.nd, bool: false } })).toBeLessThanOrEqual(1);
    const q16 = operand([3, 4, 8], 'float16'), k16 = operand([3, 5, 8], 'float16'), v16 = operand([3, 5, 8], 'float16');
    const bias16 = operand([4, 5], 'float16', 2);
    expect(await compare(q16, k16, v16, { attnMask: bias16.t }, { mask: { nd: bias16.nd, bool: false } })).toBeLessThanOrEqual(1);
    const bias32 = operand([4, 5], 'float32', 2);
    expect(await compare(q16, k16, v16, { attnMask: bias32.t }, { mask: { nd: bias32.nd, bool: false } })).toBeLessThanOrEqual(1);
  });

  test('causal attention is the upper-left aligned triangle, for L < S and L > S', async () => {
    for (const [l, s] of [[3, 7], [7, 3], [70, 70]] as const) {
      const q = operand([2, l, 8]), k = operand([2, s, 8]), v = operand([2, s, 4]);
      expect(await compare(q, k, v, { isCausal: true }, { isCausal: true })).toBeLessThanOrEqual(1);
    }
  });

  test('an explicit scale, also a negative one, multiplies Q·Kᵀ', async () => {
    for (const scale of [0.05, -0.7]) {
      const q = operand([2, 4, 8]), k = operand([2, 6, 8]), v = operand([2, 6, 8]);
      expect(await compare(q, k, v, { scale }, { scale })).toBeLessThanOrEqual(1);
    }
  });

  test('grouped-query attention: 8 query heads over 2 key/value heads, with a per-head float mask', async () => {
    const q = operand([2, 8, 4, 16]), k = operand([2, 2, 6, 16]), v = operand([2, 2, 6, 16]);
    expect(await compare(q, k, v, { enableGqa: true }, { enableGqa: true })).toBeLessThanOrEqual(1);
    const bias = operand([8, 4, 6], 'float32', 2);
    expect(await compare(q, k, v, { enableGqa: true, attnMask: bias.t }, { enableGqa: true, mask: { nd: bias.nd, bool: false } })).toBeLessThanOrEqual(1);
  });

  test('float16 and bfloat16 inputs accumulate in float32 and round once', async () => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      const q = operand([2, 2, 9, 32], dtype), k = operand([2, 2, 80, 32], dtype), v = operand([2, 2, 80, 24], dtype);
      expect(await compare(q, k, v)).toBeLessThanOrEqual(1);
      expect(await compare(q, k, v, { isCausal: true }, { isCausal: true })).toBeLessThanOrEqual(1);
    }
  });

  test('strided inputs: heads split out of [B, L, H·E] by a view and a transpose are read in place', async () => {
    const [b, l, h, e] = [2, 5, 3, 8];
    const q = operand([b, l, h, e]), k = operand([b, l, h, e]), v = operand([b, l, h, e]);
    const heads = (x: { nd: Nd; t: Tensor }) => ({ nd: x.nd.permute([0, 2, 1, 3]), t: x.t.transpose(1, 2) });
    expect(await compare(heads(q), heads(k), heads(v), { isCausal: true }, { isCausal: true })).toBeLessThanOrEqual(1);
  });

  test('empty sequences: S = 0 gives zeros, L = 0 an empty output', async () => {
    const zeros = scaledDotProductAttention(empty([2, 3, 4]), empty([2, 0, 4]), empty([2, 0, 5]));
    expect(Array.from(await zeros.toArray())).toEqual(new Array(30).fill(0));
    expect(scaledDotProductAttention(empty([2, 0, 4]), empty([2, 3, 4]), empty([2, 3, 5])).shape).toEqual([2, 0, 5]);
  });
});

describe('scaledDotProductAttention: bad arguments, in PyTorch\'s words', () => {
  const q = () => empty([2, 4, 8]);
  test.each([
    ['dtypes differ', () => scaledDotProductAttention(q(), empty([2, 4, 8], { dtype: 'float16' }), q()),
      'Expected query, key, and value to have the same dtype, but got query.dtype: float key.dtype: c10::Half and value.dtype: float instead.'],
    ['a 1-d operand', () => scaledDotProductAttention(q(), empty([8]), q()),
      'Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: 3 key.dim: 1 and value.dim: 3 instead.'],
    ['an int32 mask', () => scaledDotProductAttention(q(), q(), q(), { attnMask: empty([4, 4], { dtype: 'int32' }) }),
      'Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: int and  query.dtype: float instead.'],
    ['causal and a mask', () => scaledDotProductAttention(q(), q(), q(), { isCausal: true, attnMask: empty([4, 4], { dtype: 'bool' }) }),
      '_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True'],
    ['dropout', () => scaledDotProductAttention(q(), q(), q(), { dropoutP: 0.1 }), 'dropout_p=0.1 is not supported'],
    ['E differs', () => scaledDotProductAttention(q(), empty([2, 4, 6]), q()), 'query and key must have the same embedding dim E'],
    ['S differs', () => scaledDotProductAttention(q(), q(), empty([2, 5, 8])), 'key and value must have the same sequence length S'],
    ['a mask that does not broadcast', () => scaledDotProductAttention(q(), q(), q(), { attnMask: empty([3, 4], { dtype: 'bool' }) }),
      'does not broadcast to the attention weights\' shape [2, 4, 4]'],
    ['heads that do not divide', () => scaledDotProductAttention(empty([1, 6, 4, 8]), empty([1, 4, 4, 8]), empty([1, 4, 4, 8]), { enableGqa: true }),
      'Number of heads in key and value must divide the number of heads in'],
    ['int32 operands', () => scaledDotProductAttention(empty([2, 2], { dtype: 'int32' }), empty([2, 2], { dtype: 'int32' }), empty([2, 2], { dtype: 'int32' })),
      '"scaled_dot_product_attention" not implemented for \'Int\''],
  ])('%s', (_, call, message) => {
    expect(call).toThrow(MtiaError);
    expect(call).toThrow(message);
  });

  test('a misspelled option is a TypeError naming the closest one', () => {
    expect(() => scaledDotProductAttention(q(), q(), q(), { is_causal: true } as never)).toThrow(
      "scaledDotProductAttention() got an unexpected keyword argument 'is_causal' (did you mean 'isCausal'?)",
    );
  });
});

describe('scaledDotProductAttention (timing-only mode)', () => {
  test('a BERT-large-sized [8, 16, 2048, 64] float16 attention runs without values, on the DPE, fused', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const [q, k, v] = [0, 1, 2].map(() => empty([8, 16, 2048, 64], { dtype: 'float16' }));
    mtia.profiler.start();
    const out = scaledDotProductAttention(q!, k!, v!, { isCausal: true });
    await mtia.profiler.stop();
    const [record] = mtia.profiler.opStats();
    expect(record!.name).toBe('scaledDotProductAttention');
    expect(record!.cycles.dpe).toBeGreaterThan(0);
    expect(record!.cycles.se).toBeGreaterThan(0);
    expect(record!.cycles.re).toBeGreaterThan(0);
    // No score matrix (8·16·2048² scores would be 1 GiB in float16): SRAM carries Q and O once
    // and K, V at most once per query block.
    const bytes = 8 * 16 * 2048 * 64 * 2;
    const queryBlocks = 2048 / record!.tile!.m;
    expect(record!.bytes.sram).toBeLessThanOrEqual(2 * bytes + queryBlocks * 2 * bytes);
    await expect(out.toArray()).rejects.toThrow(MtiaError);
    for (const t of [q, k, v, out]) t!.free();
    await mtia.shutdown();
  });
});
