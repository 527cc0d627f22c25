// `mtia-sim run MODEL.onnx` spawned as a user would run it (dist/cli.js): .npy outputs equal to
// onnxruntime-node's, the per-node table and --json report, timing-only mode, exit codes and
// error messages for a bad model, input name, shape or file.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { readNpy, writeNpy } from '../../src/cli/npy.js';
import { OnnxBuilder, ortRun } from '../support/onnx-builder.js';
import { expectClose, FLOAT32 } from '../support/onnx-compare.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mtia-onnx-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` in the work folder. */
function run(args: readonly string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { cwd: work, timeout: 120_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** A two-layer MLP: x [2, 8] → Gemm → Relu → MatMul → Softmax, named layers. */
function mlp(): Uint8Array {
  const b = new OnnxBuilder({ opset: 17, seed: 3 });
  const x = b.input('x', 'float32', ['batch', 8]);
  const h = b.op('Relu', [b.op('Gemm', [x, b.initializer('fc1.weight', 'float32', [16, 8]), b.initializer('fc1.bias', 'float32', [16])], { transB: 1 }, '/fc1/Gemm')], {}, '/act/Relu');
  const y = b.op('Softmax', [b.op('MatMul', [h, b.initializer('fc2.weight', 'float32', [16, 4])], {}, '/fc2/MatMul')], { axis: -1 }, '/softmax/Softmax');
  b.node('Identity', [y], {}, { name: '/out/Identity', outputs: ['probs'] });
  b.output('probs', 'float32', ['batch', 4]);
  return b.build();
}

describe('mtia-sim run', () => {
  const modelPath = join(work, 'mlp.onnx');
  writeFileSync(modelPath, mlp());
  const xs = Float32Array.from({ length: 16 }, (_, i) => Math.sin(i));
  writeFileSync(join(work, 'x.npy'), writeNpy({ dtype: 'float32', shape: [2, 8], data: xs }));

  test('writes each output as <name>.npy equal to onnxruntime-node, and prints a table of every node', async () => {
    const result = await run(['run', modelPath, '--input', 'x=x.npy', '--output-dir', 'out']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const node of ['/fc1/Gemm', '/act/Relu', '/fc2/MatMul', '/softmax/Softmax']) expect(result.stdout).toContain(node);
    expect(result.stdout).toMatch(/Simulated time: [\d.]+ ms/);
    const written = readNpy(readFileSync(join(work, 'out', 'probs.npy')));
    expect(written.shape).toEqual([2, 4]);
    const reference = await ortRun(mlp(), { x: { dtype: 'float32', shape: [2, 8], values: xs } });
    expectClose('probs', written.data as Float32Array, reference.probs!.values, FLOAT32);
  });

  test('--json prints one object: simulatedMs, outputs and an op record per device node', async () => {
    const result = await run(['run', modelPath, '--json', '--output-dir', 'json-out']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { simulatedMs: number; outputs: { name: string; shape: number[]; dtype: string; file: string }[]; ops: { node: string; opType: string; startNs: number; endNs: number; bound: string }[] };
    expect(report.simulatedMs).toBeGreaterThan(0);
    expect(report.outputs).toEqual([{ name: 'probs', shape: [1, 4], dtype: 'float32', file: join('json-out', 'probs.npy') }]);
    expect(report.ops.map((op) => [op.node, op.opType])).toEqual([
      ['/fc1/Gemm', 'Gemm'], ['/act/Relu', 'Relu'], ['/fc2/MatMul', 'MatMul'], ['/softmax/Softmax', 'Softmax'], ['/out/Identity', 'Identity'],
    ].filter(([, type]) => type !== 'Identity'));
    for (const op of report.ops) {
      expect(op.endNs).toBeGreaterThan(op.startNs);
      expect(['launch', 'issue', 'compute', 'sram', 'dram', 'pcie', 'fabric']).toContain(op.bound);
    }
    // Nodes run in order on one stream; the run spans them.
    for (let i = 1; i < report.ops.length; i++) expect(report.ops[i]!.startNs).toBeGreaterThanOrEqual(report.ops[i - 1]!.startNs);
    const span = (report.ops.at(-1)!.endNs - report.ops[0]!.startNs) / 1e6;
    expect(report.simulatedMs).toBeGreaterThanOrEqual(span * 0.999);
  });

  test('errors: exit 1 naming what is wrong (input name, shape, dtype, file, model); exit 2 for usage', async () => {
    writeFileSync(join(work, 'wide.npy'), writeNpy({ dtype: 'float32', shape: [2, 9], data: new Float32Array(18) }));
    writeFileSync(join(work, 'ints.npy'), writeNpy({ dtype: 'int32', shape: [2, 8], data: new Int32Array(16) }));
    writeFileSync(join(work, 'f64.npy'), Uint8Array.from(Buffer.from('k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4Pw==', 'base64')));
    writeFileSync(join(work, 'truncated.onnx'), mlp().subarray(0, 200));
    const cases: [string[], number, string | RegExp][] = [
      [['run', modelPath, '--input', 'y=x.npy'], 1, "--input y=x.npy: the model has no input 'y' (its inputs: 'x')"],
      [['run', modelPath, '--input', 'x=wide.npy'], 1, "run(): input 'x' must have shape [batch, 8], but got [2, 9]"],
      [['run', modelPath, '--input', 'x=ints.npy'], 1, "run(): input 'x' must have dtype float32 (the model declares float32), but got int32"],
      [['run', modelPath, '--input', 'x=f64.npy'], 1, ".npy element type float64 ('<f8') is not supported"],
      [['run', modelPath, '--input', 'x=missing.npy'], 1, '--input x=missing.npy: cannot read the file'],
      [['run', join(work, 'truncated.onnx')], 1, /^mtia-sim: loadOnnx\(\): .*(corrupt or truncated|not a valid ONNX model)/],
      [['run', join(work, 'nothing.onnx')], 1, "loadOnnx(): cannot read '"],
      [['run'], 2, "run: expected a model, as in 'mtia-sim run MODEL.onnx'"],
      [['run', modelPath, '--input', 'x'], 2, "--input: expected NAME=FILE.npy, got 'x'"],
      [['run', modelPath, '--out', 'x'], 2, "--out is not an option of 'run'"],
    ];
    for (const [args, code, message] of cases) {
      const result = await run(args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code, stdout: '' });
      expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
    }
  });
});
