// A device's kernel threads: the device worker itself (slot 0) and helper workers (slots 1 and
// up) that compute one large float32 matmul together. The simulated device is one machine with
// 64 processing elements; the host computing its results on more than one core changes no result
// bit and no simulated cycle (the timing model never sees it), only how soon results are there.
//
// Each thread instantiates the kernel-thread module (assembly/kernel-thread.ts: the shared
// matmul of assembly/kernels/matmul-shared.ts, no static data) on the device's shared memory
// and owns one slot of it (KERNEL_THREADS_LOCATION); the packed B they share is KERNEL_PANEL.
// The core offers a matmul through its `threads.matmul` import (assembly/ops/matmul.ts); the
// device worker writes the job into slot 0 (arguments, thread count, a zeroed sync block), sets
// each helper it takes on to THREAD_RUN and wakes it, runs its own part, then waits for each
// helper's THREAD_DONE. The threads divide the work among themselves inside the kernel. The
// state words' atomic stores and loads order the plain memory accesses around them
// (WebAssembly threads: sequentially consistent atomics).

import {
  KERNEL_THREAD_ARGS, KERNEL_THREAD_EDGE, KERNEL_THREAD_SLOTS, KERNEL_THREAD_SLOT_SIZE, KERNEL_THREAD_STATE,
  KERNEL_PANEL_LOCATION, KERNEL_THREAD_SYNC, KERNEL_THREAD_WORKSPACE, KERNEL_THREADS_LOCATION, SYNC_BYTES,
  THREAD_ABSENT, THREAD_DONE, THREAD_EXIT, THREAD_FAILED, THREAD_IDLE, THREAD_RUN,
} from '../src/runtime/layout.js';

/** The kernel-thread module's one export (assembly/kernels/matmul-shared.ts). */
interface KernelThreadExports {
  matmulF32Shared(
    c: number, ldc: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number,
    dtype: number, size: number, m: number, n: number, k: number, threads: number,
    sync: number, bp: number, ap: number, edge: number,
  ): void;
}

/** A job's words in slot 0 from KERNEL_THREAD_ARGS: matmulF32Shared's first 14 arguments (the operands, then the thread count). */
type Job = [
  c: number, ldc: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number,
  dtype: number, size: number, m: number, n: number, k: number, threads: number,
];
const JOB_WORDS = 14;

/** What a started helper worker needs: a way to end it. */
export interface HelperHandle {
  terminate(): Promise<void>;
}

/**
 * Starts the helper for `slot` (runKernelThread in a new worker); rejects if it cannot, and
 * calls `onLost` if the worker fails to load or ends on its own later.
 */
export type HelperSpawner = (slot: number, onLost: () => void) => Promise<HelperHandle>;

/**
 * How long a helper that finished a part polls for the next before it sleeps: the parts of a
 * batched matmul follow each other within microseconds, and a futex wake costs tens on a VM.
 */
const HELPER_POLL_MS = 0.05;

/** How long start() waits for helpers to report ready; later ones are used once they are. */
const START_TIMEOUT_MS = 10_000;

/** Address of slot `slot`'s first byte. */
function slotAddress(slot: number): number {
  return KERNEL_THREADS_LOCATION + slot * KERNEL_THREAD_SLOT_SIZE;
}

/** Index of slot `slot`'s state word in an Int32Array over device memory. */
function stateIndex(slot: number): number {
  return (slotAddress(slot) + KERNEL_THREAD_STATE) / 4;
}

/** The kernel-thread module instantiated on `memory`. */
function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelThreadExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelThreadExports;
}

/** Address of slot 0's job words. */
const JOB_ADDRESS = slotAddress(0) + KERNEL_THREAD_ARGS;

/** Runs slot `slot`'s part of the job in slot 0 with `kernel`, its own buffers and the shared ones. */
function runPart(kernel: KernelThreadExports, job: Job, slot: number): void {
  const own = slotAddress(slot);
  kernel.matmulF32Shared(
    ...job, slotAddress(0) + KERNEL_THREAD_SYNC, KERNEL_PANEL_LOCATION, own + KERNEL_THREAD_WORKSPACE, own + KERNEL_THREAD_EDGE,
  );
}

/**
 * A helper thread's life (the worker entry calls it): instantiate the kernel-thread module,
 * report THREAD_IDLE, then run each part it is given until told THREAD_EXIT. Blocking waits are
 * allowed in a worker. A trap marks the part THREAD_FAILED, so the device worker never waits
 * for a part that will not come.
 */
export function runKernelThread(module: WebAssembly.Module, memory: WebAssembly.Memory, slot: number): void {
  const i32 = new Int32Array(memory.buffer);
  const state = stateIndex(slot);
  const kernel = instantiate(module, memory);
  Atomics.store(i32, state, THREAD_IDLE);
  Atomics.notify(i32, state);
  for (;;) {
    let seen = Atomics.load(i32, state);
    const deadline = performance.now() + HELPER_POLL_MS;
    while (seen !== THREAD_RUN && seen !== THREAD_EXIT && performance.now() < deadline) seen = Atomics.load(i32, state);
    while (seen !== THREAD_RUN && seen !== THREAD_EXIT) {
      Atomics.wait(i32, state, seen);
      seen = Atomics.load(i32, state);
    }
    if (seen === THREAD_EXIT) return;
    let outcome = THREAD_DONE;
    try {
      runPart(kernel, Array.from(i32.subarray(JOB_ADDRESS / 4, JOB_ADDRESS / 4 + JOB_WORDS)) as Job, slot);
    } catch (trap) {
      console.error(`mtia-sim: kernel thread ${slot} trapped:`, trap);
      outcome = THREAD_FAILED;
    }
    Atomics.store(i32, state, outcome);
    Atomics.notify(i32, state);
  }
}

