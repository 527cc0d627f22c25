// torch.mtia's RNG functions on in-realm devices: state round trips per device, seeds that give
// the same numbers whatever order the devices are used in, seed checks, and the calls queued
// before initialization: replayed in PyTorch's order, failing with DeferredMtiaCallError
// (pytorch/pytorch torch/mtia/__init__.py; the state format of CUDAGeneratorImpl.cpp).

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DeferredMtiaCallError, MtiaError } from '../../src/errors.js';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { rand } from '../../src/tensor/factories.js';
import { DEFAULT_SEED, seedEveryDevice } from '../../src/tensor/generator.js';
import { philoxWords } from '../support/reference.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 2, memoryBytes: 8 << 20 }));
// Each test starts uninitialized, with nothing queued and new generators at PyTorch's default
// seed (manualSeedAll's seed outlives shutdown(): it is every future device's too).
afterEach(async () => {
  runtime.lazyCalls.clear();
  await mtia.shutdown();
  seedEveryDevice(DEFAULT_SEED);
});

const read = async (t: { toArray(): Promise<ArrayLike<number>> }) => Array.from(await t.toArray());
/** What rand() gives in float32 for seed `seed` from `offset`: (word >> 8) · 2^-24. */
const uniform = (seed: bigint, offset: bigint, count: number) => philoxWords(seed, offset, count).map((w) => (w >>> 8) * 2 ** -24);
/** 16 bytes of state: seed u64 LE, offset u64 LE. */
const stateOf = (seed: bigint, offset: bigint) => {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setBigUint64(0, seed, true);
  new DataView(bytes.buffer).setBigUint64(8, offset, true);
  return bytes;
};

describe('state', () => {
  test('a getRngState / setRngState round trip reproduces the sequence on each device', async () => {
    mtia.manualSeedAll(42);
    for (const device of [0, 1]) {
      rand([5], { device });
      const saved = mtia.getRngState(device);
      expect(Array.from(saved)).toEqual(Array.from(stateOf(42n, 8n)));
      const first = await read(rand([10], { device }));
      expect(first).toEqual(uniform(42n, 8n, 10));
      expect(mtia.getRngState(device)).toEqual(stateOf(42n, 20n));
      mtia.setRngState(saved, device);
      expect(await read(rand([10], { device }))).toEqual(first);
    }
  });

  test('getRngStateAll / setRngStateAll: one state per device; the default device is the current one', async () => {
    mtia.setRngStateAll([stateOf(5n, 4n), stateOf(6n, 0n)]);
    expect(mtia.getRngStateAll()).toEqual([stateOf(5n, 4n), stateOf(6n, 0n)]);
    await mtia.withDevice(1, async () => {
      expect(mtia.getRngState()).toEqual(stateOf(6n, 0n));
      mtia.setRngState(stateOf(9n, 12n));
      expect(await read(rand([3]))).toEqual(uniform(9n, 12n, 3));
    });
    expect(mtia.getRngState('mtia:1')).toEqual(stateOf(9n, 16n));
    expect(mtia.getRngState()).toEqual(stateOf(5n, 4n));
    mtia.setRngState(new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]), 0);
    expect(mtia.getRngState(0)).toEqual(stateOf(7n, 0n));
  });

  test("setRngState checks the state with PyTorch's errors, at the call once initialized", async () => {
    await mtia.init();
    expect(() => mtia.setRngState([1, 2] as never)).toThrow(new TypeError('RNG state must be a torch.ByteTensor (here: a Uint8Array), but got: [1, 2]'));
    expect(() => mtia.setRngState(new Uint8Array(12))).toThrow(MtiaError);
    expect(() => mtia.setRngState(new Uint8Array(12))).toThrow('RNG state is wrong size');
    expect(() => mtia.setRngState(stateOf(1n, 2n))).toThrow('offset must be a multiple of 4, but got 2');
    expect(() => mtia.setRngState(stateOf(1n, 0n), 2)).toThrow('out of range');
    expect(() => mtia.setRngStateAll(stateOf(1n, 0n) as never)).toThrow(TypeError);
    expect(mtia.getRngState(0)).toEqual(stateOf(DEFAULT_SEED, 0n));
  });
});

