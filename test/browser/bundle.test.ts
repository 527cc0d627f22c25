// The package as a bundler user gets it. `npm pack` makes the tarball npm would publish; it is
// unpacked into a temp project's node_modules/mtia-sim, next to a page that imports 'mtia-sim'
// (bundled-page.js), and the page is bundled with esbuild's CLI with no flags beyond the usual
// `--bundle --format=esm --outfile`: esbuild picks the `browser` export condition, whose build
// carries the core and the device worker, so nothing is copied by hand. The bundle is served
// with COOP/COEP and run in real Chromium; a screenshot of it is saved under the temp folder.
// Memory-history frames of a page bundled with `--sourcemap` name the user's file and line (its
// map fetched asynchronously, never by a synchronous XMLHttpRequest); of
// a page bundled without, the bundle's URL and line. Also: the unbundled build served without
// the core it loads (core-relaxed.wasm in Chromium) or device-worker.js fails naming the URL.
// Run `npm run build` first; Chromium as in chromium.ts.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, recordProblems, requireChromium } from './chromium.js';
import { startStaticServer, type StaticServer } from './static-server.js';

const run = promisify(execFile);
const TIMEOUT_MS = 90_000;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const esbuildBin = join(repoRoot, 'node_modules', '.bin', 'esbuild');
const PAGE_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>mtia-sim bundled</title></head>
  <body><h1>mtia-sim, bundled by esbuild</h1><script type="module" src="./page.js"></script></body>
</html>
`;

/** What window.runBundledCheck() in bundled-page.js returns. */
interface BundledReport {
  crossOriginIsolated: boolean;
  device: string | null;
  got: number[] | null;
  expected: number[] | null;
  error: string | null;
}

let project = '';
let context: BrowserContext | undefined;
const servers: StaticServer[] = [];
let esbuildOutput = '';

beforeAll(async () => {
  requireChromium();
  if (!existsSync(join(repoRoot, 'dist', 'browser', 'index.js'))) {
    throw new Error(`${repoRoot}dist/browser/index.js is missing: run \`npm run build\` first.`);
  }
  project = await mkdtemp(join(tmpdir(), 'mtia-sim-bundle-'));
  // The tarball npm would publish (no rebuild: the scripts are skipped), unpacked as npm would.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: repoRoot });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  const installed = join(project, 'node_modules', 'mtia-sim');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', join(project, filename), '-C', installed, '--strip-components=1']);
  await copyFile(fileURLToPath(new URL('./bundled-page.js', import.meta.url)), join(project, 'page.js'));
  await mkdir(join(project, 'out'));
  await writeFile(join(project, 'out', 'index.html'), PAGE_HTML);
  const built = await run(esbuildBin, ['page.js', '--bundle', '--format=esm', '--outfile=out/page.js'], { cwd: project });
  esbuildOutput = built.stdout + built.stderr;
  await mkdir(join(project, 'out-mapped'));
  await writeFile(join(project, 'out-mapped', 'index.html'), PAGE_HTML);
  await run(esbuildBin, ['page.js', '--bundle', '--format=esm', '--sourcemap', '--outfile=out-mapped/page.js'], { cwd: project });
  context = await launchChromium(join(project, 'chromium-profile'));
}, TIMEOUT_MS);

afterAll(async () => {
  try {
    await context?.close();
  } finally {
    for (const server of servers) await server.close();
    // The screenshot stays for a person to look at; the rest goes.
    if (project) {
      for (const entry of await readdir(project)) {
        if (entry !== 'bundled-page.png') await rm(join(project, entry), { recursive: true, force: true });
      }
    }
  }
}, TIMEOUT_MS);

/** Opens `url` in a new tab, recording console errors, page errors and failed requests. */
async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context!.newPage();
  const problems: string[] = [];
  recordProblems(page, problems);
  await page.goto(url);
  return { page, problems };
}

