// The host side of one simulated device: its memory (through its transport), command ring and
// stream queues, event slots, caching allocator, and the worker that runs its core. Allocation is host
// bookkeeping (as cudaMalloc and PyTorch's caching allocator are); frees are stream-ordered;
// host data reaches the device by host writes into blocks no queued command can still touch
// (allocateForHost), charged and ordered by a stream-ordered copy command, and leaves it the
// same way round: a stream-ordered copy charges the transfer and the host reads the block once
// its stream has passed it. Neither direction needs device memory for staging. Those writes,
// reads and waits go through the device's transport: shared memory, or messages where memory
// cannot be shared (transport.ts).

import { DeviceLostError, MtiaError } from '../errors.js';
import { CachingAllocator } from '../memory/caching-allocator.js';
import { SMALL_SIZE_BYTES } from '../memory/blocks.js';
import type { HardwareProfile } from '../profiles.js';
import type { DebugFault, DeviceConnector, DeviceLink, DeviceReport, TransportKind } from './protocol.js';
import { CommandRing, SMALL_COMMANDS } from './command-ring.js';
import { HostCore } from './host-core.js';
import { scopes } from './current-scope.js';
import { DeviceHeap } from './heap.js';
import {
  ABI_VERSION, COPY_DEVICE_TO_HOST, COPY_HOST_TO_DEVICE, DEVICE_FAULTED, HEADER_ABI_VERSION, HEADER_BLOCKED_EVENT,
  HEADER_DEVICE_INDEX, HEADER_DEVICE_STATE, HEADER_FAULT, HEADER_MEMORY_END, HEADER_PROGRESS, HEADER_RING_HEAD, HEADER_RING_TAIL,
  HEADER_TIMING_ONLY,
  HEAP_LOCATION, OP_COPY, OP_RECORD_EVENT, PROFILE_LOCATION, STREAM_SLOTS,
} from './layout.js';
import { profileFields } from './profile-block.js';
import type { MemoryViews } from './memory-views.js';
import { MessageTransport } from './message-transport.js';
import { SharedMemoryTransport } from './shared-memory-transport.js';
import type { DeviceTransport, HostView } from './transport.js';
import { STATUS_OK, describeStatus, statusError } from './status.js';
import { EventSlots } from './event-slots.js';
import { hostSynchronized } from './stream-sanitizer.js';
import { opObserver } from './op-observer.js';
import { StreamQueue } from './stream-queue.js';
import { wakeProgressWaiters } from './progress.js';

const WASM_PAGE_BYTES = 65536;
/** Index of RING_TAIL in an Int32Array over device memory: waits sleep on it while the ring is backlogged. */
const RING_TAIL_WORD = HEADER_RING_TAIL / 4;
/**
 * Work of a host copy's command for the core (CommandRing.push): the host moves the bytes, the
 * core only times the transfer, whatever its size.
 */
const HOST_COPY_WORK = 0;
/** Longest the host blocks waiting for a device before out-of-memory (see blockUntilIdle). */
const BLOCKING_WAIT_MS = 10_000;

/** One simulated MTIA device as the host sees it. */
export class SimulatedDevice {
  /** How commands, data and completions travel between host and firmware. */
  readonly transport: DeviceTransport;
  /** The host's words of device memory (shared, or the postMessage transport's mirror). */
  readonly views: MemoryViews;
  /** The device's "cudaMalloc": where the caching allocator reserves its segments. */
  readonly heap: DeviceHeap;
  /** Tensor and argument-block memory: a caching allocator over `heap` with stream-ordered reuse. */
  readonly allocator: CachingAllocator;
  /** The command ring all streams of the device share. */
  readonly ring: CommandRing;
  /** Stream queues by slot, made on first use; slot 0 is the default stream. */
  readonly queues: StreamQueue[];
  /** The device's event slots. */
  readonly eventSlots: EventSlots;
  /** The slot the next new stream gets (streams share slots round-robin past the last). */
  private nextStreamSlot = 1;
  /** Resolves when the worker has booted; rejects (handled) if it could not. */
  readonly booted: Promise<void>;
  /**
   * Milliseconds a wait sees no completion before it checks that the worker still answers
   * (checkStalled); the runtime sets it to the control timeout.
   */
  stallCheckMs = 30_000;
  private link: DeviceLink | undefined;
  /** The host's own instance of the core, for small work it waits for (host-core.ts); none over messages, or when configured off. */
  private hostCore: HostCore | undefined;
  /** Commands the host's own core has run (runOnHost), for tests and benchmarks. */
  commandsRunOnHost = 0;
  private lost: DeviceLostError | undefined;
  private holds = 0;
  private lastSignature: number | undefined;
  private stallProbe: Promise<void> | undefined;

