// Whole models for the ONNX import tests, built as PyTorch's exporter writes them (torch.onnx,
// opsets 17 to 20): shape chains from Shape/Gather/Unsqueeze/Concat into Reshape, attention
// with Transpose/MatMul/Softmax, LayerNormalization, a causal mask from Trilu and Where, int64
// input_ids. Small sizes and seeded random weights (test/support/onnx-builder.ts).

import { OnnxBuilder, seeded, type Feed } from './onnx-builder.js';

/** A model and the inputs to run it on. */
export interface TestModel {
  readonly bytes: Uint8Array;
  readonly feeds: Readonly<Record<string, Feed>>;
  /** Output names. */
  readonly outputs: readonly string[];
}

/** Splits the last dim of `x` ([B, S, D]) into `heads` heads: [B, heads, S, D / heads], with a Shape-built target. */
function splitHeads(b: OnnxBuilder, x: string, heads: number, headDim: number, prefix: string): string {
  const shape = b.op('Shape', [x], {}, `${prefix}/Shape`);
  const batch = b.op('Unsqueeze', [b.op('Gather', [shape, b.initializer(`${prefix}/c0`, 'int64', [], [0])], { axis: 0 }, `${prefix}/Gather`), b.ints([0])], {}, `${prefix}/Unsqueeze`);
  const seq = b.op('Unsqueeze', [b.op('Gather', [shape, b.initializer(`${prefix}/c1`, 'int64', [], [1])], { axis: 0 }, `${prefix}/Gather_1`), b.ints([0])], {}, `${prefix}/Unsqueeze_1`);
  const target = b.op('Concat', [batch, seq, b.ints([heads, headDim])], { axis: 0 }, `${prefix}/Concat`);
  return b.op('Transpose', [b.op('Reshape', [x, target], {}, `${prefix}/Reshape`)], { perm: [0, 2, 1, 3] }, `${prefix}/Transpose`);
}

/** Joins heads back: [B, H, S, Dh] → [B, S, H·Dh]. */
function mergeHeads(b: OnnxBuilder, x: string, like: string, prefix: string): string {
  const t = b.op('Transpose', [x], { perm: [0, 2, 1, 3] }, `${prefix}/Transpose`);
  const shape = b.op('Shape', [like], {}, `${prefix}/Shape`);
  const lead = b.op('Slice', [shape, b.ints([0]), b.ints([2])], {}, `${prefix}/Slice`);
  return b.op('Reshape', [t, b.op('Concat', [lead, b.ints([-1])], { axis: 0 }, `${prefix}/Concat`)], {}, `${prefix}/Reshape`);
}

/** x · W + b with a weight [in, out] (nn.Linear as the exporter writes it: MatMul then Add). */
function linear(b: OnnxBuilder, x: string, inFeatures: number, outFeatures: number, name: string, scale = 0.3): string {
  const w = b.initializer(`${name}.weight`, 'float32', [inFeatures, outFeatures], undefined, scale);
  const bias = b.initializer(`${name}.bias`, 'float32', [outFeatures], undefined, 0.1);
  return b.op('Add', [b.op('MatMul', [x, w], {}, `/${name}/MatMul`), bias], {}, `/${name}/Add`);
}

/** LayerNormalization over the last dim with its own weight and bias. */
function layerNorm(b: OnnxBuilder, x: string, d: number, name: string): string {
  const weight = b.initializer(`${name}.weight`, 'float32', [d], Array.from({ length: d }, (_, i) => 1 + 0.05 * Math.sin(i)));
  const bias = b.initializer(`${name}.bias`, 'float32', [d], Array.from({ length: d }, (_, i) => 0.02 * Math.cos(i)));
  return b.op('LayerNormalization', [x, weight, bias], { axis: -1, epsilon: 1e-5 }, `/${name}/LayerNormalization`);
}

/** Softmax(q·kᵀ / √dh + mask) · v over heads; `mask` is added to the scores (or undefined). */
function attention(b: OnnxBuilder, q: string, k: string, v: string, headDim: number, prefix: string, mask?: (scores: string) => string): string {
  const kt = b.op('Transpose', [k], { perm: [0, 1, 3, 2] }, `${prefix}/Transpose_k`);
  let scores = b.op('Div', [b.op('MatMul', [q, kt], {}, `${prefix}/MatMul`), b.scalar(Math.sqrt(headDim))], {}, `${prefix}/Div`);
  if (mask !== undefined) scores = mask(scores);
  return b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }, `${prefix}/Softmax`), v], {}, `${prefix}/MatMul_1`);
}

