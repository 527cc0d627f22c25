// The browser tier: the built package (dist/) in real Chromium. A static server on 127.0.0.1
// serves dist/ and test/browser/page.html with the COOP/COEP headers that cross-origin isolation
// (SharedArrayBuffer, shared wasm memory) needs; the page imports './index.js', runs devices in
// real module workers and reports back through window.runCheck(). Run `npm run build` first.
// Needs Debian's Chromium at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run does it),
// or another binary named by MTIA_SIM_CHROMIUM (chromium.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openServedPage, type ServedPage } from './chromium.js';
import { statusOf } from './static-server.js';

const TIMEOUT_MS = 60_000;

const distRoot = fileURLToPath(new URL('../../dist/', import.meta.url));
const pageFile = fileURLToPath(new URL('./page.html', import.meta.url));

/** What window.runCheck() in page.html returns. */
interface CheckReport {
  crossOriginIsolated: boolean;
  available: boolean | null;
  zeros: number[] | null;
  device: string | null;
  numel: number | null;
  length: number | null;
  wrong: number | null;
  firstWrong: { index: number; got: number; expected: number } | null;
  setDeviceError: { name: string; message: string } | null;
  interleavedScope: { name: string; message: string } | null;
  scopedDevices: number[] | null;
  shutdown: boolean;
  error: string | null;
}

let served: ServedPage | undefined;
let origin = '';
let page: Page | undefined;
/** Console errors, uncaught page errors and failed requests, from the page and its workers. */
let problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(distRoot, 'index.js')) || !existsSync(join(distRoot, 'device-worker.js'))) {
    throw new Error(`${distRoot} has no built package: run \`npm run build\` first.`);
  }
  served = await openServedPage({ root: distRoot, page: pageFile });
  ({ origin, page, problems } = served);
}, TIMEOUT_MS);

afterAll(async () => served?.close(), TIMEOUT_MS);

describe('the built package in Chromium', () => {
  test('the test server serves the package with isolation headers and refuses paths outside dist/', async () => {
    const wasm = await fetch(`${origin}/core.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(wasm.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(wasm.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    await wasm.arrayBuffer();
    const script = await fetch(`${origin}/index.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    await script.arrayBuffer();
    expect(await statusOf(origin, '/favicon.ico')).toBe(204);
    expect(await statusOf(origin, '/no-such-file.js')).toBe(404);
    expect(await statusOf(origin, '/../package.json')).toBe(403);
    expect(await statusOf(origin, '/%2e%2e/package.json')).toBe(403);
    expect(await statusOf(origin, '/..%2fpackage.json')).toBe(403);
  }, TIMEOUT_MS);

  test('two devices in module workers add 100 000 float32 values on mtia:1, exactly', async () => {
    await page!.goto(`${origin}/`);
    await page!.waitForFunction(() => 'runCheck' in globalThis, undefined, { timeout: TIMEOUT_MS / 2 });
    const report = await page!.evaluate(() =>
      (globalThis as unknown as { runCheck(): Promise<CheckReport> }).runCheck(),
    );
    expect(report.error).toBeNull();
    expect(report).toEqual({
      crossOriginIsolated: true,
      available: true,
      zeros: [0, 0, 0],
      device: 'mtia:1',
      numel: 100_000,
      length: 100_000,
      wrong: 0,
      firstWrong: null,
      setDeviceError: { name: 'ValueError', message: 'Expected a mtia or cpu device, but got: cuda:0' },
      interleavedScope: {
        name: 'MtiaError',
        message: expect.stringContaining('while an async mtia.withDevice/withStream callback is still running; this platform has no async context'),
      },
      scopedDevices: [0, 1, 0],
      shutdown: true,
      error: null,
    });
    expect(problems).toEqual([]);
  }, TIMEOUT_MS);

  test("uploads that fill device memory many times over in one task, on the page's main thread, do not run out of memory", async () => {
    await page!.goto(`${origin}/`);
    await page!.waitForFunction(() => 'runUploadPressure' in globalThis, undefined, { timeout: TIMEOUT_MS / 2 });
    const report = await page!.evaluate(() =>
      (globalThis as unknown as { runUploadPressure(): Promise<{ uploads: number; error: string | null; values: number[] | null }> }).runUploadPressure(),
    );
    expect(report).toEqual({ uploads: 32, error: null, values: [2, 2, 2] });
    expect(problems).toEqual([]);
  }, TIMEOUT_MS);
});
