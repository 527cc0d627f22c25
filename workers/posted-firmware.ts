// The device firmware over the postMessage transport (src/runtime/message-transport.ts), for
// hosts that cannot share memory: the device memory is this realm's own, made from the image
// the host posted at start. Each HostBatch on the data port is applied in order (uploads,
// relayed event records, then the commands into their ring positions and RING_HEAD) and the
// core drains; a read-back is answered when the core has run the command it follows, before
// any later command can change the bytes. After each run a DeviceBatch goes back with
// everything the host reads. There is no polling and no sleeping: a device with nothing to run
// (or stopped at a wait for another device's event) simply waits for the next message. Policy
// is the core's, as with workers/firmware.ts.

import { unpackCommands } from '../src/runtime/command-batch.js';
import {
  ABI_VERSION, DEVICE_FAULTED, EVENTS_LOCATION, EVENT_GENERATION, EVENT_SIZE, EVENT_SLOTS, EVENT_TIME_CYCLES,
  HEADER_BLOCKED_EVENT, HEADER_DEVICE_INDEX, HEADER_DEVICE_STATE, HEADER_FAULT, HEADER_RING_HEAD, HEADER_RING_TAIL,
  HEAP_LOCATION, RECORDS_LOCATION, RECORD_SIZE, RING_COMMANDS, STREAMS_LOCATION, STREAMS_SIZE,
} from '../src/runtime/layout.js';
import type { DeviceBatch, DeviceReport, HostBatch, PostedMemory, PostedRead } from '../src/runtime/protocol.js';
import { STATUS_TRAP } from '../src/runtime/status.js';
import type { CoreExports } from './firmware.js';
import { coreImports } from './kernel-threads.js';

/** Commands per drain() call (more than the ring holds: one call runs all that is published). */
const DRAIN_BUDGET = 1 << 16;
const headIndex = HEADER_RING_HEAD / 4;
const tailIndex = HEADER_RING_TAIL / 4;

/** True once the command with ring count `count` (u32) has run, RING_TAIL being `tail`. */
function hasRun(count: number, tail: number): boolean {
  return ((tail - count - 1) >>> 0) < RING_COMMANDS;
}

/** One device's firmware on its own memory, fed over its data port. */
export class PostedFirmware {
  private readonly u32: Uint32Array;
  private readonly bytes: Uint8Array;
  private readonly f64: Float64Array;
  private running = false;
  private stopped = false;
  private trapNext = false;
  private executed = 0;
  /** Read-backs not yet answered, in ring order. */
  private reads: PostedRead[] = [];
  /** RING_TAIL, device state and blocked event as last posted. */
  private postedTail = 0;
  private postedState = -1;
  private postedBlocked = -1;
  /** Event generations as last posted, to post only the slots recorded since. */
  private readonly postedGenerations = new Uint32Array(EVENT_SLOTS);

  constructor(
    private readonly core: CoreExports,
    private readonly memory: WebAssembly.Memory,
    private readonly port: MessagePort,
  ) {
    this.u32 = new Uint32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.bytes = new Uint8Array(memory.buffer);
    for (let slot = 0; slot < EVENT_SLOTS; slot++) this.postedGenerations[slot] = this.u32[generationIndex(slot)]!;
    this.postedTail = this.u32[tailIndex]!;
    port.onmessage = (event: MessageEvent<HostBatch>) => this.receive(event.data);
  }

  /** Makes the device memory from `posted` (its own, not shared), instantiates `module` (its memory import unshared) on it. */
  static start(module: WebAssembly.Module, posted: PostedMemory): PostedFirmware {
    const memory = new WebAssembly.Memory({ initial: posted.pages, maximum: posted.pages });
    new Uint8Array(memory.buffer).set(new Uint8Array(posted.image));
    const instance = new WebAssembly.Instance(module, coreImports(memory));
    return new PostedFirmware(instance.exports as unknown as CoreExports, memory, posted.port);
  }

  /** Boots the core; on success runs what has arrived meanwhile. Returns the core's status code. */
  boot(): number {
    const status = this.core.boot();
    if (status === 0 && !this.running && !this.stopped) {
      this.running = true;
      this.run();
    }
    return status;
  }

  /** What the device reports about itself. */
  report(): DeviceReport {
    return {
      abiVersion: ABI_VERSION,
      deviceIndex: this.u32[HEADER_DEVICE_INDEX / 4]!,
      memoryBytes: this.memory.buffer.byteLength,
      heapLocation: HEAP_LOCATION,
      commandsExecuted: this.executed,
      kernelThreads: 1,
    };
  }

  /** Stops: no more batches are taken or answered. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    this.port.close();
  }

  /** Makes the next drain trap, as a core that hits `unreachable` would (fault injection), and runs now. */
  injectTrap(): void {
    this.trapNext = true;
    this.run();
  }

  /** Stops without a word: the device makes no more progress (fault injection). */
  hang(): void {
    this.running = false;
    this.stopped = true;
  }

