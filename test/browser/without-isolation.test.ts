// The browser tier without cross-origin isolation: the built package (dist/) in real Chromium,
// on a page served WITHOUT the COOP/COEP headers (as GitHub Pages and most static hosts serve
// pages), where memory cannot be shared with workers. The package must choose the postMessage
// transport by itself and compute, order streams and events, time them in simulated time and
// read back exactly as over shared memory: the same program (program.js) runs in this Node
// process over shared memory, and the two reports must be equal. Run `npm run build` first.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as pkg from 'mtia-sim';
import { openServedPage, type ServedPage } from './chromium.js';
// @ts-expect-error: plain JavaScript shared with the page, without declarations
import { runProgram } from './program.js';

const TIMEOUT_MS = 90_000;
const distRoot = fileURLToPath(new URL('../../dist/', import.meta.url));

/** What window.runProgram() in without-isolation.html returns. */
interface PageReport {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: string;
  available: boolean;
  result: Record<string, unknown> | null;
  error: string | null;
}

let served: ServedPage | undefined;
let origin = '';
let page: Page | undefined;
/** Console errors, uncaught page errors and failed requests, from the page and its workers. */
let problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(distRoot, 'index.js'))) throw new Error(`${distRoot} has no built package: run \`npm run build\` first.`);
  served = await openServedPage({
    root: distRoot,
    page: fileURLToPath(new URL('./without-isolation.html', import.meta.url)),
    isolated: false,
    extra: { '/program.js': fileURLToPath(new URL('./program.js', import.meta.url)) },
  });
  ({ origin, page, problems } = served);
}, TIMEOUT_MS);

afterAll(async () => served?.close(), TIMEOUT_MS);

describe('the built package in Chromium, on a page without cross-origin isolation', () => {
  test('the server sends no isolation headers', async () => {
    const response = await fetch(`${origin}/index.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cross-origin-opener-policy')).toBeNull();
    expect(response.headers.get('cross-origin-embedder-policy')).toBeNull();
    await response.arrayBuffer();
  });

  test('devices run over postMessage and the program sees what it sees over shared memory in Node', async () => {
    await page!.goto(`${origin}/`);
    await page!.waitForFunction(() => 'runProgram' in globalThis, undefined, { timeout: TIMEOUT_MS / 2 });
    const report = await page!.evaluate(() => (globalThis as unknown as { runProgram(): Promise<PageReport> }).runProgram());
    expect(report.error).toBeNull();
    expect(report).toMatchObject({ crossOriginIsolated: false, sharedArrayBuffer: 'undefined', available: true });
    const inNode = await runProgram(pkg);
    await pkg.mtia.shutdown();
    expect(inNode.transport).toBe('shared-memory');
    // The first row of the matmul, by hand: exp(0) = 1, so column j is the sum over k of B[k][j] = ((16k + j) mod 7) − 3.
    const row = Array.from({ length: 16 }, (_, j) => {
      let total = 0;
      for (let k = 0; k < 48; k++) total += ((k * 16 + j) % 7) - 3;
      return total;
    });
    expect(report.result).toEqual({ ...inNode, transport: 'postMessage' });
    expect(report.result).toMatchObject({ wrong: 0, row, sumOnOne: [10], queried: true, otherQueried: true, queriedEarly: 'boolean', afterError: [2] });
    expect(report.result!['deviceError']).toMatch(/^MtiaError: .*index out of range in self.*\(status 14\)$/);
    expect(report.result!['elapsedMs']).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, TIMEOUT_MS);
});
