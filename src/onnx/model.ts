// loadOnnx: an ONNX model as something that runs on the simulated device. Loading reads and
// checks everything (the protobuf, the graph, every op, the initializers) and uploads the
// weights once to the current device; run() checks its inputs, then walks the plan: host nodes
// compute shapes and constants at once, device nodes are enqueued on the current stream through
// the op table (ops.ts), each inside a profiler scope named after the node, so op records carry
// the model's own layer names. Outputs are device tensors; intermediates are freed as soon as
// their last reader has been enqueued (stream-ordered, so no wait).

import { MtiaError } from '../errors.js';
import { currentDevice, getDeviceProperties } from '../mtia/devices.js';
import { profiler } from '../profiler/profiler.js';
import { empty } from '../tensor/factories.js';
import { reshape } from '../tensor/views.js';
import { Tensor } from '../tensor/tensor.js';
import { hostOps } from './fold.js';
import { modelSource } from './files.js';
import { DEVICE_DTYPES, deviceDType, NodeContext, upload, type Value } from './node-context.js';
import { deviceOps, fusedOps } from './ops.js';
import { planGraph, type Plan } from './plan.js';
import {
  constantValue, decodeTensor, parseModel, readGraph, type OnnxGraph, type OnnxValueInfo,
} from './read.js';
import { deviceDTypeOf, type HostValue, type OnnxDType } from './values.js';

/** A graph input or output: name, element type, and shape (symbolic dims by name, null if unnamed). */
export interface OnnxTensorInfo {
  readonly name: string;
  /** The ONNX element type, named as dtypes are ('float32', 'int64', 'bool', ...). */
  readonly dtype: OnnxDType;
  /** Declared sizes; a symbolic dim is its name ('batch'), an unnamed one null; [] when undeclared. */
  readonly shape: readonly (number | string | null)[];
}

/** A node as the model runs it, in order: fused nodes' names and types joined with '+'. */
export interface OnnxModelNode {
  /** The name op records carry (mtia.profiler's OpStats.label). */
  readonly name: string;
  readonly opType: string;
  /** True if it computes on the device; false for shape and constant nodes the host computes. */
  readonly onDevice: boolean;
}

/** Options of loadOnnx. */
export interface LoadOnnxOptions {
  /** External data files' bytes by the location the model names (where no path can be read: browsers). */
  externalData?: Readonly<Record<string, Uint8Array>>;
}

/** An input of run(): a device tensor, or (timing-only mode) a shape to run with. */
export type OnnxInput = Tensor | readonly number[];

/** The public form of a declared input or output. */
function tensorInfo(info: OnnxValueInfo, role: string): OnnxTensorInfo {
  if (info.dtype === undefined) {
    throw new MtiaError(`loadOnnx(): graph ${role} '${info.name}' has type ${info.typeName}; mtia-sim imports tensors of FLOAT, FLOAT16, BFLOAT16, INT8, INT32, INT64 and BOOL`);
  }
  return { name: info.name, dtype: info.dtype, shape: info.shape ?? [] };
}

/** What a loaded model holds; kept out of OnnxModel's declared type (no protobuf types in the public API). */
interface ModelState {
  readonly graph: OnnxGraph;
  readonly plan: Plan;
  readonly constants: ReadonlyMap<string, HostValue>;
  readonly weights: ReadonlyMap<string, { tensor: Tensor; dtype: OnnxDType }>;
  readonly uploaded: ReadonlyMap<string, Tensor>;
}

/** Each model's state. */
const states = new WeakMap<OnnxModel, ModelState>();

/** The state of `model`. */
function stateOf(model: OnnxModel): ModelState {
  return states.get(model)!;
}

/** An imported ONNX model, its weights on one device. */
export class OnnxModel implements Disposable {
  /** The graph's inputs (initializers excluded), in order. */
  readonly inputs: readonly OnnxTensorInfo[];
  /** The graph's outputs, in order. */
  readonly outputs: readonly OnnxTensorInfo[];
  /** The nodes in the order they run. */
  readonly nodes: readonly OnnxModelNode[];
  /** The opset version of the default domain. */
  readonly opset: number;
  private freed = false;

  /** @internal Made by loadOnnx. */
  constructor(state: object) {
    const { graph, plan } = state as ModelState;
    states.set(this, state as ModelState);
    this.inputs = graph.inputs.map((i) => tensorInfo(i, 'input'));
    this.outputs = graph.outputs.map((o) => tensorInfo(o, 'output'));
    this.opset = graph.opset;
    this.nodes = plan.steps.map((s) => ({ name: s.label, opType: s.opType, onDevice: s.placement === 'device' }));
  }

