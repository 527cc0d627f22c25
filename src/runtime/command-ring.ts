// The host end of a device's command ring: the "worker message queue" all its streams share.
//
// push() writes a 64-byte command into the ring in shared memory, and a tensor op's argument
// block into the block of the command's ring position (layout.ts ARGS_LOCATION). Commands are
// published (an atomic store of RING_HEAD) in batches: every PUBLISH_BATCH commands, at the end
// of the current task (a microtask), and on flush(). One store per command would cost a
// cache-line transfer to the polling worker each time (docs/benchmarks.md). A firmware that
// went to sleep is woken (Atomics.notify, a futex wake of several microseconds) once per burst,
// not once per batch: a burst ends at the end of the task, at flush() (every wait flushes), or
// after WAKE_BATCH commands, and the firmware polls for a while before it sleeps again
// (workers/firmware.ts), so a host that keeps issuing pays no wake-up per op.
//
// push() never waits for the device: when the ring is full, commands go to a host-side backlog
// (command and argument block), and flush() moves them in, in order, as the device frees ring
// space (called once per PUBLISH_BATCH backlogged pushes, at the end of the task, and by every
// wait). Commands keep the order in which they were pushed, whichever stream they belong to
// (assembly/layout.ts says why), so a command's ring count, and with it its argument block and
// its op record, is known when it is pushed.

import {
  ARGS_ADDRESS3, ARGS_BLOCK_SIZE, ARGS_LOCATION, COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_SCALAR, COMMAND_SIZE,
  COMMAND_SRC0, COMMAND_SRC1, COMMAND_STREAM, HEADER_RING_HEAD, HEADER_RING_TAIL, HEADER_SLEEPING,
  OP_ADD, OP_ADVANCE_CLOCK, OP_BINARY, OP_COPY, OP_DISCARD, OP_FILL, OP_NOP, OP_RANDOM, OP_RECORD_EVENT, OP_UNARY,
  OP_WAIT_EVENT, OP_WHERE, RING_COMMANDS, RING_LOCATION,
} from './layout.js';
import type { MemoryViews } from './memory-views.js';

/**
 * Where the end-of-task publish is scheduled: a resolved promise's reaction is a microtask, as
 * queueMicrotask's callback is, without the async-hooks resource Node makes for each of those.
 */
const afterTask = Promise.resolve();
/** Words of a command. */
export const COMMAND_WORDS = COMMAND_SIZE / 4;
/** Words of an argument block. */
export const ARGS_WORDS = ARGS_BLOCK_SIZE / 4;
/** A backlog (or recorded) entry: the command's words, then its argument block's. */
export const ENTRY_WORDS = COMMAND_WORDS + ARGS_WORDS;
/** An entry has an argument block: arg0 becomes the address of its ring position's block. */
export const RELOCATE_ARGS = 1;
/** src0 holds an offset into the entry's argument block (a scalar operand, src/tensor/launch.ts). */
export const RELOCATE_SRC0 = 2;
/** src1 holds an offset into the entry's argument block. */
export const RELOCATE_SRC1 = 4;
/** The block's operand-3 address (ARGS_ADDRESS3) holds an offset into the block. */
export const RELOCATE_ADDRESS3 = 8;
const argsWord = ARGS_LOCATION / 4;
const TWO_32 = 2 ** 32;
const headIndex = HEADER_RING_HEAD / 4;
const tailIndex = HEADER_RING_TAIL / 4;
const sleepingIndex = HEADER_SLEEPING / 4;
const ringWord = RING_LOCATION / 4;
/** Commands written before RING_HEAD is stored, at the most, in a burst of pushes. */
const PUBLISH_BATCH = 32;
/**
 * Commands published to a sleeping firmware before it is woken, at the most, within one task:
 * enough to spread a wake-up over many ops (Atomics.notify of a sleeping thread takes tens of
 * microseconds on the benchmark VM, and far longer when the machine is loaded, the call letting
 * the scheduler take the host's core; docs/benchmarks.md), few enough that the device soon
 * works alongside a host that keeps issuing, before the ring fills (half the ring).
 */
export const WAKE_BATCH = RING_COMMANDS / 2;

