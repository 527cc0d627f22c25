// Event slots on a long run: a loop that records more events than the device has slots, and
// drops them without awaiting (so the garbage collector has not reclaimed them), keeps going;
// completed records give their slots up and keep their time on the host.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import { DeviceLostError } from '../../src/errors.js';
import { FENCE_SLOTS, RECORD_SLOTS } from '../../src/runtime/event-slots.js';
import { EVENT_SLOTS } from '../../src/runtime/layout.js';
import { runtime } from '../../src/runtime/runtime.js';
import { ones, tensor, zeros } from '../../src/tensor/factories.js';
import { matmul } from '../../src/tensor/linalg.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 2, memoryBytes: 16 << 20 }));
afterAll(() => mtia.shutdown());

describe('event slots', () => {
  test(`recording ${2 * EVENT_SLOTS + 100} events held alive, with waits on both devices, does not run out of slots`, async () => {
    const [s0, s1] = [new mtia.Stream({ device: 0 }), new mtia.Stream({ device: 1 })];
    const kept: mtia.Event[] = [];
    for (let k = 0; k < 2 * EVENT_SLOTS + 100; k++) {
      const event = new mtia.Event({ enableTiming: true });
      mtia.withStream(s0, () => zeros([16]).free());
      event.record(s0);
      if (k % 3 === 0) s1.waitEvent(event);
      if (k % 3 === 1) mtia.defaultStream(0).waitEvent(event);
      kept.push(event);
      if (k % 1000 === 999) await new Promise((resolve) => setTimeout(resolve, 0)); // let the in-realm firmware run
    }
    await Promise.all([mtia.synchronize(0), mtia.synchronize(1)]);
    // Spilled events keep their times: later records are later, waits on them still order.
    const [first, last] = [kept[0]!, kept[kept.length - 1]!];
    expect(first.query() && last.query()).toBe(true);
    expect(first.elapsedTime(last)).toBeGreaterThan(0);
    const late = new mtia.Stream({ device: 1 });
    first.wait(late); // first's slot was spilled long ago: an advance of late's clock to its time
    const mark = late.recordEvent(new mtia.Event({ enableTiming: true }));
    await mark.synchronize();
    expect(kept.every((event) => event.query())).toBe(true);
  });
});

// Issue 21 finding 2: the library's own waits (fences) have slots of their own and wait for
// one when all are taken; a re-recorded event reuses the slots of its earlier records on the
// same stream, however far the device lags behind.
describe('event slots and the library\'s own waits', () => {
  test(`${FENCE_SLOTS * 4} concurrent reads leave every record slot free and all resolve`, async () => {
    await mtia.synchronize(0);
    const device = runtime.device(0);
    const x = tensor([1, 2, 3]);
    const before = device.eventSlots.freeCount;
    const reads = Array.from({ length: FENCE_SLOTS * 4 }, () => x.toArray());
    expect(device.eventSlots.freeCount).toBe(before); // no record slot taken by a read
    const values = await Promise.all(reads);
    expect(values.every((v) => [...v].join() === '1,2,3')).toBe(true);
  });

  test(`an event re-recorded ${3 * EVENT_SLOTS} times without yielding to the device reuses its slots`, async () => {
    const s = new mtia.Stream({ device: 0 });
    const event = new mtia.Event();
    const a = mtia.withStream(s, () => ones([4, 4]));
    for (let step = 0; step < 3 * EVENT_SLOTS; step++) {
      mtia.withStream(s, () => matmul(a, a).free());
      event.record(s);
    }
    // None of it ran yet (the in-realm firmware runs when the test yields): every record
    // after the first 3 840 took back a slot of an earlier one on its stream.
    expect(event.query()).toBe(false);
    await mtia.synchronize(0);
    expect(event.query()).toBe(true);
  });

  test(`${RECORD_SLOTS} live records the device has not reached fill the record slots; then record() throws a clear error`, async () => {
    await mtia.synchronize(1);
    const s = new mtia.Stream({ device: 1 });
    const kept = Array.from({ length: RECORD_SLOTS }, () => s.recordEvent());
    // Here the host cannot wait inside record() (the firmware runs in this realm, as over postMessage).
    expect(() => s.recordEvent()).toThrow(`all ${RECORD_SLOTS} event slots of the device are held by recorded events the device has not reached`);
    await s.synchronize(); // a fence still gets a slot of its own
    expect(kept.every((event) => event.query())).toBe(true);
    expect(s.recordEvent().query()).toBe(false); // completed records spill: slots again
  });

  test(`${FENCE_SLOTS * 2} reads, half of them waiting for a fence slot, all settle when the device is shut down`, async () => {
    const x = tensor([1, 2, 3]);
    await x.toArray();
    const reads = Array.from({ length: FENCE_SLOTS * 2 }, () => x.toArray());
    await mtia.shutdown();
    const settled = await Promise.allSettled(reads); // a hang would time the test out
    const reasons = settled.flatMap((read) => (read.status === 'rejected' ? [read.reason as Error] : []));
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.every((reason) => reason instanceof DeviceLostError)).toBe(true);
  });
});

