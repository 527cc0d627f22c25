// Elementwise tensor ops (torch.add ... torch.where), dtype conversion and copies. Each op
// checks its arguments and computes the output's shape (NumPy broadcasting) and dtype
// (PyTorch's type promotion) on the host, synchronously, so a bad call throws at the call site
// before anything is queued; then it allocates the output and enqueues one command whose
// argument block carries the broadcast strides (assembly/ops/elementwise.ts).

import { MtiaError } from '../errors.js';
import { checkOptions, describeValue } from '../options.js';
import {
  BINARY_ADD, BINARY_DIV, BINARY_MAXIMUM, BINARY_MINIMUM, BINARY_MUL, BINARY_SUB, DTYPE_FLOAT32, DTYPE_INT32, OP_ADD, OP_BINARY, OP_FILL,
  OP_UNARY, OP_WHERE, UNARY_CLAMP, UNARY_COPY, UNARY_EXP, UNARY_GELU, UNARY_LOG, UNARY_NEG, UNARY_RELU,
  UNARY_SIGMOID, UNARY_SILU, UNARY_SQRT, UNARY_TANH, BINARY_POW, UNARY_ABS, UNARY_ERF, UNARY_HARD_SIGMOID,
  UNARY_HARD_SWISH, UNARY_LEAKY_RELU, UNARY_LOGICAL_NOT, UNARY_RECIPROCAL,
} from '../runtime/layout.js';
import { opObserver } from '../runtime/op-observer.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';
import { sanitizer } from '../runtime/stream-sanitizer.js';
import { dtypeInfo, isFloatingDType, resultType, type DType } from './dtype.js';
import {
  addressOf, argsBlock, ArgsBlock, broadcastStrides, checkAccess, checkSameDevice, checkTensor, coalesce,
} from './launch.js';
import { broadcastShapes, contiguousStrides, numelOf, sameShape } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

import type { Scalar } from './dtype.js';

export type { Scalar };

/** @internal A new contiguous tensor of `shape` and `dtype` on `device` (values unset). */
export function allocateTensor(device: SimulatedDevice, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(Storage.allocate(device, numelOf(shape) * dtypeInfo(dtype).bytes), shape, dtype);
}

/**
 * Runs `launch`, which fills the new tensors `outputs`, and returns its result; if it throws
 * (out of memory for an argument block, a stream race), frees them first, as PyTorch drops an
 * op's output at once when the op fails.
 */
export function filling<T>(outputs: readonly (Tensor | undefined)[], launch: () => T): T {
  try {
    return launch();
  } catch (error) {
    for (const out of outputs) out?.free();
    throw error;
  }
}

/** An elementwise operand: a tensor, or a JavaScript number held in the argument block. */
export type Operand = Tensor | { readonly scalar: number };

/** @internal
 * Enqueues the elementwise command `opcode`/`kind` (op name `op`) writing `out` (any strides)
 * from `inputs`, each broadcast to out's shape: operands 1, 2 and (where's condition) 3.
 * Numbers travel in the argument block as float32 (floating results) or int32, or as
 * `floatingScalars` says (a comparison's bool result computes in its operands' promoted dtype).
 */
export function launchElementwise(
  op: string, opcode: number, kind: number, out: Tensor, inputs: readonly Operand[], configure?: (args: ArgsBlock) => void,
  floatingScalars?: boolean,
): void {
  if (out.numel === 0) return;
  const device = out.storage.device;
  const tensors = inputs.filter((input): input is Tensor => input instanceof Tensor);
  const strides = [out, ...inputs].map((t) => (t instanceof Tensor ? broadcastStrides(t, out.shape) : out.shape.map(() => 0)));
  const merged = coalesce(out.shape, strides);
  const args = argsBlock(kind).iteration(merged.shape, merged.strides);
  const floating = floatingScalars ?? (isFloatingDType(out.dtype) || (opcode === OP_BINARY && kind === BINARY_DIV));
  inputs.forEach((input, k) => {
    if (input instanceof Tensor) args.dtype(k + 1, input.dtype);
    else args.scalarOperand(k + 1, input.scalar, floating);
  });
  const third = inputs[2];
  if (third instanceof Tensor) args.address3(addressOf(third));
  configure?.(args);
  const address = (input: Operand | undefined) => (input instanceof Tensor ? addressOf(input) : 0);
  args.enqueue(device, { op, reads: tensors, writes: [out] }, opcode, out.dtype, addressOf(out), address(inputs[0]), address(inputs[1]), out.numel);
}

