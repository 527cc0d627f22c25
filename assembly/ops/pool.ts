// OP_POOL: max, average and adaptive average pooling over NCHW tensors
// (torch.nn.functional.max_pool2d, avg_pool2d, adaptive_avg_pool2d). The args:
//
//   kind    POOL_MAX, POOL_AVG or POOL_ADAPTIVE_AVG
//   shape   [N, C, OH, OW], rank 4; operand 0 (dst) strides: contiguous
//   operand 1 strides: the input's along its dims [N, C, H, W]; dtype 1: the command's
//   params  [0] H [1] W [2] kH [3] kW [4] stride h [5] stride w [6] pad top [7] pad left
//           [8] pad bottom [9] pad right [10] dilation h [11] dilation w
//           [12] count_include_pad (0 | 1)
//
// Window (oh, ow) of max and avg starts at (oh·sH − padTop, ow·sW − padLeft); an adaptive
// window spans [⌊oh·H/OH⌋, ⌈(oh+1)·H/OH⌉) (PyTorch's start_index / end_index). Max skips
// padding and propagates NaN; avg divides by the window clipped to the padded input
// (count_include_pad) or to the input (PyTorch's avg_pool2d divide_factor); float32 sums.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK, STATUS_OUT_OF_BOUNDS } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timePool } from "../timing/conv";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import { ARGS_DTYPE, ARGS_KIND, ARGS_RANK, argWord, checkCommandArgs, dim32, param, stride32 } from "./args";

export const POOL_MAX: u32 = 0;
export const POOL_AVG: u32 = 1;
export const POOL_ADAPTIVE_AVG: u32 = 2;
export const POOL_KINDS: u32 = 3;

/** First input row (or column) of adaptive window `i` of `outSize` over `inSize`. */
// @ts-ignore: decorator
@inline function adaptiveStart(i: u32, outSize: u32, inSize: u32): i32 {
  return <i32>((<u64>i * inSize) / outSize);
}

/** One past the last input row (or column) of adaptive window `i`. */
// @ts-ignore: decorator
@inline function adaptiveEnd(i: u32, outSize: u32, inSize: u32): i32 {
  return <i32>((<u64>(i + 1) * inSize + outSize - 1) / outSize);
}

/** Span of the input (first byte, bytes) for the checks and the timing model. */
let inFirst: f64 = 0;
let inBytes: f64 = 0;

/** Checks the input's span: [N, C, H, W] at `address` with operand 1's strides. */
function checkInput(args: usize, address: u64, size: u32, n: u32, c: u32, h: u32, w: u32): u32 {
  inFirst = <f64>address;
  inBytes = 0;
  if (n == 0 || c == 0 || h == 0 || w == 0) return STATUS_OK;
  let low: i64 = 0;
  let high: i64 = 0;
  for (let d: u32 = 0; d < 4; d++) {
    const extent = d == 0 ? n : d == 1 ? c : d == 2 ? h : w;
    const reach = <i64>stride32(args, 1, d) * (extent - 1);
    if (reach < 0) low += reach;
    else high += reach;
  }
  const first = <i64>address + low * size;
  if (first < 0) return STATUS_OUT_OF_BOUNDS;
  inFirst = <f64>first;
  inBytes = <f64>((high - low + 1) * size);
  return checkRange(<u64>first, <u64>(high - low + 1) * size, size);
}

