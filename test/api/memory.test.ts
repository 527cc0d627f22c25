// The torch.mtia memory surface through the built package with real device workers: guards
// before init, the leak test, out of memory with an observer, history and snapshots that
// pytorch.org/memory_viz can replay, the pickle that Python loads, and garbage-collected tensors.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { add, mtia, OutOfMemoryError, tensor, ValueError, zeros, type Tensor } from 'mtia-sim';
import { replayProblems, segmentProblems } from '../support/snapshot-invariants.js';

const MiB = 1 << 20;
afterAll(() => mtia.shutdown());

/** Calls of the out-of-memory observers, in order: which observer, and its arguments. */
const observerCalls: [string, number[]][] = [];

/** PyTorch's format_size, as the OOM message prints sizes. */
function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(2)} ${units[unit]}`;
}

describe('before the devices start (PyTorch guards)', () => {
  test('stats are neutral, history is kept for later, nothing starts the devices', () => {
    mtia.configure({ deviceCount: 2, memoryBytes: 32 * MiB });
    expect(mtia.memoryStats()).toEqual({});
    expect([mtia.memoryAllocated(), mtia.maxMemoryAllocated(), mtia.memoryReserved(), mtia.maxMemoryReserved()]).toEqual([0, 0, 0, 0]);
    mtia.resetPeakMemoryStats();
    mtia.emptyCache();
    mtia.recordMemoryHistory({ enabled: 'all' });
    expect(mtia.snapshot()).toMatchObject({ segments: [], device_traces: [] });
    expect(mtia.isInitialized()).toBe(false);
  });

  test("bad arguments get PyTorch's texts even before init", () => {
    expect(() => mtia.recordMemoryHistory({ enabled: 'some' as never })).toThrow("expected state to be 'state', 'all', or None");
    expect(() => mtia.recordMemoryHistory({ stacks: 'cpp++' as never })).toThrow("expected stacks to be 'python', 'cpp', or 'all'");
    expect(() => mtia.recordMemoryHistory({ context: 'free' as never })).toThrow("expected context to be 'state', 'alloc', 'all', or None");
    expect(() => mtia.recordMemoryHistory({ stack: 'all' } as never)).toThrow("recordMemoryHistory() got an unexpected keyword argument 'stack' (did you mean 'stacks'?)");
    expect(() => mtia.recordMemoryHistory({ maxEntries: -1 })).toThrow('maxEntries must be a non-negative integer');
    expect(() => mtia.attachOutOfMemoryObserver(42 as never)).toThrow(TypeError);
    expect(mtia.isInitialized()).toBe(false);
  });

  test('an out-of-memory observer attached before init is kept (it is called in the OOM test below)', () => {
    mtia.attachOutOfMemoryObserver((...args) => observerCalls.push(['early', args]));
    expect(mtia.isInitialized()).toBe(false);
  });

  test("history requested before init records from the first allocation, with this file's frames (PyTorch tutorials' order)", async () => {
    await mtia.init();
    const t = zeros([10]);
    expect(t.numel).toBe(10);
    t.free();
    const traces = mtia.snapshot().device_traces;
    expect(traces).toHaveLength(2);
    const actions = traces[0]!.map((entry) => entry.action);
    expect(actions.slice(0, 3)).toEqual(['segment_alloc', 'alloc', 'free_requested']);
    const alloc = traces[0]!.find((entry) => entry.action === 'alloc')!;
    expect(alloc.size).toBe(40); // 10 float32 elements, as requested
    expect(alloc.frames[0]?.filename).toMatch(/test\/api\/memory\.test\.ts$/);
    expect(traces[1]!.map((entry) => entry.action)).toEqual(['snapshot']); // on there too; it allocated nothing
  });

  test('settings queued before init apply in order: a later { enabled: null } wins', async () => {
    await mtia.shutdown();
    mtia.recordMemoryHistory({ enabled: 'all' });
    mtia.recordMemoryHistory({ enabled: null });
    zeros([10]).free();
    expect(mtia.snapshot().device_traces).toEqual([[], []]);
    await mtia.shutdown();
    mtia.configure({ deviceCount: 2, memoryBytes: 32 * MiB });
  });
});

describe('leaks', () => {
  test('after a workload and its frees nothing is allocated; after emptyCache nothing is reserved', async () => {
    mtia.resetPeakMemoryStats(0);
    {
      const inputs = [1, 100, 100_000, 400_000].map((n) => tensor(new Float32Array(n).fill(2)));
      const sums = inputs.map((t) => add(t, t));
      const zs = [zeros([3, 5]), zeros([600_000])];
      expect((await sums[3]!.toArray())[399_999]).toBe(4);
      expect(mtia.memoryAllocated()).toBeGreaterThan(4 * 500_000);
      for (const t of [...inputs, ...sums, ...zs]) t.free();
    }
    expect(mtia.memoryAllocated()).toBe(0);
    expect(mtia.maxMemoryAllocated()).toBeGreaterThan(4 * 1_000_000);
    expect(mtia.memoryReserved()).toBeGreaterThan(0);
    await mtia.synchronize();
    mtia.emptyCache();
    const stats = mtia.memoryStats();
    expect([mtia.memoryReserved(), stats['segment.all.current'], stats['active.all.current'], stats['inactive_split.all.current']]).toEqual([0, 0, 0, 0]);
    expect(stats.num_device_alloc).toBe(stats.num_device_free);
    expect(stats.dram).toMatchObject({ allocated_bytes: 0, reserved_bytes: 0, total_bytes: 32 * MiB });
    expect(mtia.getMemoryInfo()).toEqual([32 * MiB, 32 * MiB]);
  });
});

describe('out of memory', () => {
  test('the observer gets four numbers that agree with memoryStats; the error carries them; earlier tensors read back', async () => {
    mtia.recordMemoryHistory({ enabled: 'all' });
    const seen: { args: number[]; stats: Partial<mtia.MemoryStats>; info: [number, number]; trace: mtia.TraceEntry[] }[] = [];
    mtia.attachOutOfMemoryObserver((...args) => {
      observerCalls.push(['late', args]);
      seen.push({ args, stats: mtia.memoryStats(args[0]), info: mtia.getMemoryInfo(args[0]), trace: mtia.snapshot().device_traces[args[0]]! });
    });
    const kept: [Tensor, Float32Array][] = [1000, 50_000, 2 * MiB].map((n, k) => {
      const values = Float32Array.from({ length: n }, (_, i) => i * (k + 1));
      return [tensor(values, { device: 1 }), values];
    });
    let error: unknown;
    try {
      zeros([16 * MiB], { device: 1 }); // 64 MiB on a 32 MiB device
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    const oom = error as OutOfMemoryError;
    expect(seen.length).toBe(1);
    expect(observerCalls).toEqual([['early', seen[0]!.args], ['late', seen[0]!.args]]); // registration order
    const [{ args: [device, alloc, total, free], stats, info, trace }] = seen as [typeof seen[0]];
    expect([device, alloc, total]).toEqual([1, 64 * MiB, 32 * MiB]);
    expect(free).toBe(total! - stats['reserved_bytes.all.current']!);
    expect(info).toEqual([free, total]);
    expect(stats.dram!.total_bytes).toBe(total);
    expect(stats.num_ooms).toBe(1);
    expect(trace.at(-2)).toMatchObject({ action: 'oom', size: alloc, device_free: free, stream: 0 });
    expect(trace.at(-1)!.action).toBe('snapshot');
    expect([oom.device, oom.requestedBytes, oom.totalBytes, oom.freeBytes]).toEqual([device, alloc, total, free]);
    expect([oom.allocatedBytes, oom.reservedBytes]).toEqual([stats['allocated_bytes.all.current'], stats['reserved_bytes.all.current']]);
    expect(oom.message).toBe(
      `MTIA out of memory. Tried to allocate 64.00 MiB. Device mtia:1 has a total capacity of 32.00 MiB of which ${formatSize(free!)} is free. ` +
        `Of the allocated memory ${formatSize(oom.allocatedBytes)} is allocated by tensors, and ` +
        `${formatSize(oom.reservedBytes - oom.allocatedBytes)} is reserved by the caching allocator but unallocated.`,
    );
    for (const [t, values] of kept) {
      const got = (await t.toArray()) as Float32Array;
      expect(got.length).toBe(values.length);
      expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(values.buffer))).toBe(true);
    }
    for (const [t] of kept) t.free();
    expect(mtia.memoryAllocated(1)).toBe(0);
  });
});

describe('history and snapshots', () => {
  test('a snapshot with history: contiguous blocks, a trace that replays to an empty allocator, frames from this file', async () => {
    await mtia.synchronize();
    mtia.emptyCache();
    mtia.recordMemoryHistory({ enabled: null }); // clears
    const before = Date.now() * 1000;
    mtia.recordMemoryHistory({ enabled: 'all', stacks: 'python' });
    const a = tensor(new Float32Array(500_000).fill(1));
    const b = zeros([500_000]);
    const c = add(a, b);
    expect((await c.toArray())[0]).toBe(1);
    a.free();
    const snap = mtia.snapshot();
    const after = Date.now() * 1000 + 1000;
    expect(segmentProblems(snap)).toEqual([]);
    expect(replayProblems(snap, 0)).toEqual([]);
    expect(replayProblems(snap, 1)).toEqual([]);
    const trace = snap.device_traces[0]!;
    expect(new Set(trace.map((entry) => entry.action))).toEqual(new Set(['segment_alloc', 'alloc', 'free_requested', 'free_completed', 'snapshot']));
    expect(trace.every((entry) => entry.time_us >= before && entry.time_us <= after && Number.isInteger(entry.time_us))).toBe(true);
    // The user's call site comes first: the line of this file that called add().
    const sourceLine = (frame: mtia.Frame) => readFileSync(frame.filename, 'utf8').split('\n')[frame.line - 1] ?? '';
    const allocs = trace.filter((entry) => entry.action === 'alloc');
    expect(allocs.every((entry) => /test\/api\/memory\.test\.ts$/.test(entry.frames[0]!.filename))).toBe(true);
    const cAlloc = allocs.find((entry) => sourceLine(entry.frames[0]!).includes('const c = add(a, b)'))!;
    expect(cAlloc.size).toBe(2_000_000);
    const block = snap.segments.flatMap((s) => s.blocks).find((x) => x.address === cAlloc.addr)!;
    expect(block).toMatchObject({ state: 'active_allocated', requested_size: 2_000_000 });
    expect(block.frames).toEqual(cAlloc.frames);
    expect(snap.segments.every((s) => s.segment_pool_id.length === 2 && s.is_expandable === false)).toBe(true);
    b.free();
    c.free();
  });

  test("maxEntries keeps the newest entries; 'state' keeps stacks of live blocks but no events", () => {
    mtia.recordMemoryHistory({ enabled: null });
    mtia.recordMemoryHistory({ enabled: 'all', maxEntries: 10 });
    for (let i = 0; i < 20; i++) zeros([i + 1]).free();
    const snap = mtia.snapshot();
    const trace = snap.device_traces[0]!;
    expect(trace.length).toBe(10);
    expect(trace.at(-1)!.action).toBe('snapshot');
    expect(trace.slice(0, -1).every((entry, i, all) => i === 0 || entry.time_us >= all[i - 1]!.time_us)).toBe(true);
    expect(trace.at(-2)).toMatchObject({ action: 'free_completed', size: 80 });
    expect(snap.allocator_settings).toMatchObject({ trace_alloc_max_entries: 10, trace_alloc_overflowed: true });
    mtia.recordMemoryHistory({ enabled: null });
    mtia.recordMemoryHistory({ enabled: 'state' });
    const live = zeros([64]);
    const state = mtia.snapshot();
    expect(state.device_traces).toEqual([[], []]);
    const withFrames = state.segments.flatMap((s) => s.blocks).filter((x) => x.frames.length > 0);
    expect(withFrames.map((x) => [x.state, x.requested_size])).toEqual([['active_allocated', 256]]);
    expect(withFrames[0]!.frames[0]!.filename).toMatch(/memory\.test\.ts$/);
    live.free();
    mtia.recordMemoryHistory({ enabled: null });
  });

  test("context: 'all' keeps stacks on allocations and frees, 'alloc' on allocations, 'state' on live blocks, null nowhere; stacks 'cpp' and 'all' record JavaScript frames too", () => {
    const run = (options: mtia.RecordMemoryHistoryOptions) => {
      mtia.recordMemoryHistory({ enabled: null });
      mtia.recordMemoryHistory(options);
      const live = zeros([32]);
      zeros([48]).free();
      const snap = mtia.snapshot();
      live.free();
      const trace = snap.device_traces[0]!;
      const framed = (actions: string[]) => trace.filter((e) => actions.includes(e.action)).map((e) => e.frames.length > 0);
      const block = snap.segments.flatMap((s) => s.blocks).find((b) => b.state === 'active_allocated' && b.requested_size === 128)!;
      return { alloc: framed(['alloc']), free: framed(['free_requested', 'free_completed']), live: block.frames.length > 0 };
    };
    expect(run({ enabled: 'all', context: 'all', stacks: 'cpp' })).toEqual({ alloc: [true, true], free: [true, true], live: true });
    expect(run({ enabled: 'all', context: 'alloc', stacks: 'all' })).toEqual({ alloc: [true, true], free: [false, false], live: true });
    expect(run({ enabled: 'all', context: 'state' })).toEqual({ alloc: [false, false], free: [false, false], live: true });
    expect(run({ enabled: 'all', context: null })).toEqual({ alloc: [false, false], free: [false, false], live: false });
    mtia.recordMemoryHistory({ enabled: null });
  });

  // Issue 21 finding 8: dumpSnapshot('PICKLE') wrote a file named PICKLE. PyTorch's
  // _dump_snapshot(filename) takes any string as a file name; here 'json' and 'pickle' are
  // formats, so another spelling of them is a ValueError naming the way to write such a file.
  test('dumpSnapshot: another spelling of a format is an error, not a file; a path of that name is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtia-snapshot-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      for (const slip of ['PICKLE', 'Json', ' json', 'pickle ']) {
        expect(() => mtia.dumpSnapshot(slip as 'json')).toThrow(ValueError);
        expect(() => mtia.dumpSnapshot(slip as 'json')).toThrow(`'${slip}' is not a format: the formats are 'json' and 'pickle', in lower case`);
      }
      expect(() => mtia.dumpSnapshot('')).toThrow('the path is empty');
      expect(readdirSync(dir)).toEqual([]);
      await mtia.dumpSnapshot('./PICKLE');
      expect(readdirSync(dir)).toEqual(['PICKLE']);
      expect(readFileSync(join(dir, 'PICKLE'))[0]).toBe(0x80); // a pickle's PROTO opcode
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('dumpSnapshot writes JSON and a protocol-4 pickle that Python loads to the same data', async () => {
    mtia.recordMemoryHistory({ enabled: 'all' });
    const kept = [tensor([1, 2, 3]), zeros([300_000]), tensor(new Int32Array(5000), { device: 1 })];
    kept[0]!.free();
    // Stop adding entries (without clearing them) so that both dumps hold the same snapshot.
    mtia.recordMemoryHistory({ enabled: 'state' });
    const dir = mkdtempSync(join(tmpdir(), 'mtia-snapshot-'));
    try {
      await mtia.dumpSnapshot(join(dir, 'snapshot.pickle'));
      await mtia.dumpSnapshot(join(dir, 'snapshot.json'));
      expect(mtia.dumpSnapshot('json')).toBe(readFileSync(join(dir, 'snapshot.json'), 'utf8'));
      expect(Buffer.from(mtia.dumpSnapshot('pickle')).equals(readFileSync(join(dir, 'snapshot.pickle')))).toBe(true);
      const python = `
