// The two models of bench/models, built as PyTorch's exporter (torch.onnx, opset 17) writes
// them, with seeded random weights (test/support/onnx-builder.ts): nothing large is committed,
// run.mjs bundles this file with esbuild and builds the .onnx bytes at run time.
//
//   resnet18   torchvision's resnet18 in eval mode: input [1, 3, 224, 224]; conv1 7×7/2, ReLU,
//              MaxPool 3×3/2, four stages of two BasicBlocks (64, 128, 256, 512 channels; a 1×1/2
//              downsample conv on the first block of stages 2–4), GlobalAveragePool, Flatten,
//              Gemm 512 → 1000. BatchNormalization is folded into the convs (a bias on each), as
//              torch.onnx's eval-mode export writes it (the Conv+BN peephole with constant folding).
//   bertLayer  one BERT-base encoder layer (HF BertLayer): hidden_states [1, 128, 768], an int64
//              attention_mask [1, 128] turned into the additive mask, Q/K/V MatMul+Add, Reshape
//              (from a Shape/Gather/Unsqueeze/Concat chain) and Transpose to 12 heads of 64,
//              MatMul/Div/Add/Softmax/MatMul, heads merged, output dense + residual +
//              LayerNormalization, the FFN 768 → 3072 → 768 with GELU as Div/Erf/Add/Mul/Mul,
//              residual, LayerNormalization.

import { OnnxBuilder, seeded, type Feed } from '../../test/support/onnx-builder.js';
import { geluErf } from '../../test/support/onnx-models.js';

/** A bench model: its bytes, the inputs to run it on and its output's name. */
export interface BenchModel {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly feeds: Readonly<Record<string, Feed>>;
  readonly output: string;
  readonly nodes: number;
  readonly parameters: number;
}

/** A conv with its folded BN as bias; weights Kaiming-uniform (bound √(6 / fan_in)) so activations keep their scale through 17 layers. */
function conv(b: OnnxBuilder, x: string, cin: number, cout: number, k: number, stride: number, name: string, counts: { params: number }): string {
  const fanIn = cin * k * k;
  const w = b.initializer(`${name}.weight`, 'float32', [cout, cin, k, k], undefined, Math.sqrt(6 / fanIn) * 0.7);
  const bias = b.initializer(`${name}.bias`, 'float32', [cout], undefined, 0.05);
  counts.params += cout * fanIn + cout;
  const pad = (k - 1) >> 1;
  return b.op('Conv', [x, w, bias], { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1], group: 1 }, `/${name}/Conv`);
}

