// mtia.profiler.exportChromeTrace() through the built package, with real device workers: the
// trace is well-formed Trace Event Format JSON, its op slices are opStats' intervals, a
// cross-stream wait is joined to its record by a flow, engine slices sit inside their ops, and
// the memory counters follow the allocator.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { add, empty, matmul, mtia, randn } from 'mtia-sim';

type TraceEvent = mtia.ChromeTraceEvent;

let trace: mtia.ChromeTrace;
let ops: mtia.OpStats[];
/** mtia.memoryAllocated(0) right after each op was issued, and the size of a tensor allocated between them. */
let allocatedAfterLast = 0;
let allocatedAfterFirst = 0;
const extraBytes = 4 << 20;

beforeAll(async () => {
  const a = randn([256, 512]);
  const b = randn([512, 256]);
  await mtia.synchronize();
  const side = new mtia.Stream();
  mtia.profiler.start();
  const product = matmul(a, b); // default stream
  allocatedAfterFirst = mtia.memoryAllocated(0);
  const done = mtia.currentStream().recordEvent();
  side.waitEvent(done); // the side stream waits for the matmul
  const extra = empty([extraBytes / 4]);
  const sum = mtia.withStream(side, () => add(product, product));
  allocatedAfterLast = mtia.memoryAllocated(0);
  await mtia.profiler.stop();
  ops = mtia.profiler.opStats();
  trace = mtia.profiler.exportChromeTrace();
  void extra;
  void sum;
});

afterAll(() => mtia.shutdown());

/**
 * Slices of one track that a viewer would mis-nest: per (pid, tid), in order of ts (then
 * longest first), each slice must end, by floating-point ts + dur, no later than the slice it
 * lies in, or start no earlier than that one ends (then it is a sibling, not a child).
 */
function nestingProblems(xs: readonly TraceEvent[]): string[] {
  const problems: string[] = [];
  const tracks = new Map<string, TraceEvent[]>();
  for (const e of xs) tracks.set(`${e.pid}/${e.tid}`, [...(tracks.get(`${e.pid}/${e.tid}`) ?? []), e]);
  for (const [track, events] of tracks) {
    const sorted = [...events].sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const open: TraceEvent[] = [];
    for (const e of sorted) {
      while (open.length > 0 && e.ts >= open.at(-1)!.ts + open.at(-1)!.dur!) open.pop();
      const parent = open.at(-1);
      if (parent !== undefined && e.ts + e.dur! > parent.ts + parent.dur!) {
        problems.push(`${track}: ${e.name} at ${e.ts} + ${e.dur} = ${e.ts + e.dur!} passes the end of ${parent.name} (${parent.ts} + ${parent.dur} = ${parent.ts + parent.dur!})`);
      }
      open.push(e);
    }
  }
  return problems;
}

const slices = (cat: string) => trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === cat);

