// int8 quantization through the public API with real device workers: quantizePerTensor,
// dequantize, quantizeDynamic and quantizedLinear against test/support/quantization-reference.ts
// and a float64 reference of the unquantized layer within a derived error bound; the 2048³
// int8-versus-float16 layer timed with events (ISCA'25 §4.4); argument errors; timing-only mode.

import { afterAll, describe, expect, test } from 'vitest';
import {
  dequantize, empty, linear, MtiaError, mtia, quantizeDynamic, quantizedLinear, quantizePerTensor, tensor,
  type QuantizedRows, type Tensor,
} from 'mtia-sim';
import {
  dequantizeReference, dynamicQuantizeReference, quantizeReference, quantizedLinearReference,
} from '../support/quantization-reference.js';
import { randomValues, toFloat16 } from '../support/reference.js';

afterAll(() => mtia.shutdown());

/** Frees every tensor of `tensors`. */
function free(...tensors: Tensor[]): void {
  for (const t of tensors) t.free();
}

describe('quantizePerTensor and dequantize', () => {
  test('float32 and float16 inputs match the reference; dequantize gives (q − z) · s in float32', async () => {
    const values = randomValues(300, 21, -10, 10).map(toFloat16);
    for (const dtype of ['float32', 'float16'] as const) {
      const x = tensor(Float32Array.from(values), { dtype }).view(20, 15);
      const q = quantizePerTensor(x, 0.07, 5);
      expect(q.dtype).toBe('int8');
      expect(q.shape).toEqual([20, 15]);
      const expected = values.map((v) => quantizeReference(v, 0.07, 5));
      expect(Array.from(await q.toArray())).toEqual(expected);
      const back = dequantize(q, 0.07, 5);
      expect(back.dtype).toBe('float32');
      expect(Array.from(await back.toArray())).toEqual(expected.map((v) => dequantizeReference(v, 0.07, 5)));
      free(x, q, back);
    }
  });

  test('a transposed view is quantized element for element', async () => {
    const x = tensor(Float32Array.from(randomValues(24, 3, -2, 2))).view(4, 6);
    const t = x.transpose(0, 1);
    const q = quantizePerTensor(t, 0.01, 0);
    const expected = await t.contiguous().toArray();
    expect(Array.from(await q.toArray())).toEqual(Array.from(expected, (v) => quantizeReference(v, 0.01, 0)));
    free(x, t, q);
  });
});

describe('quantizeDynamic', () => {
  test('per-row symmetric scales max|row| / 127 and int8 values as the reference; rank 3 keeps its row shape', async () => {
    const [rows, cols] = [6, 50];
    const values = randomValues(rows * cols, 31, -3, 3).map(Math.fround);
    const x = tensor(Float32Array.from(values)).view(2, 3, cols);
    const { values: q, scales } = quantizeDynamic(x);
    expect(q.shape).toEqual([2, 3, cols]);
    expect(scales.shape).toEqual([2, 3]);
    expect(scales.dtype).toBe('float32');
    const expected = dynamicQuantizeReference(values, rows, cols);
    expect(Array.from(await q.toArray())).toEqual(expected.values);
    expect(Array.from(await scales.toArray())).toEqual(expected.scales);
    free(x, q, scales);
  });

  test('dequantize of QuantizedRows gives values · scales[row] in float32, also for a strided scales view', async () => {
    const [rows, cols] = [4, 9];
    const values = randomValues(rows * cols, 33, -2, 2).map(Math.fround);
    const x = tensor(Float32Array.from(values)).view(rows, cols);
    const rx = dynamicQuantizeReference(values, rows, cols);
    const expected = rx.values.map((q, i) => Math.fround(q * rx.scales[Math.floor(i / cols)]!));
    const xq = quantizeDynamic(x);
    const back = dequantize(xq);
    expect(back.dtype).toBe('float32');
    expect(Array.from(await back.toArray())).toEqual(expected);
    // Every other row, through views of both values and scales (the scales made contiguous first).
    const every = { values: xq.values.slice(0, null, null, 2), scales: xq.scales.slice(0, null, null, 2) };
    const half = dequantize(every);
    expect(Array.from(await half.toArray())).toEqual(expected.filter((_, i) => Math.floor(i / cols) % 2 === 0));
    free(x, xq.values, xq.scales, back, every.values, every.scales, half);
  });

  test('rows of no elements get scale 1 and no values', async () => {
    const x = empty([3, 0]);
    const { values, scales } = quantizeDynamic(x);
    expect(values.shape).toEqual([3, 0]);
    expect(Array.from(await scales.toArray())).toEqual([1, 1, 1]);
    free(x, values, scales);
  });
});