/** GELU as torch.onnx writes nn.GELU below opset 20: x · 0.5 · (1 + erf(x / √2)), five nodes. */
export function geluErf(b: OnnxBuilder, x: string, prefix: string): string {
  const erf = b.op('Erf', [b.op('Div', [x, b.scalar(Math.SQRT2)], {}, `${prefix}/Div`)], {}, `${prefix}/Erf`);
  const gate = b.op('Add', [erf, b.scalar(1)], {}, `${prefix}/Add`);
  return b.op('Mul', [b.op('Mul', [x, gate], {}, `${prefix}/Mul`), b.scalar(0.5)], {}, `${prefix}/Mul_1`);
}

/**
 * A BERT-style transformer encoder: x [2, 6, 16] with an int64 attention_mask [2, 6] turned
 * into an additive mask on the device, two post-norm layers of 2-head attention and a GELU
 * feed-forward: the Gelu op of opset 20, or (`gelu: 'erf'`, opset 17) the Div/Erf/Add/Mul/Mul
 * form PyTorch's exporter writes below it.
 */
export function transformerEncoder(options: { gelu?: 'op' | 'erf' } = {}): TestModel {
  const [batch, seq, d, heads, ff] = [2, 6, 16, 2, 32];
  const headDim = d / heads;
  const erf = options.gelu === 'erf';
  const b = new OnnxBuilder({ opset: erf ? 17 : 20, seed: 21 });
  let x = b.input('x', 'float32', ['batch', 'seq', d]);
  const maskInput = b.input('attention_mask', 'int64', ['batch', 'seq']);
  // (1 − mask) · −10000, as [B, 1, 1, S] (HF BERT's extended attention mask).
  const maskFloat = b.op('Cast', [maskInput], { to: 1 }, '/mask/Cast');
  const inverted = b.op('Sub', [b.scalar(1), maskFloat], {}, '/mask/Sub');
  const additive = b.op('Unsqueeze', [b.op('Mul', [inverted, b.scalar(-10000)], {}, '/mask/Mul'), b.ints([1, 2])], {}, '/mask/Unsqueeze');
  for (let layer = 0; layer < 2; layer++) {
    const p = `layer.${layer}`;
    const q = splitHeads(b, linear(b, x, d, d, `${p}.q`), heads, headDim, `/${p}/q`);
    const k = splitHeads(b, linear(b, x, d, d, `${p}.k`), heads, headDim, `/${p}/k`);
    const v = splitHeads(b, linear(b, x, d, d, `${p}.v`), heads, headDim, `/${p}/v`);
    const context = attention(b, q, k, v, headDim, `/${p}/attn`, (scores) => b.op('Add', [scores, additive], {}, `/${p}/attn/Add_mask`));
    const merged = mergeHeads(b, context, x, `/${p}/merge`);
    x = layerNorm(b, b.op('Add', [x, linear(b, merged, d, d, `${p}.out`)], {}, `/${p}/Add_residual`), d, `${p}.ln1`);
    const projected = linear(b, x, d, ff, `${p}.ff1`);
    const hidden = erf ? geluErf(b, projected, `/${p}/ff/act`) : b.op('Gelu', [projected], {}, `/${p}/ff/Gelu`);
    x = layerNorm(b, b.op('Add', [x, linear(b, hidden, ff, d, `${p}.ff2`)], {}, `/${p}/Add_residual_1`), d, `${p}.ln2`);
  }
  b.node('Identity', [x], {}, { name: '/Identity', outputs: ['last_hidden_state'] });
  b.output('last_hidden_state', 'float32', ['batch', 'seq', d]);
  const random = seeded(5);
  return {
    bytes: b.build(),
    feeds: {
      x: { dtype: 'float32', shape: [batch, seq, d], values: Array.from({ length: batch * seq * d }, () => 2 * random() - 1) },
      attention_mask: { dtype: 'int64', shape: [batch, seq], values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0] },
    },
    outputs: ['last_hidden_state'],
  };
}

