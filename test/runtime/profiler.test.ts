// mtia.profiler on in-realm devices: one OpStats per op, joined to the right op record, in issue
// order across devices and streams; no record lost when the ring wraps; stop() waits for the
// ops without changing what the program sees. Timing-model figures are checked only through
// identities that hold by construction (the model itself is tested in test/core/).

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import type { OpStats } from '../../src/mtia/index.js';
import { RING_COMMANDS } from '../../src/runtime/layout.js';
import { runtime } from '../../src/runtime/runtime.js';
import { randn, tensor, zeros } from '../../src/tensor/factories.js';
import { matmul } from '../../src/tensor/linalg.js';
import { embeddingBag } from '../../src/tensor/nn.js';
import { add, mul } from '../../src/tensor/ops.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 2, memoryBytes: 64 << 20 }));
afterAll(() => mtia.shutdown());

/** Runs `body` between start() and stop(); returns the stats. */
async function profile(body: () => unknown): Promise<OpStats[]> {
  mtia.profiler.start();
  try {
    await body();
  } finally {
    await mtia.profiler.stop();
  }
  return mtia.profiler.opStats();
}

/** Checks the identities every record satisfies by construction. */
function expectConsistent(op: OpStats): void {
  const clockHz = mtia.getDeviceProperties(op.device).clockHz;
  const { total, launch, compute, stall } = op.cycles;
  expect(total).toBeGreaterThan(0);
  expect(Math.abs(launch + compute + stall - total)).toBeLessThanOrEqual(total * 1e-12);
  expect(Math.abs(((op.endNs - op.startNs) * clockHz) / 1e9 - total)).toBeLessThanOrEqual(total * 1e-9);
  expect(op.startNs).toBeGreaterThanOrEqual(0);
}

