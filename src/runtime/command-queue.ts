// The host end of one stream ring: the "worker message queue" of a simulated stream.
//
// enqueue() writes a command into the ring in shared memory, publishes it by bumping the
// stream's HEAD and rings the device doorbell. It never waits for the device: when the ring is
// full, commands go to a host-side backlog in the same 64-byte format, and flush() moves them
// into the ring as the device frees slots. Sequence numbers count enqueued commands from 1;
// HEAD and DONE in shared memory are the same numbers modulo 2^32.

import {
  COMMAND_SIZE, HEADER_DOORBELL, HEADER_SLEEPING, RINGS_LOCATION, RING_COMMANDS, RING_SIZE,
  STREAMS_LOCATION, STREAM_CLOCK_CYCLES, STREAM_DONE, STREAM_FAULT, STREAM_FAULT_SEQ, STREAM_HEAD,
  STREAM_SIZE,
} from './layout.js';

const COMMAND_WORDS = COMMAND_SIZE / 4;
const SCALAR_WORD = 14; // COMMAND_SCALAR / 4
const doorbellIndex = HEADER_DOORBELL / 4;
const sleepingIndex = HEADER_SLEEPING / 4;

/** Typed views over a device's shared memory (the memory never grows, so they stay valid). */
export interface MemoryViews {
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
}

/** Creates the typed views of a device memory. */
export function memoryViews(memory: WebAssembly.Memory): MemoryViews {
  const buffer = memory.buffer;
  return { i32: new Int32Array(buffer), u32: new Uint32Array(buffer), f64: new Float64Array(buffer) };
}

/** Host side of the command ring of one stream slot. */
export class CommandQueue {
  /** Sequence number of the last enqueued command (0 before the first). */
  enqueued = 0;
  /** Commands written into the ring and published through HEAD. */
  private published = 0;
  /** Last completion count read from DONE; a lower bound of the true count. */
  private completedCache = 0;
  private readonly headIndex: number;
  private readonly doneIndex: number;
  private readonly ringWord: number;
  /** Commands waiting for ring space, COMMAND_WORDS words each, in [backlogStart, backlogEnd). */
  private backlog = new Uint32Array(0);
  private backlogF64 = new Float64Array(0);
  private backlogStart = 0;
  private backlogEnd = 0;

  constructor(
    private readonly views: MemoryViews,
    /** Stream slot (ring index) in device memory. */
    readonly slot: number,
  ) {
    const block = STREAMS_LOCATION + slot * STREAM_SIZE;
    this.headIndex = (block + STREAM_HEAD) / 4;
    this.doneIndex = (block + STREAM_DONE) / 4;
    this.ringWord = (RINGS_LOCATION + slot * RING_SIZE) / 4;
    this.enqueued = this.published = this.completedCache = this.completed();
  }

  /** Enqueues one command (fields as in assembly/abi.ts); returns its sequence number. */
  enqueue(
    opcode: number, dtype: number, dst: number, src0: number, src1: number,
    count: number, arg0: number, scalar: number,
  ): number {
    let words: Uint32Array;
    let doubles: Float64Array;
    let word: number;
    if (this.backlogStart === this.backlogEnd && this.hasRingSpace()) {
      words = this.views.u32;
      doubles = this.views.f64;
      word = this.ringWord + (this.published & (RING_COMMANDS - 1)) * COMMAND_WORDS;
    } else {
      word = this.reserveBacklog();
      words = this.backlog;
      doubles = this.backlogF64;
    }
    words[word] = opcode;
    words[word + 1] = dtype;
    words[word + 2] = dst;
    words[word + 3] = src0;
    words[word + 4] = src1;
    words[word + 5] = count;
    words[word + 6] = arg0;
    doubles[(word + SCALAR_WORD) >> 1] = scalar;
    if (words === this.views.u32) this.publish(1);
    else this.flush();
    return ++this.enqueued;
  }

