// The systolic array's energy report (src/scalesim/energy.ts): every component is its action
// count × its pJ, checked by hand against a layer's own counts and MTIA 2i's figures; the CSV
// has SCALE-Sim's layout and sums to the layer's total; energy_estimation.yaml is Accelergy's
// layout and sums the layers; the energy profile can be chosen and is named when wrong.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { run, sramPjPerByte } from '../../src/scalesim/index.js';
import { profiles } from '../../src/profiles.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/scalesim');
const config = readFileSync(join(FIXTURES, 'configs/scalesim_32x32_os_calc.cfg'), 'utf8');
const v2 = profiles['mtia-v2'];

describe('scalesim energy', () => {
  test('a 128 × 64 × 256 GEMM on a 32 × 32 os array: each component is its count × pJ (MTIA 2i figures)', () => {
    const result = run(config, 'Layer Name, M, N, K,\nTest 1, 128, 64, 256,\n', { inputType: 'gemm' });
    const [layer] = result.layers;
    const [e] = result.energy;
    const macs = 128 * 64 * 256;
    expect(layer!.macs).toBe(macs);
    // MTIA 2i: 0.3 pJ × 0.25 = 0.075 pJ per int8 MAC; idle at 1/3 of it; a register access = a MAC.
    const mac = 0.075;
    expect(e!.macPj).toBeCloseTo(macs * mac, 6);
    expect(e!.idleMacPj).toBeCloseTo((1024 * layer!.totalCycles - macs) * (mac / 3), 6);
    expect(e!.ifmapSpadPj).toBeCloseTo((macs + layer!.ifmapSram.accesses) * mac, 6);
    expect(e!.weightsSpadPj).toBeCloseTo((macs + layer!.filterSram.accesses) * mac, 6);
    expect(e!.psumSpadPj).toBeCloseTo(2 * macs * mac, 6);
    // 64 kB SRAMs: log-log between 0.625 pJ/B at 32 KB and 3.125 pJ/B at 1 MB, a fifth of the way: 0.625 × 5^(1/5).
    const glb = 0.625 * 5 ** (Math.log(2) / Math.log(32));
    expect(sramPjPerByte(v2, 64)).toBeCloseTo(glb, 12);
    expect(e!.ifmapGlbPj).toBeCloseTo(layer!.ifmapSram.accesses * glb, 6);
    expect(e!.weightsGlbPj).toBeCloseTo(layer!.filterSram.accesses * glb, 6);
    expect(e!.psumGlbPj).toBeCloseTo(layer!.ofmapSram.accesses * glb, 6);
    // DRAM: MTIA 2i's 4 pJ/bit = 32 pJ per byte, a word being a byte; every word comes from DRAM once at least.
    expect(layer!.ifmapDram.accesses).toBeGreaterThanOrEqual(128 * 256);
    expect(layer!.filterDram.accesses).toBeGreaterThanOrEqual(256 * 64);
    expect(layer!.ofmapDram.accesses).toBe(128 * 64);
    expect(e!.ifmapDramPj).toBeCloseTo(layer!.ifmapDram.accesses * 32, 6);
    expect(e!.weightsDramPj).toBeCloseTo(layer!.filterDram.accesses * 32, 6);
    expect(e!.psumDramPj).toBeCloseTo(128 * 64 * 32, 6);
    const sum = e!.macPj + e!.idleMacPj + e!.ifmapSpadPj + e!.weightsSpadPj + e!.psumSpadPj + e!.ifmapGlbPj + e!.weightsGlbPj + e!.psumGlbPj
      + e!.ifmapDramPj + e!.weightsDramPj + e!.psumDramPj;
    expect(e!.totalPj).toBeCloseTo(sum, 6);
    expect(e!.averageWatts).toBeCloseTo((sum * 1e-12) / (layer!.totalCycles / 1.35e9), 9);
    // Clamped outside the two points.
    expect(sramPjPerByte(v2, 8)).toBe(0.625);
    expect(sramPjPerByte(v2, 4096)).toBeCloseTo(3.125, 12);
  });

  test('ENERGY_REPORT.csv in SCALE-Sim\'s layout and energy_estimation.yaml in Accelergy\'s, summing the layers', () => {
    const topology = readFileSync(join(FIXTURES, 'topologies/resnet18_part.csv'), 'utf8');
    const result = run(config, topology);
    const csv = result.reports['ENERGY_REPORT.csv']!.trim().split('\n');
    expect(csv[0]).toBe('LayerID, mac (pJ), mac idle (pJ), ifmap_spad (pJ), weights_spad (pJ), psum_spad (pJ), ifmap_glb (pJ), weights_glb (pJ), psum_glb (pJ), ifmap_dram (pJ), weights_dram (pJ), psum_dram (pJ), Total Energy (pJ), Avg Power (W),');
    expect(csv.length).toBe(result.layers.length + 1);
    for (const [i, line] of csv.slice(1).entries()) {
      const cells = line.replace(/,$/, '').split(', ').map(Number);
      expect(cells[0]).toBe(i);
      expect(cells[12]).toBeCloseTo(cells.slice(1, 12).reduce((a, b) => a + b, 0), 3);
      expect(cells[12]).toBe(result.energy[i]!.totalPj);
    }
    const yaml = result.reports['energy_estimation.yaml']!;
    expect(yaml.startsWith('energy_estimation:\n  components:\n  - energy: ')).toBe(true);
    expect(yaml).toContain('    name: systolic_array.PE[0..1023].mac\n');
    expect(yaml.endsWith('  version: 0.3\n')).toBe(true);
    const total = [...yaml.matchAll(/energy: ([0-9.e+-]+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    expect(total).toBeCloseTo(result.energy.reduce((s, e) => s + e.totalPj, 0), 0);
  });

  test('the energy profile: MTIA 1\'s figures and clock, or an error naming the option', () => {
    const topology = 'Layer Name, M, N, K,\nTest 1, 128, 64, 256,\n';
    const v1 = run(config, topology, { inputType: 'gemm', energyProfile: 'mtia-v1' });
    expect(v1.energyTable.macPj).toBeCloseTo(0.09, 12);
    expect(v1.energyTable.clockHz).toBe(0.8e9);
    expect(() => run(config, topology, { inputType: 'gemm', energyProfile: 'mtia-v9' as never })).toThrow(/energyProfile: expected one of mtia-v1, mtia-v2/);
  });
});
