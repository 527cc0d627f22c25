// The caching allocator alone, over a DeviceHeap, with streams whose progress the test
// controls: pools and rounding, best fit and splitting, stream-ordered reuse, recordStream,
// emptyCache, the retry and out-of-memory path, PyTorch's stats, history and snapshots, and
// random sequences that must keep every invariant.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { OutOfMemoryError } from '../../src/errors.js';
import type { AllocatorStream } from '../../src/memory/blocks.js';
import { CachingAllocator } from '../../src/memory/caching-allocator.js';
import type { MemoryStats } from '../../src/memory/memory-stats.js';
import { buildSnapshot } from '../../src/memory/snapshot.js';
import { DeviceHeap } from '../../src/runtime/heap.js';
import { replayProblems, segmentProblems } from '../support/snapshot-invariants.js';

const BASE = 1 << 16;
const KiB = 1024;
const MiB = 1024 * 1024;

/** A stream whose completed work the test advances by hand. */
class TestStream implements AllocatorStream {
  enqueued = 0;
  done = 0;
  constructor(readonly slot: number) {}
  isComplete(seq: number): boolean {
    return seq <= this.done;
  }
  /** Enqueues one command. */
  work(): this {
    this.enqueued++;
    return this;
  }
  /** Completes everything enqueued. */
  finish(): this {
    this.done = this.enqueued;
    return this;
  }
}

function setup(capacity = 64 * MiB, observers: ((...args: number[]) => void)[] = []) {
  const heap = new DeviceHeap(BASE, capacity);
  const allocator = new CachingAllocator(0, heap, observers);
  const stats = (): MemoryStats => allocator.stats.toDict(capacity);
  return { heap, allocator, stats, s0: new TestStream(0), s1: new TestStream(1), s2: new TestStream(2) };
}

describe('pools, rounding and splitting', () => {
  test('a small request: 512-byte rounding, a 2 MiB small segment, the rest cached as an inactive split', () => {
    const { allocator, stats, s0, heap } = setup();
    const a = allocator.malloc(1, s0);
    expect(a).toBe(BASE);
    const s = stats();
    expect([s['allocation.all.current'], s['allocated_bytes.all.current'], s['requested_bytes.all.current']]).toEqual([1, 512, 1]);
    expect([s['segment.small_pool.current'], s['reserved_bytes.small_pool.current'], s['segment.large_pool.current']]).toEqual([1, 2 * MiB, 0]);
    expect([s['inactive_split.all.current'], s['inactive_split_bytes.all.current']]).toEqual([1, 2 * MiB - 512]);
    expect([s.num_device_alloc, heap.allocatedBytes]).toEqual([1, 2 * MiB]);
    expect(allocator.malloc(0, s0)).toBe(BASE + 512); // 0 bytes still take a granule
    expect(allocator.malloc(513, s0)).toBe(BASE + 1024);
    expect(stats()['allocated_bytes.small_pool.current']).toBe(512 + 512 + 1024);
  });

  test('large requests: 20 MiB segments below 10 MiB, else rounded to 2 MiB; a rest of 1 MiB or less is not split off', () => {
    const { allocator, stats, s0 } = setup();
    const a = allocator.malloc(1.5 * MiB, s0);
    let st = stats();
    expect([st['reserved_bytes.large_pool.current'], st['allocated_bytes.large_pool.current']]).toEqual([20 * MiB, 1.5 * MiB]);
    expect(st['inactive_split_bytes.large_pool.current']).toBe(18.5 * MiB);
    expect(allocator.malloc(11 * MiB, s0)).toBe(a + 1.5 * MiB); // best fit: the cached rest
    const b = allocator.malloc(19 * MiB, s0); // does not fit the 7.5 MiB rest: a segment of its own
    st = stats();
    expect(st['reserved_bytes.large_pool.current']).toBe(40 * MiB);
    expect(allocator.blockAt(b)!.size).toBe(20 * MiB); // the 1 MiB rest stays in the block
    expect(st['allocated_bytes.large_pool.current']).toBe(32.5 * MiB);
    expect(st['requested_bytes.large_pool.current']).toBe(31.5 * MiB);
    expect(st['segment.large_pool.current']).toBe(2);
  });

  test('best fit: the smallest cached block that fits, at its start', () => {
    const { allocator, s0 } = setup();
    const blocks = [4, 1, 2, 1, 8, 1].map((k) => allocator.malloc(k * KiB, s0));
    for (const index of [0, 2, 4]) allocator.free(blocks[index]!); // holes of 4, 2 and 8 KiB
    expect(allocator.malloc(2 * KiB, s0)).toBe(blocks[2]);
    expect(allocator.malloc(3 * KiB, s0)).toBe(blocks[0]);
    expect(allocator.malloc(1 * KiB, s0)).toBe(blocks[0]! + 3 * KiB); // the rest of the 4 KiB hole
    expect(allocator.malloc(5 * KiB, s0)).toBe(blocks[4]);
  });

  test('freeing merges free neighbours back into one block', () => {
    const { allocator, stats, s0 } = setup();
    const [a, b, c] = [1, 2, 3].map((k) => allocator.malloc(k * KiB, s0));
    allocator.free(a!);
    allocator.free(c!);
    expect(stats()['inactive_split.all.current']).toBe(2); // [a free][b][c + rest free]
    allocator.free(b!);
    const st = stats();
    expect([st['inactive_split.all.current'], st['inactive_split_bytes.all.current']]).toEqual([0, 0]);
    expect(allocator.cachedBlocks().map((block) => block.size)).toEqual([2 * MiB]);
    expect([st['active.all.current'], st['allocation.all.allocated'], st['allocation.all.freed']]).toEqual([0, 3, 3]);
  });
});

