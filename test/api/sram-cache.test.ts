// The dead-data hint with real device workers, in timing-only mode (issue 20, finding 9): when
// the caching allocator frees a block of the large pool, the runtime enqueues an OP_DISCARD on
// the block's stream and the SRAM drops its bytes without writing them back
// (src/runtime/simulated-device.ts discardDeadData, assembly/timing/sram-cache.ts). Figures are
// the DRAM bytes of the op whose scan evicts the block, against hand arithmetic.

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { empty, full, mtia, sum } from 'mtia-sim';
import type { Tensor } from 'mtia-sim';

const MiB = 2 ** 20;

beforeAll(async () => {
  await mtia.shutdown();
  mtia.configure({ deviceCount: 1, timingOnly: true });
});
afterAll(() => mtia.shutdown());

/**
 * Tensors read or written by the tests, freed only at the end of each test: a fresh tensor then
 * never reuses the address of one the SRAM may still hold, so it is cold.
 */
const held: Tensor[] = [];
afterEach(() => {
  for (const t of held.splice(0)) t.free();
});
const hold = <T extends Tensor>(t: T): T => {
  held.push(t);
  return t;
};

/** The DRAM bytes of a sum of a cold 300 MB tensor, whose scan evicts everything resident before it. */
async function evictingScanDramBytes(): Promise<number> {
  const cold = hold(empty([75e6]));
  mtia.profiler.start();
  hold(sum(cold));
  await mtia.synchronize();
  await mtia.profiler.stop();
  const op = mtia.profiler.opStats().at(-1)!;
  expect(op.name).toBe('sum');
  return op.bytes.dram;
}

/**
 * Leaves `bytes` dirty in an SRAM otherwise full of clean bytes (a 512 MiB read of a tensor never
 * written, then a fill); frees the filled tensor when `free`.
 */
async function dirtyBlock(bytes: number, free: boolean): Promise<void> {
  hold(sum(hold(empty([128 * MiB]))));
  const t = full([bytes / 4], 1);
  await mtia.synchronize();
  if (free) t.free();
  else hold(t);
}

describe('freed blocks are dropped from the SRAM without write-back', () => {
  test('a freed 64 MiB result costs no write-back; a live one is written back when evicted', async () => {
    await dirtyBlock(64 * MiB, true);
    const freed = await evictingScanDramBytes();
    await dirtyBlock(64 * MiB, false);
    const live = await evictingScanDramBytes();
    // 300 MB in; the sum's own 4-byte output (a small block, written back when its scan evicts it).
    expect(freed).toBe(300e6 + 4);
    expect(live).toBe(300e6 + 4 + 64 * MiB);
  });

  test('blocks of the small pool (≤ 1 MiB) get no hint: reused at once, their lines are overwritten anyway', async () => {
    await dirtyBlock(MiB / 2, true);
    // 300 MB in and the freed half MiB written back; the sum's 4-byte output reused the freed
    // block's first bytes (its write overwrote them: nothing owed for them twice).
    expect(await evictingScanDramBytes()).toBe(300e6 + MiB / 2);
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
