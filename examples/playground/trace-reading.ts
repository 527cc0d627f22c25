// What the timeline and the memory chart read from the run's Chrome trace
// (mtia.profiler.exportChromeTrace(), src/profiler/chrome-trace.ts), the same data a trace
// viewer shows: the event records and waits joined by flows (`bind_id`, `flow_out` on the record,
// `flow_in` on each wait; Perfetto draws them as arrows), and each device's `memory` counter
// (the caching allocator's allocated and reserved bytes when each op was issued, at the op's
// start). Times are nanoseconds of simulated device time (the events' args.startNs, args.endNs).
// Pure: no DOM.

/** An event record or wait of the trace. */
export interface EventMark {
  readonly device: number;
  readonly stream: number;
  readonly startNs: number;
  readonly endNs: number;
}

/** A record and the waits for it: the timeline draws an arrow from the record to each wait. */
export interface EventFlow {
  readonly flow: number;
  readonly record: EventMark;
  readonly waits: readonly EventMark[];
}

/** One sample of a device's memory counter: the bytes when op `op` was issued, from its start. */
export interface MemorySample {
  readonly timeNs: number;
  readonly allocatedBytes: number;
  readonly reservedBytes: number;
  /** The op the sample was taken at: its name as the trace gives it ('matmul', 'attn/MatMul (matmul)'). */
  readonly op: string;
  /** Its index among the trace's op slices in issue order, which is mtia.profiler.opStats()'s order. */
  readonly opIndex: number;
  readonly stream: number;
}

/** The parts of a trace event read here. */
interface TraceEvent {
  readonly name?: unknown;
  readonly ph?: unknown;
  readonly cat?: unknown;
  readonly pid?: unknown;
  readonly bind_id?: unknown;
  readonly flow_out?: unknown;
  readonly flow_in?: unknown;
  readonly args?: Record<string, unknown>;
}

/** The trace's events, from its object form or its array form; [] for anything else. */
function eventsOf(trace: unknown): readonly TraceEvent[] {
  const events = Array.isArray(trace) ? trace : (trace as { traceEvents?: unknown } | null)?.traceEvents;
  return Array.isArray(events) ? (events as TraceEvent[]) : [];
}

/** The device index of an event's args.device ('mtia:1'), else of its pid (device + 1). */
function deviceOf(event: TraceEvent): number {
  const named = /^mtia:(\d+)$/.exec(String(event.args?.device ?? ''));
  return named !== null ? Number(named[1]) : Number(event.pid) - 1;
}

/** The flows of `trace` with both ends in it, in the order their records were issued. */
export function eventFlows(trace: unknown): EventFlow[] {
  const flows = new Map<number, { record?: EventMark; waits: EventMark[] }>();
  for (const event of eventsOf(trace)) {
    if (event.cat !== 'event' || typeof event.bind_id !== 'number' || event.args === undefined) continue;
    const { stream, startNs, endNs } = event.args;
    if (typeof stream !== 'number' || typeof startNs !== 'number' || typeof endNs !== 'number') continue;
    const mark = { device: deviceOf(event), stream, startNs, endNs };
    const entry = flows.get(event.bind_id) ?? { waits: [] };
    flows.set(event.bind_id, entry);
    if (event.flow_out === true) entry.record = mark;
    else if (event.flow_in === true) entry.waits.push(mark);
  }
  const joined: EventFlow[] = [];
  for (const [flow, { record, waits }] of flows) if (record !== undefined && waits.length > 0) joined.push({ flow, record, waits });
  return joined;
}

/**
 * Each device's memory counter samples of `trace`, by device index, sorted by time (samples at
 * the same time in issue order, so the last one issued is the state from then on).
 */
export function memorySamples(trace: unknown): Map<number, MemorySample[]> {
  const byDevice = new Map<number, MemorySample[]>();
  let opIndex = -1;
  let lastOp = '';
  let lastStream = 0;
  let lastStartNs = NaN;
  for (const event of eventsOf(trace)) {
    if (event.ph === 'X' && event.cat === 'op') {
      opIndex++;
      lastOp = String(event.name);
      lastStream = Number(event.args?.stream ?? 0);
      lastStartNs = Number(event.args?.startNs);
      continue;
    }
    if (event.ph !== 'C' || event.cat !== 'memory' || event.args === undefined) continue;
    const { allocated, reserved } = event.args;
    // The counter is written right after its op's slice, at its start: the op's exact startNs.
    const timeNs = Number.isFinite(lastStartNs) ? lastStartNs : Number((event as { ts?: unknown }).ts) * 1e3;
    if (typeof allocated !== 'number' || typeof reserved !== 'number' || !Number.isFinite(timeNs)) continue;
    const device = deviceOf(event);
    const samples = byDevice.get(device) ?? [];
    byDevice.set(device, samples);
    samples.push({ timeNs, allocatedBytes: allocated, reservedBytes: reserved, op: lastOp, opIndex, stream: lastStream });
  }
  for (const samples of byDevice.values()) samples.sort((a, b) => a.timeNs - b.timeNs || a.opIndex - b.opIndex);
  return byDevice;
}

/** The last sample at or before `timeNs` (samples sorted by time), or undefined before the first. */
export function sampleAt(samples: readonly MemorySample[], timeNs: number): MemorySample | undefined {
  let low = 0;
  let high = samples.length - 1;
  let found: MemorySample | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (samples[middle]!.timeNs <= timeNs) {
      found = samples[middle];
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}
