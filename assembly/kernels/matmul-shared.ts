// One float32 matmul computed by several threads at once on shared memory. The threads pack B
// together, a chunk at a time from a shared counter, into one buffer that holds a span of B's
// columns over all of K (all of B, unless it is larger than SHARED_PANEL_BYTES), meet at a
// barrier, then take blocks of SHARED_BLOCK_M rows of A one at a time from another counter:
// for each block, the thread packs the block's A into its own buffer, one KC slice at a time,
// and multiplies it with every BLOCK_N-wide part of the packed span (the register tiles of
// matmul.ts), so the block's part of C is done by one thread in K order and needs no barrier.
// Blocks taken from a counter, not dealt out in advance, and one barrier per span, not per
// panel as in BLIS's parallel "IC loop" (Smith, van de Geijn et al., "Anatomy of
// High-Performance Many-Threaded Matrix Multiplication", IPDPS 2014), keep every thread busy to
// the end even when one of them shares its core with other work (the host thread reading
// results back, for one): a thread that is descheduled holds up the others by one block at most.
//
// Every element of C gets the same multiply-adds in the same order as matmulF32 gives it
// (blockProduct, K slices in order), so the result is the same bit for bit whatever the number
// of threads. The threads coordinate through a SYNC_BYTES block of i32 words, zero at the start.

import { blockProduct, BLOCK_K, BLOCK_N, packA, packB, TILE_N } from "./matmul";

/**
 * Rows of A a thread takes at a time. Few: the packed block (8 KiB) and the B strip it meets
 * (8 KiB) stay in L1 together, and the last blocks even out the threads. Measured with two
 * threads at n = 512 and 1024 (docs/benchmarks.md "Kernel threads"): 8 rows ran 3–19 % faster
 * than 4, 16, 24 and 32.
 */
export const SHARED_BLOCK_M: u32 = 8;
/** Columns of B a thread packs at a time (per KC slice). */
const PACK_CHUNK: u32 = 64;
/** Atomic polls of a barrier before a thread sleeps on it (a few microseconds). */
const BARRIER_SPINS = 1 << 14;

/** The sync block's words (byte offsets): next pack chunk, next block of A, arrivals, barrier generation. */
const SYNC_PACK_NEXT: usize = 0;
const SYNC_BLOCK_NEXT: usize = 4;
const SYNC_ARRIVED: usize = 8;
const SYNC_GENERATION: usize = 12;
/** Bytes of a job's sync block. */
export const SYNC_BYTES: u32 = 16;

/** Bytes of the shared buffer of packed B (`bp`): 16 MiB, all of B up to 2048 × 2048. */
export const SHARED_PANEL_BYTES: u32 = 16 << 20;
/** Largest K the shared buffer takes: one strip of TILE_N columns packed over all of K. */
export const SHARED_MAX_K: u32 = SHARED_PANEL_BYTES / (TILE_N * 4 * BLOCK_K) * BLOCK_K;
/** Bytes of each thread's own A block buffer (`ap`). */
export const SHARED_BLOCK_BYTES: u32 = SHARED_BLOCK_M * BLOCK_K * 4;

/**
 * Waits until all `threads` threads have called it (a sense-reversing barrier on a generation
 * word). The last to arrive resets the work counters for the next phase before it lets the
 * others go, when none of them can be taking from the counters.
 */
function barrier(sync: usize, threads: u32): void {
  const generation = atomic.load<i32>(sync, SYNC_GENERATION);
  if (<u32>atomic.add<i32>(sync, 1, SYNC_ARRIVED) == threads - 1) {
    atomic.store<i32>(sync, 0, SYNC_ARRIVED);
    atomic.store<i32>(sync, 0, SYNC_PACK_NEXT);
    atomic.store<i32>(sync, 0, SYNC_BLOCK_NEXT);
    atomic.store<i32>(sync, generation + 1, SYNC_GENERATION);
    atomic.notify(sync + SYNC_GENERATION);
    return;
  }
  for (let spin = 0; spin < BARRIER_SPINS; spin++) {
    if (atomic.load<i32>(sync, SYNC_GENERATION) != generation) return;
  }
  while (atomic.load<i32>(sync, SYNC_GENERATION) == generation) memory.atomic.wait32(sync + SYNC_GENERATION, generation, -1);
}

