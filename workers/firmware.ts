// The device firmware: a loop that drains the stream rings through the core and wakes the
// host waiters of every stream that made progress. It holds no policy: what runs, in what
// order and at what simulated cost is the core's business (assembly/queue.ts). It shares the
// core with the host, which runs small work it waits for itself (src/runtime/host-core.ts):
// each drain() is made holding the core (layout.ts HEADER_CORE_OWNER).

import type { DeviceReport } from '../src/runtime/protocol.js';
import {
  ABI_VERSION, COMMAND_COUNT, COMMAND_SIZE, CORE_FIRMWARE, CORE_FREE, CORE_HOST, DEVICE_FAULTED, EVENTS_LOCATION,
  EVENT_GENERATION, EVENT_SIZE, HEADER_CORE_OWNER, HEADER_PROGRESS,
  HEADER_BLOCKED_EVENT, HEADER_DEVICE_INDEX, HEADER_DEVICE_STATE, HEADER_FAULT,
  HEADER_RING_HEAD, HEADER_RING_TAIL, HEADER_SLEEPING, HEAP_LOCATION, RING_COMMANDS, RING_LOCATION, STREAMS_LOCATION, STREAM_DONE, STREAM_SIZE,
  STREAM_SLOTS,
} from '../src/runtime/layout.js';
import { wakeProgressWaiters } from '../src/runtime/progress.js';
import { STATUS_TRAP } from '../src/runtime/status.js';
import type { KernelThreads } from './kernel-threads.js';

/** The core's exported functions the firmware calls. */
export interface CoreExports {
  boot(): number;
  drain(budget: number): number;
}

/** Commands per drain() call before the loop yields to its event loop (for control calls). */
const DRAIN_BUDGET = 1 << 16;

/**
 * How long an idle loop polls for new commands before it sleeps. A host issuing ops publishes
 * a batch of 32 every few tens of microseconds (src/runtime/command-ring.ts); polling through
 * the gaps spares it a futex wake (Atomics.notify, several microseconds on a VM) per batch. A
 * host that finds the loop asleep anyway wakes it once per burst, not per batch, so a longer
 * poll would buy little and take a core from the rest of the machine. Measured in
 * bench/dispatch (docs/benchmarks.md).
 */
const POLL_MS = 0.025;

const headIndex = HEADER_RING_HEAD / 4;
const tailIndex = HEADER_RING_TAIL / 4;
const sleepingIndex = HEADER_SLEEPING / 4;
const blockedIndex = HEADER_BLOCKED_EVENT / 4;
const ownerIndex = HEADER_CORE_OWNER / 4;
const progressIndex = HEADER_PROGRESS / 4;
/**
 * Longest the loop waits for the host to give the core back, or at a blocked event wait,
 * before it looks again. The host holds the core only while it runs small work
 * (src/runtime/host-core.ts) and notifies when done; the timeout only bounds a missed wake-up.
 */
const RECHECK_MS = 50;

/** Index of stream slot `slot`'s DONE word in an Int32Array over device memory. */
function doneIndex(slot: number): number {
  return (STREAMS_LOCATION + slot * STREAM_SIZE + STREAM_DONE) / 4;
}

/** Index of event slot `slot`'s generation word in an Int32Array over device memory. */
function generationIndex(slot: number): number {
  return (EVENTS_LOCATION + slot * EVENT_SIZE + EVENT_GENERATION) / 4;
}

/** Resolves after the event loop has run pending tasks (a macrotask, not a timer). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** One device's command loop over its core instance and shared memory. */
export class DeviceFirmware {
  private readonly i32: Int32Array;
  private running = false;
  private stopped: Promise<void> = Promise.resolve();
  private executed = 0;
  /** Set by injectTrap(): the next drain() traps. */
  private trapNext = false;

  constructor(
    private readonly core: CoreExports,
    private readonly memory: WebAssembly.Memory,
    /** The kernel threads the core's matmuls may run on (kernel-threads.ts); stopped with the loop. */
    private readonly threads?: KernelThreads,
  ) {
    this.i32 = new Int32Array(memory.buffer);
  }

  /** Boots the core; on success starts the loop. Returns the core's status code. */
  boot(): number {
    const status = this.core.boot();
    if (status === 0 && !this.running) {
      this.running = true;
      this.stopped = this.loop();
    }
    return status;
  }

  /** What the device reports about itself. */
  report(): DeviceReport {
    return {
      abiVersion: ABI_VERSION,
      deviceIndex: Atomics.load(this.i32, HEADER_DEVICE_INDEX / 4),
      memoryBytes: this.memory.buffer.byteLength,
      heapLocation: HEAP_LOCATION,
      commandsExecuted: this.executed,
      kernelThreads: this.threads?.running() ?? 1,
    };
  }

  /** Stops the loop; resolves when it has exited. */
  async stop(): Promise<void> {
    this.running = false;
    Atomics.notify(this.i32, headIndex);
    Atomics.notify(this.i32, ownerIndex);
    const blocked = Atomics.load(this.i32, blockedIndex);
    if (blocked !== 0) Atomics.notify(this.i32, generationIndex(blocked - 1));
    await this.stopped;
    await this.threads?.stop();
  }

