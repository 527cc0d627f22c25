// OP_CONV: conv2d and conv_transpose2d over NCHW tensors (torch.nn.functional.conv2d,
// conv_transpose2d), with an optional bias and a fused activation epilogue. The args:
//
//   kind    the fused activation (CONV_ACTIVATION_*)
//   shape   [N, C_out, OH, OW], rank 4; operand 0 (dst) strides: contiguous
//   operand 1 strides: the input's along its own dims [N, C_in, H, W]
//   operand 2 strides: the weight's along its dims: [C_out, C_in/groups, kH, kW] (conv2d) or
//           [C_in, C_out/groups, kH, kW] (transposed)
//   operand 3: the bias (addr3, 0: none), its stride along C_out in strides[1]
//   dtypes  1 input, 2 weight, 3 bias: all the command's floating dtype
//   params  [0] C_in [1] H [2] W [3] kH [4] kW [5] stride h [6] stride w [7] pad top
//           [8] pad left [9] dilation h [10] dilation w [11] groups [12] transposed (0 | 1)
//           [13..15) workspace address (u64) [15..17) workspace bytes (u64)
//
// An output pixel (oh, ow) of conv2d reads input (oh·sH − padTop + kh·dH, ow·sW − padLeft + kw·dW);
// reads outside the input are zeros, so the bottom and right padding are implied by OH, OW.
// A transposed conv scatters input (ih, iw) to (ih·sH − padTop + kh·dH, …); the kernel gathers
// it per output instead. The device computes:
//
//   C_in/groups > 1, conv2d ──► per image and group, im2col of up to CONV_COLUMN_BYTES of
//       columns into the workspace, then matmulF32 (weight [C_out/g × K] · columns [K × cols];
//       on the kernel threads when ops/matmul.ts would share it) straight into a float32
//       output, or a float32 buffer rounded once
//   depthwise (C_in/groups = 1) ──► per output row, each tap's weight times an input row
//       added to a float32 row accumulator
//   transposed ──► per output plane, each input row times each tap's weight added at stride
//       sW into a float32 plane in the workspace (OH · OW · 4 bytes)
//
// and then adds the bias, applies the activation and stores in the dtype: one rounding.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, COMMAND_SRC1, DTYPE_FLOAT32 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeConvGemm, timeConvTransposeGemm, timeDepthwise } from "../timing/conv";
import { hasSystolicArray } from "../timing/systolic";
import { seLutPasses } from "../profile";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import { gelu, sigmoid } from "../kernels/math";
import { EDGE_TILE_BYTES, matmulF32, matmulWorkspaceBytes } from "../kernels/matmul";
import { matmulOnThreads, worthSharing } from "./matmul";
import {
  ARGS_DTYPE, ARGS_KIND, ARGS_RANK, address3, argWord, checkCommandArgs, dim32, param, param64, paramAddress, stride32,
} from "./args";

/** Fused activations of OP_CONV (its args' kind), as torch.nn.functional names them. */
export const CONV_ACTIVATION_NONE: u32 = 0;
export const CONV_ACTIVATION_RELU: u32 = 1;
export const CONV_ACTIVATION_RELU6: u32 = 2;
export const CONV_ACTIVATION_SIGMOID: u32 = 3;
export const CONV_ACTIVATION_SILU: u32 = 4;
export const CONV_ACTIVATION_GELU: u32 = 5;
export const CONV_ACTIVATIONS: u32 = 6;
/** Largest im2col buffer per step of the GEMM path (4 MiB): columns are done in chunks of it. */
export const CONV_COLUMN_BYTES: u32 = 1 << 22;

/** The edge-tile buffer of matmulF32. */
const edgeTile = memory.data(<i32>EDGE_TILE_BYTES, 16);

/** SE passes per output element of fused `activation` (as OP_UNARY charges it: a LUT function 1 + seLutPasses). */
export function activationPasses(activation: u32): f64 {
  if (activation == CONV_ACTIVATION_NONE) return 0;
  if (activation == CONV_ACTIVATION_RELU || activation == CONV_ACTIVATION_RELU6) return 1;
  return 1 + seLutPasses;
}

