// The systolic teaching profile (assembly/timing/systolic.ts) against SCALE-Sim v2, through the
// core's exports only: a matmul's record must carry SCALE-Sim's reported compute cycles exactly
// and its COMPUTE_REPORT.csv percentages.
//
// Three sources, none of them the core's code:
// - SCALE-Sim v2's golden runs (scalesim-project/scale-sim-v2 @ 22f88b1,
//   configs/scale.cfg: a 32 × 32 array, CALC mode), with the utilisation and mapping
//   efficiency they report (13 GEMM × dataflow rows);
// - SCALE-Sim v2 @ 22f88b1 run on this machine for shapes of our own with partial folds, on
//   32 × 32 and on a 16-row × 8-column array (so rows and columns cannot be swapped unnoticed),
//   and for the full-precision percentages of the golden cases (the command is in
//   docs/teaching.md; `RUNS` below is COMPUTE_REPORT.csv as it wrote them);
// - SCALE-Sim v2's closed form (docs/teaching.md), written out again here.

import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import type { HardwareProfile, SystolicDataflow } from '../../src/profiles.js';
import { CoreHarness } from '../support/core-harness.js';

const MiB = 1 << 20;

/** A booted core in timing-only mode (no kernel runs; the timing is the same) with `profile`. */
function core(profile: Partial<HardwareProfile>): CoreHarness {
  const h = new CoreHarness(0, profile, L.ABI_VERSION, 256 * MiB);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** A core whose GEMMs run on one rows × cols systolic array with `dataflow`. */
function systolic(dataflow: SystolicDataflow, rows = 32, cols = 32): CoreHarness {
  return core({ systolic: { rows, cols, dataflow } });
}

/** Runs a contiguous float32 (batches ×) M×K · K×N matmul; returns its record's field reader. */
function matmul(h: CoreHarness, m: number, n: number, k: number, batches = 1): (field: number) => number {
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_DTYPE] = L.DTYPE_FLOAT32;
  h.u32[word + L.ARGS_DTYPE + 1] = L.DTYPE_FLOAT32;
  // M N K, A strides (k, 1), B strides (n, 1), no bias, workspace address and bytes (ops/matmul.ts).
  const params = [m, n, k, k, 1, n, 1, 0, 0, 0, h.heap(192 * MiB), 0, 0x7fffffff];
  params.forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
  if (batches > 1) {
    // One batch dim; per batch, C, A and B move on by a whole matrix (element strides).
    h.u32[word + L.ARGS_RANK] = 1;
    h.setWide(word + L.ARGS_SHAPE, batches);
    [m * n, m * k, k * n].forEach((stride, operand) => (h.setWide(word + L.ARGS_STRIDES + 16 * operand, stride)));
  }
  h.push({ opcode: L.OP_MATMUL, dtype: L.DTYPE_FLOAT32, dst: h.heap(128 * MiB), src0: h.heap(0), src1: h.heap(64 * MiB), count: m * n * batches, arg0: args });
  h.core.drain(1);
  expect(h.fault().count).toBe(0);
  return (field) => h.record(field);
}

/** SCALE-Sim v2's closed form: its reported compute cycles for one GEMM (the "−1" included). */
function closedForm(dataflow: SystolicDataflow, m: number, n: number, k: number, rows: number, cols: number): number {
  const [sr, sc, t] = dataflow === 'os' ? [m, n, k] : dataflow === 'ws' ? [k, n, m] : [k, m, n];
  const folds = Math.ceil(sr / rows) * Math.ceil(sc / cols);
  const perFold = dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2;
  return folds * perFold - 1;
}

/** The golden runs: [M, N, K, dataflow, reported compute cycles] on 32 × 32. */
const GOLDEN: readonly [number, number, number, SystolicDataflow, number][] = [
  [128, 64, 256, 'os', 2543],
  [128, 64, 256, 'ws', 3551],
  [128, 64, 256, 'is', 5055],
  [25, 384, 1728, 'os', 21479], // GoogLeNet Inc5b_3x3 as a GEMM
  [100, 50, 70, 'os', 1055],
  [64, 64, 64, 'os', 503],
  [8, 8, 8, 'os', 69],
  [100, 50, 70, 'ws', 1163],
  [64, 64, 64, 'ws', 631],
  [8, 8, 8, 'ws', 101],
  [100, 50, 70, 'is', 1727],
  [64, 64, 64, 'is', 631],
  [8, 8, 8, 'is', 101],
];