  /** Makes the next drain() trap, as a core that hits `unreachable` would (fault injection). */
  injectTrap(): void {
    this.trapNext = true;
    // An idle loop, or one blocked at a wait for another device's event, wakes and drains now.
    Atomics.notify(this.i32, headIndex);
    const blocked = Atomics.load(this.i32, blockedIndex);
    if (blocked !== 0) Atomics.notify(this.i32, generationIndex(blocked - 1));
  }

  /** Stops the loop without waking anyone: the device makes no more progress (fault injection). */
  hang(): void {
    this.running = false;
  }

  private async loop(): Promise<void> {
    const { i32 } = this;
    while (this.running) {
      const seen = Atomics.load(i32, headIndex);
      if (Atomics.load(i32, HEADER_DEVICE_STATE / 4) === DEVICE_FAULTED) {
        this.stopFaulted(); // by the host's core (src/runtime/host-core.ts)
        return;
      }
      if (Atomics.compareExchange(i32, ownerIndex, CORE_FREE, CORE_FIRMWARE) !== CORE_FREE) {
        // The host runs the core for small work it waits for: go on when it gives the core back.
        const wait = Atomics.waitAsync(i32, ownerIndex, CORE_HOST, RECHECK_MS);
        if (wait.async) await wait.value;
        continue;
      }
      const ran = this.drain();
      // What this drain left, read before the core is given back: the host's core may drain
      // next at once and overwrite the words (progress, blocked event, RING_TAIL).
      const progress = Atomics.load(i32, progressIndex);
      const blocked = Atomics.load(i32, blockedIndex);
      const awaited = blocked !== 0 ? this.awaitedGeneration() : 0;
      Atomics.store(i32, ownerIndex, CORE_FREE);
      if (Atomics.load(i32, HEADER_DEVICE_STATE / 4) === DEVICE_FAULTED) {
        this.stopFaulted();
        return;
      }
      if (ran > 0) {
        this.executed += ran;
        wakeProgressWaiters(i32, progress);
        if (ran === DRAIN_BUDGET) await yieldToEventLoop();
        continue;
      }
      if (blocked !== 0) {
        // Stopped at a wait for an event another device records: the host relays the record
        // into this device's event slot and notifies its generation word.
        // The relay may have landed between drain() giving up and here, and its notify with
        // it: sleep only while the slot still lacks the generation the blocked wait (the
        // command at RING_TAIL) awaits, or that wake-up is lost and the device stops for good.
        // The timeout bounds the sleep should the host's core pass the wait meanwhile.
        const word = generationIndex(blocked - 1);
        const seen = Atomics.load(i32, word);
        if (seen === awaited) continue;
        const wait = Atomics.waitAsync(i32, word, seen, RECHECK_MS);
        if (wait.async) await wait.value;
        continue;
      }
      if (this.pollForWork(seen)) continue;
      Atomics.store(i32, sleepingIndex, 1);
      const wait = Atomics.waitAsync(i32, headIndex, seen);
      if (wait.async) await wait.value;
      Atomics.store(i32, sleepingIndex, 0);
    }
  }

  /** The generation the command at RING_TAIL (a wait the core stopped at) waits for. */
  private awaitedGeneration(): number {
    const tail = Atomics.load(this.i32, tailIndex);
    const command = RING_LOCATION + (tail & (RING_COMMANDS - 1)) * COMMAND_SIZE;
    return this.i32[(command + COMMAND_COUNT) / 4]!;
  }

  /** Polls RING_HEAD for up to POLL_MS; true if the host published commands meanwhile. */
  private pollForWork(seen: number): boolean {
    const deadline = performance.now() + POLL_MS;
    do {
      for (let i = 0; i < 64; i++) if (Atomics.load(this.i32, headIndex) !== seen) return true;
    } while (performance.now() < deadline);
    return false;
  }

  /** Runs the core's drain(); a trap faults the device. */
  private drain(): number {
    try {
      if (this.trapNext) throw new WebAssembly.RuntimeError('unreachable (injected by mtia.debug.injectFault)');
      return this.core.drain(DRAIN_BUDGET);
    } catch (trap) {
      Atomics.store(this.i32, HEADER_FAULT / 4, STATUS_TRAP);
      Atomics.store(this.i32, HEADER_DEVICE_STATE / 4, DEVICE_FAULTED);
      console.error(`mtia-sim: the core of device ${Atomics.load(this.i32, HEADER_DEVICE_INDEX / 4)} trapped:`, trap);
      return 0;
    }
  }

  /** Stops after the device faulted (a trap, or a command the core refused) and wakes every waiter so none hangs. */
  private stopFaulted(): void {
    this.running = false;
    for (let slot = 0; slot < STREAM_SLOTS; slot++) Atomics.notify(this.i32, doneIndex(slot));
    Atomics.notify(this.i32, tailIndex);
  }
}