  /** Checks `inputs` against the declared inputs; returns each as a device value (shapes become value-less tensors). */
  private checkInputs(inputs: Readonly<Record<string, OnnxInput>>): Map<string, Value> {
    if (typeof inputs !== 'object' || inputs === null) throw new TypeError(`run(): inputs must be an object of tensors by input name, but got: ${String(inputs)}`);
    const declared = new Map(this.inputs.map((i) => [i.name, i]));
    for (const name of Object.keys(inputs)) {
      if (!declared.has(name)) {
        throw new MtiaError(`run(): the model has no input '${name}' (its inputs: ${this.inputs.map((i) => `'${i.name}'`).join(', ')})`);
      }
    }
    const timingOnly = getDeviceProperties().timingOnly;
    const symbols = new Map<string, { size: number; input: string }>();
    const checked: { info: OnnxTensorInfo; given: OnnxInput }[] = [];
    for (const info of this.inputs) {
      let given = inputs[info.name];
      if (given === undefined) {
        const fixed = info.shape.every((s) => typeof s === 'number');
        if (!timingOnly || !fixed) {
          throw new MtiaError(`run(): input '${info.name}' (${info.dtype} of shape [${info.shape.map((s) => s ?? '?').join(', ')}]) is missing${timingOnly ? '; its shape has symbolic dims, so give its shape' : ''}`);
        }
        given = info.shape as number[];
      }
      const isTensor = given instanceof Tensor;
      if (!isTensor && !(Array.isArray(given) && given.every((s) => Number.isSafeInteger(s) && s >= 0))) {
        throw new TypeError(`run(): input '${info.name}' must be a Tensor${timingOnly ? ' or a shape (an array of sizes)' : ''}, but got: ${String(given)}`);
      }
      if (!isTensor && !timingOnly) {
        throw new MtiaError(`run(): input '${info.name}' is a shape, which only timing-only mode runs with (mtia.configure({ timingOnly: true })); pass a Tensor`);
      }
      const shape = isTensor ? (given as Tensor).shape : (given as readonly number[]);
      const expected = deviceDType(info.dtype, `run(): input '${info.name}'`);
      if (isTensor) {
        const t = given as Tensor;
        // int64 inputs (input_ids) may also be given as int32, the index type of most tensor code.
        const accepted = info.dtype === 'int64' ? ['int64', 'int32'] : [expected];
        if (!accepted.includes(t.dtype)) {
          throw new MtiaError(`run(): input '${info.name}' must have dtype ${accepted.join(' or ')} (the model declares ${info.dtype}), but got ${t.dtype}`);
        }
        if (t.device.index !== currentDevice()) {
          throw new MtiaError(`run(): input '${info.name}' is on ${t.device} but the model runs on mtia:${currentDevice()}, the current device`);
        }
      }
      if (info.shape.length > 0 || shape.length === 0) {
        const mismatch = () => new MtiaError(`run(): input '${info.name}' must have shape [${info.shape.map((s) => s ?? '?').join(', ')}], but got [${shape.join(', ')}]`);
        if (shape.length !== info.shape.length) throw mismatch();
        info.shape.forEach((dim, d) => {
          if (typeof dim === 'number' && dim !== shape[d]) throw mismatch();
          if (typeof dim === 'string') {
            const seen = symbols.get(dim);
            if (seen !== undefined && seen.size !== shape[d]) {
              throw new MtiaError(`run(): dim '${dim}' is ${seen.size} in input '${seen.input}' but ${shape[d]} in input '${info.name}'`);
            }
            symbols.set(dim, { size: shape[d]!, input: info.name });
          }
        });
      }
      checked.push({ info, given });
    }
    // Only now, with every input checked, is anything made on the device.
    const values = new Map<string, Value>();
    for (const { info, given } of checked) {
      const t = given instanceof Tensor ? reshape(given, given.shape) : empty([...given], { dtype: deviceDType(info.dtype, info.name) });
      values.set(info.name, { kind: 'device', tensor: t, dtype: info.dtype });
    }
    return values;
  }