describe('stream-ordered reuse', () => {
  test('a freed block is reused at once by its stream, by others only after its stream passed the free', () => {
    const { allocator, s0, s1 } = setup();
    const a = allocator.malloc(4 * KiB, s0);
    allocator.malloc(4 * KiB, s0); // keeps `a` from merging with the rest of the segment
    s0.work();
    allocator.free(a);
    expect(allocator.malloc(4 * KiB, s1)).not.toBe(a);
    const again = allocator.malloc(4 * KiB, s0);
    expect(again).toBe(a);
    s0.work();
    allocator.free(again);
    s0.finish();
    expect(allocator.malloc(4 * KiB, s1)).toBe(a);
  });

  test("a block merged with another stream's clean neighbour stays protected until its own stream passes it", () => {
    const { allocator, s0, s1, s2 } = setup();
    allocator.malloc(KiB, s1); // s1 reserves the segment: the cached rest is tagged s1, and clean
    const a = allocator.malloc(KiB, s0); // s0 takes the next KiB of that rest
    s0.work();
    allocator.free(a); // merges with the rest, which must now wait for s0
    expect(allocator.malloc(KiB, s2)).not.toBe(a);
    s0.finish();
    expect(allocator.malloc(KiB, s2)).toBe(a);
  });

  test('staging for a host write takes only blocks no stream can still touch', () => {
    const { allocator, s0 } = setup();
    const a = allocator.malloc(KiB, s0);
    allocator.malloc(KiB, s0); // keeps `a` from merging with the rest of the segment
    s0.work();
    allocator.free(a);
    expect(allocator.malloc(KiB, s0, true)).not.toBe(a);
    s0.finish();
    expect(allocator.malloc(KiB, s0, true)).toBe(a);
  });

  test('recordStream: the free waits, as active_pending_free, until the other stream passes it', () => {
    const { allocator, stats, s0, s1 } = setup();
    allocator.history.configure('all', 0);
    const a = allocator.malloc(KiB, s0);
    allocator.recordStream(a, s1);
    allocator.recordStream(a, s0); // its own stream: nothing to wait for
    s1.work();
    allocator.free(a);
    expect(allocator.blockAt(a)!.state).toBe('active_pending_free');
    let st = stats();
    expect([st['allocation.all.current'], st['allocated_bytes.all.current'], st['active.all.current'], st['active_bytes.all.current']]).toEqual([0, 0, 1, KiB]);
    expect(allocator.malloc(KiB, s0)).not.toBe(a);
    const snap = buildSnapshot([allocator]);
    expect(snap.segments[0]!.blocks[0]!.state).toBe('active_pending_free');
    expect(snap.device_traces[0]!.map((entry) => entry.action)).toEqual([
      'segment_alloc', 'alloc', 'free_requested', 'alloc', 'snapshot',
    ]);
    expect(replayProblems(snap, 0)).toEqual([]);
    s1.finish();
    expect(allocator.malloc(KiB, s0)).toBe(a); // the malloc processes the completed free first
    st = stats();
    expect(st['active.all.current']).toBe(2);
    const actions = buildSnapshot([allocator]).device_traces[0]!.map((entry) => entry.action);
    expect(actions.slice(-4)).toEqual(['snapshot', 'free_completed', 'alloc', 'snapshot']);
  });

  test('a block recorded on a stream that is already idle is free at once', () => {
    const { allocator, stats, s0, s1 } = setup();
    const a = allocator.malloc(KiB, s0);
    allocator.recordStream(a, s1);
    allocator.free(a);
    expect(allocator.blockAt(a)).toBeUndefined();
    expect(stats()['active.all.current']).toBe(0);
  });

  test('freeing twice or an unknown address is an internal error', () => {
    const { allocator, s0 } = setup();
    const a = allocator.malloc(KiB, s0);
    allocator.free(a);
    expect(() => allocator.free(a)).toThrow(`caching allocator: no allocated block at address ${a}`);
    expect(() => allocator.recordStream(a, s0)).toThrow('no allocated block');
  });
});

