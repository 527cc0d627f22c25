// int8 quantization of one row (PyTorch's torch.quantize_per_tensor and dequantize, and MTIA 2i's
// dynamic per-row quantization, ISCA'25 §3.2):
//
//   quantize     q = clamp(round_half_even(x / scale) + zeroPoint, -128, 127)
//   dequantize   x = (q − zeroPoint) · scale
//   per row      scale = max|row| / 127 (the RE's per-row min/max), zero point 0, q in [-127, 127]
//
// x / scale and (q − zeroPoint) · scale are computed in f64 from the float32 (or 16-bit) value
// and the f64 scale and rounded once; NaN quantizes to the zero point (PyTorch leaves it
// undefined). The symmetric range [-127, 127] keeps −q representable.

import { loadF32, storeF32 } from "./convert";

/** Smallest and largest value of an int8. */
export const INT8_MIN: f64 = -128;
export const INT8_MAX: f64 = 127;

/** round_half_even(x / scale) + zeroPoint clamped to [low, high]; NaN gives zeroPoint. */
// @ts-ignore: decorator
@inline export function quantizeValue(x: f64, scale: f64, zeroPoint: f64, low: f64, high: f64): i32 {
  const q = nearest(x / scale) + zeroPoint;
  if (q != q) return <i32>zeroPoint;
  return <i32>min(high, max(low, q));
}

/** Quantizes `length` elements from `src` (of `inType`, byte stride `inStride`) to int8 at `dst` (byte stride `outStride`). */
export function quantizeRow(dst: usize, outStride: isize, src: usize, inStride: isize, inType: u32, length: u32, scale: f64, zeroPoint: f64): void {
  for (let i: u32 = 0; i < length; i++, src += inStride, dst += outStride) {
    store<i8>(dst, <i8>quantizeValue(<f64>loadF32(src, inType), scale, zeroPoint, INT8_MIN, INT8_MAX));
  }
}

/** Dequantizes `length` int8 elements from `src` to `outType` at `dst`. */
export function dequantizeRow(dst: usize, outStride: isize, outType: u32, src: usize, inStride: isize, length: u32, scale: f64, zeroPoint: f64): void {
  for (let i: u32 = 0; i < length; i++, src += inStride, dst += outStride) {
    storeF32(dst, outType, <f32>((<f64>load<i8>(src) - zeroPoint) * scale));
  }
}

/**
 * The symmetric per-row scale: max|x| / 127 rounded to float32, 1 for a row of zeros (any
 * positive scale quantizes it to zeros; PyTorch's choose_qparams would pick 0.1). A NaN in the
 * row makes the scale NaN.
 */
export function rowScale(src: usize, inStride: isize, inType: u32, length: u32): f32 {
  let largest: f32 = 0;
  for (let i: u32 = 0; i < length; i++, src += inStride) largest = max<f32>(largest, abs<f32>(loadF32(src, inType)));
  const scale = <f32>(<f64>largest / INT8_MAX);
  return scale == 0 ? 1 : scale;
}

/** Quantizes a row symmetrically with its own scale (rowScale) into [-127, 127]; returns the scale. */
export function quantizeRowDynamic(dst: usize, outStride: isize, src: usize, inStride: isize, inType: u32, length: u32): f32 {
  const scale = rowScale(src, inStride, inType, length);
  for (let i: u32 = 0; i < length; i++, src += inStride, dst += outStride) {
    store<i8>(dst, <i8>quantizeValue(<f64>loadF32(src, inType), <f64>scale, 0, -INT8_MAX, INT8_MAX));
  }
  return scale;
}
