// OP_RESIZE: ONNX Resize (opset 13+) over the two trailing dims of a 4-d NCHW tensor, and
// torch.nn.functional.interpolate on top of it. Each output index o along H or W maps to an
// input coordinate x by the coordinate transformation mode (onnx/reference/ops/op_resize.py,
// with out_length = scale · in_length as a real number):
//
//   half_pixel          (o + 0.5) / scale - 0.5
//   asymmetric          o / scale
//   align_corners       out_length == 1 ? 0 : o · (in - 1) / (out_length - 1)
//   pytorch_half_pixel  out_length == 1 ? -0.5 : (o + 0.5) / scale - 0.5
//   torch nearest       floor(o · s) in float32, s = float32(1 / scale_factor or in / out)
//                       (ATen's nearest_idx, with its out == in and out == 2 · in shortcuts)
//
// nearest picks round_prefer_floor / round_prefer_ceil / floor / ceil of x; linear blends the
// two neighbours floor(x), floor(x) + 1 with weights 1 - r, r (r = x - floor(x)), in f64;
// input indices are clamped into [0, in - 1] (ONNX's edge padding). The argument block:
//
//   shape           the output's sizes (N, C, OH, OW); strides 0, 1 output and input
//   strides 3       the input's sizes (N, C, H, W)
//   kind            RESIZE_NEAREST, RESIZE_LINEAR
//   params[0..2)    scale along H (f64); params[2..4) along W (f64)
//   params[4]       coordinate transformation (TRANSFORM_*); params[5] nearest mode (NEAREST_*)

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeResize } from "../timing/resize";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import {
  ARGS_KIND, ARGS_PARAMS, ARGS_RANK, argWord, checkCommandArgs, checkOperand, iterationCount, param, shapeAt,
  spanBytes, spanStart, strideAt,
} from "./args";
import { checkSource, sourceBytes, sourceStart } from "./padding";

export const RESIZE_NEAREST: u32 = 0;
export const RESIZE_LINEAR: u32 = 1;
export const RESIZE_KINDS: u32 = 2;
export const TRANSFORM_HALF_PIXEL: u32 = 0;
export const TRANSFORM_ASYMMETRIC: u32 = 1;
export const TRANSFORM_ALIGN_CORNERS: u32 = 2;
export const TRANSFORM_PYTORCH_HALF_PIXEL: u32 = 3;
export const TRANSFORM_TORCH_NEAREST: u32 = 4;
export const TRANSFORM_KINDS: u32 = 5;
export const NEAREST_ROUND_PREFER_FLOOR: u32 = 0;
export const NEAREST_ROUND_PREFER_CEIL: u32 = 1;
export const NEAREST_FLOOR: u32 = 2;
export const NEAREST_CEIL: u32 = 3;
export const NEAREST_KINDS: u32 = 4;

/** The f64 in params p, p + 1. */
// @ts-ignore: decorator
@inline function paramF64(args: usize, p: u32): f64 {
  return load<f64>(args + (<usize>(ARGS_PARAMS + p) << 2));
}

/** Input coordinate of output index `o` along a dim of `inLength` inputs and `outLength` outputs at `scale`. */
function coordinate(transform: u32, o: u32, scale: f64, inLength: u32, outLength: u32): f64 {
  const out = scale * <f64>inLength;
  const x = <f64>o;
  switch (transform) {
    case TRANSFORM_ASYMMETRIC: return x / scale;
    case TRANSFORM_ALIGN_CORNERS: return out == 1 ? 0 : (x * <f64>(inLength - 1)) / (out - 1);
    case TRANSFORM_PYTORCH_HALF_PIXEL: return out == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case TRANSFORM_TORCH_NEAREST: {
      if (outLength == inLength) return x;
      if (outLength == 2 * inLength) return <f64>(o >> 1);
      return <f64>Mathf.floor(<f32>o * <f32>scale);
    }
    default: return (x + 0.5) / scale - 0.5;
  }
}

/** Index nearest to `x` by `mode` (ONNX's _nearest_coeffs), clamped into [0, length). */
function nearestIndex(mode: u32, x: f64, length: u32): i32 {
  const low = Math.floor(x);
  const ratio = x - low;
  let i = low;
  if (ratio != 0) {
    if (mode == NEAREST_CEIL) i = low + 1;
    else if (mode == NEAREST_ROUND_PREFER_FLOOR) i = ratio <= 0.5 ? low : low + 1;
    else if (mode == NEAREST_ROUND_PREFER_CEIL) i = ratio < 0.5 ? low : low + 1;
  }
  return <i32>min<f64>(max<f64>(i, 0), <f64>(length - 1));
}