describe('the package bundled by esbuild with no flags', () => {
  // esbuild's browser platform resolves no node: module, so a successful build means none is left.
  test('esbuild bundles it without warnings, carrying the core and the worker inside', async () => {
    expect(esbuildOutput).not.toMatch(/\[(WARNING|ERROR)\]/);
    const bundle = await readFile(join(project, 'out', 'page.js'), 'utf8');
    expect(bundle).toContain('data:application/wasm;base64,');
    expect(bundle).toContain('// workers/device-worker.ts'); // in the inlined worker bundle's text
    expect(existsSync(join(project, 'out', 'core.wasm'))).toBe(false);
  }, TIMEOUT_MS);

  test('the bundled page runs a matmul on mtia:0 and gets the exact product', async () => {
    const { page, problems, report } = await runBundledCheck(true);
    expect(report.error).toBeNull();
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.device).toBe('mtia:0');
    expect(report.got).toHaveLength(12);
    expect(report.got).toEqual(report.expected);
    expect(await page.locator('#result').textContent()).toBe('matmul on mtia:0 (equals the CPU reference)');
    const screenshot = join(project, 'bundled-page.png');
    await page.screenshot({ path: screenshot });
    expect(existsSync(screenshot)).toBe(true);
    console.log(`screenshot of the bundled page: ${screenshot}`);
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT_MS);

  test('its device worker (a blob: URL) starts kernel threads, which compute a large matmul exactly', async () => {
    const { page, problems } = await runBundledCheck(true);
    const report = await page.evaluate(() =>
      (globalThis as unknown as { threadedMatmul(): Promise<{ threads: number | null; wrong: number | null; error: string | null }> }).threadedMatmul(),
    );
    expect(report).toEqual({ threads: 2, wrong: 0, error: null });
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT_MS);

  test('served without cross-origin isolation, the bundled page runs the matmul over postMessage', async () => {
    const { page, problems, report } = await runBundledCheck(false);
    expect(report.error).toBeNull();
    expect(report.crossOriginIsolated).toBe(false);
    expect(report.got).toHaveLength(12);
    expect(report.got).toEqual(report.expected);
    expect(problems).toEqual([]);
    await page.close();
  }, TIMEOUT_MS);
});

/** Serves the bundled page (with or without the isolation headers) and runs its check. */
async function runBundledCheck(isolated: boolean): Promise<{ page: Page; problems: string[]; report: BundledReport }> {
  const server = await startStaticServer({ root: join(project, 'out'), isolated });
  servers.push(server);
  const { page, problems } = await open(`${server.origin}/`);
  await page.waitForFunction(() => 'runBundledCheck' in globalThis, undefined, { timeout: TIMEOUT_MS / 2 });
  const report = await page.evaluate(() =>
    (globalThis as unknown as { runBundledCheck(): Promise<BundledReport> }).runBundledCheck(),
  );
  return { page, problems, report };
}

/** What window.allocationFrames() in bundled-page.js returns. */
interface FramesReport {
  frames: { filename: string; line: number; name: string }[] | null;
  error: string | null;
}

/** The 1-based number of the first line of `file` that contains `needle`. */
async function lineOf(file: string, needle: string): Promise<number> {
  const index = (await readFile(file, 'utf8')).split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`${file} has no line with ${needle}`);
  return index + 1;
}

/**
 * Opens the page bundled in `folder` and returns the frames of its allocation, and the URLs the
 * page requested by XMLHttpRequest and by fetch while it ran (source maps load by fetch, never
 * by a synchronous XMLHttpRequest, which browsers deprecate on the main thread).
 */
async function allocationFrames(folder: string): Promise<{ origin: string; report: FramesReport; problems: string[]; xhr: string[]; fetched: string[] }> {
  const server = await startStaticServer({ root: join(project, folder) });
  servers.push(server);
  const { page, problems } = await open(`${server.origin}/`);
  await page.waitForFunction(() => 'allocationFrames' in globalThis, undefined, { timeout: TIMEOUT_MS / 2 });
  const xhr: string[] = [];
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'xhr') xhr.push(request.url());
    if (request.resourceType() === 'fetch') fetched.push(request.url());
  });
  const report = await page.evaluate(() =>
    (globalThis as unknown as { allocationFrames(): Promise<FramesReport> }).allocationFrames(),
  );
  await page.close();
  return { origin: server.origin, report, problems, xhr, fetched };
}

describe('memory-history frames in a bundled page', () => {
  const site = 'const allocationSite = zeros(';

  test("bundled with --sourcemap: the first frame is the user's source line, and no library frame is left", async () => {
    const { origin, report, problems, xhr, fetched } = await allocationFrames('out-mapped');
    expect(report.error).toBeNull();
    expect(xhr).toEqual([]);
    expect(fetched).toContain(`${origin}/page.js.map`);
    const sourceLine = await lineOf(join(project, 'page.js'), site);
    expect(report.frames?.[0]).toMatchObject({ filename: `${origin}/page.js`, line: sourceLine });
    expect(report.frames!.filter((frame) => frame.filename.includes('mtia-sim'))).toEqual([]);
    expect(problems).toEqual([]);
  }, TIMEOUT_MS);

  test("bundled without a map: a frame names the bundle's URL and the allocation's line in it", async () => {
    const { origin, report, problems, xhr } = await allocationFrames('out');
    expect(report.error).toBeNull();
    expect(xhr).toEqual([]);
    const bundleLine = await lineOf(join(project, 'out', 'page.js'), site);
    expect(bundleLine).not.toBe(await lineOf(join(project, 'page.js'), site));
    expect(report.frames).toContainEqual(expect.objectContaining({ filename: `${origin}/page.js`, line: bundleLine }));
    expect(problems).toEqual([]);
  }, TIMEOUT_MS);
});

describe('a missing asset is named in the error', () => {
  // Chromium validates relaxed SIMD, so the core it loads is the relaxed-SIMD build.
  for (const file of ['core-relaxed.wasm', 'device-worker.js']) {
    test(`dist/index.js served without ${file}`, async () => {
      const installed = join(project, 'node_modules', 'mtia-sim');
      const page = join(project, 'unbundled.html');
      await writeFile(
        page,
        `<!doctype html><script type="module">
          import { zeros } from '/dist/index.js';
          window.result = zeros([2]).toArray().then(() => 'no error', (error) => String(error?.message ?? error));
        </script>`,
      );
      const server = await startStaticServer({ root: installed, page, missing: [`/dist/${file}`] });
      servers.push(server);
      const opened = await open(`${server.origin}/`);
      await opened.page.waitForFunction(() => 'result' in globalThis, undefined, { timeout: TIMEOUT_MS / 2 });
      const message = await opened.page.evaluate(() => (globalThis as unknown as { result: Promise<string> }).result);
      expect(message).toContain(`${server.origin}/dist/${file}`);
      expect(message).toMatch(/^mtia:0 (failed to boot|was lost): /);
      await opened.page.close();
    }, TIMEOUT_MS);
  }
});
