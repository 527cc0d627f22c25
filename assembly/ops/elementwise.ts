// Elementwise tensor ops over strided, broadcast operands (OP_UNARY, OP_BINARY, OP_WHERE) and
// OP_FILL. The output dtype is the command's; floating outputs compute in float32, integer and
// bool outputs in int32 (PyTorch's type promotion is done by the host, src/tensor/dtype.ts).
// Rows whose operands are all contiguous float32 run four lanes per v128; bfloat16 add, sub,
// mul and div rows eight values per v128, widened to float32 and rounded back in lanes.

import {
  COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SCALAR, COMMAND_SRC0,
  COMMAND_SRC1, DTYPE_BFLOAT16, DTYPE_BOOL, DTYPE_FLOAT16, DTYPE_FLOAT32,
  DTYPE_INT32,
} from "../abi";
import { DTYPE_INT64 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_BAD_DTYPE, STATUS_OK } from "../status";
import { STATUS_UNSUPPORTED_DTYPE } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { sePasses, timeElementwise } from "../timing/elementwise";
import { timeLayout } from "../timing/layout-ops";
import { dtypeBytes } from "../kernels/dtype";
import { fillFloat32, fillInt32 } from "../kernels/fill";
import {
  bfloatToFloat, floatToBfloat, floatToHalf, isFloating, loadF32, loadI32, storeF32, storeI32,
} from "../kernels/convert";
import { loadI64, storeI64 } from "../kernels/convert";
import { erfPrecise, gelu, sigmoid } from "../kernels/math";
import {
  ARGS_DTYPE, ARGS_KIND, ARGS_RANK, address3, argWord, checkCommandArgs, checkOperand, iterationCount,
  operandSpan, param, paramFloat, spanBytes, spanStart,
} from "./args";
import { firstRow, nextRow, rowAddress, rowCount, rowLength, rowStride } from "./iterate";

// Unary kinds (args word ARGS_KIND). CLAMP's params: f32 min, f32 max, i32 min, i32 max.
export const UNARY_NEG: u32 = 0;
export const UNARY_EXP: u32 = 1;
export const UNARY_LOG: u32 = 2;
export const UNARY_SQRT: u32 = 3;
export const UNARY_RELU: u32 = 4;
export const UNARY_GELU: u32 = 5;
export const UNARY_SILU: u32 = 6;
export const UNARY_SIGMOID: u32 = 7;
export const UNARY_TANH: u32 = 8;
export const UNARY_CLAMP: u32 = 9;
/** dst = src0 converted to dst's dtype: contiguous(), to(dtype), cat. */
export const UNARY_COPY: u32 = 10;
/** erf (torch.erf), evaluated in f64 to float32 precision (kernels/math.ts erfPrecise). */
export const UNARY_ERF: u32 = 11;
export const UNARY_ABS: u32 = 12;
export const UNARY_RECIPROCAL: u32 = 13;
/** x > 0 ? x : slope · x; slope in params[0] (f32). */
export const UNARY_LEAKY_RELU: u32 = 14;
/** clamp(alpha · x + beta, 0, 1); alpha, beta in params[0], params[1] (f32). */
export const UNARY_HARD_SIGMOID: u32 = 15;
/** x · relu6(x + 3) / 6 (torch.nn.functional.hardswish). */
export const UNARY_HARD_SWISH: u32 = 16;
/** x == 0, into a bool output (torch.logical_not). */
export const UNARY_LOGICAL_NOT: u32 = 17;
export const UNARY_KINDS: u32 = 18;

