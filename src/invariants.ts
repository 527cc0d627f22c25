// The timing model's invariants as figures for `mtia-sim validate` (issue 20, "never faster
// than physics, never cheaper for more work"): named checks run through the public API in
// timing-only mode on a fresh mtia-v2 device, each reporting its worst case. The property
// tests behind them are in test/core/*-invariants.test.ts (fast-check, over more shapes); this
// list is the lead's to append to: each check is a name, what it measures, and a run().

import { empty, matmul, mtia, type Tensor } from './index.js';
import { profiles } from './profiles.js';

/** One invariant's figure: its worst case over the shapes it tried, against its bound. */
export interface InvariantRow {
  /** The check's name. */
  readonly check: string;
  /** What the figure is. */
  readonly measure: string;
  /** The worst case found. */
  readonly worst: number;
  /** The bound the worst case must meet: worst ≥ bound ('min') or worst ≤ bound ('max'). */
  readonly bound: number;
  readonly kind: 'min' | 'max';
  readonly unit: string;
  /** Where the worst case was found. */
  readonly at: string;
  readonly pass: boolean;
}

/** A named invariant check. */
export interface InvariantCheck {
  readonly check: string;
  readonly measure: string;
  readonly bound: number;
  readonly kind: 'min' | 'max';
  readonly unit: string;
  /** Runs it on the current (fresh, timing-only) runtime: the worst figure and where. */
  run(): Promise<{ worst: number; at: string }>;
}

const v2 = profiles['mtia-v2'];
type GemmDtype = 'float32' | 'float16' | 'bfloat16';
const BYTES: Record<GemmDtype, number> = { float32: 4, float16: 2, bfloat16: 2 };

/** A deterministic pseudo-random sequence (an LCG, seed 20), so the figures are reproducible. */
function random(seed = 20): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The body (ns, launch excluded) of a matmul of `batches` × (M×K · K×N) in `dtype`, the second of two runs. */
async function gemmBodyNs(batches: number, m: number, n: number, k: number, dtype: GemmDtype): Promise<number> {
  const lead = batches > 1 ? [batches] : [];
  const a = empty([...lead, m, k], { dtype });
  const b = empty([...lead, k, n], { dtype });
  matmul(a, b).free();
  mtia.profiler.start();
  const c = matmul(a, b);
  await mtia.synchronize();
  await mtia.profiler.stop();
  const op = mtia.profiler.opStats().find((s) => s.name === 'matmul')!;
  for (const t of [a, b, c] as Tensor[]) t.free();
  return ((op.cycles.total - op.cycles.launch) / v2.clockHz) * 1e9;
}

/** The physical floor (ns) of a warm GEMM: its MACs at the dtype's peak, operands and output through SRAM once. */
function warmGemmFloorNs(batches: number, m: number, n: number, k: number, dtype: GemmDtype): number {
  const pes = v2.peRows * v2.peCols;
  const macsPerCycle = v2.dpeFp16MacsPerCyclePerPe * (dtype === 'float32' ? v2.dpeFp32FractionOfFp16 : 1);
  const bytes = batches * (m * k + k * n + m * n) * BYTES[dtype];
  return Math.max((batches * m * n * k) / (macsPerCycle * pes * v2.clockHz), bytes / (v2.sramBytesPerCycle * v2.clockHz)) * 1e9;
}

const shape = (batches: number, m: number, n: number, k: number, dtype: string) =>
  `${batches > 1 ? `${batches} × ` : ''}${m} × ${n} × ${k} ${dtype}`;