  constructor(
    /** Device index (mtia:N). */
    readonly index: number,
    readonly profile: HardwareProfile,
    /** Heap capacity in bytes (the device's total memory). */
    readonly memoryBytes: number,
    connect: DeviceConnector,
    /**
     * Timing-only mode: device memory is virtual (no bytes behind the heap, which may be far
     * larger than this machine's memory), kernels do not run, and values cannot be read.
     */
    readonly timingOnly = false,
    /** The transport (runtime.ts resolves mtia.configure's `transport` option). */
    transport: TransportKind = 'shared-memory',
    /** mtia.configure's `hostRunsSmallWork`: the host runs small work it waits for on its own core (host-core.ts). */
    private readonly hostRunsSmallWork = false,
  ) {
    const pages = Math.ceil((HEAP_LOCATION + (timingOnly ? 0 : memoryBytes)) / WASM_PAGE_BYTES);
    this.transport = transport === 'shared-memory' ? new SharedMemoryTransport(pages) : new MessageTransport(pages);
    this.views = this.transport.views;
    this.writeHeader();
    this.heap = new DeviceHeap(HEAP_LOCATION, memoryBytes);
    this.allocator = new CachingAllocator(index, this.heap, undefined, () => this.blockUntilIdle());
    this.ring = new CommandRing(this.views);
    this.ring.publishHook = this.transport.published;
    this.queues = [new StreamQueue(this.ring, this.views, 0)];
    this.eventSlots = new EventSlots(this.views, () => this.blockUntilIdle());
    this.booted = this.boot(connect);
    this.booted.catch(() => {}); // surfaced through every wait instead
  }

  /** The default stream's queue. */
  get defaultQueue(): StreamQueue {
    return this.queues[0]!;
  }

  /** The queue of this device's current stream in the running async context: where ops are enqueued. */
  get currentQueue(): StreamQueue {
    if (!scopes.anyStreamSet) return this.queues[0]!;
    return scopes.current().streams.get(this)?.queue ?? this.queues[0]!;
  }

  /** The id of this device's current stream in the running async context (set by mtia.setStream). */
  get currentStreamId(): number {
    return scopes.current().streams.get(this)?.streamId ?? 0;
  }

  /**
   * The queue for a new stream: slots 1 to STREAM_SLOTS-1 in turn. Past the last, new streams
   * share slots round-robin (like CUDA's pool of streams): their work is then serialised, which
   * is always a valid schedule.
   */
  newStreamQueue(): StreamQueue {
    const slot = this.nextStreamSlot;
    this.nextStreamSlot = slot === STREAM_SLOTS - 1 ? 1 : slot + 1;
    return (this.queues[slot] ??= new StreamQueue(this.ring, this.views, slot));
  }

  /** True until the device is lost or shut down. */
  get alive(): boolean {
    return this.lost === undefined;
  }

  /**
   * Allocates `bytes` of device memory for use on `queue` (default: the current stream);
   * throws OutOfMemoryError when it cannot.
   */
  allocate(bytes: number, queue = this.currentQueue): number {
    this.assertAlive();
    return this.allocator.malloc(bytes, queue);
  }