/**
 * Small work, which the host runs on its own core rather than wake the device worker for it
 * (host-core.ts): at most SMALL_COMMANDS commands not yet taken by the core, of SMALL_WORK
 * elements of work together. A tiny op takes the core a few tenths of a microsecond plus about
 * a nanosecond an element (docs/benchmarks.md, Small work on the host), so small work is done in about a
 * hundred microseconds at the most: what the two thread wake-ups it spares can cost on a busy
 * 2-core machine, and short enough not to hold up a page's main thread for a frame.
 */
export const SMALL_COMMANDS = 256;
export const SMALL_WORK = 1 << 16;

/** Queue operations: no work for the core but bookkeeping (their count is not elements). */
const QUEUE_OPERATIONS = new Set([OP_NOP, OP_RECORD_EVENT, OP_WAIT_EVENT, OP_ADVANCE_CLOCK, OP_DISCARD]);
/** Ops whose work is about their count: elements (bytes for a copy) read or written once each. */
const STREAMING_OPS = new Set([OP_ADD, OP_BINARY, OP_UNARY, OP_WHERE, OP_FILL, OP_RANDOM, OP_COPY]);

/**
 * Work of a command, in elements touched, when its caller gives none (see push()): none for a
 * queue operation, about its count for a streaming op, else unknown (Infinity: never small).
 */
function workOf(opcode: number, count: number): number {
  if (QUEUE_OPERATIONS.has(opcode)) return 0;
  return STREAMING_OPS.has(opcode) ? count : Infinity;
}

/** The host side of one device's command ring. */
export class CommandRing {
  /**
   * The latest device time (cycles) the host has seen the device reach, through a fence
   * (SimulatedDevice.fence): work issued afterwards, on any stream, cannot start before it.
   */
  hostFloorCycles = 0;
  /** Commands written into the ring and published through RING_HEAD. */
  private published: number;
  /** Commands written into the ring after those, not yet published. */
  private unpublished = 0;
  private publishScheduled = false;
  private readonly publishPending = () => {
    this.publishScheduled = false;
    if (this.backlogStart === this.backlogEnd) this.publish(true, this.hostRunsSmallWork);
    else this.flush();
  };
  /**
   * Set when the host runs small work on its own core when it waits (SimulatedDevice.runOnHost):
   * then a burst that leaves only small work pending does not wake a sleeping firmware at its
   * end, as a wake-up costs more than the work. The work runs at the host's next wait or query,
   * or with the next burst that is not small; a flush() (every wait) still wakes.
   */
  hostRunsSmallWork = false;
  /**
   * Published commands the firmware knows of: it was awake (SLEEPING clear) when they were
   * published, or has been woken for them since. Below `published` only while a wake-up waits
   * for the end of the burst.
   */
  private announced: number;
  /** Wake-ups sent to the firmware (Atomics.notify calls on RING_HEAD), for bench/dispatch. */
  wakeUps = 0;
  /** Last value read from RING_TAIL (commands the core has taken), unwrapped. */
  private taken: number;
  /** Commands waiting for ring space, ENTRY_WORDS words each, in [backlogStart, backlogEnd). */
  private backlog = new Uint32Array(0);
  private backlogF64 = new Float64Array(0);
  private backlogStart = 0;
  private backlogEnd = 0;
  /**
   * Called with a ring count c before the command with that count is written into the ring:
   * the op records of commands with counts up to c − RING_COMMANDS are about to be reused, so
   * whoever reads them (the profiler) must read them now.
   */
  recordsObserver: ((count: number) => void) | undefined;
  /** The work of the command at each ring position (push()'s `work`), for isSmall(). */
  private readonly work = new Float64Array(RING_COMMANDS);
  /**
   * Called after every publish, with RING_HEAD stored: the postMessage transport posts the new
   * commands to the worker from here (message-transport.ts). Unset over shared memory.
   */
  publishHook: (() => void) | undefined;

  constructor(private readonly views: MemoryViews) {
    this.published = this.taken = this.announced = Atomics.load(views.u32, headIndex);
  }

  /** Ring count of the command pushed last. */
  lastPushed = -1;

