// The shared-memory transport: the device's memory is one shared WebAssembly.Memory that host
// and firmware both see. Commands are published by the ring's own atomic store and notify,
// uploads are host writes into the heap, read-backs host reads, and waits Atomics.waitAsync on
// the words the firmware notifies (workers/firmware.ts).

import { EVENTS_LOCATION, EVENT_GENERATION, EVENT_SIZE, EVENT_TIME_CYCLES } from './layout.js';
import { memoryViews, type MemoryViews } from './memory-views.js';
import { viewLike, type DeviceTransport, type HostView, type WaitResult } from './transport.js';

/** The smallest common virtual-memory page: readAfter touches a fresh host array once per page (any larger page is touched too). */
const HOST_PAGE_BYTES = 4096;

/** One device's memory shared with its worker. */
export class SharedMemoryTransport implements DeviceTransport {
  readonly kind = 'shared-memory';
  readonly views: MemoryViews;
  readonly memoryBytes: number;
  readonly handoff: WebAssembly.Memory;
  readonly canBlock = true;
  /** The memory's SharedArrayBuffer (it never grows). */
  private readonly buffer: SharedArrayBuffer;
  readonly published = undefined;

  constructor(pages: number) {
    this.handoff = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.buffer = this.handoff.buffer as unknown as SharedArrayBuffer;
    this.views = memoryViews(this.buffer);
    this.memoryBytes = this.handoff.buffer.byteLength;
  }

  write(address: number, data: HostView): void {
    (viewLike(data, this.buffer, address, data.length) as Uint8Array).set(data as Uint8Array);
  }

  /**
   * The bytes go straight from the heap into the host array, with one TypedArray.set once the
   * command has run. That copy runs at memory speed; a new host array's cost is its first touch,
   * a page fault per page, which on some hosts (VMs that hand freed memory back to the
   * hypervisor) is far slower than the copy. So when `prepare` says the array is new and the
   * device busy with earlier work, its pages are touched now, while the device runs; on an idle
   * device there is nothing to overlap, and the copy touches the pages itself. The caller's array
   * is resident already, and is not written before the copy.
   */
  readAfter(_after: number, address: number, host: HostView, prepare: boolean): () => Promise<void> {
    if (prepare && host.byteLength > HOST_PAGE_BYTES) {
      const bytes = new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
      for (let at = 0; at < bytes.length; at += HOST_PAGE_BYTES) bytes[at] = 0;
    }
    return async () => {
      (host as Uint8Array).set(viewLike(host, this.buffer, address, host.length) as Uint8Array);
    };
  }

  fillEvent(slot: number, timeCycles: number, generation: number): void {
    const { f64, i32 } = this.views;
    const base = EVENTS_LOCATION + slot * EVENT_SIZE;
    f64[(base + EVENT_TIME_CYCLES) / 8] = timeCycles;
    Atomics.store(i32, (base + EVENT_GENERATION) / 4, generation);
    Atomics.notify(i32, (base + EVENT_GENERATION) / 4);
  }

  waitWord(index: number, value: number, timeoutMs: number): WaitResult | Promise<WaitResult> {
    const waiting = Atomics.waitAsync(this.views.i32, index, value, timeoutMs);
    return waiting.value;
  }

  wake(index: number): void {
    Atomics.notify(this.views.i32, index);
  }

  close(): void {}
}
