// The gather family (gather, indexSelect, embedding) and the shape views (split, expand,
// squeeze, unsqueeze, flatten) through the built package with real device workers. Values
// are checked against plain JS loops over test/support/ndarray.ts (exact: gathers copy values);
// errors in PyTorch's words; an index out of range fails on the device, is reported at the
// next wait and leaves the device usable; timing-only mode times the same program the same.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  embedding, expand, flatten, gather, indexSelect, mtia, split, squeeze, tensor, unsqueeze,
} from 'mtia-sim';

/** A tensor's storage (internal, not in the published declarations): views share it. */
const storageOf = (t: Tensor): unknown => (t as unknown as { storage: unknown }).storage;
import type { DType, Tensor } from 'mtia-sim';
import { Nd } from '../support/ndarray.js';
import { randomValues } from '../support/reference.js';

beforeAll(async () => {
  await mtia.shutdown();
  mtia.configure({ deviceCount: 1, timingOnly: false });
});
afterAll(() => mtia.shutdown());

const values = async (t: Tensor): Promise<number[]> => Array.from(await t.toArray());

/** An index tensor of `dtype` holding `indices`. */
const indexTensor = (indices: number[], dtype: 'int32' | 'int64'): Tensor =>
  dtype === 'int64' ? tensor(BigInt64Array.from(indices.map(BigInt))) : tensor(Int32Array.from(indices));

/** A float32 tensor of `shape` with random exact values, laid out transposed when `transposed` (same logical values). */
function input(shape: number[], seed: number, transposed: boolean): { t: Tensor; nd: Nd } {
  const nd = new Nd(shape, randomValues(shape.reduce((a, b) => a * b, 1), seed).map(Math.fround));
  if (!transposed || shape.length < 2) return { t: tensor(Float32Array.from(nd.data)).view(shape), nd };
  // Store the last two dims swapped, then transpose back: a non-contiguous view of the same values.
  const r = shape.length;
  const order = [...shape.keys()];
  [order[r - 2], order[r - 1]] = [order[r - 1]!, order[r - 2]!];
  const stored = nd.permute(order);
  return { t: tensor(Float32Array.from(stored.data)).view(stored.shape).transpose(r - 2, r - 1), nd };
}

