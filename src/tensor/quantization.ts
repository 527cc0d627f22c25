// int8 quantization (torch.quantize_per_tensor, torch.dequantize) and MTIA 2i's dynamic per-row
// quantization feeding an int8 linear layer (torch.ao.nn.quantized.dynamic.Linear). Quantized
// values are plain int8 tensors; their scale and zero point travel beside them as arguments
// (PyTorch's qint8 tensors carry them inside). Kernels: assembly/ops/quantize.ts and
// assembly/ops/quantized-linear.ts; timing: assembly/timing/quantization.ts.

import { MtiaError } from '../errors.js';
import { describeValue } from '../options.js';
import {
  DEQUANTIZE_PER_ROW, DEQUANTIZE_PER_TENSOR, INT8_MATMUL_MAX_K, OP_QUANTIZE, OP_QUANTIZED_LINEAR, QUANTIZE_PER_ROW, QUANTIZE_PER_TENSOR,
} from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType } from './dtype.js';
import { ones } from './factories.js';
import { addressOf, argsBlock, checkSameDevice, checkTensor, coalesce } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { contiguousStrides } from './shape.js';
import { CpuTensor } from './cpu-tensor.js';
import { Tensor } from './tensor.js';
import { contiguous } from './views.js';

/**
 * An int8 tensor quantized symmetrically per row: `values` (int8, [..., cols]) times `scales`
 * (float32, [...]: one per row of the last dim) is the real value; the zero point is 0. What
 * quantizeDynamic returns and quantizedLinear takes.
 */
export interface QuantizedRows {
  readonly values: Tensor;
  readonly scales: Tensor;
}