describe('quantizedLinear', () => {
  test('a 64 × 2048 → 96 layer: exactly the int8 reference, and within the stated quantization error of the float64 layer', async () => {
    const [m, k, n] = [64, 2048, 96];
    const xs = randomValues(m * k, 41, -1, 1).map(Math.fround);
    const ws = randomValues(n * k, 42, -0.05, 0.05).map(Math.fround);
    const bs = randomValues(n, 43, -1, 1).map(Math.fround);
    const x = tensor(Float32Array.from(xs)).view(m, k);
    const w = tensor(Float32Array.from(ws)).view(n, k);
    const bias = tensor(Float32Array.from(bs));
    const xq = quantizeDynamic(x);
    const wq = quantizeDynamic(w); // per output channel: one scale per row of [out, in]
    const y = quantizedLinear(xq, wq, bias);
    expect(y.shape).toEqual([m, n]);
    expect(y.dtype).toBe('float32');
    const out = await y.toArray();
    const rx = dynamicQuantizeReference(xs, m, k);
    const rw = dynamicQuantizeReference(ws, n, k);
    expect(Array.from(out)).toEqual(quantizedLinearReference(rx.values, rx.scales, rw.values, rw.scales, m, n, k, bs).out);
    // Against the unquantized layer in float64. Per element x = s_x·q_x + e_x with |e_x| ≤ s_x / 2
    // (symmetric, nothing clamped) and likewise w, so
    //   |x·w − x̂·ŵ| ≤ Σ_k (|x_k|·s_w/2 + |w_k|·s_x/2 + s_x·s_w/4),
    // plus the float32 scale-back: the int32 sum rounded to float32 and two float32 operations,
    // at most 3 · 2⁻²⁴ relative to the result, and the bias addition's rounding.
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let exact = bs[j]!;
        let bound = 0;
        const [sx, sw] = [rx.scales[i]!, rw.scales[j]!];
        for (let p = 0; p < k; p++) {
          const [a, b] = [xs[i * k + p]!, ws[j * k + p]!];
          exact += a * b;
          bound += (Math.abs(a) * sw) / 2 + (Math.abs(b) * sx) / 2 + (sx * sw) / 4;
        }
        bound += 4 * 2 ** -24 * (Math.abs(exact) + Math.abs(bs[j]!));
        worst = Math.max(worst, Math.abs(out[i * n + j]! - exact) / bound);
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(worst).toBeGreaterThan(0.01); // the bound is not vacuous
    free(x, w, bias, xq.values, xq.scales, wq.values, wq.scales, y);
  });

  test('rank-3 input, no bias, a transposed-storage weight: the rows are flattened, values as the reference', async () => {
    const [k, n] = [40, 12];
    const xs = randomValues(2 * 5 * k, 51).map(Math.fround);
    const wsT = randomValues(k * n, 52).map(Math.fround); // stored [in, out]
    const ws = Array.from({ length: n * k }, (_, i) => wsT[(i % k) * n + Math.floor(i / k)]!);
    const x = tensor(Float32Array.from(xs)).view(2, 5, k);
    const wT = tensor(Float32Array.from(wsT)).view(k, n);
    const xq = quantizeDynamic(x);
    const wq = quantizeDynamic(wT.transpose(0, 1));
    const y = quantizedLinear(xq, wq);
    expect(y.shape).toEqual([2, 5, n]);
    const rx = dynamicQuantizeReference(xs, 10, k);
    const rw = dynamicQuantizeReference(ws, n, k);
    expect(Array.from(await y.toArray())).toEqual(quantizedLinearReference(rx.values, rx.scales, rw.values, rw.scales, 10, n, k).out);
    // linear on int8 operands with their scales is the same layer; without them, a clear error.
    const viaLinear = linear(xq, wq);
    expect(Array.from(await viaLinear.toArray())).toEqual(Array.from(await y.toArray()));
    expect(() => linear(xq.values, wq.values)).toThrow("\"addmm\" not implemented for 'Char' (in linear); int8 operands need their scales: linear(quantizeDynamic(x), quantizeDynamic(w))");
    free(x, wT, xq.values, xq.scales, wq.values, wq.scales, y, viaLinear);
  });
});

