// One program for the browser tier's page without cross-origin isolation and for the Node side
// of its test: tensor ops on two devices, two streams and events with simulated timestamps, a
// cross-device wait, read-backs and a device error. `pkg` is the package's module.
// Plain JavaScript, so that the page can import it as it is.

/** Runs the program with `pkg` and returns what it observed, as plain data. */
export async function runProgram(pkg) {
  const { mtia, tensor, add, mul, matmul, zeros, exp, sum, embeddingBag } = pkg;
  mtia.configure({ deviceCount: 2, memoryBytes: 16 * 1024 * 1024 });
  const transport = mtia.getDeviceProperties(0).transport;
  const n = 50_000;
  const a = Float32Array.from({ length: n }, (_, i) => i * 0.25);
  const b = Float32Array.from({ length: n }, (_, i) => 1 - i / 3);
  const side = new mtia.Stream({ device: 0 });
  const start = new mtia.Event({ enableTiming: true });
  const end = new mtia.Event({ enableTiming: true });
  start.record();
  const ta = tensor(a);
  const tb = mtia.withStream(side, () => mul(tensor(b), 2));
  const ready = new mtia.Event();
  ready.record(side);
  mtia.currentStream().waitEvent(ready);
  const c = add(ta, tb);
  const m = matmul(exp(zeros([32, 48])), tensor(Array.from({ length: 48 * 16 }, (_, i) => (i % 7) - 3)).reshape([48, 16]));
  end.record();
  const queriedEarly = end.query();
  await end.synchronize();
  const other = new mtia.Stream({ device: 1 });
  other.waitEvent(end);
  const s1 = mtia.withStream(other, () => sum(tensor([1, 2, 3, 4], { device: 1 })));
  const values = await c.toArray();
  let wrong = 0;
  for (let i = 0; i < n; i++) if (values[i] !== Math.fround(a[i] + Math.fround(b[i] * 2))) wrong++;
  const row = Array.from(await m.toArray()).slice(0, 16);
  // An index out of range is found by the device and reported at the next wait, with its status.
  const bad = embeddingBag(tensor(new Int32Array([3])), tensor([[1, 2]]), tensor(new Int32Array([0])));
  const deviceError = await bad.toArray().then(() => null, (error) => `${error.name}: ${error.message}`);
  const afterError = Array.from(await add(tensor([1]), 1).toArray());
  return {
    transport,
    deviceError,
    afterError,
    queriedEarly: typeof queriedEarly,
    wrong,
    row,
    sumOnOne: Array.from(await s1.toArray()),
    elapsedMs: start.elapsedTime(end),
    queried: end.query(),
    otherQueried: other.query(),
  };
}
