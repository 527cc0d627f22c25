// mtia.scalesim against SCALE-Sim v2 itself: every fixture under test/fixtures/scalesim/ is a
// config, a topology and the reports the real tool wrote for them (PROVENANCE.md). Each column
// must equal SCALE-Sim's text exactly (the floats too: same digits), the DRAM columns of the
// double-buffered SRAM model (src/scalesim/memory.ts) included. Then malformed inputs: each error
// names the file, the line and the column.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ScaleSimInputError, parseConfig, parseTopology, pythonFloat, run } from '../../src/scalesim/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/scalesim');
const REPORTS = ['COMPUTE_REPORT.csv', 'BANDWIDTH_REPORT.csv', 'DETAILED_ACCESS_REPORT.csv'];

/** A SCALE-Sim report as header → column of cells (its ", " separators and trailing comma removed). */
function table(text: string): Map<string, string[]> {
  const [header, ...rows] = text.trim().split('\n').map((line) => line.replace(/,\s*$/, '').split(', '));
  return new Map(header!.map((name, i) => [name, rows.map((row) => row[i]!)]));
}

const topologies = readdirSync(join(FIXTURES, 'reports'));
const cases = topologies.flatMap((topology) =>
  readdirSync(join(FIXTURES, 'reports', topology)).map((runName) => ({ topology, runName })));

describe('SCALE-Sim v2 golden reports, CALC and USER modes', () => {
  test('there are fixtures: 3 topologies × (3 dataflows × 2 arrays in CALC + 3 dataflows in USER), and the whole of AlexNet in os', () => {
    expect(cases.filter((c) => c.runName.endsWith('_calc')).length).toBe(19);
    expect(cases.filter((c) => c.runName.endsWith('_user')).length).toBe(9);
  });
  test.each(cases)('$topology on $runName: every column of every report, as SCALE-Sim wrote it', ({ topology, runName }) => {
    const config = readFileSync(join(FIXTURES, 'configs', `${runName}.cfg`), 'utf8');
    const csv = readFileSync(join(FIXTURES, 'topologies', `${topology}.csv`), 'utf8');
    const result = run(config, csv, { inputType: topology.startsWith('gemm') ? 'gemm' : 'conv' });
    for (const name of REPORTS) {
      const text = readFileSync(join(FIXTURES, 'reports', topology, runName, name), 'utf8');
      const golden = table(text);
      const ours = table(result.reports[name]!);
      expect([...ours.keys()], name).toEqual([...golden.keys()]);
      for (const [header, cells] of ours) expect(cells, `${name}: ${header}`).toEqual(golden.get(header));
      expect(result.reports[name], name).toBe(text);
    }
  });
  test('USER mode stalls: ResNet-18 Conv5_s at Bandwidth 10 waits on its filter prefetches (SCALE-Sim: 93082 stall cycles in is)', () => {
    const config = readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_is_user.cfg'), 'utf8');
    const csv = readFileSync(join(FIXTURES, 'topologies', 'resnet18_part.csv'), 'utf8');
    const [layer] = run(config, csv).layers;
    expect(layer!.stallCycles).toBe(93082);
    // Bandwidth-bound: the run lasts about as long as its filter DRAM words take at 10 a cycle.
    expect(layer!.totalCycles).toBe(layer!.folds * (2 * 32 + 32 + 512 - 2) - 1 + 93082);
    expect(layer!.filterDram.accesses / 10).toBeGreaterThan(layer!.totalCycles);
  });
});

