// The op profiler, mtia.profiler: between start() and stop() every op is noted as it is
// enqueued (name, device, stream, shapes, dtype, its command's ring count) and joined to the
// op record the core writes when it runs the command (op-stats.ts). Like torch.profiler it
// reports per-op device time, but on the simulated clock and with the timing model's account
// of every cycle (launch, compute, stall, per-engine busy, bytes per memory level, bound).
//
// A device keeps one op record per ring position, so a record lives only until its ring slot
// is reused, RING_COMMANDS commands later. The profiler reads records at three moments: when
// the ring is about to reuse a slot (CommandRing.recordsObserver), when opStats() is called
// (records of commands the core has already run), and in stop(), after the device has run
// every noted op. Not profiling costs one test per op (src/runtime/op-observer.ts).
//
// Event records and waits are noted the same way (their records say where they took their
// stream's clock from and to), for the trace only: exportChromeTrace() draws them and joins each
// wait to its record (chrome-trace.ts); opStats() leaves them out.

import { DeviceLostError, MtiaError } from '../errors.js';
import { isNode } from '../runtime/environment.js';
import { HEADER_RING_TAIL, RING_COMMANDS } from '../runtime/layout.js';
import {
  setEventObserver, setGraphObserver, setOpObserver, type EventObserver, type GraphObserver, type OpObserver,
} from '../runtime/op-observer.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';
import type { StreamQueue } from '../runtime/stream-queue.js';
import { chromeTrace, chromeTraceChunks, type ChromeTrace } from './chrome-trace.js';
import { runEnergy, type RunEnergy } from './energy.js';
import { OpLog, type IssueMemory, type LogEntry } from './op-log.js';
import type { OpStats } from './op-stats.js';

/** The ops of one device whose records are not yet read, in ring order. */
class DeviceOps {
  /** Indices into the log. */
  private readonly unread: number[] = [];
  private next = 0;
  /** The stream queue of the op noted last, and its sequence number there: stop() waits for it. */
  lastQueue: StreamQueue | undefined;
  lastSeq = 0;

  constructor(readonly device: SimulatedDevice, private readonly log: OpLog) {}

  /** Adds op `index` of the log, whose command was just pushed on `queue`. */
  add(index: number, queue: StreamQueue): void {
    this.unread.push(index);
    this.lastQueue = queue;
    this.lastSeq = queue.enqueued;
  }

  /** Reads the records of unread ops with ring counts below `limit`. */
  readBelow(limit: number): void {
    const { unread, log } = this;
    while (this.next < unread.length && log.ringCount(unread[this.next]!) < limit) {
      log.read(unread[this.next++]!, this.device.views.f64);
    }
    if (this.next === unread.length && this.next > 0) {
      unread.length = 0;
      this.next = 0;
    }
  }

  /** Reads the records of every op the core has run (ring counts below RING_TAIL). */
  readRun(): void {
    const pushed = this.device.ring.pushedCount;
    const tail = Atomics.load(this.device.views.u32, HEADER_RING_TAIL / 4);
    this.readBelow(pushed - ((pushed - tail) >>> 0));
  }
}

/** The bytes `device`'s caching allocator has allocated and reserved now. */
function memoryOf(device: SimulatedDevice): IssueMemory {
  const { stats } = device.allocator;
  return { allocatedBytes: stats.allocated_bytes[0].current, reservedBytes: stats.reserved_bytes[0].current };
}

/** One profiling run, from start() to the end of stop(). */
class Session {
  readonly log = new OpLog();
  readonly devices = new Map<SimulatedDevice, DeviceOps>();
  /** opStats() once the run has ended. */
  private final: OpStats[] | undefined;

  /** Flow ids of the event records noted, by the event's record object. */
  private readonly flows = new WeakMap<object, number>();
  private nextFlow = 1;

