// Event slots on a long run: a loop that records more events than the device has slots, and
// drops them without awaiting (so the garbage collector has not reclaimed them), keeps going;
// completed records give their slots up and keep their time on the host.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import { EVENT_SLOTS } from '../../src/runtime/layout.js';
import { runtime } from '../../src/runtime/runtime.js';
import { zeros } from '../../src/tensor/factories.js';
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
