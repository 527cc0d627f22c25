// The device worker's side of kernel threads (workers/kernel-threads.ts) in this realm, with
// helpers that the test plays or that never come: a helper that cannot start, or is lost after
// it started, leaves the device computing alone, at once and without waiting for it. Real
// helper workers computing together are tested in test/api/kernel-threads.test.ts.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { HEAP_LOCATION, KERNEL_THREAD_SLOT_SIZE, KERNEL_THREADS_LOCATION, THREAD_IDLE } from '../../src/runtime/layout.js';
import { KernelThreads, type HelperHandle } from '../../workers/kernel-threads.js';

const kernelModule = new WebAssembly.Module(readFileSync(new URL('../../dist/kernel-thread.wasm', import.meta.url)));
const pages = Math.ceil(HEAP_LOCATION / 65536) + 16;

/** A device memory and its Int32Array view. */
function deviceMemory(): { memory: WebAssembly.Memory; i32: Int32Array } {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return { memory, i32: new Int32Array(memory.buffer) };
}

/** Index of slot `slot`'s state word. */
const stateIndex = (slot: number) => (KERNEL_THREADS_LOCATION + slot * KERNEL_THREAD_SLOT_SIZE) / 4;

/** matmul's arguments for a 256 × 256 × 256 float32 product at the heap's start (large enough to share). */
const offer = [HEAP_LOCATION, 256, HEAP_LOCATION, 256, 1, HEAP_LOCATION, 256, 1, 0, 4, 256, 256, 256] as const;

const handle: HelperHandle = { terminate: async () => {} };

describe('kernel threads without their helpers', () => {
  test('helpers that cannot start: start() settles at once and every matmul is declined', async () => {
    const { memory } = deviceMemory();
    const threads = new KernelThreads(kernelModule, memory, 3, async () => {
      throw new Error('no nested workers here');
    });
    await threads.start();
    expect(threads.running()).toBe(1);
    expect(threads.matmul(...offer)).toBe(0);
    await threads.stop();
  });

  test('a helper whose worker fails to load: start() settles without waiting out its timeout', async () => {
    const { memory } = deviceMemory();
    const threads = new KernelThreads(kernelModule, memory, 2, async (_slot, onLost) => {
      setTimeout(onLost, 5);
      return handle;
    });
    const started = Date.now();
    await threads.start();
    expect(Date.now() - started).toBeLessThan(5_000); // START_TIMEOUT_MS is 10 s
    expect(threads.running()).toBe(1);
    await threads.stop();
  });

  test('a helper lost after it started is left out of every later job', async () => {
    const { memory, i32 } = deviceMemory();
    let loseHelper!: () => void;
    const threads = new KernelThreads(kernelModule, memory, 2, async (slot, onLost) => {
      loseHelper = onLost;
      setTimeout(() => { // the test plays the helper: ready, as runKernelThread reports it
        Atomics.store(i32, stateIndex(slot), THREAD_IDLE);
        Atomics.notify(i32, stateIndex(slot));
      }, 5);
      return handle;
    });
    const started = Date.now();
    await threads.start();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(threads.running()).toBe(2);
    loseHelper();
    expect(threads.running()).toBe(1);
    expect(threads.matmul(...offer)).toBe(0); // not posted to a helper that will never answer
    await threads.stop();
  });
});
