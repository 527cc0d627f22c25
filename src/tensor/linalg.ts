// Matrix products: torch.matmul (with its 1-d and broadcast-batch rules), torch.bmm and
// torch.nn.functional.linear. One OP_MATMUL per call: operands keep their strides (a
// transposed weight is read in place), batch dims broadcast with stride 0, and the device
// packs tiles into a workspace the host allocates here (assembly/kernels/matmul.ts).

import { MtiaError } from '../errors.js';
import { BLOCK_K, BLOCK_M, BLOCK_N, OP_MATMUL, TILE_M, TILE_N } from '../runtime/layout.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';
import { dtypeInfo, isFloatingDType } from './dtype.js';
import { addressOf, argsBlock, checkSameDevice, checkTensor, coalesce } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { quantizedLinear, type QuantizedRows } from './quantization.js';
import { broadcastShapes, contiguousStrides } from './shape.js';
import type { Tensor } from './tensor.js';

/** Workspace bytes the device's blocked matmul needs (mirrors assembly/kernels/matmul.ts). */
export function matmulWorkspaceBytes(m: number, n: number, k: number, float32: boolean): number {
  const roundUp = (x: number, multiple: number) => Math.ceil(x / multiple) * multiple;
  const kc = Math.min(BLOCK_K, Math.max(k, 1));
  const nc = Math.min(BLOCK_N, roundUp(Math.max(n, 1), TILE_N));
  const mc = Math.min(BLOCK_M, roundUp(Math.max(m, 1), TILE_M));
  return (kc * nc + mc * kc) * 4 + (float32 ? 0 : m * n * 4);
}

/** Throws PyTorch's errors unless `a` and `b` have one floating dtype. */
function checkDTypes(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new MtiaError(`expected mat1 and mat2 to have the same dtype, but got: ${dtypeInfo(a.dtype).cppType} != ${dtypeInfo(b.dtype).cppType}`);
  }
  if (!isFloatingDType(a.dtype)) {
    const hint = a.dtype === 'int8' ? '; int8 operands need their scales: linear(quantizeDynamic(x), quantizeDynamic(w))' : '';
    throw new MtiaError(`"addmm" not implemented for '${dtypeInfo(a.dtype).scalarType}' (in ${op})${hint}`);
  }
}

/** True for a `{ values, scales }` pair rather than a tensor. */
function isQuantizedRows(value: unknown): value is QuantizedRows {
  return typeof value === 'object' && value !== null && 'values' in value && 'scales' in value;
}

/** The matrix view of an operand: batch dims and the two matrix dims with their strides. */
interface MatrixOperand {
  batchShape: number[];
  batchStrides: number[];
  rows: number;
  cols: number;
  rowStride: number;
  colStride: number;
}

/** Splits `t` into batch and matrix dims; a 1-d tensor is a row (`asRow`) or a column. */
function matrixOf(t: Tensor, asRow: boolean): MatrixOperand {
  if (t.ndim === 1) {
    return asRow
      ? { batchShape: [], batchStrides: [], rows: 1, cols: t.shape[0]!, rowStride: 0, colStride: t.strides[0]! }
      : { batchShape: [], batchStrides: [], rows: t.shape[0]!, cols: 1, rowStride: t.strides[0]!, colStride: 0 };
  }
  const r = t.ndim;
  return {
    batchShape: t.shape.slice(0, r - 2), batchStrides: t.strides.slice(0, r - 2),
    rows: t.shape[r - 2]!, cols: t.shape[r - 1]!, rowStride: t.strides[r - 2]!, colStride: t.strides[r - 1]!,
  };
}

/** Strides of `operand`'s batch dims broadcast to `shape`. */
function batchStrides(operand: MatrixOperand, shape: readonly number[]): number[] {
  const lead = shape.length - operand.batchShape.length;
  return shape.map((size, d) => (d < lead || (operand.batchShape[d - lead] === 1 && size !== 1) ? 0 : operand.batchStrides[d - lead]!));
}

/** Enqueues out[batch, M, N] = A · B (+ bias[n · stride]) and returns out, shaped `outShape`. */
function launchMatmul(
  device: SimulatedDevice, a: Tensor, b: Tensor, ma: MatrixOperand, mb: MatrixOperand, batch: readonly number[],
  outShape: readonly number[], bias?: { tensor: Tensor; stride: number },
): Tensor {
  const [m, k, n] = [ma.rows, ma.cols, mb.cols];
  const out = allocateTensor(device, outShape, a.dtype);
  if (out.numel > 0) filling([out], () => enqueueMatmul(device, a, b, ma, mb, batch, out, bias));
  return out;
}

/** The OP_MATMUL command of launchMatmul, into `out`, with its packing workspace. */
function enqueueMatmul(
  device: SimulatedDevice, a: Tensor, b: Tensor, ma: MatrixOperand, mb: MatrixOperand, batch: readonly number[],
  out: Tensor, bias?: { tensor: Tensor; stride: number },
): void {
  const [m, k, n] = [ma.rows, ma.cols, mb.cols];
  const outBatchStrides = contiguousStrides([...batch, m, n]).slice(0, batch.length);
  const { shape, strides } = coalesce(batch, [outBatchStrides, batchStrides(ma, batch), batchStrides(mb, batch)]);
  const workspaceBytes = matmulWorkspaceBytes(m, n, k, a.dtype === 'float32');
  const workspace = device.allocate(workspaceBytes);
  try {
    argsBlock()
      .iteration(shape, strides)
      .dtype(1, a.dtype)
      .dtype(2, b.dtype)
      .params(m, n, k, ma.rowStride, ma.colStride, mb.rowStride, mb.colStride)
      .addressParam(7, bias === undefined ? 0 : addressOf(bias.tensor))
      .param(9, bias?.stride ?? 0)
      .addressParam(10, workspace)
      .param64(12, workspaceBytes)
      .enqueue(device, { op: 'matmul', reads: bias === undefined ? [a, b] : [a, b, bias.tensor], writes: [out] }, OP_MATMUL, a.dtype, out.storage.address, addressOf(a), addressOf(b), out.numel);
  } finally {
    device.release(workspace);
  }
}

