// Planning an imported graph before anything runs: nodes in dependency order, which values live
// on the host (constants, small initializers, everything computed from shapes) and which on the
// device (graph inputs, weights, everything computed from them), and every node the importer
// cannot run, reported together in one error. A node runs on the host when all its inputs are
// host values and fold.ts has it; otherwise ops.ts must have it.

import { MtiaError } from '../errors.js';
import { hostOps } from './fold.js';
import { deviceOps, hostInputs } from './ops.js';
import { findFusions, type Fusion } from './fusion.js';
import { constantValue, decodeInline, isExternal, tensorDType, tensorShape, type OnnxGraph, type OnnxNode } from './read.js';
import { isFloating, numelOf, type HostValue } from './values.js';

/** Floating initializers with more elements than this are weights: uploaded to the device once, never read on the host. */
export const WEIGHT_MIN_ELEMENTS = 64;

/** Ops that read only their input's shape: they run on the host whatever the input's placement. */
export const READS_SHAPE_ONLY: ReadonlySet<string> = new Set(['Shape', 'Size']);

/** Where a value lives while the model runs. */
export type Placement = 'host' | 'device';

/** A step of the plan: one node, or nodes the device runs as one kernel. */
export interface PlannedNode {
  /** The node (the first of a fused group). */
  readonly node: OnnxNode;
  /** Where it runs. */
  readonly placement: Placement;
  /** Its name as op records carry it: fused nodes' names joined with '+'. */
  readonly label: string;
  /** Its op type, fused nodes' joined with '+'. */
  readonly opType: string;
  /** Nodes fused into this step after `node` (the last one's outputs are this step's). */
  readonly fused: readonly OnnxNode[];
  /** The fused op that runs the group (ops.ts fusedOps), or undefined for a single node. */
  readonly fusion: string | undefined;
}

/** The plan of a graph. */
export interface Plan {
  readonly steps: readonly PlannedNode[];
  /** Placement of every value by name. */
  readonly placements: ReadonlyMap<string, Placement>;
  /** Initializers held as device weights. */
  readonly weights: ReadonlySet<string>;
  /**
   * Small initializers kept on the host that device nodes also read as tensors (a bias, a
   * LayerNormalization scale): uploaded once at load as well, not at every run.
   */
  readonly uploadOnce: ReadonlySet<string>;
  /** How many steps read each value (graph outputs count once more). */
  readonly consumers: ReadonlyMap<string, number>;
}

/** Orders `nodes` so that each comes after the producers of its inputs (Kahn's algorithm, stable). */
function topologicalOrder(graph: OnnxGraph, available: ReadonlySet<string>): OnnxNode[] {
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const missing: string[] = [];
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (input !== '' && !available.has(input) && !producer.has(input)) missing.push(`'${input}' (input of ${node.opType} node '${node.name}')`);
    }
  }
  for (const output of graph.outputs) {
    if (!available.has(output.name) && !producer.has(output.name)) missing.push(`'${output.name}' (a graph output)`);
  }
  if (missing.length > 0) {
    throw new MtiaError(`loadOnnx(): the graph uses values that no node, initializer or graph input provides (a corrupt or truncated file?): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? `, and ${missing.length - 10} more` : ''}`);
  }
  const users = new Map<number, number[]>();
  graph.nodes.forEach((node, i) => {
    for (const input of new Set(node.inputs)) {
      const p = producer.get(input);
      if (p !== undefined && !available.has(input)) users.set(p, [...(users.get(p) ?? []), i]);
    }
  });
  // Each node waits for the distinct produced values it reads.
  const waiting = graph.nodes.map((node) => new Set(node.inputs.filter((input) => input !== '' && !available.has(input))).size);
  const ready = graph.nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  const order: OnnxNode[] = [];
  for (let k = 0; k < ready.length; k++) {
    const i = ready[k]!;
    order.push(graph.nodes[i]!);
    for (const user of users.get(i) ?? []) if (--waiting[user]! === 0) ready.push(user);
  }
  if (order.length !== graph.nodes.length) throw new MtiaError('loadOnnx(): the graph has a cycle');
  return order;
}

/** What fusion.ts needs of `graph`: producers, reader counts, and small constants' values. */
function fusionGraph(graph: OnnxGraph, order: readonly OnnxNode[]): Parameters<typeof findFusions>[0] {
  const producer = new Map<string, OnnxNode>();
  const readers = new Map<string, number>();
  for (const node of order) {
    for (const output of node.outputs) if (output !== '') producer.set(output, node);
    for (const input of new Set(node.inputs)) if (input !== '') readers.set(input, (readers.get(input) ?? 0) + 1);
  }
  for (const output of graph.outputs) readers.set(output.name, (readers.get(output.name) ?? 0) + 1);
  const constant = (name: string): HostValue | undefined => {
    const proto = graph.initializers.get(name);
    if (proto !== undefined) return isExternal(proto) || numelOf(tensorShape(proto)) > 1 ? undefined : decodeInline(proto, 'initializer');
    const node = producer.get(name);
    return node?.opType === 'Constant' && node.domain === '' ? constantValue(node) : undefined;
  };
  return { producer, readers, constant };
}

