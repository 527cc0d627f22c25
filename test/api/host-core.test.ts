// Small work on the host's own core (src/runtime/host-core.ts): when a wait finds a few small
// ops the device worker has not taken, the host runs them itself on a second instance of the
// core over the same shared memory. A program must see exactly what it sees when the worker
// runs everything (mtia.configure({ hostRunsSmallWork: false })): the same values, and the same
// simulated start and end of every op, SRAM cache and engine reservations included, since the
// state the core keeps between commands is in device memory. Large work still goes to the
// worker, and both cores take turns through the header's CORE_OWNER word.

import { afterAll, describe, expect, test } from 'vitest';
import { add, DeviceLostError, matmul, mtia, mul, randn, softmax, sum, tensor, type Tensor } from 'mtia-sim';

afterAll(() => mtia.shutdown());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Commands the host's core has run on the device of `t` (an internal counter). */
function ranOnHost(t: Tensor): number {
  return (t as unknown as { storage: { device: { commandsRunOnHost: number } } }).storage.device.commandsRunOnHost;
}

/** A program mixing small work (read back at once, after an await, through query()) with large work, two streams and an event. */
async function program(): Promise<{ values: number[][]; ops: [string, number, number][]; onHost: number }> {
  mtia.manualSeed(20261208);
  const x = randn([8, 16]);
  const y = randn([8, 16]);
  const values: number[][] = [];
  for (let i = 0; i < 12; i++) {
    const z = add(mul(x, y), x);
    const total = sum(z);
    if (i % 3 === 1) await null; // an await between the op and its read
    if (i % 4 === 2) await pause(2); // the firmware asleep meanwhile
    values.push(Array.from(await total.toArray()), Array.from(await softmax(z, -1).toArray()));
    z.free();
    total.free();
  }
  // Large work in between: the worker runs it, with the small ops queued behind it.
  const a = randn([192, 256]);
  const b = randn([256, 160]);
  const c = matmul(a, b);
  values.push(Array.from(await sum(add(c, c)).toArray()));
  // A second stream and an event.
  const s = new mtia.Stream();
  const u = mtia.withStream(s, () => mul(x, x));
  const ready = s.recordEvent();
  mtia.currentStream().waitEvent(ready);
  values.push(Array.from(await add(u, x).toArray()));
  // query() gets small work going without a wait.
  const q = add(x, tensor(new Float32Array(128).fill(1)).reshape([8, 16]));
  while (!mtia.currentStream().query()) await pause(1);
  values.push(Array.from(await q.toArray()));
  await mtia.synchronize();
  return { values, ops: [], onHost: ranOnHost(x) };
}

/** `program` on a fresh configuration, profiled: its values, its ops' simulated start and end, and how many commands the host ran. */
async function run(hostRunsSmallWork: boolean): Promise<{ values: number[][]; ops: [string, number, number][]; onHost: number }> {
  await mtia.shutdown();
  mtia.configure({ hostRunsSmallWork });
  mtia.profiler.start();
  const result = await program();
  await mtia.profiler.stop();
  result.ops = mtia.profiler.opStats().map((op) => [op.name, op.startNs, op.endNs]);
  return result;
}

describe('small work on the host', () => {
  test('gives the same values and the same simulated time of every op as the device worker alone', async () => {
    const worker = await run(false);
    const host = await run(true);
    expect(worker.onHost).toBe(0);
    expect(host.onHost).toBeGreaterThan(60); // most of the program's commands
    expect(host.ops.length).toBeGreaterThan(80);
    expect(host.ops).toEqual(worker.ops);
    expect(host.values).toEqual(worker.values);
  });

  test('a round trip loop runs on the host alone; large work still runs on the worker', async () => {
    await mtia.shutdown();
    mtia.configure({});
    await mtia.init(); // the host runs small work once the device has booted
    const one = tensor(new Float32Array([1]));
    let x = tensor(new Float32Array([0]));
    await mtia.synchronize();
    const before = ranOnHost(one);
    for (let i = 1; i <= 200; i++) {
      const next = add(x, one);
      x.free();
      x = next;
      expect(Array.from(await x.toArray())).toEqual([i]);
    }
    // Each round trip: the add and the copy to the host (which needs no fence then), at least.
    expect(ranOnHost(one) - before).toBeGreaterThanOrEqual(400);
    const big = randn([512, 512]);
    const product = matmul(big, big);
    const afterSmall = ranOnHost(one);
    await mtia.synchronize();
    // The matmul (and the randn before it) are never small: the host ran neither.
    expect(ranOnHost(one) - afterSmall).toBeLessThanOrEqual(2); // the fence's own record at most
    expect(product.shape).toEqual([512, 512]);
  });

  test("a trap in the host's core faults the device as the firmware's would: waits reject, the other device goes on", async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 2 });
    await mtia.init(); // the host runs small work once the device has booted
    const x = tensor(new Float32Array([1]), { device: 0 });
    await x.toArray();
    // The core reaching `unreachable` while the host runs it (an internal handle; no command traps on purpose).
    const device = (x as unknown as { storage: { device: { hostCore: { core: object } } } }).storage.device;
    const error = console.error;
    console.error = () => {}; // the trap is reported there
    try {
      device.hostCore.core = {
        ...device.hostCore.core,
        drain: () => {
          throw new WebAssembly.RuntimeError('unreachable');
        },
      };
      await expect(add(x, x).toArray()).rejects.toThrow(new DeviceLostError(0, 'mtia:0 faulted: the device core trapped'));
    } finally {
      console.error = error;
    }
    await expect(mtia.synchronize(0)).rejects.toThrow(DeviceLostError);
    expect(() => tensor([1], { device: 0 })).toThrow(DeviceLostError);
    const y = tensor(new Float32Array([2]), { device: 1 });
    expect(Array.from(await add(y, y).toArray())).toEqual([4]);
    await mtia.shutdown();
  });
});