describe('quantizedLinear on views', () => {
  test('a weight read transposed in place and an input whose rows need a contiguous copy (with their scales)', async () => {
    const [k, n] = [24, 10];
    await mtia.synchronize();
    const allocated = mtia.memoryAllocated();
    const xs = randomValues(2 * 5 * k, 61).map(Math.fround);
    const xFlat = tensor(Float32Array.from(xs));
    const x = xFlat.view(2, 5, k);
    const xq = quantizeDynamic(x);
    // [5, 2, k] with strides [k, 5k, 1]: the two leading dims do not merge into one row stride.
    const swapped = { values: xq.values.transpose(0, 1), scales: xq.scales.transpose(0, 1) };
    // Weight values stored [in, out] (per-tensor scale 0.02 as one scale per output channel).
    const wTs = randomValues(k * n, 62, -2, 2).map(Math.fround);
    const wFlat = tensor(Float32Array.from(wTs));
    const wT = wFlat.view(k, n);
    const wqT = quantizePerTensor(wT, 0.02, 0);
    const scales = tensor(new Float32Array(n).fill(0.02));
    const weight = { values: wqT.transpose(0, 1), scales };
    const y = quantizedLinear(swapped, weight);
    expect(y.shape).toEqual([5, 2, n]);
    const rx = dynamicQuantizeReference(xs, 10, k);
    const wq = Array.from({ length: n * k }, (_, i) => quantizeReference(wTs[(i % k) * n + Math.floor(i / k)]!, 0.02, 0));
    // Row r of the output is (i, j) = (r / 2, r % 2) of the swapped view: source row j · 5 + i.
    const order = Array.from({ length: 10 }, (_, r) => (r % 2) * 5 + Math.floor(r / 2));
    const xRows = order.flatMap((row) => rx.values.slice(row * k, row * k + k));
    const expected = quantizedLinearReference(xRows, order.map((row) => rx.scales[row]!), wq, new Array(n).fill(Math.fround(0.02)), 10, n, k).out;
    expect(Array.from(await y.toArray())).toEqual(expected);
    free(xFlat, x, xq.values, xq.scales, swapped.values, swapped.scales, wFlat, wT, wqT, scales, weight.values, y);
    await mtia.synchronize();
    // The copies and the workspace are freed too. (≤: the collector may meanwhile free a view's
    // base tensor an earlier test left to it, never add one.)
    expect(mtia.memoryAllocated()).toBeLessThanOrEqual(allocated);
  });
});

describe('arguments', () => {
  test('bad scales, zero points, dtypes, shapes and keys throw at the call, naming the argument', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const i = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    const q = quantizePerTensor(x, 0.1, 0);
    expect(() => quantizePerTensor(x, 0, 0)).toThrow(new MtiaError("quantizePerTensor(): argument 'scale' must be a finite number greater than 0, but got 0"));
    expect(() => quantizePerTensor(x, NaN, 0)).toThrow("argument 'scale' must be a finite number greater than 0, but got NaN");
    expect(() => dequantize(q, Infinity, 0)).toThrow("dequantize(): argument 'scale' must be a finite number greater than 0, but got Infinity");
    expect(() => quantizePerTensor(x, 0.1, 128)).toThrow(new MtiaError("quantizePerTensor(): argument 'zeroPoint' 128 is out of range for int8: it must be in [-128, 127]"));
    expect(() => quantizePerTensor(x, 0.1, 1.5)).toThrow(new TypeError("quantizePerTensor(): argument 'zeroPoint' must be an integer, but got: 1.5"));
    expect(() => dequantize(q, 0.1, undefined as unknown as number)).toThrow(new TypeError("dequantize(): argument 'zeroPoint' must be a number, but got: undefined"));
    expect(() => dequantize({ values: q, scales: x })).toThrow(new MtiaError('dequantize(): input.scales must have one scale per row of input.values, shape [2], but got [2, 2]'));
    expect(() => quantizePerTensor(x, '0.1' as unknown as number, 0)).toThrow(new TypeError("quantizePerTensor(): argument 'scale' must be a number, but got: '0.1'"));
    expect(() => quantizePerTensor(i, 0.1, 0)).toThrow(new MtiaError("quantizePerTensor(): argument 'input' must be a floating Tensor (float32, float16, bfloat16), but got Int"));
    expect(() => dequantize(x, 0.1, 0)).toThrow(new MtiaError("dequantize(): argument 'input' must be an int8 Tensor (quantized values), but got Float"));
    expect(() => quantizeDynamic(i)).toThrow("quantizeDynamic(): argument 'input' must be a floating Tensor");
    expect(() => quantizeDynamic(tensor(3))).toThrow("quantizeDynamic(): argument 'input' must have at least 1 dim");
    const xq = quantizeDynamic(x);
    const w3 = quantizeDynamic(tensor([[1, 2, 3]]));
    expect(() => quantizedLinear(xq, w3)).toThrow(new MtiaError('mat1 and mat2 shapes cannot be multiplied (2x2 and 3x1)'));
    expect(() => quantizedLinear(xq, { values: q, scales: xq.scales, scale: 1 } as unknown as QuantizedRows)).toThrow(new TypeError("quantizedLinear(): argument 'weight' got an unexpected key 'scale'; it takes { values, scales }"));
    expect(() => quantizedLinear(xq, { values: x, scales: xq.scales })).toThrow(new MtiaError('quantizedLinear(): weight.values must be int8, but got Float'));
    expect(() => quantizedLinear(xq, { values: q, scales: q })).toThrow(new MtiaError('quantizedLinear(): weight.scales must be float32, but got Char'));
    expect(() => quantizedLinear(xq, { values: q, scales: x })).toThrow(new MtiaError('quantizedLinear(): weight.scales must have one scale per row of weight.values, shape [2], but got [2, 2]'));
    expect(() => quantizedLinear(xq, { values: xq.values, scales: xq.scales }, x)).toThrow(new MtiaError('quantizedLinear(): bias must have shape [2], but got [2, 2]'));
    expect(() => quantizedLinear(xq, xq, i.view(4).slice(0, 0, 2))).toThrow(new MtiaError('quantizedLinear(): bias must be float32, but got Int'));
    expect(() => quantizedLinear(xq, 3 as unknown as QuantizedRows)).toThrow(new TypeError("quantizedLinear(): argument 'weight' must be { values, scales } as quantizeDynamic returns, but got: 3"));
    free(x, i, q, xq.values, xq.scales, w3.values, w3.scales);
  });
});

