// The ops a profiling run has noted, in issue order, kept compactly: per op a few references
// (name, shapes, dtype) and one row of f64 words (device, stream, ring count, clock, then a copy
// of its op record once read). A long run notes hundreds of thousands of ops; keeping each as a
// handful of live JavaScript objects costs more in garbage collection than dispatching the op
// (measured with bench/dispatch's tiny ops on a busy 2-core VM: about +20 µs per op with an
// OpStats object per op, +2 µs with rows), so OpStats objects are built when opStats() asks.
//
//   row: device  stream  ringCount  clockHz  read  │ record words 0 .. RECORD_FIELDS − 1
//        0       1       2          3        4     │ 5 ..

import { RECORD_FIELDS, RECORD_SIZE, RECORDS_LOCATION, RING_COMMANDS } from '../runtime/layout.js';
import { decodeOpStats, type OpStats } from './op-stats.js';

const DEVICE = 0;
const STREAM = 1;
const RING_COUNT = 2;
const CLOCK_HZ = 3;
const READ = 4;
const RECORD = 5;
/** f64 words per op. */
const ROW_WORDS = RECORD + RECORD_FIELDS;

/** Every op of a profiling run, in issue order, with its record once read. */
export class OpLog {
  private readonly names: string[] = [];
  private readonly shapes: (readonly (readonly number[])[])[] = [];
  private readonly dtypes: string[] = [];
  private rows = new Float64Array(1024 * ROW_WORDS);

  /** Ops noted. */
  get length(): number {
    return this.names.length;
  }

  /** Notes an op enqueued on `device`'s stream `stream` as ring command `ringCount`; returns its index. */
  add(name: string, device: number, stream: number, ringCount: number, clockHz: number, shapes: readonly (readonly number[])[], dtype: string): number {
    const index = this.names.length;
    if ((index + 1) * ROW_WORDS > this.rows.length) {
      const grown = new Float64Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.names.push(name);
    this.shapes.push(shapes);
    this.dtypes.push(dtype);
    const row = index * ROW_WORDS;
    this.rows[row + DEVICE] = device;
    this.rows[row + STREAM] = stream;
    this.rows[row + RING_COUNT] = ringCount;
    this.rows[row + CLOCK_HZ] = clockHz;
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

  /** The stats of every op whose record has been read, in issue order. */
  stats(): OpStats[] {
    const result: OpStats[] = [];
    const rows = this.rows;
    for (let index = 0; index < this.names.length; index++) {
      const row = index * ROW_WORDS;
      if (rows[row + READ] !== 1) continue;
      const issue = {
        name: this.names[index]!, device: rows[row + DEVICE]!, stream: rows[row + STREAM]!,
        shapes: this.shapes[index]!, dtype: this.dtypes[index]!,
      };
      result.push(decodeOpStats(issue, rows, row + RECORD, rows[row + CLOCK_HZ]!));
    }
    return result;
  }
}
