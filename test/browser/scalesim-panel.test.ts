// The playground's SCALE-Sim panel (examples/playground/scalesim-panel.ts) in real Chromium,
// served as `mtia-sim serve` serves it: the default config and topology load into a table whose
// every number (cycles, utilisation, SRAM bandwidth, energy, in os, ws and is) equals what
// mtia.scalesim.run returns in Node for the same files; a whole shipped topology (ResNet-18, 21
// layers) runs in all three dataflows in the tab (its time is printed; docs/benchmarks.md); a malformed topology shows
// its file, line and column. Chromium: $MTIA_SIM_CHROMIUM, default /usr/bin/chromium.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mtia } from 'mtia-sim';
import { servePlayground } from '../../examples/playground/served.mjs';
import { launchChromium, recordProblems } from './chromium.js';

const TIMEOUT_MS = 120_000;
const FIXTURES = join(import.meta.dirname, '../fixtures/scalesim');
let origin = '';
let stop: (() => Promise<void>) | undefined;
let profileDir: string | undefined;
let context: BrowserContext | undefined;

beforeAll(async () => {
  const server = await servePlayground({ isolation: false });
  origin = server.origin;
  stop = server.stop;
  profileDir = await mkdtemp(join(tmpdir(), 'mtia-sim-scalesim-panel-'));
  context = await launchChromium(profileDir);
}, TIMEOUT_MS);

afterAll(async () => {
  try {
    await context?.close();
  } finally {
    await stop?.();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
}, TIMEOUT_MS);

/** The panel's cells as dataflow → column → values per layer (their exact data-value). */
async function cells(page: Page): Promise<Record<string, Record<string, number[]>>> {
  return page.$$eval('#scalesim-table td[data-dataflow]', (tds) => {
    const out: Record<string, Record<string, number[]>> = {};
    for (const td of tds as HTMLElement[]) {
      const { dataflow, column, value } = td.dataset;
      ((out[dataflow!] ??= {})[column!] ??= []).push(Number(value));
    }
    return out;
  });
}

/**
 * `shown` equals `want`: exactly, but for energy to 1e-12 relative (its SRAM pJ interpolates with
 * Math.log and Math.exp, whose last bit may differ between Chromium's V8 and Node's).
 */
function expectSame(shown: Record<string, Record<string, number[]>>, want: Record<string, Record<string, number[]>>): void {
  expect(Object.keys(shown)).toEqual(Object.keys(want));
  for (const dataflow of Object.keys(want)) {
    for (const [column, values] of Object.entries(want[dataflow]!)) {
      const got = shown[dataflow]![column]!;
      expect(got.length).toBe(values.length);
      if (column !== 'energy µJ') expect(got, `${dataflow} ${column}`).toEqual(values);
      else values.forEach((v, i) => expect(Math.abs(got[i]! - v) / v, `${dataflow} ${column} ${i}`).toBeLessThan(1e-12));
    }
  }
}

/** What mtia.scalesim.run gives for `config` and `topology` in each dataflow, as the panel's columns. */
function expected(config: string, topology: string): Record<string, Record<string, number[]>> {
  const parsed = mtia.scalesim.parseConfig(config);
  const out: Record<string, Record<string, number[]>> = {};
  for (const dataflow of ['os', 'ws', 'is'] as const) {
    const run = mtia.scalesim.run({ ...parsed, dataflow }, topology);
    out[dataflow] = {
      cycles: run.layers.map((l) => l.totalCycles),
      'util %': run.layers.map((l) => l.overallUtilPercent),
      'SRAM BW': run.layers.map((l) => l.avgIfmapSramBw + l.avgFilterSramBw + l.avgOfmapSramBw),
      'energy µJ': run.energy.map((e) => e.totalPj * 1e-6),
    };
  }
  return out;
}

describe('the playground\'s SCALE-Sim panel in Chromium', () => {
  test('the default files: every number equals mtia.scalesim.run\'s; ResNet-18 in three dataflows; errors name file, line, column', async () => {
    const problems: string[] = [];
    const page = await context!.newPage();
    recordProblems(page, problems);
    try {
      await page.goto(`${origin}/`);
      await page.waitForSelector('#scalesim-table tbody tr', { timeout: TIMEOUT_MS / 4 });
      const config = await page.locator('#scalesim-config').inputValue();
      const topology = await page.locator('#scalesim-topology').inputValue();
      expect(config).toBe(await readFile(join(FIXTURES, 'configs/scalesim_32x32_os_calc.cfg'), 'utf8'));
      expect(await page.locator('#scalesim-table tbody tr').count()).toBe(5);
      const shown = await cells(page);
      const want = expected(config, topology);
      // The tab runs the same code on the same doubles.
      expectSame(shown, want);
      // The numbers mean something: os, ws and is differ on Conv1.
      expect(new Set(['os', 'ws', 'is'].map((d) => want[d]!.cycles![0])).size).toBe(3);

      // A whole shipped topology, all three dataflows, timed in the tab.
      const resnet = await readFile(join(FIXTURES, 'topologies/Resnet18.csv'), 'utf8');
      await page.locator('#scalesim-topology').fill(resnet);
      await page.click('#scalesim-run');
      await page.waitForFunction(() => document.querySelectorAll('#scalesim-table tbody tr').length === 21);
      const ms = Number(await page.getAttribute('#scalesim-status', 'data-ms'));
      expect(ms).toBeGreaterThan(0); // how long is a benchmark's question (docs/benchmarks.md), not a test's
      expectSame(await cells(page), expected(config, resnet));
      console.log(`SCALE-Sim panel: ResNet-18 (21 layers) × os, ws, is in ${ms.toFixed(1)} ms in Chromium`);

      // A malformed topology: a non-number, located.
      await page.locator('#scalesim-topology').fill('Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1,224,x,7,7,3,64,2,\n');
      await page.click('#scalesim-run');
      await page.waitForSelector('#scalesim-error:not([hidden])');
      const error = await page.locator('#scalesim-error').textContent();
      expect(error).toMatch(/^ScaleSimInputError: topology:2:\d+: /);
      expect(error).toContain('IFMAP Width');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, TIMEOUT_MS);
});
