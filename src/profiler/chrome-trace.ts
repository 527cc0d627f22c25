// A profiling run as a Chrome trace: the Trace Event Format's JSON object form
// (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU), made for
// ui.perfetto.dev's JSON importer. Every time in it is simulated device time, from
// the op records (op-stats.ts), in microseconds as the format wants, not host time.
//
//   process  mtia:N (profile)            one per device that ran a noted op (pid = N + 1)
//     thread stream S                    the ops of stream S (X events), event records and
//                                        waits (X events joined by flow arrows), graph replays
//                                        (X events around their replayed ops)
//     thread DPE, SE, RE, MLU, SRAM,     each op's reservation of that engine or memory level,
//            DRAM, PCIe H2D, PCIe D2H    as the core's schedule made it (X events)
//     counter memory allocated/reserved  the caching allocator's bytes when each op was issued
//     counter power (stream S)           the op's dynamic watts (energy less static power, over
//                                        its duration) from its start, 0 from its end; the
//                                        streams' counters add up to the device's dynamic power
//
// Flows use the format's newer binding (Perfetto's JSON importer): the record's X event carries
// `bind_id` and `flow_out`, each wait's `bind_id` and `flow_in`, so an arrow joins the two
// slices themselves, whatever their timestamps.

import type { LogEntry } from './op-log.js';
import type { OpStats } from './op-stats.js';

/** One event of a Chrome trace (Trace Event Format). */
export interface ChromeTraceEvent {
  /** Event name: the op's name, an engine's op, 'process_name', 'memory', ... */
  readonly name: string;
  /** Phase: 'X' complete, 'M' metadata, 'C' counter. */
  readonly ph: 'X' | 'M' | 'C';
  /** Timestamp in µs of the device's simulated time (0 for metadata). */
  readonly ts: number;
  /** Process: the device, N + 1 for mtia:N. */
  readonly pid: number;
  /** Thread: a stream or engine track of that device. */
  readonly tid: number;
  /** Duration in µs (X events). */
  readonly dur?: number;
  /** Category: 'op', 'engine', 'event', 'graph', 'memory' or 'energy'. */
  readonly cat?: string;
  /** What the event is about. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Flow id joining an event record to its waits (X events of records and waits). */
  readonly bind_id?: number;
  /** True on an event record that waits point back to. */
  readonly flow_out?: boolean;
  /** True on a wait for an event record of this trace. */
  readonly flow_in?: boolean;
}

/** A device of the trace. */
export interface ChromeTraceDevice {
  /** Device index (mtia:N). */
  readonly index: number;
  /** Its process id in the trace (index + 1). */
  readonly pid: number;
  /** Hardware profile name ('mtia-v2', ...). */
  readonly profile: string;
  /** Its clock, in Hz: one simulated cycle is 1/clockHz s. */
  readonly clockHz: number;
}

/** What mtia.profiler.exportChromeTrace() returns: a Trace Event Format JSON object. */
export interface ChromeTrace {
  readonly traceEvents: ChromeTraceEvent[];
  /** How the viewer shows times ('ns'); timestamps are in µs all the same. */
  readonly displayTimeUnit: 'ns';
  /** What the trace is: the simulator, the clock its times are on, and its devices. */
  readonly metadata: {
    readonly source: 'mtia-sim';
    readonly clock: 'simulated device time';
    readonly devices: readonly ChromeTraceDevice[];
  };
}

/** Names of the engine tracks, by engine code − ENGINE_DPE (LogEntry.reservations). */
const ENGINE_TRACKS = ['DPE', 'SE', 'RE', 'MLU', 'SRAM', 'DRAM', 'PCIe H2D', 'PCIe D2H', 'Issue', 'Fabric interface'] as const;
/** What each engine track's busy time counts. */
const ENGINE_UNITS = [
  'dot-product engine busy cycles per PE', 'SIMD engine busy cycles per PE', 'reduction engine busy cycles per PE',
  'memory layout unit busy cycles per PE', 'SRAM bytes at its bandwidth', 'DRAM bytes at its bandwidth',
  'host-to-device bytes at the PCIe bandwidth', 'device-to-host bytes at the PCIe bandwidth',
  'RISC-V instruction issue cycles per PE', 'fabric interface cycles per PE (its busier direction)',
] as const;
/** Thread ids: a device's tracks get pid · TID_BLOCK + (stream id + 1) or + ENGINE_TID + engine. */
const TID_BLOCK = 1_000_000;
const ENGINE_TID = 900_000;

