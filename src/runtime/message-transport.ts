// The postMessage transport, for hosts that cannot share memory with workers (a browser page
// without cross-origin isolation, or mtia.configure({ transport: 'postMessage' })). The host
// keeps a mirror of the device memory's first bytes (header, profile, stream, engine and event
// blocks, the command ring, argument blocks and op records: everything below the core's static
// data); the command ring writes into it exactly as into shared memory. Each publish posts the
// new commands with their argument blocks, the uploads queued before them, the read-backs they
// answer and relayed event records as one HostBatch on the device's data port; the firmware
// (workers/posted-firmware.ts) copies them into the same places of its own memory, runs the core
// and posts back a DeviceBatch with what the host reads: RING_TAIL, the device state and fault
// words, the stream blocks, the event slots recorded and the op records of the commands run,
// and the bytes of read-backs. Host waits are promises resolved by those messages instead of
// Atomics.waitAsync on shared words. The host can never block until the device moves (messages
// arrive only between tasks), so canBlock is false.

import { packCommands } from './command-batch.js';
import { unrefPort } from './environment.js';
import {
  CORE_DATA_LOCATION, EVENTS_LOCATION, EVENT_GENERATION, EVENT_SIZE, EVENT_TIME_CYCLES, HEADER_BLOCKED_EVENT,
  HEADER_DEVICE_STATE, HEADER_FAULT, HEADER_RING_HEAD, HEADER_RING_TAIL, RECORDS_LOCATION, RECORD_SIZE, RING_COMMANDS,
  RING_LOCATION, STREAMS_LOCATION,
} from './layout.js';
import { memoryViews, type MemoryViews } from './memory-views.js';
import type { DeviceBatch, HostBatch, PostedEventFill, PostedMemory, PostedRead, PostedWrite } from './protocol.js';
import { viewLike, type DeviceTransport, type HostView, type WaitResult } from './transport.js';

const WASM_PAGE_BYTES = 65536;
const headIndex = HEADER_RING_HEAD / 4;

/** A pending read-back. */
interface ReadRequest {
  resolve(bytes: ArrayBuffer): void;
  reject(error: Error): void;
}

/** One device reached over its data port. */
export class MessageTransport implements DeviceTransport {
  readonly kind = 'postMessage';
  readonly views: MemoryViews;
  readonly memoryBytes: number;
  readonly canBlock = false;
  readonly published = (): void => this.send();
  /** The host's copy of device memory below the core's static data. */
  private readonly mirror = new ArrayBuffer(CORE_DATA_LOCATION);
  private readonly bytes = new Uint8Array(this.mirror);
  private readonly port: MessagePort;
  private readonly firmwarePort: MessagePort;
  /** RING_HEAD (u32) as last posted: commands before it have been sent. */
  private sent = 0;
  private writes: PostedWrite[] = [];
  private reads: PostedRead[] = [];
  private fills: PostedEventFill[] = [];
  private readonly pendingReads = new Map<number, ReadRequest>();
  private nextRead = 1;
  /** Wake-ups of pending waitWord() calls: every DeviceBatch (and wake()) calls them all. */
  private waiters = new Set<(result: WaitResult) => void>();
  private closed = false;

  constructor(private readonly pages: number) {
    this.views = memoryViews(this.mirror);
    this.memoryBytes = pages * WASM_PAGE_BYTES;
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.firmwarePort = channel.port2;
    this.port.onmessage = (event: MessageEvent<DeviceBatch>) => this.receive(event.data);
    unrefPort(this.port); // the device's worker is ref()'d while the host waits (WorkerLink.hold)
  }

  /** The firmware's start: the header, profile and blocks as written so far, and the data port. Taken once, at connect. */
  get handoff(): PostedMemory {
    return { pages: this.pages, image: this.mirror.slice(0, RING_LOCATION), port: this.firmwarePort };
  }

  write(address: number, data: HostView): void {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.writes.push({ address, bytes });
  }

