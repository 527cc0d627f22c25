// loadOnnx beyond single ops: what a bad model or a bad input gets (one clear error before any
// device work, and a device that keeps working), timing-only mode (the same op records without
// values, weights never read), external data files (in Node, at offsets past 2 GB), and op
// records labelled with the model's node names in opStats() and the Chrome trace.

import { mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { add, loadOnnx, mtia, MtiaError, ones, tensor, zeros } from 'mtia-sim';
import { OnnxBuilder, ortRun, rawBytes } from '../support/onnx-builder.js';
import { expectClose, FLOAT32 } from '../support/onnx-compare.js';

const work = mkdtempSync(join(tmpdir(), 'mtia-onnx-'));
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await mtia.shutdown();
});

/** x [2, 4] → MatMul(w [4, 3]) → Add(b) → Relu, with named nodes. */
function small(): OnnxBuilder {
  const b = new OnnxBuilder({ opset: 17, seed: 9 });
  const x = b.input('x', 'float32', ['batch', 4]);
  const y = b.op('Relu', [b.op('Add', [b.op('MatMul', [x, b.initializer('w', 'float32', [4, 3])], {}, 'layer1/MatMul'), b.initializer('b', 'float32', [3])], {}, 'layer1/Add')], {}, 'layer1/Relu');
  b.output(y, 'float32', ['batch', 3]);
  return b;
}

/** Expects the device to still compute: a fresh add reads back right. */
async function expectDeviceUsable(): Promise<void> {
  const sum = add(ones([3]), 2);
  expect(Array.from(await sum.toArray())).toEqual([3, 3, 3]);
  sum.free();
}

describe('a model mtia-sim cannot run is refused at load, in one error', () => {
  test('every unsupported op type, with its nodes, custom domains too, before any device work', async () => {
    const b = new OnnxBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [1, 4]);
    const a = b.op('HardMax', [x], {}, 'head/hardmax');
    const c = b.op('HardMax', [a], {}, 'head/hardmax2');
    const d = b.node('FusedMatMul', [c, c], {}, { name: 'ms/fused', domain: 'com.microsoft' })[0]!;
    const e = b.op('Relu', [b.op('Einsum', [d], { equation: 'ij->ji' }, 'einsum_0')]);
    b.output(e, 'float32');
    const allocated = mtia.memoryAllocated();
    const error = await loadOnnx(b.build()).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(MtiaError);
    expect((error as Error).message).toBe(
      'loadOnnx(): the model has ops mtia-sim does not support (docs/onnx.md lists those it does):\n' +
        '  HardMax: head/hardmax, head/hardmax2\n  com.microsoft.FusedMatMul: ms/fused\n  Einsum: einsum_0',
    );
    expect(mtia.memoryAllocated()).toBe(allocated);
    await expectDeviceUsable();
  });

  test('a shape computed on the device, an opset outside 13 to 21, a graph input of an unsupported type', async () => {
    const b = new OnnxBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [2, 3]);
    const s = b.input('s', 'int64', [2]);
    b.output(b.op('Reshape', [x, b.op('Relu', [s])], {}, 'view'), 'float32');
    await expect(loadOnnx(b.build())).rejects.toThrow('Reshape (input 1 computed on the device; mtia-sim needs it from constants and shapes): view');
    const old = small();
    (old.options as { opset: number }).opset = 11;
    await expect(loadOnnx(old.build())).rejects.toThrow('loadOnnx(): the model uses opset 11 of the default domain; mtia-sim imports opsets 13 to 21');
    const strings = new OnnxBuilder({ opset: 17 });
    strings.input('x', 'float64', [2]);
    strings.output(strings.op('Relu', ['x']), 'float64');
    await expect(loadOnnx(strings.build())).rejects.toThrow("loadOnnx(): graph value 'x' has type float64, which mtia-sim cannot hold on the device");
  });

  test('a truncated, corrupt, empty or non-ONNX file', async () => {
    const bytes = small().build();
    const truncated = await loadOnnx(bytes.subarray(0, Math.floor(bytes.length * 0.6))).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(MtiaError);
    expect((truncated as Error).message).toMatch(/^loadOnnx\(\): .*(corrupt or truncated|not a valid ONNX model)/);
    const corrupt = Uint8Array.from(bytes);
    for (let i = 20; i < corrupt.length; i += 7) corrupt[i] = 0xff;
    await expect(loadOnnx(corrupt)).rejects.toThrow(/^loadOnnx\(\): .*(corrupt or truncated|not a valid ONNX model)/);
    await expect(loadOnnx(new Uint8Array(0))).rejects.toThrow('loadOnnx(): the model is empty (0 bytes)');
    await expect(loadOnnx(new TextEncoder().encode('{"not": "onnx"}'))).rejects.toThrow(/^loadOnnx\(\): the bytes/);
    await expect(loadOnnx(join(work, 'missing.onnx'))).rejects.toThrow(`loadOnnx(): cannot read '${join(work, 'missing.onnx')}'`);
    await expect(loadOnnx(42 as never)).rejects.toThrow(TypeError);
    await expectDeviceUsable();
  });
});