  /**
   * Dead-data hints not yet pushed, as (address, bytes) pairs: freed blocks whose bytes the SRAM
   * may drop without write-back (SimulatedDevice.release). The next stream that pushes a command
   * pushes them first (StreamQueue.prepare), so each lands in ring order after every command
   * issued before its free and before every command issued after it, without holding back the
   * free's own sequence number.
   */
  readonly discards: number[] = [];

  /** Ring count the next pushed command gets: commands pushed since the ring was made. */
  get pushedCount(): number {
    return this.published + this.unpublished + this.backlogEnd - this.backlogStart;
  }

  /**
   * True once the command of ring count `count` has been published (RING_HEAD passed it): the
   * device reads no command before, so an unpublished command cannot have run.
   */
  isPublished(count: number): boolean {
    return count < this.published;
  }

  /** Address of the argument block of the next pushed command. */
  nextArgsAddress(): number {
    return ARGS_LOCATION + (this.pushedCount & (RING_COMMANDS - 1)) * ARGS_BLOCK_SIZE;
  }

  /**
   * Appends one command for stream slot `stream` (fields as in assembly/abi.ts; addresses are
   * u64) and returns its ring count. With `args`, the words of its argument block, arg0 is set
   * to the block of its ring position (nextArgsAddress()) and the block written there. `work`:
   * the elements it touches, about (Infinity: many, or not known); by default from its opcode
   * and count.
   */
  push(
    stream: number, opcode: number, dtype: number, dst: number, src0: number, src1: number,
    count: number, arg0: number, scalar: number, args?: Uint32Array, work = workOf(opcode, count),
  ): number {
    const ringCount = (this.lastPushed = this.pushedCount);
    this.work[ringCount & (RING_COMMANDS - 1)] = work;
    if (args !== undefined) arg0 = this.nextArgsAddress();
    let words: Uint32Array;
    let doubles: Float64Array;
    let word: number;
    const direct = this.backlogStart === this.backlogEnd && this.hasSpace(this.unpublished + 1);
    if (direct) {
      this.recordsObserver?.(ringCount);
      words = this.views.u32;
      doubles = this.views.f64;
      word = ringWord + (ringCount & (RING_COMMANDS - 1)) * COMMAND_WORDS;
      if (args !== undefined) words.set(args, arg0 / 4);
    } else {
      word = this.reserveBacklog();
      words = this.backlog;
      doubles = this.backlogF64;
      if (args !== undefined) words.set(args, word + COMMAND_WORDS);
    }
    writeCommand(words, doubles, word, stream, opcode, dtype, dst, src0, src1, count, arg0, scalar);
    if (!direct) {
      // Moving backlog commands in reads RING_TAIL, a cache line the device writes: once per
      // batch, and at the end of the task, not on every push.
      if ((this.backlogEnd - this.backlogStart) % PUBLISH_BATCH === 0) this.flush();
      else if (!this.publishScheduled) {
        this.publishScheduled = true;
        afterTask.then(this.publishPending);
      }
    } else if (++this.unpublished >= PUBLISH_BATCH) {
      this.publish(false);
    } else if (!this.publishScheduled) {
      this.publishScheduled = true;
      afterTask.then(this.publishPending);
    }
    return ringCount;
  }