/**
 * SCALE-Sim v2 @ 22f88b1 run here (Python 3.11, numpy 2.4, a no-op stand-in for tqdm, which it
 * uses only for progress bars; `python3 scalesim/scale.py -c <cfg>
 * -t <topology> -p <dir> -i gemm` with configs/scale.cfg's ArrayHeight, ArrayWidth and Dataflow
 * changed): COMPUTE_REPORT.csv's Total Cycles, Overall Util %, Mapping Efficiency %,
 * Compute Util %, as written. Stall cycles were 0 in every run.
 */
type Run = readonly [m: number, n: number, k: number, cycles: number, overall: number, mapping: number, compute: number];
const RUNS: Readonly<Record<string, readonly Run[]>> = {
  'os 32x32': [
    [128, 64, 256, 2543, 80.5348014156508, 100.0, 80.50314465408805],
    [25, 384, 1728, 21479, 75.42250570324504, 78.125, 75.41899441340782],
    [100, 50, 70, 1055, 32.39780805687204, 61.03515625, 32.36712831439394],
    [64, 64, 64, 503, 50.89463220675945, 100.0, 50.79365079365079],
    [8, 8, 8, 69, 0.7246376811594203, 6.25, 0.7142857142857143],
    [33, 17, 5, 133, 2.059592340225564, 27.392578125, 2.0442222481343286],
    [70, 45, 100, 971, 31.68045185375901, 51.26953125, 31.64785879629629],
    [1, 1, 1, 62, 0.0015751008064516128, 0.09765625, 0.0015500992063492063],
    [31, 33, 65, 253, 25.666610054347824, 49.951171875, 25.565560408464567],
    [50, 100, 40, 815, 23.96472392638037, 61.03515625, 23.935355392156865],
  ],
  'ws 32x32': [
    [128, 64, 256, 3551, 57.673894677555616, 100.0, 50.592885375494056],
    [100, 50, 70, 1163, 29.389241186586414, 56.966145833333336, 25.31828703703704],
    [64, 64, 64, 631, 40.57052297939778, 100.0, 33.86243386243386],
    [8, 8, 8, 101, 0.49504950495049505, 6.25, 0.37593984962406013],
    [33, 17, 5, 126, 2.174014136904762, 8.30078125, 1.7337074762658229],
    [70, 45, 100, 1311, 23.464316361556065, 54.931640625, 19.71905048076923],
    [1, 1, 1, 94, 0.0010388962765957447, 0.09765625, 0.0007750496031746031],
    [31, 33, 65, 749, 8.669762808744993, 34.912109375, 6.937662760416667],
    [50, 100, 40, 1151, 16.968940052128584, 48.828125, 13.950892857142858],
  ],
  'is 32x32': [
    [128, 64, 256, 5055, 40.51434223541048, 100.0, 33.86243386243386],
    [100, 50, 70, 1727, 19.791365083960624, 56.966145833333336, 16.276041666666664],
    [64, 64, 64, 631, 40.57052297939778, 100.0, 33.86243386243386],
    [8, 8, 8, 101, 0.49504950495049505, 6.25, 0.37593984962406013],
    [33, 17, 5, 221, 1.2394831730769231, 8.056640625, 0.9645273987676056],
    [70, 45, 100, 1667, 18.453340581883623, 56.966145833333336, 15.079273897058822],
    [1, 1, 1, 94, 0.0010388962765957447, 0.09765625, 0.0007750496031746031],
    [31, 33, 65, 380, 17.088558799342106, 65.59244791666666, 13.69968848892405],
    [50, 100, 40, 775, 25.201612903225808, 48.828125, 21.70138888888889],
  ],
  'os 16x8': [
    [33, 17, 5, 242, 9.055397727272727, 48.69791666666667, 9.018132716049381],
    [70, 45, 100, 3659, 67.25710576660289, 82.03125, 67.23872950819676],
    [1, 1, 1, 22, 0.03551136363636364, 0.78125, 0.033967391304347824],
    [31, 33, 65, 869, 59.780458860759495, 79.921875, 59.711745689655174],
    [50, 100, 40, 3223, 48.479677319267765, 75.1201923076923, 48.46464019851116],
  ],
  'ws 16x8': [
    [33, 17, 5, 212, 10.336821933962264, 22.135416666666664, 9.364983974358974],
    [70, 45, 100, 4535, 54.265435501653805, 83.70535714285714, 50.95108695652178],
    [1, 1, 1, 38, 0.02055921052631579, 0.78125, 0.016983695652173912],
    [31, 33, 65, 1724, 30.132957511600928, 67.03125, 27.341694078947366],
    [50, 100, 40, 3431, 45.54065870008744, 80.12820512820514, 42.17273954116062],
  ],
  'is 16x8': [
    [33, 17, 5, 274, 7.99783302919708, 25.78125, 7.069052419354838],
    [70, 45, 100, 5228, 47.072255164498856, 86.80555555555556, 43.40277777777778],
    [1, 1, 1, 38, 0.02055921052631579, 0.78125, 0.016983695652173912],
    [31, 33, 65, 1419, 36.60973837209303, 78.7109375, 33.300781249999986],
    [50, 100, 40, 2897, 53.93510528132551, 74.40476190476191, 51.31362889983582],
  ],
  // docs/teaching.md's worked example, by hand there: C[6×3] = A[6×4] · B[4×3] on a 4 × 4 array.
  'os 4x4': [[6, 3, 4, 19, 23.68421052631579, 56.25, 22.499999999999996]],
  'ws 4x4': [[6, 3, 4, 15, 30.0, 75.0, 23.684210526315788]],
  'is 4x4': [[6, 3, 4, 25, 18.0, 75.0, 14.0625]],
};

