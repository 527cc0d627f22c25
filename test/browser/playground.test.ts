// The browser tier for the playground: the built page (dist/playground/, `npm run build`)
// served by `mtia-sim serve` (`npm run serve`, examples/playground/served.mjs starts it) and driven in real Chromium, once with the COOP/COEP
// headers (cross-origin isolated) and once without (as GitHub Pages and most static hosts
// serve it). Each time: the page loads without console errors, the MLP workload runs and every
// check against the JS reference says correct, the timeline has op bars, the heat map of the
// selected op has one cell per PE whose mean is the op's utilisation, and the memory snapshot
// downloads. Cross-origin isolated, also an ONNX model built in the test
// (test/support/onnx-builder.ts), opened or dropped: its per-layer table, values and
// timing-only, errors in the page. And the page's ergonomics: the script and settings restored
// from the URL, Ctrl+Enter, print() of typed arrays and tensors, errors with their line, the
// record→wait arrows, the memory chart on the timeline's time axis. Chromium: $MTIA_SIM_CHROMIUM, default /usr/bin/chromium (Debian's `chromium`).

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { servePlayground } from '../../examples/playground/served.mjs';
import { writeHash } from '../../examples/playground/url-state.js';
import type { MemorySnapshot } from '../../src/memory/snapshot.js';
import { OnnxBuilder } from '../support/onnx-builder.js';
import { unpickleWithPython } from '../support/python-pickle.js';
import { segmentProblems } from '../support/snapshot-invariants.js';
import { gptDecoder, transformerEncoder } from '../support/onnx-models.js';
import { CHROMIUM, CHROMIUM_ARGS, recordProblems, requireChromium } from './chromium.js';

const TIMEOUT_MS = 120_000;
/** Where the isolated run's screenshot goes (docs/playground.png comes from examples/playground/screenshot.mjs). */
const SCREENSHOT = fileURLToPath(new URL('../../dist/playground-test.png', import.meta.url));
/** Where the ONNX test's screenshot goes (docs/playground-onnx.png is a copy of it). */
const ONNX_SCREENSHOT = fileURLToPath(new URL('../../dist/playground-onnx-test.png', import.meta.url));

/** The built playground. */
const playgroundRoot = fileURLToPath(new URL('../../dist/playground/', import.meta.url));
const servers: { stop(): Promise<void> }[] = [];
const origins = { isolated: '', plain: '' };
let profileDir: string | undefined;
let context: BrowserContext | undefined;

/** Response status and headers of a GET for a raw (un-normalised) path. */
function request(origin: string, path: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    get(`${origin}/`, { path }, (response) => {
      response.resume();
      done({ status: response.statusCode ?? 0, headers: response.headers });
    }).on('error', fail);
  });
}

beforeAll(async () => {
  requireChromium();
  if (!existsSync(join(playgroundRoot, 'index.html')) || !existsSync(join(playgroundRoot, 'playground.js'))) {
    throw new Error(`${playgroundRoot} has no built playground: run \`npm run build\` first.`);
  }
  for (const isolation of [true, false]) {
    const { origin, stop } = await servePlayground({ isolation });
    servers.push({ stop });
    origins[isolation ? 'isolated' : 'plain'] = origin;
  }
  profileDir = await mkdtemp(join(tmpdir(), 'mtia-sim-playground-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1400, height: 1000 },
  });
}, TIMEOUT_MS);

