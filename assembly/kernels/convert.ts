// Element conversions between the ABI's dtypes. Arithmetic happens in float32 (floating
// dtypes) or int32 (integer dtypes and bool); 16-bit floats are storage formats only, widened
// on load and rounded to nearest-even on store, as PyTorch's c10::Half and c10::BFloat16 do.
// int64 is a storage format too: loaded into float32 it rounds to nearest-even (as
// static_cast<float>(int64_t)), into int32 it wraps; loadI64/storeI64 move it exactly.

import {
  DTYPE_BFLOAT16, DTYPE_BOOL, DTYPE_FLOAT16, DTYPE_FLOAT32, DTYPE_INT32, DTYPE_INT8,
} from "../abi";
import { DTYPE_INT64 } from "../abi";

/** The float32 value of IEEE binary16 bits `h` (subnormals, infinities and NaN included). */
// @ts-ignore: decorator
@inline export function halfToFloat(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent == 0x1f) return reinterpret<f32>(sign | 0x7f800000 | (mantissa << 13));
  if (exponent == 0) {
    // Subnormal or zero: mantissa × 2^-24, exact in float32.
    const magnitude = <f32>mantissa * reinterpret<f32>(0x33800000);
    return sign ? -magnitude : magnitude;
  }
  return reinterpret<f32>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

/** IEEE binary16 bits of `value`, rounded to nearest-even (overflow to ±inf, NaN kept quiet). */
export function floatToHalf(value: f32): u32 {
  const bits = reinterpret<u32>(value);
  const sign = (bits >> 16) & 0x8000;
  const magnitude = bits & 0x7fffffff;
  if (magnitude >= 0x7f800000) return sign | (magnitude > 0x7f800000 ? 0x7e00 : 0x7c00);
  if (magnitude >= 0x477ff000) return sign | 0x7c00; // ≥ 65520 rounds to infinity
  if (magnitude < 0x38800000) {
    // Result is subnormal (or zero): round |value| × 2^24 to an integer, ties to even.
    const scaled = reinterpret<f32>(magnitude) * reinterpret<f32>(0x4b800000);
    return sign | <u32>nearest<f32>(scaled);
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest-even.
  const rebased = magnitude - (112 << 23);
  return sign | ((rebased + 0xfff + ((rebased >> 13) & 1)) >> 13);
}

/** The float32 value of bfloat16 bits `b`. */
// @ts-ignore: decorator
@inline export function bfloatToFloat(b: u32): f32 {
  return reinterpret<f32>(b << 16);
}

/** bfloat16 bits of `value`, rounded to nearest-even (NaN kept quiet), as c10::BFloat16. */
// @ts-ignore: decorator
@inline export function floatToBfloat(value: f32): u32 {
  const bits = reinterpret<u32>(value);
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >> 16) | 0x40;
  return (bits + 0x7fff + ((bits >> 16) & 1)) >> 16;
}

/** Loads the element at `address` of `dtype` as float32. */
// @ts-ignore: decorator
@inline export function loadF32(address: usize, dtype: u32): f32 {
  switch (dtype) {
    case DTYPE_FLOAT32: return load<f32>(address);
    case DTYPE_FLOAT16: return halfToFloat(load<u16>(address));
    case DTYPE_BFLOAT16: return bfloatToFloat(load<u16>(address));
    case DTYPE_INT32: return <f32>load<i32>(address);
    case DTYPE_INT8: return <f32>load<i8>(address);
    case DTYPE_INT64: return <f32>load<i64>(address);
    default: return load<u8>(address) != 0 ? 1 : 0;
  }
}

/** Stores float32 `value` at `address` as `dtype` (floats to int truncate toward zero, as C casts). */
// @ts-ignore: decorator
@inline export function storeF32(address: usize, dtype: u32, value: f32): void {
  switch (dtype) {
    case DTYPE_FLOAT32: store<f32>(address, value); break;
    case DTYPE_FLOAT16: store<u16>(address, <u16>floatToHalf(value)); break;
    case DTYPE_BFLOAT16: store<u16>(address, <u16>floatToBfloat(value)); break;
    case DTYPE_INT32: store<i32>(address, <i32>value); break;
    case DTYPE_INT8: store<i8>(address, <i8><i32>value); break;
    case DTYPE_INT64: store<i64>(address, <i64>value); break;
    default: store<u8>(address, value != 0 ? 1 : 0);
  }
}

/** Loads the element at `address` of an integer or bool `dtype` as int32 (floats truncate). */
// @ts-ignore: decorator
@inline export function loadI32(address: usize, dtype: u32): i32 {
  switch (dtype) {
    case DTYPE_INT32: return load<i32>(address);
    case DTYPE_INT8: return load<i8>(address);
    case DTYPE_BOOL: return load<u8>(address) != 0 ? 1 : 0;
    case DTYPE_INT64: return <i32>load<i64>(address);
    default: return <i32>loadF32(address, dtype);
  }
}

/** Stores int32 `value` at `address` as `dtype` (int8 wraps, bool is value != 0). */
// @ts-ignore: decorator
@inline export function storeI32(address: usize, dtype: u32, value: i32): void {
  switch (dtype) {
    case DTYPE_INT32: store<i32>(address, value); break;
    case DTYPE_INT8: store<i8>(address, <i8>value); break;
    case DTYPE_BOOL: store<u8>(address, value != 0 ? 1 : 0); break;
    case DTYPE_INT64: store<i64>(address, <i64>value); break;
    default: storeF32(address, dtype, <f32>value);
  }
}

/** Loads the element at `address` of any `dtype` as int64 (floats truncate toward zero). */
// @ts-ignore: decorator
@inline export function loadI64(address: usize, dtype: u32): i64 {
  if (dtype == DTYPE_INT64) return load<i64>(address);
  return isFloating(dtype) ? <i64>loadF32(address, dtype) : <i64>loadI32(address, dtype);
}

/** Stores int64 `value` at `address` as `dtype` (narrower ints wrap, floats round to nearest-even, bool is value != 0). */
// @ts-ignore: decorator
@inline export function storeI64(address: usize, dtype: u32, value: i64): void {
  if (dtype == DTYPE_INT64) store<i64>(address, value);
  else if (dtype == DTYPE_BOOL) store<u8>(address, value != 0 ? 1 : 0);
  else if (isFloating(dtype)) storeF32(address, dtype, <f32>value);
  else storeI32(address, dtype, <i32>value);
}

/** True for float32, float16 and bfloat16: the dtypes computed in float32. */
// @ts-ignore: decorator
@inline export function isFloating(dtype: u32): bool {
  return dtype <= DTYPE_BFLOAT16;
}
