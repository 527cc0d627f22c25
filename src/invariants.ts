// The timing model's invariants as figures for `mtia-sim validate` (issue 20, "never faster
// than physics, never cheaper for more work"): named checks run through the public API in
// timing-only mode on a fresh mtia-v2 device, each reporting its worst case. The property
// tests behind them are in test/core/*-invariants.test.ts (fast-check, over more shapes); this
// list is the lead's to append to: each check is a name, what it measures, and a run().

import {
  add, avgPool2d, batchNorm, contiguous, conv2d, cumsum, embedding, embeddingBag, empty, gather, groupNorm, indexSelect,
  layerNorm, matmul, maxPool2d, mtia, pad, relu, resize, rmsNorm, scaledDotProductAttention, softmax, sum, topk, transpose,
  zeros, type Tensor,
} from './index.js';
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


// Every op class: random shapes and dtypes, cold and warm, against a floor of bytes and MACs.

/** The bytes of `t`'s elements. */
const bytesOf = (t: Tensor) => t.shape.reduce((a, b) => a * b, 1) * t.elementBytes;

/**
 * One op of a class on fresh (cold: never written, so in DRAM) inputs: `make` allocates its
 * inputs, `run` enqueues the op on them and returns its outputs. `tableBytes`: the input bytes
 * an indexed op need not read whole (a gather's table: only one row of it must be read); `macs`:
 * its multiply-accumulates on the DPE (0 for the rest), in `dtype`.
 */
interface OpCase {
  readonly op: string;
  readonly at: string;
  make(): Tensor[];
  run(inputs: Tensor[]): Tensor[];
  readonly tableBytes?: number;
  readonly rowBytes?: number;
  readonly macs?: number;
  readonly dtype?: GemmDtype;
}

type Rand = () => number;
const int = (next: Rand, lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const logInt = (next: Rand, lo: number, hi: number) => Math.round(Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo))));
const pick = <T>(next: Rand, list: readonly T[]) => list[Math.floor(next() * list.length)]!;

/**
 * A random op of each class (the list is the classes issue 20 names), from `next`; its inputs
 * `written` by the device (zeros: resident in the SRAM as far as it holds them) or not (empty).
 */