/** PyTorch's error for inner dims that differ. */
function shapeMismatch(m: number, k: number, k2: number, n: number): MtiaError {
  return new MtiaError(`mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
}

/** Matrix product with torch.matmul's rules: 1-d operands, broadcast batch dims. */
export function matmul(input: Tensor, other: Tensor): Tensor {
  const a = checkTensor('matmul', input, 'input');
  const b = checkTensor('matmul', other, 'other');
  const device = checkSameDevice('matmul', [a, b]);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new MtiaError(`both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  checkDTypes('matmul', a, b);
  const ma = matrixOf(a, true);
  const mb = matrixOf(b, false);
  if (ma.cols !== mb.rows) {
    if (a.ndim === 1 && b.ndim === 1) {
      throw new MtiaError(`inconsistent tensor size, expected tensor [${ma.cols}] and src [${mb.rows}] to have the same number of elements, but got ${ma.cols} and ${mb.rows} elements respectively`);
    }
    if (b.ndim === 1) throw new MtiaError(`size mismatch, got input (${ma.rows}), mat (${ma.rows}x${ma.cols}), vec (${mb.rows})`);
    throw shapeMismatch(ma.rows, ma.cols, mb.rows, mb.cols);
  }
  const batch = broadcastShapes(ma.batchShape, mb.batchShape);
  const outShape = [...batch, ...(a.ndim > 1 ? [ma.rows] : []), ...(b.ndim > 1 ? [mb.cols] : [])];
  return launchMatmul(device, a, b, ma, mb, batch, outShape);
}

/** Batched matrix product of [B, M, K] and [B, K, N] (torch.bmm); no broadcasting. */
export function bmm(input: Tensor, mat2: Tensor): Tensor {
  const a = checkTensor('bmm', input, 'input');
  const b = checkTensor('bmm', mat2, 'mat2');
  const device = checkSameDevice('bmm', [a, b]);
  if (a.ndim !== 3) throw new MtiaError('batch1 must be a 3D tensor');
  if (b.ndim !== 3) throw new MtiaError('batch2 must be a 3D tensor');
  checkDTypes('bmm', a, b);
  if (b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[2]) {
    throw new MtiaError(`Expected size for first two dimensions of batch2 tensor to be: [${a.shape[0]}, ${a.shape[2]}] but got: [${b.shape[0]}, ${b.shape[1]}].`);
  }
  const ma = matrixOf(a, true);
  const mb = matrixOf(b, false);
  return launchMatmul(device, a, b, ma, mb, [a.shape[0]!], [a.shape[0]!, ma.rows, mb.cols]);
}

/**
 * input · weightᵀ + bias over the last dim of input (torch.nn.functional.linear); weight is
 * [out, in]. With int8 operands quantized per row (`{ values, scales }`, as quantizeDynamic
 * gives) it is quantizedLinear: products summed exactly in int32, scaled back to float32.
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor;
export function linear(input: QuantizedRows, weight: QuantizedRows, bias?: Tensor | null): Tensor;
export function linear(input: Tensor | QuantizedRows, weight: Tensor | QuantizedRows, bias?: Tensor | null): Tensor {
  if (isQuantizedRows(input) || isQuantizedRows(weight)) return quantizedLinear(input as QuantizedRows, weight as QuantizedRows, bias);
  const x = checkTensor('linear', input, 'input');
  const w = checkTensor('linear', weight, 'weight');
  const b = bias === undefined || bias === null ? undefined : checkTensor('linear', bias, 'bias');
  const device = checkSameDevice('linear', b === undefined ? [x, w] : [x, w, b]);
  if (w.ndim !== 2) throw new MtiaError(`linear(): weight must be 2-D [out_features, in_features], but got ${w.ndim}-D`);
  if (x.ndim === 0) throw new MtiaError('both arguments to linear need to be at least 1D, but they are 0D and 2D');
  checkDTypes('linear', x, w);
  const [outFeatures, inFeatures] = [w.shape[0]!, w.shape[1]!];
  const mx = matrixOf(x, true);
  // weightᵀ read in place: rows run along in_features (stride of dim 1), columns along out.
  const mw: MatrixOperand = { batchShape: [], batchStrides: [], rows: inFeatures, cols: outFeatures, rowStride: w.strides[1]!, colStride: w.strides[0]! };
  if (mx.cols !== inFeatures) {
    const rows = x.numel / Math.max(mx.cols, 1);
    throw shapeMismatch(x.ndim === 1 ? 1 : rows, mx.cols, inFeatures, outFeatures);
  }
  if (b !== undefined) {
    if (b.dtype !== x.dtype) throw new MtiaError(`linear(): bias dtype ${b.dtype} does not match input dtype ${x.dtype}`);
    if (b.ndim > 1 || (b.ndim === 1 && b.shape[0] !== outFeatures && b.shape[0] !== 1)) {
      throw new MtiaError(`The size of tensor a (${outFeatures}) must match the size of tensor b (${b.shape[b.ndim - 1]}) at non-singleton dimension ${Math.max(x.ndim - 1, 0)}`);
    }
  }
  const biasView = b === undefined ? undefined : b.ndim === 0 || b.shape[0] === 1 ? { tensor: b, stride: 0 } : { tensor: b, stride: b.strides[0]! };
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  return launchMatmul(device, x, w, mx, mw, mx.batchShape, outShape, biasView);
}