  /**
   * Runs the model on `inputs` (device tensors by input name; in timing-only mode shapes, or
   * nothing for inputs of fixed declared shape): enqueues every node on the current stream and
   * returns the outputs at once, as device tensors by output name. Inputs are checked before
   * anything is enqueued; a node that fails frees what the run made and throws naming the node.
   */
  run(inputs: Readonly<Record<string, OnnxInput>> = {}): Record<string, Tensor> {
    if (this.freed) throw new MtiaError('run(): the model was freed (free() or using) and cannot run any more');
    const { graph, plan, constants, weights, uploaded } = stateOf(this);
    const values = this.checkInputs(inputs);
    for (const [name, value] of constants) values.set(name, value);
    for (const [name, weight] of weights) values.set(name, { kind: 'device', ...weight });
    const remaining = new Map(plan.consumers);
    const owned = (name: string) => !weights.has(name) && !constants.has(name);
    const release = (name: string) => {
      const left = (remaining.get(name) ?? 0) - 1;
      remaining.set(name, left);
      const value = values.get(name);
      if (left <= 0 && value?.kind === 'device' && owned(name)) {
        value.tensor.free();
        values.delete(name);
      }
    };
    try {
      for (const step of plan.steps) {
        const node = step.node;
        const nodeInputs = node.inputs.map((name) => (name === '' ? undefined : values.get(name)));
        let outputs: Value[];
        if (step.placement === 'host') {
          // Shape and Size read a device value's shape alone.
          const hostInputs = nodeInputs.map((v): HostValue | undefined =>
            v?.kind === 'device' ? { kind: 'host', dtype: v.dtype, shape: v.tensor.shape, data: undefined } : v);
          outputs = node.opType === 'Constant' ? [constantValue(node)] : hostOps[node.opType]!(node, this.opset, hostInputs);
        } else {
          const ctx = new NodeContext(node, this.opset, nodeInputs, uploaded);
          try {
            const op = step.fusion === undefined ? deviceOps[node.opType]! : fusedOps[step.fusion]!;
            outputs = profiler.recordFunction(step.label, () => op(ctx));
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new MtiaError(message.startsWith(ctx.what) ? message : `${ctx.what}: ${message}`);
          } finally {
            for (const t of ctx.temporaries) t.free();
          }
        }
        // A fused step's outputs are its last node's; every node's inputs are released.
        const last = step.fused.at(-1) ?? node;
        last.outputs.forEach((name, i) => {
          const value = outputs[i];
          if (name !== '' && value !== undefined) values.set(name, value);
        });
        for (const member of [node, ...step.fused]) {
          for (const name of new Set(member.inputs)) if (name !== '') release(name);
        }
        for (const name of last.outputs) if (name !== '' && !plan.consumers.has(name)) release(name);
      }
      const result: Record<string, Tensor> = {};
      for (const output of graph.outputs) {
        const value = values.get(output.name)!;
        const tensor = value.kind === 'host' ? upload(value, `output '${output.name}'`) : reshape(value.tensor, value.tensor.shape);
        result[output.name] = tensor;
        release(output.name);
      }
      return result;
    } catch (error) {
      for (const [name, value] of values) if (value.kind === 'device' && owned(name)) value.tensor.free();
      throw error;
    }
  }

  /** Frees the weights' device memory (stream-ordered); the model cannot run afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    const { weights, uploaded } = stateOf(this);
    for (const { tensor } of weights.values()) tensor.free();
    for (const tensor of uploaded.values()) tensor.free();
  }

  /** free(), for `using model = await loadOnnx(...)`. */
  [Symbol.dispose](): void {
    this.free();
  }
}

/**
 * Loads an ONNX model (torch.onnx.export's output, opsets 13 to 21): `source` is the .onnx
 * file's bytes, or in Node its path (external data files are then read from beside it). Reads
 * and checks the whole graph first (an unsupported op, a corrupt file: one MtiaError before any
 * device work), then uploads the weights once to the current device (in timing-only mode
 * their values are not even read). docs/onnx.md lists the supported ops.
 */
export async function loadOnnx(source: Uint8Array | ArrayBuffer | string, options: LoadOnnxOptions = {}): Promise<OnnxModel> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`loadOnnx(): options must be an object, but got: ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (key !== 'externalData') throw new TypeError(`loadOnnx(): unknown option '${key}' (options: externalData)`);
  }
  const { bytes, external } = await modelSource(source, options.externalData);
  const graph = readGraph(parseModel(bytes));
  const plan = planGraph(graph);
  const model = new Map<string, HostValue>();
  for (const [name, proto] of graph.initializers) {
    if (!plan.weights.has(name)) model.set(name, await decodeTensor(proto, 'initializer', external));
  }
  // Every graph input and output must have a type the device holds: checked before uploading.
  for (const info of [...graph.inputs, ...graph.outputs]) {
    if (info.dtype === undefined || deviceDTypeOf(info.dtype, DEVICE_DTYPES) === undefined) {
      throw new MtiaError(`loadOnnx(): graph value '${info.name}' has type ${info.dtype ?? info.typeName}, which mtia-sim cannot hold on the device`);
    }
  }
  const timingOnly = getDeviceProperties().timingOnly;
  const weights = new Map<string, { tensor: Tensor; dtype: OnnxDType }>();
  const uploaded = new Map<string, Tensor>();
  try {
    for (const name of plan.weights) {
      const value = await decodeTensor(graph.initializers.get(name)!, 'initializer', external, !timingOnly);
      weights.set(name, { tensor: upload(value, `initializer '${name}'`), dtype: value.dtype });
    }
    for (const name of plan.uploadOnce) uploaded.set(name, upload(model.get(name)!, `initializer '${name}'`));
  } catch (error) {
    for (const { tensor } of weights.values()) tensor.free();
    for (const tensor of uploaded.values()) tensor.free();
    throw error;
  }
  return new OnnxModel({ graph, plan, constants: model, weights, uploaded } satisfies ModelState);
}