// Binary kinds. ADD and SUB take torch.add's alpha: params[0] f32, params[1] i32, used when
// params[2] is not 0 (dst = src0 ± alpha · src1).
export const BINARY_ADD: u32 = 0;
export const BINARY_SUB: u32 = 1;
export const BINARY_MUL: u32 = 2;
export const BINARY_DIV: u32 = 3;
export const BINARY_MAXIMUM: u32 = 4;
export const BINARY_MINIMUM: u32 = 5;
/** torch.pow: float32 pow for floating outputs; integer outputs by squaring (negative exponents as PyTorch's powi). */
export const BINARY_POW: u32 = 6;
// Comparisons and logical ops write a bool output. A comparison computes in float32 when
// params[3] is not 0 (the host's promoted type of the operands is floating), else in int32.
export const BINARY_EQ: u32 = 7;
export const BINARY_NE: u32 = 8;
export const BINARY_LT: u32 = 9;
export const BINARY_LE: u32 = 10;
export const BINARY_GT: u32 = 11;
export const BINARY_GE: u32 = 12;
/** Logical ops: each operand is true when it is not 0 (NaN is true). */
export const BINARY_LOGICAL_AND: u32 = 13;
export const BINARY_LOGICAL_OR: u32 = 14;
export const BINARY_LOGICAL_XOR: u32 = 15;
export const BINARY_KINDS: u32 = 16;

/** One unary op on a float32 value. */
// @ts-ignore: decorator
@inline function unaryF32(kind: u32, x: f32, low: f32, high: f32): f32 {
  switch (kind) {
    case UNARY_NEG: return -x;
    case UNARY_EXP: return Mathf.exp(x);
    case UNARY_LOG: return Mathf.log(x);
    case UNARY_SQRT: return sqrt<f32>(x);
    case UNARY_RELU: return x > 0 ? x : (x != x ? x : 0);
    case UNARY_GELU: return gelu(x);
    case UNARY_SILU: return x * sigmoid(x);
    case UNARY_SIGMOID: return sigmoid(x);
    case UNARY_TANH: return Mathf.tanh(x);
    case UNARY_CLAMP: return x != x ? x : min<f32>(max<f32>(x, low), high);
    case UNARY_ERF: return <f32>erfPrecise(<f64>x);
    case UNARY_ABS: return abs<f32>(x);
    case UNARY_RECIPROCAL: return <f32>1 / x;
    case UNARY_LEAKY_RELU: return x > 0 ? x : x * low;
    case UNARY_HARD_SIGMOID: return hardSigmoid(x, low, high);
    case UNARY_HARD_SWISH: return x != x ? x : x * min<f32>(max<f32>(x + 3, 0), 6) / 6;
    case UNARY_LOGICAL_NOT: return x == 0 ? 1 : 0;
    default: return x;
  }
}

/**
 * clamp(alpha · x + beta, 0, 1), NaN-propagating; with torch's alpha = 1/6 and beta = 1/2 as
 * torch computes it, relu6(x + 3) / 6 in float32, else in f64 (ONNX HardSigmoid).
 */
// @ts-ignore: decorator
@inline function hardSigmoid(x: f32, alpha: f32, beta: f32): f32 {
  if (x != x) return x;
  if (alpha == <f32>(1.0 / 6.0) && beta == 0.5) return min<f32>(max<f32>(x + 3, 0), 6) / 6;
  return <f32>min<f64>(max<f64>(<f64>alpha * <f64>x + <f64>beta, 0), 1);
}

/** One unary op on an int32 value (the host sends only kinds defined for integers). */
// @ts-ignore: decorator
@inline function unaryI32(kind: u32, x: i32, low: i32, high: i32): i32 {
  switch (kind) {
    case UNARY_NEG: return -x;
    case UNARY_RELU: return x > 0 ? x : 0;
    case UNARY_CLAMP: return min<i32>(max<i32>(x, low), high);
    case UNARY_ABS: return x < 0 ? -x : x;
    default: return x;
  }
}

/** One binary op in float32. max/min propagate NaN, as torch.maximum does. */
// @ts-ignore: decorator
@inline function binaryF32(kind: u32, a: f32, b: f32): f32 {
  switch (kind) {
    case BINARY_ADD: return a + b;
    case BINARY_SUB: return a - b;
    case BINARY_MUL: return a * b;
    case BINARY_DIV: return a / b;
    case BINARY_MAXIMUM: return max<f32>(a, b);
    case BINARY_POW: return <f32>Math.pow(<f64>a, <f64>b);
    default: return min<f32>(a, b);
  }
}

