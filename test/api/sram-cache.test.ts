// The dead-data hint with real device workers, in timing-only mode (issue 20, finding 9): when
// the caching allocator frees a block of the large pool, the runtime enqueues an OP_DISCARD on
// the block's stream and the SRAM drops its bytes without writing them back
// (src/runtime/simulated-device.ts discardDeadData, assembly/timing/sram-cache.ts). Figures are
// the DRAM bytes of the op whose scan evicts the block, against hand arithmetic.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { empty, full, mtia, sum } from 'mtia-sim';
import type { Tensor } from 'mtia-sim';

const MiB = 2 ** 20;

beforeAll(async () => {
  await mtia.shutdown();
  mtia.configure({ deviceCount: 1, timingOnly: true });
});
afterAll(() => mtia.shutdown());

/** Leaves the SRAM full of clean bytes: a 512 MiB read of a tensor never written. */
const scratch = () => empty([128 * MiB]);

/** The DRAM bytes of a cold 300 MB sum, which evicts everything resident before it. */
async function evictingScanDramBytes(): Promise<number> {
  const cold = empty([75e6]);
  mtia.profiler.start();
  const total = sum(cold);
  await mtia.synchronize();
  await mtia.profiler.stop();
  const op = mtia.profiler.opStats().at(-1)!;
  expect(op.name).toBe('sum');
  for (const t of [cold, total]) t.free();
  return op.bytes.dram;
}

/** Writes `bytes` (dirty in SRAM) after a clean flush; frees the tensor when `free`. */
async function dirtyBlock(bytes: number, free: boolean): Promise<Tensor | undefined> {
  const flush = scratch();
  sum(flush).free();
  flush.free();
  const t = full([bytes / 4], 1);
  await mtia.synchronize();
  if (!free) return t;
  t.free();
  return undefined;
}

describe('freed blocks are dropped from the SRAM without write-back', () => {
  test('a freed 64 MiB result costs no write-back; a live one is written back when evicted', async () => {
    await dirtyBlock(64 * MiB, true);
    const freed = await evictingScanDramBytes();
    const kept = await dirtyBlock(64 * MiB, false);
    const live = await evictingScanDramBytes();
    kept!.free();
    // 300 MB in; the sum's own 4-byte output (a small block, written back when its scan evicts it).
    expect(freed).toBe(300e6 + 4);
    expect(live).toBe(300e6 + 4 + 64 * MiB);
  });

  test('blocks of the small pool (≤ 1 MiB) get no hint: reused at once, their lines are overwritten anyway', async () => {
    await dirtyBlock(MiB / 2, true);
    expect(await evictingScanDramBytes()).toBe(300e6 + 4 + MiB / 2);
  });

  test('the hint takes no simulated time, and frees inside a graph capture enqueue none', async () => {
    const big = full([16 * MiB], 1);
    const timed = () => new mtia.Event({ enableTiming: true });
    const [e0, e1] = [timed(), timed()];
    e0.record();
    big.free();
    e1.record();
    await e1.synchronize();
    expect(e0.elapsedTime(e1)).toBe(0);

    const x = empty([4 * MiB]);
    const g = new mtia.MTIAGraph();
    const out = mtia.graph(g, {}, () => {
      const temporary = full([4 * MiB], 2);
      const y = sum(temporary);
      temporary.free(); // back to the graph's private pool, no OP_DISCARD recorded
      return y;
    });
    expect(g.commandCount).toBe(2);
    g.replay();
    g.replay();
    await mtia.synchronize();
    g.reset();
    for (const t of [x, out]) t.free();
  });
});

describe('profile.discardFreedBlocks', () => {
  test('false: a freed block is written back like a live one; not a boolean: a TypeError at configure', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true, profile: { name: 'no-hints', base: 'mtia-v2', discardFreedBlocks: false } });
    await dirtyBlock(64 * MiB, true);
    expect(await evictingScanDramBytes()).toBe(300e6 + 4 + 64 * MiB);
    await mtia.shutdown();
    expect(() => mtia.configure({ profile: { name: 'x', discardFreedBlocks: 1 as never } })).toThrow(
      new TypeError('configure(): profile.discardFreedBlocks must be a boolean, but got: 1'),
    );
  });
});