/** Expects `actual` to equal SCALE-Sim's printed `expected` to 1e-12 relative (it sums per fold; we multiply). */
function expectPercent(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected));
}

describe("SCALE-Sim's golden cases (v2 @ 22f88b1, 32 × 32)", () => {
  test.each(GOLDEN)('GEMM %i × %i × %i, %s: cycles.compute = %i', (m, n, k, dataflow, cycles) => {
    const h = systolic(dataflow);
    const record = matmul(h, m, n, k);
    expect(record(L.RECORD_COMPUTE_CYCLES)).toBe(cycles);
    expect(record(L.RECORD_DPE_CYCLES)).toBe(cycles);
    expect(closedForm(dataflow, m, n, k, 32, 32)).toBe(cycles);
  });

  test('the utilisation and mapping efficiency the golden runs report: 128,64,256 OS 80.53 %; the conv 75.42 % and 78.13 %', () => {
    const gemm = matmul(systolic('os'), 128, 64, 256);
    expect(gemm(L.RECORD_SYSTOLIC_OVERALL_UTILISATION).toFixed(2)).toBe('80.53');
    expect(gemm(L.RECORD_SYSTOLIC_MAPPING_EFFICIENCY)).toBe(100);
    const conv = matmul(systolic('os'), 25, 384, 1728);
    expect(conv(L.RECORD_SYSTOLIC_OVERALL_UTILISATION).toFixed(2)).toBe('75.42');
    expect(conv(L.RECORD_SYSTOLIC_MAPPING_EFFICIENCY).toFixed(2)).toBe('78.13');
    // The rest of the golden runs' Util % column (100,50,70 / 64,64,64 / 8,8,8 in OS).
    const utils = [[100, 50, 70, '32.40'], [64, 64, 64, '50.89'], [8, 8, 8, '0.72']] as const;
    for (const [m, n, k, util] of utils) {
      expect(matmul(systolic('os'), m, n, k)(L.RECORD_SYSTOLIC_OVERALL_UTILISATION).toFixed(2)).toBe(util);
    }
    // The golden runs' "WS 57.67" and "IS 40.51" for 128,64,256.
    expect(matmul(systolic('ws'), 128, 64, 256)(L.RECORD_SYSTOLIC_OVERALL_UTILISATION).toFixed(2)).toBe('57.67');
    expect(matmul(systolic('is'), 128, 64, 256)(L.RECORD_SYSTOLIC_OVERALL_UTILISATION).toFixed(2)).toBe('40.51');
  });
});