function opCases(next: Rand, written = false, grow = 1): OpCase[] {
  const fdt = pick(next, ['float32', 'float16', 'bfloat16'] as const);
  const g = (size: number) => Math.round(size * grow);
  const e = (shape: number[], dtype: string = fdt) => (written ? zeros : empty)(shape, { dtype: dtype as GemmDtype });
  const n = g(logInt(next, 1, 1 << 26));
  const [rows, len] = [g(logInt(next, 2, 4096)), g(logInt(next, 2, 1 << 16))];
  const longRow = g(logInt(next, 1 << 22, 1 << 26)); // longer than the grid's local memory holds
  const [bt, ch, hw] = [g(int(next, 1, 4)), g(logInt(next, 1, 128)), g(logInt(next, 4, 96))];
  const [table, dim, idx] = [g(logInt(next, 16, 1 << 18)), g(logInt(next, 1, 512)), g(logInt(next, 1, 1 << 16))];
  const [heads, seq, hd] = [g(logInt(next, 1, 32)), g(logInt(next, 1, 2048)), pick(next, [32, 64, 128])];
  const k = pick(next, [1, 3, 5]);
  const f = fdt === 'float32' ? 'float32' : 'float16';
  return [
    { op: 'add', at: `${n} ${fdt}`, make: () => [e([n]), e([n])], run: ([a, b]) => [add(a!, b!)] },
    { op: 'relu', at: `${n} ${fdt}`, make: () => [e([n])], run: ([a]) => [relu(a!)] },
    { op: 'sum', at: `[${rows}, ${len}] ${fdt} dim 1`, make: () => [e([rows, len])], run: ([a]) => [sum(a!, 1)] },
    { op: 'softmax', at: `[${rows}, ${len}] ${fdt}`, make: () => [e([rows, len])], run: ([a]) => [softmax(a!, 1)] },
    { op: 'softmax (long row)', at: `[1, ${longRow}] float32`, make: () => [e([1, longRow], 'float32')], run: ([a]) => [softmax(a!, 1)] },
    { op: 'layerNorm', at: `[${rows}, ${len}] ${fdt}`, make: () => [e([rows, len])], run: ([a]) => [layerNorm(a!, [len])] },
    { op: 'layerNorm (long row)', at: `[1, ${longRow}] float32`, make: () => [e([1, longRow], 'float32')], run: ([a]) => [layerNorm(a!, [longRow])] },
    {
      op: 'embedding', at: `${idx} of [${table}, ${dim}] ${fdt}`, tableBytes: table * dim * BYTES[fdt], rowBytes: dim * BYTES[fdt],
      make: () => [e([idx], 'int32'), e([table, dim])], run: ([i, w]) => [embedding(i!, w!)],
    },
    {
      op: 'indexSelect', at: `${idx} rows of [${table}, ${dim}] ${fdt}`, tableBytes: table * dim * BYTES[fdt], rowBytes: dim * BYTES[fdt],
      make: () => [e([table, dim]), e([idx], 'int32')], run: ([w, i]) => [indexSelect(w!, 0, i!)],
    },
    {
      op: 'gather', at: `[${rows}, ${dim}] from [${rows}, ${table}] ${fdt}`, tableBytes: rows * table * BYTES[fdt], rowBytes: BYTES[fdt],
      make: () => [e([rows, table]), e([rows, dim], 'int32')], run: ([w, i]) => [gather(w!, 1, i!)],
    },
    {
      op: 'embeddingBag', at: `${idx} of [${table}, ${dim}] float32, bags of 8`, tableBytes: table * dim * 4, rowBytes: dim * 4,
      make: () => [e([Math.max(1, idx >> 3), 8], 'int32'), e([table, dim], 'float32')], run: ([i, w]) => [embeddingBag(i!, w!, null, { mode: 'sum' })],
    },
    {
      op: 'conv2d', at: `[${bt}, ${ch}, ${hw}, ${hw}] ⊛ ${k}×${k} → ${ch} ${f}`, macs: bt * ch * hw * hw * ch * k * k, dtype: f,
      make: () => [e([bt, ch, hw, hw], f), e([ch, ch, k, k], f)], run: ([x, w]) => [conv2d(x!, w!, null, { padding: k >> 1 })],
    },
    { op: 'maxPool2d', at: `[${bt}, ${ch}, ${hw}, ${hw}] 3×3/2 ${fdt}`, make: () => [e([bt, ch, hw, hw])], run: ([x]) => [maxPool2d(x!, 3, { stride: 2, padding: 1 })] },
    { op: 'avgPool2d', at: `[${bt}, ${ch}, ${hw}, ${hw}] 2×2 ${fdt}`, make: () => [e([bt, ch, hw, hw])], run: ([x]) => [avgPool2d(x!, 2)] },
    {
      op: 'batchNorm', at: `[${bt}, ${ch}, ${hw}, ${hw}] float32`, make: () => [e([bt, ch, hw, hw], 'float32'), e([ch], 'float32'), e([ch], 'float32')],
      run: ([x, m, v]) => [batchNorm(x!, m!, v!)],
    },
    { op: 'groupNorm', at: `[${bt}, ${ch}, ${hw}, ${hw}] ${fdt}, 1 group`, make: () => [e([bt, ch, hw, hw])], run: ([x]) => [groupNorm(x!, 1)] },
    { op: 'rmsNorm', at: `[${rows}, ${len}] ${fdt}`, make: () => [e([rows, len])], run: ([a]) => [rmsNorm(a!, [len])] },
    {
      op: 'attention', at: `${heads} heads × ${seq} × ${hd} ${f}`, macs: 2 * heads * seq * seq * hd, dtype: f,
      make: () => [e([heads, seq, hd], f), e([heads, seq, hd], f), e([heads, seq, hd], f)],
      run: ([q, kk, v]) => [scaledDotProductAttention(q!, kk!, v!)],
    },
    { op: 'pad', at: `[${rows}, ${len}] ${fdt} + 3`, make: () => [e([rows, len])], run: ([a]) => [pad(a!, [1, 2, 0, 3])] },
    {
      op: 'resize', at: `[${bt}, ${ch}, ${hw}, ${hw}] → ${2 * hw - 1} ${fdt}`, make: () => [e([bt, ch, hw, hw])],
      run: ([a]) => [resize(a!, { size: [2 * hw - 1, 2 * hw - 1], mode: 'linear' })],
    },
    { op: 'cumsum', at: `[${rows}, ${len}] float32`, make: () => [e([rows, len], 'float32')], run: ([a]) => [cumsum(a!, 1)] },
    {
      op: 'topk', at: `[${rows}, ${len}] float32, k ${Math.min(len, 8)}`, make: () => [e([rows, len], 'float32')],
      run: ([a]) => { const r = topk(a!, Math.min(len, 8)); return [r.values, r.indices]; },
    },
    { op: 'copy (transpose)', at: `[${rows}, ${len}] ${fdt}`, make: () => [e([rows, len])], run: ([a]) => [contiguous(transpose(a!, 0, 1))] },
  ];
}

