// mtia-sim: a simulated Meta MTIA accelerator with a torch.mtia-shaped API.

export * as mtia from './mtia/index.js';
export { Device, type DeviceLike } from './device.js';
export { DeviceLostError, MtiaError, OutOfMemoryError, ValueError } from './errors.js';
export { Tensor } from './tensor/tensor.js';
export { tensor, zeros, type NestedArray, type TensorOptions } from './tensor/factories.js';
export { add } from './tensor/ops.js';
export type { DType, TypedArray } from './tensor/dtype.js';