/** GEMM body over its physical floor, over random shapes: at least 1. */
const gemmFloor: InvariantCheck = {
  check: 'GEMM never faster than physics',
  measure: 'least body / physical floor over 60 random warm GEMMs (M, N ≤ 4096, K ≤ 16384, batch ≤ 4; float32, float16, bfloat16)',
  bound: 1,
  kind: 'min',
  unit: '×',
  async run() {
    const next = random();
    const dims = (max: number) => Math.max(1, Math.round(Math.exp(next() * Math.log(max))));
    let worst = Infinity;
    let at = '';
    for (let i = 0; i < 60; i++) {
      const dtype = (['float32', 'float16', 'bfloat16'] as const)[Math.floor(next() * 3)]!;
      const [batches, m, n, k] = [next() < 0.7 ? 1 : 2 + Math.floor(next() * 3), dims(4096), dims(4096), dims(16384)];
      const ratio = (await gemmBodyNs(batches, m, n, k, dtype)) / warmGemmFloorNs(batches, m, n, k, dtype);
      if (ratio < worst) [worst, at] = [ratio, shape(batches, m, n, k, dtype)];
    }
    return { worst, at };
  },
};

/** The largest drop of a GEMM's body when one dimension grows, along sweeps: at most 3 %. */
const gemmSweeps: InvariantCheck = {
  check: 'GEMM never cheaper for more work',
  measure: 'largest drop of the body when M, N, K or the batch grows, along 24 float16 sweeps of 8 points (issue 20 finding 5 among them)',
  bound: 3,
  kind: 'max',
  unit: '%',
  async run() {
    const next = random(5);
    let worst = -Infinity;
    let at = '';
    const bases: [number, number, number, number][] = [[1, 128, 128, 320], [1, 512, 2048, 2048], [1, 128, 4096, 4096], [1, 128, 128, 640]];
    while (bases.length < 6) bases.push([1, 1 + Math.floor(next() * 1024), 1 + Math.floor(next() * 1024), 1 + Math.floor(next() * 4096)]);
    for (const base of bases) {
      for (const axis of [0, 1, 2, 3]) {
        let dims = [...base] as [number, number, number, number];
        let last = await gemmBodyNs(...dims, 'float16');
        for (let step = 0; step < 7; step++) {
          const grown = [...dims] as [number, number, number, number];
          grown[axis] = grown[axis]! + (axis === 0 ? 1 : [1, 8, 1 + Math.floor(next() * 300)][step % 3]!);
          const now = await gemmBodyNs(...grown, 'float16');
          const drop = 100 * (1 - now / last);
          if (drop > worst) [worst, at] = [drop, `${shape(...dims, 'float16')} → ${shape(...grown, 'float16')}`];
          [dims, last] = [grown, now];
        }
      }
    }
    return { worst, at };
  },
};

/** Every invariant `mtia-sim validate` reports, in order; append new checks here. */
export const invariantChecks: InvariantCheck[] = [gemmFloor, gemmSweeps];

/** Runs every check of `checks`, each on a fresh timing-only mtia-v2 runtime; leaves it shut down. */
export async function runInvariants(checks: readonly InvariantCheck[] = invariantChecks): Promise<InvariantRow[]> {
  const rows: InvariantRow[] = [];
  try {
    for (const c of checks) {
      await mtia.shutdown();
      mtia.configure({ timingOnly: true, deviceCount: 1, profile: 'mtia-v2' });
      const { worst, at } = await c.run();
      const pass = c.kind === 'min' ? worst >= c.bound : worst <= c.bound;
      rows.push({ check: c.check, measure: c.measure, worst, bound: c.bound, kind: c.kind, unit: c.unit, at, pass });
    }
  } finally {
    await mtia.shutdown();
  }
  return rows;
}

/** `rows` as a Markdown table (check, measure, bound, worst, where, pass). */
export function invariantsTable(rows: readonly InvariantRow[]): string {
  const lines = ['| check | measure | bound | worst | where | pass |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(
      `| ${r.check} | ${r.measure} | ${r.kind === 'min' ? '≥' : '≤'} ${r.bound} ${r.unit} | ${r.worst.toFixed(3)} ${r.unit} | ` +
        `${r.at} | ${r.pass ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n');
}
