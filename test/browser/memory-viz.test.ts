// PyTorch's memory viewer opening our memory snapshots in Chromium: torch/utils/viz/MemoryViz.js,
// the page pytorch.org/memory_viz serves, loads the pickle that `mtia.dumpSnapshot(path)` writes
// and the one the playground's "Download memory snapshot" gives, and draws them. Checked: no
// console errors or uncaught errors; the Active Memory Timeline has one polygon per allocation
// the history recorded (plus the viewer's "summarized" one), and hovering one shows the
// JavaScript line that allocated it; the Allocator State History lists every event (the
// viewer merges each free_requested with its free_completed) and the OOM. A JSON snapshot, which
// the docs say it cannot open, fails in it as they say.
//
// MemoryViz.js is PyTorch's code (BSD-3-Clause) and is not part of this repository: the test
// reads it from $MTIA_SIM_MEMORY_VIZ (a path to a MemoryViz.js, e.g. from a PyTorch checkout at
// torch/utils/viz/MemoryViz.js) or from the torch package of the python3 on the PATH
// (`pip install torch`). Without either it is skipped, saying so. MemoryViz.js imports d3 5
// from cdn.skypack.dev; the test answers those requests with d3 5.16.0 (the `d3` devDependency,
// bundled by esbuild), so it needs no network. d3 5.16.0 brings d3-scale 2 where the viewer asks
// for d3-scale@1; `scaleLinear` is the same function in both.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { add, mtia, OutOfMemoryError, tensor, zeros } from 'mtia-sim';
import type { MemorySnapshot } from '../../src/memory/snapshot.js';
import { servePlayground } from '../../examples/playground/served.mjs';
import { openServedPage, type ServedPage } from './chromium.js';
import { unpickleWithPython } from '../support/python-pickle.js';

const TIMEOUT_MS = 120_000;
const MiB = 1 << 20;