  /** The op observer (src/runtime/op-observer.ts): notes an op just enqueued. */
  readonly note: OpObserver = (device, queue, name, shapes, dtype) => {
    if (queue.capture !== undefined) return; // recorded into a graph, not pushed (src/mtia/graph.ts)
    const index = this.log.add(
      name, device.index, device.currentStreamId, device.ring.lastPushed, device.profile, shapes, dtype, memoryOf(device),
      undefined, label,
    );
    this.opsOf(device).add(index, queue);
  };

  /** The event observer: notes an event record or wait just enqueued. */
  readonly noteEvent: EventObserver = (kind, device, queue, streamId, record) => {
    let flow = this.flows.get(record);
    if (flow === undefined || kind === 'record') this.flows.set(record, (flow = this.nextFlow++));
    const name = kind === 'record' ? 'event record' : 'event wait';
    const index = this.log.add(
      name, device.index, streamId, device.ring.lastPushed, device.profile, [], '', memoryOf(device), { kind, flow },
    );
    this.opsOf(device).add(index, queue);
  };

  /**
   * The graph observer: notes a replay just pushed, its launch as a mark and then each replayed
   * command as an op, named as the capture's op observer saw it ('graph op' if it saw none).
   */
  readonly noteGraph: GraphObserver = (device, queue, ops) => {
    const launch = device.ring.lastPushed - ops.length;
    const memory = memoryOf(device);
    const deviceOps = this.opsOf(device);
    deviceOps.add(
      this.log.add('graph replay', device.index, queue.slot, launch, device.profile, [], '', memory, { kind: 'graph', commands: ops.length }),
      queue,
    );
    ops.forEach((op, k) => {
      const index = this.log.add(
        op?.name ?? 'graph op', device.index, queue.slot, launch + 1 + k, device.profile, op?.shapes ?? [], op?.dtype ?? '', memory,
        undefined, label,
      );
      deviceOps.add(index, queue);
    });
  };

  /** The unread ops of `device`; on first use, starts reading its records before their slots are reused. */
  private opsOf(device: SimulatedDevice): DeviceOps {
    let ops = this.devices.get(device);
    if (ops === undefined) {
      const watched = (ops = new DeviceOps(device, this.log));
      this.devices.set(device, ops);
      device.ring.recordsObserver = (count) => watched.readBelow(count - RING_COMMANDS + 1);
    }
    return ops;
  }

  /**
   * Waits until every device has run its noted ops, without taking stream faults or moving the
   * host's view of device time (the program runs as it would unprofiled), then reads them all
   * and stops watching the rings. Ops of a device lost before running them have no record.
   */
  async finish(): Promise<void> {
    try {
      await Promise.all([...this.devices.values()].map(async (ops) => {
        try {
          if (ops.lastQueue !== undefined && ops.device.alive) await ops.device.whenComplete(ops.lastQueue, ops.lastSeq);
        } catch (error) {
          if (!(error instanceof DeviceLostError)) throw error;
        }
      }));
    } finally {
      for (const ops of this.devices.values()) ops.readRun();
      for (const device of this.devices.keys()) device.ring.recordsObserver = undefined;
      this.final = this.log.stats();
    }
  }

  /** The stats of every op read so far, in issue order (reading first those the devices have run, while the run lasts). */
  stats(): OpStats[] {
    if (this.final !== undefined) return this.final.slice();
    for (const ops of this.devices.values()) ops.readRun();
    return this.log.stats();
  }

  /** The trace of every op and event mark read so far (see stats()). */
  trace(): ChromeTrace {
    return chromeTrace(...this.traceSource());
  }

  /** The trace of trace() as JSON text in pieces (chromeTraceChunks). */
  traceChunks(tally?: { events: number; ops: number }): Generator<string> {
    return chromeTraceChunks(...this.traceSource(), tally);
  }