/** `x` through fused `activation` (torch.nn.functional's definitions; NaN stays NaN). */
// @ts-ignore: decorator
@inline function activate(x: f32, activation: u32): f32 {
  switch (activation) {
    case CONV_ACTIVATION_RELU: return x > 0 ? x : (x != x ? x : 0);
    case CONV_ACTIVATION_RELU6: return x != x ? x : min<f32>(max<f32>(x, 0), 6);
    case CONV_ACTIVATION_SIGMOID: return sigmoid(x);
    case CONV_ACTIVATION_SILU: return x * sigmoid(x);
    case CONV_ACTIVATION_GELU: return gelu(x);
    default: return x;
  }
}

/** Rounds `n` up to a multiple of 16. */
// @ts-ignore: decorator
@inline function align16(n: u64): u64 {
  return (n + 15) & ~<u64>15;
}

/** Output columns (pixels) per im2col chunk of a K-deep product over `pixels` pixels. */
export function convChunkColumns(k: u32, pixels: u32, size: u32): u32 {
  const fit = max<u64>(1, <u64>CONV_COLUMN_BYTES / max<u64>(1, <u64>k * size));
  return <u32>min<u64>(<u64>max<u32>(pixels, 1), fit);
}

/**
 * Workspace bytes OP_CONV needs (the host allocates it; src/tensor/conv.ts mirrors this):
 * none for the direct path, else the im2col chunk, matmulF32's packing buffers and, for
 * float16 / bfloat16, a float32 accumulator of C_out/groups × chunk.
 */
export function convWorkspaceBytes(direct: bool, cOutPerGroup: u32, k: u32, pixels: u32, size: u32): u64 {
  if (direct) return 0;
  const chunk = convChunkColumns(k, pixels, size);
  const accumulator = size == 4 ? 0 : <u64>cOutPerGroup * chunk * 4;
  return align16(<u64>k * chunk * size) + align16(matmulWorkspaceBytes(cOutPerGroup, chunk, k)) + accumulator;
}

/** First byte and bytes of the span checkSpan() last checked. */
let spanFirst: f64 = 0;
let spanLength: f64 = 0;

