// Validation of the timing model against the published MTIA 2i figures
// (Coburn et al., "Meta's Second Generation AI Chip", ISCA'25, doi 10.1145/3695053.3731409, §3.3
// and §5): each target is run through the public API in
// timing-only mode on a fresh mtia-v2 device and measured as a user would, with timing events,
// then compared with the published band. `mtia-sim validate` prints the table and exits
// non-zero when a target fails; `npm run validate` also writes it to docs/validation.md.

import { empty, linear, matmul, add, mtia, quantizeDynamic, quantizedLinear, randn, type Tensor } from './index.js';
import type { CustomProfile, ProfileName } from './profiles.js';
import { powerChecks } from './typical-power.js';

/** One validated figure. */
export interface ValidationRow {
  /** What is measured. */
  readonly target: string;
  /** Where the published figure comes from. */
  readonly source: string;
  /** The accepted band [low, high] in `unit`. */
  readonly band: readonly [number, number];
  /** The published figure the error is measured from, in `unit`. */
  readonly published: number;
  readonly simulated: number;
  readonly unit: string;
  readonly pass: boolean;
}

/** Starts a fresh timing-only runtime with one device on `profile`. */
async function fresh(profile: ProfileName | CustomProfile = 'mtia-v2'): Promise<void> {
  await mtia.shutdown();
  mtia.configure({ timingOnly: true, deviceCount: 1, profile });
}

/** Simulated seconds `run` takes on the current stream, from a synchronized device. */
async function timed(run: () => void): Promise<number> {
  await mtia.synchronize();
  const start = new mtia.Event({ enableTiming: true });
  start.record();
  run();
  const end = new mtia.Event({ enableTiming: true });
  end.record();
  await end.synchronize();
  return start.elapsedTime(end) / 1e3;
}

/** Frees every tensor of `tensors`. */
function free(...tensors: Tensor[]): void {
  for (const t of tensors) t.free();
}

const PEAK_FP16_FLOPS = 177e12; // ISCA'25 Table 2
const DRAM_BYTES_PER_SECOND = 204.8e9; // ISCA'25 Table 2

/** Row 1: a 2048³ bfloat16 GEMM, second of two runs on the same operands: % of peak. */
async function gemmPeak(): Promise<number> {
  await fresh();
  const a = randn([2048, 2048], { dtype: 'bfloat16' });
  const b = randn([2048, 2048], { dtype: 'bfloat16' });
  free(matmul(a, b));
  const seconds = await timed(() => free(matmul(a, b)));
  free(a, b);
  return (100 * 2 * 2048 ** 3) / seconds / PEAK_FP16_FLOPS;
}

/** Row 2 (and the ECC rows): the 512 × 26592 × 2048 float16 FC layer, weight cold in DRAM: seconds. */
async function fcLayer(profile: ProfileName | CustomProfile = 'mtia-v2'): Promise<number> {
  await fresh(profile);
  const x = randn([512, 2048], { dtype: 'float16' }); // just produced: resident in SRAM
  const weight = empty([26592, 2048], { dtype: 'float16' }); // loaded earlier: cold in DRAM
  const seconds = await timed(() => free(linear(x, weight)));
  free(x, weight);
  return seconds;
}

const FC_WEIGHT_BYTES = 26592 * 2048 * 2;

/**
 * Row 3 and row 5: a compute-bound model with its tensors resident in SRAM: four 4096 × 4096
 * bfloat16 layers on a batch of 2048, second step. Returns the efficiency (% of peak) and the
 * SRAM hit rate of its GEMMs' operands (%).
 */
async function residentModel(): Promise<{ efficiency: number; hitRate: number }> {
  await fresh();
  const x = randn([2048, 4096], { dtype: 'bfloat16' });
  const weights = Array.from({ length: 4 }, () => randn([4096, 4096], { dtype: 'bfloat16' }));
  const step = () => {
    let h = x;
    for (const w of weights) {
      const next = matmul(h, w);
      if (h !== x) h.free();
      h = next;
    }
    h.free();
  };
  step();
  mtia.profiler.start();
  const seconds = await timed(step);
  await mtia.profiler.stop();
  const stats = mtia.profiler.opStats().filter((op) => op.name === 'matmul');
  free(x, ...weights);
  const read = stats.reduce((sum, op) => sum + op.bytes.operands, 0);
  const hit = stats.reduce((sum, op) => sum + op.sramHitRate * op.bytes.operands, 0);
  return { efficiency: (100 * 4 * 2 * 2048 * 4096 * 4096) / seconds / PEAK_FP16_FLOPS, hitRate: (100 * hit) / read };
}

