// mtia-sim: a simulated Meta MTIA accelerator with a torch.mtia-shaped API.

export * as mtia from './mtia/index.js';
export { Device, type DeviceLike } from './device.js';
export { DeferredMtiaCallError, DeviceLostError, MtiaError, OutOfMemoryError, ValueError } from './errors.js';
// The stream sanitizer's error, top-level like the other error classes (also mtia.StreamRaceError).
export { StreamRaceError } from './runtime/stream-sanitizer.js';
export { Tensor } from './tensor/tensor.js';
export {
  arange, empty, full, ones, rand, randint, randn, tensor, zeros, type NestedArray, type TensorOptions,
} from './tensor/factories.js';
export {
  add, clamp, div, exp, gelu, log, maximum, minimum, mul, neg, relu, sigmoid, silu, sqrt, sub, tanh, where,
  type Scalar,
} from './tensor/ops.js';
export {
  abs, erf, hardSigmoid, hardSwish, leakyRelu, logicalNot, pow, reciprocal, type HardSigmoidOptions,
} from './tensor/ops.js';
export { eq, ge, gt, le, logicalAnd, logicalOr, logicalXor, lt, ne } from './tensor/comparisons.js';
export { argmax, max, mean, min, sum, type ReduceOptions, type ValuesIndices } from './tensor/reductions.js';
export { bmm, linear, matmul } from './tensor/linalg.js';
export {
  dequantize, quantizeDynamic, quantizedLinear, quantizePerTensor, type QuantizedRows,
} from './tensor/quantization.js';
export {
  embeddingBag, layerNorm, logSoftmax, softmax, type EmbeddingBagOptions, type LayerNormOptions,
} from './tensor/nn.js';
export { pad, type PadOptions } from './tensor/padding.js';
export { cumsum, type CumsumOptions } from './tensor/scan.js';
export { topk, type TopkOptions } from './tensor/topk.js';
export { interpolate, resize, type InterpolateOptions, type ResizeOptions } from './tensor/resize.js';
export {
  batchNorm, groupNorm, rmsNorm, type BatchNormOptions, type GroupNormOptions, type RmsNormOptions,
} from './tensor/normalization.js';
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from './tensor/attention.js';
export { cat, contiguous, permute, reshape, slice, transpose, view } from './tensor/views.js';
export { expand, flatten, split, squeeze, unsqueeze } from './tensor/views.js';
export { embedding, gather, indexSelect, type EmbeddingOptions, type GatherOptions } from './tensor/indexing.js';
export {
  conv2d, convTranspose2d, type Conv2dOptions, type ConvActivation, type ConvTranspose2dOptions,
} from './tensor/conv.js';
export {
  adaptiveAvgPool2d, avgPool2d, maxPool2d, type AvgPool2dOptions, type MaxPool2dOptions,
} from './tensor/pool.js';
export { CpuTensor } from './tensor/cpu-tensor.js';
export { manualSeedEveryDevice as manualSeed } from './mtia/random.js';
export { promoteTypes, resultType } from './tensor/dtype.js';
export type { DType, HostArrays, TypedArray } from './tensor/dtype.js';
export { loadOnnx, OnnxModel, type LoadOnnxOptions, type OnnxInput, type OnnxModelNode, type OnnxTensorInfo } from './onnx/model.js';
export type { OnnxDType } from './onnx/values.js';
export type { HostArray } from './tensor/dtype.js';