describe('emptyCache, retries and out of memory', () => {
  test('emptyCache releases unused segments only, and only once their streams passed them', () => {
    const { allocator, stats, heap, s0 } = setup();
    const small = allocator.malloc(KiB, s0);
    const large = allocator.malloc(3 * MiB, s0);
    const keep = allocator.malloc(KiB, s0);
    s0.work();
    allocator.free(small);
    allocator.free(large);
    allocator.emptyCache();
    expect(stats()['segment.all.current']).toBe(2); // s0 has not run the work before the frees
    s0.finish();
    allocator.emptyCache();
    let st = stats();
    expect([st['segment.all.current'], st['segment.large_pool.current'], st.num_device_free]).toEqual([1, 0, 1]);
    allocator.free(keep);
    allocator.emptyCache();
    st = stats();
    expect([st['reserved_bytes.all.current'], st['reserved_bytes.all.peak'], st.num_device_alloc, st.num_device_free]).toEqual([0, 22 * MiB, 2, 2]);
    expect(heap.allocatedBytes).toBe(0);
  });

  test('when the heap is full, cached segments are released and the reservation retried', () => {
    const { allocator, stats, s0 } = setup(8 * MiB);
    const blocks = [0, 1, 2].map(() => allocator.malloc(2 * MiB, s0)); // three 2 MiB large segments
    allocator.free(blocks[0]!);
    allocator.free(blocks[1]!);
    const big = allocator.malloc(4 * MiB, s0);
    const st = stats();
    expect([st.num_alloc_retries, st.num_device_free, st['segment.all.current']]).toEqual([1, 2, 2]);
    expect(allocator.blockAt(big)!.size).toBe(4 * MiB);
  });

  test('out of memory: an oom trace entry, num_ooms, observers with (device, alloc, total, free), then the error', () => {
    const calls: number[][] = [];
    const { allocator, stats, heap, s0 } = setup(4 * MiB, [
      (...args) => {
        calls.push(args);
        const trace = buildSnapshot([allocator]).device_traces[0]!;
        expect(trace.at(-2)).toMatchObject({ action: 'oom', size: 3 * MiB, device_free: 2 * MiB, stream: 0 });
        expect(stats().num_ooms).toBe(1);
      },
    ]);
    allocator.history.configure('all', 0);
    const keep = allocator.malloc(100, s0);
    let error: unknown;
    try {
      allocator.malloc(3 * MiB, s0);
    } catch (caught) {
      error = caught;
    }
    expect(calls).toEqual([[0, 3 * MiB, 4 * MiB, 2 * MiB]]);
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(error).toMatchObject({ device: 0, requestedBytes: 3 * MiB, totalBytes: 4 * MiB, freeBytes: 2 * MiB, allocatedBytes: 512, reservedBytes: 2 * MiB });
    const st = stats();
    expect([st.num_ooms, st.num_alloc_retries, heap.allocatedBytes]).toEqual([1, 1, 2 * MiB]);
    expect(allocator.blockAt(keep)!.allocated).toBe(true);
    expect(allocator.malloc(1.5 * MiB, s0)).toBeGreaterThan(0); // a segment of exactly 2 MiB still fits
  });

  test('an observer that throws replaces the OutOfMemoryError, as in PyTorch', () => {
    const { allocator, s0 } = setup(1 * MiB, [() => {
      throw new Error('observer failed');
    }]);
    expect(() => allocator.malloc(2 * MiB, s0)).toThrow('observer failed');
  });
});