describe('run() checks its inputs before anything is enqueued', () => {
  test('a bad name, a missing input, a wrong shape, dtype or rank, a conflicting symbolic dim', async () => {
    const model = await loadOnnx(small().build());
    const good = tensor(Float32Array.from({ length: 8 }, (_, i) => i)).reshape(2, 4);
    const allocated = mtia.memoryAllocated();
    mtia.profiler.start();
    expect(() => model.run({ x: good, y: good })).toThrow("run(): the model has no input 'y' (its inputs: 'x')");
    expect(() => model.run({})).toThrow("run(): input 'x' (float32 of shape [batch, 4]) is missing");
    expect(() => model.run({ x: zeros([2, 5]) })).toThrow("run(): input 'x' must have shape [batch, 4], but got [2, 5]");
    expect(() => model.run({ x: zeros([8]) })).toThrow("run(): input 'x' must have shape [batch, 4], but got [8]");
    expect(() => model.run({ x: zeros([2, 4], { dtype: 'int32' }) })).toThrow("run(): input 'x' must have dtype float32 (the model declares float32), but got int32");
    expect(() => model.run({ x: [2, 4] })).toThrow("run(): input 'x' is a shape, which only timing-only mode runs with");
    await mtia.profiler.stop();
    // The zeros() above are the only device work.
    expect(mtia.profiler.opStats().map((op) => op.name)).toEqual(['fill', 'fill', 'fill']);
    expect(mtia.memoryAllocated()).toBeGreaterThanOrEqual(allocated);
    const out = model.run({ x: good });
    const reference = await ortRun(small().build(), { x: { dtype: 'float32', shape: [2, 4], values: Array.from({ length: 8 }, (_, i) => i) } });
    expectClose('y', await Object.values(out)[0]!.toArray(), Object.values(reference)[0]!.values, FLOAT32);
    model.free();
    expect(() => model.run({ x: good })).toThrow('run(): the model was freed');
  });

  test('symbolic dims must agree across inputs', async () => {
    const b = new OnnxBuilder({ opset: 17 });
    b.output(b.op('Add', [b.input('a', 'float32', ['n', 2]), b.input('b', 'float32', ['n', 2])]), 'float32');
    const model = await loadOnnx(b.build());
    expect(() => model.run({ a: zeros([3, 2]), b: zeros([4, 2]) })).toThrow("run(): dim 'n' is 3 in input 'a' but 4 in input 'b'");
    model.free();
  });
});

describe('op records carry the node names', () => {
  test('opStats() labels and the Chrome trace show the model\'s layer names', async () => {
    const model = await loadOnnx(small().build());
    const x = zeros([2, 4]);
    mtia.profiler.start();
    const out = model.run({ x });
    await mtia.profiler.stop();
    const ops = mtia.profiler.opStats();
    expect(ops.map((op) => [op.label, op.name])).toEqual([['layer1/MatMul', 'matmul'], ['layer1/Add', 'add'], ['layer1/Relu', 'relu']]);
    const names = mtia.profiler.exportChromeTrace().traceEvents.filter((e) => e.cat === 'op').map((e) => e.name);
    expect(names).toEqual(['layer1/MatMul (matmul)', 'layer1/Add (add)', 'layer1/Relu (relu)']);
    for (const t of [x, ...Object.values(out)]) t.free();
    model.free();
  });

  test('mtia.profiler.recordFunction labels what runs inside it, nests, and leaves other ops unlabelled', async () => {
    mtia.profiler.start();
    const a = ones([4]);
    const b = mtia.profiler.recordFunction('outer', () => {
      const inner = mtia.profiler.recordFunction('inner', () => add(a, 1));
      const t = add(inner, 2);
      inner.free();
      return t;
    });
    let c;
    {
      using _scope = mtia.profiler.recordFunction('scoped');
      c = add(b, 3);
    }
    const d = add(c, 4);
    await mtia.profiler.stop();
    expect(mtia.profiler.opStats().map((op) => op.label)).toEqual([undefined, 'inner', 'outer', 'scoped', undefined]);
    expect(() => mtia.profiler.recordFunction('')).toThrow(TypeError);
    for (const t of [a, b, c, d]) t.free();
  });
});