  /**
   * Frees the block at `address`, stream-ordered: its own stream may reuse it at once, other
   * streams once it has completed the work enqueued so far, and streams passed to
   * recordStream must pass their current work first.
   */
  release(address: number): void {
    const bytes = this.deadBytes(address);
    this.allocator.free(address); // on a lost device too: its memory stats must come back down
    if (bytes > 0) this.ring.discards.push(address, bytes);
  }

  /**
   * The bytes of the block at `address`, being freed, that the SRAM may drop as dead data
   * without write-back (0: none). The hint (CommandRing.discards) becomes an OP_DISCARD queue
   * operation ahead of the next command any stream pushes: in ring order after every command
   * issued before the free, and before any that could reuse the block (ISCA'25 §4.1–4.2: memory
   * hints can skip dead tensors' write-backs). Assumed (profile.discardFreedBlocks): the runtime
   * hints every block of the large pool (over SMALL_SIZE_BYTES, 1 MiB); a small block is soon
   * reused by the next op on its stream, whose write overwrites its lines without a write-back
   * anyway, and a hint per tiny op would double the ring's traffic. None for blocks freed while
   * their stream captures (a graph's blocks stay its own) nor on a lost device. No launch, no
   * simulated time.
   */
  private deadBytes(address: number): number {
    if (!this.alive || !this.profile.discardFreedBlocks) return 0;
    const block = this.allocator.blockAt(address);
    if (block === undefined || !block.allocated || block.size <= SMALL_SIZE_BYTES) return 0;
    if (this.queues[block.queue.slot]?.capture !== undefined) return 0;
    return block.size;
  }

  /**
   * Allocates `bytes` the host is about to write: a block no stream may still be using, unlike
   * allocate(), which may hand `queue` a block it freed but has not yet passed (safe for device
   * work, which runs in stream order, but not for a host write, which happens now).
   */
  allocateForHost(bytes: number, queue: StreamQueue): number {
    this.assertAlive();
    if (queue.capture !== undefined) throw queue.capture.invalidate('a host-to-device copy');
    return this.allocator.malloc(bytes, queue, true);
  }

  /** Marks the block at `address` as used on `queue` as well, so its free waits for that stream (Tensor.record_stream). */
  recordStream(address: number, queue: StreamQueue): void {
    this.assertAlive();
    this.allocator.recordStream(address, queue);
  }

  /**
   * Moves host bytes into device memory at `dst`, a block from allocateForHost (no queued
   * command can touch it): the host writes the bytes straight in, and a host-to-device copy on
   * `queue` charges the PCIe transfer in simulated time and orders every later use of the block
   * after it. No staging buffer, so an upload needs no device memory beyond its destination.
   * Returns the copy's sequence number.
   */
  upload(queue: StreamQueue, dst: number, data: HostView): number {
    const bytes = data.byteLength;
    if (!this.timingOnly) this.transport.write(dst, data);
    const seq = queue.enqueue(OP_COPY, 0, dst, dst, 0, bytes, COPY_HOST_TO_DEVICE, 0, undefined, HOST_COPY_WORK);
    opObserver?.(this, queue, 'copy_h2d', [[bytes]], 'uint8');
    return seq;
  }