/**
 * Steps of a trace time per µs: times are whole multiples of 2^-16 µs (15 ps), fine enough that
 * an engine's sub-nanosecond reservation keeps a length and its order with its neighbours.
 */
const STEPS_PER_US = 65_536;

/**
 * A time in µs, as the format wants, rounded to a multiple of 2^-16 µs. Such numbers and their
 * sums and differences are exact in binary floating point (below 2^37 µs, 38 hours of simulated
 * time), so every viewer's arithmetic on them is exact: a slice's ts + dur is
 * its end, back-to-back slices meet exactly, and a viewer that first subtracts the trace's
 * earliest ts (speedscope) keeps that. Decimal times in µs (99.594) are not exact, and float
 * jitter in ts + dur (99.59400000000004 against the next slice's 99.594) made viewers nest
 * back-to-back slices (issue 23 finding 9). Rounding is monotone, so the order of times is kept;
 * the exact times stay in the args (startNs, endNs, fromNs, toNs).
 */
const us = (ns: number) => Math.round((ns * STEPS_PER_US) / 1e3) / STEPS_PER_US;

/** The `dur` of a slice from `fromNs` to `toNs`: us(toNs) − us(fromNs), exact (see us). */
function durUs(fromNs: number, toNs: number): number {
  return us(toNs) - us(fromNs);
}

/** @internal The process id of device `index`. */
export function devicePid(index: number): number {
  return index + 1;
}

function streamTid(pid: number, stream: number): number {
  return pid * TID_BLOCK + stream + 1;
}

function engineTid(pid: number, engine: number): number {
  return pid * TID_BLOCK + ENGINE_TID + engine;
}

/** An op's X-event args: everything opStats says of it. */
function opArgs(stats: OpStats, work: number): Record<string, unknown> {
  return {
    ...(stats.label !== undefined && { label: stats.label }),
    device: `mtia:${stats.device}`,
    stream: stats.stream,
    shapes: stats.shapes,
    dtype: stats.dtype,
    startNs: stats.startNs,
    endNs: stats.endNs,
    ...(stats.engine === 'dpe' && { flops: 2 * work }),
    cycles: stats.cycles,
    bytes: stats.bytes,
    bound: stats.bound,
    engine: stats.engine,
    sramHitRate: stats.sramHitRate,
    utilisation: stats.utilisation,
    pes: stats.pes,
    steps: stats.steps,
    ...(stats.tile !== undefined && { tile: stats.tile }),
    ...(stats.systolic !== undefined && { systolic: stats.systolic }),
    energy: stats.energy,
  };
}

/** Thread-track names of a trace, in order of first use (metadata), and the flows with both ends in it. */
function survey(entries: Iterable<LogEntry>) {
  const tracks = new Map<number, { pid: number; name: string; sortIndex: number }>();
  const track = (pid: number, tid: number, name: string, sortIndex: number) => {
    if (!tracks.has(tid)) tracks.set(tid, { pid, name, sortIndex });
  };
  // Flows with both ends in the trace: a record's flow id is used once a wait on it is seen.
  const recorded = new Set<number>();
  const waited = new Set<number>();
  for (const { stats, mark, reservations } of entries) {
    const pid = devicePid(stats.device);
    track(pid, streamTid(pid, stats.stream), stats.stream === 0 ? 'stream 0 (default)' : `stream ${stats.stream}`, stats.stream);
    if (mark !== undefined) {
      if (mark.kind === 'record') recorded.add(mark.flow);
      else if (mark.kind === 'wait' && recorded.has(mark.flow)) waited.add(mark.flow);
      continue;
    }
    reservations.forEach((interval, engine) => {
      if (interval !== undefined) track(pid, engineTid(pid, engine), ENGINE_TRACKS[engine]!, ENGINE_TID + engine);
    });
  }
  return { tracks, waited };
}

