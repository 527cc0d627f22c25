// One stream of a device as the host sees it: an in-order queue inside the device's command
// ring, with its own sequence numbers, completion counter (DONE), fault counter and simulated
// clock. Sequence numbers count the stream's commands from 1; DONE in shared memory is the
// same count modulo 2^32.

import type { CommandRing } from './command-ring.js';
import {
  OP_ADVANCE_CLOCK, OP_DISCARD, STREAMS_LOCATION, STREAM_CLOCK_CYCLES, STREAM_DONE, STREAM_FAULT, STREAM_FAULT_COUNT, STREAM_FAULT_SEQ,
  STREAM_SIZE,
} from './layout.js';
import type { MemoryViews } from './memory-views.js';
import type { StreamCapture } from './stream-capture.js';

/** The host side of one stream slot. */
export class StreamQueue {
  /** Sequence number of the last enqueued command (0 before the first). */
  enqueued: number;
  /** Last completion count read from DONE; a lower bound of the true count. */
  private completedCache: number;
  /**
   * The earliest of this stream's commands that the ring may not have published yet: its
   * sequence number and ring count (-1: none). Neither it nor any later command of the stream
   * can have completed while it is unpublished, which isComplete() then knows without reading
   * DONE, a cache line the device writes after every command (bench/dispatch: a tiny op's free
   * asks whether the op it just enqueued has completed).
   */
  private unpublishedSeq = 0;
  private unpublishedRing = -1;
  /** STREAM_FAULT_COUNT when faults were last taken. */
  private faultsReported: number;
  /** The ring's host floor this stream's clock has been advanced to. */
  private floorCycles = 0;
  /** Index of the DONE word in the Int32Array view, for Atomics.waitAsync. */
  readonly doneWordIndex: number;
  private readonly blockWord: number;
  /**
   * The capture underway on this stream, if any: its commands are recorded there instead of
   * pushed (stream-capture.ts), and get no sequence numbers.
   */
  capture: StreamCapture | undefined;

  constructor(
    private readonly ring: CommandRing,
    private readonly views: MemoryViews,
    /** Stream slot in device memory. */
    readonly slot: number,
  ) {
    this.blockWord = (STREAMS_LOCATION + slot * STREAM_SIZE) / 4;
    this.doneWordIndex = this.blockWord + STREAM_DONE / 4;
    this.enqueued = this.completedCache = Atomics.load(views.u32, this.doneWordIndex);
    this.faultsReported = Atomics.load(views.u32, this.blockWord + STREAM_FAULT_COUNT / 4);
  }

  /**
   * Enqueues one command on this stream (fields as in assembly/abi.ts; `args`: its argument
   * block, and `work`: the elements it touches, CommandRing.push); returns its sequence number. If the host has seen the device reach a later time than this stream's clock may
   * show, an OP_ADVANCE_CLOCK goes first: nothing issued after a synchronize starts before it.
   * While the stream captures, the command is recorded instead, and the last sequence number
   * returned.
   */
  enqueue(
    opcode: number, dtype: number, dst: number, src0: number, src1: number,
    count: number, arg0: number, scalar: number, args?: Uint32Array, work?: number,
  ): number {
    if (this.capture !== undefined) {
      this.capture.record(this.ring.nextArgsAddress(), this.slot, opcode, dtype, dst, src0, src1, count, arg0, scalar, args);
      return this.enqueued;
    }
    this.prepare();
    this.pushed(this.ring.push(this.slot, opcode, dtype, dst, src0, src1, count, arg0, scalar, args, work), this.enqueued + 1);
    return ++this.enqueued;
  }

  /**
   * Enqueues `count` commands given as ring entries (a graph launch and its jobs,
   * StreamCapture.launchEntries) with one ring write; returns the sequence number of the last.
   */
  enqueueEntries(entries: Uint32Array, relocations: Uint8Array, count: number): number {
    this.prepare();
    const last = this.ring.pushEntries(entries, relocations, count);
    if (count > 0) this.pushed(last - count + 1, this.enqueued + 1);
    return (this.enqueued += count);
  }

  /**
   * Pushes the clock advance the next command needs, if any, so that the ring count (and
   * argument block) the next enqueue() gets is the ring's next one.
   */
  prepare(): void {
    if (this.capture !== undefined) return; // a capture records no clock advances
    const ring = this.ring;
    if (ring.discards.length > 0) this.pushDiscards();
    if (this.floorCycles < ring.hostFloorCycles) {
      this.floorCycles = ring.hostFloorCycles;
      this.pushed(ring.push(this.slot, OP_ADVANCE_CLOCK, 0, 0, 0, 0, 0, 0, this.floorCycles), this.enqueued + 1);
      this.enqueued++;
    }
  }

  /** Pushes the ring's pending dead-data hints (CommandRing.discards) as OP_DISCARD queue operations of this stream. */
  private pushDiscards(): void {
    const ring = this.ring;
    const discards = ring.discards;
    for (let i = 0; i < discards.length; i += 2) {
      this.pushed(ring.push(this.slot, OP_DISCARD, 0, discards[i]!, 0, 0, 0, 0, discards[i + 1]!), this.enqueued + 1);
      this.enqueued++;
    }
    discards.length = 0;
  }

  /** Commands of this stream the device has completed (an unwrapped sequence number). */
  completed(): number {
    const pending = (this.enqueued - Atomics.load(this.views.i32, this.doneWordIndex)) >>> 0;
    return (this.completedCache = this.enqueued - pending);
  }

  /** True once command `seq` (and so every earlier command of this stream) has completed. */
  isComplete(seq: number): boolean {
    if (seq <= this.completedCache) return true;
    if (seq >= this.unpublishedSeq && !this.ring.isPublished(this.unpublishedRing)) return false;
    return seq <= this.completed();
  }

  /** Notes that this stream's command `seq` was pushed with ring count `ringCount`. */
  private pushed(ringCount: number, seq: number): void {
    if (this.ring.isPublished(this.unpublishedRing)) {
      this.unpublishedRing = ringCount;
      this.unpublishedSeq = seq;
    }
  }

  /** The stream's simulated clock: cycles at which its last completed command finished. */
  clockCycles(): number {
    return this.views.f64[(this.blockWord * 4 + STREAM_CLOCK_CYCLES) / 8]!;
  }

  /**
   * Failures of this stream's commands since the last call, or undefined if there were none:
   * how many, and the status and sequence number of the latest.
   */
  takeFaults(): { count: number; status: number; seq: number } | undefined {
    const { u32 } = this.views;
    const total = Atomics.load(u32, this.blockWord + STREAM_FAULT_COUNT / 4);
    const count = (total - this.faultsReported) >>> 0;
    if (count === 0) return undefined;
    this.faultsReported = total;
    const seqLow = u32[this.blockWord + STREAM_FAULT_SEQ / 4]!;
    return { count, status: u32[this.blockWord + STREAM_FAULT / 4]!, seq: this.enqueued - ((this.enqueued - seqLow) >>> 0) };
  }
}