  /**
   * Copies `host.byteLength` bytes of device memory at `src` into `host`, in stream order,
   * without staging: a device-to-host copy of the block onto itself charges the PCIe transfer in
   * simulated time (the core skips the memmove when src = dst), a fence waits until `queue` has
   * run it and everything before it, and the host then copies the bytes straight out of device
   * memory (over messages, the firmware posts them once the copy has run); it resolves then. The
   * caller must keep the block allocated until this resolves (a later command on `queue` may
   * overwrite a freed block); transfer.ts holds a storage reference. When the stream still has
   * work ahead of the read, that work is published first, so the transport can prepare a `fresh`
   * host array (touch its new pages, SharedMemoryTransport.readAfter) while the device runs it.
   */
  async download(queue: StreamQueue, src: number, host: HostView, fresh: boolean): Promise<void> {
    this.assertAlive();
    if (queue.capture !== undefined) throw queue.capture.invalidate('reading values of a tensor');
    if (this.timingOnly) {
      throw new MtiaError(
        `cannot read values from mtia:${this.index}: it runs in timing-only mode (mtia.configure({ timingOnly: true })), ` +
          'where tensors have shapes, memory and simulated time but no data',
      );
    }
    const busy = !queue.isComplete(queue.enqueued);
    // A wait would publish the work anyway; now the device starts at once. Small work is left
    // for the host's own core to run at the wait (runOnHost).
    if (busy && !this.hasSmallWork()) this.ring.flush();
    queue.prepare(); // a clock advance goes first, so the copy gets the ring's next count
    const bytes = host.byteLength;
    const read = this.transport.readAfter(this.ring.pushedCount, src, host, fresh && busy);
    const seq = queue.enqueue(OP_COPY, 0, src, src, 0, bytes, COPY_DEVICE_TO_HOST, 0, undefined, HOST_COPY_WORK);
    opObserver?.(this, queue, 'copy_d2h', [[bytes]], 'uint8');
    if (this.runOnHost() && queue.isComplete(seq) && queue.enqueued === seq) {
      // The host's own core ran the copy, the stream's last command: the stream's clock is the
      // copy's end, where a fence's event record would have found it, so the host sees the
      // device there without one.
      this.waited(queue, seq, 'a device-to-host copy');
      this.observe(queue.clockCycles());
    } else {
      await this.fence(queue, 'a device-to-host copy');
    }
    return read();
  }

  /**
   * Resolves when `queue` has completed command `seq`; rejects if the device is lost or the work
   * faulted. Every wait drains the ring's host-side backlog: while commands wait there for ring
   * space, it sleeps on RING_TAIL (which the firmware notifies after every drain), moves more
   * in each time the core frees space, and only then waits on the stream's DONE word. Waiting
   * on DONE alone would hang when the awaited command sits in the backlog behind a full ring
   * of other streams' work, since nothing else refills the ring.
   */
  async wait(queue: StreamQueue, seq: number, what: string): Promise<void> {
    await this.whenComplete(queue, seq);
    this.waited(queue, seq, what);
  }

  /** What a wait does once `queue` has completed command `seq`: the device is alive, the sanitizer told, the stream's faults thrown. */
  private waited(queue: StreamQueue, seq: number, what: string): void {
    this.assertAlive();
    hostSynchronized(queue, seq);
    const faults = queue.takeFaults();
    if (faults !== undefined) throw statusError(faults.status, this.index, what, faults.count);
  }

  /**
   * Resolves when `queue` has completed command `seq`; rejects if the device is lost. Unlike
   * wait(), it leaves the stream's faults for the program's next wait and does not tell the
   * stream sanitizer the host synchronized: for observers (the profiler) that must not change
   * what the program sees.
   */
  async whenComplete(queue: StreamQueue, seq: number): Promise<void> {
    if (queue.isComplete(seq)) return;
    if (this.runOnHost() && queue.isComplete(seq)) return;
    const { i32 } = this.views;
    const transport = this.transport;
    this.hold();
    try {
      for (;;) {
        this.assertAlive();
        const tail = Atomics.load(i32, RING_TAIL_WORD);
        const backlogged = !this.ring.flush();
        const done = Atomics.load(i32, queue.doneWordIndex);
        if (queue.isComplete(seq)) break;
        const waiting = backlogged
          ? transport.waitWord(RING_TAIL_WORD, tail, this.stallCheckMs)
          : transport.waitWord(queue.doneWordIndex, done, this.stallCheckMs);
        if (typeof waiting !== 'string' && (await waiting) === 'timed-out') await this.checkStalled();
      }
    } finally {
      this.unhold();
    }
  }