/** @internal
 * The events of the trace of `entries()` (a profiling run's ops and event marks, in issue
 * order; called twice, once to name the tracks), metadata first, one at a time.
 */
export function* chromeTraceEvents(
  entries: () => Iterable<LogEntry>, devices: readonly Omit<ChromeTraceDevice, 'pid'>[],
): Generator<ChromeTraceEvent> {
  const { tracks, waited } = survey(entries());
  for (const device of devices) {
    const pid = devicePid(device.index);
    const args = { name: `mtia:${device.index} (${device.profile})` };
    yield { name: 'process_name', ph: 'M', ts: 0, pid, tid: pid * TID_BLOCK, args };
    yield { name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: pid * TID_BLOCK, args: { sort_index: device.index } };
  }
  for (const [tid, { pid, name, sortIndex }] of tracks) {
    yield { name: 'thread_name', ph: 'M', ts: 0, pid, tid, args: { name } };
    yield { name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid, args: { sort_index: sortIndex } };
  }
  // A graph replay's launch is held back until its ops (noted right after it, on its device and
  // stream) have been seen: its slice spans them. Fewer follow if its device was lost.
  let replay: { launch: LogEntry; ops: LogEntry[]; commands: number } | undefined;
  for (const entry of entries()) {
    if (replay !== undefined) {
      const { stats } = replay.launch;
      const ofReplay = entry.mark === undefined && entry.stats.device === stats.device && entry.stats.stream === stats.stream;
      if (ofReplay) replay.ops.push(entry);
      if (ofReplay && replay.ops.length < replay.commands) continue;
      yield* replayEvents(replay.launch, replay.ops);
      replay = undefined;
      if (ofReplay) continue;
    }
    if (entry.mark?.kind === 'graph' && entry.mark.commands > 0) replay = { launch: entry, ops: [], commands: entry.mark.commands };
    else if (entry.mark?.kind === 'graph') yield* replayEvents(entry, []);
    else yield* entryEvents(entry, waited);
  }
  if (replay !== undefined) yield* replayEvents(replay.launch, replay.ops);
}

/**
 * A graph replay as a slice on its stream, from its launch to the end of its last op, named
 * 'graph replay' (category 'graph'), then its ops' own events, which lie inside it, so viewers
 * draw them as its children.
 */
function* replayEvents(launch: LogEntry, ops: readonly LogEntry[]): Generator<ChromeTraceEvent> {
  const { stats } = launch;
  const pid = devicePid(stats.device);
  const endNs = ops.reduce((end, op) => Math.max(end, op.stats.endNs), stats.endNs);
  yield {
    name: 'graph replay', ph: 'X', cat: 'graph', ts: us(stats.startNs), dur: durUs(stats.startNs, endNs), pid,
    tid: streamTid(pid, stats.stream),
    args: {
      device: `mtia:${stats.device}`, stream: stats.stream, startNs: stats.startNs, endNs,
      launchEndNs: stats.endNs, commands: ops.length,
    },
  };
  for (const op of ops) yield* entryEvents(op, new Set());
}