/** GELU's tanh form as the exporter decomposes it below opset 20: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function geluTanh(b: OnnxBuilder, x: string, prefix: string): string {
  const cube = b.op('Pow', [x, b.scalar(3)], {}, `${prefix}/Pow`);
  const inner = b.op('Mul', [b.op('Add', [x, b.op('Mul', [cube, b.scalar(0.044715)], {}, `${prefix}/Mul`)], {}, `${prefix}/Add`), b.scalar(Math.sqrt(2 / Math.PI))], {}, `${prefix}/Mul_1`);
  const gate = b.op('Add', [b.op('Tanh', [inner], {}, `${prefix}/Tanh`), b.scalar(1)], {}, `${prefix}/Add_1`);
  return b.op('Mul', [b.op('Mul', [x, gate], {}, `${prefix}/Mul_2`), b.scalar(0.5)], {}, `${prefix}/Mul_3`);
}

/** The sizes of gptDecoder's model. */
export interface DecoderSize {
  readonly batch: number;
  readonly seq: number;
  readonly d: number;
  readonly heads: number;
  readonly vocab: number;
  readonly maxPositions: number;
  readonly layers: number;
  /** A file name: the weights are only referenced there, without values (for timing-only runs). */
  readonly externalWeights: string | undefined;
}

/** The small decoder the comparisons run. */
const SMALL_DECODER: DecoderSize = { batch: 2, seq: 5, d: 16, heads: 2, vocab: 24, maxPositions: 8, layers: 2, externalWeights: undefined };

/** A 6.6 B-parameter decoder at LLaMA-2-7B's width, depth and vocabulary (d 4096, 32 heads and layers, 32000 tokens), one sequence of 128 tokens. */
export const DECODER_7B: Partial<DecoderSize> = { batch: 1, seq: 128, d: 4096, heads: 32, vocab: 32000, maxPositions: 4096, layers: 32 };

/**
 * A GPT-2-style decoder (opset 18): int64 input_ids [2, 5] → token embedding (Gather of the
 * table by the ids) + position embedding (Gather by a Range built from the ids' Shape), two
 * pre-norm blocks whose attention applies a causal mask built from Trilu on a ConstantOfShape
 * and Where(mask, scores, −1e9), a tanh-GELU MLP, a final LayerNormalization and logits through
 * the transposed (tied) token table.
 */
export function gptDecoder(size: Partial<DecoderSize> = {}): TestModel {
  const { batch, seq, d, heads, vocab, maxPositions, layers, externalWeights } = { ...SMALL_DECODER, ...size };
  const headDim = d / heads;
  const b = new OnnxBuilder({ opset: 18, seed: 33, ...(externalWeights !== undefined && { externalWeights }) });
  const ids = b.input('input_ids', 'int64', ['batch', 'sequence']);
  const wte = b.initializer('transformer.wte.weight', 'float32', [vocab, d], undefined, 0.5);
  const wpe = b.initializer('transformer.wpe.weight', 'float32', [maxPositions, d], undefined, 0.2);
  const length = b.op('Gather', [b.op('Shape', [ids], {}, '/Shape'), b.initializer('one', 'int64', [], [1])], { axis: 0 }, '/Gather');
  const positions = b.op('Range', [b.initializer('zero', 'int64', [], [0]), length, b.initializer('step', 'int64', [], [1])], {}, '/Range');
  let x = b.op('Add', [
    b.op('Gather', [wte, ids], {}, '/wte/Gather'),
    b.op('Gather', [wpe, positions], {}, '/wpe/Gather'),
  ], {}, '/embed/Add');
  // The causal mask: lower-triangular ones of [S, S] as bool, [1, 1, S, S].
  const square = b.op('Concat', [b.op('Unsqueeze', [length, b.ints([0])], {}, '/mask/Unsqueeze'), b.op('Unsqueeze', [length, b.ints([0])], {}, '/mask/Unsqueeze_1')], { axis: 0 }, '/mask/Concat');
  const ones = b.op('ConstantOfShape', [square], { value: { tensor: { dtype: 'bool', shape: [1], values: [1] } } }, '/mask/ConstantOfShape');
  const causal = b.op('Unsqueeze', [b.op('Trilu', [ones], { upper: 0 }, '/mask/Trilu'), b.ints([0, 1])], {}, '/mask/Unsqueeze_2');
  for (let block = 0; block < layers; block++) {
    const p = `h.${block}`;
    const normed = layerNorm(b, x, d, `${p}.ln_1`);
    const qkv = linear(b, normed, d, 3 * d, `${p}.attn.c_attn`);
    const part = (i: number, name: string) => b.op('Slice', [qkv, b.ints([i * d]), b.ints([(i + 1) * d]), b.ints([2])], {}, `/${p}/attn/Slice_${name}`);
    const [q, k, v] = ['q', 'k', 'v'].map((name, i) => splitHeads(b, part(i, name), heads, headDim, `/${p}/attn/${name}`)) as [string, string, string];
    const context = attention(b, q, k, v, headDim, `/${p}/attn`, (scores) => b.op('Where', [causal, scores, b.scalar(-1e9)], {}, `/${p}/attn/Where`));
    x = b.op('Add', [x, linear(b, mergeHeads(b, context, normed, `/${p}/attn/merge`), d, d, `${p}.attn.c_proj`)], {}, `/${p}/Add`);
    const hidden = geluTanh(b, linear(b, layerNorm(b, x, d, `${p}.ln_2`), d, 4 * d, `${p}.mlp.c_fc`), `/${p}/mlp/act`);
    x = b.op('Add', [x, linear(b, hidden, 4 * d, d, `${p}.mlp.c_proj`)], {}, `/${p}/Add_1`);
  }
  const final = layerNorm(b, x, d, 'ln_f');
  const head = b.op('Transpose', [wte], { perm: [1, 0] }, '/lm_head/Transpose');
  b.node('MatMul', [final, head], {}, { name: '/lm_head/MatMul', outputs: ['logits'] });
  b.output('logits', 'float32', ['batch', 'sequence', vocab]);
  return {
    bytes: b.build(),
    feeds: { input_ids: { dtype: 'int64', shape: [batch, seq], values: Array.from({ length: batch * seq }, (_, i) => (i * 7 + 3) % vocab) } },
    outputs: ['logits'],
  };
}