  /**
   * Appends `n` commands given as entries of ENTRY_WORDS words (the command's, then its
   * argument block's) and publishes them at once: a graph replay (src/mtia/graph.ts) is one
   * ring write. `relocations[i]` says which fields of entry i hold offsets into its argument
   * block (RELOCATE_*; stream-capture.ts records them), made addresses of the block of the
   * command's ring position here. Returns the ring count of the last.
   */
  pushEntries(entries: Uint32Array, relocations: Uint8Array, n: number): number {
    const first = this.pushedCount;
    for (let i = 0; i < n; i++) this.work[(first + i) & (RING_COMMANDS - 1)] = Infinity; // a graph's: not looked into
    const direct = this.backlogStart === this.backlogEnd && this.hasSpace(this.unpublished + n);
    if (direct) this.recordsObserver?.(first + n - 1);
    for (let i = 0; i < n; i++) {
      const position = (first + i) & (RING_COMMANDS - 1);
      let word: number;
      let argsAt: number;
      if (direct) {
        word = ringWord + position * COMMAND_WORDS;
        argsAt = argsWord + position * ARGS_WORDS;
      } else {
        word = this.reserveBacklog();
        argsAt = word + COMMAND_WORDS;
      }
      const words = direct ? this.views.u32 : this.backlog;
      const from = i * ENTRY_WORDS;
      for (let k = 0; k < COMMAND_WORDS; k++) words[word + k] = entries[from + k]!;
      const relocation = relocations[i]!;
      if (relocation === 0) continue;
      for (let k = 0; k < ARGS_WORDS; k++) words[argsAt + k] = entries[from + COMMAND_WORDS + k]!;
      const block = ARGS_LOCATION + position * ARGS_BLOCK_SIZE;
      words[word + COMMAND_ARG0 / 4] = block;
      if (relocation & RELOCATE_SRC0) words[word + COMMAND_SRC0 / 4] = entries[from + COMMAND_SRC0 / 4]! + block;
      if (relocation & RELOCATE_SRC1) words[word + COMMAND_SRC1 / 4] = entries[from + COMMAND_SRC1 / 4]! + block;
      if (relocation & RELOCATE_ADDRESS3) words[argsAt + ARGS_ADDRESS3] = entries[from + COMMAND_WORDS + ARGS_ADDRESS3]! + block;
    }
    this.lastPushed = first + n - 1;
    if (direct) {
      this.unpublished += n;
      this.publish(true);
    } else {
      this.flush();
    }
    return this.lastPushed;
  }

  /**
   * Publishes every command written so far and moves backlog commands into free ring space;
   * returns true when the backlog is empty.
   */
  flush(): boolean {
    this.publish(true);
    let moved = 0;
    const ring = this.views.u32;
    while (this.backlogStart < this.backlogEnd && this.hasSpace(moved + 1)) {
      const position = (this.published + moved) & (RING_COMMANDS - 1);
      const free = RING_COMMANDS - (this.published + moved - this.taken);
      const run = Math.min(this.backlogEnd - this.backlogStart, RING_COMMANDS - position, free);
      this.recordsObserver?.(this.published + moved + run - 1);
      for (let i = 0; i < run; i++) {
        const from = (this.backlogStart + i) * ENTRY_WORDS;
        ring.set(this.backlog.subarray(from, from + COMMAND_WORDS), ringWord + (position + i) * COMMAND_WORDS);
        ring.set(this.backlog.subarray(from + COMMAND_WORDS, from + ENTRY_WORDS), argsWord + (position + i) * ARGS_WORDS);
      }
      this.backlogStart += run;
      moved += run;
    }
    if (moved > 0) {
      this.unpublished = moved;
      this.publish(true);
    }
    if (this.backlogStart < this.backlogEnd) return false;
    this.backlogStart = this.backlogEnd = 0;
    return true;
  }

  /**
   * True when the commands pushed and not yet taken by the core (RING_TAIL is `tail`) are small
   * work (SMALL_COMMANDS, SMALL_WORK), none of them waiting in the backlog.
   */
  isSmall(tail: number): boolean {
    const pending = (this.pushedCount - tail) >>> 0;
    if (pending > SMALL_COMMANDS || this.backlogStart !== this.backlogEnd) return false;
    let work = 0;
    for (let count = this.pushedCount - pending; count < this.pushedCount; count++) work += this.work[count & (RING_COMMANDS - 1)]!;
    return work <= SMALL_WORK;
  }

  /**
   * Publishes every command written so far without waking the firmware: the host's own core
   * runs them at once (SimulatedDevice.runOnHost), holding the core, so the firmware has nothing
   * to be told. The backlog must be empty.
   */
  publishQuietly(): void {
    this.storeHead();
    this.announced = this.published;
  }

  /** Wakes the firmware if it sleeps, for commands the host's own core left in the ring. */
  wakeFirmware(): void {
    this.announced = this.published;
    if (Atomics.load(this.views.i32, sleepingIndex) === 0) return;
    this.wakeUps++;
    Atomics.notify(this.views.i32, headIndex, 1);
  }

