// Runs one ONNX model (bytes from onnx-builder.ts) in mtia-sim and in onnxruntime-node (CPU) on
// the same inputs and compares every output: shape exactly, values within |a − b| ≤ atol +
// rtol·|b| (numpy.isclose's rule), integers and bools exactly.

import { expect } from 'vitest';
import { loadOnnx, tensor, type Tensor } from 'mtia-sim';
import { ortRun, type Feed } from './onnx-builder.js';

/** Tolerances of a comparison: float32 kernels against ORT's, which sum in another order. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** float32 ops: a few ulps of the magnitudes involved. */
export const FLOAT32: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** A device tensor holding `feed`. */
export function feedTensor(feed: Feed): Tensor {
  const shape = [...feed.shape];
  let flat: Tensor;
  switch (feed.dtype) {
    case 'int64': flat = tensor(BigInt64Array.from(Array.from(feed.values), (v) => BigInt(v))); break;
    case 'int32': flat = tensor(Int32Array.from(feed.values), { dtype: 'int32' }); break;
    case 'bool': flat = tensor(Int8Array.from(feed.values), { dtype: 'bool' }); break;
    case 'float16': flat = tensor(Float32Array.from(feed.values), { dtype: 'float16' }); break;
    default: flat = tensor(Float32Array.from(feed.values)); break;
  }
  const shaped = flat.reshape(shape);
  flat.free();
  return shaped;
}

/** Expects `actual` to be within `tolerance` of `expected`, naming the first element that is not. */
export function expectClose(name: string, actual: ArrayLike<number>, expected: readonly number[], tolerance: Tolerance): void {
  expect(actual.length, `${name}: element count`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]!);
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const ok = Math.abs(a - e) <= tolerance.atol + tolerance.rtol * Math.abs(e);
    if (!ok) expect.fail(`${name}[${i}]: mtia-sim ${a}, onnxruntime ${e} (atol ${tolerance.atol}, rtol ${tolerance.rtol})`);
  }
}

/** Runs `model` in both and compares every output; returns mtia-sim's outputs' values. */
export async function compareWithOrt(model: Uint8Array, feeds: Readonly<Record<string, Feed>>, tolerance: Tolerance = FLOAT32): Promise<Record<string, number[]>> {
  const reference = await ortRun(model, feeds);
  const imported = await loadOnnx(model);
  const inputs = Object.fromEntries(Object.entries(feeds).map(([name, feed]) => [name, feedTensor(feed)]));
  try {
    const outputs = imported.run(inputs);
    const result: Record<string, number[]> = {};
    for (const [name, expected] of Object.entries(reference)) {
      const t = outputs[name];
      expect(t, `output ${name}`).toBeDefined();
      expect([...t!.shape], `${name}: shape`).toEqual(expected.shape);
      const values = Array.from(await t!.toArray(), Number);
      expectClose(name, values, expected.values, tolerance);
      result[name] = values;
      t!.free();
    }
    return result;
  } finally {
    for (const t of Object.values(inputs)) t.free();
    imported.free();
  }
}
