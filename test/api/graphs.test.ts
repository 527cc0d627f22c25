// Graph capture and replay with real device workers (docs/graphs.md): the firmware drains the
// ring while the host writes a replay into it, and the figures of issue 12's "done when".

import { afterAll, expect, test } from 'vitest';
import { add, matmul, mtia, mul, randn, sigmoid, tanh, tensor, type Tensor } from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** 100 small elementwise ops, then a matmul; intermediates freed. */
function model(x: Tensor, w: Tensor): Tensor {
  let y = x;
  for (let k = 0; k < 100; k++) {
    const next = k % 2 === 0 ? mul(add(y, 0.5), 0.9) : sigmoid(y);
    if (y !== x) y.free();
    y = next;
  }
  const out = matmul(y, w);
  y.free();
  return out;
}

test('replay on a worker device is bit-identical to the eager run, in place, and cheaper per op in simulated time', async () => {
  const x = randn([8, 32]);
  const w = randn([32, 8]);
  const timed = () => new mtia.Event({ enableTiming: true });
  await mtia.synchronize();
  const [e0, e1] = [timed(), timed()];
  e0.record();
  const eager = model(x, w);
  e1.record();
  const expected = Array.from(await eager.toArray());
  const eagerPerOpMs = e0.elapsedTime(e1) / 151;

  const g = new mtia.MTIAGraph();
  const out = mtia.graph(g, {}, () => model(x, w));
  expect(g.commandCount).toBe(151);
  const [r0, r1] = [timed(), timed()];
  r0.record();
  g.replay();
  r1.record();
  expect(Array.from(await out.toArray())).toEqual(expected);
  expect(r0.elapsedTime(r1) / 151).toBeLessThan(eagerPerOpMs);

  const x2 = randn([8, 32]);
  const expected2 = Array.from(await model(x2, w).toArray());
  x.copy_(x2);
  for (let k = 0; k < 3; k++) g.replay();
  expect(Array.from(await out.toArray())).toEqual(expected2);
  g.reset();
});

// Issue 21 finding 4, as written: the docs/graphs.md example in a loop, its `add` temporary
// left to the garbage collector, ran out of 256 MiB at step 127. No gc() here.
test('the docs example in a loop of 300 (new graph, capture, replay, read, free, reset, emptyCache) does not run out of memory', async () => {
  await mtia.synchronize();
  mtia.emptyCache();
  const baseline = mtia.memoryReserved();
  for (let step = 0; step < 300; step++) {
    const x = tensor([1, 2, 3]);
    const g = new mtia.MTIAGraph();
    const y = mtia.graph(g, {}, () => tanh(add(x, 1)));
    g.replay();
    const values = await y.toArray();
    if (step % 50 === 0) expect(values[2]).toBeCloseTo(Math.tanh(4), 6);
    x.free();
    y.free();
    g.reset();
    mtia.emptyCache();
  }
  // One private segment (2 MiB) serves every graph; the temporaries wait for the collector in it.
  expect(mtia.memoryReserved() - baseline).toBeLessThanOrEqual(2 << 20);
});