/** Throws a TypeError unless `value` is a number (PyTorch: "must be float"). */
function checkNumber(op: string, argument: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${op}(): argument '${argument}' must be a number, but got: ${describeValue(value)}`);
  return value;
}

/** Checks a per-tensor scale and zero point as PyTorch's quantizer does; returns them. */
function checkQuantParams(op: string, scale: unknown, zeroPoint: unknown): [number, number] {
  const s = checkNumber(op, 'scale', scale);
  const z = checkNumber(op, 'zeroPoint', zeroPoint);
  if (!(s > 0) || !Number.isFinite(s)) throw new MtiaError(`${op}(): argument 'scale' must be a finite number greater than 0, but got ${s}`);
  if (!Number.isInteger(z)) throw new TypeError(`${op}(): argument 'zeroPoint' must be an integer, but got: ${z}`);
  if (z < -128 || z > 127) throw new MtiaError(`${op}(): argument 'zeroPoint' ${z} is out of range for int8: it must be in [-128, 127]`);
  return [s, z];
}

/** Throws PyTorch's wording unless `input` is floating. */
function requireFloating(op: string, input: Tensor): void {
  if (!isFloatingDType(input.dtype)) throw new MtiaError(`${op}(): argument 'input' must be a floating Tensor (float32, float16, bfloat16), but got ${dtypeInfo(input.dtype).scalarType}`);
}

/**
 * Enqueues OP_QUANTIZE of `kind` from `input` into `out` (same shape, contiguous), rows along the
 * last dim; `scales` (contiguous float32, one per row) are written by a dynamic quantization and
 * read by a per-row dequantize.
 */
function enqueueQuantize(op: string, kind: number, input: Tensor, out: Tensor, scale: number, zeroPoint: number, scales?: Tensor): void {
  const shape = input.ndim === 0 ? [1] : input.shape;
  const inStrides = input.ndim === 0 ? [1] : input.strides;
  const outStrides = contiguousStrides(shape);
  const last = shape.length - 1;
  // The outer dims coalesce on their own; the row (the last dim) stays whole for per-row scales.
  // (The caller enqueues nothing for an empty tensor, so no size here is 0.)
  const outer = coalesce(shape.slice(0, last), [outStrides.slice(0, last), inStrides.slice(0, last)]);
  const iterationShape = [...outer.shape, shape[last]!];
  const strides = [[...outer.strides[0]!, outStrides[last]!], [...outer.strides[1]!, inStrides[last]!]];
  const args = argsBlock(kind).iteration(iterationShape, strides).dtype(1, input.dtype);
  if (scales === undefined) args.param(0, zeroPoint);
  else args.addressParam(0, addressOf(scales));
  const access = kind === QUANTIZE_PER_ROW ? { op, reads: [input], writes: [out, scales!] } : { op, reads: scales ? [input, scales] : [input], writes: [out] };
  args.enqueue(input.storage.device, access, OP_QUANTIZE, out.dtype, out.storage.address, addressOf(input), 0, out.numel, scale);
}

/**
 * q = clamp(round_half_even(x / scale) + zeroPoint, -128, 127) as an int8 tensor
 * (torch.quantize_per_tensor(x, scale, zero_point, torch.qint8), whose int_repr() this is).
 */
export function quantizePerTensor(input: Tensor, scale: number, zeroPoint: number): Tensor {
  const x = checkTensor('quantizePerTensor', input, 'input');
  checkQuantParams('quantizePerTensor', scale, zeroPoint);
  requireFloating('quantizePerTensor', x);
  const out = allocateTensor(x.storage.device, x.shape, 'int8');
  if (out.numel > 0) filling([out], () => enqueueQuantize('quantizePerTensor', QUANTIZE_PER_TENSOR, x, out, scale, zeroPoint));
  return out;
}

/**
 * float32 values of quantized int8 ones (torch.dequantize): `(q − zeroPoint) · scale` for a
 * per-tensor quantization, or `values · scales[row]` for quantizeDynamic's QuantizedRows.
 */
export function dequantize(input: QuantizedRows): Tensor;
export function dequantize(input: Tensor, scale: number, zeroPoint: number): Tensor;
export function dequantize(input: Tensor | QuantizedRows, scale?: number, zeroPoint?: number): Tensor {
  if (!(input instanceof Tensor) && !(input instanceof CpuTensor) && scale === undefined && zeroPoint === undefined) {
    return dequantizeRows(input);
  }
  const q = checkTensor('dequantize', input, 'input');
  const [s, z] = checkQuantParams('dequantize', scale, zeroPoint);
  if (q.dtype !== 'int8') throw new MtiaError(`dequantize(): argument 'input' must be an int8 Tensor (quantized values), but got ${dtypeInfo(q.dtype).scalarType}`);
  const out = allocateTensor(q.storage.device, q.shape, 'float32');
  if (out.numel > 0) filling([out], () => enqueueQuantize('dequantize', DEQUANTIZE_PER_TENSOR, q, out, s, z));
  return out;
}

/** dequantize of QuantizedRows: values · scales[row] in float32. */
function dequantizeRows(input: QuantizedRows): Tensor {
  const { values, scales } = checkQuantizedRows('dequantize', 'input', input);
  checkSameDevice('dequantize', [values, scales]);
  const out = allocateTensor(values.storage.device, values.shape, 'float32');
  if (out.numel === 0) return out;
  const contiguousScales = scales.isContiguous() ? scales : filling([out], () => contiguous(scales));
  try {
    filling([out], () => enqueueQuantize('dequantize', DEQUANTIZE_PER_ROW, values, out, 0, 0, contiguousScales));
  } finally {
    if (contiguousScales !== scales) contiguousScales.free();
  }
  return out;
}

/**
 * MTIA 2i's dynamic quantization (ISCA'25 §3.2) of the rows of the last dim: the RE finds each
 * row's min and max, the SE scales and rounds. Symmetric: scale = max|row| / 127 (float32; 1 for
 * a row of zeros), zero point 0, values in [-127, 127].
 */
export function quantizeDynamic(input: Tensor): QuantizedRows {
  const x = checkTensor('quantizeDynamic', input, 'input');
  requireFloating('quantizeDynamic', x);
  if (x.ndim === 0) throw new MtiaError('quantizeDynamic(): argument \'input\' must have at least 1 dim (rows along the last dim), but got a 0-d tensor');
  const device = x.storage.device;
  const values = allocateTensor(device, x.shape, 'int8');
  // Rows of no elements (the kernel writes nothing) get the scale of a row of zeros, 1.
  if (values.numel === 0) return { values, scales: filling([values], () => ones(x.shape.slice(0, -1), { dtype: 'float32', device: x.device })) };
  const scales = filling([values], () => allocateTensor(device, x.shape.slice(0, -1), 'float32'));
  filling([values, scales], () => enqueueQuantize('quantizeDynamic', QUANTIZE_PER_ROW, x, values, 0, 0, scales));
  return { values, scales };
}

/** Checks that `value` is a QuantizedRows of `rank`-d int8 values (rank undefined: any ≥ 1) and float32 scales, one per row. */
function checkQuantizedRows(op: string, argument: string, value: unknown, rank?: number): QuantizedRows {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${op}(): argument '${argument}' must be { values, scales } as quantizeDynamic returns, but got: ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'values' && key !== 'scales') throw new TypeError(`${op}(): argument '${argument}' got an unexpected key '${key}'; it takes { values, scales }`);
  }
  const rows = value as QuantizedRows;
  const values = checkTensor(op, rows.values, `${argument}.values`);
  const scales = checkTensor(op, rows.scales, `${argument}.scales`);
  if (values.dtype !== 'int8') throw new MtiaError(`${op}(): ${argument}.values must be int8, but got ${dtypeInfo(values.dtype).scalarType}`);
  if (scales.dtype !== 'float32') throw new MtiaError(`${op}(): ${argument}.scales must be float32, but got ${dtypeInfo(scales.dtype).scalarType}`);
  if (rank !== undefined ? values.ndim !== rank : values.ndim === 0) {
    throw new MtiaError(`${op}(): ${argument}.values must be ${rank ?? 'at least 1'}-D, but got ${values.ndim}-D`);
  }
  const rowShape = values.shape.slice(0, -1);
  if (scales.ndim !== rowShape.length || scales.shape.some((size, d) => size !== rowShape[d])) {
    throw new MtiaError(`${op}(): ${argument}.scales must have one scale per row of ${argument}.values, shape [${rowShape.join(', ')}], but got [${scales.shape.join(', ')}]`);
  }
  return { values, scales };
}

/**
 * A dynamically quantized linear layer: input.values · weight.valuesᵀ summed exactly in int32,
 * times input.scales[i] · weight.scales[j] in float32, plus an optional float32 bias; returns
 * float32 [..., out_features] (torch.ao.nn.quantized.dynamic.Linear; weight [out, in] with one
 * scale per output channel, as quantizeDynamic(weight) gives).
 */
export function quantizedLinear(input: QuantizedRows, weight: QuantizedRows, bias?: Tensor | null): Tensor {
  const op = 'quantizedLinear';
  const x = checkQuantizedRows(op, 'input', input);
  const w = checkQuantizedRows(op, 'weight', weight, 2);
  const b = bias === undefined || bias === null ? undefined : checkTensor(op, bias, 'bias');
  const tensors = [x.values, x.scales, w.values, w.scales, ...(b ? [b] : [])];
  const device = checkSameDevice(op, tensors);
  const [outFeatures, inFeatures] = [w.values.shape[0]!, w.values.shape[1]!];
  const k = x.values.shape[x.values.ndim - 1]!;
  if (k !== inFeatures) {
    throw new MtiaError(`mat1 and mat2 shapes cannot be multiplied (${x.values.numel / Math.max(k, 1)}x${k} and ${inFeatures}x${outFeatures})`);
  }
  if (k > INT8_MATMUL_MAX_K) throw new MtiaError(`${op}(): in_features ${k} is too large for exact int32 accumulation of int8 products (at most ${INT8_MATMUL_MAX_K})`);
  if (b !== undefined) {
    if (b.dtype !== 'float32') throw new MtiaError(`${op}(): bias must be float32, but got ${dtypeInfo(b.dtype).scalarType}`);
    if (b.ndim !== 1 || b.shape[0] !== outFeatures) throw new MtiaError(`${op}(): bias must have shape [${outFeatures}], but got [${b.shape.join(', ')}]`);
  }
  const out = allocateTensor(device, [...x.values.shape.slice(0, -1), outFeatures], 'float32');
  if (out.numel > 0) filling([out], () => enqueueQuantizedLinear(x, w, b, out));
  return out;
}

/** The OP_QUANTIZED_LINEAR command of quantizedLinear, with contiguous copies of operands that need one. */
function enqueueQuantizedLinear(x: QuantizedRows, w: QuantizedRows, b: Tensor | undefined, out: Tensor): void {
  const device = out.storage.device;
  const k = w.values.shape[1]!;
  const [m, n] = [out.numel / w.values.shape[0]!, w.values.shape[0]!];
  // The input's rows must be one strided dim: its leading dims coalesced, else a contiguous copy.
  const lead = x.values.shape.slice(0, -1);
  const merged = coalesce(lead, [x.values.strides.slice(0, -1)]);
  const copies: Tensor[] = [];
  const own = (t: Tensor) => (copies.push(t), t);
  let workspace: number | undefined;
  try {
    const values = merged.shape.length <= 1 ? x.values : own(contiguous(x.values));
    const rowStride = values === x.values ? (merged.shape.length === 1 ? merged.strides[0]![0]! : 0) : k;
    const scalesX = x.scales.isContiguous() ? x.scales : own(contiguous(x.scales));
    const scalesW = w.scales.isContiguous() ? w.scales : own(contiguous(w.scales));
    const bias = b === undefined || b.isContiguous() ? b : own(contiguous(b));
    const colStride = values.strides[values.ndim - 1]!;
    // Bᵀ and one row of A as int16, K padded to 8 (assembly/kernels/matmul-int8.ts).
    workspace = device.allocate(Math.max(16, (n + 1) * Math.ceil(k / 8) * 8 * 2));
    argsBlock()
      .dtype(1, 'int8')
      .dtype(2, 'int8')
      .params(m, n, k, rowStride, colStride, w.values.strides[1]!, w.values.strides[0]!)
      .addressParam(7, addressOf(scalesX))
      .addressParam(9, addressOf(scalesW))
      .addressParam(11, workspace)
      .address3(bias === undefined ? 0 : addressOf(bias))
      .enqueue(device, { op: 'quantizedLinear', reads: [values, scalesX, w.values, scalesW, ...(bias ? [bias] : [])], writes: [out] }, OP_QUANTIZED_LINEAR, 'float32', out.storage.address, addressOf(values), addressOf(w.values), out.numel);
  } finally {
    if (workspace !== undefined) device.release(workspace);
    for (const copy of copies) copy.free();
  }
}