/** Checks a unary op's argument; returns it. */
function unaryArgument(op: string, input: unknown): Tensor {
  return checkTensor(op, input, 'input');
}

/** Runs unary `kind` (op name `op`) producing `dtype` (same shape). */
function unaryOp(op: string, input: Tensor, kind: number, dtype: DType, configure?: (args: ArgsBlock) => void): Tensor {
  const out = allocateTensor(input.storage.device, input.shape, dtype);
  filling([out], () => launchElementwise(op, OP_UNARY, kind, out, [input], configure));
  return out;
}

/** Float ops on integer inputs compute and return float32, as PyTorch's unary float ops do. */
function floatResult(input: Tensor): DType {
  return isFloatingDType(input.dtype) ? input.dtype : 'float32';
}

/** -input (torch.neg). */
export function neg(input: Tensor): Tensor {
  unaryArgument('neg', input);
  if (input.dtype === 'bool') {
    throw new MtiaError(
      'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
    );
  }
  return unaryOp('neg', input, UNARY_NEG, input.dtype);
}

/** e^input (torch.exp); integer inputs give float32. */
export function exp(input: Tensor): Tensor {
  unaryArgument('exp', input);
  return unaryOp('exp', input, UNARY_EXP, floatResult(input));
}

/** Natural logarithm (torch.log); integer inputs give float32. */
export function log(input: Tensor): Tensor {
  unaryArgument('log', input);
  return unaryOp('log', input, UNARY_LOG, floatResult(input));
}

/** Square root (torch.sqrt); integer inputs give float32. */
export function sqrt(input: Tensor): Tensor {
  unaryArgument('sqrt', input);
  return unaryOp('sqrt', input, UNARY_SQRT, floatResult(input));
}

/** 1 / (1 + e^-input) (torch.sigmoid); integer inputs give float32. */
export function sigmoid(input: Tensor): Tensor {
  unaryArgument('sigmoid', input);
  return unaryOp('sigmoid', input, UNARY_SIGMOID, floatResult(input));
}

/** Hyperbolic tangent (torch.tanh); integer inputs give float32. */
export function tanh(input: Tensor): Tensor {
  unaryArgument('tanh', input);
  return unaryOp('tanh', input, UNARY_TANH, floatResult(input));
}

/** Throws PyTorch's "not implemented for" error unless `input` is floating. */
function requireFloating(op: string, kernel: string, input: Tensor): void {
  if (!isFloatingDType(input.dtype)) {
    throw new MtiaError(`"${kernel}" not implemented for '${dtypeInfo(input.dtype).scalarType}' (in ${op})`);
  }
}

/** max(input, 0) (torch.relu); not for bool. */
export function relu(input: Tensor): Tensor {
  unaryArgument('relu', input);
  if (input.dtype === 'bool') throw new MtiaError(`"clamp_min" not implemented for 'Bool' (in relu)`);
  return unaryOp('relu', input, UNARY_RELU, input.dtype);
}

/** GELU with the exact erf (torch.nn.functional.gelu, approximate='none'); floating only. */
export function gelu(input: Tensor): Tensor {
  unaryArgument('gelu', input);
  requireFloating('gelu', 'GeluKernelImpl', input);
  return unaryOp('gelu', input, UNARY_GELU, input.dtype);
}

/** input · sigmoid(input) (torch.nn.functional.silu); floating only. */
export function silu(input: Tensor): Tensor {
  unaryArgument('silu', input);
  requireFloating('silu', 'silu', input);
  return unaryOp('silu', input, UNARY_SILU, input.dtype);
}

/** erf(input) (torch.erf); integer inputs give float32. */
export function erf(input: Tensor): Tensor {
  unaryArgument('erf', input);
  return unaryOp('erf', input, UNARY_ERF, floatResult(input));
}

/** |input| (torch.abs), in input's dtype (bool stays bool). */
export function abs(input: Tensor): Tensor {
  unaryArgument('abs', input);
  return unaryOp('abs', input, UNARY_ABS, input.dtype);
}

/** 1 / input (torch.reciprocal); integer inputs give float32. */
export function reciprocal(input: Tensor): Tensor {
  unaryArgument('reciprocal', input);
  return unaryOp('reciprocal', input, UNARY_RECIPROCAL, floatResult(input));
}