describe('defaultGenerators', () => {
  test('empty until the devices start, then one torch.Generator per device on the same state; empty after shutdown', async () => {
    expect(mtia.defaultGenerators).toEqual([]);
    mtia.manualSeedAll(3);
    await mtia.init();
    const [g0, g1] = mtia.defaultGenerators;
    expect([mtia.defaultGenerators.length, String(g0!.device), String(g1!.device)]).toEqual([2, 'mtia:0', 'mtia:1']);
    expect(g1!.manualSeed(8n).initialSeed()).toBe(8n);
    expect(mtia.getRngState(1)).toEqual(stateOf(8n, 0n));
    rand([4], { device: 1 });
    expect(g1!.getState()).toEqual(stateOf(8n, 4n));
    g0!.setState(stateOf(21n, 12n));
    expect(await read(rand([2]))).toEqual(uniform(21n, 12n, 2));
    expect(g0!.seed()).toBe(mtia.initialSeed());
    expect(() => g0!.manualSeed(2n ** 64n)).toThrow('Overflow when unpacking long');
    await mtia.shutdown();
    expect(mtia.defaultGenerators).toEqual([]);
  });
});

describe('seeds', () => {
  test('the same seed gives the same numbers whatever the order in which the devices are used', async () => {
    const run = async (order: number[]) => {
      mtia.manualSeedAll(2024);
      const out: Record<number, number[]> = {};
      for (const device of order) out[device] = await read(rand([6], { device }));
      await mtia.shutdown();
      return out;
    };
    const forward = await run([0, 1]);
    const backward = await run([1, 0]);
    expect(backward).toEqual(forward);
    expect(forward[0]).toEqual(uniform(2024n, 0n, 6));
    expect(forward[1]).toEqual(uniform(2024n, 0n, 6));
  });

  test('manualSeed seeds the current device only; initialSeed reads it; manualSeedAll seeds all', async () => {
    await mtia.init();
    mtia.manualSeedAll(10);
    mtia.withDevice(1, () => mtia.manualSeed(11n));
    expect([mtia.initialSeed(), mtia.withDevice(1, () => mtia.initialSeed())]).toEqual([10n, 11n]);
    mtia.manualSeed(-1);
    expect(mtia.initialSeed()).toBe(2n ** 64n - 1n);
    mtia.manualSeed(2n ** 64n - 1n);
    mtia.manualSeed(-(2n ** 63n));
    expect(mtia.initialSeed()).toBe(2n ** 63n);
  });

  test('seeds outside 64 bits, fractions and inexact numbers are errors naming the seed', () => {
    expect(() => mtia.manualSeed(2n ** 64n)).toThrow(
      new MtiaError('Overflow when unpacking long: manualSeed(): seed must be in [-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff], but got: 18446744073709551616'),
    );
    expect(() => mtia.manualSeedAll(-(2n ** 63n) - 1n)).toThrow('Overflow when unpacking long: manualSeedAll(): seed must be in');
    expect(() => mtia.manualSeed(1.5)).toThrow(new TypeError('manualSeed(): seed must be an integer, but got: 1.5'));
    expect(() => mtia.manualSeed(2 ** 60)).toThrow(TypeError);
    expect(() => mtia.manualSeedAll('1' as never)).toThrow(new TypeError("manualSeedAll(): seed must be an integer or a bigint, but got: '1'"));
    expect(runtime.lazyCalls.size).toBe(0);
  });

  test('seed() and seedAll() draw a 64-bit seed, apply it and return it', async () => {
    await mtia.init();
    const one = mtia.seed()!;
    expect(typeof one).toBe('bigint');
    expect(mtia.initialSeed()).toBe(one);
    const all = mtia.seedAll()!;
    expect(all).not.toBe(one);
    expect(mtia.getRngStateAll()).toEqual([stateOf(all, 0n), stateOf(all, 0n)]);
  });
});