/** One binary op in int32, wrapping as PyTorch's integer arithmetic does. */
// @ts-ignore: decorator
@inline function binaryI32(kind: u32, a: i32, b: i32): i32 {
  switch (kind) {
    case BINARY_ADD: return a + b;
    case BINARY_SUB: return a - b;
    case BINARY_MUL: return a * b;
    case BINARY_MAXIMUM: return max<i32>(a, b);
    case BINARY_POW: return powI32(a, b);
    default: return min<i32>(a, b);
  }
}

/** a^b in wrapping int32, as PyTorch's powi: a negative exponent gives 0 unless |a| is 1. */
function powI32(a: i32, b: i32): i32 {
  if (b < 0) {
    if (a == 1) return 1;
    if (a == -1) return (b & 1) != 0 ? -1 : 1;
    return 0;
  }
  let result: i32 = 1;
  let base = a;
  let e = b;
  while (e != 0) {
    if ((e & 1) != 0) result *= base;
    base *= base;
    e >>>= 1;
  }
  return result;
}

/** Comparison `kind` (EQ..GE) of two float32 values; every comparison with NaN is false but NE. */
// @ts-ignore: decorator
@inline function compareF32(kind: u32, a: f32, b: f32): bool {
  switch (kind) {
    case BINARY_EQ: return a == b;
    case BINARY_NE: return a != b;
    case BINARY_LT: return a < b;
    case BINARY_LE: return a <= b;
    case BINARY_GT: return a > b;
    default: return a >= b;
  }
}

/** Comparison `kind` (EQ..GE) of two int32 values. */
// @ts-ignore: decorator
@inline function compareI32(kind: u32, a: i32, b: i32): bool {
  switch (kind) {
    case BINARY_EQ: return a == b;
    case BINARY_NE: return a != b;
    case BINARY_LT: return a < b;
    case BINARY_LE: return a <= b;
    case BINARY_GT: return a > b;
    default: return a >= b;
  }
}

/** Logical `kind` (AND, OR, XOR) of two truth values. */
// @ts-ignore: decorator
@inline function logical(kind: u32, a: bool, b: bool): bool {
  if (kind == BINARY_LOGICAL_AND) return a && b;
  if (kind == BINARY_LOGICAL_OR) return a || b;
  return a != b;
}

/** A contiguous float32 row of a binary op; `bStride` is 1, or 0 for a broadcast scalar. */
function binaryRowF32(kind: u32, dst: usize, a: usize, b: usize, bStride: i32, n: u32): void {
  const vectorBytes = (<usize>n >> 2) << 4;
  const bytes = <usize>n << 2;
  let i: usize = 0;
  if (bStride == 0) {
    const bv = v128.load32_splat(b);
    const bs = load<f32>(b);
    switch (kind) {
      case BINARY_ADD: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.add(v128.load(a + i), bv)); break;
      case BINARY_SUB: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.sub(v128.load(a + i), bv)); break;
      case BINARY_MUL: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.mul(v128.load(a + i), bv)); break;
      case BINARY_DIV: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.div(v128.load(a + i), bv)); break;
      default: break; // max/min: the scalar loop below (NaN rules)
    }
    for (; i < bytes; i += 4) store<f32>(dst + i, binaryF32(kind, load<f32>(a + i), bs));
    return;
  }
  switch (kind) {
    case BINARY_ADD: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.add(v128.load(a + i), v128.load(b + i))); break;
    case BINARY_SUB: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.sub(v128.load(a + i), v128.load(b + i))); break;
    case BINARY_MUL: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.mul(v128.load(a + i), v128.load(b + i))); break;
    case BINARY_DIV: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.div(v128.load(a + i), v128.load(b + i))); break;
    default: break;
  }
  for (; i < bytes; i += 4) store<f32>(dst + i, binaryF32(kind, load<f32>(a + i), load<f32>(b + i)));
}