/**
 * Empties the SRAM: a device-written scratch larger than it evicts every line (LRU), and
 * freeing it drops its own (OP_DISCARD); so inputs allocated before are cold, whatever their
 * addresses held before (the caching allocator reuses blocks, and their lines may be resident).
 */
async function evictSram(): Promise<void> {
  const scratch = zeros([Math.ceil((1.25 * v2.sramBytes) / 4)], { dtype: 'float32' });
  await mtia.synchronize();
  scratch.free();
}

/** The profiled stats of the ops `run` enqueues (their bodies summed, launch excluded, ns); outputs freed. */
async function profiled(run: () => Tensor[]): Promise<{ bodyNs: number; outBytes: number }> {
  mtia.profiler.start();
  const outs = run();
  await mtia.synchronize();
  await mtia.profiler.stop();
  const stats = mtia.profiler.opStats();
  const outBytes = outs.reduce((a, t) => a + bytesOf(t), 0);
  for (const t of outs) t.free();
  const cycles = stats.reduce((a, s) => a + s.cycles.total - s.cycles.launch, 0);
  return { bodyNs: (cycles / v2.clockHz) * 1e9, outBytes };
}

/**
 * An op's physical floor (ns): its MACs at the dtype's DPE peak; the bytes that must cross DRAM
 * at 204.8 GB/s (cold: every input byte it must read, of a table one row; warm: what of its
 * inputs the SRAM cannot hold; and either way the output bytes the SRAM cannot keep); every
 * byte it must read or write through the SRAM at 2.7 TB/s.
 */
function opFloorNs(c: OpCase, inputs: readonly Tensor[], outBytes: number, cold: boolean): number {
  const inBytes = inputs.reduce((a, t) => a + bytesOf(t), 0);
  const mustRead = c.tableBytes === undefined ? inBytes : inBytes - c.tableBytes + (c.rowBytes ?? 0);
  const sram = v2.sramBytes;
  const dram = (cold ? mustRead : Math.max(0, mustRead - sram)) + Math.max(0, outBytes - sram);
  const pes = v2.peRows * v2.peCols;
  const rate = v2.dpeFp16MacsPerCyclePerPe * (c.dtype === 'float32' ? v2.dpeFp32FractionOfFp16 : 1) * pes * v2.clockHz;
  return Math.max((c.macs ?? 0) / rate, dram / v2.dramBytesPerSecond, (mustRead + outBytes) / (v2.sramBytesPerCycle * v2.clockHz)) * 1e9;
}

/** Every op class's body over its physical floor, cold and warm, over random shapes and dtypes: at least 1. */
const opFloor: InvariantCheck = {
  check: 'no op faster than physics',
  measure: 'least body / physical floor over 4 random shapes of each of 23 op classes (elementwise, reductions, rows incl. long rows, gathers, conv, pool, norms, attention, pad, resize, cumsum, topk, copies), cold and warm',
  bound: 1,
  kind: 'min',
  unit: '×',
  async run() {
    const next = random(21);
    let worst = Infinity;
    let at = '';
    for (let round = 0; round < 4; round++) {
      for (const c of opCases(next)) {
        const inputs = c.make();
        await evictSram();
        for (const cold of [true, false]) {
          const { bodyNs, outBytes } = await profiled(() => c.run(inputs));
          const ratio = bodyNs / opFloorNs(c, inputs, outBytes, cold);
          if (ratio < worst) [worst, at] = [ratio, `${c.op} ${c.at}, ${cold ? 'cold' : 'warm'}`];
        }
        for (const t of inputs) t.free();
      }
    }
    return { worst, at };
  },
};