describe('stats', () => {
  test('peaks, cumulative allocated and freed, and resetPeaks', () => {
    const { allocator, stats, s0 } = setup();
    const a = allocator.malloc(10 * KiB, s0);
    const b = allocator.malloc(20 * KiB, s0);
    allocator.free(a);
    let st = stats();
    expect([st['allocated_bytes.all.current'], st['allocated_bytes.all.peak'], st['allocated_bytes.all.allocated'], st['allocated_bytes.all.freed']])
      .toEqual([20 * KiB, 30 * KiB, 30 * KiB, 10 * KiB]);
    allocator.stats.resetPeaks();
    st = stats();
    expect([st['allocated_bytes.all.peak'], st['reserved_bytes.all.peak']]).toEqual([20 * KiB, 2 * MiB]);
    allocator.free(b);
    expect(stats()['allocated_bytes.all.peak']).toBe(20 * KiB);
  });

  test('the dict has every PyTorch key, sorted, and MTIA\'s dram entry', () => {
    const { stats } = setup();
    const st = stats();
    const keys = Object.keys(st);
    expect(keys).toEqual([...keys].sort());
    expect(keys.length).toBe(9 * 3 * 4 + 5 + 1);
    expect(keys).toContain('inactive_split_bytes.small_pool.freed');
    expect(keys).toContain('num_sync_all_streams');
    expect(st.dram).toEqual({ allocated_bytes: 0, peak_bytes: 0, reserved_bytes: 0, peak_reserved_bytes: 0, total_bytes: 64 * MiB });
  });
});

/** One step of a random allocator workload. */
type Step =
  | { kind: 'malloc'; bytes: number; stream: number; hostWrite: boolean }
  | { kind: 'free'; pick: number }
  | { kind: 'recordStream'; pick: number; stream: number }
  | { kind: 'work'; stream: number }
  | { kind: 'finish'; stream: number }
  | { kind: 'emptyCache' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({
    kind: fc.constant('malloc' as const),
    bytes: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: 3 * MiB })),
    stream: fc.integer({ min: 0, max: 2 }),
    hostWrite: fc.boolean(),
  }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('recordStream' as const), pick: fc.nat(), stream: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('work' as const), stream: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('finish' as const), stream: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('emptyCache' as const) }) },
);

/** Memory some stream may still touch: [start, end) and the marks that must complete first. */
interface Dirty {
  start: number;
  end: number;
  owner: TestStream;
  seq: number;
  recorded: { stream: TestStream; seq: number }[];
}