/** Four bfloat16 values (the low or high half of `v`'s eight) widened to float32 lanes. */
// @ts-ignore: decorator
@inline function widenBfloat(v: v128, high: bool): v128 {
  return i32x4.shl(high ? i32x4.extend_high_i16x8_u(v) : i32x4.extend_low_i16x8_u(v), 16);
}

/** bfloat16 bits (in the low 16 bits of each i32 lane) of four float32 lanes, nearest-even; NaN stays quiet. */
// @ts-ignore: decorator
@inline function roundBfloat(x: v128): v128 {
  const lsb = v128.and(i32x4.shr_u(x, 16), i32x4.splat(1));
  const rounded = i32x4.shr_u(i32x4.add(i32x4.add(x, i32x4.splat(0x7fff)), lsb), 16);
  const quiet = v128.or(i32x4.shr_u(x, 16), i32x4.splat(0x40));
  return v128.bitselect(quiet, rounded, f32x4.ne(x, x));
}

/** One binary op on float32 lanes (kinds ADD..DIV). */
// @ts-ignore: decorator
@inline function binaryLanes(kind: u32, a: v128, b: v128): v128 {
  switch (kind) {
    case BINARY_ADD: return f32x4.add(a, b);
    case BINARY_SUB: return f32x4.sub(a, b);
    case BINARY_MUL: return f32x4.mul(a, b);
    default: return f32x4.div(a, b);
  }
}

/**
 * A contiguous bfloat16 row of add/sub/mul/div (`bStride` 1, or 0 for a broadcast scalar):
 * eight values per v128, widened to two f32x4, computed, rounded back to nearest-even.
 */
function binaryRowBfloat(kind: u32, dst: usize, a: usize, b: usize, bStride: i32, n: u32): void {
  const vectorBytes = (<usize>n >> 3) << 4;
  const bytes = <usize>n << 1;
  let i: usize = 0;
  const scalar = f32x4.splat(bfloatToFloat(load<u16>(b)));
  for (; i < vectorBytes; i += 16) {
    const va = v128.load(a + i);
    let lo: v128, hi: v128;
    if (bStride == 0) {
      lo = binaryLanes(kind, widenBfloat(va, false), scalar);
      hi = binaryLanes(kind, widenBfloat(va, true), scalar);
    } else {
      const vb = v128.load(b + i);
      lo = binaryLanes(kind, widenBfloat(va, false), widenBfloat(vb, false));
      hi = binaryLanes(kind, widenBfloat(va, true), widenBfloat(vb, true));
    }
    v128.store(dst + i, i16x8.narrow_i32x4_u(roundBfloat(lo), roundBfloat(hi)));
  }
  for (; i < bytes; i += 2) {
    const x = bfloatToFloat(load<u16>(a + i));
    const y = bfloatToFloat(load<u16>(bStride == 0 ? b : b + i));
    store<u16>(dst + i, <u16>floatToBfloat(binaryF32(kind, x, y)));
  }
}

/** A contiguous float32 row of a unary op: neg, sqrt, relu and clamp four lanes at a time. */
function unaryRowF32(kind: u32, dst: usize, a: usize, n: u32, low: f32, high: f32): void {
  const vectorBytes = (<usize>n >> 2) << 4;
  const bytes = <usize>n << 2;
  let i: usize = 0;
  switch (kind) {
    case UNARY_NEG: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.neg(v128.load(a + i))); break;
    case UNARY_SQRT: for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.sqrt(v128.load(a + i))); break;
    // wasm's f32x4.max/min propagate NaN and order -0 below +0, as the scalar forms do.
    case UNARY_RELU: {
      const zero = f32x4.splat(0);
      for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.max(v128.load(a + i), zero));
      break;
    }
    case UNARY_CLAMP: {
      const lo = f32x4.splat(low);
      const hi = f32x4.splat(high);
      for (; i < vectorBytes; i += 16) v128.store(dst + i, f32x4.min(f32x4.max(v128.load(a + i), lo), hi));
      break;
    }
    case UNARY_COPY: memory.copy(dst, a, bytes); return;
    default: break;
  }
  for (; i < bytes; i += 4) store<f32>(dst + i, unaryF32(kind, load<f32>(a + i), low, high));
}