/** Throws unless `value` is a finite-or-infinite JavaScript number (argument `name` of `op`). */
function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${op}(): argument '${name}' must be Number, not ${describeValue(value)}`);
  return value;
}

/** input > 0 ? input : negativeSlope · input (torch.nn.functional.leaky_relu); floating only. */
export function leakyRelu(input: Tensor, negativeSlope = 0.01): Tensor {
  unaryArgument('leakyRelu', input);
  const slope = checkNumber('leaky_relu', 'negative_slope', negativeSlope);
  requireFloating('leaky_relu', 'leaky_relu', input);
  return unaryOp('leaky_relu', input, UNARY_LEAKY_RELU, input.dtype, (args) => args.floatParam(0, slope));
}

/** Options of hardSigmoid: ONNX HardSigmoid's alpha and beta (an mtia-sim extension). */
export interface HardSigmoidOptions {
  /** Slope (default 1/6, torch's relu6(x + 3) / 6). */
  alpha?: number;
  /** Offset (default 0.5). */
  beta?: number;
}

/**
 * max(0, min(1, alpha · input + beta)) (torch.nn.functional.hardsigmoid: alpha 1/6, beta 1/2;
 * other alpha and beta as ONNX HardSigmoid); floating only.
 */
export function hardSigmoid(input: Tensor, options?: HardSigmoidOptions): Tensor {
  unaryArgument('hardSigmoid', input);
  const given = checkOptions('hardSigmoid', options, ['alpha', 'beta']);
  const alpha = checkNumber('hardsigmoid', 'alpha', given?.alpha ?? 1 / 6);
  const beta = checkNumber('hardsigmoid', 'beta', given?.beta ?? 0.5);
  requireFloating('hardsigmoid', 'hardsigmoid', input);
  return unaryOp('hardsigmoid', input, UNARY_HARD_SIGMOID, input.dtype, (args) => args.floatParam(0, alpha).floatParam(1, beta));
}

/** input · relu6(input + 3) / 6 (torch.nn.functional.hardswish); floating only. */
export function hardSwish(input: Tensor): Tensor {
  unaryArgument('hardSwish', input);
  requireFloating('hardswish', 'hardswish', input);
  return unaryOp('hardswish', input, UNARY_HARD_SWISH, input.dtype);
}

/** input == 0, as bool (torch.logical_not); NaN is true, so its negation is false. */
export function logicalNot(input: Tensor): Tensor {
  unaryArgument('logicalNot', input);
  return unaryOp('logical_not', input, UNARY_LOGICAL_NOT, 'bool');
}

/**
 * input raised to exponent, elementwise with broadcasting and type promotion (torch.pow):
 * integer results by repeated squaring (wrapping), floating ones in float32; an integer tensor
 * with a fractional exponent gives float32.
 */
export function pow(input: Tensor | Scalar, exponent: Tensor | Scalar): Tensor {
  if (isScalar(exponent) && input instanceof Tensor && !isFloatingDType(input.dtype) && Number.isInteger(Number(exponent)) && Number(exponent) < 0) {
    throw new MtiaError('Integers to negative integer powers are not allowed.');
  }
  return binaryOp('pow', BINARY_POW, input, exponent);
}

/** Clamps into [min, max] (torch.clamp); at least one bound is required. */
export function clamp(input: Tensor, minimum?: number | null, maximum?: number | null): Tensor {
  unaryArgument('clamp', input);
  const low = minimum ?? undefined;
  const high = maximum ?? undefined;
  if (low === undefined && high === undefined) throw new MtiaError("torch.clamp: At least one of 'min' or 'max' must not be None");
  for (const bound of [low, high]) {
    if (bound !== undefined && typeof bound !== 'number') throw new TypeError(`clamp(): bounds must be numbers, but got: ${typeof bound}`);
  }
  if (input.dtype === 'bool') throw new MtiaError(`"clamp" not implemented for 'Bool'`);
  // An integer tensor clamped by a float bound is promoted, as torch.clamp does. params: f32
  // bounds in words 0-1 for floating outputs, int32 bounds in words 2-3 for integer ones.
  const dtype = resultType([input, ...[low, high].filter((b): b is number => b !== undefined)]);
  const floatLow = low ?? -Infinity;
  const floatHigh = high ?? Infinity;
  const intBound = (value: number | undefined, fallback: number) => value === undefined ? fallback : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.trunc(value)));
  return unaryOp('clamp', input, UNARY_CLAMP, dtype, (args) =>
    args.params(0, 0, intBound(low, -(2 ** 31)), intBound(high, 2 ** 31 - 1)).floatParam(0, floatLow).floatParam(1, floatHigh));
}

/** @internal */
export const isScalar = (value: unknown): value is Scalar => typeof value === 'number' || typeof value === 'boolean';

/** The finite range of the dtypes a number can overflow, with the C++ names PyTorch's check prints. */
const scalarRanges: Partial<Record<DType, [number, number, string]>> = {
  int8: [-128, 127, 'int8_t'],
  int32: [-(2 ** 31), 2 ** 31 - 1, 'int'],
  int64: [-(2 ** 63), 2 ** 63 - 1, 'int64_t'],
  float16: [-65504, 65504, 'c10::Half'],
};

/** @internal Throws PyTorch's error when a number operand cannot be converted to the op's dtype (c10/util/TypeCast.h). */
export function checkScalarFits(value: number, dtype: DType): void {
  const range = scalarRanges[dtype];
  if (range !== undefined && Number.isFinite(value) && (value < range[0] || value > range[1])) {
    throw new MtiaError(`value cannot be converted to type ${range[2]} without overflow`);
  }
}

/** @internal Resolves the operands of a binary op: tensors checked (same device), numbers kept as scalar operands. */
export function binaryOperands(op: string, a: unknown, b: unknown): { a: Operand; b: Operand; dtype: DType; device: SimulatedDevice; shape: number[] } {
  if (isScalar(a) && isScalar(b)) throw new TypeError(`${op}(): at least one argument must be a Tensor`);
  const onDevice = [a, b].find((value): value is Tensor => value instanceof Tensor)?.storage.device;
  const tensors = [a, b].filter((value) => !isScalar(value)).map((value, i) => checkTensor(op, value, i === 0 ? 'input' : 'other', onDevice));
  const device = checkSameDevice(op, tensors);
  const dtype = resultType([a as Tensor | Scalar, b as Tensor | Scalar]);
  for (const value of [a, b]) if (isScalar(value)) checkScalarFits(Number(value), dtype);
  const operand = (value: unknown): Operand => (isScalar(value) ? { scalar: Number(value) } : (value as Tensor));
  const shapeOf = (value: unknown) => (isScalar(value) ? [] : (value as Tensor).shape);
  return { a: operand(a), b: operand(b), dtype, device, shape: broadcastShapes(shapeOf(a), shapeOf(b)) };
}

/** Runs binary `kind`; the output takes the broadcast shape and `dtype` (the promoted one by default). */
function binaryOp(
  op: string, kind: number, a: unknown, b: unknown, outputDType?: (promoted: DType) => DType,
  check?: (a: DType, b: DType) => void, configure?: (args: ArgsBlock) => void,
): Tensor {
  const operands = binaryOperands(op, a, b);
  const dtypeOf = (operand: Operand, value: unknown): DType => (operand instanceof Tensor ? operand.dtype : typeof value === 'boolean' ? 'bool' : operands.dtype);
  check?.(dtypeOf(operands.a, a), dtypeOf(operands.b, b));
  const dtype = outputDType?.(operands.dtype) ?? operands.dtype;
  const out = allocateTensor(operands.device, operands.shape, dtype);
  const { a: x, b: y } = operands;
  if (kind === BINARY_ADD && configure === undefined && x instanceof Tensor && y instanceof Tensor && out.numel > 0 &&
    x.dtype === dtype && y.dtype === dtype && (dtype === 'float32' || dtype === 'int32') &&
    sameShape(x.shape, y.shape) && x.isContiguous() && y.isContiguous()) {
    // The common tiny case needs no argument block: the core's original contiguous OP_ADD,
    // which keeps dispatch of small ops cheap (bench/dispatch).
    if (sanitizer.enabled) filling([out], () => checkAccess(operands.device, { op, reads: [x, y], writes: [out] }));
    operands.device.currentQueue.enqueue(OP_ADD, dtypeInfo(dtype).code, out.storage.address, addressOf(x), addressOf(y), out.numel, 0, 0);
    opObserver?.(operands.device, operands.device.currentQueue, op, [x.shape, y.shape, out.shape], dtype);
    return out;
  }
  filling([out], () => launchElementwise(op, OP_BINARY, kind, out, [x, y], configure));
  return out;
}

/** configure() for torch.add's alpha on a tensor `other` (params 0-2 of OP_BINARY's ADD/SUB). */
function alphaParams(op: string, alpha: number, input: unknown, other: unknown): ((args: ArgsBlock) => void) | undefined {
  if (alpha === 1) return undefined;
  if (typeof alpha !== 'number') throw new TypeError(`${op}(): alpha must be a number, but got: ${typeof alpha}`);
  const dtype = resultType([input as Tensor | Scalar, other as Tensor | Scalar]);
  if (!isFloatingDType(dtype) && !Number.isInteger(alpha)) {
    throw new MtiaError('For integral input tensors, argument alpha must not be a floating point number.');
  }
  return (args) => args.params(0, Math.trunc(alpha), 1).floatParam(0, alpha);
}

/**
 * add(a, b) of two contiguous float32 or int32 tensors of one shape and dtype on one device,
 * with the stream sanitizer and op observers off: the common tiny case, checked and enqueued
 * as the core's contiguous OP_ADD without the operand lists, broadcast strides and closures of
 * the general path, which gives the same result with more host work per op (bench/dispatch).
 * Returns undefined when the general path must run.
 */
function addSameLayout(a: Tensor, b: Tensor): Tensor | undefined {
  const dtype = a.dtype;
  if (b.dtype !== dtype || (dtype !== 'float32' && dtype !== 'int32') || sanitizer.enabled || opObserver !== undefined) return undefined;
  const device = a.storage.device;
  const numel = a.numel;
  if (b.storage.device !== device || numel === 0 || !sameShape(a.shape, b.shape) || !a.isContiguous() || !b.isContiguous()) return undefined;
  a.checkUsableWith('add', b);
  const queue = device.currentQueue;
  const shape = a.shape.slice();
  const out = new Tensor(Storage.allocateOnLiveDevice(device, numel * 4, queue), shape, dtype, contiguousStrides(shape), 0, numel);
  queue.enqueue(OP_ADD, dtype === 'float32' ? DTYPE_FLOAT32 : DTYPE_INT32, out.storage.address, addressOf(a), addressOf(b), numel, 0, 0);
  return out;
}

/** input + alpha · other, with broadcasting and type promotion (torch.add). */
export function add(input: Tensor | Scalar, other: Tensor | Scalar, options?: { alpha?: number }): Tensor {
  if (options === undefined && input instanceof Tensor && other instanceof Tensor) {
    const out = addSameLayout(input, other);
    if (out !== undefined) return out;
  }
  const alpha = checkOptions('add', options, ['alpha'])?.alpha ?? 1;
  const configure = alphaParams('add', alpha, input, other); // checks alpha first, as PyTorch does
  if (isScalar(other) && alpha !== 1) return binaryOp('add', BINARY_ADD, input, Number(other) * alpha);
  return binaryOp('add', BINARY_ADD, input, other, undefined, undefined, configure);
}

/** input - alpha · other (torch.sub); refused for bool tensors, as in PyTorch. */
export function sub(input: Tensor | Scalar, other: Tensor | Scalar, options?: { alpha?: number }): Tensor {
  checkOptions('sub', options, ['alpha']);
  const check = (a: DType, b: DType) => {
    if (a === 'bool' && b === 'bool') {
      throw new MtiaError('Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.');
    }
    if (a === 'bool' || b === 'bool') {
      throw new MtiaError('Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
    }
  };
  const alpha = options?.alpha ?? 1;
  const configure = alphaParams('sub', alpha, input, other); // checks alpha first, as PyTorch does
  if (isScalar(other) && alpha !== 1) return binaryOp('sub', BINARY_SUB, input, Number(other) * alpha, undefined, check);
  return binaryOp('sub', BINARY_SUB, input, other, undefined, check, configure);
}

/** input · other (torch.mul). */
export function mul(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return binaryOp('mul', BINARY_MUL, input, other);
}

/** input / other, true division: integer operands give float32 (torch.div). */
export function div(input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  return binaryOp('div', BINARY_DIV, input, other, (promoted) => (isFloatingDType(promoted) ? promoted : 'float32'));
}

/** Elementwise maximum, NaN-propagating (torch.maximum). */
export function maximum(input: Tensor, other: Tensor): Tensor {
  checkTensor('maximum', other, 'other');
  return binaryOp('maximum', BINARY_MAXIMUM, input, other);
}

/** Elementwise minimum, NaN-propagating (torch.minimum). */
export function minimum(input: Tensor, other: Tensor): Tensor {
  checkTensor('minimum', other, 'other');
  return binaryOp('minimum', BINARY_MINIMUM, input, other);
}

/** condition ? input : other, elementwise with broadcasting over all three (torch.where). */
export function where(condition: Tensor, input: Tensor | Scalar, other: Tensor | Scalar): Tensor {
  const cond = checkTensor('where', condition, 'condition');
  if (cond.dtype !== 'bool') {
    throw new MtiaError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${dtypeInfo(cond.dtype).scalarType}`);
  }
  const tensors = [cond, ...[input, other].filter((value) => !isScalar(value)).map((value) => checkTensor('where', value, 'input'))];
  const device = checkSameDevice('where', tensors);
  const dtype = resultType([input, other]);
  const shapeOf = (value: Tensor | Scalar) => (isScalar(value) ? [] : value.shape);
  for (const value of [input, other]) if (isScalar(value)) checkScalarFits(Number(value), dtype);
  // The argument block holds 32-bit numbers: a wider int64 one becomes a filled 0-d tensor.
  const wide = (value: Tensor | Scalar) => dtype === 'int64' && isScalar(value) && (Number(value) < -(2 ** 31) || Number(value) > 2 ** 31 - 1);
  const temporaries = [input, other].filter(wide).map((value) => filledScalar(device, Number(value), dtype));
  const operand = (value: Tensor | Scalar): Operand => (wide(value) ? temporaries.shift()! : isScalar(value) ? { scalar: Number(value) } : value);
  const operands = [operand(input), operand(other)];
  try {
    const out = allocateTensor(device, broadcastShapes(broadcastShapes(cond.shape, shapeOf(input)), shapeOf(other)), dtype);
    filling([out], () => launchElementwise('where', OP_WHERE, 0, out, [...operands, cond]));
    return out;
  } finally {
    for (const t of operands) if (t instanceof Tensor && t !== input && t !== other) t.free();
  }
}