describe('tiny allocations (bench/dispatch)', () => {
  /** Every stat's four numbers, by name and pool. */
  const numbers = (allocator: CachingAllocator): Record<string, number> =>
    Object.fromEntries(Object.entries(allocator.stats.toDict(64 * MiB)).filter((entry): entry is [string, number] => entry[0] !== 'dram'));

  test('alloc/free cycles reuse block objects and address keys: blocks and stats are one cycle\'s, counted n times', () => {
    // The stream finishes before each free, so the freed block merges with the clean rest of
    // the segment and the next allocation splits it off again: every cycle splits and merges.
    const cycle = (allocator: CachingAllocator, stream: TestStream) => {
      const c = allocator.malloc(4, stream);
      stream.work().finish();
      allocator.free(c);
      return c;
    };
    const one = setup();
    const [a, b] = [one.allocator.malloc(4, one.s0), one.allocator.malloc(4, one.s0)];
    const before = numbers(one.allocator);
    const address = cycle(one.allocator, one.s0);
    const after = numbers(one.allocator);
    const many = setup();
    expect([many.allocator.malloc(4, many.s0), many.allocator.malloc(4, many.s0)]).toEqual([a, b]);
    const n = 3000;
    for (let i = 0; i < n; i++) expect(cycle(many.allocator, many.s0)).toBe(address);
    const layout = (allocator: CachingAllocator) => allocator.cachedBlocks().map((block) => [block.address, block.size, block.isClean, block.isSplit]);
    expect(layout(many.allocator)).toEqual(layout(one.allocator));
    expect(layout(one.allocator)).toEqual([[b + 512, 2 * MiB - 1024, true, true]]);
    const expected = Object.fromEntries(Object.entries(after).map(([key, value]) => {
      // Cumulative counters grow by one cycle's worth per cycle; current values and peaks are one cycle's.
      const cumulative = key.endsWith('.allocated') || key.endsWith('.freed');
      return [key, cumulative ? before[key]! + n * (value - before[key]!) : value];
    }));
    expect(numbers(many.allocator)).toEqual(expected);
    expect([many.allocator.blockAt(a)?.address, many.allocator.blockAt(b)?.address, many.allocator.blockAt(address)]).toEqual([a, b, undefined]);
  });

  test('the block allocated last is found, recorded, freed and freed pending like any other', () => {
    // The newest block is kept out of the allocator's address Map until the next allocation.
    const { allocator, s0, s1, stats } = setup();
    const a = allocator.malloc(4, s0);
    expect(allocator.blockAt(a)!.allocated).toBe(true);
    const b = allocator.malloc(4, s0); // a goes into the Map, b is the newest
    expect([allocator.blockAt(a)!.address, allocator.blockAt(b)!.address]).toEqual([a, b]);
    allocator.free(a); // an older block while b is the newest
    expect([allocator.blockAt(a), allocator.blockAt(b)!.allocated]).toEqual([undefined, true]);
    allocator.free(b);
    expect(allocator.blockAt(b)).toBeUndefined();
    expect(() => allocator.free(b)).toThrow(`caching allocator: no allocated block at address ${b}`);
    expect(() => allocator.recordStream(b, s1)).toThrow('no allocated block');
    const c = allocator.malloc(4, s0);
    expect(c).toBe(a); // best fit: the lowest cached address
    allocator.recordStream(c, s1);
    s1.work();
    allocator.free(c); // the newest, pending: it must stay findable by address
    expect(allocator.blockAt(c)!.state).toBe('active_pending_free');
    expect(() => allocator.free(c)).toThrow('no allocated block');
    const d = allocator.malloc(4, s0);
    expect(d).not.toBe(c);
    s1.finish();
    allocator.processPendingFrees();
    expect([allocator.blockAt(c), allocator.blockAt(d)!.allocated]).toEqual([undefined, true]);
    allocator.free(d);
    const st = stats();
    expect([st['active.all.current'], st['allocation.all.current'], st['allocation.all.allocated'], st['allocation.all.freed']]).toEqual([0, 0, 4, 4]);
  });

  test('blocks are found by address after thousands of blocks came and went', () => {
    const { allocator, s0, stats } = setup();
    const kept = allocator.malloc(4, s0);
    const gone = Array.from({ length: 3000 }, () => allocator.malloc(4, s0));
    for (const address of gone) allocator.free(address);
    expect(gone.every((address) => allocator.blockAt(address) === undefined)).toBe(true);
    expect(allocator.blockAt(kept)!.allocated).toBe(true);
    expect(() => allocator.free(gone[7]!)).toThrow(`caching allocator: no allocated block at address ${gone[7]}`);
    const again = allocator.malloc(4, s0);
    expect(allocator.blockAt(again)!.address).toBe(again);
    allocator.free(kept);
    allocator.free(again);
    expect(stats()['active.all.current']).toBe(0);
  });
});