/** torchvision resnet18 (BN folded), batch 1, 224 × 224. */
export function resnet18(): BenchModel {
  const b = new OnnxBuilder({ opset: 17, seed: 18 });
  const counts = { params: 0 };
  const input = b.input('input', 'float32', [1, 3, 224, 224]);
  let x = b.op('Relu', [conv(b, input, 3, 64, 7, 2, 'conv1', counts)], {}, '/relu/Relu');
  x = b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 0, dilations: [1, 1] }, '/maxpool/MaxPool');
  let channels = 64;
  for (const [stage, width] of [64, 128, 256, 512].entries()) {
    for (let block = 0; block < 2; block++) {
      const p = `layer${stage + 1}.${block}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const h = b.op('Relu', [conv(b, x, channels, width, 3, stride, `${p}.conv1`, counts)], {}, `/${p}/relu/Relu`);
      const y = conv(b, h, width, width, 3, 1, `${p}.conv2`, counts);
      const identity = stride !== 1 || channels !== width ? conv(b, x, channels, width, 1, stride, `${p}.downsample.0`, counts) : x;
      x = b.op('Relu', [b.op('Add', [y, identity], {}, `/${p}/Add`)], {}, `/${p}/relu_1/Relu`);
      channels = width;
    }
  }
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [x], {}, '/avgpool/GlobalAveragePool')], { axis: 1 }, '/Flatten');
  const fcW = b.initializer('fc.weight', 'float32', [1000, 512], undefined, 1 / Math.sqrt(512));
  const fcB = b.initializer('fc.bias', 'float32', [1000], undefined, 1 / Math.sqrt(512));
  counts.params += 1000 * 512 + 1000;
  b.node('Gemm', [pooled, fcW, fcB], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }, { name: '/fc/Gemm', outputs: ['logits'] });
  b.output('logits', 'float32', [1, 1000]);
  const random = seeded(224);
  const count = 3 * 224 * 224;
  return {
    name: 'ResNet-18',
    bytes: b.build(),
    feeds: { input: { dtype: 'float32', shape: [1, 3, 224, 224], values: Float32Array.from({ length: count }, () => 2 * random() - 1) } },
    output: 'logits',
    nodes: (b as unknown as { nodes: unknown[] }).nodes.length,
    parameters: counts.params,
  };
}

/** Splits [B, S, D] into [B, heads, S, D / heads] with a Shape-built Reshape target, as the exporter writes it. */
function splitHeads(b: OnnxBuilder, x: string, heads: number, headDim: number, prefix: string): string {
  const shape = b.op('Shape', [x], {}, `${prefix}/Shape`);
  const batch = b.op('Unsqueeze', [b.op('Gather', [shape, b.initializer(`${prefix}/c0`, 'int64', [], [0])], { axis: 0 }, `${prefix}/Gather`), b.ints([0])], {}, `${prefix}/Unsqueeze`);
  const seq = b.op('Unsqueeze', [b.op('Gather', [shape, b.initializer(`${prefix}/c1`, 'int64', [], [1])], { axis: 0 }, `${prefix}/Gather_1`), b.ints([0])], {}, `${prefix}/Unsqueeze_1`);
  const target = b.op('Concat', [batch, seq, b.ints([heads, headDim])], { axis: 0 }, `${prefix}/Concat`);
  return b.op('Transpose', [b.op('Reshape', [x, target], {}, `${prefix}/Reshape`)], { perm: [0, 2, 1, 3] }, `${prefix}/Transpose`);
}

/** nn.Linear as the exporter writes it: MatMul by the [in, out] weight, then Add of the bias; PyTorch's init bound 1/√in. */
function linear(b: OnnxBuilder, x: string, inFeatures: number, outFeatures: number, name: string, counts: { params: number }): string {
  const bound = 1 / Math.sqrt(inFeatures);
  const w = b.initializer(`${name}.weight`, 'float32', [inFeatures, outFeatures], undefined, bound);
  const bias = b.initializer(`${name}.bias`, 'float32', [outFeatures], undefined, bound);
  counts.params += inFeatures * outFeatures + outFeatures;
  return b.op('Add', [b.op('MatMul', [x, w], {}, `/${name}/MatMul`), bias], {}, `/${name}/Add`);
}

/** LayerNormalization over the last dim (eps 1e-12, BERT's). */
function layerNorm(b: OnnxBuilder, x: string, d: number, name: string, counts: { params: number }): string {
  const weight = b.initializer(`${name}.weight`, 'float32', [d], Array.from({ length: d }, (_, i) => 1 + 0.05 * Math.sin(i)));
  const bias = b.initializer(`${name}.bias`, 'float32', [d], Array.from({ length: d }, (_, i) => 0.02 * Math.cos(i)));
  counts.params += 2 * d;
  return b.op('LayerNormalization', [x, weight, bias], { axis: -1, epsilon: 1e-12 }, `/${name}/LayerNormalization`);
}

/** One BERT-base encoder layer, batch 1, sequence 128. */
export function bertLayer(): BenchModel {
  const [seq, d, heads, ff] = [128, 768, 12, 3072];
  const headDim = d / heads;
  const counts = { params: 0 };
  const b = new OnnxBuilder({ opset: 17, seed: 768 });
  const x = b.input('hidden_states', 'float32', [1, seq, d]);
  const maskInput = b.input('attention_mask', 'int64', [1, seq]);
  const maskFloat = b.op('Cast', [maskInput], { to: 1 }, '/mask/Cast');
  const inverted = b.op('Sub', [b.scalar(1), maskFloat], {}, '/mask/Sub');
  const additive = b.op('Unsqueeze', [b.op('Mul', [inverted, b.scalar(-10000)], {}, '/mask/Mul'), b.ints([1, 2])], {}, '/mask/Unsqueeze');
  const p = 'attention.self';
  const q = splitHeads(b, linear(b, x, d, d, `${p}.query`, counts), heads, headDim, `/${p}/query`);
  const k = splitHeads(b, linear(b, x, d, d, `${p}.key`, counts), heads, headDim, `/${p}/key`);
  const v = splitHeads(b, linear(b, x, d, d, `${p}.value`, counts), heads, headDim, `/${p}/value`);
  const kt = b.op('Transpose', [k], { perm: [0, 1, 3, 2] }, `/${p}/Transpose_3`);
  let scores = b.op('Div', [b.op('MatMul', [q, kt], {}, `/${p}/MatMul`), b.scalar(Math.sqrt(headDim))], {}, `/${p}/Div`);
  scores = b.op('Add', [scores, additive], {}, `/${p}/Add`);
  const context = b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }, `/${p}/Softmax`), v], {}, `/${p}/MatMul_1`);
  const t = b.op('Transpose', [context], { perm: [0, 2, 1, 3] }, `/${p}/Transpose_4`);
  const shape = b.op('Shape', [x], {}, `/${p}/Shape_3`);
  const lead = b.op('Slice', [shape, b.ints([0]), b.ints([2])], {}, `/${p}/Slice`);
  const merged = b.op('Reshape', [t, b.op('Concat', [lead, b.ints([d])], { axis: 0 }, `/${p}/Concat_3`)], {}, `/${p}/Reshape_3`);
  const attn = layerNorm(b, b.op('Add', [linear(b, merged, d, d, 'attention.output.dense', counts), x], {}, '/attention/output/Add'), d, 'attention.output.LayerNorm', counts);
  const hidden = geluErf(b, linear(b, attn, d, ff, 'intermediate.dense', counts), '/intermediate/intermediate_act_fn');
  const out = b.op('Add', [linear(b, hidden, ff, d, 'output.dense', counts), attn], {}, '/output/Add');
  b.node('LayerNormalization', [out, b.initializer('output.LayerNorm.weight', 'float32', [d], Array.from({ length: d }, (_, i) => 1 + 0.05 * Math.cos(i))), b.initializer('output.LayerNorm.bias', 'float32', [d], Array.from({ length: d }, (_, i) => 0.02 * Math.sin(i)))], { axis: -1, epsilon: 1e-12 }, { name: '/output/LayerNorm/LayerNormalization', outputs: ['layer_output'] });
  counts.params += 2 * d;
  b.output('layer_output', 'float32', [1, seq, d]);
  const random = seeded(128);
  // The last 16 positions are padding (mask 0), so the additive mask does something.
  return {
    name: 'BERT-base layer',
    bytes: b.build(),
    feeds: {
      hidden_states: { dtype: 'float32', shape: [1, seq, d], values: Float32Array.from({ length: seq * d }, () => 2 * random() - 1) },
      attention_mask: { dtype: 'int64', shape: [1, seq], values: Array.from({ length: seq }, (_, i) => (i < seq - 16 ? 1 : 0)) },
    },
    output: 'layer_output',
    nodes: (b as unknown as { nodes: unknown[] }).nodes.length,
    parameters: counts.params,
  };
}
