// The ring transport alone: raw ADD commands pushed through the library's own host code
// (StreamQueue → CommandRing) to a real device worker, without tensor bookkeeping, so it can be
// set beside postmessage-worker.mjs command for command. run.mjs bundles this file with
// esbuild into build/bench/ (it reaches into src/, which the package does not export).

import { resolveProfile, type ProfileName } from '../../src/profiles.js';
import { profileFields } from '../../src/runtime/profile-block.js';
import { compileCore } from '../../src/runtime/environment.js';
import { DTYPE_FLOAT32, OP_ADD } from '../../src/runtime/layout.js';
import { SimulatedDevice } from '../../src/runtime/simulated-device.js';
import { WorkerLink } from '../../src/runtime/worker-link.js';

const dist = new URL('../../dist/', import.meta.url);

/** Per rep: commands per second from the first push until the device has completed the last. */
export async function measureRingTransport(ops: number, warmupReps: number, reps: number): Promise<number[]> {
  const module = compileCore(new URL('core.wasm', dist));
  const device = new SimulatedDevice(0, resolveProfile('mtia-v2'), 16 << 20, async (memory, name, onLost) =>
    WorkerLink.start(new URL('device-worker.js', dist), name, await module, memory, 30_000, onLost),
  );
  await device.booted;
  const queue = device.defaultQueue;
  const [a, b, c] = [device.allocateForHost(4, queue), device.allocateForHost(4, queue), device.allocate(4)];
  device.upload(queue, a, new Float32Array([1]));
  device.upload(queue, b, new Float32Array([2]));
  const rates: number[] = [];
  for (let rep = 0; rep < warmupReps + reps; rep++) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) queue.enqueue(OP_ADD, DTYPE_FLOAT32, c, a, b, 1, 0, 0);
    await device.wait(queue, queue.enqueued, 'the benchmark');
    if (rep >= warmupReps) rates.push(ops / ((performance.now() - start) / 1000));
  }
  const [value] = new Float32Array(await device.download(queue, c, 4));
  await device.shutdown();
  if (value !== 3) throw new Error(`ring transport: 1 + 2 gave ${value}`);
  return rates;
}

/** The profile block of `name` as the core reads it, for the postMessage baseline worker. */
export function profileBlock(name: ProfileName): Float64Array {
  return profileFields(resolveProfile(name));
}