/** Reads the command's output dtype, args and sizes; STATUS_OK if they are consistent. */
function checkCommon(command: usize, operands: u32): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  if (iterationCount(args, rank) != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  status = checkOperand(args, 0, rank, load<u64>(command + COMMAND_DST), dtype);
  for (let k: u32 = 1; status == STATUS_OK && k <= operands; k++) {
    status = checkOperand(args, k, rank, operandAddress(command, k), argWord(args, ARGS_DTYPE + k - 1));
  }
  return status;
}

/** True if the output or one of the `operands` inputs is int64 (which has no arithmetic here). */
function hasInt64(command: usize, operands: u32): bool {
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  let wide = load<u32>(command + COMMAND_DTYPE) == DTYPE_INT64;
  for (let k: u32 = 1; k <= operands; k++) wide = wide || argWord(args, ARGS_DTYPE + k - 1) == DTYPE_INT64;
  return wide;
}

/** Address of input operand `k` (1..3) of an elementwise command. */
function operandAddress(command: usize, k: u32): u64 {
  if (k == 1) return load<u64>(command + COMMAND_SRC0);
  if (k == 2) return load<u64>(command + COMMAND_SRC1);
  return address3(<usize>load<u32>(command + COMMAND_ARG0));
}

/**
 * Times a checked elementwise command over `operands` inputs plus the output: each operand's
 * span is read (a broadcast operand once), the output's written; on the SE at `passes` passes
 * per element, or on the MLU for a same-dtype copy (`layout`).
 */
function timeCommand(command: usize, operands: u32, passes: f64, layout: bool): void {
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const rank = argWord(args, ARGS_RANK);
  let inBytes: f64 = 0;
  for (let k: u32 = 1; k <= operands; k++) {
    operandSpan(args, k, rank, operandAddress(command, k), argWord(args, ARGS_DTYPE + k - 1));
    readOperand(spanStart, spanBytes);
    inBytes += spanBytes;
  }
  const dtype = load<u32>(command + COMMAND_DTYPE);
  operandSpan(args, 0, rank, load<u64>(command + COMMAND_DST), dtype);
  writeOperand(spanStart, spanBytes);
  const elements = <f64>load<u64>(command + COMMAND_COUNT);
  const outBytes = elements * <f64>dtypeBytes(dtype);
  if (layout) timeLayout(outBytes, <f64>dtypeBytes(dtype));
  else timeElementwise(elements, inBytes, outBytes, passes);
}

/** SE passes per element of unary `kind`: nonlinear functions go through the SE's LUTs. */
function unaryPasses(kind: u32): f64 {
  const lut = kind == UNARY_EXP || kind == UNARY_LOG || kind == UNARY_SQRT || kind == UNARY_GELU ||
    kind == UNARY_SILU || kind == UNARY_SIGMOID || kind == UNARY_TANH || kind == UNARY_ERF ||
    kind == UNARY_RECIPROCAL;
  if (lut) return sePasses(1, 1);
  // hardsigmoid: a multiply-add and a clamp; hardswish: an add and clamp, then two multiplies.
  if (kind == UNARY_HARD_SIGMOID || kind == UNARY_HARD_SWISH) return 2;
  return 1;
}