/** A Conv node (2-d) with its own weight and bias: `cin` → `cout` channels. */
function conv(b: OnnxBuilder, x: string, cin: number, cout: number, kernel: number, name: string, attrs: { stride?: number; pad?: number; group?: number } = {}): string {
  const group = attrs.group ?? 1;
  const fanIn = (cin / group) * kernel * kernel;
  const w = b.initializer(`${name}.weight`, 'float32', [cout, cin / group, kernel, kernel], undefined, Math.sqrt(3 / fanIn));
  const bias = b.initializer(`${name}.bias`, 'float32', [cout], undefined, 0.05);
  const pad = attrs.pad ?? 0;
  return b.op('Conv', [x, w, bias], {
    kernel_shape: [kernel, kernel], strides: [attrs.stride ?? 1, attrs.stride ?? 1], pads: [pad, pad, pad, pad], group, dilations: [1, 1],
  }, `/${name}/Conv`);
}

/** Inference BatchNormalization with its own statistics. */
function batchNorm(b: OnnxBuilder, x: string, channels: number, name: string): string {
  const ramp = (f: (c: number) => number) => Array.from({ length: channels }, (_, c) => f(c));
  return b.op('BatchNormalization', [
    x,
    b.initializer(`${name}.weight`, 'float32', [channels], ramp((c) => 1 + 0.1 * Math.sin(c))),
    b.initializer(`${name}.bias`, 'float32', [channels], ramp((c) => 0.05 * Math.cos(c))),
    b.initializer(`${name}.running_mean`, 'float32', [channels], ramp((c) => 0.1 * Math.sin(2 * c))),
    b.initializer(`${name}.running_var`, 'float32', [channels], ramp((c) => 1 + 0.2 * Math.cos(3 * c) ** 2)),
  ], { epsilon: 1e-5 }, `/${name}/BatchNormalization`);
}

/** A classifier head: GlobalAveragePool → Flatten → Gemm (nn.Linear) to `classes`. */
function head(b: OnnxBuilder, x: string, channels: number, classes: number): string {
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [x], {}, '/avgpool/GlobalAveragePool')], { axis: 1 }, '/Flatten');
  return b.node('Gemm', [pooled, b.initializer('fc.weight', 'float32', [classes, channels], undefined, 0.3), b.initializer('fc.bias', 'float32', [classes], undefined, 0.05)], { transB: 1 }, { name: '/fc/Gemm', outputs: ['logits'] })[0]!;
}

/**
 * A ResNet-style CNN (opset 17): x [2, 3, 16, 16] → Conv 3×3 + BatchNormalization + Relu →
 * MaxPool 3×3 stride 2 → a basic residual block → a downsampling block with a 1×1 stride-2
 * shortcut → GlobalAveragePool → Gemm to 10 classes. Each Conv's Relu is fused into it.
 */
