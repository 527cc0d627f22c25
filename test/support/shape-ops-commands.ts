// Raw commands of the elementwise kinds and the pad, resize, cumsum and topk ops for the core
// tier (core-harness.ts): each writes its argument block as the host does (src/tensor/*.ts),
// runs the command on a fresh core in timing-only mode (contiguous operands at fixed heap
// offsets, nothing resident) and returns its op record's body cycles and bound.

import { expect } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from './core-harness.js';

/** Bytes of each dtype code. */
export const dtypeBytes: Record<number, number> = {
  [L.DTYPE_FLOAT32]: 4, [L.DTYPE_FLOAT16]: 2, [L.DTYPE_BFLOAT16]: 2, [L.DTYPE_INT8]: 1, [L.DTYPE_INT32]: 4, [L.DTYPE_BOOL]: 1,
};

/** What one command's record says. */
export interface Timed {
  bodyCycles: number;
  bodyNs: number;
  bound: number;
  dramBytes: number;
  sramBytes: number;
}

const GiB = 2 ** 30;
/** Where operands go: far apart in a 64 GiB timing-only memory. */
const OPERAND_STRIDE = 8 * GiB;

/** A booted timing-only core. */
export function timingCore(): CoreHarness {
  const h = new CoreHarness(0, {}, L.ABI_VERSION, 64 * GiB);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** Heap address of operand `k` (0, 1, 2). */
export const operand = (h: CoreHarness, k: number) => h.heap(k * OPERAND_STRIDE);

/** Row-major strides of `shape`. */
export const contiguous = (shape: readonly number[]) => shape.map((_, d) => shape.slice(d + 1).reduce((n, s) => n * s, 1));

/** Writes an iteration (shape, per-operand strides) and `kind` into a fresh argument block; returns it. */
export function argsWith(h: CoreHarness, kind: number, shape: readonly number[], strides: readonly (readonly number[])[]): number {
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_RANK] = shape.length;
  h.u32[word + L.ARGS_KIND] = kind;
  shape.forEach((size, d) => (h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
  strides.forEach((list, k) => list.forEach((stride, d) => (h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, stride))));
  return args;
}

/** Runs the last pushed command; fails the test on a fault; returns its record. */
export function run(h: CoreHarness): Timed {
  h.core.drain(1);
  expect(h.fault(0).count).toBe(0);
  const bodyCycles = h.record(L.RECORD_BODY_CYCLES);
  return {
    bodyCycles, bodyNs: (bodyCycles / v2.clockHz) * 1e9, bound: h.record(L.RECORD_BOUND),
    dramBytes: h.record(L.RECORD_DRAM_BYTES), sramBytes: h.record(L.RECORD_SRAM_BYTES),
  };
}

/** Pushes a contiguous unary op `kind` over `count` elements of `dtype` (src operand 0, dst operand 1). */
export function pushUnary(h: CoreHarness, kind: number, count: number, dtype = L.DTYPE_FLOAT32): void {
  const args = argsWith(h, kind, [count], [[1], [1]]);
  h.u32[args / 4 + L.ARGS_DTYPE] = dtype;
  h.push({ opcode: L.OP_UNARY, dtype, dst: operand(h, 1), src0: operand(h, 0), count, arg0: args });
}

/** Pushes a constant pad of a contiguous `shape` by torch's `pad` list (src operand 0, dst operand 1). */
export function pushPad(h: CoreHarness, shape: readonly number[], pad: readonly number[], mode = L.PAD_CONSTANT, dtype = L.DTYPE_FLOAT32): number {
  const rank = shape.length;
  const low = shape.map((_, d) => pad[2 * (rank - 1 - d)] ?? 0);
  const out = shape.map((s, d) => s + low[d]! + (pad[2 * (rank - 1 - d) + 1] ?? 0));
  const count = out.reduce((n, s) => n * s, 1);
  const args = argsWith(h, mode, out, [contiguous(out), contiguous(shape), low, shape]);
  h.u32[args / 4 + L.ARGS_DTYPE] = dtype;
  h.push({ opcode: L.OP_PAD, dtype, dst: operand(h, 1), src0: operand(h, 0), count, arg0: args });
  return count;
}

/** Pushes a cumsum along the rows of a contiguous rows × length tensor (src operand 0, dst operand 1). */
export function pushCumsum(h: CoreHarness, rows: number, length: number, dtype = L.DTYPE_FLOAT32): void {
  const args = argsWith(h, 0, [rows, length], [[length, 1], [length, 1]]);
  h.u32[args / 4 + L.ARGS_DTYPE] = dtype;
  h.push({ opcode: L.OP_CUMSUM, dtype, dst: operand(h, 1), src0: operand(h, 0), count: rows * length, arg0: args });
}

/** Pushes topk(k) along the rows of a contiguous rows × length tensor (src 0, values 1, indices 2). */
export function pushTopk(h: CoreHarness, rows: number, length: number, k: number, dtype = L.DTYPE_FLOAT32): void {
  const args = argsWith(h, 0, [rows, length], [[k, 1], [length, 1], [], [k, 1]]);
  const word = args / 4;
  h.u32[word + L.ARGS_DTYPE + 2] = L.DTYPE_INT32;
  new BigUint64Array(h.memory.buffer, args + L.ARGS_ADDRESS3 * 4, 1)[0] = BigInt(operand(h, 2));
  h.u32[word + L.ARGS_PARAMS] = k;
  h.u32[word + L.ARGS_PARAMS + 1] = 1;
  h.push({ opcode: L.OP_TOPK, dtype, dst: operand(h, 1), src0: operand(h, 0), count: rows * k, arg0: args });
}

/** Pushes a resize of contiguous NCHW `input` to out H × W (src operand 0, dst operand 1). */
export function pushResize(h: CoreHarness, input: readonly number[], outH: number, outW: number, mode: number, dtype = L.DTYPE_FLOAT32): number {
  const out = [input[0]!, input[1]!, outH, outW];
  const args = argsWith(h, mode, out, [contiguous(out), contiguous(input), [], input]);
  const word = args / 4;
  h.u32[word + L.ARGS_DTYPE] = dtype;
  new Float64Array(h.memory.buffer, args + L.ARGS_PARAMS * 4, 2).set([outH / input[2]!, outW / input[3]!]);
  h.u32[word + L.ARGS_PARAMS + 4] = L.TRANSFORM_HALF_PIXEL;
  const count = out.reduce((n, s) => n * s, 1);
  h.push({ opcode: L.OP_RESIZE, dtype, dst: operand(h, 1), src0: operand(h, 0), count, arg0: args });
  return count;
}

/**
 * Relative slack of "never cheaper when the work grows": the step count is chosen (streaming.ts),
 * but an op of fewer than 64 SE vectors runs one vector per PE on as many PEs as it has vectors,
 * and where its bytes per element fall as it grows (a pad or resize whose output grows while its
 * input stays) the busiest PE's fabric bytes fall with them: up to 1.1 % at a few elements.
 */
export const GROWTH_TOLERANCE = 0.015;

/**
 * The timing invariants of an op, checked over `cases` (pairs of a case and a case with more
 * work): the body is at least the physical floor (physical-floor.ts) of its work, and the
 * bigger case's body at least (1 - GROWTH_TOLERANCE) of the smaller's. `measure` runs one case on a fresh
 * timing-only core and returns its record and its physical floor in ns.
 */
export function checkInvariants<T>(small: T, large: T, measure: (c: T) => { timed: Timed; floorNs: number }): void {
  const a = measure(small);
  const b = measure(large);
  expect(a.timed.bodyNs).toBeGreaterThanOrEqual(a.floorNs);
  expect(b.timed.bodyNs).toBeGreaterThanOrEqual(b.floorNs);
  expect(b.timed.bodyNs).toBeGreaterThanOrEqual(a.timed.bodyNs * (1 - GROWTH_TOLERANCE));
}