/** OP_UNARY: dst = f(src0), f = args kind; COPY converts between any dtypes. */
export function unary(command: usize): u32 {
  const status = checkCommon(command, 1);
  if (status != STATUS_OK) return status;
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  if (kind >= UNARY_KINDS) return STATUS_BAD_ARGS;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const inType = argWord(args, ARGS_DTYPE);
  // int64 has no arithmetic here (PyTorch's "not implemented for 'Long'" on the host): only copies.
  const wide = dtype == DTYPE_INT64 || inType == DTYPE_INT64;
  if (wide && kind != UNARY_COPY) return STATUS_UNSUPPORTED_DTYPE;
  const rawCopy = kind == UNARY_COPY && dtype == inType;
  timeCommand(command, 1, unaryPasses(kind), rawCopy);
  if (timingOnly) return STATUS_OK;
  const rank = argWord(args, ARGS_RANK);
  const dst = <u32>load<u64>(command + COMMAND_DST);
  const src = <u32>load<u64>(command + COMMAND_SRC0);
  const outSize = dtypeBytes(dtype);
  const inSize = dtypeBytes(inType);
  const n = rowLength(args, rank);
  const dStride = <isize>rowStride(args, 0, rank) * outSize;
  const sStride = <isize>rowStride(args, 1, rank) * inSize;
  const lowF = paramFloat(args, 0);
  const highF = paramFloat(args, 1);
  const lowI = <i32>param(args, 2);
  const highI = <i32>param(args, 3);
  const floating = isFloating(dtype);
  const fast = dtype == DTYPE_FLOAT32 && inType == DTYPE_FLOAT32 && dStride == 4 && sStride == 4;
  const rows = rowCount(args, rank);
  firstRow();
  for (let r: u64 = 0; r < rows; r++) {
    let d = rowAddress(args, 0, rank, dst, outSize);
    let s = rowAddress(args, 1, rank, src, inSize);
    if (fast) {
      unaryRowF32(kind, d, s, n, lowF, highF);
    } else if (rawCopy) {
      if (dStride == <isize>outSize && sStride == <isize>inSize) memory.copy(d, s, <usize>n * outSize);
      else if (outSize == 8) for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride) store<u64>(d, load<u64>(s));
      else if (outSize == 4) for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride) store<u32>(d, load<u32>(s));
      else if (outSize == 2) for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride) store<u16>(d, load<u16>(s));
      else for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride) store<u8>(d, load<u8>(s));
    } else if (wide) {
      // int64 → float rounds to nearest-even, float → int64 truncates, ints wrap (as torch's casts).
      for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride) storeI64(d, dtype, loadI64(s, inType));
    } else if (floating || dtype == DTYPE_BOOL) {
      // bool outputs test the float value (0.5 → true), as PyTorch's casts do.
      for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride) {
        storeF32(d, dtype, unaryF32(kind, loadF32(s, inType), lowF, highF));
      }
    } else {
      for (let i: u32 = 0; i < n; i++, d += dStride, s += sStride) {
        storeI32(d, dtype, unaryI32(kind, loadI32(s, inType), lowI, highI));
      }
    }
    nextRow(args, rank);
  }
  return STATUS_OK;
}

/** SE passes per element of binary `kind`. */
function binaryPasses(kind: u32): f64 {
  if (kind == BINARY_DIV) return sePasses(1, 1);
  if (kind == BINARY_POW) return sePasses(1, 2);
  return 1;
}

