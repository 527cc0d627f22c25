// The GEMM timing invariants of issue 20 ("never faster than physics, never cheaper for more
// work"), through the core's exports in timing-only mode (virtual memory: huge shapes cost no
// bytes), on MTIA 2i:
//
//   - a GEMM's body is never below its physical floor (test/support/physical-floor.ts: MACs at
//     the dtype's peak, the operands and output through SRAM once, cold operands from DRAM),
//     cold (operands never touched) and warm (the second of two runs);
//   - along a sweep of one dimension (M, N, K or the batch), the body never drops by more than
//     3 % when that dimension grows.
//
// Random shapes come from fast-check with a fixed seed, so a failure is reproducible. The
// dtypes are float32, float16, bfloat16 (OP_MATMUL) and int8 (OP_QUANTIZED_LINEAR).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { physicalFloorNs, type PhysicalWork } from '../support/physical-floor.js';

const GiB = 2 ** 30;
/** Largest drop of the body (fraction) allowed when one dimension grows. */
const DROP_TOLERANCE = 0.03;
const SEED = 20;

type GemmDtype = 'float32' | 'float16' | 'bfloat16' | 'int8';
const DTYPES: readonly GemmDtype[] = ['float32', 'float16', 'bfloat16', 'int8'];
const CODE = { float32: L.DTYPE_FLOAT32, float16: L.DTYPE_FLOAT16, bfloat16: L.DTYPE_BFLOAT16, int8: L.DTYPE_INT8 };
const BYTES = { float32: 4, float16: 2, bfloat16: 2, int8: 1 };

/** One GEMM: batches × (M×K · K×N) in dtype. int8 is a quantizedLinear (no batch). */
interface Gemm {
  batches: number;
  m: number;
  n: number;
  k: number;
  dtype: GemmDtype;
}

/** A timing-only MTIA 2i core with a bump allocator over its virtual memory. */
class GemmBench {
  readonly h = new CoreHarness(0, {}, L.ABI_VERSION, 256 * GiB);
  private next = 0;

  constructor() {
    expect(this.h.core.boot()).toBe(S.STATUS_OK);
  }

  /** `bytes` of fresh (never touched, so cold) device memory. */
  alloc(bytes: number): number {
    const address = this.h.heap(this.next);
    this.next += Math.ceil(Math.max(bytes, 1) / 4096) * 4096;
    if (this.next > 250 * GiB) throw new Error('the bench ran out of virtual memory');
    return address;
  }

  /** Fresh operands for `g`. */
  operands(g: Gemm): number[] {
    const size = BYTES[g.dtype];
    const outSize = g.dtype === 'int8' ? 4 : size;
    return [
      this.alloc(g.batches * g.m * g.k * size), this.alloc(g.batches * g.k * g.n * size),
      this.alloc(g.batches * g.m * g.n * outSize), this.alloc(4 * (g.m + g.n)), this.alloc((g.n + 1) * (g.k + 64) * 2 + g.m * g.n * 4 + (1 << 20)),
    ];
  }

  /** Runs `g` on `operands` and returns its body in ns and its DRAM bytes. */
  run(g: Gemm, [a, b, c, scales, workspace]: number[]): { bodyNs: number } {
    const h = this.h;
    const args = h.argsBlock();
    const word = args / 4;
    const params = (values: number[]) => values.forEach((v, i) => (h.u32[word + L.ARGS_PARAMS + i] = v));
    const u64 = (v: number): [number, number] => [v % 2 ** 32, Math.floor(v / 2 ** 32)];
    if (g.dtype === 'int8') {
      h.u32[word + L.ARGS_DTYPE] = L.DTYPE_INT8;
      h.u32[word + L.ARGS_DTYPE + 1] = L.DTYPE_INT8;
      // M N K, A strides (k, 1), B = weightᵀ strides (1, k), A's and B's scales, the workspace.
      params([g.m, g.n, g.k, g.k, 1, 1, g.k, ...u64(scales!), ...u64(scales! + 4 * g.m), ...u64(workspace!)]);
      h.push({ opcode: L.OP_QUANTIZED_LINEAR, dtype: L.DTYPE_FLOAT32, dst: c, src0: a, src1: b, count: g.m * g.n, arg0: args });
    } else {
      const dtype = CODE[g.dtype];
      h.u32[word + L.ARGS_DTYPE] = dtype;
      h.u32[word + L.ARGS_DTYPE + 1] = dtype;
      if (g.batches > 1) {
        h.u32[word + L.ARGS_RANK] = 1;
        h.setWide(word + L.ARGS_SHAPE, g.batches);
        [g.m * g.n, g.m * g.k, g.k * g.n].forEach((stride, operand) => (h.setWide(word + L.ARGS_STRIDES + 16 * operand, stride)));
      }
      // M N K, A strides (k, 1), B strides (n, 1), no bias, the workspace and its bytes.
      params([g.m, g.n, g.k, g.k, 1, g.n, 1, 0, 0, 0, ...u64(workspace!), 0x7fffffff]);
      h.push({ opcode: L.OP_MATMUL, dtype, dst: c, src0: a, src1: b, count: g.batches * g.m * g.n, arg0: args });
    }
    h.core.drain(1);
    expect(h.fault().count).toBe(0);
    return { bodyNs: (h.record(L.RECORD_BODY_CYCLES) / v2.clockHz) * 1e9 };
  }