describe('random workloads keep the invariants', () => {
  test('stats match the blocks, snapshots are well formed and replay to empty, reuse respects stream order', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 120 }), (steps) => {
        const capacity = 16 * MiB;
        const { allocator, stats, heap } = setup(capacity);
        allocator.history.configure('all', 0);
        const streams = [new TestStream(0), new TestStream(1), new TestStream(2)];
        const live: { address: number; bytes: number; stream: TestStream; uses: TestStream[] }[] = [];
        let dirty: Dirty[] = [];
        for (const step of steps) {
          switch (step.kind) {
            case 'malloc': {
              const stream = streams[step.stream]!;
              let address: number;
              try {
                address = allocator.malloc(step.bytes, stream, step.hostWrite);
              } catch (error) {
                expect(error).toBeInstanceOf(OutOfMemoryError);
                break;
              }
              const end = address + allocator.blockAt(address)!.size;
              for (const d of dirty) {
                if (d.start >= end || address >= d.end) continue;
                // Memory may be reused once every recorded stream passed the free, and by
                // another stream (or the host) once the owner's stream passed it too.
                expect(d.recorded.every((r) => r.stream.isComplete(r.seq))).toBe(true);
                if (d.owner !== stream || step.hostWrite) expect(d.owner.isComplete(d.seq)).toBe(true);
              }
              for (const other of live) expect(other.address >= end || address >= other.address + allocator.blockAt(other.address)!.size).toBe(true);
              live.push({ address, bytes: step.bytes, stream, uses: [] });
              break;
            }
            case 'free': {
              if (live.length === 0) break;
              const [freed] = live.splice(step.pick % live.length, 1);
              const size = allocator.blockAt(freed!.address)!.size;
              dirty.push({
                start: freed!.address, end: freed!.address + size, owner: freed!.stream, seq: freed!.stream.enqueued,
                recorded: freed!.uses.map((stream) => ({ stream, seq: stream.enqueued })),
              });
              allocator.free(freed!.address);
              break;
            }
            case 'recordStream': {
              if (live.length === 0) break;
              const block = live[step.pick % live.length]!;
              allocator.recordStream(block.address, streams[step.stream]!);
              if (streams[step.stream] !== block.stream) block.uses.push(streams[step.stream]!);
              break;
            }
            case 'work':
              streams[step.stream]!.work();
              break;
            case 'finish':
              streams[step.stream]!.finish();
              dirty = dirty.filter((d) => !(d.owner.isComplete(d.seq) && d.recorded.every((r) => r.stream.isComplete(r.seq))));
              break;
            case 'emptyCache':
              allocator.emptyCache();
              break;
          }
          checkConsistency();
        }
        for (const block of live.splice(0)) allocator.free(block.address);
        for (const stream of streams) stream.finish();
        allocator.emptyCache();
        checkConsistency();
        const st = stats();
        expect([st['reserved_bytes.all.current'], st['allocated_bytes.all.current'], st['active.all.current'], heap.allocatedBytes]).toEqual([0, 0, 0, 0]);
        expect(st.num_device_alloc).toBe(st.num_device_free);

        function checkConsistency(): void {
          const snap = buildSnapshot([allocator]);
          expect(segmentProblems(snap)).toEqual([]);
          expect(replayProblems(snap, 0)).toEqual([]);
          const st = stats();
          const blocks = snap.segments.flatMap((segment) => segment.blocks.map((block) => ({ ...block, segment })));
          const sum = (list: { size: number }[]) => list.reduce((n, b) => n + b.size, 0);
          const allocated = blocks.filter((b) => b.state === 'active_allocated');
          const active = blocks.filter((b) => b.state !== 'inactive');
          const inactiveSplit = blocks.filter((b) => b.state === 'inactive' && b.segment.blocks.length > 1);
          expect({
            allocation: st['allocation.all.current'], allocated: st['allocated_bytes.all.current'],
            active: st['active.all.current'], activeBytes: st['active_bytes.all.current'],
            requested: st['requested_bytes.all.current'], segments: st['segment.all.current'],
            reserved: st['reserved_bytes.all.current'], split: st['inactive_split.all.current'],
            splitBytes: st['inactive_split_bytes.all.current'], heap: heap.allocatedBytes,
          }).toEqual({
            allocation: live.length, allocated: sum(allocated), active: active.length, activeBytes: sum(active),
            // requested_bytes falls when a free completes, as active does (PyTorch's free_block).
            requested: active.reduce((n, b) => n + b.requested_size, 0), segments: snap.segments.length,
            reserved: snap.segments.reduce((n, s) => n + s.total_size, 0), split: inactiveSplit.length,
            splitBytes: sum(inactiveSplit), heap: snap.segments.reduce((n, s) => n + s.total_size, 0),
          });
          for (const name of ['allocation', 'allocated_bytes', 'segment', 'reserved_bytes', 'active', 'active_bytes', 'inactive_split', 'inactive_split_bytes', 'requested_bytes'] as const) {
            expect(st[`${name}.small_pool.current`] + st[`${name}.large_pool.current`]).toBe(st[`${name}.all.current`]);
            expect(st[`${name}.all.peak`]).toBeGreaterThanOrEqual(st[`${name}.all.current`]);
            expect(st[`${name}.all.allocated`] - st[`${name}.all.freed`]).toBe(st[`${name}.all.current`]);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