import json, pickle, pickletools, sys
data = open(sys.argv[1], 'rb').read()
loaded = pickle.loads(data)
expected = json.load(open(sys.argv[2]))
def lists(x):
    if isinstance(x, (list, tuple)): return [lists(i) for i in x]
    if isinstance(x, dict): return {k: lists(v) for k, v in x.items()}
    return x
print(json.dumps({
    'equal': lists(loaded) == expected,
    'protocol': data[1],
    'opcodes': sorted({op.name for op, _, _ in pickletools.genops(data)}),
    'pool_id': type(loaded['segments'][0]['segment_pool_id']).__name__,
    'entries': sum(len(t) for t in loaded['device_traces']),
}))`;
      const out = JSON.parse(execFileSync('python3', ['-c', python, join(dir, 'snapshot.pickle'), join(dir, 'snapshot.json')], { encoding: 'utf8' }));
      const allowed = [
        'PROTO', 'STOP', 'MARK', 'EMPTY_DICT', 'SETITEMS', 'EMPTY_LIST', 'APPENDS', 'EMPTY_TUPLE', 'TUPLE', 'TUPLE1', 'TUPLE2',
        'TUPLE3', 'BININT', 'BININT1', 'BININT2', 'LONG1', 'BINFLOAT', 'SHORT_BINUNICODE', 'BINUNICODE', 'NONE', 'NEWTRUE', 'NEWFALSE',
      ];
      expect(out).toMatchObject({ equal: true, protocol: 4, pool_id: 'tuple' });
      expect(out.entries).toBeGreaterThan(4); // the workload above: segment_alloc, allocs, frees
      expect(out.opcodes.filter((name: string) => !allowed.includes(name))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      mtia.recordMemoryHistory({ enabled: null });
      for (const t of kept.slice(1)) t.free();
    }
  });
});

describe('tensors nobody frees', () => {
  test('the garbage collector returns their memory (node --expose-gc)', () => {
    const script = fileURLToPath(new URL('./scripts/forgotten-tensors.mjs', import.meta.url));
    const run = spawnSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toEqual({ forgotten: 50 * (4096 + 512) + 4096, collected: 4096, keptLength: 1000, afterFree: 0 });
  });
});
