// Storage references: a tensor freed in the task that made it never touches the
// FinalizationRegistry; one that outlives its task is registered once and unregistered on free.

import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { tensor } from '../../src/tensor/factories.js';
import { add } from '../../src/tensor/ops.js';
import { REGISTERED } from '../../src/tensor/storage.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 1, memoryBytes: 4 << 20 }));
afterAll(() => mtia.shutdown());
afterEach(() => vi.restoreAllMocks());

/** Resolves after the microtasks queued so far (the end of the current task's registrations). */
const endOfTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('Storage owners', () => {
  test('a tensor freed in the task that made it is never registered nor unregistered', async () => {
    const a = tensor(new Float32Array([1]));
    const b = tensor(new Float32Array([2]));
    await endOfTask();
    const register = vi.spyOn(FinalizationRegistry.prototype, 'register');
    const unregister = vi.spyOn(FinalizationRegistry.prototype, 'unregister');
    for (let i = 0; i < 3000; i++) add(a, b).free(); // more than the 1024 young owners kept at once
    await endOfTask();
    expect(register).not.toHaveBeenCalled();
    expect(unregister).not.toHaveBeenCalled();
    const c = add(a, b);
    expect(Array.from(await c.toArray())).toEqual([3]);
    c.free();
    a.free();
    b.free();
  });

  test('a tensor that outlives its task is registered once, and unregistered when freed', async () => {
    const register = vi.spyOn(FinalizationRegistry.prototype, 'register');
    const unregister = vi.spyOn(FinalizationRegistry.prototype, 'unregister');
    const kept = tensor(new Float32Array([5]));
    const freed = tensor(new Float32Array([6]));
    expect(kept.ownerSlot).not.toBe(REGISTERED);
    freed.free();
    await endOfTask();
    expect(register).toHaveBeenCalledTimes(1);
    expect(register.mock.calls[0]![0]).toBe(kept);
    expect(kept.ownerSlot).toBe(REGISTERED);
    kept.free();
    expect(unregister).toHaveBeenCalledTimes(1);
    expect(unregister.mock.calls[0]![0]).toBe(kept);
    kept.free(); // a second free does nothing
    expect(unregister).toHaveBeenCalledTimes(1);
  });

  test('past 1024 young owners, those still holding are registered at once, the freed ones never', async () => {
    const register = vi.spyOn(FinalizationRegistry.prototype, 'register');
    const tensors = Array.from({ length: 1024 }, () => tensor(new Float32Array([1])));
    for (let i = 0; i < 1024; i += 2) tensors[i]!.free();
    expect(register).not.toHaveBeenCalled();
    // The 1025th retain registers the 1024 young owners before it that still hold their reference.
    for (let i = 0; i < 76; i++) tensors.push(tensor(new Float32Array([1])));
    expect(register).toHaveBeenCalledTimes(512);
    await endOfTask();
    expect(register).toHaveBeenCalledTimes(588);
    expect(new Set(register.mock.calls.map((call) => call[0]))).toEqual(new Set(tensors.filter((_, i) => i % 2 === 1 || i >= 1024)));
    for (const t of tensors) t.free();
    expect(runtime.device(0).allocator.stats.allocation[0].current).toBe(0);
  });
});