describe('calls before initialization', () => {
  test('are queued, not run, and replayed at init: set_rng_state first, then the latest seed calls in order', async () => {
    const state = stateOf(77n, 8n);
    mtia.setRngState(state, 1);
    state[0] = 0; // the queued call holds a copy
    expect(runtime.initialized).toBe(false);
    expect(mtia.seed()).toBeUndefined();
    mtia.manualSeed(1); // replaces seed(): one manual_seed-type call is kept
    mtia.manualSeed(2);
    mtia.manualSeedAll(3);
    mtia.manualSeed(4); // latest: runs after manual_seed_all
    expect([runtime.lazyCalls.size, runtime.initialized]).toEqual([3, false]);
    await mtia.init();
    expect(mtia.getRngStateAll()).toEqual([stateOf(4n, 0n), stateOf(3n, 0n)]);
    expect(runtime.lazyCalls.size).toBe(0);
  });

  test('a queued set_rng_state applies when nothing overrides it, on the device resolved at the call', async () => {
    mtia.setDevice(1);
    mtia.setRngState(stateOf(77n, 8n));
    mtia.setDevice(0);
    expect(await read(rand([4], { device: 1 }))).toEqual(uniform(77n, 8n, 4));
    expect(mtia.getRngState(0)).toEqual(stateOf(DEFAULT_SEED, 0n));
  });

  test('seedAll() queued after seed() overrides it; manual_seed_all then manual_seed leaves the current device apart', async () => {
    mtia.seed();
    mtia.seedAll();
    await mtia.init();
    const [a, b] = mtia.getRngStateAll();
    expect(a).toEqual(b);
    await mtia.shutdown();
    mtia.manualSeedAll(1);
    mtia.manualSeed(2);
    await mtia.init();
    expect(mtia.getRngStateAll()).toEqual([stateOf(2n, 0n), stateOf(1n, 0n)]);
  });

  test('a queued call that fails raises DeferredMtiaCallError at init: the error, where it was called, the cause', async () => {
    const callSite = () => mtia.setRngState(new Uint8Array(15), 1);
    callSite();
    let thrown: unknown;
    try {
      await mtia.init();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeferredMtiaCallError);
    expect(thrown).toBeInstanceOf(MtiaError);
    const error = thrown as DeferredMtiaCallError;
    expect(error.name).toBe('DeferredMtiaCallError');
    const [head, stack] = error.message.split('\n\nMTIA call was originally invoked at:\n\n');
    expect(head).toBe('MTIA call failed lazily at initialization with error: RNG state is wrong size: expected 16 bytes (seed, offset) or 8 (seed), but got 15');
    expect(stack!.split('\n')[0]).toMatch(/at callSite .*rng-state\.test\.ts:\d+:\d+\)$/);
    expect(stack).not.toMatch(/lazy-calls|random\.ts/);
    expect(error.cause).toBeInstanceOf(MtiaError);
    expect((error.cause as Error).message).toBe('RNG state is wrong size: expected 16 bytes (seed, offset) or 8 (seed), but got 15');
    // MTIA stays uninitialized and the queue is kept: the next start fails the same way.
    expect(mtia.isInitialized()).toBe(false);
    expect(() => rand([1])).toThrow(DeferredMtiaCallError);
    // init() rejects rather than throwing (issue 21 finding 8): its errors arrive one way.
    let started: Promise<void> | undefined;
    expect(() => (started = mtia.init())).not.toThrow();
    await expect(started).rejects.toBeInstanceOf(DeferredMtiaCallError);
    runtime.lazyCalls.clear();
    expect(await read(rand([2]))).toEqual(uniform(DEFAULT_SEED, 0n, 2));
  });

  test('bad arguments still throw at the call, before anything is queued', () => {
    expect(() => mtia.setRngState('state' as never)).toThrow(TypeError);
    expect(() => mtia.setRngState(new Uint8Array(16), 5)).toThrow('out of range');
    expect(() => mtia.manualSeed(2n ** 70n)).toThrow(MtiaError);
    expect([runtime.lazyCalls.size, runtime.initialized]).toEqual([0, false]);
  });
});