/** Simulated µs `run` takes on the current stream from a synchronized device, timed with events. */
async function timedUs(run: () => void): Promise<number> {
  await mtia.synchronize();
  const start = new mtia.Event({ enableTiming: true });
  start.record();
  run();
  const end = new mtia.Event({ enableTiming: true });
  end.record();
  await end.synchronize();
  return start.elapsedTime(end) * 1e3;
}

/** quantizeDynamic(x) then quantizedLinear with the pre-quantized weight; frees what it made. */
function int8Layer(x: Tensor, wq: QuantizedRows, bias: Tensor): void {
  const xq = quantizeDynamic(x);
  free(quantizedLinear(xq, wq, bias), xq.values, xq.scales);
}

describe('timing (timing-only mode, mtia-v2)', () => {
  test('a 2048³ int8 layer with dynamic quantization is 1.4–1.8 × faster than in float16 (ISCA\'25 §4.4: ~1.6 ×)', async () => {
    await mtia.shutdown();
    mtia.configure({ timingOnly: true, deviceCount: 1 });
    const size = 2048;
    const x = empty([size, size], { dtype: 'float16' });
    const w = empty([size, size], { dtype: 'float16' });
    const bias16 = empty([size], { dtype: 'float16' });
    const bias32 = empty([size], { dtype: 'float32' });
    const fp16 = () => free(linear(x, w, bias16));
    fp16();
    const fp16Us = await timedUs(fp16); // the second of two runs: operands resident in SRAM
    const wq = quantizeDynamic(w); // the weight is quantized once, outside the timed region
    int8Layer(x, wq, bias32);
    mtia.profiler.start();
    const int8Us = await timedUs(() => int8Layer(x, wq, bias32));
    await mtia.profiler.stop();
    const ratio = fp16Us / int8Us;
    expect(ratio).toBeGreaterThanOrEqual(1.4);
    expect(ratio).toBeLessThanOrEqual(1.8);
    // Where it comes from: the GEMM alone is ~2 × faster (the DPE's int8 rate, 354 vs 177 TOPS);
    // the RE/SE quantization of the activations takes the rest of the int8 layer's time.
    const [quantize, gemm] = mtia.profiler.opStats();
    expect(quantize!.name).toBe('quantizeDynamic');
    expect(gemm!.name).toBe('quantizedLinear');
    expect(gemm!.bound).toBe('compute');
    expect(gemm!.cycles.re).toBeGreaterThan(0);
    expect(quantize!.cycles.re).toBeGreaterThan(0);
    expect(quantize!.cycles.se).toBeGreaterThan(0);
    const gemmUs = (gemm!.endNs - gemm!.startNs) / 1e3;
    expect(fp16Us / gemmUs).toBeGreaterThan(1.8);
    expect(fp16Us / gemmUs).toBeLessThan(2.0);
    free(x, w, bias16, bias32, wq.values, wq.scales);
    await mtia.shutdown();
  });

  test('timing-only mode times the quantization ops exactly as compute mode does', async () => {
    const program = async () => {
      const x = empty([256, 512], { dtype: 'float16' });
      const w = empty([128, 512]);
      const bias = empty([128]);
      const wq = quantizeDynamic(w);
      const us = await timedUs(() => {
        const q = quantizePerTensor(x, 0.5, 0);
        const back = dequantize(q, 0.5, 0);
        int8Layer(back, wq, bias);
        free(q, back);
      });
      free(x, w, bias, wq.values, wq.scales);
      return us;
    };
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: false });
    const compute = await program();
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    const timingOnly = await program();
    const q = quantizeDynamic(empty([4, 4]));
    await expect(q.values.toArray()).rejects.toThrow(MtiaError);
    free(q.values, q.scales);
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: false });
    expect(compute).toBeGreaterThan(0);
    expect(timingOnly).toBe(compute);
  });
});
