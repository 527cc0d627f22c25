// The postMessage transport with both ends in this realm over a real MessageChannel
// (src/runtime/message-transport.ts and workers/posted-firmware.ts): its wire form, its core
// module, and one program run over each transport giving the same values, simulated
// timestamps, op records, memory stats and errors.

import { afterEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { MtiaError, ValueError } from '../../src/errors.js';
import * as mtia from '../../src/mtia/index.js';
import { packCommands, unpackCommands } from '../../src/runtime/command-batch.js';
import {
  ARGS_BLOCK_SIZE, ARGS_LOCATION, COMMAND_ARG0, COMMAND_SIZE, CORE_DATA_LOCATION, RING_COMMANDS, RING_LOCATION,
} from '../../src/runtime/layout.js';
import { runtime } from '../../src/runtime/runtime.js';
import { unshareMemoryImport } from '../../src/runtime/unshared-core.js';
import { tensor, zeros } from '../../src/tensor/factories.js';
import { matmul } from '../../src/tensor/linalg.js';
import { add, exp } from '../../src/tensor/ops.js';
import { sum } from '../../src/tensor/reductions.js';
import { runInRealm } from '../support/in-realm.js';
import { coreImports } from '../../workers/kernel-threads.js';

runInRealm(runtime);
afterEach(() => mtia.shutdown());

describe('the core for unshared memory', () => {
  const bytes = readFileSync(new URL('../../dist/core.wasm', import.meta.url));

  test('differs from the built core in the memory import flag only, and instantiates on unshared memory', () => {
    const unshared = unshareMemoryImport(bytes);
    const changed = [...unshared.keys()].filter((i) => unshared[i] !== bytes[i]);
    expect(changed.length).toBe(1);
    expect([bytes[changed[0]!], unshared[changed[0]!]]).toEqual([0x03, 0x01]);
    const pages = Math.ceil(CORE_DATA_LOCATION / 65536) + 16;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    expect(() => new WebAssembly.Instance(new WebAssembly.Module(bytes), coreImports(memory))).toThrow(WebAssembly.LinkError);
    const core = new WebAssembly.Instance(new WebAssembly.Module(unshared), coreImports(memory));
    expect(typeof core.exports['drain']).toBe('function');
  });
});

describe('command batches', () => {
  test('carry commands and their argument blocks across the end of the ring, into the same positions', () => {
    const host = new Uint32Array(CORE_DATA_LOCATION / 4);
    const from = 3 * RING_COMMANDS - 3; // the last three positions, then the first three
    for (let i = 0; i < 6; i++) {
      const position = (from + i) % RING_COMMANDS;
      const word = (RING_LOCATION + position * COMMAND_SIZE) / 4;
      for (let k = 0; k < COMMAND_SIZE / 4; k++) host[word + k] = 1000 * i + k + 1;
      const block = ARGS_LOCATION + position * ARGS_BLOCK_SIZE;
      if (i % 2 === 0) host[word + COMMAND_ARG0 / 4] = block; // commands 0, 2, 4 have blocks
      for (let k = 0; k < ARGS_BLOCK_SIZE / 4; k++) host[block / 4 + k] = 7000 * (i + 1) + k;
    }
    const packed = packCommands(host, from, from + 6);
    expect(packed.length).toBe(6 * (COMMAND_SIZE / 4) + 3 * (ARGS_BLOCK_SIZE / 4));
    const device = new Uint32Array(CORE_DATA_LOCATION / 4);
    unpackCommands(device, from >>> 0, 6, packed);
    for (let i = 0; i < 6; i++) {
      const position = (from + i) % RING_COMMANDS;
      const word = (RING_LOCATION + position * COMMAND_SIZE) / 4;
      expect(Array.from(device.subarray(word, word + COMMAND_SIZE / 4))).toEqual(Array.from(host.subarray(word, word + COMMAND_SIZE / 4)));
      const block = (ARGS_LOCATION + position * ARGS_BLOCK_SIZE) / 4;
      const expected = i % 2 === 0 ? Array.from(host.subarray(block, block + ARGS_BLOCK_SIZE / 4)) : new Array(ARGS_BLOCK_SIZE / 4).fill(0);
      expect(Array.from(device.subarray(block, block + ARGS_BLOCK_SIZE / 4))).toEqual(expected);
    }
    expect(() => unpackCommands(device, from >>> 0, 5, packed)).toThrow('are not 5 commands');
  });
});

describe('configure({ transport })', () => {
  test('accepts auto, shared-memory and postMessage, names the option otherwise, and getDeviceProperties says which is used', () => {
    expect(() => mtia.configure({ transport: 'postmessage' as never })).toThrow(
      new ValueError("configure(): transport must be one of 'auto', 'shared-memory', 'postMessage', but got: 'postmessage'"),
    );
    expect(() => mtia.configure({ transport: 1 as never })).toThrow(TypeError);
    expect(() => mtia.configure({ transprot: 'auto' } as never)).toThrow("did you mean 'transport'?");
    mtia.configure({ deviceCount: 1, transport: 'postMessage' });
    expect(mtia.getDeviceProperties(0).transport).toBe('postMessage');
    mtia.configure({ transport: 'auto' });
    expect(mtia.getDeviceProperties(0).transport).toBe('shared-memory'); // Node shares memory
    mtia.configure({ transport: 'shared-memory' });
    expect(mtia.getDeviceProperties(0).transport).toBe('shared-memory');
  });
});

/** What one program observes: values, simulated times, op records, memory stats, errors. */
async function observe(transport: 'shared-memory' | 'postMessage') {
  mtia.configure({ deviceCount: 2, memoryBytes: 16 << 20, transport });
  expect(runtime.device(0).transport.kind).toBe(transport);
  mtia.profiler.start();
  const side = new mtia.Stream({ device: 0 });
  const start = new mtia.Event({ enableTiming: true });
  const end = new mtia.Event({ enableTiming: true });
  start.record();
  const flat = tensor(Array.from({ length: 64 * 64 }, (_, i) => (i % 13) - 6));
  const a = flat.reshape([64, 64]); // a view: the memory goes back once both are freed
  const z = mtia.withStream(side, () => zeros([64, 64]));
  const b = mtia.withStream(side, () => exp(z));
  const ready = new mtia.Event();
  ready.record(side);
  mtia.currentStream().waitEvent(ready);
  const c = matmul(a, b);
  end.record();
  await end.synchronize();
  // Another device waits for an event this one records (a relay through the host).
  const onOne = new mtia.Stream({ device: 1 });
  onOne.waitEvent(end);
  const e = mtia.withStream(onOne, () => tensor([1, 2, 3], { device: 'mtia:1' }));
  const d = mtia.withStream(onOne, () => sum(e));
  // ... and one recorded after work still queued: device 1 stops at the wait until the relay.
  let w = zeros([1 << 14]);
  for (let k = 0; k < 20; k++) {
    const next = exp(w);
    w.free();
    w = next;
  }
  const late = new mtia.Event();
  late.record();
  onOne.waitEvent(late);
  const f = mtia.withStream(onOne, () => add(e, 1));
  const values = {
    c: Array.from(await c.toArray()).slice(0, 8),
    d: Array.from(await d.toArray()),
    f: Array.from(await f.toArray()),
  };
  // More commands than the ring holds, without a wait: the backlog drains through waits.
  let x = zeros([4]);
  for (let k = 0; k < RING_COMMANDS + 500; k++) {
    const next = add(x, 1);
    x.free();
    x = next;
  }
  const backlog = Array.from(await x.toArray());
  await mtia.profiler.stop();
  const ops = mtia.profiler.opStats().map((op) => [op.name, op.device, op.cycles.total, op.bound]);
  // A command the core refuses surfaces at the next wait, with its status code.
  runtime.device(0).defaultQueue.enqueue(77, 0, 0, 0, 0, 0, 0, 0);
  const error = await mtia.synchronize(0).then(() => undefined, (e: MtiaError) => e.message);
  await mtia.synchronize();
  const allocated = mtia.memoryAllocated(0); // every tensor is still referenced (no collection can change it)
  for (const t of [flat, a, z, b, c, d, e, f, w, x]) t.free();
  // A free of a block other streams used waits until they pass it, which the host sees when it
  // next hears from the device: at once over shared memory, at the next message over postMessage.
  await mtia.synchronize();
  return {
    values,
    backlog,
    elapsedMs: start.elapsedTime(end),
    clock: runtime.device(0).simulatedSeconds(),
    clockOne: runtime.device(1).simulatedSeconds(),
    ops,
    allocated,
    freed: mtia.memoryAllocated(0),
    reserved: mtia.memoryReserved(0),
    error,
  };
}

describe('one program over both transports', () => {
  test('sees the same values, simulated times, op records, memory stats and errors', async () => {
    const shared = await observe('shared-memory');
    await mtia.shutdown();
    const posted = await observe('postMessage');
    expect(posted.values.d).toEqual([6]);
    expect(posted.values.f).toEqual([2, 3, 4]);
    expect(posted.backlog).toEqual(new Array(4).fill(RING_COMMANDS + 500));
    expect(posted.error).toBe('MTIA error on mtia:0: work on this device failed: a command had an unknown opcode (status 3)');
    expect(posted.ops.length).toBeGreaterThan(RING_COMMANDS);
    expect(posted).toEqual(shared);
  });

  test('a read-back takes the bytes at its place in the stream, before later commands overwrite them', async () => {
    mtia.configure({ deviceCount: 1, memoryBytes: 16 << 20, transport: 'postMessage' });
    const x = tensor([1, 2, 3, 4]);
    const before = x.toArray();
    x.copy_(tensor([5, 6, 7, 8]));
    const after = x.toArray();
    expect(Array.from(await before)).toEqual([1, 2, 3, 4]);
    expect(Array.from(await after)).toEqual([5, 6, 7, 8]);
  });

  test('shutdown rejects pending waits; the device can start again', async () => {
    mtia.configure({ deviceCount: 1, memoryBytes: 16 << 20, transport: 'postMessage' });
    let y = zeros([1 << 16]);
    for (let k = 0; k < 50; k++) y = exp(y);
    const pending = y.toArray();
    await mtia.shutdown();
    await expect(pending).rejects.toThrow('mtia:0 was shut down');
    expect(Array.from(await tensor([1, 2]).toArray())).toEqual([1, 2]);
  });
});
