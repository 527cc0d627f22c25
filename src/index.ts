// mtia-sim: a simulated Meta MTIA accelerator with a torch.mtia-shaped API.

export * as mtia from './mtia/index.js';
export { Device, type DeviceLike } from './device.js';
export { DeferredMtiaCallError, DeviceLostError, MtiaError, OutOfMemoryError, ValueError } from './errors.js';
export { Tensor } from './tensor/tensor.js';
export {
  arange, empty, full, ones, rand, randint, randn, tensor, zeros, type NestedArray, type TensorOptions,
} from './tensor/factories.js';
export {
  add, clamp, div, exp, gelu, log, maximum, minimum, mul, neg, relu, sigmoid, silu, sqrt, sub, tanh, where,
  type Scalar,
} from './tensor/ops.js';
export { argmax, max, mean, min, sum, type ReduceOptions, type ValuesIndices } from './tensor/reductions.js';
export { bmm, linear, matmul } from './tensor/linalg.js';
export {
  dequantize, quantizeDynamic, quantizedLinear, quantizePerTensor, type QuantizedRows,
} from './tensor/quantization.js';
export {
  embeddingBag, layerNorm, logSoftmax, softmax, type EmbeddingBagOptions, type LayerNormOptions,
} from './tensor/nn.js';
export { cat, contiguous, permute, reshape, slice, transpose, view } from './tensor/views.js';
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