  /** Applies one HostBatch, then runs the core. */
  private receive(batch: HostBatch): void {
    if (this.stopped) return;
    for (const { address, bytes } of batch.writes) this.bytes.set(bytes, address);
    for (const { slot, timeCycles, generation } of batch.fills) {
      const base = EVENTS_LOCATION + slot * EVENT_SIZE;
      this.f64[(base + EVENT_TIME_CYCLES) / 8] = timeCycles;
      Atomics.store(this.u32, (base + EVENT_GENERATION) / 4, generation);
    }
    unpackCommands(this.u32, batch.from, (batch.head - batch.from) >>> 0, batch.commands);
    Atomics.store(this.u32, headIndex, batch.head);
    for (const read of batch.reads) this.reads.push(read);
    this.run();
  }

  /** Drains the core, stopping at each read-back's command to answer it, then posts what changed. */
  private run(): void {
    if (!this.running) return;
    const answers: { id: number; bytes: ArrayBuffer }[] = [];
    for (;;) {
      const read = this.reads[0];
      const tail = this.u32[tailIndex]!;
      if (read !== undefined && hasRun(read.after, tail)) {
        this.reads.shift();
        answers.push({ id: read.id, bytes: this.bytes.slice(read.address, read.address + read.bytes).buffer });
        continue;
      }
      // Up to the next read-back's command, inclusive, so its bytes are taken before later commands run.
      const budget = read === undefined ? DRAIN_BUDGET : Math.min(DRAIN_BUDGET, ((read.after - tail) >>> 0) + 1);
      const ran = this.drain(budget);
      this.executed += ran;
      if (this.u32[HEADER_DEVICE_STATE / 4] === DEVICE_FAULTED) {
        this.running = false;
        break;
      }
      if (ran === 0) break;
    }
    this.post(answers);
  }

  /** Runs the core's drain(); a trap faults the device. */
  private drain(budget: number): number {
    try {
      if (this.trapNext) throw new WebAssembly.RuntimeError('unreachable (injected by mtia.debug.injectFault)');
      return this.core.drain(budget);
    } catch (trap) {
      this.u32[HEADER_FAULT / 4] = STATUS_TRAP;
      this.u32[HEADER_DEVICE_STATE / 4] = DEVICE_FAULTED;
      console.error(`mtia-sim: the core of device ${this.u32[HEADER_DEVICE_INDEX / 4]} trapped:`, trap);
      return 0;
    }
  }

  /** Posts a DeviceBatch if anything the host reads changed since the last. */
  private post(answers: { id: number; bytes: ArrayBuffer }[]): void {
    const { u32, bytes } = this;
    const tail = u32[tailIndex]!;
    const state = u32[HEADER_DEVICE_STATE / 4]!;
    const blocked = u32[HEADER_BLOCKED_EVENT / 4]!;
    const eventSlots: number[] = [];
    for (let slot = 0; slot < EVENT_SLOTS; slot++) {
      const generation = u32[generationIndex(slot)]!;
      if (generation === this.postedGenerations[slot]) continue;
      this.postedGenerations[slot] = generation;
      eventSlots.push(slot);
    }
    if (tail === this.postedTail && state === this.postedState && blocked === this.postedBlocked && answers.length === 0 && eventSlots.length === 0) return;
    const ran = (tail - this.postedTail) >>> 0;
    const records = new Uint8Array(ran * RECORD_SIZE);
    for (let at = 0, count = this.postedTail; at < ran; ) {
      const position = count & (RING_COMMANDS - 1);
      const run = Math.min(RING_COMMANDS - position, ran - at);
      const from = RECORDS_LOCATION + position * RECORD_SIZE;
      records.set(bytes.subarray(from, from + run * RECORD_SIZE), at * RECORD_SIZE);
      at += run;
      count += run;
    }
    const events = new Uint8Array(eventSlots.length * EVENT_SIZE);
    eventSlots.forEach((slot, i) => events.set(bytes.subarray(EVENTS_LOCATION + slot * EVENT_SIZE, EVENTS_LOCATION + (slot + 1) * EVENT_SIZE), i * EVENT_SIZE));
    const batch: DeviceBatch = {
      tail,
      state,
      fault: u32[HEADER_FAULT / 4]!,
      blocked,
      streams: bytes.slice(STREAMS_LOCATION, STREAMS_LOCATION + STREAMS_SIZE).buffer,
      eventSlots,
      events: events.buffer,
      recordsFrom: this.postedTail,
      records: records.buffer,
      reads: answers,
    };
    const transfer: Transferable[] = [batch.streams, batch.events, batch.records, ...answers.map((answer) => answer.bytes)];
    this.port.postMessage(batch, transfer);
    this.postedTail = tail;
    this.postedState = state;
    this.postedBlocked = blocked;
  }
}

/** Index of event slot `slot`'s generation word in a Uint32Array over device memory. */
function generationIndex(slot: number): number {
  return (EVENTS_LOCATION + slot * EVENT_SIZE + EVENT_GENERATION) / 4;
}