  /** The body (ns) of `g` cold (fresh operands), and warm (the same again). */
  coldAndWarm(g: Gemm): { coldNs: number; warmNs: number } {
    const operands = this.operands(g);
    const coldNs = this.run(g, operands).bodyNs;
    return { coldNs, warmNs: this.run(g, operands).bodyNs };
  }
}

/** The physical floor of `g` in ns; `cold`: its operands must come from DRAM. */
function gemmFloorNs(g: Gemm, cold: boolean): number {
  const size = BYTES[g.dtype];
  const operands = g.batches * (g.m * g.k + g.k * g.n) * size + (g.dtype === 'int8' ? 4 * (g.m + g.n) : 0);
  const output = g.batches * g.m * g.n * (g.dtype === 'int8' ? 4 : size);
  const work: PhysicalWork = {
    macs: g.batches * g.m * g.n * g.k,
    macDtype: g.dtype,
    sramBytes: operands + output,
    dramBytes: cold ? operands : 0,
  };
  return physicalFloorNs(v2, work);
}

/** A dimension from 1 to `max`, log-uniform-ish: small, tile-sized and large shapes all come up. */
const dim = (max: number) =>
  fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 1024 }), fc.integer({ min: 1025, max }));

const gemmShape = fc.record({
  dtype: fc.constantFrom(...DTYPES),
  batches: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 8 })),
  m: dim(4096),
  n: dim(4096),
  k: dim(16384),
}).map((g): Gemm => (g.dtype === 'int8' ? { ...g, batches: 1 } : g));

describe('GEMM timing invariants (MTIA 2i, timing-only)', () => {
  test('a GEMM is never faster than its physical floor, cold or warm', () => {
    const bench = new GemmBench();
    let worst = Infinity;
    fc.assert(
      fc.property(gemmShape, (g) => {
        const { coldNs, warmNs } = bench.coldAndWarm(g);
        worst = Math.min(worst, coldNs / gemmFloorNs(g, true), warmNs / gemmFloorNs(g, false));
        expect(coldNs, `cold ${JSON.stringify(g)}`).toBeGreaterThanOrEqual(gemmFloorNs(g, true) * (1 - 1e-12));
        expect(warmNs, `warm ${JSON.stringify(g)}`).toBeGreaterThanOrEqual(gemmFloorNs(g, false) * (1 - 1e-12));
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(worst).toBeGreaterThanOrEqual(1);
  });

  // The four cases of issue 20 finding 5 (float16, warm), each a pair where one dimension grows.
  test.each([
    ['K 320 → 321', { m: 128, n: 128, k: 320 }, { m: 128, n: 128, k: 321 }],
    ['K 640 → 8192', { m: 128, n: 128, k: 640 }, { m: 128, n: 128, k: 8192 }],
    ['M 512 → 520', { m: 512, n: 2048, k: 2048 }, { m: 520, n: 2048, k: 2048 }],
    ['N 4096 → 4104', { m: 128, n: 4096, k: 4096 }, { m: 128, n: 4104, k: 4096 }],
  ])('finding 5, %s: more work is not cheaper', (_, small, large) => {
    const bench = new GemmBench();
    const before = bench.coldAndWarm({ ...small, batches: 1, dtype: 'float16' }).warmNs;
    const after = bench.coldAndWarm({ ...large, batches: 1, dtype: 'float16' }).warmNs;
    expect(after).toBeGreaterThanOrEqual(before * (1 - DROP_TOLERANCE));
  });

  for (const axis of ['m', 'n', 'k', 'batches'] as const) {
    test(`growing ${axis} never makes a GEMM more than 3 % cheaper, cold or warm`, () => {
      // Each point on a fresh device: an SRAM filled by earlier points would charge a cold
      // GEMM the write-back of their dirty outputs, which has nothing to do with its shape.
      const measure = (g: Gemm) => new GemmBench().coldAndWarm(g);
      const sweep = fc.record({
        base: gemmShape.filter((g) => axis !== 'batches' || g.dtype !== 'int8'),
        // Increments: by one (crossing a multiple of 32 or a wave), and by larger strides.
        steps: fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 600 })), { minLength: 6, maxLength: 10 }),
      });
      fc.assert(
        fc.property(sweep, ({ base, steps }) => {
          const start = axis === 'batches' ? { ...base, batches: 1 } : base;
          let last = measure(start);
          let g = start;
          for (const step of steps) {
            const grown = { ...g, [axis]: g[axis] + (axis === 'batches' ? Math.min(step, 3) : step) };
            const now = measure(grown);
            expect(now.coldNs, `cold ${JSON.stringify(g)} → ${axis} ${grown[axis]}`).toBeGreaterThanOrEqual(last.coldNs * (1 - DROP_TOLERANCE));
            expect(now.warmNs, `warm ${JSON.stringify(g)} → ${axis} ${grown[axis]}`).toBeGreaterThanOrEqual(last.warmNs * (1 - DROP_TOLERANCE));
            last = now;
            g = grown;
          }
        }),
        { seed: SEED, numRuns: 40 },
      );
    });
  }
});