/** OP_BINARY: dst = src0 (kind) src1 with broadcasting strides. */
export function binary(command: usize): u32 {
  const status = checkCommon(command, 2);
  if (status != STATUS_OK) return status;
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  if (kind >= BINARY_KINDS) return STATUS_BAD_ARGS;
  if (hasInt64(command, 2)) return STATUS_UNSUPPORTED_DTYPE;
  // Division goes through the SE's reciprocal LUT; pow is exp(b · log a), two LUT functions.
  timeCommand(command, 2, binaryPasses(kind), false);
  if (timingOnly) return STATUS_OK;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const aType = argWord(args, ARGS_DTYPE);
  const bType = argWord(args, ARGS_DTYPE + 1);
  const rank = argWord(args, ARGS_RANK);
  const dst = <u32>load<u64>(command + COMMAND_DST);
  const srcA = <u32>load<u64>(command + COMMAND_SRC0);
  const srcB = <u32>load<u64>(command + COMMAND_SRC1);
  const outSize = dtypeBytes(dtype);
  const aSize = dtypeBytes(aType);
  const bSize = dtypeBytes(bType);
  const n = rowLength(args, rank);
  const dStride = <isize>rowStride(args, 0, rank) * outSize;
  const aStride = <isize>rowStride(args, 1, rank) * aSize;
  const bStride = <isize>rowStride(args, 2, rank) * bSize;
  const scaled = param(args, 2) != 0 && kind <= BINARY_SUB;
  const alphaF = scaled ? paramFloat(args, 0) : 1;
  const alphaI = scaled ? <i32>param(args, 1) : 1;
  const fast = !scaled && dtype == DTYPE_FLOAT32 && aType == DTYPE_FLOAT32 && bType == DTYPE_FLOAT32 &&
    dStride == 4 && aStride == 4 && (bStride == 4 || bStride == 0);
  const fastBfloat = !scaled && dtype == DTYPE_BFLOAT16 && aType == DTYPE_BFLOAT16 && bType == DTYPE_BFLOAT16 &&
    kind <= BINARY_DIV && dStride == 2 && aStride == 2 && (bStride == 2 || bStride == 0);
  const floating = isFloating(dtype) || kind == BINARY_DIV;
  const comparing = kind >= BINARY_EQ && kind <= BINARY_GE;
  const compareFloat = param(args, 3) != 0;
  const rows = rowCount(args, rank);
  firstRow();
  for (let r: u64 = 0; r < rows; r++) {
    let d = rowAddress(args, 0, rank, dst, outSize);
    let a = rowAddress(args, 1, rank, srcA, aSize);
    let b = rowAddress(args, 2, rank, srcB, bSize);
    if (comparing && compareFloat) {
      for (let i: u32 = 0; i < n; i++, d += dStride, a += aStride, b += bStride) {
        storeI32(d, dtype, compareF32(kind, loadF32(a, aType), loadF32(b, bType)) ? 1 : 0);
      }
    } else if (comparing) {
      for (let i: u32 = 0; i < n; i++, d += dStride, a += aStride, b += bStride) {
        storeI32(d, dtype, compareI32(kind, loadI32(a, aType), loadI32(b, bType)) ? 1 : 0);
      }
    } else if (kind >= BINARY_LOGICAL_AND) {
      for (let i: u32 = 0; i < n; i++, d += dStride, a += aStride, b += bStride) {
        storeI32(d, dtype, logical(kind, loadF32(a, aType) != 0, loadF32(b, bType) != 0) ? 1 : 0);
      }
    } else if (fast) {
      binaryRowF32(kind, d, a, b, <i32>(bStride >> 2), n);
    } else if (fastBfloat) {
      binaryRowBfloat(kind, d, a, b, <i32>(bStride >> 1), n);
    } else if (floating) {
      for (let i: u32 = 0; i < n; i++, d += dStride, a += aStride, b += bStride) {
        storeF32(d, dtype, binaryF32(kind, loadF32(a, aType), scaled ? loadF32(b, bType) * alphaF : loadF32(b, bType)));
      }
    } else {
      for (let i: u32 = 0; i < n; i++, d += dStride, a += aStride, b += bStride) {
        storeI32(d, dtype, binaryI32(kind, loadI32(a, aType), scaled ? loadI32(b, bType) * alphaI : loadI32(b, bType)));
      }
    }
    nextRow(args, rank);
  }
  return STATUS_OK;
}

