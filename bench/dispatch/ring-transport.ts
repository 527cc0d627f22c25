// The ring transport alone: raw ADD commands pushed through the library's own host code
// (StreamQueue → CommandRing) to a real device worker, without tensor bookkeeping, so it can be
// set beside postmessage-worker.mjs command for command. run.mjs bundles this file with
// esbuild into build/bench/ (it reaches into src/, which the package does not export).

import { resolveProfile, type ProfileName } from '../../src/profiles.js';
import { profileFields } from '../../src/runtime/profile-block.js';
import { compileCore } from '../../src/runtime/environment.js';
import {
  ABI_VERSION, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_OPCODE, COMMAND_SIZE, COMMAND_SRC0, COMMAND_SRC1,
  DTYPE_FLOAT32, HEADER_ABI_VERSION, HEADER_RING_HEAD, HEAP_LOCATION, OP_ADD, PROFILE_LOCATION, RING_COMMANDS, RING_LOCATION,
} from '../../src/runtime/layout.js';
import { SimulatedDevice } from '../../src/runtime/simulated-device.js';
import { WorkerLink } from '../../src/runtime/worker-link.js';
import { coreImports } from '../../workers/kernel-threads.js';

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
  const result = new Float32Array(1);
  await device.download(queue, c, result, true);
  const [value] = result;
  await device.shutdown();
  if (value !== 3) throw new Error(`ring transport: 1 + 2 gave ${value}`);
  return rates;
}

/**
 * The core alone, in this thread: `commands` 1-element float32 ADDs written into the ring of a
 * fresh core instance and run by one drain() call, per rep; returns nanoseconds per command
 * (checks, kernel, timing model and op record; no worker, no host bookkeeping).
 */
export async function measureCoreDrain(commands: number, warmupReps: number, reps: number): Promise<number[]> {
  const module = await compileCore(new URL('core.wasm', dist));
  const pages = Math.ceil((HEAP_LOCATION + (1 << 20)) / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const u32 = new Uint32Array(memory.buffer);
  const f32 = new Float32Array(memory.buffer);
  u32[HEADER_ABI_VERSION / 4] = ABI_VERSION;
  new Float64Array(memory.buffer).set(profileFields(resolveProfile('mtia-v2')), PROFILE_LOCATION / 8);
  const core = new WebAssembly.Instance(module, coreImports(memory)).exports as unknown as { boot(): number; drain(budget: number): number };
  if (core.boot() !== 0) throw new Error('core drain: boot() failed');
  const [a, b, c] = [HEAP_LOCATION, HEAP_LOCATION + 512, HEAP_LOCATION + 1024];
  f32[a / 4] = 1;
  f32[b / 4] = 2;
  let pushed = 0;
  const perCommand: number[] = [];
  for (let rep = 0; rep < warmupReps + reps; rep++) {
    for (let k = 0; k < commands; k++) {
      const word = (RING_LOCATION + ((pushed + k) % RING_COMMANDS) * COMMAND_SIZE) / 4;
      u32.fill(0, word, word + COMMAND_SIZE / 4);
      u32[word + COMMAND_OPCODE / 4] = OP_ADD;
      u32[word + COMMAND_DTYPE / 4] = DTYPE_FLOAT32;
      u32[word + COMMAND_DST / 4] = c;
      u32[word + COMMAND_SRC0 / 4] = a;
      u32[word + COMMAND_SRC1 / 4] = b;
      u32[word + COMMAND_COUNT / 4] = 1;
    }
    pushed += commands;
    Atomics.store(u32, HEADER_RING_HEAD / 4, pushed >>> 0);
    const start = performance.now();
    const ran = core.drain(commands);
    const elapsed = performance.now() - start;
    if (ran !== commands) throw new Error(`core drain: ran ${ran} of ${commands} commands`);
    if (rep >= warmupReps) perCommand.push((elapsed * 1e6) / commands);
  }
  if (f32[c / 4] !== 3) throw new Error(`core drain: 1 + 2 gave ${f32[c / 4]}`);
  return perCommand;
}

/** The profile block of `name` as the core reads it, for the postMessage baseline worker. */
export function profileBlock(name: ProfileName): Float64Array {
  return profileFields(resolveProfile(name));
}
