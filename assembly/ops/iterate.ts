// Row-by-row iteration over a strided N-d argument block (ops/args.ts): the last dim is a row,
// the dims before it are counted here. The host coalesces dims first, so rows are long.
// Kernels run only in values mode, where every size and stride lies in device memory (a wasm32
// memory): rowLength and rowStride narrow the block's 64-bit words (ops/args.ts) for them.

import { MAX_RANK, shapeAt, strideAt } from "./args";

/** Counters of the outer dims of the current row (static: the core allocates nothing). */
const counters = memory.data(<i32>MAX_RANK * 4);

/** Number of rows: the product of every size but the last (1 for rank ≤ 1). */
export function rowCount(args: usize, rank: u32): u64 {
  let rows: u64 = 1;
  for (let d: u32 = 0; d + 1 < rank; d++) rows *= shapeAt(args, d);
  return rows;
}

/** Length of a row: the last size (1 for rank 0); for kernels (values mode: below 2^32). */
// @ts-ignore: decorator
@inline export function rowLength(args: usize, rank: u32): u32 {
  return rank == 0 ? 1 : <u32>shapeAt(args, rank - 1);
}

/** Stride of operand `k` along a row (0 for rank 0); for kernels (values mode: within i32). */
// @ts-ignore: decorator
@inline export function rowStride(args: usize, k: u32, rank: u32): i32 {
  return rank == 0 ? 0 : <i32>strideAt(args, k, rank - 1);
}

/** Resets the counters to the first row. */
export function firstRow(): void {
  memory.fill(counters, 0, <usize>MAX_RANK * 4);
}

/** Element offset of operand `k` at the start of the current row. */
export function rowOffset(args: usize, k: u32, rank: u32): i64 {
  let offset: i64 = 0;
  for (let d: u32 = 0; d + 1 < rank; d++) {
    offset += <i64>load<u32>(counters + (<usize>d << 2)) * strideAt(args, k, d);
  }
  return offset;
}

/** Moves the counters to the next row (row-major order). */
export function nextRow(args: usize, rank: u32): void {
  if (rank < 2) return;
  let d = <i32>rank - 2;
  while (d >= 0) {
    const at = counters + (<usize>d << 2);
    const next = load<u32>(at) + 1;
    if (next < shapeAt(args, <u32>d)) {
      store<u32>(at, next);
      return;
    }
    store<u32>(at, 0);
    d--;
  }
}

/** Byte address of operand `k` (base `address`, element `size`) at the current row's start. */
// @ts-ignore: decorator
@inline export function rowAddress(args: usize, k: u32, rank: u32, address: u32, size: u32): usize {
  return <usize>(<i64>address + rowOffset(args, k, rank) * <i64>size);
}
