// Energy (src/profiler/energy.ts; docs/timing-model.md "Energy"): OpStats.energy from the
// profile's per-access energies, checked against hand arithmetic from the op's own counts,
// against the chips' published power (ISCA25: MTIA 2i 85 W TDP, MTIA 1 35 W), for monotonicity
// in work (fast-check, fixed seed, timing-only mode), and runEnergy's static power over a run.

import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { add, empty, matmul, mtia, quantizeDynamic, quantizedLinear, tensor } from 'mtia-sim';
import type { DType } from 'mtia-sim';

afterAll(() => mtia.shutdown());

async function configure(profile: Parameters<typeof mtia.configure>[0]['profile']): Promise<void> {
  await mtia.shutdown();
  mtia.configure({ deviceCount: 1, timingOnly: true, profile });
}

/** Profiles `run` and returns the ops it ran. */
async function profiled(run: () => void): Promise<mtia.OpStats[]> {
  await mtia.synchronize();
  mtia.profiler.start();
  try {
    run();
  } finally {
    await mtia.profiler.stop();
  }
  return mtia.profiler.opStats();
}

/** One n×k · k×m matmul of `dtype`, profiled. */
async function gemm(m: number, n: number, k: number, dtype: DType): Promise<mtia.OpStats> {
  const a = empty([m, k], { dtype });
  const b = empty([k, n], { dtype });
  const [op] = await profiled(() => matmul(a, b));
  a.free();
  b.free();
  return op!;
}

const seconds = (op: mtia.OpStats) => (op.endNs - op.startNs) * 1e-9;