/** Clamps `i` into [0, length). */
// @ts-ignore: decorator
@inline function clampIndex(i: f64, length: u32): i64 {
  return <i64>min<f64>(max<f64>(i, 0), <f64>(length - 1));
}

/** The input element `offset` elements past `plane`, as f64. */
// @ts-ignore: decorator
@inline function tap(plane: i64, offset: i64, size: u32, dtype: u32): f64 {
  return <f64>loadF32(<usize>(plane + offset * <i64>size), dtype);
}

/** OP_RESIZE; see the file comment. */
export function resize(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const mode = argWord(args, ARGS_KIND);
  const transform = param(args, 4);
  const nearest = param(args, 5);
  const scaleH = paramF64(args, 0);
  const scaleW = paramF64(args, 2);
  if (argWord(args, ARGS_RANK) != 4 || mode >= RESIZE_KINDS || transform >= TRANSFORM_KINDS || nearest >= NEAREST_KINDS) return STATUS_BAD_ARGS;
  if (!(scaleH > 0) || !(scaleW > 0) || (mode == RESIZE_LINEAR && !isFloating(dtype))) return STATUS_BAD_ARGS;
  const count = iterationCount(args, 4);
  if (count != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  for (let d: u32 = 0; d < 2; d++) if (<u32>strideAt(args, 3, d) != shapeAt(args, d)) return STATUS_BAD_ARGS;
  const inH = <u32>strideAt(args, 3, 2);
  const inW = <u32>strideAt(args, 3, 3);
  if (count > 0 && (inH == 0 || inW == 0)) return STATUS_BAD_ARGS;
  const size = dtypeBytes(dtype);
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  status = checkSource(args, 4, src64, size);
  if (status != STATUS_OK) return status;
  status = checkOperand(args, 0, 4, dst64, dtype);
  if (status != STATUS_OK) return status;
  readOperand(sourceStart, sourceBytes);
  writeOperand(spanStart, spanBytes);
  timeResize(sourceBytes / <f64>size, <f64>count, sourceBytes, <f64>count * <f64>size, mode == RESIZE_LINEAR);
  if (timingOnly || count == 0) return STATUS_OK;
  const outH = <u32>shapeAt(args, 2); // values mode: below 2^32
  const outW = <u32>shapeAt(args, 3);
  const inStrideH = <i64>strideAt(args, 1, 2);
  const inStrideW = <i64>strideAt(args, 1, 3);
  for (let n: u32 = 0; n < shapeAt(args, 0); n++) {
    for (let c: u32 = 0; c < shapeAt(args, 1); c++) {
      const plane = <i64>src64 + (<i64>n * <i64>strideAt(args, 1, 0) + <i64>c * <i64>strideAt(args, 1, 1)) * <i64>size;
      const outPlane = <i64>dst64 + (<i64>n * <i64>strideAt(args, 0, 0) + <i64>c * <i64>strideAt(args, 0, 1)) * <i64>size;
      for (let oh: u32 = 0; oh < outH; oh++) {
        const y = coordinate(transform, oh, scaleH, inH, outH);
        for (let ow: u32 = 0; ow < outW; ow++) {
          const x = coordinate(transform, ow, scaleW, inW, outW);
          const to = <usize>(outPlane + (<i64>oh * <i64>strideAt(args, 0, 2) + <i64>ow * <i64>strideAt(args, 0, 3)) * <i64>size);
          if (mode == RESIZE_NEAREST) {
            const from = <usize>(plane + (<i64>nearestIndex(nearest, y, inH) * inStrideH + <i64>nearestIndex(nearest, x, inW) * inStrideW) * <i64>size);
            if (size == 4) store<u32>(to, load<u32>(from));
            else if (size == 2) store<u16>(to, load<u16>(from));
            else store<u8>(to, load<u8>(from));
            continue;
          }
          const y0 = Math.floor(y);
          const x0 = Math.floor(x);
          const ry = y - y0;
          const rx = x - x0;
          const h0 = clampIndex(y0, inH) * inStrideH;
          const h1 = clampIndex(y0 + 1, inH) * inStrideH;
          const w0 = clampIndex(x0, inW) * inStrideW;
          const w1 = clampIndex(x0 + 1, inW) * inStrideW;
          const top = (1 - rx) * tap(plane, h0 + w0, size, dtype) + rx * tap(plane, h0 + w1, size, dtype);
          const bottom = (1 - rx) * tap(plane, h1 + w0, size, dtype) + rx * tap(plane, h1 + w1, size, dtype);
          storeF32(to, dtype, <f32>((1 - ry) * top + ry * bottom));
        }
      }
    }
  }
  return STATUS_OK;
}