  /** What a trace is built from: the entries read so far (fixed now, however the run goes on) and the devices. */
  private traceSource(): [() => Iterable<LogEntry>, { index: number; profile: string; clockHz: number }[]] {
    if (this.final === undefined) for (const ops of this.devices.values()) ops.readRun();
    const devices = [...this.devices.keys()]
      .sort((a, b) => a.index - b.index)
      .map((device) => ({ index: device.index, profile: device.profile.name, clockHz: device.profile.clockHz }));
    const count = this.log.length;
    return [() => this.log.entries(count), devices];
  }
}

let session: Session | undefined;
/** The name of the innermost recordFunction scope open now, or undefined outside every scope. */
let label: string | undefined;
let state: 'idle' | 'running' | 'stopping' = 'idle';

/**
 * The op profiler (torch.profiler's start/stop, per op on simulated device time). Collects one
 * OpStats per op enqueued between start() and stop(), on every device and stream.
 */
export const profiler = {
  /** Starts collecting, dropping the stats of an earlier run; throws if the profiler is already running. */
  start(): void {
    if (state !== 'idle') {
      throw new MtiaError(
        state === 'running'
          ? 'mtia.profiler.start() was called while the profiler is already running; call mtia.profiler.stop() first'
          : 'mtia.profiler.start() was called while mtia.profiler.stop() is still finishing; await it first',
      );
    }
    session = new Session();
    setOpObserver(session.note);
    setEventObserver(session.noteEvent);
    setGraphObserver(session.noteGraph);
    state = 'running';
  },

  /**
   * Stops collecting ops enqueued from now on; resolves once every device has run the ops
   * collected and their stats are read. Throws if the profiler is not running.
   */
  async stop(): Promise<void> {
    if (state !== 'running') {
      throw new MtiaError(`mtia.profiler.stop() was called while the profiler is not running${state === 'stopping' ? ' (stop() is already finishing)' : ''}; call mtia.profiler.start() first`);
    }
    setOpObserver(undefined);
    setEventObserver(undefined);
    setGraphObserver(undefined);
    state = 'stopping';
    try {
      await session!.finish();
    } finally {
      state = 'idle';
    }
  },

  /**
   * One OpStats per collected op, in issue order across devices and streams: after stop(),
   * every op; while running, those the devices have already run. [] before the first start().
   */
  opStats(): OpStats[] {
    return session === undefined ? [] : session.stats();
  },

  /**
   * The collected ops as a Chrome trace (Trace Event Format JSON, for ui.perfetto.dev): a
   * process per device, a track per stream and per engine, event records and waits joined by
   * flow arrows, and the allocator's memory as counters, on simulated device time
   * (docs/tracing.md). Covers the ops opStats() returns. With a `path` (Node only) it writes
   * the JSON there as a stream instead, in bounded memory, and returns a Promise of the file's
   * size (ChromeTraceFile) once written.
   */
  exportChromeTrace,

  recordFunction,
  /**
   * The energy of a run of `ops` (default: opStats()): per device, the ops' dynamic energy plus
   * the static power once over the device's span (first op's start to last op's end), so
   * overlapping ops on several streams count it once and idle gaps count it too
   * (src/profiler/energy.ts; docs/timing-model.md "Energy").
   */
  runEnergy(ops?: readonly OpStats[]): RunEnergy {
    if (ops !== undefined && !Array.isArray(ops)) {
      throw new TypeError(`runEnergy(): ops must be an array of OpStats (from opStats()), but got: ${String(ops)}`);
    }
    return runEnergy(ops ?? (session === undefined ? [] : session.stats()));
  },
  /**
   * The trace of exportChromeTrace() as JSON text in pieces of about 1 MiB, built as iterated:
   * for a run too large for one object or string (browsers: `new Blob([...chunks])`).
   */
  chromeTraceChunks: traceChunks,

  /** True from start() until stop() begins. */
  get running(): boolean {
    return state === 'running';
  },
};

/** A labelled scope of recordFunction(name): ops enqueued until it is disposed carry its name. */
export interface RecordFunction extends Disposable {
  /** The label. */
  readonly name: string;
}