/** The events of one op or event mark: its slice and, for an op, its counters and engine slices. */
function* entryEvents({ stats, mark, memory, reservations, work }: LogEntry, waited: ReadonlySet<number>): Generator<ChromeTraceEvent> {
  const pid = devicePid(stats.device);
  const tid = streamTid(pid, stats.stream);
  const ts = us(stats.startNs);
  const dur = durUs(stats.startNs, stats.endNs);
  if (mark !== undefined && mark.kind !== 'graph') {
    const joined = waited.has(mark.flow);
    yield {
      name: mark.kind === 'record' ? 'event record' : 'event wait', ph: 'X', cat: 'event', ts, dur, pid, tid,
      args: { device: `mtia:${stats.device}`, stream: stats.stream, startNs: stats.startNs, endNs: stats.endNs, flow: mark.flow },
      ...(joined && { bind_id: mark.flow, ...(mark.kind === 'record' ? { flow_out: true } : { flow_in: true }) }),
    };
    return;
  }
  // A labelled op (mtia.profiler.recordFunction, an ONNX node) shows its label first: 'attn/MatMul (matmul)'.
  const name = stats.label === undefined ? stats.name : `${stats.label} (${stats.name})`;
  yield { name, ph: 'X', cat: 'op', ts, dur, pid, tid, args: opArgs(stats, work) };
  yield {
    name: 'memory', ph: 'C', cat: 'memory', ts, pid, tid,
    args: { allocated: memory.allocatedBytes, reserved: memory.reservedBytes },
  };
  // The op's dynamic power on its stream's counter, from its start to its end (streams add up).
  const durationNs = stats.endNs - stats.startNs;
  const dynamicWatts = durationNs > 0 ? (stats.energy.joules - stats.energy.byComponent.static) / (durationNs * 1e-9) : 0;
  const power = `power (stream ${stats.stream})`;
  yield { name: power, ph: 'C', cat: 'energy', ts, pid, tid, args: { dynamicWatts } };
  yield { name: power, ph: 'C', cat: 'energy', ts: us(stats.endNs), pid, tid, args: { dynamicWatts: 0 } };
  for (let engine = 0; engine < reservations.length; engine++) {
    const interval = reservations[engine];
    if (interval === undefined) continue;
    const [fromNs, toNs] = interval;
    yield {
      name, ph: 'X', cat: 'engine', ts: us(fromNs), dur: durUs(fromNs, toNs), pid,
      tid: engineTid(pid, engine),
      args: { stream: stats.stream, busy: ENGINE_UNITS[engine], fromNs, toNs },
    };
  }
}

/** The trace's `metadata` field: the simulator, its clock and `devices`. */
function traceMetadata(devices: readonly Omit<ChromeTraceDevice, 'pid'>[]): ChromeTrace['metadata'] {
  return { source: 'mtia-sim', clock: 'simulated device time', devices: devices.map((device) => ({ ...device, pid: devicePid(device.index) })) };
}

/** @internal Builds the trace of `entries()` (see chromeTraceEvents) on `devices` as one object. */
export function chromeTrace(entries: () => Iterable<LogEntry>, devices: readonly Omit<ChromeTraceDevice, 'pid'>[]): ChromeTrace {
  return { traceEvents: [...chromeTraceEvents(entries, devices)], displayTimeUnit: 'ns', metadata: traceMetadata(devices) };
}

/** Characters of JSON per piece chromeTraceChunks() yields (about 1 MiB: many events each). */
const CHUNK_CHARS = 1 << 20;

/** @internal
 * The trace of `entries()` on `devices` as JSON text in pieces of about 1 MiB, the same text as
 * JSON.stringify(chromeTrace(...)) joined, built event by event: no string or array of the whole
 * trace is ever held (a 600 k-op trace is past V8's 512 MiB string limit). `tally` counts the
 * events written and, of them, the op slices.
 */
export function* chromeTraceChunks(
  entries: () => Iterable<LogEntry>, devices: readonly Omit<ChromeTraceDevice, 'pid'>[], tally?: { events: number; ops: number },
): Generator<string> {
  let piece = '{"traceEvents":[';
  let first = true;
  for (const event of chromeTraceEvents(entries, devices)) {
    if (tally !== undefined) {
      tally.events++;
      if (event.cat === 'op') tally.ops++;
    }
    piece += (first ? '' : ',') + JSON.stringify(event);
    first = false;
    if (piece.length >= CHUNK_CHARS) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}],"displayTimeUnit":"ns","metadata":${JSON.stringify(traceMetadata(devices))}}`;
}
