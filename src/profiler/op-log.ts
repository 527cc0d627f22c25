// The ops a profiling run has noted, in issue order, kept compactly: per op a few references
// (name, shapes, dtype, and for an event record or wait its mark) and one row of f64 words
// (device, stream, ring count, clock, the device's allocated and reserved bytes when the op was
// issued, then a copy of its op record once read). A long run notes hundreds of thousands of
// ops; keeping each as a handful of live JavaScript objects costs more in garbage collection
// than dispatching the op (measured with bench/dispatch's tiny ops on a busy 2-core VM: about
// +20 µs per op with an OpStats object per op, +2 µs with rows), so OpStats objects are built
// when opStats() asks.
//
//   row: device  stream  ringCount  clockHz  read  allocated  reserved  │ record words 0 .. RECORD_FIELDS − 1
//        0       1       2          3        4     5          6         │ 7 ..

import {
  ENGINE_DPE, ENGINE_FABRIC, RECORD_FIELDS, RECORD_RESERVED_FROM, RECORD_RESERVED_TO, RECORD_SIZE, RECORD_WORK, RECORDS_LOCATION,
  RING_COMMANDS,
} from '../runtime/layout.js';
import type { HardwareProfile } from '../profiles.js';
import { decodeOpStats, type OpStats } from './op-stats.js';

const DEVICE = 0;
const STREAM = 1;
const RING_COUNT = 2;
const CLOCK_HZ = 3;
const READ = 4;
const ALLOCATED = 5;
const RESERVED = 6;
const RECORD = 7;
/** f64 words per op. */
const ROW_WORDS = RECORD + RECORD_FIELDS;

/**
 * A queue operation the profiler noted in place of an op: an event record or wait (`flow` pairs
 * a record with its waits), or a graph replay's launch, which `commands` replayed ops follow.
 */
export type EventMark =
  | { readonly kind: 'record' | 'wait'; readonly flow: number }
  | { readonly kind: 'graph'; readonly commands: number };

/** Memory of a device as the caching allocator counted it when an op was issued. */
export interface IssueMemory {
  /** Bytes allocated to tensors (memory_stats' allocated_bytes.all.current). */
  readonly allocatedBytes: number;
  /** Bytes reserved from the device heap (reserved_bytes.all.current). */
  readonly reservedBytes: number;
}

/** One noted op or event mark whose record has been read, for the trace. */
export interface LogEntry {
  readonly stats: OpStats;
  /** Set for an event record or wait or a graph launch (whose stats have only startNs and endNs). */
  readonly mark: EventMark | undefined;
  readonly memory: IssueMemory;
  /** The op's work: MACs on the DPE, element passes on the SE or RE, bytes on the MLU or PCIe. */
  readonly work: number;
  /**
   * The op's reservation of each engine, by engine code − ENGINE_DPE (DPE, SE, RE, MLU, SRAM,
   * DRAM, PCIe H2D, PCIe D2H, issue, fabric interface): [fromNs, toNs] of the device's simulated time, or undefined for
   * an engine it did not hold (assembly/timing/schedule.ts).
   */
  readonly reservations: readonly (readonly [fromNs: number, toNs: number] | undefined)[];
}

/** Engines whose reservations a record holds: ENGINE_DPE .. ENGINE_FABRIC. */
export const RESERVED_ENGINES = ENGINE_FABRIC - ENGINE_DPE + 1;

/** Every op of a profiling run, in issue order, with its record once read. */
export class OpLog {
  private readonly names: string[] = [];
  private readonly shapes: (readonly (readonly number[])[])[] = [];
  private readonly dtypes: string[] = [];
  private readonly marks: (EventMark | undefined)[] = [];
  private readonly labels: (string | undefined)[] = [];
  /** The profile of each op's device (shared objects: one reference per op). */
  private readonly profiles: HardwareProfile[] = [];
  private rows = new Float64Array(1024 * ROW_WORDS);

  /** Ops noted. */
  get length(): number {
    return this.names.length;
  }

