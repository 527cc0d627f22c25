// The playground's heat-map numbers (examples/playground/pe-grid.ts) from real op records on
// in-realm devices: a GEMM's tiling recomputed from its shapes reproduces the record, its K
// steps are whole (full steps of whole DPE passes, then the partial last one) and add up to
// the job's K; the grid's mean is the op's utilisation; the sentences use integers and
// singular nouns for one ("1 wave", "1 PE"); percentages keep their precision when small.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import type { OpStats } from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { empty } from '../../src/tensor/factories.js';
import { matmul } from '../../src/tensor/linalg.js';
import { add } from '../../src/tensor/ops.js';
import { gemmTiling, peGridOf, workLayout } from '../../examples/playground/pe-grid.js';
import { formatCellPercent, formatPercent, plural } from '../../examples/playground/units.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 1, timingOnly: true }));
afterAll(() => mtia.shutdown());

/** The OpStats of one matmul of M×K · K×N (timing-only). */
async function matmulStats(m: number, n: number, k: number): Promise<OpStats> {
  const a = empty([m, k]);
  const b = empty([k, n]);
  await mtia.synchronize();
  mtia.profiler.start();
  matmul(a, b);
  await mtia.profiler.stop();
  return mtia.profiler.opStats()[0]!;
}

describe('the playground\'s PE grid', () => {
  test.each([
    [32, 32, 32], [64, 64, 1000], [128, 96, 4096], [1000, 1000, 1000], [256, 512, 1024], [8, 8, 100_000], [2048, 2048, 2048],
  ])('matmul %i × %i × %i: whole K steps adding up to the job\'s K, the grid\'s mean its utilisation', async (m, n, k) => {
    const op = await matmulStats(m, n, k);
    const t = gemmTiling(op, 64);
    expect(t, JSON.stringify(op.tile)).not.toBeNull();
    const { kPerJob, stepK, lastStepK, stepsPerJob, kSplit, waves } = t!;
    for (const whole of [kPerJob, stepK, lastStepK, stepsPerJob, waves]) expect(Number.isInteger(whole)).toBe(true);
    expect(stepK % 32).toBe(0);
    expect(lastStepK).toBeGreaterThan(0);
    expect(lastStepK).toBeLessThanOrEqual(stepK);
    expect((stepsPerJob - 1) * stepK + lastStepK).toBe(kPerJob);
    expect(kPerJob * kSplit).toBeGreaterThanOrEqual(k); // the split parts cover K
    expect(waves * stepsPerJob).toBe(op.steps);
    const map = peGridOf(op, 8, 8);
    expect(map.rule).toBe('gemm-tiles');
    const mean = map.values.reduce((s, v) => s + v, 0) / map.values.length;
    expect(mean).toBeCloseTo(op.utilisation, 12);
    const sentence = workLayout(op, 8, 8);
    expect(sentence).not.toMatch(/\d\.\d/); // no fractional tile, step or K
    expect(sentence).not.toMatch(/\b1 (PEs|waves|steps|output tiles|jobs)\b/);
  });

  test('a tiny add: its PEs\' small utilisation keeps two significant digits, not 0.0 %', async () => {
    const a = empty([64]);
    await mtia.synchronize();
    mtia.profiler.start();
    add(a, a);
    await mtia.profiler.stop();
    const op = mtia.profiler.opStats()[0]!;
    expect(op.utilisation).toBeGreaterThan(0);
    expect(op.utilisation).toBeLessThan(0.001);
    const map = peGridOf(op, 8, 8);
    expect(map.rule).toBe('even');
    expect(formatPercent(op.utilisation)).toMatch(/^0\.0*[1-9]\d? %$/);
    expect(formatCellPercent(Math.max(...map.values))).not.toBe('0 %');
    expect(workLayout(op, 8, 8)).toMatch(/^1 PE share|^\d+ PEs share/);
  });

  test('percentages and plurals as the page writes them', () => {
    expect([1, 0.363, 0.001234, 0.0000009, 0].map(formatPercent)).toEqual(['100.0 %', '36.3 %', '0.12 %', '< 0.0001 %', '0 %']);
    expect([0.363, 0.05, 0.0012, 0].map(formatCellPercent)).toEqual(['36 %', '5 %', '0.12 %', '0 %']);
    expect([plural(1, 'PE'), plural(64, 'PE'), plural(1, 'output tile'), plural(4096, 'job')]).toEqual(['1 PE', '64 PEs', '1 output tile', '4,096 jobs']);
  });
});