describe('gather, indexSelect, embedding', () => {
  test('gather over random shapes, dims, layouts and index dtypes equals the JS loop', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.boolean(), fc.constantFrom('int32', 'int64'), fc.integer(),
        async (shape, dimSeed, transposed, indexDType, seed) => {
          const dim = dimSeed % shape.length;
          const { t, nd } = input(shape, seed, transposed);
          // The index: sizes ≤ input's off dim, any size along it.
          const indexShape = shape.map((size, k) => (k === dim ? 1 + (Math.abs(seed) % 4) : 1 + (Math.abs(seed >> (k + 2)) % size)));
          const count = indexShape.reduce((a, b) => a * b, 1);
          const indices = randomValues(count, seed + 1, 0, shape[dim]!).map(Math.floor);
          const index = new Nd(indexShape, indices);
          const out = gather(t, dim - shape.length, indexTensor(indices, indexDType as 'int32' | 'int64').view(indexShape));
          const expected = Nd.from(indexShape, (at) => nd.get(at.map((i, k) => (k === dim ? index.get(at) : i))));
          expect(out.shape).toEqual(indexShape);
          expect(await values(out)).toEqual(expected.data);
        },
      ),
      { seed: 19, numRuns: 40 },
    );
  });

  test('indexSelect over random shapes, dims and layouts equals the JS loop; as a Tensor method too', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.boolean(), fc.constantFrom('int32', 'int64'), fc.integer({ min: 0, max: 9 }), fc.integer(),
        async (shape, dimSeed, transposed, indexDType, length, seed) => {
          const dim = dimSeed % shape.length;
          const { t, nd } = input(shape, seed, transposed);
          const indices = randomValues(length, seed + 7, 0, shape[dim]!).map(Math.floor);
          const out = t.indexSelect(dim, indexTensor(indices, indexDType as 'int32' | 'int64'));
          const outShape = shape.map((s, k) => (k === dim ? length : s));
          const expected = Nd.from(outShape, (at) => nd.get(at.map((i, k) => (k === dim ? indices[i]! : i))));
          expect(out.shape).toEqual(outShape);
          expect(await values(out)).toEqual(expected.data);
        },
      ),
      { seed: 19, numRuns: 40 },
    );
  });

  test('embedding of 2-d int64 ids from a float32, bfloat16 and transposed weight equals the rows; paddingIdx is checked', async () => {
    const [rows, dim] = [50, 6];
    const table = randomValues(rows * dim, 3).map(Math.fround);
    const ids = [[3, 49, 0], [7, 7, 12]];
    const expected = ids.flat().flatMap((i) => table.slice(i * dim, (i + 1) * dim));
    const weight = tensor(Float32Array.from(table)).view(rows, dim);
    const out = embedding(tensor(ids.map((r) => r.map(BigInt))), weight, { paddingIdx: 0 });
    expect([out.shape, out.dtype]).toEqual([[2, 3, dim], 'float32']);
    expect(await values(out)).toEqual(expected);
    const bf = embedding(tensor(ids, { dtype: 'int32' }), weight.to('bfloat16'));
    expect([bf.dtype, await values(bf)]).toEqual(['bfloat16', await values(weight.to('bfloat16').to('float32').indexSelect(0, tensor(ids.flat(), { dtype: 'int32' })))]);
    const transposedWeight = tensor(Float32Array.from(new Nd([rows, dim], table).permute([1, 0]).data)).view(dim, rows).transpose(0, 1);
    expect(await values(embedding(tensor(ids, { dtype: 'int64' }), transposedWeight))).toEqual(expected);
    expect(() => embedding(tensor([1n]), weight, { paddingIdx: 50 })).toThrow('Padding_idx must be within num_embeddings');
    expect(() => embedding(tensor([1n]), weight, { paddingIdx: -51 })).toThrow('Padding_idx must be within num_embeddings');
    expect(await values(embedding(tensor([1n]), weight, { paddingIdx: -50 }))).toEqual(table.slice(dim, 2 * dim));
  });

  test('wrapNegative gives ONNX Gather semantics; without it a negative index is out of range', async () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(await values(indexSelect(t, 1, tensor([-1n, 0n, -3n]), { wrapNegative: true }))).toEqual([3, 1, 1, 6, 4, 4]);
    expect(await values(gather(t, 1, tensor([[-1], [-2]], { dtype: 'int32' }), { wrapNegative: true }))).toEqual([3, 5]);
    await expect(indexSelect(t, 1, tensor([-1n])).toArray()).rejects.toThrow('index out of range in self');
    expect(await values(t)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test('an index out of range fails on the device at the next wait; the device stays usable', async () => {
    const weight = tensor([[1, 2], [3, 4]]);
    const bad = embedding(tensor([0n, 2n]), weight);
    await expect(bad.toArray()).rejects.toThrow('index out of range in self');
    await expect(gather(weight, 0, tensor([[0, 5]], { dtype: 'int32' })).toArray()).rejects.toThrow('index out of range in self');
    expect(await values(embedding(tensor([1n, 0n]), weight))).toEqual([3, 4, 1, 2]);
  });

  test("bad arguments throw at the call in PyTorch's words", () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(() => gather(t, 0, tensor([[0.5]]))).toThrow('gather(): Expected dtype int32 or int64 for index, but got Float');
    expect(() => gather(t, 0, tensor([0n]))).toThrow('Index tensor must have the same number of dimensions as input tensor');
    expect(() => gather(t, 0, tensor([[0n, 0n, 0n]]))).toThrow('Size does not match at dimension 1 expected index [1, 3] to be smaller than self [2, 2] apart from dimension 0');
    expect(() => gather(t, 2, tensor([[0n]]))).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
    expect(() => indexSelect(t, 0, tensor([[0n]]))).toThrow('index_select(): Index is supposed to be a vector');
    expect(() => indexSelect(t, 0, tensor([true]))).toThrow('index_select(): Expected dtype int32 or int64 for index, but got Bool');
    expect(() => indexSelect(t, 0, tensor([0n]), { wrapNegatives: true } as never)).toThrow("indexSelect() got an unexpected keyword argument 'wrapNegatives' (did you mean 'wrapNegative'?)");
    expect(() => embedding(tensor([0.0]), t)).toThrow("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got Float instead (while checking arguments for embedding)");
    expect(() => embedding(tensor([0n]), tensor([1, 2]))).toThrow("'weight' must be 2-D");
    expect(() => gather(t, 0, [[0]] as never)).toThrow("gather(): argument 'index' must be a Tensor");
  });
});

