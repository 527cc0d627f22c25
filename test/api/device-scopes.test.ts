// Scopes (issue 11, finding 2): the current device and stream belong to the async context that
// set them. Concurrent withDevice/withStream callbacks with awaits inside never see each
// other's device or stream, and each leaves its caller's as it was.

import { afterAll, describe, expect, test } from 'vitest';
import { add, mtia, tensor, zeros, MtiaError, type Tensor } from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** Makes `count` tensors with an await between each, and reports the device each landed on. */
async function makeWithAwaits(count: number): Promise<{ devices: string[]; tensors: Tensor[] }> {
  const tensors: Tensor[] = [];
  for (let k = 0; k < count; k++) {
    await new Promise((resolve) => setTimeout(resolve, k % 3)); // interleave with the other scope
    tensors.push(k % 2 === 0 ? zeros([2]) : tensor([k, k]));
  }
  return { devices: tensors.map((t) => String(t.device)), tensors };
}

describe('device and stream scopes are per async context', () => {
  for (const before of [0, 1]) {
    test(`Promise.all of withDevice(0) and withDevice(1): every tensor on its scope's device; currentDevice() stays ${before}`, async () => {
      mtia.setDevice(before);
      const [on0, on1] = await Promise.all([
        mtia.withDevice(0, () => makeWithAwaits(20)),
        mtia.withDevice(1, () => makeWithAwaits(20)),
      ]);
      expect(on0.devices).toEqual(Array(20).fill('mtia:0'));
      expect(on1.devices).toEqual(Array(20).fill('mtia:1'));
      expect(mtia.currentDevice()).toBe(before);
      for (const t of [...on0.tensors, ...on1.tensors]) t.free();
      mtia.setDevice(0);
    });
  }

  test('Promise.all of withStream on two streams of one device: ops go to their own stream', async () => {
    const [s1, s2] = [new mtia.Stream({ device: 0 }), new mtia.Stream({ device: 0 })];
    const run = (stream: mtia.Stream) =>
      mtia.withStream(stream, async () => {
        const seen: boolean[] = [];
        let x = zeros([4]);
        for (let k = 0; k < 10; k++) {
          await new Promise((resolve) => setTimeout(resolve, k % 2));
          seen.push(mtia.currentStream().equals(stream));
          const next = add(x, 1);
          x.free();
          x = next;
        }
        // The event records on the scope's stream: it completes only after the scope's own adds.
        const done = new mtia.Event();
        done.record();
        await done.synchronize();
        return { seen, values: Array.from(await x.toArray()), stream: mtia.currentStream() };
      });
    const [a, b] = await Promise.all([run(s1), run(s2)]);
    expect(a.seen).toEqual(Array(10).fill(true));
    expect(b.seen).toEqual(Array(10).fill(true));
    expect(a.stream.equals(s1) && b.stream.equals(s2)).toBe(true);
    expect(a.values).toEqual([10, 10, 10, 10]);
    expect(b.values).toEqual([10, 10, 10, 10]);
    expect(mtia.currentStream().equals(mtia.defaultStream(0))).toBe(true);
  });

  test('setDevice inside a scope changes that scope only', async () => {
    mtia.setDevice(0);
    const inside = await mtia.withDevice(0, async () => {
      mtia.setDevice(1);
      await null;
      return mtia.currentDevice();
    });
    expect(inside).toBe(1);
    expect(mtia.currentDevice()).toBe(0);
  });

  test('interleaved disposable contexts in one scope throw at dispose instead of restoring the wrong device', async () => {
    mtia.setDevice(0);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = (async () => {
      const context = mtia.device(1);
      await gate;
      context[Symbol.dispose]();
    })();
    const second = mtia.device(0); // opened after the first, in the same (outermost) scope
    release();
    await expect(first).rejects.toThrow(MtiaError);
    await expect(first).rejects.toThrow(/mtia\.device\(1\) was disposed while a device or stream context opened after it is still open/);
    second[Symbol.dispose]();
    expect(mtia.currentDevice()).toBe(1); // the first context restored nothing
    mtia.setDevice(0);
    // Disposed innermost first, contexts nest and restore.
    {
      using _a = mtia.device(1);
      {
        using _b = mtia.device(0);
        expect(mtia.currentDevice()).toBe(0);
      }
      expect(mtia.currentDevice()).toBe(1);
    }
    expect(mtia.currentDevice()).toBe(0);
  });
});
