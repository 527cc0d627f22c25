// Runs an ONNX model the user opened (or dropped) on freshly configured devices: loadOnnx on
// the file's bytes (not profiled), inputs of the declared shapes filled with seeded random
// values (or, timing-only, given as shapes), then model.run() with the profiler on. The op
// records carry the ONNX node names (OpStats.label); layerRows() joins them per node for the
// per-layer table. No DOM here.

import { loadOnnx, mtia, tensor, type OnnxInput, type OnnxModelNode, type OnnxTensorInfo, type Tensor } from 'mtia-sim';
import type { ProfileChoice } from './profile-choices.js';
import { seeded } from './reference.js';
import { runOnDevices, type RunResult } from './script-runner.js';

/** Above this many bytes of model (the .onnx and its data files) the playground picks timing-only by default. */
export const VALUES_LIMIT_BYTES = 256 * 1024 * 1024;
/** A file this large cannot be read into the page (one ArrayBuffer); protobuf's own limit for an .onnx too. */
export const FILE_LIMIT_BYTES = 2 * 1024 * 1024 * 1024;

/** A symbolic (or unnamed) input dim and the size it runs with. */
export interface DimChoice {
  /** The dim's name ('batch'), or 'input[axis]' for an unnamed one. */
  readonly key: string;
  readonly size: number;
}

/** What a model run is asked to do. */
export interface ModelRunRequest {
  readonly profile: ProfileChoice;
  readonly deviceCount: number;
  readonly timingOnly: boolean;
  /** The .onnx file's name and bytes. */
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** External data files' bytes by name (files dropped with the model), for values mode. */
  readonly externalData: Readonly<Record<string, Uint8Array>>;
  /** Sizes of symbolic dims by key (DimChoice.key); dims not given take defaultDimSize. */
  readonly dims: Readonly<Record<string, number>>;
}

/** What a model run produced: the run's records and the model's description. */
export interface ModelRunResult {
  readonly run: RunResult;
  /** The model's inputs, outputs and nodes; undefined when loading failed. */
  readonly model: { inputs: readonly OnnxTensorInfo[]; outputs: readonly OnnxTensorInfo[]; nodes: readonly OnnxModelNode[]; opset: number } | undefined;
  /** The symbolic dims of the inputs and the sizes they ran with. */
  readonly dims: readonly DimChoice[];
}

/** One row of the per-layer table: an ONNX node (or fused nodes) and its op records. */
export interface LayerRow {
  /** The node's name (fused nodes' names joined with '+'), as op records carry it. */
  readonly node: string;
  readonly opType: string;
  /** Position of the node in the order the model runs its nodes. */
  readonly order: number;
  /** Simulated ns from the node's first op's start to its last op's end. */
  readonly timeNs: number;
  /** timeNs over the sum of every layer's timeNs. */
  readonly share: number;
  /** The bound of the node's longest op. */
  readonly bound: string;
  /** The node's ops' utilisation, weighted by their durations. */
  readonly utilisation: number;
  /** Index in the run's ops of the node's longest op (what a click selects). */
  readonly opIndex: number;
}

/** The key of dim `axis` of `input`: its symbolic name, or 'input[axis]' when unnamed. */
function dimKey(input: OnnxTensorInfo, axis: number): string {
  const dim = input.shape[axis];
  return typeof dim === 'string' ? dim : `${input.name}[${axis}]`;
}

/** The default size of a symbolic dim: 1 for the first axis or a batch-like name, else 128 (a sequence, an image side). */
export function defaultDimSize(key: string, axis: number): number {
  return axis === 0 || /batch|^n$|^b$/i.test(key) ? 1 : 128;
}

/** The symbolic dims of `inputs`, each once, with the size `dims` gives or its default. */
export function dimChoices(inputs: readonly OnnxTensorInfo[], dims: Readonly<Record<string, number>>): DimChoice[] {
  const seen = new Map<string, number>();
  for (const input of inputs) {
    input.shape.forEach((dim, axis) => {
      if (typeof dim === 'number') return;
      const key = dimKey(input, axis);
      if (!seen.has(key)) seen.set(key, dims[key] ?? defaultDimSize(key, axis));
    });
  }
  return [...seen].map(([key, size]) => ({ key, size }));
}

/** The shape `input` runs with: declared sizes, symbolic dims from `sizes`. */
function shapeOf(input: OnnxTensorInfo, sizes: ReadonlyMap<string, number>): number[] {
  return input.shape.map((dim, axis) => (typeof dim === 'number' ? dim : sizes.get(dimKey(input, axis))!));
}