/** Each op class's largest drop (%) of the body, and where, along `opSweeps`'s sweeps. */
export async function opSweepDrops(sweeps = 2, points = 6): Promise<Map<string, { drop: number; at: string }>> {
  const worst = new Map<string, { drop: number; at: string }>();
  for (let sweep = 0; sweep < sweeps; sweep++) {
    // The same random draws with every size scaled up: one seed per point, the sizes grown.
    let last: number[] | undefined;
    let lastAt: string[] = [];
    for (let point = 0; point < points; point++) {
      const bodies: number[] = [];
      const ats: string[] = [];
      const ops: string[] = [];
      for (const c of opCases(random(100 + sweep), true, 1 + 0.07 * point)) {
        const inputs = c.make();
        c.run(inputs).forEach((t) => t.free());
        bodies.push((await profiled(() => c.run(inputs))).bodyNs);
        ats.push(`${c.op} ${c.at}`);
        ops.push(c.op);
        for (const t of inputs) t.free();
      }
      if (last !== undefined) {
        bodies.forEach((b, i) => {
          const drop = 100 * (1 - b / last![i]!);
          if (drop > (worst.get(ops[i]!)?.drop ?? -Infinity)) worst.set(ops[i]!, { drop, at: `${lastAt[i]} → ${ats[i]}` });
        });
      }
      [last, lastAt] = [bodies, ats];
    }
  }
  return worst;
}

/**
 * Each op class's largest drop of the body when its size grows, along sweeps: at most 3 %. The
 * streaming lowering chooses its step count and the GEMM search weighs a conv's gather (issue
 * 20), so the drops left are small ops spreading over more PEs: an average pool whose input
 * bytes per output fall as it grows, 2.3 % (docs/timing-model.md "The streaming step count");
 * before, topk [3387, 137] → [3624, 147] float32 was 16.3 % cheaper.
 */
export const opSweeps: InvariantCheck = {
  check: 'no op cheaper for more work',
  measure: 'largest drop of the body when every size of an op grows 7 % a point, along 2 sweeps of 6 points for each of 23 op classes, inputs written by the device and the op run once before',
  bound: 3,
  kind: 'max',
  unit: '%',
  async run() {
    let worst = -Infinity;
    let at = '';
    for (const w of (await opSweepDrops()).values()) if (w.drop > worst) [worst, at] = [w.drop, w.at];
    return { worst, at };
  },
};

/** Two ops on two streams against the floor of both on one device: at least 1. */
const twoStreams: InvariantCheck = {
  check: 'two streams never more than one device',
  measure: 'least (time of two identical cold ops on two streams, launch excluded) / (physical floor of both on one device), a pair of each of 23 op classes',
  bound: 1,
  kind: 'min',
  unit: '×',
  async run() {
    const next = random(22);
    let worst = Infinity;
    let at = '';
    const cases = opCases(next);
    const pair = opCases(random(22)); // the same shapes again, on fresh tensors
    const streams = [new mtia.Stream(), new mtia.Stream()];
    for (let i = 0; i < cases.length; i++) {
      const ops = [cases[i]!, pair[i]!];
      const inputs = ops.map((c) => c.make());
      await evictSram();
      mtia.profiler.start();
      const outs = ops.map((c, s) => mtia.withStream(streams[s]!, () => c.run(inputs[s]!)));
      await mtia.synchronize();
      await mtia.profiler.stop();
      const stats = mtia.profiler.opStats();
      // From the first start to the last end, less the longest launch (the floor has none).
      const launchNs = Math.max(...stats.map((s) => (s.cycles.launch / v2.clockHz) * 1e9));
      const elapsedNs = Math.max(...stats.map((s) => s.endNs)) - Math.min(...stats.map((s) => s.startNs)) - launchNs;
      const floors = ops.map((c, s) => opFloorNs(c, inputs[s]!, outs[s]!.reduce((a, t) => a + bytesOf(t), 0), true));
      // Two identical ops on one device: their DRAM, SRAM and DPE shares add, so the floor of
      // both is the sum of the two floors (each the max of the same three terms).
      const ratio = elapsedNs / (floors[0]! + floors[1]!);
      if (ratio < worst) [worst, at] = [ratio, `${cases[i]!.op} ${cases[i]!.at} ×2`];
      for (const t of [...outs.flat(), ...inputs.flat()]) t.free();
    }
    return { worst, at };
  },
};

/** Every invariant `mtia-sim validate` reports, in order; append new checks here. */
export const invariantChecks: InvariantCheck[] = [gemmFloor, gemmSweeps, opFloor, twoStreams, opSweeps];

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