describe('mtia.profiler', () => {
  test('opStats() is [] before the first start(); stop() without start() throws', async () => {
    expect(mtia.profiler.opStats()).toEqual([]);
    expect(mtia.profiler.running).toBe(false);
    await expect(mtia.profiler.stop()).rejects.toThrow('mtia.profiler.stop() was called while the profiler is not running');
  });

  test('start() while running throws and leaves the run going', async () => {
    mtia.profiler.start();
    expect(() => mtia.profiler.start()).toThrow(
      'mtia.profiler.start() was called while the profiler is already running; call mtia.profiler.stop() first',
    );
    expect(mtia.profiler.running).toBe(true);
    zeros([4]);
    await mtia.profiler.stop();
    expect(mtia.profiler.running).toBe(false);
    expect(mtia.profiler.opStats().map((op) => op.name)).toEqual(['fill']);
  });

  test('a matmul: its name, shapes, dtype, the DPE and its GEMM tile', async () => {
    const a = randn([96, 256]);
    const b = randn([256, 64]);
    const [op, ...rest] = await profile(() => matmul(a, b));
    expect(rest).toEqual([]);
    expect(op).toMatchObject({ name: 'matmul', device: 0, stream: 0, shapes: [[96, 256], [256, 64], [96, 64]], dtype: 'float32', engine: 'dpe' });
    expect(op!.tile!.m).toBeGreaterThan(0);
    expect(op!.tile!.n).toBeGreaterThan(0);
    expect(op!.tile!.k).toBeGreaterThan(0);
    expect(op!.tile!.kSplit).toBeGreaterThanOrEqual(1);
    expect(op!.cycles.dpe).toBeGreaterThan(0);
    expect(op!.pes).toBeGreaterThan(0);
    expect(op!.steps).toBeGreaterThanOrEqual(1);
    expect(op!.utilisation).toBeGreaterThan(0);
    expect(op!.utilisation).toBeLessThanOrEqual(1);
    expect(['launch', 'issue', 'compute', 'fabric', 'sram', 'dram']).toContain(op!.bound);
    expectConsistent(op!);
  });

  test('uploads and read-backs are PCIe copies of their byte counts; fills and adds are named', async () => {
    const ops = await profile(async () => {
      const t = tensor(new Float32Array(1000).fill(2));
      const z = zeros([1000]);
      const sum = add(t, z);
      expect(Array.from(await sum.toArray()).slice(0, 2)).toEqual([2, 2]);
    });
    expect(ops.map((op) => op.name)).toEqual(['copy_h2d', 'fill', 'add', 'copy_d2h']);
    const [up, fill, sum, down] = ops;
    expect(up).toMatchObject({ shapes: [[4000]], dtype: 'uint8', engine: 'pcie', bound: expect.any(String), tile: undefined });
    expect(up!.bytes.pcie).toBe(4000);
    expect(down).toMatchObject({ shapes: [[4000]], dtype: 'uint8', engine: 'pcie' });
    expect(down!.bytes.pcie).toBe(4000);
    expect(fill).toMatchObject({ shapes: [[1000]], dtype: 'float32', device: 0, stream: 0 });
    expect(sum).toMatchObject({ shapes: [[1000], [1000], [1000]], dtype: 'float32', tile: undefined });
    for (const op of ops) expectConsistent(op);
    // In one stream each op is ready when the one before it has ended.
    for (let i = 1; i < ops.length; i++) expect(ops[i]!.startNs).toBeCloseTo(ops[i - 1]!.endNs, 6);
  });

  test('a large elementwise add runs on the SE and is bound by memory', async () => {
    const a = randn([1 << 20]);
    const b = randn([1 << 20]);
    await mtia.synchronize();
    const [op] = await profile(() => mul(a, b));
    expect(op).toMatchObject({ name: 'mul', engine: 'se' });
    expect(['sram', 'dram']).toContain(op!.bound);
    expect(op!.bytes.sram + op!.bytes.dram).toBeGreaterThan(0);
    expectConsistent(op!);
  });

  test('records come in issue order across streams and devices, each with its stream and device', async () => {
    const s = new mtia.Stream();
    const t1 = new mtia.Stream({ device: 1 });
    const a0 = zeros([8]);
    const a1 = zeros([8], { device: 1 });
    await mtia.synchronize(0);
    await mtia.synchronize(1);
    const expected: [string, number, number][] = [];
    const ops = await profile(() => {
      for (let i = 0; i < 3; i++) {
        add(a0, a0);
        expected.push(['add', 0, 0]);
        mtia.withStream(s, () => mul(a0, a0));
        expected.push(['mul', 0, s.streamId]);
        mtia.withStream(t1, () => add(a1, 1));
        expected.push(['add', 1, t1.streamId]);
        s.recordEvent(); // a queue operation, not an op
      }
    });
    expect(ops.map((op) => [op.name, op.device, op.stream])).toEqual(expected);
    for (const op of ops) expectConsistent(op);
  });

  test(`more than RING_COMMANDS (${RING_COMMANDS}) ops between start() and stop() are all reported`, async () => {
    const a = tensor([1]);
    const b = tensor([2]);
    await mtia.synchronize();
    const count = RING_COMMANDS / 2 + RING_COMMANDS + 3000;
    const ops = await profile(async () => {
      for (let i = 0; i < count; i++) {
        add(a, b).free();
        // The device drains the ring here; the next RING_COMMANDS ops reuse the slots of ops
        // noted before (read as each is pushed), the last 3000 wait in the host's backlog (read
        // as stop() moves them into the ring).
        if (i === RING_COMMANDS / 2) await mtia.synchronize();
      }
    });
    expect(ops.length).toBe(count);
    expect(ops.every((op) => op.name === 'add' && op.device === 0 && op.stream === 0)).toBe(true);
    // Each op's record is its own: in one stream, each op is ready when the one before it
    // ended, except once, after the synchronize (which may move the stream's clock on).
    let unchained = 0;
    for (let i = 1; i < count; i++) {
      expect(ops[i]!.startNs).toBeGreaterThanOrEqual(ops[i - 1]!.endNs - 1e-6);
      if (Math.abs(ops[i]!.startNs - ops[i - 1]!.endNs) > 1e-6) unchained++;
    }
    expect(unchained).toBeLessThanOrEqual(1);
    expectConsistent(ops[0]!);
    expectConsistent(ops[count - 1]!);
  });

  test('while running, opStats() has the ops the device has run; nothing is collected after stop()', async () => {
    const a = tensor([1, 2]);
    mtia.profiler.start();
    add(a, a);
    await mtia.synchronize();
    expect(mtia.profiler.opStats().map((op) => op.name)).toEqual(['add']);
    mul(a, a);
    const stopped = mtia.profiler.stop();
    add(a, a); // after stop() was called
    await stopped;
    mul(a, a);
    await mtia.synchronize();
    expect(mtia.profiler.opStats().map((op) => op.name)).toEqual(['add', 'mul']);
  });

  test('an op that fails on the device still has its record, and its fault is left for the program', async () => {
    const weight = randn([4, 3]);
    const indices = tensor(new Int32Array([0, 99]));
    const offsets = tensor(new Int32Array([0]));
    await mtia.synchronize();
    let out!: ReturnType<typeof embeddingBag>;
    const ops = await profile(() => (out = embeddingBag(indices, weight, offsets)));
    expect(ops.map((op) => op.name)).toEqual(['embeddingBag']);
    expect(ops[0]!.cycles.launch).toBeGreaterThanOrEqual(0);
    expect(ops[0]!.cycles.total).toBeGreaterThan(0);
    await expect(out.toArray()).rejects.toThrow('index out of range in self');
  });

  test('start() drops the stats of the previous run', async () => {
    await profile(() => zeros([2]));
    expect(mtia.profiler.opStats().length).toBe(1);
    mtia.profiler.start();
    expect(mtia.profiler.opStats()).toEqual([]);
    await mtia.profiler.stop();
  });
});