describe('energy', () => {
  test('a dense bf16 2048³ GEMM at peak on MTIA 2i: each component is its count × the profile\'s pJ, under the 85 W TDP', async () => {
    await configure('mtia-v2');
    const p = mtia.getDeviceProperties(0);
    expect(p.name).toContain('MTIA 2i');
    const op = await gemm(2048, 2048, 2048, 'bfloat16');
    expect(op.utilisation).toBeGreaterThan(0.9); // at peak: compute-bound
    const { byComponent: e } = op.energy;
    // Hand arithmetic with MTIA 2i's figures (src/profiles.ts): 0.5 pJ per bf16 MAC, 0.625 pJ per
    // local-memory byte, 3.125 per SRAM byte, 4 per NoC byte (SRAM + DRAM bytes), 32 per DRAM byte, 15 W static.
    const rel = 1e-12;
    expect(e.compute).toBeCloseTo(2048 ** 3 * 0.5e-12, 15);
    expect(Math.abs(e.localMemory - op.bytes.localMemory * 0.625e-12)).toBeLessThan(rel);
    expect(Math.abs(e.sram - op.bytes.sram * 3.125e-12)).toBeLessThan(rel);
    expect(Math.abs(e.noc - (op.bytes.sram + op.bytes.dram) * 4e-12)).toBeLessThan(rel);
    expect(Math.abs(e.dram - op.bytes.dram * 32e-12)).toBeLessThan(rel);
    expect(e.pcie).toBe(0);
    expect(e.static).toBeCloseTo(15 * seconds(op), 15);
    // Idle engines: 1/3 of each engine's peak power per PE (DPE 1024 MACs × 0.5 pJ, SE 32 × 1.15 pJ,
    // RE 32 × 0.225 pJ, each × 1.35 GHz) over its idle PE-seconds (64 PEs × the duration − PEs × busy cycles / clock).
    const idlePeSeconds = (busy: number) => 64 * seconds(op) - (op.pes * busy) / 1.35e9;
    const idle = (1 / 3) * (1024 * 0.5e-12 * 1.35e9 * idlePeSeconds(op.cycles.dpe) +
      32 * 1.15e-12 * 1.35e9 * idlePeSeconds(op.cycles.se) + 32 * 0.225e-12 * 1.35e9 * idlePeSeconds(op.cycles.re));
    expect(e.idle).toBeCloseTo(idle, 12);
    expect(e.idle).toBeGreaterThan(0);
    const sum = e.compute + e.localMemory + e.sram + e.noc + e.dram + e.pcie + e.static + e.idle;
    expect(op.energy.joules).toBeCloseTo(sum, 15);
    expect(op.energy.averageWatts).toBeCloseTo(op.energy.joules / seconds(op), 9);
    // Measured 81.4 W (docs/timing-model.md "Energy" works it by hand): 96 % of the TDP, as a chip whose TDP is set by its densest GEMM should be.
    expect(op.energy.joules * 1e6).toBeCloseTo(8191.4 + idle * 1e6, 0);
    expect(op.energy.averageWatts).toBeLessThan(85);
    expect(op.energy.averageWatts).toBeGreaterThan(0.8 * 85);
  });

  test('MTIA 1: a dense fp16 2048³ GEMM at peak stays under its 35 W TDP, above its 25 W typical', async () => {
    await configure('mtia-v1');
    const op = await gemm(2048, 2048, 2048, 'float16');
    expect(op.utilisation).toBeGreaterThan(0.9);
    // Measured 32.9 W.
    expect(op.energy.averageWatts).toBeLessThan(35);
    expect(op.energy.averageWatts).toBeGreaterThan(25);
  });

  test('a mixed program (a host copy, GEMMs, elementwise) averages between the static power and the TDP', async () => {
    await configure('mtia-v2');
    const w = empty([1024, 1024], { dtype: 'float32' });
    const ops = await profiled(() => {
      const x = tensor(new Float32Array(1024 * 1024)).view(1024, 1024);
      const y = matmul(x, w);
      const z = add(y, y);
      matmul(z, w);
    });
    const run = mtia.profiler.runEnergy(ops);
    expect(run.averageWatts).toBeGreaterThan(15);
    expect(run.averageWatts).toBeLessThan(85);
    expect(ops.some((op) => op.energy.byComponent.pcie > 0)).toBe(true);
  });

  test('MAC energy by dtype: 0.5 pJ per bf16 MAC, 1.15 per float32 MAC, 0.075 per int8 MAC of quantizedLinear', async () => {
    await configure('mtia-v2');
    const macs = 256 * 128 * 512;
    expect((await gemm(256, 128, 512, 'bfloat16')).energy.byComponent.compute).toBeCloseTo(macs * 0.5e-12, 15);
    expect((await gemm(256, 128, 512, 'float32')).energy.byComponent.compute).toBeCloseTo(macs * 1.15e-12, 15);
    const x = empty([256, 512]);
    const w = empty([128, 512]);
    const [xq, wq] = [quantizeDynamic(x), quantizeDynamic(w)];
    const ops = await profiled(() => quantizedLinear(xq, wq));
    const [op] = ops.filter((o) => o.name === 'quantizedLinear');
    expect(op!.engine).toBe('dpe');
    expect(op!.energy.byComponent.compute).toBeCloseTo(macs * 0.075e-12, 15);
  });

  test('runEnergy on one stream = Σ op energies + static power over the idle gaps', async () => {
    await configure('mtia-v2');
    const x = empty([512, 512], { dtype: 'bfloat16' });
    const ops = await profiled(() => {
      const y = matmul(x, x);
      add(y, 1);
      matmul(y, x);
    });
    expect(ops.length).toBeGreaterThanOrEqual(3);
    const run = mtia.profiler.runEnergy(ops);
    const spanS = (Math.max(...ops.map((op) => op.endNs)) - Math.min(...ops.map((op) => op.startNs))) * 1e-9;
    const busyS = ops.reduce((s, op) => s + seconds(op), 0);
    expect(spanS).toBeGreaterThanOrEqual(busyS - 1e-15);
    const expected = ops.reduce((s, op) => s + op.energy.joules, 0) + 15 * (spanS - busyS);
    expect(run.joules).toBeCloseTo(expected, 12);
    expect(run.seconds).toBeCloseTo(spanS, 15);
    expect(run.averageWatts).toBeCloseTo(run.joules / run.seconds, 6);
    // The default is the run's opStats(); bad input is named.
    expect(mtia.profiler.runEnergy().joules).toBeCloseTo(run.joules, 15);
    expect(() => mtia.profiler.runEnergy(3 as never)).toThrow(/runEnergy\(\): ops must be an array/);
  });

  test('energy never decreases when an op\'s work grows (fast-check, seed 22, 10 runs, timing-only)', async () => {
    // Each op runs on a freshly configured device, so both see the same cold SRAM and an idle
    // grid (a job launch): with a warm SRAM the larger op can hit where the smaller one missed.
    const alone = async (run: () => Promise<mtia.OpStats>) => {
      await configure('mtia-v2');
      return run();
    };
    const elementwise = async (numel: number) => {
      const a = empty([numel]);
      const [op] = await profiled(() => add(a, a));
      return op!;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 256 }), fc.constantFrom<DType>('bfloat16', 'float16', 'float32'),
        async (m, n, k, grow, dtype) => {
          const small = await alone(() => gemm(m, n, k, dtype));
          const larger = await alone(() => gemm(m, n, k + grow, dtype));
          expect(larger.energy.joules).toBeGreaterThanOrEqual(small.energy.joules);
          const addSmall = await alone(() => elementwise(m * n));
          const addLarger = await alone(() => elementwise(m * n + grow * 64));
          expect(addLarger.energy.joules).toBeGreaterThanOrEqual(addSmall.energy.joules);
        },
      ),
      { seed: 22, numRuns: 10 },
    );
  }, 120_000);

  test('the Chrome trace carries each op\'s energy and a power counter per stream: its dynamic watts from start, 0 from end', async () => {
    await configure('mtia-v2');
    const x = empty([512, 512], { dtype: 'bfloat16' });
    const [op] = await profiled(() => matmul(x, x));
    const events = mtia.profiler.exportChromeTrace().traceEvents;
    const slice = events.find((e) => e.ph === 'X' && e.cat === 'op');
    expect(slice!.args!.energy).toEqual(op!.energy);
    const power = events.filter((e) => e.ph === 'C' && e.cat === 'energy');
    expect(power.map((e) => e.name)).toEqual(['power (stream 0)', 'power (stream 0)']);
    const dynamicWatts = (op!.energy.joules - op!.energy.byComponent.static) / seconds(op!);
    expect(power[0]!.ts).toBe(Math.round(op!.startNs * 65.536) / 65_536); // in steps of 2^-16 µs, as the slices
    expect(power[0]!.args!.dynamicWatts).toBeCloseTo(dynamicWatts, 9);
    expect(power[1]!.ts).toBe(Math.round(op!.endNs * 65.536) / 65_536);
    expect(power[1]!.args!.dynamicWatts).toBe(0);
  });

  test('a custom profile sets the per-access energies; a misspelled or negative one is an error at configure()', async () => {
    await configure({ name: 'no-mac-energy', base: 'mtia-v2', energyPjPerFp16Mac: 0, staticPowerWatts: 0 });
    const op = await gemm(256, 256, 256, 'bfloat16');
    expect(op.energy.byComponent.compute).toBe(0);
    expect(op.energy.byComponent.static).toBe(0);
    expect(op.energy.joules).toBeGreaterThan(0); // its bytes still cost
    await mtia.shutdown();
    expect(() => mtia.configure({ profile: { name: 'x', energyPjPerFp16Macs: 1 } as never }))
      .toThrow(/profile has no field 'energyPjPerFp16Macs'/);
    expect(() => mtia.configure({ profile: { name: 'x', staticPowerWatts: -1 } }))
      .toThrow(/profile.staticPowerWatts must be a number ≥ 0, but got: -1/);
  });
});