describe('external data files', () => {
  test('weights in a .data file beside the model (Node), and given as bytes', async () => {
    const b = new OnnxBuilder({ opset: 17, seed: 4 });
    const x = b.input('x', 'float32', [2, 8]);
    const w1 = b.externalInitializer('w1', [8, 16], 'weights.data');
    const w2 = b.externalInitializer('w2', [16, 4], 'weights.data');
    b.output(b.op('MatMul', [b.op('Relu', [b.op('MatMul', [x, w1])]), w2]), 'float32');
    const bytes = b.build();
    const data = Uint8Array.from(b.externalFiles.get('weights.data')!);
    writeFileSync(join(work, 'external.onnx'), bytes);
    writeFileSync(join(work, 'weights.data'), data);
    const xs = Array.from({ length: 16 }, (_, i) => Math.cos(i));
    const reference = await ortRun(bytes, { x: { dtype: 'float32', shape: [2, 8], values: xs } }, { externalData: [{ path: 'weights.data', data }] });
    const expected = Object.values(reference)[0]!.values;
    const input = tensor(Float32Array.from(xs)).reshape(2, 8);
    for (const model of [await loadOnnx(join(work, 'external.onnx')), await loadOnnx(bytes, { externalData: { 'weights.data': data } })]) {
      const out = Object.values(model.run({ x: input }))[0]!;
      expectClose('y', await out.toArray(), expected, FLOAT32);
      out.free();
      model.free();
    }
    await expect(loadOnnx(bytes)).rejects.toThrow("initializer 'w1' is stored in the external file 'weights.data': load the model from a path (Node) or pass the file's bytes in options.externalData");
    writeFileSync(join(work, 'weights.data'), data.subarray(0, 100));
    await expect(loadOnnx(join(work, 'external.onnx'))).rejects.toThrow(/external data file '.*weights\.data' has 100 bytes, but a tensor is stored at/);
    input.free();
  });

  test('a tensor stored past 2 GB in a sparse 2.5 GB data file is read at its offset, not the whole file', async () => {
    const offset = 2 ** 31 + 2 ** 28; // 2.25 GiB
    const values = [0.5, -1, 2, 0.25];
    const path = join(work, 'big.data');
    writeFileSync(path, new Uint8Array(0));
    truncateSync(path, 2.5 * 2 ** 30); // sparse: no disk blocks
    const fd = openSync(path, 'r+');
    writeSync(fd, rawBytes('float32', values), 0, 16, offset);
    closeSync(fd);
    const b = new OnnxBuilder({ opset: 17 });
    const x = b.input('x', 'float32', [4]);
    b.output(b.op('Mul', [x, b.externalReference('far', [4], 'big.data', offset)], {}, 'scale'), 'float32');
    writeFileSync(join(work, 'big.onnx'), b.build());
    const imported = await loadOnnx(join(work, 'big.onnx'));
    const input = tensor([1, 2, 3, 4]);
    const out = imported.run({ x: input })['scale_out0']!;
    expect(Array.from(await out.toArray())).toEqual([0.5, -2, 6, 1]);
    for (const t of [input, out]) t.free();
    imported.free();
    rmSync(path);
  });
});

describe('timing-only mode', () => {
  test('the same op records as compute mode after a first run, from declared shapes, without reading external weights', async () => {
    const b = new OnnxBuilder({ opset: 17, seed: 2 });
    const x = b.input('x', 'float32', [64, 128]);
    const w = b.externalInitializer('w', [128, 256], 'absent.data');
    b.output(b.op('Softmax', [b.op('MatMul', [x, w], {}, 'proj')], { axis: -1 }, 'probs'), 'float32');
    const bytes = b.build();
    const timings = async (timingOnly: boolean) => {
      await mtia.shutdown();
      mtia.configure({ deviceCount: 1, timingOnly });
      const model = await loadOnnx(bytes, { externalData: timingOnly ? {} : { 'absent.data': Uint8Array.from(b.externalFiles.get('absent.data')!) } });
      const input = zeros([64, 128]);
      const run = () => Object.values(timingOnly ? model.run() : model.run({ x: input }))[0]!;
      // A first run brings the weights to the state a run leaves them in (SRAM residency):
      // loading differs, since timing-only mode places weights without a PCIe upload.
      run().free();
      await mtia.synchronize();
      mtia.profiler.start();
      const out = run();
      await mtia.profiler.stop();
      expect(out.shape).toEqual([64, 256]);
      if (timingOnly) await expect(out.toArray()).rejects.toThrow();
      const records = mtia.profiler.opStats().map((op) => [op.label, op.name, op.cycles.total, op.bound]);
      for (const t of [input, out]) t.free();
      model.free();
      return records;
    };
    const compute = await timings(false);
    const timingOnly = await timings(true);
    expect(compute.map((r) => r[0])).toEqual(['proj', 'probs']);
    // Equal up to the rounding of f64 cycle counts that start at other absolute times.
    expect(timingOnly).toEqual(compute.map(([label, name, cycles, bound]) => [label, name, expect.closeTo(cycles as number, 6), bound]));
    await mtia.shutdown();
    mtia.configure({ deviceCount: 2, timingOnly: false });
  });
});
