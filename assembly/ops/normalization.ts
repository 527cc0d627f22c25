// OP_NORM: batch norm in inference, group norm and RMS norm (torch.nn.functional.batch_norm with
// training=False, group_norm, rms_norm) over a contiguous input viewed as [N, C, M]: N samples
// (or rows), C channels, M elements per channel (the spatial dims). Channels fall into G groups
// of C/G; the output is contiguous like the input, in the command's dtype. params:
//
//   [0] N   [1] C   [2] M   [3] G   [4] eps (f32)
//   [5..7) weight address (u64, 0: none), C elements of dtype word 2
//   [7..9) bias address (u64, 0: none), C elements of dtype word 2
//   [9..11) running mean, [11..13) running variance (u64; batch norm), C elements of dtype word 3
//
// Operand 1's dtype (word 1) is the input's. Kinds:
//   NORM_BATCH  y = (x − mean[c]) / √(var[c] + eps) · w[c] + b[c], folded per channel into one
//               scale and shift (as ATen's batch_norm_cpu_transform_input does)
//   NORM_GROUP  mean and biased variance over each (n, group) of C/G · M elements, then as above
//   NORM_RMS    y = x / √(mean(x²) + eps) · w[c] over each (n, group); rms_norm is [rows, D, 1]
//               with G = 1, so w is per element of the normalised dims
// Statistics accumulate in f64; values are read and written through float32.

import { COMMAND_ARG0, COMMAND_COUNT, COMMAND_DST, COMMAND_DTYPE, COMMAND_SRC0, DTYPE_FLOAT32 } from "../abi";
import { STATUS_BAD_ARGS, STATUS_OK } from "../status";
import { checkRange, timingOnly } from "../device-memory";
import { readOperand, writeOperand } from "../timing/memory-levels";
import { timeNormalization } from "../timing/normalization";
import { dtypeBytes } from "../kernels/dtype";
import { isFloating, loadF32, storeF32 } from "../kernels/convert";
import { ARGS_DTYPE, ARGS_KIND, argWord, checkCommandArgs, param, paramAddress, paramFloat } from "./args";

export const NORM_BATCH: u32 = 0;
export const NORM_GROUP: u32 = 1;
export const NORM_RMS: u32 = 2;
export const NORM_KINDS: u32 = 3;

/** OP_NORM; see the file comment. */
export function normalization(command: usize): u32 {
  let status = checkCommandArgs(command);
  if (status != STATUS_OK) return status;
  const dtype = load<u32>(command + COMMAND_DTYPE);
  const args = <usize>load<u32>(command + COMMAND_ARG0);
  const kind = argWord(args, ARGS_KIND);
  const inType = argWord(args, ARGS_DTYPE);
  const affineType = argWord(args, ARGS_DTYPE + 1);
  const statsType = argWord(args, ARGS_DTYPE + 2);
  const n = param(args, 0), c = param(args, 1), m = param(args, 2), g = param(args, 3);
  const eps = <f64>paramFloat(args, 4);
  const weight64 = paramAddress(args, 5);
  const bias64 = paramAddress(args, 7);
  const mean64 = paramAddress(args, 9);
  const var64 = paramAddress(args, 11);
  if (kind >= NORM_KINDS || !isFloating(dtype) || !isFloating(inType)) return STATUS_BAD_ARGS;
  if (g == 0 || c % g != 0) return STATUS_BAD_ARGS;
  if ((weight64 != 0 || bias64 != 0) && !isFloating(affineType)) return STATUS_BAD_ARGS;
  if (kind == NORM_BATCH && (mean64 == 0 || var64 == 0 || !isFloating(statsType))) return STATUS_BAD_ARGS;
  const count = <u64>n * c * m;
  if (count != load<u64>(command + COMMAND_COUNT)) return STATUS_BAD_ARGS;
  const dst64 = load<u64>(command + COMMAND_DST);
  const src64 = load<u64>(command + COMMAND_SRC0);
  const inSize = dtypeBytes(inType), outSize = dtypeBytes(dtype);
  const affineSize = dtypeBytes(affineType), statsSize = dtypeBytes(statsType);
  status = checkRange(src64, count * inSize, inSize);
  if (status == STATUS_OK) status = checkRange(dst64, count * outSize, outSize);
  if (status == STATUS_OK && weight64 != 0) status = checkRange(weight64, <u64>c * affineSize, affineSize);
  if (status == STATUS_OK && bias64 != 0) status = checkRange(bias64, <u64>c * affineSize, affineSize);
  if (status == STATUS_OK && kind == NORM_BATCH) status = checkRange(mean64, <u64>c * statsSize, statsSize);
  if (status == STATUS_OK && kind == NORM_BATCH) status = checkRange(var64, <u64>c * statsSize, statsSize);
  if (status != STATUS_OK) return status;
  if (count == 0) {
    timeNormalization(kind, 0, 0, 0, 0, 0, false);
    return STATUS_OK;
  }
  readOperand(<f64>src64, <f64>(count * inSize));
  const vectorBytes = <f64>c * affineSize;
  if (weight64 != 0) readOperand(<f64>weight64, vectorBytes);
  if (bias64 != 0) readOperand(<f64>bias64, vectorBytes);
  if (kind == NORM_BATCH) {
    readOperand(<f64>mean64, <f64>c * statsSize);
    readOperand(<f64>var64, <f64>c * statsSize);
  }
  writeOperand(<f64>dst64, <f64>(count * outSize));
  const groupElements = <f64>(c / g) * <f64>m;
  timeNormalization(kind, <f64>count, <f64>count * inSize, <f64>count * outSize, groupElements * inSize, <f64>(kind == NORM_BATCH ? c : <u64>n * g), weight64 != 0);
  if (timingOnly) return STATUS_OK;

  const src = <usize>src64, dst = <usize>dst64;
  const weight = <usize>weight64, bias = <usize>bias64;
  const perGroup = c / g;
  const plane = <usize>m;
  for (let s: u32 = 0; s < n; s++) {
    for (let grp: u32 = 0; grp < g; grp++) {
      const first = (<usize>s * c + <usize>grp * perGroup) * plane;
      // The group's statistics (batch norm has them per channel, from the running ones).
      let mean: f64 = 0, inverse: f64 = 1;
      if (kind != NORM_BATCH) {
        const length = <usize>perGroup * plane;
        let sum: f64 = 0, squares: f64 = 0;
        if (inType == DTYPE_FLOAT32) {
          sumsF32(src + first * 4, length, 0);
          sum = sumOf;
          squares = squaresOf;
        } else {
          for (let i: usize = 0; i < length; i++) {
            const x = <f64>loadF32(src + (first + i) * inSize, inType);
            sum += x;
            squares += x * x;
          }
        }
        if (kind == NORM_GROUP) {
          mean = sum / <f64>length;
          let centred: f64 = 0;
          if (inType == DTYPE_FLOAT32) {
            sumsF32(src + first * 4, length, mean);
            centred = squaresOf;
          } else {
            for (let i: usize = 0; i < length; i++) {
              const d = <f64>loadF32(src + (first + i) * inSize, inType) - mean;
              centred += d * d;
            }
          }
          inverse = 1 / Math.sqrt(centred / <f64>length + eps);
        } else {
          inverse = 1 / Math.sqrt(squares / <f64>length + eps);
        }
      }
      if (kind == NORM_RMS && plane == 1 && inType == DTYPE_FLOAT32 && dtype == DTYPE_FLOAT32 && bias == 0 && (weight == 0 || affineType == DTYPE_FLOAT32)) {
        rmsRowF32(dst + first * 4, src + first * 4, perGroup, <f32>inverse, weight);
        continue;
      }
      for (let ch: u32 = 0; ch < perGroup; ch++) {
        const channel = grp * perGroup + ch;
        let a = inverse, b = -mean * inverse;
        if (kind == NORM_BATCH) {
          const mu = <f64>loadF32(<usize>mean64 + <usize>channel * statsSize, statsType);
          const variance = <f64>loadF32(<usize>var64 + <usize>channel * statsSize, statsType);
          a = 1 / Math.sqrt(variance + eps);
          b = -mu * a;
        }
        if (weight != 0) {
          const w = <f64>loadF32(weight + <usize>channel * affineSize, affineType);
          a *= w;
          b *= w;
        }
        if (bias != 0) b += <f64>loadF32(bias + <usize>channel * affineSize, affineType);
        const at = first + <usize>ch * plane;
        if (inType == DTYPE_FLOAT32 && dtype == DTYPE_FLOAT32) {
          affineF32(dst + at * 4, src + at * 4, plane, <f32>a, <f32>b);
          continue;
        }
        for (let i: usize = 0; i < plane; i++) {
          storeF32(dst + (at + i) * outSize, dtype, <f32>(<f64>loadF32(src + (at + i) * inSize, inType) * a + b));
        }
      }
    }
  }
  return STATUS_OK;
}