  /** Commands pushed but still in the host-side backlog. */
  get backlogLength(): number {
    return this.backlogEnd - this.backlogStart;
  }

  /** True if `count` more commands fit in the ring, reading RING_TAIL only when the cache says no. */
  private hasSpace(count: number): boolean {
    if (this.published + count - this.taken <= RING_COMMANDS) return true;
    const inRing = (this.published - Atomics.load(this.views.u32, tailIndex)) >>> 0;
    this.taken = this.published - inRing;
    return inRing + count <= RING_COMMANDS;
  }

  /**
   * Publishes the commands written but not yet published. A sleeping firmware is woken if
   * `endOfBurst`, or once WAKE_BATCH commands wait for it; otherwise the wake-up waits for the
   * end of the burst (the task's microtask, which is then scheduled, or a flush()). With
   * `leaveSmall`, not at all while the work the core has not taken is small (hostRunsSmallWork).
   */
  private publish(endOfBurst: boolean, leaveSmall = false): void {
    const { i32 } = this.views;
    this.storeHead();
    if (this.announced === this.published) return;
    if (leaveSmall && this.isSmall(Atomics.load(i32, tailIndex))) return;
    // Read after the store (both sequentially consistent): a firmware that reads RING_HEAD
    // before it sleeps either saw the new head or set SLEEPING before this load.
    if (Atomics.load(i32, sleepingIndex) === 0) {
      this.announced = this.published;
    } else if (endOfBurst || this.published - this.announced >= WAKE_BATCH) {
      this.announced = this.published;
      this.wakeUps++;
      Atomics.notify(i32, headIndex, 1);
    } else if (!this.publishScheduled) {
      this.publishScheduled = true;
      afterTask.then(this.publishPending);
    }
  }

  /** Stores RING_HEAD past the commands written but not yet published. */
  private storeHead(): void {
    if (this.unpublished === 0) return;
    this.published += this.unpublished;
    this.unpublished = 0;
    Atomics.store(this.views.i32, headIndex, this.published | 0);
    this.publishHook?.();
  }

  /** Returns the word index of a new backlog entry, growing the backlog when it is full. */
  private reserveBacklog(): number {
    if (this.backlogEnd * ENTRY_WORDS === this.backlog.length) {
      const live = this.backlogEnd - this.backlogStart;
      const grown = new Uint32Array(Math.max(RING_COMMANDS, live * 2) * ENTRY_WORDS);
      grown.set(this.backlog.subarray(this.backlogStart * ENTRY_WORDS, this.backlogEnd * ENTRY_WORDS));
      this.backlog = grown;
      this.backlogF64 = new Float64Array(grown.buffer);
      this.backlogStart = 0;
      this.backlogEnd = live;
    }
    return this.backlogEnd++ * ENTRY_WORDS;
  }
}

/**
 * Writes one command (fields as in assembly/abi.ts; addresses are u64) at word index `word`
 * of `words`, a ring or a backlog or a capture's recording, with `doubles` over the same buffer.
 */
export function writeCommand(
  words: Uint32Array, doubles: Float64Array, word: number, stream: number, opcode: number, dtype: number,
  dst: number, src0: number, src1: number, count: number, arg0: number, scalar: number,
): void {
  words[word] = opcode;
  words[word + 1] = dtype;
  words[word + 2] = words[word + 3] = 0; // reserved
  setU64(words, word + COMMAND_COUNT / 4, count); // u64: timing-only ops may pass 2^32 elements
  words[word + COMMAND_ARG0 / 4] = arg0;
  words[word + COMMAND_STREAM / 4] = stream;
  setU64(words, word + COMMAND_DST / 4, dst);
  setU64(words, word + COMMAND_SRC0 / 4, src0);
  setU64(words, word + COMMAND_SRC1 / 4, src1);
  doubles[(word + COMMAND_SCALAR / 4) >> 1] = scalar;
}

/** Writes `value` (an integer below 2^53) as a little-endian u64 at words[at], words[at + 1]. */
function setU64(words: Uint32Array, at: number, value: number): void {
  words[at] = value >>> 0; // ToUint32: the value modulo 2^32
  words[at + 1] = value < TWO_32 ? 0 : Math.floor(value / TWO_32);
}