/** Takes the next index from the counter at `sync + word`. */
// @ts-ignore: decorator
@inline function take(sync: usize, word: usize): u32 {
  return <u32>atomic.add<i32>(sync + word, 1);
}

/**
 * This thread's part of C[m × n] = A[m × k] · B[k × n] (matmulF32's operands and dtypes, 1 ≤
 * k ≤ SHARED_MAX_K), which `threads` threads compute by calling this at once with the same operands and `sync`
 * block (zeroed before the first call): `bp` is the packed-B buffer all of them share
 * (SHARED_PANEL_BYTES), `ap` this thread's own block buffer (SHARED_BLOCK_BYTES) and `edge` its
 * edge-tile buffer (EDGE_TILE_BYTES). Returns when this thread finds no block left to take.
 */
export function matmulF32Shared(
  c: usize, ldc: u32, a: usize, aRow: isize, aCol: isize, b: usize, bRow: isize, bCol: isize,
  dtype: u32, size: u32, m: u32, n: u32, k: u32, threads: u32, sync: usize, bp: usize, ap: usize, edge: usize,
): void {
  const ldcBytes = <usize>ldc << 2;
  const slices = (k + BLOCK_K - 1) / BLOCK_K;
  const blocks = (m + SHARED_BLOCK_M - 1) / SHARED_BLOCK_M;
  // A span: as many columns as fit the buffer packed over all K slices (whole BLOCK_N panels
  // when one fits, else whole strips), each slice (KC rows by the span's columns, in TILE_N-
  // column strips) `sliceBytes` apart.
  let spanMax = SHARED_PANEL_BYTES / (slices * BLOCK_K * 4) / TILE_N * TILE_N;
  if (spanMax > BLOCK_N) spanMax = spanMax / BLOCK_N * BLOCK_N;
  for (let j0: u32 = 0; j0 < n; j0 += spanMax) {
    const span = min<u32>(spanMax, n - j0);
    const sliceBytes = <usize>BLOCK_K * <usize>((span + TILE_N - 1) / TILE_N * TILE_N) * 4;
    const chunksPerSlice = (span + PACK_CHUNK - 1) / PACK_CHUNK;
    for (let t = take(sync, SYNC_PACK_NEXT); t < slices * chunksPerSlice; t = take(sync, SYNC_PACK_NEXT)) {
      const pc = t / chunksPerSlice * BLOCK_K;
      const j = t % chunksPerSlice * PACK_CHUNK;
      const kc = min<u32>(BLOCK_K, k - pc);
      const strips = bp + <usize>(pc / BLOCK_K) * sliceBytes + <usize>(j / TILE_N) * kc * 32;
      packB(strips, b + <usize>((<isize>pc * bRow + <isize>(j0 + j) * bCol) * size), dtype, size, bRow, bCol, kc, min<u32>(PACK_CHUNK, span - j));
    }
    barrier(sync, threads);
    for (let t = take(sync, SYNC_BLOCK_NEXT); t < blocks; t = take(sync, SYNC_BLOCK_NEXT)) {
      const ic = t * SHARED_BLOCK_M;
      const mc = min<u32>(SHARED_BLOCK_M, m - ic);
      for (let jc: u32 = 0; jc < span; jc += BLOCK_N) {
        const nc = min<u32>(BLOCK_N, span - jc);
        const cBlock = c + <usize>ic * ldcBytes + (<usize>(j0 + jc) << 2);
        for (let pc: u32 = 0; pc < k; pc += BLOCK_K) {
          const kc = min<u32>(BLOCK_K, k - pc);
          packA(ap, a + <usize>((<isize>ic * aRow + <isize>pc * aCol) * size), dtype, size, aRow, aCol, mc, kc);
          const panel = bp + <usize>(pc / BLOCK_K) * sliceBytes + <usize>(jc / TILE_N) * kc * 32;
          blockProduct(cBlock, ldcBytes, ap, panel, mc, nc, kc, pc > 0, edge);
        }
      }
    }
    // The next span is packed over this one: every thread must be done with it.
    if (j0 + span < n) barrier(sync, threads);
  }
}