/** Checks the four-dim operand at `address` with extents e0..e3 and element strides s0..s3; leaves its span in spanFirst, spanLength. */
function checkSpan(address: u64, size: u32, e0: u32, e1: u32, e2: u32, e3: u32, s0: i32, s1: i32, s2: i32, s3: i32): u32 {
  spanFirst = <f64>address;
  spanLength = 0;
  if (e0 == 0 || e1 == 0 || e2 == 0 || e3 == 0) return STATUS_OK;
  let low: i64 = 0;
  let high: i64 = 0;
  for (let d = 0; d < 4; d++) {
    const extent = d == 0 ? e0 : d == 1 ? e1 : d == 2 ? e2 : e3;
    const stride = d == 0 ? s0 : d == 1 ? s1 : d == 2 ? s2 : s3;
    const reach = <i64>stride * (extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  const first = <i64>address + low * size;
  if (first < 0) return STATUS_OUT_OF_BOUNDS;
  spanFirst = <f64>first;
  spanLength = <f64>((high - low + 1) * size);
  return checkRange(<u64>first, <u64>(high - low + 1) * size, size);
}

/** OP_CONV; see the file comment. */
export function conv(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const activation = argWord(args, ARGS_KIND);
  const bias64 = address3(args);
  if (!isFloating(dtype) || argWord(args, ARGS_RANK) != 4 || activation >= CONV_ACTIVATIONS) return STATUS_BAD_ARGS;
  if (argWord(args, ARGS_DTYPE) != dtype || argWord(args, ARGS_DTYPE + 1) != dtype) return STATUS_BAD_ARGS;
  if (bias64 != 0 && argWord(args, ARGS_DTYPE + 2) != dtype) return STATUS_BAD_ARGS;
  const n = dim32(args, 0), cOut = dim32(args, 1), oh = dim32(args, 2), ow = dim32(args, 3);
  const cIn = param(args, 0), h = param(args, 1), w = param(args, 2), kH = param(args, 3), kW = param(args, 4);
  const sH = param(args, 5), sW = param(args, 6), padTop = <i32>param(args, 7), padLeft = <i32>param(args, 8);
  const dH = param(args, 9), dW = param(args, 10), groups = param(args, 11), transposed = param(args, 12) != 0;
  if (param(args, 12) > 1 || groups == 0 || sH == 0 || sW == 0 || dH == 0 || dW == 0) return STATUS_BAD_ARGS;
  if (cIn % groups != 0 || cOut % groups != 0) return STATUS_BAD_ARGS;
  const outputs = <u64>n * cOut * oh * ow;
  if (outputs != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const cInPerGroup = cIn / groups, cOutPerGroup = cOut / groups;
  const pixels = <u64>oh * ow;
  if (pixels > <u64>u32.MAX_VALUE) return STATUS_BAD_ARGS;
  // The output is contiguous (the host allocates it).
  if (outputs > 0 && (stride32(args, 0, 3) != 1 || stride32(args, 0, 2) != <i32>ow ||
    <i64>stride32(args, 0, 1) != <i64>pixels || <i64>stride32(args, 0, 0) != <i64>pixels * cOut)) return STATUS_BAD_ARGS;
  const direct = transposed || cInPerGroup == 1;
  const kDepth = cInPerGroup * kH * kW;
  // The GEMM path reads the weight's K = (c, kh, kw) with unit stride: the host passes it contiguous.
  if (!direct && ((kW > 1 && stride32(args, 2, 3) != 1) || (kH > 1 && stride32(args, 2, 2) != <i32>kW) ||
    stride32(args, 2, 1) != <i32>(kH * kW))) return STATUS_BAD_ARGS;
  const workspace64 = paramAddress(args, 13);
  const needed = transposed ? pixels * 4 : convWorkspaceBytes(direct, cOutPerGroup, kDepth, <u32>pixels, size);
  if (param64(args, 15) < needed) return STATUS_BAD_ARGS;

  const dst64 = load<u64>(command + COMMAND_DST);
  const input64 = load<u64>(command + COMMAND_SRC0);
  const weight64 = load<u64>(command + COMMAND_SRC1);
  status = checkSpan(dst64, size, n, cOut, oh, ow, stride32(args, 0, 0), stride32(args, 0, 1), stride32(args, 0, 2), stride32(args, 0, 3));
  if (status != STATUS_OK) return status;
  const outFirst = spanFirst, outBytes = spanLength;
  status = checkSpan(input64, size, n, cIn, h, w, stride32(args, 1, 0), stride32(args, 1, 1), stride32(args, 1, 2), stride32(args, 1, 3));
  if (status != STATUS_OK) return status;
  const inFirst = spanFirst, inBytes = spanLength;
  const wRows = transposed ? cIn : cOut, wCols = transposed ? cOutPerGroup : cInPerGroup;
  status = checkSpan(weight64, size, wRows, wCols, kH, kW, stride32(args, 2, 0), stride32(args, 2, 1), stride32(args, 2, 2), stride32(args, 2, 3));
  if (status != STATUS_OK) return status;
  const wFirst = spanFirst, wBytes = spanLength;
  let biasFirst: f64 = 0, biasBytes: f64 = 0;
  if (bias64 != 0) {
    status = checkSpan(bias64, size, 1, cOut, 1, 1, 0, stride32(args, 3, 1), 0, 0);
    if (status != STATUS_OK) return status;
    biasFirst = spanFirst;
    biasBytes = spanLength;
  }
  if (needed > 0) {
    status = checkRange(workspace64, needed, 16);
    if (status != STATUS_OK) return status;
  }

  // The workspace is the functional kernel's im2col and packing buffer, not MTIA's: the model
  // gathers im2col rows by DMA (timing/conv.ts) and does not time it.
  const passes = activationPasses(activation);
  if (transposed) {
    timeConvTransposeGemm(n, cIn, h, w, cOut, kH, kW, groups, passes, dtype, size,
      inFirst, inBytes, wFirst, wBytes, biasFirst, biasBytes, outFirst, outBytes);
  } else if (groups > 1 && cInPerGroup == 1 && !hasSystolicArray()) {
    // Depthwise on the SEs; on the systolic teaching profile it stays on the array, one GEMM per
    // group, as SCALE-Sim runs a depthwise ("DP") layer: one layer per channel (docs/teaching.md).
    readOperand(inFirst, inBytes);
    readOperand(wFirst, wBytes);
    readOperand(biasFirst, biasBytes);
    writeOperand(outFirst, outBytes);
    timeDepthwise(<f64>outputs, kH * kW, inBytes + wBytes + biasBytes, outBytes, passes);
  } else {
    const gather = !(kH == 1 && kW == 1 && sH == 1 && sW == 1 && padTop == 0 && padLeft == 0 && oh == h && ow == w);
    timeConvGemm(n, cIn, cOut, oh, ow, kH, kW, groups, gather, passes, dtype, size,
      inFirst, inBytes, wFirst, wBytes, biasFirst, biasBytes, outFirst, outBytes);
  }
  if (timingOnly || outputs == 0) return STATUS_OK;
  if (!transposed && cInPerGroup == 1) depthwiseConv(args, dtype, size, <usize>dst64, <usize>input64, <usize>weight64, <usize>bias64, activation);
  else if (transposed) transposedConv(args, dtype, size, <usize>dst64, <usize>input64, <usize>weight64, <usize>bias64, <usize>workspace64, activation);
  else gemmConv(args, dtype, size, <usize>dst64, <usize>input64, <usize>weight64, <usize>bias64, <usize>workspace64, activation);
  return STATUS_OK;
}

/** The float32 bias of output channel `co` (0 without a bias). */
// @ts-ignore: decorator
@inline function biasOf(args: usize, bias: usize, dtype: u32, size: u32, co: u32): f32 {
  return bias == 0 ? 0 : loadF32(bias + <usize>(<i64>co * stride32(args, 3, 1) * size), dtype);
}

/** Output columns per pass of depthwiseConv: its float32 row accumulator's length. */
const ROW_CHUNK: u32 = 1024;
const rowAccumulator = memory.data(<i32>ROW_CHUNK * 4, 16);

/**
 * conv2d with one input channel per group (depthwise, and its channel multipliers): per output
 * row, a float32 accumulator of up to ROW_CHUNK columns gets each tap's weight times the input
 * row over the columns whose tap lies inside the input (SIMD for float32 at stride 1).
 */
function depthwiseConv(args: usize, dtype: u32, size: u32, dst: usize, input: usize, weight: usize, bias: usize, activation: u32): void {
  const n = dim32(args, 0), cOut = dim32(args, 1), oh = dim32(args, 2), ow = dim32(args, 3);
  const h = <i32>param(args, 1), w = <i32>param(args, 2), kH = <i32>param(args, 3), kW = <i32>param(args, 4);
  const sH = <i32>param(args, 5), sW = <i32>param(args, 6), padTop = <i32>param(args, 7), padLeft = <i32>param(args, 8);
  const dH = <i32>param(args, 9), dW = <i32>param(args, 10), groups = param(args, 11);
  const cOutPerGroup = cOut / groups;
  const is0 = <isize>stride32(args, 1, 0) * size, is1 = <isize>stride32(args, 1, 1) * size;
  const is2 = <isize>stride32(args, 1, 2) * size, is3 = <isize>stride32(args, 1, 3) * size;
  const ws0 = <isize>stride32(args, 2, 0) * size, ws2 = <isize>stride32(args, 2, 2) * size, ws3 = <isize>stride32(args, 2, 3) * size;
  const vector = dtype == DTYPE_FLOAT32 && sW == 1 && is3 == 4;
  const acc = rowAccumulator;
  let out = dst;
  for (let b: u32 = 0; b < n; b++) {
    for (let co: u32 = 0; co < cOut; co++) {
      const plane = input + <usize>(<isize>b * is0 + <isize>(co / cOutPerGroup) * is1);
      const kernel = weight + <usize>(<isize>co * ws0);
      const b0 = biasOf(args, bias, dtype, size, co);
      for (let y: i32 = 0; y < <i32>oh; y++) {
        for (let x0: i32 = 0; x0 < <i32>ow; x0 += <i32>ROW_CHUNK) {
          const columns = min<i32>(<i32>ROW_CHUNK, <i32>ow - x0);
          for (let j: i32 = 0; j < columns; j++) store<f32>(acc + (<usize>j << 2), b0);
          for (let kh: i32 = 0; kh < kH; kh++) {
            const iy = y * sH - padTop + kh * dH;
            if (iy < 0 || iy >= h) continue;
            const line = plane + <usize>(<isize>iy * is2);
            for (let kw: i32 = 0; kw < kW; kw++) {
              // Columns x with 0 ≤ x·sW + t < w, t = kw·dW − padLeft, within this chunk.
              const t = kw * dW - padLeft;
              const first = t >= 0 ? 0 : (-t + sW - 1) / sW;
              const last = w - 1 - t < 0 ? -1 : (w - 1 - t) / sW;
              const lo = max<i32>(first, x0) - x0, hi = min<i32>(last + 1, x0 + columns) - x0;
              if (lo >= hi) continue;
              const k = loadF32(kernel + <usize>(<isize>kh * ws2 + <isize>kw * ws3), dtype);
              let j = lo;
              if (vector) {
                const kv = f32x4.splat(k);
                const from = line + <usize>((<isize>(x0 + lo) + t) << 2);
                for (; j + 4 <= hi; j += 4) {
                  const at = acc + (<usize>j << 2);
                  v128.store(at, f32x4.add(v128.load(at), f32x4.mul(kv, v128.load(from + (<usize>(j - lo) << 2)))));
                }
              }
              for (; j < hi; j++) {
                const at = acc + (<usize>j << 2);
                store<f32>(at, load<f32>(at) + k * loadF32(line + <usize>(<isize>((x0 + j) * sW + t) * is3), dtype));
              }
            }
          }
          for (let j: i32 = 0; j < columns; j++) {
            storeF32(out, dtype, activate(load<f32>(acc + (<usize>j << 2)), activation));
            out += size;
          }
        }
      }
    }
  }
}

/**
 * conv_transpose2d by scattering: per output plane, a float32 accumulator (the workspace)
 * starts at the bias and gets, for each input channel of the group and tap, the tap's weight
 * times each input row added at stride sW into the output row it lands on.
 */
function transposedConv(args: usize, dtype: u32, size: u32, dst: usize, input: usize, weight: usize, bias: usize, plane: usize, activation: u32): void {
  const n = dim32(args, 0), cOut = dim32(args, 1), oh = <i32>dim32(args, 2), ow = <i32>dim32(args, 3);
  const cIn = param(args, 0), h = <i32>param(args, 1), w = <i32>param(args, 2), kH = <i32>param(args, 3), kW = <i32>param(args, 4);
  const sH = <i32>param(args, 5), sW = <i32>param(args, 6), padTop = <i32>param(args, 7), padLeft = <i32>param(args, 8);
  const dH = <i32>param(args, 9), dW = <i32>param(args, 10), groups = param(args, 11);
  const cInPerGroup = cIn / groups, cOutPerGroup = cOut / groups;
  const is0 = <isize>stride32(args, 1, 0) * size, is1 = <isize>stride32(args, 1, 1) * size;
  const is2 = <isize>stride32(args, 1, 2) * size, is3 = <isize>stride32(args, 1, 3) * size;
  const ws0 = <isize>stride32(args, 2, 0) * size, ws1 = <isize>stride32(args, 2, 1) * size;
  const ws2 = <isize>stride32(args, 2, 2) * size, ws3 = <isize>stride32(args, 2, 3) * size;
  const pixels = <usize>oh * ow;
  let out = dst;
  for (let b: u32 = 0; b < n; b++) {
    for (let co: u32 = 0; co < cOut; co++) {
      const g = co / cOutPerGroup;
      const b0 = biasOf(args, bias, dtype, size, co);
      for (let p: usize = 0; p < pixels; p++) store<f32>(plane + (p << 2), b0);
      for (let c: u32 = 0; c < cInPerGroup; c++) {
        const ci = g * cInPerGroup + c;
        const source = input + <usize>(<isize>b * is0 + <isize>ci * is1);
        const kernel = weight + <usize>(<isize>ci * ws0 + <isize>(co - g * cOutPerGroup) * ws1);
        for (let kh: i32 = 0; kh < kH; kh++) {
          for (let kw: i32 = 0; kw < kW; kw++) {
            // Input columns x with 0 ≤ x·sW + t < ow, t = kw·dW − padLeft.
            const t = kw * dW - padLeft;
            const first = t >= 0 ? 0 : (-t + sW - 1) / sW;
            const end = ow - 1 - t < 0 ? 0 : min<i32>((ow - 1 - t) / sW + 1, w);
            if (first >= end) continue;
            const k = loadF32(kernel + <usize>(<isize>kh * ws2 + <isize>kw * ws3), dtype);
            for (let iy: i32 = 0; iy < h; iy++) {
              const y = iy * sH - padTop + kh * dH;
              if (y < 0 || y >= oh) continue;
              const row = plane + (<usize>(<isize>y * ow + t) << 2);
              const line = source + <usize>(<isize>iy * is2);
              for (let x = first; x < end; x++) {
                const at = row + (<usize>(x * sW) << 2);
                store<f32>(at, load<f32>(at) + k * loadF32(line + <usize>(<isize>x * is3), dtype));
              }
            }
          }
        }
      }
      for (let p: usize = 0; p < pixels; p++) {
        storeF32(out, dtype, activate(load<f32>(plane + (p << 2)), activation));
        out += size;
      }
    }
  }
}

/** Copies element `from` to `to` (raw bits: 4 or 2 bytes). */
// @ts-ignore: decorator
@inline function copyElement(to: usize, from: usize, size: u32): void {
  if (size == 4) store<u32>(to, load<u32>(from));
  else store<u16>(to, load<u16>(from));
}

/**
 * Writes the im2col rows of image `b`, group `g` for output pixels [p0, p0 + cols) into `col`
 * ([K × cols] in the input's dtype; K = (c, kh, kw) in the weight's order; zeros for padding).
 */
function im2col(args: usize, size: u32, col: usize, input: usize, b: u32, g: u32, p0: u32, cols: u32): void {
  const ow = dim32(args, 3);
  const cIn = param(args, 0), h = <i32>param(args, 1), w = <i32>param(args, 2), kH = param(args, 3), kW = param(args, 4);
  const sH = <i32>param(args, 5), sW = <i32>param(args, 6), padTop = <i32>param(args, 7), padLeft = <i32>param(args, 8);
  const dH = <i32>param(args, 9), dW = <i32>param(args, 10), groups = param(args, 11);
  const cInPerGroup = cIn / groups;
  const is0 = <isize>stride32(args, 1, 0) * size, is1 = <isize>stride32(args, 1, 1) * size;
  const is2 = <isize>stride32(args, 1, 2) * size, is3 = <isize>stride32(args, 1, 3) * size;
  const unitRow = sW == 1 && is3 == <isize>size;
  let row = col;
  for (let c: u32 = 0; c < cInPerGroup; c++) {
    const plane = input + <usize>(<isize>b * is0 + <isize>(g * cInPerGroup + c) * is1);
    for (let kh: i32 = 0; kh < <i32>kH; kh++) {
      for (let kw: i32 = 0; kw < <i32>kW; kw++) {
        let y = <i32>(p0 / ow), x = <i32>(p0 % ow);
        let j: u32 = 0;
        while (j < cols) {
          const run = min<u32>(ow - <u32>x, cols - j);
          const to = row + <usize>j * size;
          const iy = y * sH - padTop + kh * dH;
          if (iy < 0 || iy >= h) {
            memory.fill(to, 0, <usize>run * size);
          } else {
            const line = plane + <usize>(<isize>iy * is2);
            const ix0 = x * sW - padLeft + kw * dW;
            if (unitRow) {
              // Valid t: 0 ≤ ix0 + t < w.
              const lo = <i32>min<i32>(max<i32>(-ix0, 0), <i32>run);
              const hi = <i32>max<i32>(min<i32>(w - ix0, <i32>run), lo);
              if (lo > 0) memory.fill(to, 0, <usize>lo * size);
              if (hi > lo) memory.copy(to + <usize>lo * size, line + <usize>(<isize>(ix0 + lo) * is3), <usize>(hi - lo) * size);
              if (<i32>run > hi) memory.fill(to + <usize>hi * size, 0, <usize>(<i32>run - hi) * size);
            } else {
              for (let t: u32 = 0; t < run; t++) {
                const ix = ix0 + <i32>t * sW;
                const at = to + <usize>t * size;
                if (ix < 0 || ix >= w) {
                  if (size == 4) store<u32>(at, 0);
                  else store<u16>(at, 0);
                } else {
                  copyElement(at, line + <usize>(<isize>ix * is3), size);
                }
              }
            }
          }
          j += run;
          x = 0;
          y++;
        }
        row += <usize>cols * size;
      }
    }
  }
}

/** conv2d by im2col chunks and matmulF32 per image and group (C_in/groups > 1). */
function gemmConv(args: usize, dtype: u32, size: u32, dst: usize, input: usize, weight: usize, bias: usize, workspace: usize, activation: u32): void {
  const n = dim32(args, 0), cOut = dim32(args, 1), oh = dim32(args, 2), ow = dim32(args, 3);
  const cIn = param(args, 0), kH = param(args, 3), kW = param(args, 4), groups = param(args, 11);
  const cInPerGroup = cIn / groups, cOutPerGroup = cOut / groups;
  const k = cInPerGroup * kH * kW;
  const pixels = oh * ow;
  const chunk = convChunkColumns(k, pixels, size);
  const col = workspace;
  const pack = col + <usize>align16(<u64>k * chunk * size);
  const accumulator = pack + <usize>align16(matmulWorkspaceBytes(cOutPerGroup, chunk, k));
  const ws0 = <isize>stride32(args, 2, 0);
    const float32 = dtype == DTYPE_FLOAT32;
  const epilogue = !float32 || bias != 0 || activation != CONV_ACTIVATION_NONE;
  for (let b: u32 = 0; b < n; b++) {
    for (let g: u32 = 0; g < groups; g++) {
      const a = weight + <usize>(<isize>g * cOutPerGroup * ws0 * size);
      const plane = dst + <usize>(<u64>(b * cOut + g * cOutPerGroup) * pixels * size);
      for (let p0: u32 = 0; p0 < pixels; p0 += chunk) {
        const cols = min<u32>(chunk, pixels - p0);
        im2col(args, size, col, input, b, g, p0, cols);
        const c = float32 ? plane + <usize>p0 * 4 : accumulator;
        const ldc = float32 ? pixels : cols;
        if (!worthSharing(cOutPerGroup, cols, k) || !matmulOnThreads(c, ldc, a, ws0, 1, col, <isize>cols, 1, dtype, size, cOutPerGroup, cols, k)) {
          matmulF32(c, ldc, a, ws0, 1, col, <isize>cols, 1, dtype, size, cOutPerGroup, cols, k, pack, edgeTile);
        }
        if (!epilogue) continue;
        for (let co: u32 = 0; co < cOutPerGroup; co++) {
          const b0 = biasOf(args, bias, dtype, size, g * cOutPerGroup + co);
          const from = c + <usize>co * ldc * 4;
          const to = plane + (<usize>co * pixels + p0) * size;
          for (let j: u32 = 0; j < cols; j++) {
            storeF32(to + <usize>j * size, dtype, activate(load<f32>(from + (<usize>j << 2)) + b0, activation));
          }
        }
      }
    }
  }
}