/** OP_POOL; see the file comment. */
export function pool(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const size = dtypeBytes(dtype);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  if (!isFloating(dtype) || kind >= POOL_KINDS || argWord(args, ARGS_RANK) != 4 || argWord(args, ARGS_DTYPE) != dtype) return STATUS_BAD_ARGS;
  const n = dim32(args, 0), c = dim32(args, 1), oh = dim32(args, 2), ow = dim32(args, 3);
  const h = param(args, 0), w = param(args, 1), kH = param(args, 2), kW = param(args, 3);
  const sH = param(args, 4), sW = param(args, 5), dH = param(args, 10), dW = param(args, 11);
  if (kind != POOL_ADAPTIVE_AVG && (kH == 0 || kW == 0 || sH == 0 || sW == 0 || dH == 0 || dW == 0)) return STATUS_BAD_ARGS;
  if (kind == POOL_ADAPTIVE_AVG && ((oh == 0 && h != 0) || (ow == 0 && w != 0))) return STATUS_BAD_ARGS;
  const outputs = <u64>n * c * oh * ow;
  if (outputs != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const pixels = <i64>oh * ow;
  if (outputs > 0 && (stride32(args, 0, 3) != 1 || stride32(args, 0, 2) != <i32>ow ||
    <i64>stride32(args, 0, 1) != pixels || <i64>stride32(args, 0, 0) != pixels * c)) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  const outBytes = <f64>outputs * size;
  status = checkRange(dst64, <u64>outBytes, size);
  if (status == STATUS_OK) status = checkInput(args, src64, size, n, c, h, w);
  if (status != STATUS_OK) return status;

  // Window elements over all outputs: kH·kW each, or the adaptive windows' sizes.
  let window: f64 = <f64>kH * kW;
  if (kind == POOL_ADAPTIVE_AVG) {
    let rows: f64 = 0, cols: f64 = 0;
    for (let y: u32 = 0; y < oh; y++) rows += adaptiveEnd(y, oh, h) - adaptiveStart(y, oh, h);
    for (let x: u32 = 0; x < ow; x++) cols += adaptiveEnd(x, ow, w) - adaptiveStart(x, ow, w);
    window = outputs > 0 ? rows * cols / <f64>pixels : 0;
  }
  readOperand(inFirst, inBytes);
  writeOperand(<f64>dst64, outBytes);
  timePool(<f64>outputs, <f64>outputs * window, inBytes, outBytes, kind != POOL_MAX);
  if (timingOnly || outputs == 0) return STATUS_OK;
  poolKernel(args, kind, dtype, size, <usize>dst64, <usize>src64);
  return STATUS_OK;
}

/** Computes every output of OP_POOL in float32. */
function poolKernel(args: usize, kind: u32, dtype: u32, size: u32, dst: usize, src: usize): void {
  const n = dim32(args, 0), c = dim32(args, 1), oh = dim32(args, 2), ow = dim32(args, 3);
  const h = <i32>param(args, 0), w = <i32>param(args, 1), kH = <i32>param(args, 2), kW = <i32>param(args, 3);
  const sH = <i32>param(args, 4), sW = <i32>param(args, 5), padTop = <i32>param(args, 6), padLeft = <i32>param(args, 7);
  const padBottom = <i32>param(args, 8), padRight = <i32>param(args, 9);
  const dH = <i32>param(args, 10), dW = <i32>param(args, 11), includePad = param(args, 12) != 0;
  const s0 = <isize>stride32(args, 1, 0) * size, s1 = <isize>stride32(args, 1, 1) * size;
  const s2 = <isize>stride32(args, 1, 2) * size, s3 = <isize>stride32(args, 1, 3) * size;
  let out = dst;
  for (let b: u32 = 0; b < n; b++) {
    for (let ch: u32 = 0; ch < c; ch++) {
      const plane = src + <usize>(<isize>b * s0 + <isize>ch * s1);
      for (let y: u32 = 0; y < oh; y++) {
        for (let x: u32 = 0; x < ow; x++) {
          let value: f32;
          if (kind == POOL_MAX) {
            value = -Infinity;
            const y0 = <i32>y * sH - padTop, x0 = <i32>x * sW - padLeft;
            for (let i: i32 = 0; i < kH; i++) {
              const iy = y0 + i * dH;
              if (iy < 0 || iy >= h) continue;
              for (let j: i32 = 0; j < kW; j++) {
                const ix = x0 + j * dW;
                if (ix < 0 || ix >= w) continue;
                const v = loadF32(plane + <usize>(<isize>iy * s2 + <isize>ix * s3), dtype);
                if (v > value || v != v) value = v;
              }
            }
          } else {
            let top: i32, left: i32, bottom: i32, right: i32, divisor: f32;
            if (kind == POOL_AVG) {
              top = <i32>y * sH - padTop;
              left = <i32>x * sW - padLeft;
              bottom = min<i32>(top + kH, h + padBottom);
              right = min<i32>(left + kW, w + padRight);
              const padded = <f32>((bottom - top) * (right - left));
              top = max<i32>(top, 0);
              left = max<i32>(left, 0);
              bottom = min<i32>(bottom, h);
              right = min<i32>(right, w);
              divisor = includePad ? padded : <f32>((bottom - top) * (right - left));
            } else {
              top = adaptiveStart(y, oh, h);
              bottom = adaptiveEnd(y, oh, h);
              left = adaptiveStart(x, ow, w);
              right = adaptiveEnd(x, ow, w);
              divisor = <f32>((bottom - top) * (right - left));
            }
            let sum: f32 = 0;
            for (let iy = top; iy < bottom; iy++) {
              for (let ix = left; ix < right; ix++) sum += loadF32(plane + <usize>(<isize>iy * s2 + <isize>ix * s3), dtype);
            }
            value = top >= bottom || left >= right ? 0 : sum / divisor;
          }
          storeF32(out, dtype, value);
          out += size;
        }
      }
    }
  }
}