/** A new 0-d tensor of `dtype` holding `value`, filled on the device (OP_FILL's f64 scalar). */
function filledScalar(device: SimulatedDevice, value: number, dtype: DType): Tensor {
  const out = allocateTensor(device, [], dtype);
  if (sanitizer.enabled) filling([out], () => checkAccess(device, { op: 'where', reads: [], writes: [out] }));
  device.currentQueue.enqueue(OP_FILL, dtypeInfo(dtype).code, out.storage.address, 0, 0, 1, 0, value);
  return out;
}

/** A contiguous copy of `input` converted to `dtype` (to(dtype); contiguous() with the same dtype). */
export function convert(input: Tensor, dtype: DType): Tensor {
  checkTensor('to', input, 'input');
  dtypeInfo(dtype);
  if (dtype === input.dtype) {
    return new Tensor(input.storage, input.shape, input.dtype, input.strides, input.offset);
  }
  return unaryOp('to', input, UNARY_COPY, dtype);
}

/** A contiguous copy of `input` in its own storage, converted to `dtype` if given. */
export function copyContiguous(input: Tensor, dtype: DType = input.dtype): Tensor {
  return unaryOp('contiguous', input, UNARY_COPY, dtype);
}

/** Copies `source` into the view `target` (same shape, any strides, converting dtype). */
export function copyInto(target: Tensor, source: Tensor): void {
  launchElementwise('copy_', OP_UNARY, UNARY_COPY, target, [source]);
}

/**
 * Copies `source` into `target` in place, broadcasting it to target's shape and converting its
 * dtype (torch.Tensor.copy_); both on one device. Returns target.
 */
export function copy_(target: Tensor, source: Tensor): Tensor {
  checkTensor('copy_', target, 'self');
  checkTensor('copy_', source, 'src', target.storage.device);
  checkSameDevice('copy_', [target, source]);
  const shape = broadcastShapes(target.shape, source.shape);
  if (!sameShape(shape, target.shape)) {
    throw new MtiaError(`output with shape [${target.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`);
  }
  copyInto(target, source);
  return target;
}