  /**
   * Gets the work pushed so far going without waiting for it (Stream.query, Event.query): runs
   * it on the host's own core when small (runOnHost), else publishes it and wakes the firmware.
   */
  startWork(): void {
    if (!this.runOnHost()) this.ring.flush();
  }

  /**
   * True when the host may run the work not yet taken by the core itself: it has its own core,
   * the device is running, and the work is small (CommandRing.isSmall).
   */
  private hasSmallWork(): boolean {
    const { i32 } = this.views;
    return this.hostCore !== undefined && this.alive && Atomics.load(i32, HEADER_DEVICE_STATE / 4) !== DEVICE_FAULTED &&
      this.ring.isSmall(Atomics.load(i32, RING_TAIL_WORD));
  }

  /**
   * Runs the commands the core has not taken yet on the host's own core (host-core.ts) when they
   * are small work and the firmware is not running the core: two thread wake-ups cost far more
   * than the commands (docs/benchmarks.md, Small work on the host). Holding the core, publishes
   * them without waking the firmware, runs them, and wakes the host's other waits as the
   * firmware would. What the core could not run (a wait for an event another device records) is
   * left to the firmware, woken for it. Returns whether it ran them.
   */
  private runOnHost(): boolean {
    const core = this.hostCore;
    if (core === undefined || !this.hasSmallWork() || !core.acquire()) return false;
    const { i32 } = this.views;
    let progress: number;
    let left: boolean;
    try {
      this.ring.publishQuietly();
      this.commandsRunOnHost += core.drain(SMALL_COMMANDS);
      // Read while the core is held: the firmware may drain next and overwrite them.
      progress = Atomics.load(i32, HEADER_PROGRESS / 4);
      left = Atomics.load(i32, RING_TAIL_WORD) !== Atomics.load(i32, HEADER_RING_HEAD / 4);
    } finally {
      core.release();
    }
    if (this.holds > 0) wakeProgressWaiters(i32, progress); // other waits of the host's, sleeping in whenComplete()
    if (left || Atomics.load(i32, HEADER_DEVICE_STATE / 4) === DEVICE_FAULTED) this.ring.wakeFirmware();
    return true;
  }

  /**
   * Resolves when `queue` has done all work enqueued so far. It is the host seeing the device
   * at that point in simulated time: work issued afterwards, on any stream, starts no earlier
   * (CommandRing.hostFloorCycles). Built from an event record and a wait on it.
   */
  async fence(queue: StreamQueue, what: string): Promise<void> {
    if (queue.capture !== undefined) throw queue.capture.invalidate(`waiting for ${what}`);
    // Fences have slots of their own (event-slots.ts): a program's events never run short
    // because of the library's waits, and a wait with no free slot waits for one.
    const slots = this.eventSlots;
    let slot = slots.acquireFence();
    if (typeof slot !== 'number') {
      slot = await slot;
      const capture = queue.capture as StreamQueue['capture']; // a capture may have begun meanwhile
      if (capture !== undefined) {
        slots.releaseFence(slot);
        throw capture.invalidate(`waiting for ${what}`);
      }
    }
    const seq = queue.enqueue(OP_RECORD_EVENT, 0, 0, 0, 0, slots.nextGeneration(), slot, 0);
    try {
      await this.wait(queue, seq, what);
      this.observe(slots.timeCycles(slot));
    } finally {
      // Given back once its record has completed, or the device is lost (then a wait for a
      // slot takes it and fails as every wait does, instead of waiting for ever).
      if (queue.isComplete(seq) || !this.alive) slots.releaseFence(slot);
    }
  }

  /** Notes that the host has seen this device reach `timeCycles` of simulated time. */
  observe(timeCycles: number): void {
    this.ring.hostFloorCycles = Math.max(this.ring.hostFloorCycles, timeCycles);
  }

  /** Waits for every command enqueued so far on every stream of this device (a fence on each). */
  async synchronize(): Promise<void> {
    const queues = this.queues.filter((queue) => queue !== undefined);
    const capturing = queues.find((queue) => queue.capture !== undefined);
    if (capturing !== undefined) throw capturing.capture!.invalidate(`synchronize() on mtia:${this.index}`);
    await Promise.all(queues.map((queue) => this.fence(queue, 'work on this device')));
  }

