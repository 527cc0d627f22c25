// The caching allocator inside an in-realm device: tensors, staging buffers and frees in
// stream order, recordStream with real stream queues, and the torch.mtia memory functions.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { StreamQueue } from '../../src/runtime/stream-queue.js';
import { tensor, zeros } from '../../src/tensor/factories.js';
import { add } from '../../src/tensor/ops.js';
import { runInRealm } from '../support/in-realm.js';
import { replayProblems, segmentProblems } from '../support/snapshot-invariants.js';

runInRealm(runtime);
beforeAll(async () => {
  mtia.configure({ deviceCount: 2, memoryBytes: 16 << 20 });
  await mtia.init();
  mtia.recordMemoryHistory({ enabled: 'all' });
});
afterAll(() => mtia.shutdown());

const stat = (key: keyof mtia.MemoryStats, device = 0) => mtia.memoryStats(device)[key] as number;

describe('tensors over the caching allocator', () => {
  test('a freed tensor\'s block is reused by the next tensor of its stream at once', async () => {
    const a = zeros([256]);
    const address = a.storage.address;
    a.free();
    const b = zeros([256]);
    expect(b.storage.address).toBe(address);
    expect(Array.from(await b.toArray())).toEqual(new Array(256).fill(0));
    b.free();
  });

  test('uploads: the host writes only into blocks no queued command can still touch', async () => {
    const device = runtime.device(0);
    const first = zeros([100]); // a fill queued on the default stream, not run yet in this realm
    const address = first.storage.address;
    first.free(); // its own stream could reuse the block at once...
    expect(device.defaultQueue.isComplete(device.defaultQueue.enqueued)).toBe(false);
    const second = tensor(new Float32Array(100).fill(2)); // ...but the host writes this one now
    expect(second.storage.address).not.toBe(address);
    expect(Array.from(await second.toArray())).toEqual(new Array(100).fill(2));
    second.free();
  });

  test('recordStream: a block used on another stream is not reused until that stream has passed the free', async () => {
    const device = runtime.device(0);
    const side = new StreamQueue(device.ring, device.views, 7);
    const t = zeros([1024], { dtype: 'int32' });
    const address = t.storage.address;
    device.recordStream(address, side);
    const seq = side.enqueue(L.OP_FILL, L.DTYPE_INT32, address, 0, 0, 1024, 0, 7); // the side stream writes it
    t.free();
    expect(device.allocator.blockAt(address)?.state).toBe('active_pending_free');
    expect([stat('active.all.current') - stat('allocation.all.current'), stat('active_bytes.all.current') - stat('allocated_bytes.all.current')]).toEqual([1, 4096]);
    const other = zeros([1024], { dtype: 'int32' });
    expect(other.storage.address).not.toBe(address);
    const segment = mtia.snapshot().segments.find((s) => s.blocks.some((b) => b.address === address))!;
    expect(segment.blocks.find((b) => b.address === address)!.state).toBe('active_pending_free');
    await device.wait(side, seq, 'the side stream');
    const reused = zeros([1024], { dtype: 'int32' }); // this allocation completes the pending free first
    expect(Array.from(await reused.toArray())).toEqual(new Array(1024).fill(0));
    const covering = [...device.allocator.cachedBlocks(), device.allocator.blockAt(reused.storage.address)!]
      .find((block) => block.address <= address && address < block.address + block.size)!;
    expect(covering.state === 'inactive' || covering.address === reused.storage.address).toBe(true);
    const trace = mtia.snapshot().device_traces[0]!.filter((entry) => entry.addr === address).map((entry) => entry.action);
    expect(trace.slice(trace.lastIndexOf('free_requested'))).toEqual(
      reused.storage.address === address ? ['free_requested', 'free_completed', 'alloc'] : ['free_requested', 'free_completed'],
    );
    other.free();
    reused.free();
  });

  test('stats, snapshot and trace agree after a workload; frames point at this file', async () => {
    {
      using a = tensor(new Float32Array(300_000).fill(1)); // 1.2 MB: the large pool
      using b = zeros([300_000]);
      using c = add(a, b);
      expect((await c.toArray())[0]).toBe(1);
      expect(stat('allocated_bytes.large_pool.current')).toBeGreaterThanOrEqual(3 * 1_200_128);
    }
    const snap = mtia.snapshot();
    expect(segmentProblems(snap)).toEqual([]);
    expect(replayProblems(snap, 0)).toEqual([]);
    expect(replayProblems(snap, 1)).toEqual([]);
    const allocated = snap.segments.filter((s) => s.device === 0).reduce((n, s) => n + s.allocated_size, 0);
    expect(allocated).toBe(mtia.memoryAllocated(0));
    const reserved = snap.segments.filter((s) => s.device === 0).reduce((n, s) => n + s.total_size, 0);
    expect(reserved).toBe(mtia.memoryReserved(0));
    const alloc = snap.device_traces[0]!.findLast((entry) => entry.action === 'alloc' && entry.size === 1_200_000)!;
    expect(alloc.frames[0]!.filename).toMatch(/test\/runtime\/memory\.test\.ts$/);
    expect(alloc.frames[0]!.line).toBeGreaterThan(0);
    expect(snap.device_traces[0]!.every((entry) => entry.frames.every((f) => !f.filename.includes('/src/')))).toBe(true);
  });
});