describe('SCALE-Sim v2 run here: shapes of our own with partial folds, and every COMPUTE_REPORT column', () => {
  for (const [name, runs] of Object.entries(RUNS)) {
    const [dataflow, dims] = name.split(' ') as [SystolicDataflow, string];
    const [rows, cols] = dims.split('x').map(Number) as [number, number];
    test.each(runs)(`${name}: GEMM %i × %i × %i takes %i cycles`, (m, n, k, cycles, overall, mapping, compute) => {
      const record = matmul(systolic(dataflow, rows, cols), m, n, k);
      expect(record(L.RECORD_COMPUTE_CYCLES)).toBe(cycles);
      expect(closedForm(dataflow, m, n, k, rows, cols)).toBe(cycles);
      expectPercent(record(L.RECORD_SYSTOLIC_OVERALL_UTILISATION), overall);
      expectPercent(record(L.RECORD_SYSTOLIC_MAPPING_EFFICIENCY), mapping);
      expectPercent(record(L.RECORD_SYSTOLIC_COMPUTE_UTILISATION), compute);
    });
  }
});

describe('the closed form on partial folds', () => {
  // Shapes chosen so every dataflow has a partial fold in both spatial dimensions on every array.
  const shapes = [[33, 65, 97], [47, 13, 129], [200, 3, 31], [5, 300, 17], [96, 96, 1]] as const;
  const arrays = [[32, 32], [16, 8], [8, 16], [4, 4], [1, 7]] as const;
  for (const dataflow of ['os', 'ws', 'is'] as const) {
    test(`${dataflow}: cycles.compute is folds · per-fold cycles − 1 on ${arrays.length} arrays × ${shapes.length} shapes`, () => {
      for (const [rows, cols] of arrays) {
        for (const [m, n, k] of shapes) {
          const record = matmul(systolic(dataflow, rows, cols), m, n, k);
          const [sr, sc] = dataflow === 'os' ? [m, n] : dataflow === 'ws' ? [k, n] : [k, m];
          const folds = Math.ceil(sr / rows) * Math.ceil(sc / cols);
          expect({ rows, cols, m, n, k, cycles: record(L.RECORD_COMPUTE_CYCLES) })
            .toEqual({ rows, cols, m, n, k, cycles: closedForm(dataflow, m, n, k, rows, cols) });
          expect(record(L.RECORD_SYSTOLIC_FOLDS)).toBe(folds);
          // Mapping efficiency: every mapped element once over the folds, each fold the full array.
          expect(record(L.RECORD_SYSTOLIC_MAPPING_EFFICIENCY)).toBeCloseTo((100 * sr * sc) / (rows * cols * folds), 10);
          expect(record(L.RECORD_SYSTOLIC_OVERALL_UTILISATION))
            .toBeCloseTo((100 * m * n * k) / (rows * cols * closedForm(dataflow, m, n, k, rows, cols)), 10);
        }
      }
    });
  }
});

