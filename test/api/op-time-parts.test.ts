// OpStats.timeParts through the built package, with real device workers: every op's time split
// along its critical path by what it waited on (assembly/timing/pipeline.ts, schedule.ts). The
// parts must add up to the op's time and the bound must name the largest part, for every kind
// of op (GEMMs small and large, streaming ops, a conv, an attention, a gather, host copies both
// ways, and ops on two streams that wait for each other's DRAM), on
// MTIA 2i and on the systolic teaching profile. The playground's "Why it took its time" draws
// these parts (examples/playground/op-explanation.ts).

import { afterAll, describe, expect, test } from 'vitest';
import {
  add, conv2d, embedding, empty, gather, layerNorm, matmul, mtia, randint, randn, scaledDotProductAttention, softmax,
  sum, tensor, type Tensor,
} from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** The parts of `op.timeParts` that are cycles, by the bound each stands for ('wait' is its waitedFor). */
const PARTS = ['launch', 'issue', 'compute', 'fabric', 'sram', 'dram', 'pcie', 'wait'] as const;

/** Checks that `op`'s parts are ≥ 0, add up to its time within 1e-9 of it, and that its bound is the largest. */
function expectPartsAddUp(op: mtia.OpStats): void {
  const parts = op.timeParts;
  const where = `${op.name} ${JSON.stringify(op.shapes)} (${op.bound})`;
  for (const name of PARTS) expect(parts[name], `${where}: ${name}`).toBeGreaterThanOrEqual(0);
  const sum = PARTS.reduce((s, name) => s + parts[name], 0);
  expect(Math.abs(sum - op.cycles.total), `${where}: Σ parts ${sum} vs total ${op.cycles.total}`).toBeLessThanOrEqual(op.cycles.total * 1e-9);
  const largest = Math.max(...PARTS.map((name) => parts[name]));
  if (op.bound === 'none') {
    // A queue operation: its whole time is waiting (for an event, or nothing).
    expect(parts.wait, where).toBe(op.cycles.total);
    return;
  }
  const boundPart = parts.waitedFor === op.bound ? Math.max(parts.wait, parts[op.bound]) : parts[op.bound];
  expect(boundPart, `${where}: the bound's part is the largest`).toBe(largest);
  expect(largest).toBeGreaterThan(0);
}

/** Profiles `work` on a fresh configuration; returns the ops it ran. */
async function profiled(options: mtia.ConfigureOptions, work: () => Promise<void> | void): Promise<mtia.OpStats[]> {
  await mtia.shutdown();
  mtia.configure(options);
  mtia.profiler.start();
  await work();
  await mtia.profiler.stop();
  return [...mtia.profiler.opStats()];
}

/** Many kinds of op at small sizes (values computed): each runs once cold, the same again warm. */
async function smallOps(): Promise<void> {
  const x = randn([64, 256]);
  const w = randn([256, 96]);
  const image = randn([1, 16, 28, 28]);
  const kernel = randn([32, 16, 3, 3]);
  const q = randn([2, 4, 64, 32]);
  const table = randn([1000, 64]);
  const ids = randint(0, 1000, [128], { dtype: 'int32' });
  const columns = randint(0, 256, [64, 8], { dtype: 'int32' });
  for (let round = 0; round < 2; round++) {
    matmul(x, w).free();
    softmax(x, -1).free();
    add(x, x).free();
    sum(x, 1).free();
    layerNorm(x, [256]).free();
    conv2d(image, kernel, null, { padding: 1 }).free();
    scaledDotProductAttention(q, q, q, { isCausal: true }).free();
    embedding(ids, table).free();
    gather(x, 1, columns).free();
  }
  await tensor([1, 2, 3]).toArray(); // a copy each way
}

/** Large ops (timing-only): a compute-bound GEMM, and two cold 512 MiB adds on two streams sharing the DRAM. */
async function largeOps(): Promise<void> {
  const a = randn([2048, 2048], { dtype: 'bfloat16' });
  matmul(a, a).free();
  const big: Tensor[] = [0, 1, 2, 3].map(() => empty([128 * 2 ** 20]));
  const streams = [new mtia.Stream(), new mtia.Stream()];
  const start = new mtia.Event();
  start.record();
  streams.forEach((s, i) => {
    s.waitEvent(start);
    mtia.withStream(s, () => add(big[2 * i]!, big[2 * i + 1]!).free());
  });
  await mtia.synchronize();
}

const SYSTOLIC = { name: 'systolic-32x32', base: 'mtia-v2', systolic: { rows: 32, cols: 32, dataflow: 'os' } } as const;

describe('OpStats.timeParts', () => {
  test.each([
    ['MTIA 2i', { deviceCount: 1 }],
    ['the systolic profile', { deviceCount: 1, profile: SYSTOLIC }],
  ] as const)('on %s: every op\'s parts add up to its time and its bound is the largest part', async (_, options) => {
    const ops = [
      ...(await profiled({ ...options, timingOnly: false }, smallOps)),
      ...(await profiled({ ...options, timingOnly: true }, largeOps)),
    ];
    const names = new Set(ops.map((op) => op.name));
    const kinds = ['randn', 'randint', 'matmul', 'softmax', 'add', 'sum', 'layerNorm', 'conv2d', 'scaledDotProductAttention', 'embedding', 'gather', 'copy_h2d', 'copy_d2h'];
    for (const name of kinds) expect(names).toContain(name);
    for (const op of ops) expectPartsAddUp(op);
    // The two adds shared the DRAM: the later one waited for it past its own pipeline.
    const adds = ops.filter((op) => op.name === 'add' && op.shapes[0]![0] === 128 * 2 ** 20);
    expect(adds).toHaveLength(2);
    expect(adds.map((op) => op.bound)).toEqual(['dram', 'dram']);
    expect(adds[1]!.timeParts).toMatchObject({ waitedFor: 'dram' });
    expect(adds[1]!.timeParts.wait).toBeGreaterThan(0.9 * adds[0]!.timeParts.dram);
    // The large GEMM's time is mostly its compute engine's (on MTIA 2i: 2048³ bf16 at 95 % of peak).
    const gemm = ops.find((op) => op.name === 'matmul' && op.shapes[0]![0] === 2048)!;
    expect(gemm.bound).toBe('compute');
    expect(gemm.timeParts.compute / gemm.cycles.total).toBeGreaterThan(0.8);
  });
});
