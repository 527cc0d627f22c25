// `mtia-sim scalesim` and mtia.scalesim through the built package: SCALE-Sim's own flags, its
// reports written to OUTDIR/<run_name>/ equal, byte for byte, to the ones SCALE-Sim v2 wrote for
// the same files (test/fixtures/scalesim), usage errors with exit code 2, a malformed file named
// with its line and column (exit 1); a whole topology in three dataflows with its DRAM
// columns; and the device's matmul/conv2d on the systolic profile timed by the same mapping, checked
// against SCALE-Sim's own reports.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conv2d, empty, matmul, mtia } from 'mtia-sim';
import { afterAll, describe, expect, test } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/scalesim', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mtia-scalesim-'));
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await mtia.shutdown();
});

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { cwd: work, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** Columns → cells of a SCALE-Sim report. */
function table(text: string): Map<string, string[]> {
  const [header, ...rows] = text.trim().split('\n').map((line) => line.replace(/,\s*$/, '').split(', '));
  return new Map(header!.map((name, i) => [name, rows.map((row) => row[i]!)]));
}

describe('mtia-sim scalesim', () => {
  test.each([
    ['resnet18_part', 'scalesim_64x16_ws_calc', []],
    ['gemm_test_mnk_input', 'scalesim_32x32_is_calc', ['-i', 'gemm']],
    ['resnet18_part', 'scalesim_32x32_os_user', []],
  ])('%s on %s: the reports SCALE-Sim wrote, column for column', async (topology, runName, extra) => {
    const { code, stdout, stderr } = await run(['scalesim', '-c', join(FIXTURES, 'configs', `${runName}.cfg`), '-t', join(FIXTURES, 'topologies', `${topology}.csv`), ...extra, '-p', work]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/Total cycles: \d+/);
    for (const name of ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv']) {
      const ours = table(readFileSync(join(work, runName, name), 'utf8'));
      const golden = table(readFileSync(join(FIXTURES, 'reports', topology, runName, name), 'utf8'));
      expect([...ours.keys()]).toEqual([...golden.keys()]);
      for (const [header, cells] of ours) expect(cells, `${name}: ${header}`).toEqual(golden.get(header));
      expect(readFileSync(join(work, runName, name), 'utf8')).toBe(readFileSync(join(FIXTURES, 'reports', topology, runName, name), 'utf8'));
    }
  });
  test.each([
    [['scalesim', '-t', 'net.csv'], /expected a config/],
    [['scalesim', '-c', 'a.cfg'], /expected a topology/],
    [['scalesim', '-c', 'a.cfg', '-t', 'n.csv', '-i', 'mnk'], /-i: expected conv or gemm, got 'mnk'/],
    [['scalesim', '-c', 'a.cfg', '-t', 'n.csv', '--sparsity'], /unknown option '--sparsity'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
  test('a malformed topology: exit 1, the file, line and column named', async () => {
    const file = join(work, 'bad.csv');
    writeFileSync(file, 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nc1, 8, 8, 3, 3, 1, 1, 0,\n');
    const { code, stderr } = await run(['scalesim', '-c', join(FIXTURES, 'configs', 'scalesim_32x32_os_calc.cfg'), '-t', file]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}:2:23: Strides: expected a positive integer, got '0'`);
  });
});

describe('mtia.scalesim.run', () => {
  test('a whole shipped topology (ResNet-18, 21 layers) in all three dataflows, DRAM model included', () => {
    // Its speed is a benchmark's (bench/timing/scalesim.mjs, docs/benchmarks.md), not a test's.
    const csv = readFileSync(join(FIXTURES, 'topologies', 'Resnet18.csv'), 'utf8');
    const config = readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_os_calc.cfg'), 'utf8');
    const all = (): void => {
      for (const dataflow of ['os', 'ws', 'is']) {
        const result = mtia.scalesim.run(config.replace('Dataflow : os', `Dataflow : ${dataflow}`), csv);
        expect(result.layers).toHaveLength(21);
        expect(result.layers.every((layer) => layer.ifmapDram.accesses > 0 && layer.ofmapDram.accesses > 0)).toBe(true);
      }
    };
    all();
  });
});

describe('the device on the systolic profile, timed by the same mapping', () => {
  const config = readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_os_calc.cfg'), 'utf8');
  test.each(['os', 'ws', 'is'] as const)('%s: matmul and conv2d cycles equal mtia.scalesim.run\'s', async (dataflow) => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true, profile: { name: `systolic-scalesim-${dataflow}`, base: 'mtia-v2', systolic: { rows: 32, cols: 32, dataflow } } });
    const cfg = config.replace('Dataflow : os', `Dataflow : ${dataflow}`);
    // A conv layer whose stride divides H − R, so PyTorch's output size equals SCALE-Sim's.
    const conv = mtia.scalesim.run(cfg, 'h,\nc, 15, 15, 3, 3, 16, 24, 2,\n').layers[0]!;
    const gemm = mtia.scalesim.run(cfg, 'Layer Name, M, N, K,\ng, 128, 64, 256,\n', { inputType: 'gemm' }).layers[0]!;
    // A depthwise layer: SCALE-Sim runs a "DP" layer as one layer per channel; the device, one GEMM per group.
    const dp = mtia.scalesim.run(cfg, 'h,\nDP_c, 15, 15, 3, 3, 4, 1, 2,\n').layers;
    mtia.profiler.start();
    matmul(empty([128, 256]), empty([256, 64]));
    conv2d(empty([1, 16, 15, 15]), empty([24, 16, 3, 3]), undefined, { stride: 2 });
    conv2d(empty([1, 4, 15, 15]), empty([4, 1, 3, 3]), undefined, { stride: 2, groups: 4 });
    await mtia.profiler.stop();
    const [mm, cv, dw] = mtia.profiler.opStats();
    expect(dp).toHaveLength(4);
    expect(dw!.cycles.compute).toBe(dp.reduce((sum, layer) => sum + layer.totalCycles, 0));
    expect(dw!.systolic!.mappingEfficiencyPercent).toBeCloseTo(dp[0]!.mappingEfficiencyPercent, 10);
    expect(mm!.cycles.compute).toBe(gemm.totalCycles);
    expect(cv!.cycles.compute).toBe(conv.totalCycles);
    expect(cv!.systolic!.mappingEfficiencyPercent).toBeCloseTo(conv.mappingEfficiencyPercent, 10);
    expect(cv!.systolic!.computeUtilisationPercent).toBeCloseTo(conv.computeUtilPercent, 10);
    expect(cv!.systolic!.overallUtilisationPercent).toBeCloseTo(conv.overallUtilPercent, 10);
  });
  /** Total Cycles per layer of a report SCALE-Sim v2 itself wrote (test/fixtures/scalesim/reports). */
  const scaleSimCycles = (topology: string, runName: string): number[] =>
    readFileSync(join(FIXTURES, 'reports', topology, runName, 'COMPUTE_REPORT.csv'), 'utf8').trim().split('\n').slice(1).map((line) => Number(line.split(', ')[1]));
  test.each(['os', 'ws', 'is'] as const)('%s: matmul and a depthwise conv2d take the cycles SCALE-Sim v2 reported for the same layers', async (dataflow) => {
    await mtia.shutdown();
    mtia.configure({ deviceCount: 1, timingOnly: true, profile: { name: `systolic-golden-${dataflow}`, base: 'mtia-v2', systolic: { rows: 32, cols: 32, dataflow } } });
    mtia.profiler.start();
    // gemm_test_mnk_input: Test 1, M 128, N 64, K 256.
    matmul(empty([128, 256]), empty([256, 64]));
    // mobilenet_dw_part's DP_Conv14: 14 × 14, 3 × 3, 8 channels, 1 filter each, stride 1 (PyTorch's output size is SCALE-Sim's).
    conv2d(empty([1, 8, 14, 14]), empty([8, 1, 3, 3]), undefined, { groups: 8 });
    await mtia.profiler.stop();
    const [mm, dw] = mtia.profiler.opStats();
    expect(mm!.cycles.compute).toBe(scaleSimCycles('gemm_test_mnk_input', `scalesim_32x32_${dataflow}_calc`)[0]);
    const depthwise = scaleSimCycles('mobilenet_dw_part', `scalesim_32x32_${dataflow}_calc`).slice(0, 8);
    expect(dw!.cycles.compute).toBe(depthwise.reduce((sum, cycles) => sum + cycles, 0));
  });
});