/** Σ(x − shift) and Σ(x − shift)² of sumsF32's last call. */
let sumOf: f64 = 0;
let squaresOf: f64 = 0;

/** Σ(x − shift) and Σ(x − shift)² over `n` contiguous float32 at `p`, accumulated in f64 (two f64x2 lanes pairs). */
function sumsF32(p: usize, n: usize, shift: f64): void {
  const centre = f64x2.splat(shift);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), q0 = f64x2.splat(0), q1 = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(p + (i << 2));
    const lo = f64x2.sub(f64x2.promote_low_f32x4(x), centre);
    const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)), centre);
    s0 = f64x2.add(s0, lo);
    s1 = f64x2.add(s1, hi);
    q0 = f64x2.add(q0, f64x2.mul(lo, lo));
    q1 = f64x2.add(q1, f64x2.mul(hi, hi));
  }
  const s = f64x2.add(s0, s1), q = f64x2.add(q0, q1);
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let squares = f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1);
  for (; i < n; i++) {
    const d = <f64>load<f32>(p + (i << 2)) - shift;
    sum += d;
    squares += d * d;
  }
  sumOf = sum;
  squaresOf = squares;
}

/** y = x · a + b over `n` contiguous float32 (in float32, as ATen's CPU kernels compute it). */
function affineF32(y: usize, x: usize, n: usize, a: f32, b: f32): void {
  const va = f32x4.splat(a), vb = f32x4.splat(b);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (i << 2), f32x4.add(f32x4.mul(v128.load(x + (i << 2)), va), vb));
  for (; i < n; i++) store<f32>(y + (i << 2), load<f32>(x + (i << 2)) * a + b);
}

/** y = (x · r) · w over a row of `n` contiguous float32 (w: float32 weights, 0 for none), as ATen's rms_norm computes it. */
function rmsRowF32(y: usize, x: usize, n: usize, r: f32, w: usize): void {
  const vr = f32x4.splat(r);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const scaled = f32x4.mul(v128.load(x + (i << 2)), vr);
    v128.store(y + (i << 2), w != 0 ? f32x4.mul(scaled, v128.load(w + (i << 2))) : scaled);
  }
  for (; i < n; i++) store<f32>(y + (i << 2), load<f32>(x + (i << 2)) * r * (w != 0 ? load<f32>(w + (i << 2)) : 1));
}