  /** The firmware posts the bytes (a transferred buffer, returned as it is unless `into` is given). */
  readAfter(after: number, address: number, host: HostView, _prepare: boolean): () => Promise<void> {
    const bytes = host.byteLength;
    const id = this.nextRead++;
    const answer = new Promise<ArrayBuffer>((resolve, reject) => this.pendingReads.set(id, { resolve, reject }));
    answer.catch(() => {}); // a lost device rejects the fence the caller awaits first
    this.reads.push({ id, after: after >>> 0, address, bytes });
    if (this.closed) this.pendingReads.get(id)!.reject(new Error('the device is closed'));
    return async () => {
      const posted = await answer;
      (host as Uint8Array).set(viewLike(host, posted, 0, host.length) as Uint8Array);
    };
  }

  fillEvent(slot: number, timeCycles: number, generation: number): void {
    const { f64, u32 } = this.views;
    const base = EVENTS_LOCATION + slot * EVENT_SIZE;
    f64[(base + EVENT_TIME_CYCLES) / 8] = timeCycles;
    u32[(base + EVENT_GENERATION) / 4] = generation;
    this.fills.push({ slot, timeCycles, generation });
    this.send();
  }

  waitWord(index: number, value: number, timeoutMs: number): WaitResult | Promise<WaitResult> {
    if (this.views.i32[index] !== value) return 'not-equal';
    if (this.closed) return 'ok';
    return new Promise((resolve) => {
      const wake = (result: WaitResult) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(result);
      };
      const timer = setTimeout(() => wake('timed-out'), timeoutMs);
      this.waiters.add(wake);
    });
  }

  wake(_index: number): void {
    this.wakeAll();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    for (const request of this.pendingReads.values()) request.reject(new Error('the device is closed'));
    this.pendingReads.clear();
    this.wakeAll();
  }

  /** Posts everything published or queued since the last batch. */
  private send(): void {
    if (this.closed) return;
    const head = this.views.u32[headIndex]!;
    const count = (head - this.sent) >>> 0;
    if (count === 0 && this.writes.length === 0 && this.reads.length === 0 && this.fills.length === 0) return;
    const commands = packCommands(this.views.u32, this.sent, this.sent + count);
    const batch: HostBatch = { from: this.sent, head, commands, writes: this.writes, reads: this.reads, fills: this.fills };
    const transfer: Transferable[] = [commands.buffer];
    for (const write of this.writes) transfer.push(write.bytes.buffer);
    this.port.postMessage(batch, transfer);
    this.sent = head;
    this.writes = [];
    this.reads = [];
    this.fills = [];
  }

  /** Copies what the firmware posted into the mirror, answers read-backs and wakes every wait. */
  private receive(batch: DeviceBatch): void {
    if (this.closed) return;
    const { bytes } = this;
    const records = new Uint8Array(batch.records);
    for (let at = 0, count = batch.recordsFrom; at < records.length; ) {
      const position = count & (RING_COMMANDS - 1);
      const run = Math.min(RING_COMMANDS - position, (records.length - at) / RECORD_SIZE);
      bytes.set(records.subarray(at, at + run * RECORD_SIZE), RECORDS_LOCATION + position * RECORD_SIZE);
      at += run * RECORD_SIZE;
      count += run;
    }
    bytes.set(new Uint8Array(batch.streams), STREAMS_LOCATION);
    const events = new Uint8Array(batch.events);
    batch.eventSlots.forEach((slot, i) => bytes.set(events.subarray(i * EVENT_SIZE, (i + 1) * EVENT_SIZE), EVENTS_LOCATION + slot * EVENT_SIZE));
    const { u32 } = this.views;
    u32[HEADER_FAULT / 4] = batch.fault;
    u32[HEADER_DEVICE_STATE / 4] = batch.state;
    u32[HEADER_BLOCKED_EVENT / 4] = batch.blocked;
    u32[HEADER_RING_TAIL / 4] = batch.tail;
    for (const { id, bytes: data } of batch.reads) {
      this.pendingReads.get(id)?.resolve(data);
      this.pendingReads.delete(id);
    }
    this.wakeAll();
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake('ok');
  }
}