/** The device worker's side: its own kernel instance, its helpers, and the core's `threads.matmul`. */
export class KernelThreads {
  private readonly i32: Int32Array;
  private readonly kernel: KernelThreadExports;
  private readonly helpers: Promise<HelperHandle | undefined>[] = [];
  private started: Promise<void> | undefined;

  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    /** Threads in all, this one included (1 to KERNEL_THREAD_SLOTS). */
    readonly count: number,
    private readonly spawn: HelperSpawner,
  ) {
    this.i32 = new Int32Array(memory.buffer);
    this.kernel = instantiate(module, memory);
  }

  /**
   * Starts the count − 1 helpers (once); resolves when each has reported ready or failed to
   * start, or after START_TIMEOUT_MS. A helper that cannot start, or is lost later, leaves its
   * slot THREAD_ABSENT: the device then runs with fewer threads, with the same results.
   */
  start(): Promise<void> {
    if (this.started !== undefined) return this.started;
    const ready: Promise<unknown>[] = [];
    for (let slot = 1; slot < this.count; slot++) {
      let lost!: () => void;
      const gone = new Promise<void>((resolve) => (lost = resolve));
      const handle = this.spawn(slot, () => {
        this.forget(slot);
        lost();
      }).catch(() => undefined);
      this.helpers.push(handle);
      ready.push(handle.then((started) => (started === undefined ? undefined : Promise.race([this.whenReady(slot), gone]))));
    }
    // The timer also keeps a Node worker alive meanwhile: pending Atomics.waitAsync calls do not.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, START_TIMEOUT_MS)));
    this.started = Promise.race([Promise.all(ready).then(() => {}), timeout]).finally(() => clearTimeout(timer));
    return this.started;
  }

  /**
   * Takes a lost helper out of every later job. Its loss is reported on this thread's event
   * loop, so never while a job runs: the slot is idle (or not started) here.
   */
  private forget(slot: number): void {
    Atomics.store(this.i32, stateIndex(slot), THREAD_ABSENT);
  }

  /** Resolves when slot `slot` has left THREAD_ABSENT. */
  private async whenReady(slot: number): Promise<void> {
    const index = stateIndex(slot);
    const wait = Atomics.waitAsync(this.i32, index, THREAD_ABSENT);
    if (wait.async) await wait.value;
  }

  /**
   * The core's `threads.matmul` import, for a product the core found worth sharing: C = A · B
   * as matmulF32 computes it (the same arguments but the workspace and edge buffer), by this
   * thread and every ready helper together. Returns 0 when no helper is ready (the core then
   * runs it alone), 1 when done. The first call starts the helpers. Addresses arrive as signed
   * i32: the job words hold the same bits.
   */
  readonly matmul = (
    c: number, ldc: number, a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number,
    dtype: number, size: number, m: number, n: number, k: number,
  ): number => {
    const { i32 } = this;
    if (this.started === undefined) void this.start();
    const helpers: number[] = [];
    for (let slot = 1; slot < this.count; slot++) {
      const state = Atomics.load(i32, stateIndex(slot));
      if (state === THREAD_IDLE || state === THREAD_DONE) helpers.push(slot);
    }
    if (helpers.length === 0) return 0;
    const job: Job = [c, ldc, a, aRow, aCol, b, bRow, bCol, dtype, size, m, n, k, helpers.length + 1];
    i32.set(job, JOB_ADDRESS / 4);
    i32.fill(0, (slotAddress(0) + KERNEL_THREAD_SYNC) / 4, (slotAddress(0) + KERNEL_THREAD_SYNC + SYNC_BYTES) / 4);
    for (const slot of helpers) {
      Atomics.store(i32, stateIndex(slot), THREAD_RUN);
      Atomics.notify(i32, stateIndex(slot));
    }
    runPart(this.kernel, job, 0);
    let failed: number | undefined;
    for (const slot of helpers) {
      const index = stateIndex(slot);
      while (Atomics.load(i32, index) === THREAD_RUN) Atomics.wait(i32, index, THREAD_RUN);
      if (Atomics.load(i32, index) === THREAD_FAILED) failed ??= slot;
    }
    if (failed !== undefined) throw new WebAssembly.RuntimeError(`kernel thread ${failed} trapped (its worker logged why)`);
    return 1;
  };

  /** Threads that can take part in a matmul now: this one and every helper that has started. */
  running(): number {
    let count = 1;
    for (let slot = 1; slot < this.count; slot++) {
      const state = Atomics.load(this.i32, stateIndex(slot));
      if (state === THREAD_IDLE || state === THREAD_RUN || state === THREAD_DONE) count++;
    }
    return count;
  }

  /** Tells every helper to exit and ends their workers. */
  async stop(): Promise<void> {
    for (let slot = 1; slot < KERNEL_THREAD_SLOTS; slot++) {
      if (Atomics.load(this.i32, stateIndex(slot)) === THREAD_ABSENT) continue;
      Atomics.store(this.i32, stateIndex(slot), THREAD_EXIT);
      Atomics.notify(this.i32, stateIndex(slot));
    }
    await Promise.all(this.helpers.map(async (helper) => (await helper)?.terminate()));
  }
}

/** The core's imports: its memory, and `threads.matmul` (a device without kernel threads declines every offer). */
export function coreImports(memory: WebAssembly.Memory, threads?: KernelThreads): WebAssembly.Imports {
  return { env: { memory }, threads: { matmul: threads?.matmul ?? (() => 0) } };
}
