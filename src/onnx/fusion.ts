// Node groups the device runs as one kernel, as MTIA's compiler would: found in the ordered graph
// when the intermediate values have no other reader. A fused group is one op record whose name
// joins the nodes' names with '+' and whose op type joins their types.
//
// - GELU as PyTorch's exporter writes it below opset 20 (torch.nn.GELU, approximate='none'):
//   Div(x, √2) → Erf → Add(·, 1) → Mul(x, ·) → Mul(·, 0.5), one `gelu`.
// - A Conv and its activation (Relu, Clip(0, 6) as ReLU6, Sigmoid, Gelu): one conv2d with
//   `activation`, as MTIA's compiler fuses an activation into the convolution's output stage.

import type { OnnxNode } from './read.js';
import type { HostValue } from './values.js';

/** A fused group: its nodes in order, and which fused op runs it (ops.ts fusedOps). */
export interface Fusion {
  readonly kind: string;
  readonly nodes: readonly OnnxNode[];
}

/** What the finder needs to know of the graph. */
export interface FusionGraph {
  /** The node producing each value. */
  readonly producer: ReadonlyMap<string, OnnxNode>;
  /** How many nodes read each value (graph outputs count as readers). */
  readonly readers: ReadonlyMap<string, number>;
  /** The value of a constant (initializer or Constant node), if it is one and small. */
  constant(name: string): HostValue | undefined;
}

/** True if `name` is a one-element constant equal to `value` (within float32 rounding). */
function isConstant(graph: FusionGraph, name: string, value: number): boolean {
  const c = graph.constant(name);
  return c?.data !== undefined && c.data.length === 1 && Math.abs(c.data[0]! - value) <= 1e-6 * Math.max(1, Math.abs(value));
}

/** The only reader of `value` among `nodes` if it has exactly one reader in the graph. */
function soleReader(graph: FusionGraph, readers: ReadonlyMap<string, OnnxNode[]>, value: string): OnnxNode | undefined {
  return graph.readers.get(value) === 1 ? readers.get(value)?.[0] : undefined;
}

/** The other input of a two-input commutative node, given one of them. */
function other(node: OnnxNode, one: string): string | undefined {
  if (node.inputs.length !== 2) return undefined;
  if (node.inputs[0] === one) return node.inputs[1];
  if (node.inputs[1] === one) return node.inputs[0];
  return undefined;
}

/** Div(x, √2) → Erf → Add(1) → Mul(x) → Mul(0.5) starting at Erf node `erf`, or undefined. */
function geluErf(graph: FusionGraph, readers: ReadonlyMap<string, OnnxNode[]>, erf: OnnxNode): Fusion | undefined {
  const div = graph.producer.get(erf.inputs[0]!);
  if (div?.opType !== 'Div' || graph.readers.get(div.outputs[0]!) !== 1) return undefined;
  const x = div.inputs[0]!;
  if (!isConstant(graph, div.inputs[1]!, Math.SQRT2)) return undefined;
  const add = soleReader(graph, readers, erf.outputs[0]!);
  if (add?.opType !== 'Add' || !isConstant(graph, other(add, erf.outputs[0]!) ?? '', 1)) return undefined;
  const mul = soleReader(graph, readers, add.outputs[0]!);
  if (mul?.opType !== 'Mul' || other(mul, add.outputs[0]!) !== x) return undefined;
  const half = soleReader(graph, readers, mul.outputs[0]!);
  if (half?.opType !== 'Mul' || !isConstant(graph, other(half, mul.outputs[0]!) ?? '', 0.5)) return undefined;
  return { kind: 'gelu', nodes: [div, erf, add, mul, half] };
}

/** The conv2d activation a node applies to its one input, or undefined. */
function convActivation(graph: FusionGraph, node: OnnxNode): string | undefined {
  if (node.domain !== '') return undefined;
  switch (node.opType) {
    case 'Relu': return 'relu';
    case 'Sigmoid': return 'sigmoid';
    case 'Clip': return node.inputs.length === 3 && isConstant(graph, node.inputs[1]!, 0) && isConstant(graph, node.inputs[2]!, 6) ? 'relu6' : undefined;
    case 'Gelu': {
      const approximate = node.attributes.get('approximate')?.s;
      return approximate === undefined || approximate.length === 0 || new TextDecoder().decode(approximate) === 'none' ? 'gelu' : undefined;
    }
    default: return undefined;
  }
}

/** Conv → activation, the conv's output read by the activation alone. */
function convWithActivation(graph: FusionGraph, readers: ReadonlyMap<string, OnnxNode[]>, conv: OnnxNode): Fusion | undefined {
  const next = soleReader(graph, readers, conv.outputs[0]!);
  if (next === undefined || next.inputs[0] !== conv.outputs[0]) return undefined;
  const activation = convActivation(graph, next);
  return activation === undefined ? undefined : { kind: `conv+${activation}`, nodes: [conv, next] };
}

/** Every fused group in `order` (a node belongs to one group at most). */
export function findFusions(graph: FusionGraph, order: readonly OnnxNode[]): Fusion[] {
  const readers = new Map<string, OnnxNode[]>();
  for (const node of order) for (const input of new Set(node.inputs)) if (input !== '') readers.set(input, [...(readers.get(input) ?? []), node]);
  const used = new Set<OnnxNode>();
  const fusions: Fusion[] = [];
  for (const node of order) {
    if (node.domain !== '') continue;
    const fusion = node.opType === 'Erf' ? geluErf(graph, readers, node) : node.opType === 'Conv' ? convWithActivation(graph, readers, node) : undefined;
    if (fusion === undefined || fusion.nodes.some((n) => used.has(n))) continue;
    for (const n of fusion.nodes) used.add(n);
    fusions.push(fusion);
  }
  return fusions;
}
