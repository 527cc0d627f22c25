// Whole models through loadOnnx against onnxruntime-node (test/support/onnx-models.ts builds
// them as PyTorch's exporter writes them), within atol 1e-4 + rtol 1e-3 of float32 through a
// few dozen ops; and the same models through `mtia-sim run` in compute and timing-only mode.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { loadOnnx, mtia } from 'mtia-sim';
import { readNpy, writeNpy, type NpyArray } from '../../src/cli/npy.js';
import { ortRun, type Feed } from '../support/onnx-builder.js';
import { compareWithOrt, expectClose } from '../support/onnx-compare.js';
import { DECODER_7B, gptDecoder, mobilenetCnn, MODEL_TOLERANCE, resnetCnn, transformerEncoder, type TestModel } from '../support/onnx-models.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mtia-onnx-models-'));
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await mtia.shutdown();
});

const models: [string, () => TestModel][] = [
  ['a ResNet-style CNN (Conv + BatchNormalization + Relu, MaxPool, residual blocks, a stride-2 shortcut)', resnetCnn],
  ['a MobileNet-style depthwise CNN (ReLU6, depthwise and pointwise convs, squeeze-excitation, HardSwish)', mobilenetCnn],
  ['a transformer encoder (BERT-style, attention mask, the Gelu op of opset 20)', transformerEncoder],
  ['a transformer encoder (opset 17: GELU as Div/Erf/Add/Mul/Mul, fused into one gelu)', () => transformerEncoder({ gelu: 'erf' })],
  ['a GPT-style decoder (int64 input_ids, causal Trilu/Where mask, tied head)', gptDecoder],
];

/** Runs `node dist/cli.js ...args` in the work folder. */
function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { cwd: work, timeout: 120_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** A feed as a .npy array. */
function npyOf(feed: Feed): NpyArray {
  const data = feed.dtype === 'int64' ? BigInt64Array.from(Array.from(feed.values), (v) => BigInt(v)) : Float32Array.from(feed.values);
  return { dtype: feed.dtype === 'int64' ? 'int64' : 'float32', shape: feed.shape, data };
}

describe.each(models)('%s', (name, build) => {
  const model = build();
  const file = join(work, `${models.findIndex(([n]) => n === name)}.onnx`);
  writeFileSync(file, model.bytes);

  test('loadOnnx equals onnxruntime-node', async () => {
    await compareWithOrt(model.bytes, model.feeds, MODEL_TOLERANCE);
  });

  test('mtia-sim run writes the same outputs and a record per device node', async () => {
    const inputs = Object.entries(model.feeds).flatMap(([input, feed]) => {
      writeFileSync(join(work, `${input}.npy`), writeNpy(npyOf(feed)));
      return ['--input', `${input}=${input}.npy`];
    });
    const result = await run(['run', file, ...inputs, '--output-dir', join(work, 'out'), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { simulatedMs: number; outputs: { name: string; file: string }[]; ops: { node: string; opType: string }[] };
    const reference = await ortRun(model.bytes, model.feeds);
    for (const output of model.outputs) {
      const written = readNpy(readFileSync(join(work, 'out', `${output}.npy`)));
      expect(written.shape).toEqual(reference[output]!.shape);
      expectClose(output, written.data as Float32Array, reference[output]!.values, MODEL_TOLERANCE);
    }
    expect(report.simulatedMs).toBeGreaterThan(0);
    const types = new Set(report.ops.map((op) => op.opType));
    const cnn = name.includes('CNN');
    for (const type of cnn ? ['Gemm', 'GlobalAveragePool', 'Add'] : ['MatMul', 'Softmax', 'LayerNormalization', 'Add']) expect(types).toContain(type);
    if (name.includes('ResNet')) expect(types).toContain('Conv+Relu');
    if (name.includes('MobileNet')) expect(types).toContain('Conv+Clip');
    expect(types).not.toContain('Shape'); // shape chains run on the host
    if (name.includes('fused')) {
      expect(types).toContain('Div+Erf+Add+Mul+Mul');
      expect(report.ops.map((op) => op.node)).toContain('/layer.0/ff/act/Div+/layer.0/ff/act/Erf+/layer.0/ff/act/Add+/layer.0/ff/act/Mul+/layer.0/ff/act/Mul_1');
    }
  });

  test('mtia-sim run --timing-only reports the same nodes, from the declared shapes', async () => {
    const compute = JSON.parse((await run(['run', file, '--json', '--output-dir', join(work, 'random')])).stdout) as { ops: { node: string }[]; simulatedMs: number };
    const result = await run(['run', file, '--timing-only', '--json']);
    expect(result.code).toBe(0);
    const timed = JSON.parse(result.stdout) as { ops: { node: string }[]; simulatedMs: number; outputs: { file: null }[] };
    expect(timed.ops.map((op) => op.node)).toEqual(compute.ops.map((op) => op.node));
    expect(timed.simulatedMs).toBeCloseTo(compute.simulatedMs, 9);
    expect(timed.outputs.every((o) => o.file === null)).toBe(true);
  });
});

test('a 6.6 B-parameter decoder graph times in timing-only mode without its weights\' values', async () => {
  // 26 GB of float32 weights, referenced in a data file that does not exist: never read.
  const model = gptDecoder({ ...DECODER_7B, externalWeights: 'absent-7b.data' });
  expect(model.bytes.length).toBeLessThan(4 << 20);
  await mtia.shutdown();
  mtia.configure({ deviceCount: 1, timingOnly: true });
  try {
    const imported = await loadOnnx(model.bytes);
    const weightBytes = mtia.memoryAllocated();
    expect(weightBytes).toBeGreaterThan(26e9);
    const start = new mtia.Event({ enableTiming: true });
    const end = new mtia.Event({ enableTiming: true });
    mtia.profiler.start();
    start.record();
    const { logits } = imported.run({ input_ids: [1, 128] });
    end.record();
    await mtia.profiler.stop();
    expect(logits!.shape).toEqual([1, 128, 32000]);
    const ms = start.elapsedTime(end);
    const ops = mtia.profiler.opStats();
    const matmuls = ops.filter((op) => op.name === 'matmul' || op.name === 'linear');
    // 4 weight GEMMs and 2 attention GEMMs per layer, and the head; every node labelled.
    expect(matmuls.length).toBeGreaterThanOrEqual(32 * 6 + 1);
    expect(new Set(ops.map((op) => op.label)).size).toBeGreaterThan(32 * 10);
    // Every weight is read from DRAM at least once (26 GB cannot stay in SRAM): the run takes at
    // least that at the profile's raw DRAM bandwidth.
    expect(ms).toBeGreaterThanOrEqual((weightBytes / mtia.getDeviceProperties().dramBytesPerSecond) * 1e3);
    logits!.free();
    imported.free();
  } finally {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 2, timingOnly: false });
  }
});