describe("Python's str() of a float", () => {
  test.each([
    [100, '100.0'], [80.5348014156508, '80.5348014156508'], [0.0001, '0.0001'], [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'], [1e16, '1e+16'], [123456789012345.6, '123456789012345.6'], [-3275, '-3275.0'],
  ])('%s → %s', (value, text) => expect(pythonFloat(value)).toBe(text));
});

describe('topologies as SCALE-Sim reads them', () => {
  test("a depthwise layer ('DP' in its name) becomes one layer per channel", () => {
    const topo = parseTopology('Layer name, H, W, R, S, C, N, Strides,\nDP_a, 8, 8, 3, 3, 3, 1, 1,\n');
    expect(topo.layers.map((l) => [l.name, l.channels, l.numFilters])).toEqual([['DP_aChannel_0', 1, 1], ['DP_aChannel_1', 1, 1], ['DP_aChannel_2', 1, 1]]);
  });
  test("the output size rounds up, SCALE-Sim's ⌈(H − R + S) / S⌉", () => {
    const { layers: [layer] } = run(readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_os_calc.cfg'), 'utf8'),
      'h,\nc, 14, 14, 1, 1, 4, 4, 2,\n');
    expect([layer!.ofmapHeight, layer!.ofmapWidth]).toEqual([8, 8]); // PyTorch: ⌊13 / 2⌋ + 1 = 7
  });
  test('a ninth column is the stride in width', () => {
    const topo = parseTopology('h,\nc, 9, 9, 3, 3, 1, 1, 1, 2,\n');
    expect([topo.layers[0]!.strideHeight, topo.layers[0]!.strideWidth]).toEqual([1, 2]);
  });
  test('a GEMM row is M × K ifmap, N filters of 1 × K', () => {
    const topo = parseTopology('Layer Name, M, N, K,\ng, 6, 3, 4,\n', 'gemm');
    expect(topo.layers[0]).toMatchObject({ ifmapHeight: 6, ifmapWidth: 4, filterHeight: 1, filterWidth: 4, channels: 1, numFilters: 3 });
  });
  test('parsed objects give the same rows as text', () => {
    const config = readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_ws_calc.cfg'), 'utf8');
    const fromText = run(config, 'Layer Name, M, N, K,\ng, 128, 64, 256,\n', { inputType: 'gemm' });
    const fromObjects = run(parseConfig(config), [{ name: 'g', m: 128, n: 64, k: 256 }]);
    expect(fromObjects.reports).toEqual(fromText.reports);
  });
});

describe('malformed inputs: file, line and column', () => {
  const error = (fn: () => unknown): ScaleSimInputError => {
    try { fn(); } catch (e) { if (e instanceof ScaleSimInputError) return e; throw e; }
    throw new Error('no error');
  };
  const head = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';
  test.each([
    ['a missing trailing comma (SCALE-Sim drops Strides, then crashes)', 'c1, 8, 8, 3, 3, 1, 1, 1\n', 2, 23, /missing column 'Strides'.*no trailing comma: SCALE-Sim drops the text after a row's last comma, here '1' \(Strides\)/],
    ['a missing column', 'c1, 8, 8, 3, 3, 1, 1,\n', 2, 22, /missing column 'Strides'/],
    ['a non-number', 'c1, 8, eight, 3, 3, 1, 1, 1,\n', 2, 8, /IFMAP Width: expected a positive integer, got 'eight'/],
    ['a zero stride', 'c1, 8, 8, 3, 3, 1, 1, 0,\n', 2, 23, /Strides: expected a positive integer, got '0'/],
    ['a filter larger than its input', 'c1, 8, 8, 9, 3, 1, 1, 1,\n', 2, 11, /Filter Height 9 is larger than IFMAP Height 8/],
    ['a v3 sparsity column', null, 1, 0, /sparsity/],
  ])('%s', (_, row, line, column, message) => {
    const text = row === null ? 'Layer name, H, W, R, S, C, N, Strides, Sparsity,\n' : head + row;
    const e = error(() => parseTopology(text, 'conv', 'labs/net.csv'));
    expect(e.file).toBe('labs/net.csv');
    expect(e.line).toBe(line);
    if (row !== null) expect(e.column).toBe(column);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`labs/net.csv:${line}:`)).toBe(true);
  });
  test('a GEMM row without its trailing comma loses K, as in SCALE-Sim (its assert: at least 4 entries)', () => {
    const e = error(() => parseTopology('Layer Name, M, N, K,\nTest 1, 128, 64, 256\n', 'gemm', 'g.csv'));
    expect([e.line, e.column]).toEqual([2, 18]);
    expect(e.message).toMatch(/missing column 'K'.*here '256'/);
  });
  test('a 9-column conv row without its trailing comma loses its stride in width, as in SCALE-Sim, with a warning', () => {
    const topology = parseTopology(`${head}c1, 9, 9, 3, 3, 1, 1, 1, 2\n`, 'conv', 'net.csv');
    expect(topology.layers[0]).toMatchObject({ strideHeight: 1, strideWidth: 1 });
    expect(topology.warnings).toEqual(["net.csv:2:26: no trailing comma: SCALE-Sim drops the text after a row's last comma, here '2' (Stride Width)"]);
    const result = run(readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_os_calc.cfg'), 'utf8'), `${head}c1, 9, 9, 3, 3, 1, 1, 1, 2\n`, { topologyFile: 'net.csv' });
    expect(result.warnings).toEqual(topology.warnings);
    expect(parseTopology(`${head}c1, 9, 9, 3, 3, 1, 1, 1, 2,\n`).warnings).toEqual([]);
  });
  test('a topology without layers', () => {
    const e = error(() => parseTopology(head, 'conv', 'empty.csv'));
    expect(e.message).toMatch(/^empty\.csv:2: no layers/);
  });
  test('config: a non-number, a bad dataflow, a missing key', () => {
    const good = readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_os_calc.cfg'), 'utf8');
    const bad = error(() => parseConfig(good.replace('ArrayHeight:    32', 'ArrayHeight:    x32'), 'lab.cfg'));
    expect(bad.message).toMatch(/^lab\.cfg:5:17: ArrayHeight: expected an integer ≥ 1, got 'x32'/);
    expect(error(() => parseConfig(good.replace('Dataflow : os', 'Dataflow : rs'), 'lab.cfg')).message).toMatch(/lab\.cfg:14:\d+: Dataflow: expected os, ws or is, got 'rs'/);
    expect(error(() => parseConfig(good.replace(/ArrayWidth.*\n/, ''), 'lab.cfg')).message).toMatch(/missing 'ArrayWidth' in \[architecture_presets\]/);
  });
  test("SCALE-Sim v3's sections are accepted and listed as unsupported", () => {
    const good = readFileSync(join(FIXTURES, 'configs', 'scalesim_32x32_os_calc.cfg'), 'utf8');
    const config = parseConfig(`${good}\n[sparsity]\nSparsitySupport : false\n[layout]\nIfmapCustomLayout: False\n`);
    expect(config.unsupported).toEqual(['sparsity', 'layout']);
  });
});

test('fixture provenance is recorded', () => {
  expect(existsSync(join(FIXTURES, 'PROVENANCE.md'))).toBe(true);
});
