// The browser tier: the built package (dist/) in real Chromium. A static server on 127.0.0.1
// serves dist/ and test/browser/page.html with the COOP/COEP headers that cross-origin isolation
// (SharedArrayBuffer, shared wasm memory) needs; the page imports './index.js', runs devices in
// real module workers and reports back through window.runCheck(). Run `npm run build` first.
// Needs Debian's Chromium at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run does it).

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TIMEOUT_MS = 60_000;

const distRoot = fileURLToPath(new URL('../../dist/', import.meta.url));
const pageFile = fileURLToPath(new URL('./page.html', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

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

/** The file a request path names: the test page at /, else a file under `root`; null if outside. */
function resolveRequest(pathname: string, root: string): string | null {
  if (pathname === '/' || pathname === '/index.html') return pageFile;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = resolve(root, `.${decoded}`);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : null;
}

/** A static server for `root` on 127.0.0.1, on a free port, with cross-origin isolation headers. */
async function startServer(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    response.setHeader('Cache-Control', 'no-store');
    const finish = (status: number, body?: Buffer) => {
      response.statusCode = status;
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return finish(405);
    // The raw path, not `new URL()`: it would normalise '..' away before we can refuse it.
    const pathname = (request.url ?? '/').split(/[?#]/, 1)[0]!;
    if (pathname === '/favicon.ico') return finish(204);
    const file = resolveRequest(pathname, root);
    if (file === null) return finish(403);
    void (async () => {
      try {
        if (!(await stat(file)).isFile()) return finish(404);
        const body = await readFile(file);
        response.setHeader('Content-Type', contentTypes[extname(file)] ?? 'application/octet-stream');
        response.setHeader('Content-Length', body.length);
        finish(200, body);
      } catch {
        finish(404);
      }
    })();
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** Status of a GET for a raw (un-normalised) path. */
function statusOf(origin: string, path: string): Promise<number> {
  return new Promise((done, fail) => {
    const request = get(`${origin}/`, { path }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    });
    request.on('error', fail);
  });
}

let server: Server | undefined;
let origin = '';
let profileDir: string | undefined;
let context: BrowserContext | undefined;
let page: Page | undefined;
/** Console errors, uncaught page errors and failed requests, from the page and its workers. */
const problems: string[] = [];

/** Records a console error (of the page or one of its workers) as a problem. */
function recordConsoleError(message: ConsoleMessage): void {
  if (message.type() !== 'error') return;
  const { url, lineNumber } = message.location();
  problems.push(`console.error: ${message.text()} (${url}:${lineNumber})`);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's Chromium. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this in CI).',
    );
  }
  if (!existsSync(join(distRoot, 'index.js')) || !existsSync(join(distRoot, 'device-worker.js'))) {
    throw new Error(`${distRoot} has no built package: run \`npm run build\` first.`);
  }
  ({ server, origin } = await startServer(distRoot));
  profileDir = await mkdtemp(join(tmpdir(), 'mtia-sim-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = context.pages()[0] ?? (await context.newPage());
  // Playwright reports the dedicated workers' console on the page too (checked with 1.65).
  page.on('console', recordConsoleError);
  page.on('pageerror', (error) => problems.push(`uncaught error in page: ${error.stack ?? error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
}, TIMEOUT_MS);

afterAll(async () => {
  try {
    await context?.close();
  } finally {
    if (server) {
      const closing = server;
      closing.closeAllConnections();
      await new Promise<void>((done) => closing.close(() => done()));
    }
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  }
}, TIMEOUT_MS);

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
});