describe('the array inside the MTIA device', () => {
  test('a batched GEMM is one SCALE-Sim layer per batch, summed: each with its "−1"', () => {
    const record = matmul(systolic('ws'), 100, 50, 70, 3);
    expect(record(L.RECORD_COMPUTE_CYCLES)).toBe(3 * 1163);
    expect(record(L.RECORD_SYSTOLIC_FOLDS)).toBe(3 * 6);
    expectPercent(record(L.RECORD_SYSTOLIC_OVERALL_UTILISATION), 29.389241186586414);
    expect(record(L.RECORD_WORK)).toBe(3 * 100 * 50 * 70);
  });

  test('launch, memories and the pipeline stay MTIA: the array is the compute stage, its peak R·C MACs per cycle', () => {
    const h = systolic('os');
    const record = matmul(h, 128, 64, 256);
    const launch = 750e-9 * 1.35e9; // mtia-v2's jobLaunchNs at 1.35 GHz
    expect(record(L.RECORD_LAUNCH_CYCLES)).toBeCloseTo(launch, 9);
    expect(record(L.RECORD_PEAK_RATE)).toBe(32 * 32);
    // The operands were never touched: they come from DRAM, as on MTIA.
    expect(record(L.RECORD_DRAM_BYTES)).toBe((128 * 256 + 256 * 64) * 4);
    expect(record(L.RECORD_BODY_CYCLES)).toBeGreaterThan(2543);
    expect(record(L.RECORD_BOUND)).toBe(L.BOUND_COMPUTE);
    expect(record(L.RECORD_UTILISATION)).toBeCloseTo((128 * 64 * 256) / (1024 * (record(L.RECORD_END_CYCLES) - record(L.RECORD_START_CYCLES) + launch)), 12);
    // The record's tile is one fold: 32 output rows × 32 output columns, all of K.
    expect([record(L.RECORD_TILE_M), record(L.RECORD_TILE_N), record(L.RECORD_TILE_K), record(L.RECORD_K_SPLIT)]).toEqual([32, 32, 256, 1]);
  });

  test("docs/teaching.md's breakdown: 128 × 64 × 256 OS in SRAM takes 6972 cycles, 2543 of them on the array", () => {
    const h = systolic('os');
    matmul(h, 128, 64, 256);
    expect(h.clockCycles()).toBeCloseTo(7687.5, 9); // cold: operands from DRAM, a full launch
    const cold = h.clockCycles();
    const record = matmul(h, 128, 64, 256);
    // MTIA 2i's lowering (gemm.ts): one 128 × 64 output tile, K = 256 split over 2 PEs of 128.
    const replace = 300e-9 * 1.35e9; // 405
    const sramLatency = 40e-9 * 1.35e9; // 54
    const issue = (4 + 3) * 16; // 4 instructions per step, 3 per tile, 16 cycles each
    const fabricIn = ((128 * 128 + 128 * 64) * 4) / 64 + 2 * 8; // A and B tiles at 64 B/cycle + 2 descriptors
    // The RE accumulates the tile (32 elements per cycle) and, K being split, takes in the
    // neighbour's float32 partial tile over the 64 B/cycle reduction link (gemm.ts).
    const reAccumulate = (128 * 64) / 32 + Math.max((128 * 64) / 32, (128 * 64 * 4) / 64);
    const seConvert = (128 * 64) / 32;
    const fabricOut = (128 * 64 * 4) / 64;
    const kSplitReduction = (128 * 64 * 4) / 64 + (32 * 4) / 64; // the tile's partials, then one vector per extra PE
    const body = sramLatency + issue + fabricIn + 2543 + reAccumulate + seConvert + fabricOut + seConvert + kSplitReduction;
    expect([fabricIn, kSplitReduction, body]).toEqual([1552, 514, 6567]);
    expect(record(L.RECORD_BODY_CYCLES)).toBe(body);
    expect(h.clockCycles() - cold).toBe(replace + body);
    expect(replace + body).toBe(6972);
  });

  test('without a systolic array a GEMM runs on the DPEs and carries no SCALE-Sim figures', () => {
    const record = matmul(core({}), 128, 64, 256);
    expect(record(L.RECORD_SYSTOLIC_FOLDS)).toBe(0);
    expect(record(L.RECORD_SYSTOLIC_OVERALL_UTILISATION)).toBe(0);
    expect(record(L.RECORD_PEAK_RATE)).toBe(1024 * 0.25 * 64); // float32 on 64 DPEs
    expect(record(L.RECORD_COMPUTE_CYCLES)).not.toBe(2543);
  });

  test('a GEMM with no MACs runs no folds', () => {
    const record = matmul(systolic('os'), 0, 8, 8);
    expect(record(L.RECORD_COMPUTE_CYCLES)).toBe(0);
    expect(record(L.RECORD_SYSTOLIC_FOLDS)).toBe(0);
  });

  test('the core refuses a profile block whose systolic fields are out of range', () => {
    const bad: [number, number][] = [
      [L.PROFILE_SYSTOLIC_ROWS, 1.5], [L.PROFILE_SYSTOLIC_ROWS, -32], [L.PROFILE_SYSTOLIC_COLS, 0],
      [L.PROFILE_SYSTOLIC_DATAFLOW, 3], [L.PROFILE_SYSTOLIC_DATAFLOW, 0.5],
    ];
    for (const [field, value] of bad) {
      const h = new CoreHarness(0, { systolic: { rows: 32, cols: 32, dataflow: 'os' } }, L.ABI_VERSION, 64 * MiB);
      h.f64[L.PROFILE_LOCATION / 8 + field] = value;
      expect({ field, value, status: h.core.boot() }).toEqual({ field, value, status: S.STATUS_BAD_PROFILE });
    }
  });
});