describe('split, expand, squeeze, unsqueeze, flatten', () => {
  const base = () => tensor(Float32Array.from({ length: 24 }, (_, i) => i)).view(2, 3, 4);
  const nd = new Nd([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));

  test('split by size and by sections are views of the right slices', async () => {
    const t = base();
    const parts = split(t, 3, -1);
    expect(parts.map((p) => p.shape)).toEqual([[2, 3, 3], [2, 3, 1]]);
    expect(await values(parts[1]!)).toEqual(nd.slice(2, 3, 4, 1).data);
    const sections = t.split([1, 0, 2], 1);
    expect(sections.map((p) => p.shape)).toEqual([[2, 1, 4], [2, 0, 4], [2, 2, 4]]);
    expect(await values(sections[2]!)).toEqual(nd.slice(1, 1, 3, 1).data);
    expect(sections.every((p) => storageOf(p) === storageOf(t))).toBe(true);
    expect(split(tensor([]), 2).map((p) => p.shape)).toEqual([[0]]);
    expect(() => split(t, [1, 1], 1)).toThrow("split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension 1), but got split_sizes=[1, 1]");
    expect(() => split(t, -1)).toThrow('split expects split_size be non-negative, but got split_size=-1');
    expect(() => split(t, 0)).toThrow('split_size can only be 0 if dimension size is 0, but got dimension size of 2');
  });

  test('expand repeats size-1 dims with stride 0, adds leading dims, keeps -1; computes like the materialised broadcast', async () => {
    const column = tensor([[1], [2], [3]]);
    const e = expand(column, [2, -1, 4]);
    expect([e.shape, e.strides]).toEqual([[2, 3, 4], [0, 1, 0]]);
    expect(await values(e.contiguous())).toEqual([0, 1].flatMap(() => [1, 2, 3].flatMap((v) => [v, v, v, v])));
    expect(await values(e.add(base()))).toEqual(nd.data.map((x, i) => x + [1, 2, 3][Math.floor(i / 4) % 3]!));
    expect(column.expand(3, 2).shape).toEqual([3, 2]);
    expect(() => expand(column, [3, 2, -1].slice(2))).toThrow('the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)');
    expect(() => expand(column, [4, 2])).toThrow('The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  Target sizes: [4, 2].  Tensor sizes: [3, 1]');
    expect(() => expand(column, [-1, 3, 1])).toThrow("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension 0");
  });

  test('squeeze, unsqueeze and flatten are views (flatten copies only when strides do not allow)', async () => {
    const t = base().view(2, 1, 3, 1, 4);
    expect(squeeze(t).shape).toEqual([2, 3, 4]);
    expect(squeeze(t, 1).shape).toEqual([2, 3, 1, 4]);
    expect(t.squeeze([1, -2, 0]).shape).toEqual([2, 3, 4]);
    expect(squeeze(tensor(5)).shape).toEqual([]);
    expect(() => squeeze(t, 5)).toThrow('Dimension out of range (expected to be in range of [-5, 4], but got 5)');
    const u = unsqueeze(base(), -1);
    expect([u.shape, u.strides]).toEqual([[2, 3, 4, 1], [12, 4, 1, 1]]);
    expect(unsqueeze(base(), 1).shape).toEqual([2, 1, 3, 4]);
    expect(unsqueeze(tensor(5), 0).shape).toEqual([1]);
    expect(() => unsqueeze(base(), 4)).toThrow('Dimension out of range (expected to be in range of [-4, 3], but got 4)');
    const f = flatten(base(), 1);
    expect([f.shape, storageOf(f) === storageOf(base())]).toEqual([[2, 12], false]);
    expect(await values(f)).toEqual(nd.data);
    const permuted = base().permute(2, 0, 1);
    const copy = permuted.flatten();
    expect(copy.shape).toEqual([24]);
    expect(await values(copy)).toEqual(nd.permute([2, 0, 1]).data);
    expect(flatten(tensor(3)).shape).toEqual([1]);
    expect(() => flatten(base(), 2, 1)).toThrow('flatten() has invalid args: start_dim cannot come after end_dim');
  });

  test('views of int64 tensors keep their values', async () => {
    const ids = tensor([[1n, 2n, 3n]]);
    expect(Array.from(await squeeze(ids).expand(2, 3).contiguous().toArray<BigInt64Array>())).toEqual([1n, 2n, 3n, 1n, 2n, 3n]);
  });
});

describe('timing-only mode', () => {
  test('a lookup program reports the same simulated time as in compute mode, above zero', async () => {
    const program = async (dtype: DType): Promise<number> => {
      const start = new mtia.Event({ enableTiming: true });
      const end = new mtia.Event({ enableTiming: true });
      const table = tensor(Float32Array.from({ length: 4096 * 64 }, (_, i) => i % 97)).view(4096, 64).to(dtype);
      const ids = tensor(BigInt64Array.from({ length: 512 }, (_, i) => BigInt((i * 37) % 4096))).view(8, 64);
      start.record();
      const rows = embedding(ids, table);
      const picked = indexSelect(table, 1, tensor([5, 1, 0], { dtype: 'int32' }));
      const gathered = gather(table, 0, tensor(Int32Array.from({ length: 64 }, (_, i) => (i * 13) % 4096)).view(1, 64));
      end.record();
      await mtia.synchronize();
      for (const t of [table, ids, rows, picked, gathered]) t.free();
      return start.elapsedTime(end);
    };
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: false });
    const compute = await program('bfloat16');
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true });
    try {
      const timed = await program('bfloat16');
      expect(compute).toBeGreaterThan(0);
      expect(timed).toBe(compute);
    } finally {
      await mtia.shutdown();
      mtia.configure({ deviceCount: 1, timingOnly: false });
    }
  });
});