/** OP_WHERE: dst = cond ? src0 : src1, cond being operand 3 (any dtype, tested against 0). */
export function where(command: usize): u32 {
  const status = checkCommon(command, 3);
  if (status != STATUS_OK) return status;
  timeCommand(command, 3, 1, false);
  if (timingOnly) return STATUS_OK;
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const aType = argWord(args, ARGS_DTYPE);
  const bType = argWord(args, ARGS_DTYPE + 1);
  const cType = argWord(args, ARGS_DTYPE + 2);
  const rank = argWord(args, ARGS_RANK);
  const dst = <u32>load<u64>(command + COMMAND_DST);
  const srcA = <u32>load<u64>(command + COMMAND_SRC0);
  const srcB = <u32>load<u64>(command + COMMAND_SRC1);
  const srcC = <u32>address3(args);
  const outSize = dtypeBytes(dtype);
  const aSize = dtypeBytes(aType);
  const bSize = dtypeBytes(bType);
  const cSize = dtypeBytes(cType);
  const n = rowLength(args, rank);
  const dStride = <isize>rowStride(args, 0, rank) * outSize;
  const aStride = <isize>rowStride(args, 1, rank) * aSize;
  const bStride = <isize>rowStride(args, 2, rank) * bSize;
  const cStride = <isize>rowStride(args, 3, rank) * cSize;
  const floating = isFloating(dtype);
  const rows = rowCount(args, rank);
  firstRow();
  for (let r: u64 = 0; r < rows; r++) {
    let d = rowAddress(args, 0, rank, dst, outSize);
    let a = rowAddress(args, 1, rank, srcA, aSize);
    let b = rowAddress(args, 2, rank, srcB, bSize);
    let c = rowAddress(args, 3, rank, srcC, cSize);
    for (let i: u32 = 0; i < n; i++, d += dStride, a += aStride, b += bStride, c += cStride) {
      const take = loadF32(c, cType) != 0;
      if (dtype == DTYPE_INT64) storeI64(d, dtype, take ? loadI64(a, aType) : loadI64(b, bType));
      else if (floating) storeF32(d, dtype, take ? loadF32(a, aType) : loadF32(b, bType));
      else storeI32(d, dtype, take ? loadI32(a, aType) : loadI32(b, bType));
    }
    nextRow(args, rank);
  }
  return STATUS_OK;
}

/** OP_FILL: dst[0..count) = scalar in any dtype (floats round to nearest-even, ints truncate). */
export function full(command: usize): u32 {
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  if (size == 0) return STATUS_BAD_DTYPE;
  const dst64 = load<u64>(command + COMMAND_DST);
  const count64 = load<u64>(command + COMMAND_COUNT);
  const bytes = count64 * size;
  const status = checkRange(dst64, bytes, size);
  if (status != STATUS_OK) return status;
  writeOperand(<f64>dst64, <f64>bytes);
  timeElementwise(<f64>count64, 0, <f64>bytes, 1);
  if (timingOnly) return STATUS_OK;
  const dst = <u32>dst64;
  const count = <u32>count64; // in device memory: below 2^32
  const value = load<f64>(command + COMMAND_SCALAR);
  if (dtype == DTYPE_FLOAT32) fillFloat32(dst, count, <f32>value);
  else if (dtype == DTYPE_INT32) fillInt32(dst, count, <i32>value);
  else if (dtype == DTYPE_INT64) for (let i: u32 = 0; i < count; i++) store<i64>(<usize>dst + (<usize>i << 3), <i64>value);
  else if (dtype == DTYPE_FLOAT16 || dtype == DTYPE_BFLOAT16) {
    const bits = <u16>(dtype == DTYPE_FLOAT16 ? floatToHalf(<f32>value) : floatToBfloat(<f32>value));
    for (let i: u32 = 0; i < count; i++) store<u16>(<usize>dst + (<usize>i << 1), bits);
  } else {
    const byte = dtype == DTYPE_BOOL ? (value != 0 ? 1 : 0) : <u8><i32>value;
    memory.fill(dst, <u8>byte, count);
  }
  return STATUS_OK;
}