  /**
   * Notes an op enqueued on `device` (of hardware `profile`)'s stream `stream` as ring command
   * `ringCount` when the device's allocator counted `memory` (`mark`: an event record or wait;
   * `label`: the profiler's recordFunction scope); returns its index.
   */
  add(
    name: string, device: number, stream: number, ringCount: number, profile: HardwareProfile,
    shapes: readonly (readonly number[])[], dtype: string, memory: IssueMemory, mark?: EventMark, label?: string,
  ): number {
    const index = this.names.length;
    if ((index + 1) * ROW_WORDS > this.rows.length) {
      const grown = new Float64Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.names.push(name);
    this.shapes.push(shapes);
    this.dtypes.push(dtype);
    this.marks.push(mark);
    this.labels.push(label);
    this.profiles.push(profile);
    const row = index * ROW_WORDS;
    this.rows[row + ALLOCATED] = memory.allocatedBytes;
    this.rows[row + RESERVED] = memory.reservedBytes;
    this.rows[row + DEVICE] = device;
    this.rows[row + STREAM] = stream;
    this.rows[row + RING_COUNT] = ringCount;
    this.rows[row + CLOCK_HZ] = profile.clockHz;
    return index;
  }

  /** Ring count of op `index`'s command. */
  ringCount(index: number): number {
    return this.rows[index * ROW_WORDS + RING_COUNT]!;
  }

  /** Copies op `index`'s record out of `memory`, a view of its device's memory. */
  read(index: number, memory: Float64Array): void {
    const row = index * ROW_WORDS;
    const from = (RECORDS_LOCATION + (this.rows[row + RING_COUNT]! & (RING_COMMANDS - 1)) * RECORD_SIZE) / 8;
    const rows = this.rows;
    for (let k = 0; k < RECORD_FIELDS; k++) rows[row + RECORD + k] = memory[from + k]!;
    rows[row + READ] = 1;
  }

  /** The stats of every op (not event marks) whose record has been read, in issue order. */
  stats(): OpStats[] {
    const result: OpStats[] = [];
    for (let index = 0; index < this.names.length; index++) {
      if (this.rows[index * ROW_WORDS + READ] === 1 && this.marks[index] === undefined) result.push(this.decode(index));
    }
    return result;
  }

  /**
   * Every op and event mark whose record has been read, in issue order, with what the trace
   * needs, of the first `count` noted; built one at a time as the iteration asks, so a trace of a million ops is written
   * without holding a million entries (chrome-trace.ts iterates it twice).
   */
  *entries(count = this.names.length): Generator<LogEntry> {
    for (let index = 0; index < count; index++) {
      const rows = this.rows;
      const row = index * ROW_WORDS;
      if (rows[row + READ] !== 1) continue;
      const nsPerCycle = 1e9 / rows[row + CLOCK_HZ]!;
      const reservations: (readonly [number, number] | undefined)[] = [];
      for (let engine = 0; engine < RESERVED_ENGINES; engine++) {
        const from = rows[row + RECORD + RECORD_RESERVED_FROM + engine]!;
        const to = rows[row + RECORD + RECORD_RESERVED_TO + engine]!;
        reservations.push(to > from ? [from * nsPerCycle, to * nsPerCycle] : undefined);
      }
      yield {
        stats: this.decode(index),
        mark: this.marks[index],
        memory: { allocatedBytes: rows[row + ALLOCATED]!, reservedBytes: rows[row + RESERVED]! },
        work: rows[row + RECORD + RECORD_WORK]!,
        reservations,
      };
    }
  }

  private decode(index: number): OpStats {
    const row = index * ROW_WORDS;
    const rows = this.rows;
    const issue = {
      name: this.names[index]!, device: rows[row + DEVICE]!, stream: rows[row + STREAM]!,
      shapes: this.shapes[index]!, dtype: this.dtypes[index]!, label: this.labels[index],
    };
    return decodeOpStats(issue, rows, row + RECORD, this.profiles[index]!);
  }
}
