// `mtia-sim run MODEL.onnx [--input NAME=FILE.npy]... [--output-dir DIR] [--profile NAME]
// [--timing-only] [--json]`: loads an ONNX model (loadOnnx), runs it once on one simulated
// device under the profiler, writes each output as DIR/<output name>.npy and reports the
// simulated time of the run and of every node that computed on the device (its op records,
// labelled with the node's name, joined: first start to last end, and the bound of the longest).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnx, mtia, tensor, type OnnxModel, type OnnxTensorInfo, type Tensor } from '../index.js';
import { readNpy, writeNpy, type NpyArray, type NpyDType } from './npy.js';
import { table } from './table.js';

/** One node of the run as the report gives it. */
export interface RunOp {
  /** The node's name (fused nodes' names joined with '+'). */
  readonly node: string;
  readonly opType: string;
  readonly startNs: number;
  readonly endNs: number;
  readonly bound: string;
}

/** One output of the run. */
export interface RunOutput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /** The .npy file written; null in timing-only mode (no values). */
  readonly file: string | null;
}

/** What `mtia-sim run --json` prints. */
export interface RunReport {
  /** Simulated device time of the run, from its first node to its last, in ms. */
  readonly simulatedMs: number;
  readonly outputs: readonly RunOutput[];
  readonly ops: readonly RunOp[];
}

/** What `run` needs from the command line. */
export interface RunRequest {
  readonly model: string;
  readonly inputs: readonly { readonly name: string; readonly file: string }[];
  readonly outputDir: string;
  readonly timingOnly: boolean;
}

/** A seeded uniform generator in [0, 1) (mulberry32), for the inputs not given. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The shape an input runs with when none is given: symbolic dims are 1. */
function declaredShape(info: OnnxTensorInfo): number[] {
  return info.shape.map((s) => (typeof s === 'number' ? s : 1));
}

/** A device tensor of a .npy array. */
function npyTensor(array: NpyArray): Tensor {
  let flat: Tensor;
  switch (array.dtype) {
    case 'float32': flat = tensor(array.data as Float32Array); break;
    case 'float16': flat = tensor(array.data as Float32Array, { dtype: 'float16' }); break;
    case 'int32': flat = tensor(array.data as Int32Array); break;
    case 'bool': flat = tensor(Int8Array.from(array.data as Uint8Array), { dtype: 'bool' }); break;
    case 'int64': flat = tensor(array.data as BigInt64Array); break;
  }
  const shaped = flat.reshape([...array.shape]);
  flat.free();
  return shaped;
}

/** Seeded random values of `info`'s declared shape: floats in [-1, 1), integers 0 or 1 (valid as indices), random bools. */
function randomInput(info: OnnxTensorInfo, seed: number): NpyArray {
  const shape = declaredShape(info);
  const count = shape.reduce((n, s) => n * s, 1);
  const random = seeded(seed);
  switch (info.dtype) {
    case 'float32': case 'float64': case 'bfloat16': return { dtype: 'float32', shape, data: Float32Array.from({ length: count }, () => 2 * random() - 1) };
    case 'float16': return { dtype: 'float16', shape, data: Float32Array.from({ length: count }, () => 2 * random() - 1) };
    case 'int64': return { dtype: 'int64', shape, data: BigInt64Array.from({ length: count }, () => BigInt(Math.floor(2 * random()))) };
    case 'bool': return { dtype: 'bool', shape, data: Uint8Array.from({ length: count }, () => (random() < 0.5 ? 1 : 0)) };
    default: return { dtype: 'int32', shape, data: Int32Array.from({ length: count }, () => Math.floor(2 * random())) };
  }
}

/** The .npy type an output of ONNX type `dtype` is written as. */
function npyDType(dtype: string): NpyDType {
  if (dtype === 'float16' || dtype === 'int32' || dtype === 'int64' || dtype === 'bool') return dtype;
  return 'float32';
}

/** `name` made safe as a file name: characters other than letters, digits, '.', '_' and '-' become '_'. */
export function outputFileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')}.npy`;
}