  /** Commands the device has completed (an unwrapped sequence number). */
  completed(): number {
    const inFlight = (this.published - Atomics.load(this.views.i32, this.doneIndex)) >>> 0;
    return (this.completedCache = this.published - inFlight);
  }

  /** True once command `seq` (and so every command before it) has completed. */
  isComplete(seq: number): boolean {
    return seq <= this.completedCache || seq <= this.completed();
  }

  /** Moves backlog commands into free ring slots; returns true when the backlog is empty. */
  flush(): boolean {
    let moved = 0;
    while (this.backlogStart < this.backlogEnd && this.hasRingSpace(moved)) {
      const slot = (this.published + moved) & (RING_COMMANDS - 1);
      const run = Math.min(
        this.backlogEnd - this.backlogStart,
        RING_COMMANDS - slot,
        RING_COMMANDS - (this.published + moved - this.completedCache),
      );
      const from = this.backlogStart * COMMAND_WORDS;
      this.views.u32.set(
        this.backlog.subarray(from, from + run * COMMAND_WORDS),
        this.ringWord + slot * COMMAND_WORDS,
      );
      this.backlogStart += run;
      moved += run;
    }
    if (moved > 0) this.publish(moved);
    if (this.backlogStart < this.backlogEnd) return false;
    this.backlogStart = this.backlogEnd = 0;
    return true;
  }

  /** The stream's simulated clock: cycles at which its last completed command finished. */
  clockCycles(): number {
    return this.views.f64[(STREAMS_LOCATION + this.slot * STREAM_SIZE + STREAM_CLOCK_CYCLES) / 8]!;
  }

  /** The first fault on this stream, or undefined; clears it so it is reported once. */
  takeFault(): { status: number; seq: number } | undefined {
    const block = (STREAMS_LOCATION + this.slot * STREAM_SIZE) / 4;
    const status = Atomics.load(this.views.i32, block + STREAM_FAULT / 4);
    if (status === 0) return undefined;
    const seqLow = Atomics.load(this.views.u32, block + STREAM_FAULT_SEQ / 4);
    Atomics.store(this.views.i32, block + STREAM_FAULT / 4, 0);
    const seq = this.published - ((this.published - seqLow) >>> 0);
    return { status, seq };
  }

  /** Index of the DONE word in the i32 view, for Atomics.waitAsync. */
  get doneWordIndex(): number {
    return this.doneIndex;
  }

  /** Commands enqueued but not yet in the ring. */
  get backlogLength(): number {
    return this.backlogEnd - this.backlogStart;
  }

  private hasRingSpace(extra = 0): boolean {
    if (this.published + extra - this.completedCache < RING_COMMANDS) return true;
    return this.published + extra - this.completed() < RING_COMMANDS;
  }

  /** Publishes `count` more ring commands and rings the doorbell. */
  private publish(count: number): void {
    const { i32 } = this.views;
    this.published += count;
    Atomics.store(i32, this.headIndex, this.published | 0);
    Atomics.add(i32, doorbellIndex, 1);
    if (Atomics.load(i32, sleepingIndex) !== 0) Atomics.notify(i32, doorbellIndex, 1);
  }

  /** Returns the word index of a new backlog entry, growing the backlog when it is full. */
  private reserveBacklog(): number {
    if (this.backlogEnd * COMMAND_WORDS === this.backlog.length) {
      const live = this.backlogEnd - this.backlogStart;
      const capacity = Math.max(RING_COMMANDS, live * 2);
      const grown = new Uint32Array(capacity * COMMAND_WORDS);
      grown.set(this.backlog.subarray(this.backlogStart * COMMAND_WORDS, this.backlogEnd * COMMAND_WORDS));
      this.backlog = grown;
      this.backlogF64 = new Float64Array(grown.buffer);
      this.backlogStart = 0;
      this.backlogEnd = live;
    }
    return this.backlogEnd++ * COMMAND_WORDS;
  }
}