/** PyTorch's MemoryViz.js: $MTIA_SIM_MEMORY_VIZ, else the installed torch package's, else undefined. */
function findMemoryViz(): string | undefined {
  const named = process.env.MTIA_SIM_MEMORY_VIZ;
  if (named) {
    if (!existsSync(named)) throw new Error(`MTIA_SIM_MEMORY_VIZ names ${named}, which does not exist`);
    return named;
  }
  try {
    const python = "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'utils', 'viz', 'MemoryViz.js'))";
    const path = execFileSync('python3', ['-c', python], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const memoryViz = findMemoryViz();
if (memoryViz === undefined) {
  console.warn(
    'test/browser/memory-viz.test.ts skipped: no MemoryViz.js. Set MTIA_SIM_MEMORY_VIZ to the path of ' +
      "PyTorch's torch/utils/viz/MemoryViz.js, or install torch for python3.",
  );
}

/** The skypack URLs MemoryViz.js imports d3 from. */
const D3_URL = 'https://cdn.skypack.dev/d3@5';
const D3_PART_URLS = ['d3-axis@1', 'd3-scale@1', 'd3-zoom@1', 'd3-brush@1'].map((name) => `https://cdn.skypack.dev/${name}`);

/** d3 5.16.0 as one ES module (the devDependency, bundled), built once. */
async function d3Module(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('d3/index.js');
  const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', write: false, logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}

/** The page: MemoryViz.js loading /snapshot.pickle as pytorch.org/memory_viz loads a dropped file. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>MemoryViz</title></head><body>
<script type="module">
import { add_remote_files } from './MemoryViz.js';
add_remote_files([{ name: 'snapshot.pickle', url: './snapshot.pickle' }]);
</script>
</body></html>`;

let folder: string;
let d3: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mtia-memory-viz-'));
  writeFileSync(join(folder, 'index.html'), PAGE);
  if (memoryViz !== undefined) d3 = await d3Module();
}, TIMEOUT_MS);

afterAll(async () => {
  await mtia.shutdown();
  rmSync(folder, { recursive: true, force: true });
});

/** Opens MemoryViz.js on the pickle at `pickle` in Chromium, with the d3 requests answered locally. */
async function openViewer(pickle: string): Promise<ServedPage> {
  const served = await openServedPage({
    root: folder, page: join(folder, 'index.html'), isolated: false,
    extra: { '/MemoryViz.js': memoryViz!, '/snapshot.pickle': pickle },
  });
  const { page } = served;
  await page.route(D3_URL, (route) => route.fulfill({ contentType: 'text/javascript', body: d3 }));
  for (const url of D3_PART_URLS) {
    await page.route(url, (route) => route.fulfill({ contentType: 'text/javascript', body: `export * from '${D3_URL}';` }));
  }
  await page.goto(`${served.origin}/`);
  return served;
}

/** The polygons of the Active Memory Timeline's plot (its 1024 × 576 SVG; the minimap is another). */
function timelinePolygons(page: Page) {
  return page.locator('svg[viewBox="0 0 1024 576"] polygon');
}

/** The events the Allocator State History lists for `trace`: a free_requested and the free_completed right after it are one 'free'. */
function listedEvents(trace: readonly { action: string; addr?: number }[]): number {
  let count = 0;
  for (let i = 0; i < trace.length; i++) {
    const previous = trace[i - 1];
    if (trace[i]!.action === 'free_completed' && previous?.action === 'free_requested' && previous.addr === trace[i]!.addr) continue;
    count++;
  }
  return count;
}

/** Checks the viewer's two views of device 0 of `snapshot` on `page`; `sourceFile` is expected in the hovered allocation's frames. */
async function checkViews(served: ServedPage, snapshot: MemorySnapshot, sourceFile: RegExp): Promise<void> {
  const { page, problems } = served;
  const trace = snapshot.device_traces[0]!;
  const allocs = trace.filter((entry) => entry.action === 'alloc').length;
  expect(allocs).toBeGreaterThan(3);
  // Active Memory Timeline (the default view): one polygon per allocation, plus "summarized".
  await expect.poll(() => timelinePolygons(page).count(), { timeout: 30_000 }).toBe(allocs + 1);
  await timelinePolygons(page).first().dispatchEvent('mouseover');
  const context = await page.locator('pre').last().textContent();
  expect(context).toMatch(/Addr: b[0-9a-f]+_\d+, Size: .* allocation/);
  expect(context).toMatch(sourceFile);
  // Allocator State History: the event list, the last event selected and its state drawn.
  await page.locator('select').nth(1).selectOption('Allocator State History');
  await expect.poll(() => page.locator('div[style*="font-family: monospace"] pre').count(), { timeout: 30_000 }).toBe(listedEvents(trace));
  expect(await page.locator('svg[viewBox="0 0 200 100"] rect').count()).toBeGreaterThan(0);
  const events = await page.locator('div[style*="font-family: monospace"] pre').allTextContents();
  if (trace.some((entry) => entry.action === 'oom')) expect(events.some((text) => text.startsWith('OOM (requested '))).toBe(true);
  expect(problems).toEqual([]);
}

describe.skipIf(memoryViz === undefined)("PyTorch's MemoryViz.js opens our snapshot pickles in Chromium", () => {
  test('the pickle mtia.dumpSnapshot(path) writes: history recorded from before init, an OOM', async () => {
    mtia.configure({ deviceCount: 1, memoryBytes: 16 * MiB });
    mtia.recordMemoryHistory({ enabled: 'all' }); // before the devices start, as PyTorch's tutorials
    const kept = [tensor(new Float32Array(MiB / 4).fill(1))];
    for (let step = 0; step < 3; step++) {
      const x = zeros([MiB / 4]);
      const y = add(x, kept[0]!);
      kept.push(add(y, y));
      x.free();
      y.free();
    }
    expect(() => zeros([32 * MiB])).toThrow(OutOfMemoryError);
    await mtia.synchronize();
    const path = join(folder, 'dumped.pickle');
    await mtia.dumpSnapshot(path);
    const snapshot = unpickleWithPython(path) as MemorySnapshot;
    expect(snapshot.device_traces[0]!.some((entry) => entry.action === 'oom')).toBe(true);
    const served = await openViewer(path);
    try {
      await checkViews(served, snapshot, /memory-viz\.test\.ts:\d+/);
    } finally {
      await served.close();
      for (const t of kept) t.free();
      await mtia.shutdown();
    }
  }, TIMEOUT_MS);

  test('a JSON snapshot does not open (the viewer only unpickles): the failure the docs warn of, seen by this harness', async () => {
    mtia.configure({ deviceCount: 1, memoryBytes: 16 * MiB });
    mtia.recordMemoryHistory({ enabled: 'all' });
    zeros([1024]).free();
    const path = join(folder, 'dumped.json');
    await mtia.dumpSnapshot(path);
    const served = await openViewer(path);
    try {
      await expect.poll(() => served.problems.join('\n'), { timeout: 30_000 }).toMatch(/UNKNOWN OPCODE: 123/);
      expect(await timelinePolygons(served.page).count()).toBe(0);
    } finally {
      await served.close();
      await mtia.shutdown();
    }
  }, TIMEOUT_MS);

  test("the playground's download after its MLP workload", async () => {
    const { origin, stop } = await servePlayground({ isolation: true });
    const playground = await openServedPage({ root: folder, isolated: false });
    let pickle: string;
    try {
      const { page, problems } = playground;
      await page.goto(`${origin}/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"]', { timeout: TIMEOUT_MS / 2 });
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-snapshot')]);
      pickle = join(folder, 'playground.pickle');
      await download.saveAs(pickle);
      expect(problems).toEqual([]);
    } finally {
      await playground.close();
      await stop();
    }
    expect(readFileSync(pickle).subarray(0, 2)).toEqual(Buffer.from([0x80, 4]));
    const served = await openViewer(pickle);
    try {
      // The playground runs the workload's script as a function of its own: some frame is shown.
      await checkViews(served, unpickleWithPython(pickle) as MemorySnapshot, /\n\S+:\d+:/);
    } finally {
      await served.close();
    }
  }, TIMEOUT_MS);
});