afterAll(async () => {
  try {
    await context?.close();
  } finally {
    for (const server of servers) await server.stop();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
}, TIMEOUT_MS);

/** A new page whose console errors, uncaught errors, failed requests and HTTP errors land in `problems`. */
async function openPage(problems: string[]): Promise<Page> {
  const page = await context!.newPage();
  recordProblems(page, problems);
  return page;
}

describe('mtia-sim serve', () => {
  test('sends COOP/COEP by default and not with isolation off; serves scripts and wasm by type; refuses paths outside the playground', async () => {
    const isolated = await request(origins.isolated, '/playground.js');
    expect(isolated.status).toBe(200);
    expect(isolated.headers['content-type']).toMatch(/^text\/javascript/);
    expect(isolated.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(isolated.headers['cross-origin-embedder-policy']).toBe('require-corp');
    // core.wasm sits beside the page only when it bundles the package's default build
    // (examples/playground/build.mjs); the browser build carries it inside.
    if (existsSync(join(playgroundRoot, 'core.wasm'))) {
      expect((await request(origins.isolated, '/core.wasm')).headers['content-type']).toBe('application/wasm');
    }
    const plain = await request(origins.plain, '/');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^text\/html/);
    expect(plain.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(plain.headers['cross-origin-embedder-policy']).toBeUndefined();
    expect((await request(origins.isolated, '/no-such-file.js')).status).toBe(404);
    expect((await request(origins.isolated, '/../index.js')).status).toBe(403);
    expect((await request(origins.isolated, '/%2e%2e/index.js')).status).toBe(403);
  }, TIMEOUT_MS);
});

describe.each([
  { mode: 'with cross-origin isolation (COOP/COEP)', key: 'isolated' as const, isolated: true },
  { mode: 'without cross-origin isolation', key: 'plain' as const, isolated: false },
])('the playground in Chromium, $mode', ({ key, isolated }) => {
  test('loads without console errors, runs the MLP with correct results, draws the timeline and the heat map', async () => {
    const problems: string[] = [];
    const page = await openPage(problems);
    try {
      await page.goto(`${origins[key]}/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(isolated);
      expect(await page.locator('#workload').inputValue()).toBe('mlp');
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TIMEOUT_MS / 2 });
      const status = await page.locator('#status').textContent();
      expect(await page.getAttribute('body', 'data-state'), String(status)).toBe('done');

      // Every check against the JS reference says correct.
      const checks = await page.locator('#checks li').allTextContents();
      expect(checks.length).toBeGreaterThan(0);
      for (const check of checks) expect(check).toMatch(/: correct \(/);
      expect(await page.locator('#checks li.bad').count()).toBe(0);

      // The timeline: bars on stream and engine rows of both devices (the MLP is data parallel).
      expect(await page.locator('#timeline .op-bar').count()).toBeGreaterThan(10);
      expect(await page.locator('#timeline .op-bar.engine-dpe').count()).toBeGreaterThan(0);
      expect(await page.locator('#timeline .device-label').allTextContents()).toEqual(['mtia:0', 'mtia:1']);

      // The heat map of the selected op (the longest matmul): 8 × 8 PEs, values in [0, 1], their
      // mean the op's utilisation as the explanation prints it (one decimal of a percent).
      const cells = (await page.locator('#heat-map .pe-cell').evaluateAll((rects) =>
        rects.map((rect) => Number(rect.getAttribute('data-value')))));
      expect(cells).toHaveLength(64);
      expect(Math.max(...cells)).toBeGreaterThan(0);
      expect(Math.max(...cells)).toBeLessThanOrEqual(1);
      expect(Math.min(...cells)).toBeGreaterThanOrEqual(0);
      expect(await page.getAttribute('#heat-map svg', 'data-rule')).toBe('gemm-tiles');
      const utilisation = await page.locator('#explanation dt:text-is("utilisation") + dd').textContent();
      const mean = cells.reduce((a, b) => a + b, 0) / cells.length;
      expect(Math.abs(mean * 100 - Number.parseFloat(utilisation!))).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(await page.locator('#explanation h3').textContent()).toMatch(/^#\d+ matmul on mtia:\d/);
      // Its energy and the run's, in joules and average watts (docs/timing-model.md "Energy").
      expect(await page.locator('#explanation dt:text-is("energy") + dd').textContent()).toMatch(/^[\d.]+ [mµn]?J, [\d.]+ W average \([\d.]+ W of it static\)$/);
      expect(await page.locator('#explanation dt:text-is("run energy") + dd').textContent()).toMatch(/^[\d.]+ [mµn]?J over [\d.]+ [mµn]?s, [\d.]+ W average$/);
      expect(await page.locator('#explanation h4', { hasText: 'Energy by component' }).count()).toBe(1);
      // Where its time went: the parts' cycles add up to the op's, and the bound's row is the largest.
      const parts = await page.locator('#explanation tr[data-part]').evaluateAll((rows) =>
        rows.map((row) => ({ cycles: Number((row as HTMLElement).dataset.cycles), bound: row.classList.contains('bound-part') })));
      const totalCycles = Number(await page.getAttribute('#explanation tr.time-total', 'data-cycles'));
      expect(Math.abs(parts.reduce((s, p) => s + p.cycles, 0) - totalCycles)).toBeLessThanOrEqual(totalCycles * 1e-9);
      expect(parts.find((p) => p.bound)!.cycles).toBe(Math.max(...parts.map((p) => p.cycles)));
      // The heat map's legend: the idle swatch and the 0–100 % scale.
      expect(await page.locator('#heat-map .heat-legend text').allTextContents()).toEqual(['idle', '0 %', '25 %', '50 %', '75 %', '100 %']);

      // Clicking another op's bar selects it.
      const other = page.locator('#timeline .op-bar.engine-se').first();
      const index = await other.getAttribute('data-op');
      await other.click({ force: true });
      expect(await page.locator('#explanation h3').textContent()).toMatch(new RegExp(`^#${index} `));
      expect(await page.locator(`#timeline .op-bar.selected[data-op="${index}"]`).count()).toBeGreaterThan(0);

      // The mouse wheel over the plot zooms the time axis in: the tick labels change, the selection stays.
      const tickLabels = async () => {
        const labels = await page.locator('#timeline .axis-label').allTextContents();
        return labels.length > 1 ? labels : null;
      };
      const before = await tickLabels();
      const box = (await page.locator('#timeline svg').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      await page.mouse.wheel(0, -600);
      await expect.poll(tickLabels).not.toEqual(before);
      expect(await page.locator(`#timeline .op-bar.selected[data-op="${index}"]`).count()).toBeGreaterThan(0);

      // The memory timeline has a line per device; the snapshot downloads as the protocol-4
      // pickle pytorch.org/memory_viz opens (it only unpickles), which Python's pickle reads.
      expect(await page.locator('#memory .memory-allocated').count()).toBe(2);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-snapshot')]);
      expect(download.suggestedFilename()).toBe('mtia-sim-snapshot.pickle');
      const pickled = await readFile((await download.path())!);
      expect([pickled[0], pickled[1]]).toEqual([0x80, 4]); // PROTO 4
      const snapshot = unpickleWithPython((await download.path())!) as MemorySnapshot;
      expect(snapshot.device_traces).toHaveLength(2);
      expect(snapshot.segments.length).toBeGreaterThan(0);
      expect(segmentProblems(snapshot)).toEqual([]);
      // The trace button works when this build exports Chrome traces, and says why not otherwise.
      if (await page.locator('#download-trace').isEnabled()) {
        const [traceDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-trace')]);
        const trace = JSON.parse(await readFile((await traceDownload.path())!, 'utf8'));
        expect(Array.isArray(trace.traceEvents ?? trace)).toBe(true);
      } else {
        expect(await page.locator('#trace-note').textContent()).toMatch(/Chrome trace unavailable: /);
      }
      if (isolated) await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, TIMEOUT_MS);
});

describe('the playground in Chromium, every workload (cross-origin isolated)', () => {
  test('each built-in workload runs; those with values check correct; the decoder runs timing-only', async () => {
    const problems: string[] = [];
    const page = await openPage(problems);
    try {
      await page.goto(`${origins.isolated}/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      await page.selectOption('#devices', '1');
      const ids = await page.locator('#workload option').evaluateAll((options) =>
        options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== 'custom'));
      expect(ids).toEqual(['mlp', 'dlrm', 'attention', 'overlap', 'decoder']);
      for (const id of ids) {
        await page.selectOption('#workload', id);
        await page.click('#run');
        await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TIMEOUT_MS / 2 });
        const status = await page.locator('#status').textContent();
        expect(await page.getAttribute('body', 'data-state'), `${id}: ${status}`).toBe('done');
        expect(await page.locator('#checks li.bad').count(), id).toBe(0);
        expect(await page.locator('#timeline .op-bar').count(), id).toBeGreaterThan(0);
        if (id === 'decoder') {
          expect(await page.locator('#timing-only').isChecked()).toBe(true);
          expect(await page.locator('#checks li').allTextContents()).toEqual(['timing-only: tensors have no values, so there is nothing to check']);
          expect(await page.locator('#printed').textContent()).toMatch(/one token: [\d.]+ ms of simulated time/);
        } else {
          expect(await page.locator('#checks li.ok').count(), id).toBeGreaterThan(0);
        }
      }
      // A script error is reported, not thrown out of the page.
      await page.fill('#code', 'const x = ;');
      await page.click('#run');
      await page.waitForSelector('body[data-state="error"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.locator('#status').textContent()).toMatch(/^The script failed at line 1, column 11: SyntaxError/);
      expect(await page.locator('#workload').inputValue()).toBe('custom');
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, TIMEOUT_MS);

  test('on the systolic teaching profile the heat map is the 32 × 32 array, its mean the record\'s mapping efficiency', async () => {
    const problems: string[] = [];
    const page = await openPage(problems);
    try {
      await page.goto(`${origins.isolated}/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      await page.selectOption('#profile', 'systolic-32x32-os');
      await page.selectOption('#devices', '1');
      await page.selectOption('#workload', 'attention');
      await page.click('#run');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TIMEOUT_MS / 2 });
      expect(await page.getAttribute('body', 'data-state'), String(await page.locator('#status').textContent())).toBe('done');
      expect(await page.locator('#checks li.bad').count()).toBe(0);
      expect(await page.getAttribute('#heat-map svg', 'data-rule')).toBe('systolic-folds');
      const cells = await page.locator('#heat-map .pe-cell').evaluateAll((rects) =>
        rects.map((rect) => Number(rect.getAttribute('data-value'))));
      expect(cells).toHaveLength(32 * 32);
      const figures = await page.locator('#explanation dt:text-is("systolic array (SCALE-Sim)") + dd').textContent();
      const efficiency = Number(/mapping efficiency ([\d.]+) %/.exec(figures!)![1]);
      const mean = cells.reduce((a, b) => a + b, 0) / cells.length;
      expect(Math.abs(mean * 100 - efficiency)).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, TIMEOUT_MS);
});

describe('the playground in Chromium, an ONNX model (cross-origin isolated)', () => {
  test('an opened .onnx runs with values and timing-only; the per-layer table lists its nodes; a click selects; bad files are reported', async () => {
    const problems: string[] = [];
    const page = await openPage(problems);
    try {
      await page.goto(`${origins.isolated}/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      await page.selectOption('#devices', '1');
      const waitForRun = async () => {
        await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TIMEOUT_MS / 3 });
        return String(await page.locator('#status').textContent());
      };
      const layerRows = async () => page.locator('#layer-table tbody tr').evaluateAll((rows) => rows.map((row) => {
        const cells = [...(row as HTMLTableRowElement).cells].map((c) => c.textContent ?? '');
        return { order: Number(cells[0]), node: cells[1]!, opType: cells[2]!, time: cells[3]!, share: cells[4]!, bound: cells[5]! };
      }));
      /** '1.23 µs' → ns. */
      const ns = (text: string) => {
        const [value, unit] = text.split(' ') as [string, string];
        return Number(value) * ({ ns: 1, 'µs': 1e3, ms: 1e6, s: 1e9 } as Record<string, number>)[unit]!;
      };

      // The BERT-style encoder, opened through the file input; its inputs have symbolic dims
      // (batch, seq), so the page fills them with its defaults (1, 128): small, so values by default.
      const encoder = transformerEncoder({ gelu: 'erf' });
      await page.setInputFiles('#model-file', { name: 'encoder.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(encoder.bytes) });
      let status = await waitForRun();
      expect(await page.getAttribute('body', 'data-state'), status).toBe('done');
      expect(status).toMatch(/^encoder\.onnx: \d+ layers, \d+ ops, with values/);
      expect(await page.locator('#timing-only').isChecked()).toBe(false);
      expect(await page.locator('#workload').inputValue()).toBe('model');
      expect(await page.locator('#code').inputValue()).toMatch(/x: <float32 \[1, 128, 16\], seeded random values>/);
      expect(await page.locator('#model-summary').textContent()).toMatch(/x float32 \[batch, seq, 16\]/);
      expect(await page.locator('#model-dims input').evaluateAll((inputs) =>
        inputs.map((i) => `${(i as HTMLInputElement).dataset.dim}=${(i as HTMLInputElement).value}`))).toEqual(['batch=1', 'seq=128']);
      expect(await page.locator('#printed').textContent()).toMatch(/output last_hidden_state: float32 \[1, 128, 16\] = -?\d/);
      let rows = await layerRows();
      const nodes = rows.map((r) => r.node);
      // Device nodes by their ONNX names, a fused GELU joined with '+'; host and view-only nodes have no row.
      for (const name of ['/layer.0.q/MatMul', '/layer.0/attn/Softmax', '/layer.1.ln2/LayerNormalization']) expect(nodes).toContain(name);
      expect(nodes.some((n) => n.startsWith('/layer.0/ff/act/Div+'))).toBe(true);
      expect(nodes).not.toContain('/layer.0/q/Reshape');
      for (const row of rows) expect(ns(row.time), row.node).toBeGreaterThan(0);
      // Sorted by time (longest first) by default; the '#' header sorts in model order.
      const times = rows.map((r) => ns(r.time));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const shares = rows.reduce((sum, r) => sum + Number.parseFloat(r.share), 0);
      expect(Math.abs(shares - 100)).toBeLessThan(0.1 * rows.length);
      // The longest layer's row selects its op.
      await page.locator('#layer-table tbody tr').first().click();
      expect(await page.locator('#explanation h3').textContent()).toContain(rows[0]!.node);
      await page.click('#layer-table th[data-sort="order"]');
      const orders = (await layerRows()).map((r) => r.order);
      expect(orders).toEqual([...orders].sort((a, b) => a - b));
      // A row selects its node's longest op: the explanation and the timeline follow.
      const row = page.locator('#layer-table tbody tr', { hasText: '/layer.0/attn/Softmax' });
      await row.click();
      expect(await row.getAttribute('class')).toContain('selected');
      const op = await row.getAttribute('data-op');
      expect(await page.locator('#explanation h3').textContent()).toMatch(new RegExp(`^#${op} /layer\\.0/attn/Softmax \\(softmax\\)`));
      expect(await page.locator(`#timeline .op-bar.selected[data-op="${op}"]`).count()).toBeGreaterThan(0);

      // Timing-only, with a larger seq typed into its dim: the same layers, no values, longer.
      const valuesTotal = times.reduce((a, b) => a + b, 0);
      await page.check('#timing-only');
      await page.fill('#model-dims input[data-dim="seq"]', '256');
      await page.click('#run');
      status = await waitForRun();
      expect(await page.getAttribute('body', 'data-state'), status).toBe('done');
      expect(status).toMatch(/timing-only \(no values\)/);
      expect(await page.locator('#printed').textContent()).toMatch(/output last_hidden_state: float32 \[1, 256, 16\]\n?$/);
      rows = await layerRows();
      expect(rows.map((r) => r.node).sort()).toEqual([...nodes].sort());
      for (const r of rows) expect(ns(r.time), r.node).toBeGreaterThan(0);
      expect(rows.reduce((sum, r) => sum + ns(r.time), 0)).toBeGreaterThan(valuesTotal);

      // A model with an unsupported op, dropped on the page: the error names the op and its node.
      const drop = async (name: string, bytes: Uint8Array) => {
        await page.evaluate(({ name, data }) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(data)], name));
          document.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }, { name, data: [...bytes] });
        return waitForRun();
      };
      const b = new OnnxBuilder({ opset: 17 });
      b.output(b.op('Relu', [b.op('Det', [b.input('m', 'float32', [2, 3, 3])], {}, 'my_det')], {}, 'my_relu'));
      status = await drop('unsupported.onnx', b.build());
      expect(await page.getAttribute('body', 'data-state')).toBe('error');
      expect(status).toMatch(/^The model did not run: MtiaError: [^]*Det: my_det/);
      // A corrupt file.
      status = await drop('corrupt.onnx', encoder.bytes.slice(0, 100));
      expect(await page.getAttribute('body', 'data-state')).toBe('error');
      expect(status).toMatch(/^The model did not run: MtiaError: [^]*(corrupt|truncated)/);
      // Not an .onnx file.
      status = await drop('notes.txt', new TextEncoder().encode('hello'));
      expect(status).toMatch(/^No \.onnx file among 'notes\.txt'/);
      // The page stays usable: the encoder runs again.
      await page.setInputFiles('#model-file', { name: 'encoder.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(encoder.bytes) });
      status = await waitForRun();
      expect(await page.getAttribute('body', 'data-state'), status).toBe('done');
      expect(await page.locator('#layer-table tbody tr').count()).toBe(nodes.length);

      // A model opened together with its external data file runs with values.
      const withData = new OnnxBuilder({ opset: 17 });
      const w = withData.externalInitializer('fc.weight', [8, 4], 'small.onnx.data');
      withData.output(withData.op('Relu', [withData.op('MatMul', [withData.input('x', 'float32', [2, 8]), w], {}, '/fc/MatMul')], {}, '/fc/Relu'));
      await page.setInputFiles('#model-file', [
        { name: 'small.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(withData.build()) },
        { name: 'small.onnx.data', mimeType: 'application/octet-stream', buffer: Buffer.from(withData.externalFiles.get('small.onnx.data')!) },
      ]);
      status = await waitForRun();
      expect(await page.getAttribute('body', 'data-state'), status).toBe('done');
      expect(status).toMatch(/^small\.onnx: 2 layers, \d+ ops, with values/);
      expect(await page.locator('#model-note').textContent()).toBe('');

      // A GPT-style decoder whose weights are in an external data file the page is not given
      // (as a model over 2 GB must keep them): it runs timing-only, and the page says why.
      const decoder = gptDecoder({ d: 1024, heads: 16, vocab: 32000, maxPositions: 2048, layers: 4, externalWeights: 'decoder.onnx.data' });
      await page.setInputFiles('#model-file', { name: 'decoder.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(decoder.bytes) });
      status = await waitForRun();
      expect(await page.getAttribute('body', 'data-state'), status).toBe('done');
      expect(status).toMatch(/^decoder\.onnx: \d+ layers, \d+ ops, timing-only/);
      expect(await page.locator('#timing-only').isChecked()).toBe(true);
      expect(await page.locator('#model-note').textContent()).toMatch(/external data file 'decoder\.onnx\.data', which was not opened with it, so it ran timing-only/);
      rows = await layerRows();
      expect(rows.map((r) => r.node)).toContain('/lm_head/MatMul');
      for (const r of rows) expect(ns(r.time), r.node).toBeGreaterThan(0);
      await page.locator('#layer-table tbody tr').first().click();
      await page.screenshot({ path: ONNX_SCREENSHOT, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, TIMEOUT_MS);
});

describe('the playground in Chromium, ergonomics (cross-origin isolated)', () => {
  test('a link restores script and settings; Ctrl+Enter runs; print() writes arrays and tensors; errors name their line; edits go into the URL', async () => {
    const problems: string[] = [];
    const page = await openPage(problems);
    try {
      const script = [
        'const t = tensor([1, 2, 3]);',
        'print(await t.toArray());',
        "print(tensor([[1, 2], [3, 4]], { dtype: 'int32' }), new BigInt64Array([5n, -7n]), [[1, 2], [3]]);",
        'print(new Float32Array([0.5, 2]));',
      ].join('\n');
      const hash = await writeHash({ profile: 'mtia-v1', devices: 1, timingOnly: false, workload: 'custom', script });
      await page.goto(`${origins.isolated}/${hash}`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.locator('#code').inputValue()).toBe(script);
      expect(await page.locator('#workload').inputValue()).toBe('custom');
      expect(await page.locator('#profile').inputValue()).toBe('mtia-v1');
      expect(await page.locator('#devices').inputValue()).toBe('1');
      expect(await page.locator('#timing-only').isChecked()).toBe(false);

      // Ctrl+Enter in the editor runs it.
      await page.focus('#code');
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.getAttribute('body', 'data-state'), String(await page.locator('#status').textContent())).toBe('done');
      expect(await page.locator('#printed').textContent()).toBe([
        '[1., 2., 3.]',
        "tensor([[1, 2],\n        [3, 4]], device='mtia:0', dtype=int32) [ 5, -7] [[1, 2], [3]]",
        '[0.5000, 2.0000]',
      ].join('\n'));

      // A runtime error in the library names the script's line and column, and shows that line.
      await page.fill('#code', 'const a = randn([2, 3]);\nconst b = randn([4, 5]);\n  const c = matmul(a, b);\n');
      await page.keyboard.press('Meta+Enter'); // ⌘+Enter too
      await page.waitForSelector('body[data-state="error"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.locator('#status').textContent()).toBe(
        'The script failed at line 3, column 13: MtiaError: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
      expect(await page.locator('#error-excerpt').textContent()).toBe('3 |   const c = matmul(a, b);\n                ^');
      const selected = await page.locator('#code').evaluate((code: HTMLTextAreaElement) => code.value.slice(code.selectionStart, code.selectionEnd));
      expect(selected).toBe('  const c = matmul(a, b);');
      // The editor's gutter numbers its lines and marks the failing one.
      expect(await page.locator('#line-numbers span').allTextContents()).toEqual(['1', '2', '3', '4']);
      expect(await page.locator('#line-numbers .error-line').allTextContents()).toEqual(['3']);
      // An error of the script's own code, after an await.
      await page.fill('#code', 'const a = randn([2]);\nawait a.toArray();\n\nnotDefined();');
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('body[data-state="error"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.locator('#status').textContent()).toBe('The script failed at line 4, column 1: ReferenceError: notDefined is not defined');

      // The edited script is in the URL; a reload brings it back.
      await expect.poll(() => page.url()).toMatch(/workload=custom&script=/);
      await page.selectOption('#profile', 'mtia-v2');
      await expect.poll(() => page.url()).toMatch(/profile=mtia-v2/);
      await page.reload();
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.locator('#code').inputValue()).toBe('const a = randn([2]);\nawait a.toArray();\n\nnotDefined();');
      expect(await page.locator('#profile').inputValue()).toBe('mtia-v2');
      // A built-in workload is kept by its id, not its text.
      await page.selectOption('#workload', 'attention');
      await expect.poll(() => page.url()).toMatch(/workload=attention$/);
      await page.reload();
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.locator('#workload').inputValue()).toBe('attention');
      expect(await page.locator('#code').inputValue()).toMatch(/^\/\/ One self-attention block/);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, TIMEOUT_MS);

  test('the two-stream workload: an arrow per record→wait of the trace; the memory chart shares the timeline\'s time axis, zoom and hover', async () => {
    const problems: string[] = [];
    const page = await openPage(problems);
    try {
      await page.goto(`${origins.isolated}/#profile=mtia-v2&devices=1&timing-only=0&workload=overlap`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: TIMEOUT_MS / 4 });
      expect(await page.locator('#workload').inputValue()).toBe('overlap');
      await page.keyboard.press('Control+Enter');
      await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: TIMEOUT_MS / 2 });
      expect(await page.getAttribute('body', 'data-state'), String(await page.locator('#status').textContent())).toBe('done');

      // The arrows are the trace's flows: one per wait joined to its record (6 chunk waits, and
      // the default stream's wait for the compute stream).
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-trace')]);
      const trace = JSON.parse(await readFile((await download.path())!, 'utf8')) as { traceEvents: { flow_in?: boolean; flow_out?: boolean }[] };
      const waits = trace.traceEvents.filter((e) => e.flow_in === true).length;
      expect(waits).toBe(7);
      expect(await page.locator('#timeline .flow-arrow').count()).toBe(waits);
      expect(await page.locator('#timeline .event-record').count()).toBe(trace.traceEvents.filter((e) => e.flow_out === true).length);

      // The memory chart's grid lines sit where the timeline's do: one time axis.
      const gridX = (chart: string) => page.locator(`${chart} svg`).first().locator('.grid-line').evaluateAll((lines) =>
        lines.map((l) => Number(l.getAttribute('x1')).toFixed(2)));
      const before = await gridX('#timeline');
      expect(before.length).toBeGreaterThan(2);
      expect(await gridX('#memory')).toEqual(before);
      // Zooming the timeline zooms the memory chart with it.
      const box = (await page.locator('#timeline svg').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
      await page.mouse.wheel(0, -600);
      await expect.poll(() => gridX('#timeline')).not.toEqual(before);
      expect(await gridX('#memory')).toEqual(await gridX('#timeline'));
      await page.locator('#timeline svg').dblclick({ position: { x: box.width * 0.5, y: 10 } });
      await expect.poll(() => gridX('#memory')).toEqual(before);

      // Hovering the memory chart at the x where the timeline draws an op's start reads out that
      // op's sample: its time, the bytes, and the op.
      const ops = await page.locator('#op-table tbody tr').evaluateAll((rows) => rows.map((row) => [...(row as HTMLTableRowElement).cells].map((c) => c.textContent ?? '')));
      const matmulRow = ops.findIndex((cells, i) => cells[1] === 'matmul' && i > 2);
      const bar = page.locator(`#timeline .op-bar[data-op="${matmulRow}"]`).first();
      const barX = Number(await bar.getAttribute('x'));
      const memory = page.locator('#memory svg').first();
      const memoryBox = (await memory.boundingBox())!;
      await page.mouse.move(memoryBox.x + barX + 0.5, memoryBox.y + memoryBox.height / 2);
      const readout = page.locator('#memory .memory-readout').first();
      await expect.poll(() => readout.isVisible()).toBe(true);
      const text = String(await readout.textContent());
      expect(text).toMatch(new RegExp(`^[\\d.]+ [nµm]?s: [\\d.]+ [KMG]?B allocated, [\\d.]+ [KMG]?B reserved — as #\\d+ (matmul|copy_h2d) was issued \\(stream \\d, starts at ${ops[matmulRow]![4]!.replace('.', '\\.')}\\)$`));
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, TIMEOUT_MS);
});