  /** Simulated time of the device: the latest stream clock, in seconds. */
  simulatedSeconds(): number {
    const clocks = this.queues.filter((queue) => queue !== undefined).map((queue) => queue.clockCycles());
    return Math.max(...clocks) / this.profile.clockHz;
  }

  /** The worker's own report, over the control link. */
  async report(): Promise<DeviceReport> {
    await this.booted;
    return this.link!.call('properties');
  }

  /**
   * Stops the worker. Pending and later waits reject with DeviceLostError. A device already
   * lost (its worker died, hung or trapped) is terminated at once, without a control call
   * that would only wait out the control timeout.
   */
  async shutdown(): Promise<void> {
    const graceful = this.lost === undefined;
    this.markLost(new DeviceLostError(this.index, `mtia:${this.index} was shut down`));
    await this.booted.catch(() => {});
    await this.link?.close(graceful);
  }

  /**
   * Fills event slot `slot` with a record another device made (its time, in this device's
   * cycles, and the generation the waiting command expects) and wakes the firmware if it
   * stopped there (src/mtia/event.ts relays records this way).
   */
  fillEventSlot(slot: number, timeCycles: number, generation: number): void {
    this.transport.fillEvent(slot, timeCycles, generation);
  }

  /** Makes the device's worker suffer `fault` (mtia.debug.injectFault; docs/reliability.md). */
  async injectFault(fault: DebugFault): Promise<void> {
    await this.booted;
    this.assertAlive();
    // The fault is the firmware's: the host must not run commands past it.
    this.hostCore = undefined;
    this.ring.hostRunsSmallWork = false;
    this.ring.flush();
    await this.link!.call('debug', fault);
  }

  /**
   * Called when a wait has seen no completion for stallCheckMs. If nothing at all has moved
   * since the last check (RING_TAIL and every stream's DONE), asks the worker for its report:
   * a worker that does not answer within the control timeout is lost (WorkerLink.call), which
   * rejects every wait. A device that is merely busy has moved, or answers.
   */
  private async checkStalled(): Promise<void> {
    let signature = Atomics.load(this.views.i32, RING_TAIL_WORD);
    for (const queue of this.queues) if (queue !== undefined) signature = (signature * 31 + Atomics.load(this.views.i32, queue.doneWordIndex)) | 0;
    if (signature !== this.lastSignature) {
      this.lastSignature = signature;
      return;
    }
    this.stallProbe ??= (this.link?.call('properties') ?? Promise.resolve()).then(
      () => {},
      () => {},
    ).finally(() => (this.stallProbe = undefined));
    await this.stallProbe;
  }

  /** Throws the DeviceLostError if the device is lost or its core faulted. */
  assertAlive(): void {
    if (this.lost === undefined && Atomics.load(this.views.i32, HEADER_DEVICE_STATE / 4) === DEVICE_FAULTED) {
      const status = Atomics.load(this.views.i32, HEADER_FAULT / 4);
      this.markLost(new DeviceLostError(this.index, `mtia:${this.index} faulted: ${describeStatus(status)}`));
    }
    if (this.lost !== undefined) throw this.lost;
  }