/** A device tensor of seeded random values for `input`: floats in [-1, 1), integers 0 or 1 (valid indices), random bools. */
function randomInput(input: OnnxTensorInfo, shape: readonly number[], seed: number): Tensor {
  const count = shape.reduce((n, s) => n * s, 1);
  const random = seeded(seed);
  let flat: Tensor;
  switch (input.dtype) {
    case 'float32': case 'float64': case 'bfloat16':
      flat = tensor(Float32Array.from({ length: count }, () => 2 * random() - 1)); break;
    case 'float16': flat = tensor(Float32Array.from({ length: count }, () => 2 * random() - 1), { dtype: 'float16' }); break;
    case 'int64': flat = tensor(BigInt64Array.from({ length: count }, () => BigInt(Math.floor(2 * random())))); break;
    case 'bool': flat = tensor(Int8Array.from({ length: count }, () => (random() < 0.5 ? 1 : 0)), { dtype: 'bool' }); break;
    default: flat = tensor(Int32Array.from({ length: count }, () => Math.floor(2 * random()))); break;
  }
  const shaped = flat.reshape([...shape]);
  flat.free();
  return shaped;
}

/** Loads and runs the model of `request`; never throws (a refused model is the run's error). */
export async function runModel(request: ModelRunRequest): Promise<ModelRunResult> {
  let description: ModelRunResult['model'];
  let dims: DimChoice[] = [];
  let model: Awaited<ReturnType<typeof loadOnnx>> | undefined;
  let inputs: Record<string, OnnxInput> = {};
  const made: Tensor[] = [];
  const run = await runOnDevices(
    { profile: request.profile, deviceCount: request.deviceCount, timingOnly: request.timingOnly, code: '' },
    async ({ printed }) => {
      const given = Object.keys(request.externalData).length > 0;
      model = await loadOnnx(request.bytes, given ? { externalData: request.externalData } : {});
      description = { inputs: model.inputs, outputs: model.outputs, nodes: model.nodes, opset: model.opset };
      dims = dimChoices(model.inputs, request.dims);
      const sizes = new Map(dims.map((d) => [d.key, d.size]));
      model.inputs.forEach((input, index) => {
        const shape = shapeOf(input, sizes);
        printed.push(`input ${input.name}: ${input.dtype} [${shape.join(', ')}]${request.timingOnly ? ' (timing-only: no values)' : ', seeded random values'}`);
        if (request.timingOnly) inputs[input.name] = shape;
        else {
          const t = randomInput(input, shape, index + 1);
          made.push(t);
          inputs[input.name] = t;
        }
      });
    },
    async ({ printed }) => {
      const outputs = model!.run(inputs);
      made.push(...Object.values(outputs));
      for (const info of model!.outputs) {
        const t = outputs[info.name]!;
        let line = `output ${info.name}: ${t.dtype} [${t.shape.join(', ')}]`;
        if (!request.timingOnly) {
          const values = await t.toArray();
          const first = Array.from(values.subarray(0, 6) as ArrayLike<number | bigint>, (v) => (typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)));
          line += ` = ${first.join(', ')}${values.length > 6 ? ', …' : ''}`;
        }
        printed.push(line);
      }
    },
  );
  for (const t of made) t.free();
  model?.free();
  inputs = {};
  return { run, model: description, dims };
}

/** The op records of `run` joined per ONNX node, in the order the model runs them. */
export function layerRows(run: RunResult, nodes: readonly OnnxModelNode[]): LayerRow[] {
  const order = new Map(nodes.map((n, i) => [n.name, i]));
  const byNode = new Map<string, { startNs: number; endNs: number; longest: number; opIndex: number; bound: string; busyNs: number; weighted: number }>();
  run.ops.forEach((op: mtia.OpStats, index) => {
    if (op.label === undefined || !order.has(op.label)) return;
    const duration = op.endNs - op.startNs;
    const entry = byNode.get(op.label);
    if (entry === undefined) {
      byNode.set(op.label, { startNs: op.startNs, endNs: op.endNs, longest: duration, opIndex: index, bound: op.bound, busyNs: duration, weighted: duration * op.utilisation });
      return;
    }
    entry.startNs = Math.min(entry.startNs, op.startNs);
    entry.endNs = Math.max(entry.endNs, op.endNs);
    entry.busyNs += duration;
    entry.weighted += duration * op.utilisation;
    if (duration > entry.longest) Object.assign(entry, { longest: duration, opIndex: index, bound: op.bound });
  });
  const total = [...byNode.values()].reduce((sum, e) => sum + (e.endNs - e.startNs), 0);
  return [...byNode].map(([node, e]) => ({
    node,
    opType: nodes[order.get(node)!]!.opType,
    order: order.get(node)!,
    timeNs: e.endNs - e.startNs,
    share: total > 0 ? (e.endNs - e.startNs) / total : 0,
    bound: e.bound,
    utilisation: e.busyNs > 0 ? e.weighted / e.busyNs : 0,
    opIndex: e.opIndex,
  })).sort((a, b) => a.order - b.order);
}
