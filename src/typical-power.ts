// The power checks of `mtia-sim validate` (docs/timing-model.md "Energy"): the published power
// of MTIA 2i and MTIA 1 (Coburn et al., ISCA'25, Table 2: TDP 85 W with 65 W typical, and 35 W
// with 25 W typical) against the energy model's average watts (mtia.profiler.runEnergy) on two
// workloads run through the public API in timing-only mode on a fresh device:
//
//   - a dense GEMM at peak (2048³, bfloat16 on MTIA 2i, float16 on MTIA 1: ISCA'25 lists no
//     bfloat16 for MTIA 1): the workload a TDP is set for, so it must stay under the TDP;
//   - a typical mixed model: one inference step of MLPerf's DLRM-DCNv2 ranking model (the
//     `dlrm-v2` benchmark of MLPerf Inference; its reference configuration in torchrec's
//     dlrm_main.py: 26 sparse features of embedding dimension 128 with the multi-hot pooling
//     sizes below, a 13-512-256-128 bottom MLP, 3 low-rank (512) DCNv2 cross layers over the
//     27 × 128 interaction, a 1024-1024-512-256-1 top MLP), bfloat16, batch 2048, its tables'
//     row counts capped at 4 million (MLPerf's seven largest have 40 million: capped, all 26 fit
//     MTIA 1's DRAM; the capped ones are still far larger than the SRAM, so their gathers go
//     to DRAM as they would): a published ranking model with both the DRAM-bound
//     embedding gathers and the dense layers of the recommendation models MTIA serves
//     (ISCA'25 §2). Its average power is checked against the typical power within a band.

import { add, cat, embeddingBag, empty, linear, matmul, mul, mtia, relu, type Tensor } from './index.js';
import type { CustomProfile, ProfileName } from './profiles.js';

/** One power check's figure. */
export interface PowerCheck {
  readonly target: string;
  readonly source: string;
  /** The accepted band [low, high], in watts. */
  readonly band: readonly [number, number];
  /** The published figure, in watts. */
  readonly published: number;
  /** The simulated average power, in watts. */
  readonly simulated: number;
  readonly pass: boolean;
}

/** A chip's published power (ISCA'25 Table 2). */
export const PUBLISHED_POWER: Readonly<Record<ProfileName, { tdpWatts: number; typicalWatts: number }>> = {
  'mtia-v2': { tdpWatts: 85, typicalWatts: 65 },
  'mtia-v1': { tdpWatts: 35, typicalWatts: 25 },
};

/**
 * The band a typical model's power must land in, as a fraction of the typical power: ±25 %. The
 * production mix behind "typical" is unpublished, and the per-access energies are literature
 * figures scaled to the node (assumed), so the model is held to the level, not the watt.
 */
export const TYPICAL_POWER_BAND = 0.25;

/** MLPerf DLRM-DCNv2's multi-hot pooling sizes, one per sparse feature (torchrec dlrm_main.py). */
export const DLRM_DCNV2_POOLING = [3, 2, 1, 2, 6, 1, 1, 1, 1, 7, 3, 8, 1, 6, 9, 5, 1, 1, 1, 12, 100, 27, 10, 3, 1, 1] as const;

/** MLPerf DLRM-DCNv2's table sizes (rows), one per sparse feature (torchrec dlrm_main.py, num_embeddings_per_feature). */
export const DLRM_DCNV2_ROWS = [
  40000000, 39060, 17295, 7424, 20265, 3, 7122, 1543, 63, 40000000, 3067956, 405282, 10, 2209, 11938, 155, 4, 976, 14,
  40000000, 40000000, 40000000, 590152, 12973, 108, 36,
] as const;

const BATCH = 2048;
const EMBEDDING_DIM = 128;
/** The cap on a table's rows (see the file comment). */
const TABLE_ROWS_CAP = 4_000_000;
const DENSE_FEATURES = 13;
const BOTTOM_MLP = [512, 256, 128] as const;
const CROSS_LAYERS = 3;
const CROSS_LOW_RANK = 512;
const TOP_MLP = [1024, 1024, 512, 256, 1] as const;

/** Starts a fresh timing-only runtime with one device on `profile`. */
async function fresh(profile: ProfileName | CustomProfile): Promise<void> {
  await mtia.shutdown();
  mtia.configure({ timingOnly: true, deviceCount: 1, profile });
}

/** Average watts of what `run` enqueues, by mtia.profiler.runEnergy over its ops. */
async function averageWatts(run: () => void): Promise<number> {
  await mtia.synchronize();
  mtia.profiler.start();
  try {
    run();
    await mtia.synchronize();
  } finally {
    await mtia.profiler.stop();
  }
  return mtia.profiler.runEnergy().averageWatts;
}

/** The average power of a dense 2048³ GEMM at peak (second of two runs) on `profile`. */
export async function gemmPeakWatts(profile: ProfileName): Promise<number> {
  await fresh(profile);
  const dtype = profile === 'mtia-v1' ? 'float16' : 'bfloat16';
  const a = empty([2048, 2048], { dtype });
  const b = empty([2048, 2048], { dtype });
  matmulFree(a, b);
  const watts = await averageWatts(() => matmulFree(a, b));
  a.free();
  b.free();
  return watts;
}

