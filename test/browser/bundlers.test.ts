// The package as users of each bundler get it (`npm run check:bundlers` runs this file alone;
// `npm test` runs it with the rest). `npm pack` makes the tarball npm would publish; it is
// unpacked into temp projects next to test/browser/bundled-page.js, a page that imports
// 'mtia-sim' by name, and the page is built with each bundler's defaults: esbuild's CLI with
// the README's command in a `"type": "module"` project and in a `"type": "commonjs"` one (what
// `npm init -y` writes), `vite build` (Vite's API, no config file) and webpack in production mode
// (its API with only context, entry and output path, what `webpack --mode production` does).
// Any warning or error of a bundler fails it, except bundle-size hints (the core is inlined, so
// the bundle is large on purpose). Each output is served with COOP/COEP and run in Chromium,
// where its matmul must equal the CPU reference, with no console error or failed request.
// The bundlers are devDependencies, so nothing is fetched at run time. Run `npm run build` first.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BrowserContext } from 'playwright-core';
import { build as viteBuild, createLogger } from 'vite';
import webpack from 'webpack';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, recordProblems, requireChromium } from './chromium.js';
import { startStaticServer } from './static-server.js';

const run = promisify(execFile);
const TIMEOUT_MS = 120_000;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const esbuildBin = join(repoRoot, 'node_modules', '.bin', 'esbuild');
const PAGE_HTML = (title: string, script: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>${title}</title></head>\n` +
  `<body><h1>mtia-sim, bundled by ${title}</h1><script ${script}></script></body></html>\n`;

/** Bundle-size hints, which the check does not count: the inlined core makes a large bundle on purpose. */
const SIZE_HINT = /chunks are larger than|size limit|performance recommendations|limit the size of your bundles|manualChunks|chunkSizeWarningLimit|code-split/i;

/** What window.runBundledCheck() in bundled-page.js returns. */
interface BundledReport {
  crossOriginIsolated: boolean;
  device: string | null;
  got: number[] | null;
  expected: number[] | null;
  error: string | null;
}

let workspace = '';
let tarball = '';
let context: BrowserContext | undefined;

beforeAll(async () => {
  requireChromium();
  if (!existsSync(join(repoRoot, 'dist', 'browser', 'index.js'))) {
    throw new Error(`${repoRoot}dist/browser/index.js is missing: run \`npm run build\` first.`);
  }
  workspace = await mkdtemp(join(tmpdir(), 'mtia-sim-bundlers-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workspace], { cwd: repoRoot });
  tarball = join(workspace, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
  context = await launchChromium(join(workspace, 'chromium-profile'));
}, TIMEOUT_MS);

afterAll(async () => {
  try {
    await context?.close();
  } finally {
    if (workspace) await rm(workspace, { recursive: true, force: true });
  }
}, TIMEOUT_MS);

/** A new project folder holding package.json of `type`, the page as page.js and the package installed from the tarball. */
async function project(name: string, type: 'module' | 'commonjs'): Promise<string> {
  const dir = join(workspace, name);
  const installed = join(dir, 'node_modules', 'mtia-sim');
  await mkdir(installed, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `check-${name}`, version: '1.0.0', private: true, type }, null, 2));
  await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  await copyFile(fileURLToPath(new URL('./bundled-page.js', import.meta.url)), join(dir, 'page.js'));
  return dir;
}

/** Serves `root` with COOP/COEP, runs the page's check in Chromium and asserts the matmul and a clean console. */
async function expectPageComputes(root: string): Promise<void> {
  const server = await startStaticServer({ root });
  try {
    const page = await context!.newPage();
    const problems: string[] = [];
    recordProblems(page, problems);
    await page.goto(`${server.origin}/`);
    // A page that throws while loading never defines runBundledCheck: say what it threw.
    const loaded = await page.waitForFunction(() => 'runBundledCheck' in globalThis, undefined, { timeout: 30_000 }).then(() => true, () => false);
    if (!loaded) expect(problems, 'the page did not load').toEqual([]);
    expect(loaded, 'the page did not define runBundledCheck within 30 s').toBe(true);
    const report = await page.evaluate(() => (globalThis as unknown as { runBundledCheck(): Promise<BundledReport> }).runBundledCheck());
    expect(report.error).toBeNull();
    expect(report.crossOriginIsolated).toBe(true);
    expect(report.device).toBe('mtia:0');
    expect(report.got).toHaveLength(12);
    expect(report.got).toEqual(report.expected);
    expect(problems).toEqual([]);
    await page.close();
  } finally {
    await server.close();
  }
}

describe('each bundler builds a page importing mtia-sim with no warning, and the page computes in Chromium', () => {
  for (const type of ['module', 'commonjs'] as const) {
    test(`esbuild (README command) in a "type": "${type}" project`, async () => {
      const dir = await project(`esbuild-${type}`, type);
      await mkdir(join(dir, 'out'));
      await writeFile(join(dir, 'out', 'index.html'), PAGE_HTML('esbuild', 'type="module" src="./page.js"'));
      const built = await run(esbuildBin, ['page.js', '--bundle', '--format=esm', '--outfile=out/page.js'], { cwd: dir });
      // Besides its summary (the output file and its size, then "Done in"), anything it prints is a warning or an error.
      const printed = (built.stdout + built.stderr).split('\n').filter((line) => !/^\s*(out\/page\.js\s+\S+ ?\S*|⚡ Done in \S+)?\s*$/.test(line));
      expect(printed).toEqual([]);
      await expectPageComputes(join(dir, 'out'));
    }, TIMEOUT_MS);
  }

  test('Vite (vite build, default settings)', async () => {
    const dir = await project('vite', 'module');
    await writeFile(join(dir, 'index.html'), PAGE_HTML('Vite', 'type="module" src="./page.js"'));
    const messages: string[] = [];
    const logger = createLogger('info', { allowClearScreen: false });
    const customLogger = {
      ...logger,
      info: () => {},
      warn: (message: string) => messages.push(`warning: ${message}`),
      warnOnce: (message: string) => messages.push(`warning: ${message}`),
      error: (message: string) => messages.push(`error: ${message}`),
    };
    await viteBuild({ root: dir, configFile: false, logLevel: 'info', customLogger });
    expect(messages.filter((message) => !SIZE_HINT.test(message))).toEqual([]);
    await expectPageComputes(join(dir, 'dist'));
  }, TIMEOUT_MS);

  test('webpack 5 (production mode, default settings)', async () => {
    const dir = await project('webpack', 'module');
    const output = join(dir, 'webpack-dist');
    const stats = await new Promise<webpack.Stats>((resolve, reject) => {
      webpack({ context: dir, mode: 'production', entry: './page.js', output: { path: output } }, (error, result) =>
        error ? reject(error) : resolve(result!));
    });
    const json = stats.toJson({ all: false, errors: true, warnings: true });
    expect((json.errors ?? []).map((e) => e.message)).toEqual([]);
    expect((json.warnings ?? []).map((w) => w.message).filter((message) => !SIZE_HINT.test(message))).toEqual([]);
    await writeFile(join(output, 'index.html'), PAGE_HTML('webpack', 'src="./main.js"'));
    await expectPageComputes(output);
  }, TIMEOUT_MS);
});