  private async boot(connect: DeviceConnector): Promise<void> {
    try {
      const link = await connect(this.transport.handoff, `mtia:${this.index}`, (reason) =>
        this.markLost(new DeviceLostError(this.index, `mtia:${this.index} was lost: ${reason.message}`, { cause: reason })),
      );
      if (this.lost !== undefined) {
        await link.close();
        return;
      }
      this.link = link;
      if (this.holds > 0) link.hold();
      // Instantiated before the firmware boots (instantiating writes the core's static data:
      // host-core.ts), used only once it has booted (boot empties the SRAM model).
      const hostCore = this.hostRunsSmallWork && link.coreModule !== undefined && this.transport instanceof SharedMemoryTransport
        ? await HostCore.create(link.coreModule, this.transport.handoff, this.views)
        : undefined;
      const { status, report } = await link.call('boot');
      if (status !== STATUS_OK) throw statusError(status, this.index, 'boot');
      if (report.abiVersion !== ABI_VERSION || report.memoryBytes !== this.transport.memoryBytes) {
        throw new Error(`the worker sees ABI ${report.abiVersion} and ${report.memoryBytes} bytes, the host ABI ${ABI_VERSION} and ${this.transport.memoryBytes} bytes`);
      }
      if (this.lost === undefined && hostCore !== undefined) {
        this.hostCore = hostCore;
        this.ring.hostRunsSmallWork = true;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.markLost(new DeviceLostError(this.index, `mtia:${this.index} failed to boot: ${reason}`, { cause: error }));
      throw this.lost;
    }
  }

  /** Records the loss (first reason wins) and wakes every waiter so none hangs. */
  private markLost(error: DeviceLostError): void {
    if (this.lost !== undefined) return;
    this.lost = error;
    for (const queue of this.queues) if (queue !== undefined) this.transport.wake(queue.doneWordIndex);
    this.transport.wake(RING_TAIL_WORD);
    this.transport.close();
  }

  /**
   * Blocks the host until every stream of this device has done the work queued so far (the
   * caching allocator's last resort before out-of-memory). Small work the host runs itself
   * first (runOnHost), which needs no blocking. Else false, without blocking, where the host may
   * not block: the firmware runs in this realm, the device is not running, the device is
   * reached over messages (which arrive only after the current task), or Atomics.wait is not
   * allowed here (a browser's main thread); or after BLOCKING_WAIT_MS.
   */
  private blockUntilIdle(): boolean {
    if (this.lost !== undefined) return false;
    if (this.runOnHost() && this.queues.every((queue) => queue === undefined || queue.isComplete(queue.enqueued))) return true;
    if (this.link === undefined || !this.link.concurrent || !this.transport.canBlock) return false;
    const deadline = performance.now() + BLOCKING_WAIT_MS;
    let stoppedAtRelay = false;
    try {
      for (const queue of this.queues) {
        while (queue !== undefined && !queue.isComplete(queue.enqueued)) {
          this.ring.flush();
          const done = Atomics.load(this.views.i32, queue.doneWordIndex);
          if (queue.isComplete(queue.enqueued)) break;
          const left = deadline - performance.now();
          if (left <= 0 || Atomics.load(this.views.i32, HEADER_DEVICE_STATE / 4) === DEVICE_FAULTED) return false;
          // A device stopped at a wait for another device's event goes on only when the host
          // relays the record, which it cannot do while it blocks here: give up at once.
          const atRelay = Atomics.load(this.views.i32, HEADER_BLOCKED_EVENT / 4) !== 0;
          if (atRelay && stoppedAtRelay) return false;
          stoppedAtRelay = atRelay;
          Atomics.wait(this.views.i32, queue.doneWordIndex, done, atRelay ? 5 : Math.min(left, 100));
        }
      }
    } catch {
      return false; // Atomics.wait is not allowed on this thread
    }
    return true;
  }

  private hold(): void {
    if (this.holds++ === 0) this.link?.hold();
  }

  private unhold(): void {
    if (--this.holds === 0) this.link?.release();
  }

  /** Writes the header and profile block the core reads at boot. */
  private writeHeader(): void {
    const { i32, f64 } = this.views;
    i32[HEADER_ABI_VERSION / 4] = ABI_VERSION;
    i32[HEADER_DEVICE_INDEX / 4] = this.index;
    i32[HEADER_TIMING_ONLY / 4] = this.timingOnly ? 1 : 0;
    f64[HEADER_MEMORY_END / 8] = HEAP_LOCATION + this.memoryBytes;
    f64.set(profileFields(this.profile), PROFILE_LOCATION / 8);
  }
}
