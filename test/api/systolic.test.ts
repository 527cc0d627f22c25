// The systolic teaching profile through the built package, with real device workers:
// mtia.configure({ profile: { name, base: 'mtia-v2', systolic } }), a matmul, and the
// profiler's OpStats carrying SCALE-Sim v2's numbers for the GEMM (the golden cases of
// SCALE-Sim v2's golden runs @ 22f88b1: a 32 × 32 array; test/core/systolic.test.ts has all
// of them). A bad `systolic` option is an error at configure() naming the field.

import { afterAll, describe, expect, test } from 'vitest';
import { empty, matmul, mtia, ValueError } from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** Configures one device whose GEMMs run on a 32 × 32 array with `dataflow`. */
async function configureSystolic(dataflow: mtia.SystolicDataflow, timingOnly: boolean): Promise<void> {
  await mtia.shutdown();
  mtia.configure({ deviceCount: 1, timingOnly, profile: { name: 'systolic-32x32', base: 'mtia-v2', systolic: { rows: 32, cols: 32, dataflow } } });
}

/** Profiles one M×K · K×N float32 matmul; returns its OpStats. */
async function profiledMatmul(m: number, n: number, k: number): Promise<mtia.OpStats> {
  const a = empty([m, k]);
  const b = empty([k, n]);
  await mtia.synchronize();
  mtia.profiler.start();
  matmul(a, b);
  await mtia.profiler.stop();
  const [op, ...rest] = mtia.profiler.opStats();
  expect(rest).toEqual([]);
  return op!;
}

describe('the systolic teaching profile', () => {
  test('matmul 128 × 64 × 256 reports SCALE-Sim\'s cycles for OS, WS and IS (2543, 3551, 5055) and its percentages', async () => {
    // Golden runs: Util % 80.53 / 57.67 / 40.51 (SCALE-Sim's "Overall Util %"); mapping efficiency 100 %.
    const expected = { os: [2543, '80.53'], ws: [3551, '57.67'], is: [5055, '40.51'] } as const;
    for (const dataflow of ['os', 'ws', 'is'] as const) {
      await configureSystolic(dataflow, false);
      const op = await profiledMatmul(128, 64, 256);
      const [cycles, overall] = expected[dataflow];
      expect(op).toMatchObject({ name: 'matmul', shapes: [[128, 256], [256, 64], [128, 64]], engine: 'dpe' });
      expect(op.cycles.compute).toBe(cycles);
      expect(op.cycles.dpe).toBe(cycles);
      expect(op.systolic!.overallUtilisationPercent.toFixed(2)).toBe(overall);
      expect(op.systolic!.mappingEfficiencyPercent).toBe(100);
      // The rest of the device is MTIA's: a launch before, the body around the array's cycles.
      expect(op.cycles.launch).toBeCloseTo(750e-9 * 1.35e9, 6);
      expect(op.cycles.total).toBeGreaterThan(cycles + op.cycles.launch);
    }
  });

  test('the GoogLeNet conv of the golden runs as a GEMM (25 × 384 × 1728, OS) in timing-only mode: 21479 cycles, 75.42 % and 78.13 %', async () => {
    await configureSystolic('os', true);
    const op = await profiledMatmul(25, 384, 1728);
    expect(op.cycles.compute).toBe(21479);
    expect(op.systolic).toEqual({
      folds: 12,
      mappingEfficiencyPercent: 78.125,
      computeUtilisationPercent: expect.any(Number),
      overallUtilisationPercent: expect.any(Number),
    });
    expect(op.systolic!.overallUtilisationPercent.toFixed(2)).toBe('75.42');
    // Compute Util % as SCALE-Sim wrote it for this layer (test/core/systolic.test.ts).
    expect(op.systolic!.computeUtilisationPercent).toBeCloseTo(75.41899441340782, 10);
    expect(op.tile).toEqual({ m: 25, n: 32, k: 1728, kSplit: 1 });
  });

  test('without the systolic option a matmul runs on the DPEs and has no SCALE-Sim figures', async () => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true, profile: 'mtia-v2' });
    const op = await profiledMatmul(128, 64, 256);
    expect(op.systolic).toBeUndefined();
    expect(op.cycles.compute).not.toBe(2543);
  });

  test('a bad systolic option is an error at configure() naming the field', async () => {
    await mtia.shutdown();
    mtia.configure({ profile: 'mtia-v2' });
    const bad = (systolic: unknown) => () => mtia.configure({ profile: { name: 'bad', systolic } as mtia.CustomProfile });
    expect(bad({ rows: 0, cols: 32, dataflow: 'os' })).toThrow(new ValueError("configure(): profile.systolic.rows must be a positive integer, but got: 0"));
    expect(bad({ rows: 32, cols: 2.5, dataflow: 'os' })).toThrow(new ValueError("configure(): profile.systolic.cols must be a positive integer, but got: 2.5"));
    expect(bad({ rows: 32, cols: 32, dataflow: 'rs' })).toThrow(new ValueError("configure(): profile.systolic.dataflow must be one of 'os', 'ws', 'is', but got: rs"));
    expect(bad({ rows: 32, cols: 32, dataflow: 'os', height: 4 })).toThrow(new TypeError("configure(): profile.systolic has no field 'height'; the fields are rows, cols, dataflow"));
    expect(bad(32)).toThrow(new TypeError('configure(): profile.systolic must be an object { rows, cols, dataflow }, but got: 32'));
    expect(bad({ rows: 32, cols: 32 })).toThrow(ValueError);
    // Nothing was configured by the failed calls: the profile configured before still holds.
    expect(mtia.getDeviceProperties().profile).toBe('mtia-v2');
  });
});