/**
 * Row 4: a 2048³ linear layer in int8 with dynamic quantization of its float16 activations (the
 * weight quantized once beforehand) against the same layer in float16, each the second of two
 * runs: the float16 time over the int8 time.
 */
async function int8Speedup(): Promise<number> {
  await fresh();
  const x = empty([2048, 2048], { dtype: 'float16' });
  const w = empty([2048, 2048], { dtype: 'float16' });
  const bias16 = empty([2048], { dtype: 'float16' });
  const bias32 = empty([2048], { dtype: 'float32' });
  const fp16 = () => free(linear(x, w, bias16));
  fp16();
  const fp16Seconds = await timed(fp16);
  const wq = quantizeDynamic(w);
  const int8 = () => {
    const xq = quantizeDynamic(x);
    free(quantizedLinear(xq, wq, bias32), xq.values, xq.scales);
  };
  int8();
  const int8Seconds = await timed(int8);
  free(x, w, bias16, bias32, wq.values, wq.scales);
  return fp16Seconds / int8Seconds;
}

/** Row 6: a tiny op on an idle device, and one queued behind another (µs). */
async function launchAndReplace(): Promise<{ launchUs: number; replaceUs: number }> {
  await fresh();
  const x = randn([1]);
  free(add(x, x)); // x resident
  const one = await timed(() => free(add(x, x)));
  const many = await timed(() => {
    for (let i = 0; i < 101; i++) free(add(x, x));
  });
  free(x);
  return { launchUs: one * 1e6, replaceUs: ((many - one) / 100) * 1e6 };
}

function row(target: string, source: string, band: [number, number], published: number, simulated: number, unit: string): ValidationRow {
  return { target, source, band, published, simulated, unit, pass: simulated >= band[0] && simulated <= band[1] };
}

/** Runs every target the model covers; leaves the runtime shut down. */
export async function validate(): Promise<ValidationRow[]> {
  const rows: ValidationRow[] = [];
  try {
    rows.push(row('2048³ bfloat16 GEMM, second of two runs (operands in SRAM): % of peak', 'ISCA\'25 §3.3 (row 1)', [92, 96], 92, await gemmPeak(), '%'));
    const fc = await fcLayer();
    rows.push(row('512 × 26592 × 2048 float16 FC, 109 MB weight cold in DRAM: % of 204.8 GB/s on the weight', 'ISCA\'25 §4.2 (row 2)', [95, 98], 95, (100 * FC_WEIGHT_BYTES) / fc / DRAM_BYTES_PER_SECOND, '%'));
    const model = await residentModel();
    rows.push(row('compute-bound model, tensors resident in SRAM (4 × 4096² bfloat16 layers, batch 2048): efficiency', 'ISCA\'25 §4.2 (row 3)', [93, 100], 93, model.efficiency, '%'));
    rows.push(row('dense model (the same): SRAM hit rate of the GEMMs\' operands', 'ISCA\'25 §4.2 (row 5)', [95, 100], 95, model.hitRate, '%'));
    rows.push(row('2048³ linear layer, int8 with dynamic quantization against float16: speedup', 'ISCA\'25 §4.4 (row 4)', [1.4, 1.8], 1.6, await int8Speedup(), '×'));
    const { launchUs, replaceUs } = await launchAndReplace();
    rows.push(row('a tiny op on an idle device (launch included): µs', 'ISCA\'25 §3.3 (row 6)', [0, 1], 1, launchUs, 'µs'));
    rows.push(row('a tiny op queued behind another (job replacement included): µs', 'ISCA\'25 §3.3 (row 6)', [0, 0.5], 0.5, replaceUs, 'µs'));
    const withEcc = await fcLayer({ name: 'mtia-v2-ecc', base: 'mtia-v2', dramEcc: true });
    rows.push(row('LPDDR ECC on: throughput lost on the FC layer', 'ISCA\'25 §5.1 (row 8)', [10, 15], 12.5, 100 * (1 - fc / withEcc), '%'));
    // The energy model against the published power (src/typical-power.ts; MTIA 1 too).
    for (const p of await powerChecks()) rows.push(row(p.target, p.source, [p.band[0], p.band[1]], p.published, p.simulated, 'W'));
  } finally {
    await mtia.shutdown();
  }
  return rows;
}

/** `rows` as a Markdown table (target, source, band, simulated, error, pass). */
export function validationTable(rows: readonly ValidationRow[]): string {
  const lines = [
    '| target | source | band | simulated | error vs published | pass |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const error = r.simulated - r.published;
    lines.push(
      `| ${r.target} | ${r.source} | ${r.band[0]}–${r.band[1]} ${r.unit} | ${r.simulated.toFixed(2)} ${r.unit} | ` +
        `${error >= 0 ? '+' : ''}${error.toFixed(2)} ${r.unit} | ${r.pass ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n');
}