export function resnetCnn(): TestModel {
  const b = new OnnxBuilder({ opset: 17, seed: 41 });
  const x = b.input('x', 'float32', ['batch', 3, 16, 16]);
  let h = b.op('Relu', [batchNorm(b, conv(b, x, 3, 8, 3, 'conv1', { pad: 1 }), 8, 'bn1')], {}, '/relu/Relu');
  h = b.op('MaxPool', [h], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, '/maxpool/MaxPool');
  const a = b.op('Relu', [conv(b, h, 8, 8, 3, 'layer1.conv1', { pad: 1 })], {}, '/layer1/relu/Relu');
  h = b.op('Relu', [b.op('Add', [conv(b, a, 8, 8, 3, 'layer1.conv2', { pad: 1 }), h], {}, '/layer1/Add')], {}, '/layer1/relu_1/Relu');
  const c = b.op('Relu', [conv(b, h, 8, 16, 3, 'layer2.conv1', { pad: 1, stride: 2 })], {}, '/layer2/relu/Relu');
  const shortcut = conv(b, h, 8, 16, 1, 'layer2.downsample', { stride: 2 });
  h = b.op('Relu', [b.op('Add', [conv(b, c, 16, 16, 3, 'layer2.conv2', { pad: 1 }), shortcut], {}, '/layer2/Add')], {}, '/layer2/relu_1/Relu');
  head(b, h, 16, 10);
  b.output('logits', 'float32', ['batch', 10]);
  const random = seeded(6);
  return { bytes: b.build(), feeds: { x: { dtype: 'float32', shape: [2, 3, 16, 16], values: Array.from({ length: 2 * 3 * 256 }, () => 2 * random() - 1) } }, outputs: ['logits'] };
}

/** Clip(x, 0, 6): ReLU6 as the exporter writes it. */
function relu6(b: OnnxBuilder, x: string, name: string): string {
  return b.op('Clip', [x, b.scalar(0), b.scalar(6)], {}, `/${name}/Clip`);
}

/**
 * A MobileNet-style depthwise CNN (opset 17): x [2, 3, 16, 16] → Conv 3×3 stride 2 + ReLU6 →
 * depthwise 3×3 (group = channels) + ReLU6 → pointwise 1×1 → an inverted residual block
 * (expand 1×1 + ReLU6, depthwise + ReLU6, a squeeze-excitation gate of GlobalAveragePool,
 * 1×1 convs, Relu and HardSigmoid, project 1×1, residual Add) → HardSwish → head.
 */
export function mobilenetCnn(): TestModel {
  const b = new OnnxBuilder({ opset: 17, seed: 43 });
  const x = b.input('x', 'float32', ['batch', 3, 16, 16]);
  let h = relu6(b, conv(b, x, 3, 8, 3, 'features.0', { pad: 1, stride: 2 }), 'features.0.act');
  h = relu6(b, conv(b, h, 8, 8, 3, 'features.1.dw', { pad: 1, group: 8 }), 'features.1.dw.act');
  h = conv(b, h, 8, 16, 1, 'features.1.pw');
  let e = relu6(b, conv(b, h, 16, 32, 1, 'features.2.expand'), 'features.2.expand.act');
  e = relu6(b, conv(b, e, 32, 32, 3, 'features.2.dw', { pad: 1, group: 32 }), 'features.2.dw.act');
  const squeezed = b.op('GlobalAveragePool', [e], {}, '/features.2.se/GlobalAveragePool');
  const gate = b.op('HardSigmoid', [conv(b, b.op('Relu', [conv(b, squeezed, 32, 8, 1, 'features.2.se.fc1')], {}, '/features.2.se/Relu'), 8, 32, 1, 'features.2.se.fc2')], { alpha: 1 / 6, beta: 0.5 }, '/features.2.se/HardSigmoid');
  e = b.op('Mul', [e, gate], {}, '/features.2.se/Mul');
  h = b.op('Add', [conv(b, e, 32, 16, 1, 'features.2.project'), h], {}, '/features.2/Add');
  h = b.op('HardSwish', [h], {}, '/features.3/HardSwish');
  head(b, h, 16, 10);
  b.output('logits', 'float32', ['batch', 10]);
  const random = seeded(8);
  return { bytes: b.build(), feeds: { x: { dtype: 'float32', shape: [2, 3, 16, 16], values: Array.from({ length: 2 * 3 * 256 }, () => 2 * random() - 1) } }, outputs: ['logits'] };
}

/** Tolerance of whole-model comparisons: float32 through a few dozen ops. */
export const MODEL_TOLERANCE = { atol: 1e-4, rtol: 1e-3 } as const;