/** One matmul whose result is freed at once. */
function matmulFree(a: Tensor, b: Tensor): void {
  matmul(a, b).free();
}

/** One linear layer's weight and bias, bfloat16. */
function layer(inFeatures: number, outFeatures: number): { weight: Tensor; bias: Tensor } {
  return { weight: empty([outFeatures, inFeatures], { dtype: 'bfloat16' }), bias: empty([outFeatures], { dtype: 'bfloat16' }) };
}

/** Applies `layers` as an MLP, ReLU after each but the last if `lastLinear`; frees the intermediates (not `x`). */
function mlp(x: Tensor, layers: readonly { weight: Tensor; bias: Tensor }[], lastLinear: boolean): Tensor {
  let h = x;
  layers.forEach((l, i) => {
    const y = linear(h, l.weight, l.bias);
    if (h !== x) h.free();
    if (lastLinear && i === layers.length - 1) {
      h = y;
    } else {
      h = relu(y);
      y.free();
    }
  });
  return h;
}

/** The average power of one DLRM-DCNv2 inference step (see the file comment) on `profile` (a built-in or custom profile). */
export async function dlrmDcnV2Watts(profile: ProfileName | CustomProfile): Promise<number> {
  await fresh(profile);
  const features = DLRM_DCNV2_POOLING.length;
  const interaction = (features + 1) * EMBEDDING_DIM;
  const tables = DLRM_DCNV2_ROWS.map((rows) => empty([Math.min(rows, TABLE_ROWS_CAP), EMBEDDING_DIM], { dtype: 'bfloat16' }));
  const bottom = BOTTOM_MLP.map((out, i) => layer(i === 0 ? DENSE_FEATURES : BOTTOM_MLP[i - 1]!, out));
  const cross = Array.from({ length: CROSS_LAYERS }, () => ({ v: layer(interaction, CROSS_LOW_RANK), u: layer(CROSS_LOW_RANK, interaction) }));
  const top = TOP_MLP.map((out, i) => layer(i === 0 ? interaction : TOP_MLP[i - 1]!, out));
  const dense = empty([BATCH, DENSE_FEATURES], { dtype: 'bfloat16' });
  const indices = DLRM_DCNV2_POOLING.map((pooling) => empty([BATCH * pooling], { dtype: 'int32' }));
  const offsets = DLRM_DCNV2_POOLING.map(() => empty([BATCH], { dtype: 'int32' }));
  const step = () => {
    const x = mlp(dense, bottom, false);
    const pooled = tables.map((table, t) => embeddingBag(indices[t]!, table, offsets[t]!, { mode: 'sum' }));
    const x0 = cat([x, ...pooled], 1);
    x.free();
    for (const p of pooled) p.free();
    // DCNv2 cross layer (low rank): x_{l+1} = x0 ⊙ (U (V x_l) + b_U) + x_l.
    let xl = x0;
    for (const { v, u } of cross) {
      const low = linear(xl, v.weight, v.bias);
      const up = linear(low, u.weight, u.bias);
      const gated = mul(x0, up);
      const next = add(gated, xl);
      for (const t of [low, up, gated]) t.free();
      if (xl !== x0) xl.free();
      xl = next;
    }
    x0.free();
    const out = mlp(xl, top, true);
    xl.free();
    out.free();
  };
  const watts = await averageWatts(step);
  for (const t of [dense, ...tables, ...indices, ...offsets]) t.free();
  for (const l of [...bottom, ...top, ...cross.flatMap((c) => [c.v, c.u])]) {
    l.weight.free();
    l.bias.free();
  }
  return watts;
}

function check(target: string, source: string, band: [number, number], published: number, simulated: number): PowerCheck {
  return { target, source, band, published, simulated, pass: simulated >= band[0] && simulated <= band[1] };
}

/** Runs the power checks on MTIA 2i and MTIA 1; leaves the runtime shut down. */
export async function powerChecks(): Promise<PowerCheck[]> {
  const rows: PowerCheck[] = [];
  try {
    for (const [profile, chip] of [['mtia-v2', 'MTIA 2i'], ['mtia-v1', 'MTIA 1']] as const) {
      const { tdpWatts, typicalWatts } = PUBLISHED_POWER[profile];
      const dtype = profile === 'mtia-v1' ? 'float16' : 'bfloat16';
      rows.push(check(`${chip}: dense 2048³ ${dtype} GEMM at peak, average power under the TDP`, 'ISCA\'25 Table 2 (TDP)',
        [0, tdpWatts], tdpWatts, await gemmPeakWatts(profile)));
      rows.push(check(`${chip}: typical mixed model (MLPerf DLRM-DCNv2 step, batch 2048), average power within ±${TYPICAL_POWER_BAND * 100} % of the typical`,
        'ISCA\'25 Table 2 (typical)', [typicalWatts * (1 - TYPICAL_POWER_BAND), typicalWatts * (1 + TYPICAL_POWER_BAND)], typicalWatts,
        await dlrmDcnV2Watts(profile)));
    }
  } finally {
    await mtia.shutdown();
  }
  return rows;
}