/** The profiler's op records of the run, joined per node (label), in the order the nodes ran. */
function nodeRecords(model: OnnxModel, stats: readonly mtia.OpStats[]): RunOp[] {
  const types = new Map(model.nodes.map((n) => [n.name, n.opType]));
  const byNode = new Map<string, { startNs: number; endNs: number; bound: string; longest: number }>();
  for (const op of stats) {
    if (op.label === undefined || !types.has(op.label)) continue;
    const entry = byNode.get(op.label);
    const duration = op.endNs - op.startNs;
    if (entry === undefined) byNode.set(op.label, { startNs: op.startNs, endNs: op.endNs, bound: op.bound, longest: duration });
    else {
      entry.startNs = Math.min(entry.startNs, op.startNs);
      entry.endNs = Math.max(entry.endNs, op.endNs);
      if (duration > entry.longest) Object.assign(entry, { bound: op.bound, longest: duration });
    }
  }
  return [...byNode].map(([node, r]) => ({ node, opType: types.get(node)!, startNs: r.startNs, endNs: r.endNs, bound: r.bound }));
}

/** Runs the model as `request` says; the caller has configured the devices. */
export async function runModel(request: RunRequest): Promise<RunReport> {
  const model = await loadOnnx(request.model);
  const given = new Map<string, Tensor>();
  const made: Tensor[] = [];
  try {
    // Every --input is read and checked before anything runs.
    const arrays = new Map<string, NpyArray>();
    for (const { name, file } of request.inputs) {
      if (!model.inputs.some((i) => i.name === name)) {
        throw new Error(`--input ${name}=${file}: the model has no input '${name}' (its inputs: ${model.inputs.map((i) => `'${i.name}'`).join(', ')})`);
      }
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new Error(`--input ${name}=${file}: cannot read the file: ${error instanceof Error ? error.message : String(error)}`);
      }
      arrays.set(name, readNpy(bytes, `--input ${name}=${file}`));
    }
    model.inputs.forEach((info, index) => {
      const array = arrays.get(info.name);
      if (array !== undefined) given.set(info.name, npyTensor(array));
      else if (!request.timingOnly) given.set(info.name, npyTensor(randomInput(info, index + 1)));
    });
    made.push(...given.values());
    const inputs: Record<string, Tensor | number[]> = Object.fromEntries(given);
    if (request.timingOnly) for (const info of model.inputs) if (!given.has(info.name)) inputs[info.name] = declaredShape(info);

    await mtia.synchronize();
    mtia.profiler.start();
    const start = new mtia.Event({ enableTiming: true });
    const end = new mtia.Event({ enableTiming: true });
    let outputs: Record<string, Tensor>;
    try {
      start.record();
      outputs = model.run(inputs);
      end.record();
      await end.synchronize();
    } finally {
      await mtia.profiler.stop();
    }
    made.push(...Object.values(outputs));
    const report: RunOutput[] = [];
    if (!request.timingOnly) mkdirSync(request.outputDir, { recursive: true });
    for (const info of model.outputs) {
      const t = outputs[info.name]!;
      const dtype = npyDType(info.dtype);
      let file: string | null = null;
      if (!request.timingOnly) {
        const values = await t.toArray();
        // An output the model declares int64 may be held as int32 (ArgMax, TopK indices): widened.
        const data = dtype === 'int64' && !(values instanceof BigInt64Array)
          ? BigInt64Array.from(values as Int32Array, (v) => BigInt(v))
          : dtype === 'bool' ? Uint8Array.from(values as Uint8Array) : values;
        file = join(request.outputDir, outputFileName(info.name));
        writeFileSync(file, writeNpy({ dtype, shape: t.shape, data: data as NpyArray['data'] }));
      }
      report.push({ name: info.name, shape: [...t.shape], dtype: info.dtype, file });
    }
    return { simulatedMs: start.elapsedTime(end), outputs: report, ops: nodeRecords(model, mtia.profiler.opStats()) };
  } finally {
    for (const t of made) t.free();
    model.free();
  }
}

/** The report as text: the per-node table, then the outputs. */
export function formatRun(report: RunReport): string {
  const rows = [['node', 'op type', 'simulated µs', 'bound'], ...report.ops.map((op) => [op.node, op.opType, ((op.endNs - op.startNs) / 1000).toFixed(3), op.bound])];
  const outputs = report.outputs.map((o) => `  ${o.name}: ${o.dtype} [${o.shape.join(', ')}]${o.file === null ? ' (timing-only: no values)' : ` → ${o.file}`}`);
  return [table(rows), '', `Simulated time: ${report.simulatedMs.toFixed(6)} ms for ${report.ops.length} node${report.ops.length === 1 ? '' : 's'} on the device`, 'Outputs:', ...outputs].join('\n');
}