describe('mtia.profiler.exportChromeTrace()', () => {
  test('is Trace Event Format JSON: every event has ph, ts, pid, tid; X events a name, args and dur >= 0', () => {
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    expect(trace.displayTimeUnit).toBe('ns');
    expect(trace.traceEvents.length).toBeGreaterThan(0);
    for (const event of trace.traceEvents) {
      expect(['X', 'M', 'C']).toContain(event.ph);
      for (const key of ['ts', 'pid', 'tid'] as const) expect(Number.isFinite(event[key]), `${key} of ${JSON.stringify(event)}`).toBe(true);
      expect(typeof event.name).toBe('string');
      expect(event.name.length).toBeGreaterThan(0);
      expect(event.args).toBeTypeOf('object');
      if (event.ph === 'X') expect(event.dur).toBeGreaterThanOrEqual(0);
    }
  });

  test('pids are devices and every tid with events is a named track', () => {
    const processes = new Map(
      trace.traceEvents.filter((e) => e.name === 'process_name').map((e) => [e.pid, (e.args as { name: string }).name]),
    );
    expect(processes).toEqual(new Map([[1, 'mtia:0 (mtia-v2)']]));
    expect(trace.metadata.devices).toEqual([{ index: 0, pid: 1, profile: 'mtia-v2', clockHz: mtia.getDeviceProperties(0).clockHz }]);
    const threads = new Map(
      trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, (e.args as { name: string }).name]),
    );
    for (const event of trace.traceEvents) {
      expect(processes.has(event.pid)).toBe(true);
      if (event.ph === 'X') expect(threads.has(event.tid), `track of ${event.name}`).toBe(true);
    }
    const opTracks = new Set(slices('op').map((e) => threads.get(e.tid)));
    expect(opTracks).toEqual(new Set(['stream 0 (default)', `stream ${ops[1]!.stream}`]));
    const engineTracks = new Set(slices('engine').map((e) => threads.get(e.tid)));
    expect(engineTracks.has('DPE')).toBe(true);
    // Every job issues instructions and DMAs tiles: the PEs' RISC-V cores and fabric interfaces.
    expect(engineTracks.has('Issue')).toBe(true);
    expect(engineTracks.has('Fabric interface')).toBe(true);
  });

  test("op slices are opStats' ops, in issue order, with their intervals and figures", () => {
    const opSlices = slices('op');
    expect(ops.map((op) => op.name)).toEqual(['matmul', 'add']);
    expect(opSlices.map((e) => e.name)).toEqual(ops.map((op) => op.name));
    opSlices.forEach((slice, i) => {
      const op = ops[i]!;
      // Times are in steps of 2^-16 µs (15 ps): within half a step of the record's.
      expect(Math.abs(slice.ts * 1e3 - op.startNs)).toBeLessThanOrEqual(0.008);
      expect(Math.abs((slice.ts + slice.dur!) * 1e3 - op.endNs)).toBeLessThanOrEqual(0.008);
      expect(slice.args).toMatchObject({
        shapes: op.shapes, dtype: op.dtype, cycles: op.cycles, bytes: op.bytes, bound: op.bound,
        sramHitRate: op.sramHitRate, utilisation: op.utilisation,
      });
    });
    expect(opSlices[0]!.args!.flops).toBe(2 * 256 * 512 * 256);
    expect(opSlices[1]!.args!.flops).toBeUndefined(); // an SE op: no FLOPs figure
  });

  test('the cross-stream wait is a flow from the record to the wait, which ends at the record time', () => {
    const events = slices('event');
    const record = events.find((e) => e.name === 'event record')!;
    const wait = events.find((e) => e.name === 'event wait')!;
    expect(record.flow_out).toBe(true);
    expect(wait.flow_in).toBe(true);
    expect(wait.bind_id).toBe(record.bind_id);
    expect(record.tid).not.toBe(wait.tid);
    const [matmulSlice, addSlice] = slices('op');
    expect(record.tid).toBe(matmulSlice!.tid);
    expect(wait.tid).toBe(addSlice!.tid);
    // The record takes the default stream's clock after the matmul; the idle side stream's wait
    // holds it until then, and the add starts from there.
    expect(record.ts).toBeCloseTo(matmulSlice!.ts + matmulSlice!.dur!, 6);
    expect(record.dur).toBe(0);
    expect(wait.ts + wait.dur!).toBeCloseTo(record.ts, 6);
    expect(wait.dur!).toBeGreaterThan(0);
    expect(addSlice!.ts).toBeCloseTo(record.ts, 6);
  });

  test("engine slices lie inside their op's slice and never overlap on one engine", () => {
    const engine = slices('engine');
    const dpe = engine.filter((e) => e.name === 'matmul' && (e.args as { busy: string }).busy.startsWith('dot-product'));
    expect(dpe.length).toBe(1);
    for (const slice of engine) {
      const op = slices('op').find((o) => o.name === slice.name)!;
      expect(slice.ts).toBeGreaterThanOrEqual(op.ts - 1e-9);
      expect(slice.ts + slice.dur!).toBeLessThanOrEqual(op.ts + op.dur! + 1e-9);
    }
    // The exact interval is in the args; ts and dur are it in steps of 2^-16 µs.
    const { fromNs, toNs } = dpe[0]!.args as { fromNs: number; toNs: number };
    expect((toNs - fromNs) * mtia.getDeviceProperties(0).clockHz / 1e9).toBeCloseTo(ops[0]!.cycles.dpe, 3);
    expect(Math.abs(dpe[0]!.dur! * 1e3 - (toNs - fromNs))).toBeLessThanOrEqual(0.016);
    const byTrack = new Map<number, TraceEvent[]>();
    for (const slice of engine) byTrack.set(slice.tid, [...(byTrack.get(slice.tid) ?? []), slice]);
    for (const track of byTrack.values()) {
      const sorted = track.sort((x, y) => x.ts - y.ts);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.ts).toBeGreaterThanOrEqual(sorted[i - 1]!.ts + sorted[i - 1]!.dur! - 1e-9);
    }
  });

  test('memory counters follow the allocator: the tensor allocated between the ops shows, reserved covers allocated', () => {
    const counters = trace.traceEvents.filter((e): e is TraceEvent & { args: { allocated: number; reserved: number } } => e.ph === 'C' && e.cat === 'memory');
    expect(counters.map((e) => e.name)).toEqual(['memory', 'memory']);
    const [first, second] = counters;
    // Sampled as each op is issued: the matmul's sample also counts its packing workspace, held
    // until it has been issued (freed stream-ordered right after); the add has none.
    expect(first!.args.allocated).toBeGreaterThan(allocatedAfterFirst);
    expect(second!.args.allocated).toBe(allocatedAfterLast);
    expect(allocatedAfterLast - allocatedAfterFirst).toBe(extraBytes + 256 * 256 * 4); // the tensor and the add's output
    for (const counter of counters) expect(counter.args.reserved).toBeGreaterThanOrEqual(counter.args.allocated);
    expect(counters.map((e) => e.ts)).toEqual(slices('op').map((e) => e.ts));
  });

  test('with a path, writes the same trace as a stream and resolves to its size; chromeTraceChunks() joins to it; a bad path is a TypeError naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtia-trace-'));
    try {
      const file = join(dir, 'trace.json');
      const written = await mtia.profiler.exportChromeTrace(file);
      const text = readFileSync(file, 'utf8');
      expect(text).toBe(JSON.stringify(trace));
      expect(written).toEqual({
        path: file, bytes: Buffer.byteLength(text), events: trace.traceEvents.length,
        ops: trace.traceEvents.filter((e) => e.cat === 'op').length,
      });
      expect([...mtia.profiler.chromeTraceChunks()].join('')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => mtia.profiler.exportChromeTrace(42 as unknown as string)).toThrow(
      /exportChromeTrace\(\): path must be a non-empty string .* but got: 42/,
    );
    expect(() => mtia.profiler.exportChromeTrace('')).toThrow(TypeError);
  });

  test("on every track, slices follow or nest: ts + dur, added as a viewer adds them, never passes a later slice's ts (back-to-back ops on two streams)", async () => {
    const x = randn([37, 53]);
    const y = randn([53, 41]);
    const side = new mtia.Stream();
    await mtia.synchronize();
    mtia.profiler.start();
    let z = matmul(x, y);
    for (let i = 0; i < 40; i++) {
      z = add(z, z);
      if (i % 10 === 0) side.waitEvent(mtia.currentStream().recordEvent());
      if (i % 3 === 0) mtia.withStream(side, () => add(x, x));
    }
    await mtia.profiler.stop();
    const run = mtia.profiler.exportChromeTrace();
    const xs = run.traceEvents.filter((e) => e.ph === 'X');
    expect(xs.filter((e) => e.cat === 'op').length).toBe(1 + 40 + 14);
    expect(nestingProblems(xs)).toEqual([]);
    // Every time is a whole number of 2^-16 µs steps, so a viewer's sums and differences of
    // them are exact: each slice's ts + dur is exactly the ts of a slice that starts where it ends.
    for (const event of run.traceEvents) {
      expect(Number.isInteger(event.ts * 65_536), `ts ${event.ts}`).toBe(true);
      if (event.dur !== undefined) expect(Number.isInteger(event.dur * 65_536), `dur ${event.dur}`).toBe(true);
    }
  });

  test("a graph replay is a slice on its stream's track around its replayed ops, named as captured; the track is named by the stream's id", async () => {
    const s = new mtia.Stream();
    const x = randn([64, 64]);
    await mtia.synchronize();
    const g = new mtia.MTIAGraph();
    let y: ReturnType<typeof add> | undefined;
    mtia.withStream(s, () => mtia.graph(g, {}, () => { y = add(matmul(x, x), x); }));
    mtia.profiler.start();
    g.replay();
    mtia.withStream(s, () => add(x, x)); // after the replays' ops on the same stream
    g.replay();
    await mtia.profiler.stop();
    const run = mtia.profiler.exportChromeTrace();
    const xs = run.traceEvents.filter((e) => e.ph === 'X');
    const threadName = (tid: number) => (run.traceEvents.find((e) => e.name === 'thread_name' && e.tid === tid)!.args as { name: string }).name;
    const replays = xs.filter((e) => e.cat === 'graph');
    expect(replays.map((e) => [e.name, (e.args as { commands: number }).commands, threadName(e.tid)])).toEqual([
      ['graph replay', 2, `stream ${s.streamId}`], ['graph replay', 2, `stream ${s.streamId}`],
    ]);
    const opSlices = xs.filter((e) => e.cat === 'op');
    expect(opSlices.map((e) => e.name)).toEqual(['matmul', 'add', 'add', 'matmul', 'add']);
    expect(opSlices[0]!.args!.shapes).toEqual([[64, 64], [64, 64], [64, 64]]);
    // Each replay's slice spans its two ops, from its launch to the end of the last.
    for (const [r, first] of [[0, 0], [1, 3]] as const) {
      const replay = replays[r]!;
      for (const op of opSlices.slice(first, first + 2)) {
        expect(op.tid).toBe(replay.tid);
        expect(op.ts).toBeGreaterThanOrEqual(replay.ts);
        expect(op.ts + op.dur!).toBeLessThanOrEqual(replay.ts + replay.dur!);
      }
      expect(replay.ts + replay.dur!).toBeCloseTo(opSlices[first + 1]!.ts + opSlices[first + 1]!.dur!, 6);
    }
    expect(nestingProblems(xs)).toEqual([]);
    // opStats reports the replayed ops (the device ran them), not the launches.
    expect(mtia.profiler.opStats().map((op) => op.name)).toEqual(['matmul', 'add', 'add', 'matmul', 'add']);
    expect(y).toBeDefined();
  });

  test('a wait on a record made before start() has no flow; opStats leaves event marks out', async () => {
    const early = mtia.currentStream().recordEvent();
    const side = new mtia.Stream();
    mtia.profiler.start();
    side.waitEvent(early);
    await mtia.profiler.stop();
    expect(mtia.profiler.opStats()).toEqual([]);
    const [wait, ...rest] = mtia.profiler.exportChromeTrace().traceEvents.filter((e) => e.ph === 'X');
    expect(rest).toEqual([]);
    expect(wait).toMatchObject({ name: 'event wait', cat: 'event' });
    expect(wait!.bind_id).toBeUndefined();
  });
});