/** Plans `graph`; throws one MtiaError listing every node it cannot run. */
export function planGraph(graph: OnnxGraph): Plan {
  if (graph.opset < 13 || graph.opset > 21) {
    throw new MtiaError(`loadOnnx(): the model uses opset ${graph.opset} of the default domain; mtia-sim imports opsets 13 to 21`);
  }
  const placements = new Map<string, Placement>();
  const weights = new Set<string>();
  for (const input of graph.inputs) placements.set(input.name, 'device');
  for (const [name, proto] of graph.initializers) {
    const dtype = tensorDType(proto, 'initializer');
    const weight = isExternal(proto) || (isFloating(dtype) && numelOf(tensorShape(proto)) > WEIGHT_MIN_ELEMENTS);
    placements.set(name, weight ? 'device' : 'host');
    if (weight) weights.add(name);
  }
  const order = topologicalOrder(graph, new Set(placements.keys()));
  const fusionOf = new Map<OnnxNode, Fusion>();
  for (const fusion of findFusions(fusionGraph(graph, order), order)) for (const node of fusion.nodes) fusionOf.set(node, fusion);
  const unsupported = new Map<string, string[]>();
  const note = (key: string, node: OnnxNode) => unsupported.set(key, [...(unsupported.get(key) ?? []), node.name]);
  const steps: PlannedNode[] = [];
  for (const node of order) {
    const fusion = fusionOf.get(node);
    if (fusion !== undefined) {
      if (fusion.nodes[0] !== node) continue; // run with its group's first node
      for (const member of fusion.nodes) for (const output of member.outputs) if (output !== '') placements.set(output, 'device');
      steps.push({
        node, placement: 'device', label: fusion.nodes.map((n) => n.name).join('+'), opType: fusion.nodes.map((n) => n.opType).join('+'),
        fused: fusion.nodes.slice(1), fusion: fusion.kind,
      });
      continue;
    }
    let placement: Placement;
    if (node.domain !== '') {
      note(`${node.domain}.${node.opType}`, node);
      placement = 'device';
    } else if (node.opType === 'Constant' || READS_SHAPE_ONLY.has(node.opType)) {
      placement = 'host';
    } else {
      const allHost = node.inputs.every((input) => input === '' || placements.get(input) === 'host');
      if (allHost && hostOps[node.opType] !== undefined) placement = 'host';
      else {
        placement = 'device';
        if (deviceOps[node.opType] === undefined) {
          note(hostOps[node.opType] !== undefined ? `${node.opType} (on device values)` : node.opType, node);
        } else {
          for (const i of hostInputs[node.opType] ?? []) {
            const input = node.inputs[i];
            if (input !== undefined && input !== '' && placements.get(input) !== 'host') {
              note(`${node.opType} (input ${i} computed on the device; mtia-sim needs it from constants and shapes)`, node);
            }
          }
        }
      }
    }
    for (const output of node.outputs) if (output !== '') placements.set(output, placement);
    steps.push({ node, placement, label: node.name, opType: node.opType, fused: [], fusion: undefined });
  }
  if (unsupported.size > 0) {
    const lines = [...unsupported].map(([op, names]) => `  ${op}: ${names.slice(0, 8).join(', ')}${names.length > 8 ? `, and ${names.length - 8} more` : ''}`);
    throw new MtiaError(`loadOnnx(): the model has ops mtia-sim does not support (docs/onnx.md lists those it does):\n${lines.join('\n')}`);
  }
  const consumers = new Map<string, number>();
  for (const step of steps) {
    for (const node of [step.node, ...step.fused]) {
      for (const input of new Set(node.inputs)) if (input !== '') consumers.set(input, (consumers.get(input) ?? 0) + 1);
    }
  }
  for (const output of graph.outputs) consumers.set(output.name, (consumers.get(output.name) ?? 0) + 1);
  const uploadOnce = new Set<string>();
  for (const step of steps) {
    if (step.placement !== 'device') continue;
    step.node.inputs.forEach((input, i) => {
      const proto = graph.initializers.get(input);
      if (proto === undefined || weights.has(input) || (hostInputs[step.node.opType] ?? []).includes(i)) return;
      if (numelOf(tensorShape(proto)) > 1) uploadOnce.add(input); // one-element values travel as numbers
    });
  }
  return { steps, placements, weights, uploadOnce, consumers };
}