/**
 * Labels the ops enqueued inside a scope (torch.profiler.record_function): each op's OpStats
 * gets `label: name` and the Chrome trace shows the name. With `fn`, the scope is fn's
 * synchronous run and fn's result is returned (ops a returned Promise enqueues after its first
 * await are outside it); without, a disposable scope (`using _ = recordFunction(name)`).
 * Scopes nest (the innermost name wins). Labelling costs nothing while the profiler is off.
 */
function recordFunction(name: string): RecordFunction;
function recordFunction<T>(name: string, fn: () => T): T;
function recordFunction<T>(name: string, fn?: () => T): T | RecordFunction {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`recordFunction(): name must be a non-empty string, but got: ${typeof name === 'string' ? "''" : String(name)}`);
  }
  if (fn !== undefined && typeof fn !== 'function') throw new TypeError(`recordFunction(): fn must be a function, but got: ${typeof fn}`);
  const outer = label;
  label = name;
  if (fn === undefined) {
    let open = true;
    return {
      name,
      [Symbol.dispose]() {
        if (open) label = outer;
        open = false;
      },
    };
  }
  try {
    return fn();
  } finally {
    label = outer;
  }
}

/** What exportChromeTrace(path) resolves to once the file is written. */
export interface ChromeTraceFile {
  /** The file written. */
  readonly path: string;
  /** Its size in bytes (UTF-8). */
  readonly bytes: number;
  /** Events in its traceEvents. */
  readonly events: number;
  /** Of which op slices (category 'op'). */
  readonly ops: number;
}

/** mtia.profiler.exportChromeTrace(): the trace now; with a path, a Promise of the file's size once written there as a stream. */
function exportChromeTrace(): ChromeTrace;
function exportChromeTrace(path: string): Promise<ChromeTraceFile>;
function exportChromeTrace(path?: string): ChromeTrace | Promise<ChromeTraceFile>;
function exportChromeTrace(path?: string): ChromeTrace | Promise<ChromeTraceFile> {
  if (path !== undefined && (typeof path !== 'string' || path === '')) {
    throw new TypeError(`exportChromeTrace(): path must be a non-empty string (a file to write), but got: ${typeof path === 'string' ? "''" : String(path)}`);
  }
  if (path !== undefined && !isNode) {
    throw new MtiaError(
      `exportChromeTrace(): path '${path}' cannot be written: writing a file needs Node.js; in a browser call ` +
        'mtia.profiler.chromeTraceChunks() and offer new Blob([...chunks]) as a download',
    );
  }
  if (path === undefined) return session?.trace() ?? chromeTrace(() => [], []);
  const tally = { events: 0, ops: 0 };
  return writeTrace(path, session?.traceChunks(tally) ?? chromeTraceChunks(() => [], [], tally), tally);
}

/** mtia.profiler.chromeTraceChunks(): the trace's JSON text in pieces of about 1 MiB (any size of run; joined, JSON.stringify(exportChromeTrace())). */
function traceChunks(): Generator<string> {
  return session?.traceChunks() ?? chromeTraceChunks(() => [], []);
}

/** Writes `chunks` to `path` as a stream, waiting for the file to drain (memory stays bounded by one chunk or so). */
async function writeTrace(path: string, chunks: Generator<string>, tally: { events: number; ops: number }): Promise<ChromeTraceFile> {
  const { createWriteStream } = await import('node:fs');
  const file = createWriteStream(path);
  const failed = new Promise<never>((_, reject) => file.once('error', reject));
  failed.catch(() => undefined);
  let bytes = 0;
  try {
    for (const chunk of chunks) {
      bytes += Buffer.byteLength(chunk);
      if (!file.write(chunk)) await Promise.race([new Promise<void>((resolve) => file.once('drain', () => resolve())), failed]);
    }
    await Promise.race([new Promise<void>((resolve) => file.end(resolve)), failed]);
  } catch (error) {
    file.destroy();
    throw error;
  }
  return { path, bytes, events: tally.events, ops: tally.ops };
}
