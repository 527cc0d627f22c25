// Finding and launching the Chromium the browser tier runs in: Debian's `chromium` package at
// /usr/bin/chromium, or the binary MTIA_SIM_CHROMIUM names. A missing binary fails the tier
// with a message saying how to get one; it is never skipped.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startStaticServer, type StaticServerOptions } from './static-server.js';

/** The Chromium binary the browser tests launch: $MTIA_SIM_CHROMIUM, else /usr/bin/chromium. */
export const CHROMIUM = process.env.MTIA_SIM_CHROMIUM || '/usr/bin/chromium';

/** Flags for a quiet headless run in a container (no sandbox, no GPU, no background traffic). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Throws, saying what to do, if the Chromium binary is missing. */
export function requireChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const source = process.env.MTIA_SIM_CHROMIUM ? 'MTIA_SIM_CHROMIUM' : 'the default path';
  throw new Error(
    `${CHROMIUM} (${source}) is missing: the browser tests need Chromium. Install Debian's with ` +
      '`apt-get update && apt-get install -y chromium` (.ci/run does this in CI), or set ' +
      'MTIA_SIM_CHROMIUM to the path of another Chromium or Chrome binary.',
  );
}

/** Launches headless Chromium with a fresh profile in `profileDir`. */
export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  requireChromium();
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Records into `problems` what a page should never show: console errors (with where they came
 * from; Playwright reports the page's dedicated workers' console here too), uncaught errors,
 * failed requests and HTTP errors.
 */
export function recordProblems(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url, lineNumber } = message.location();
    problems.push(`console.error: ${message.text()} (${url}:${lineNumber})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught error in page: ${error.stack ?? error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });
}

/** A page of headless Chromium with a fresh profile, beside a static server for it. */
export interface ServedPage {
  /** The server's origin (http://127.0.0.1:PORT). */
  readonly origin: string;
  readonly page: Page;
  /** What the page showed that it never should, in order (recordProblems). */
  readonly problems: string[];
  /** Closes Chromium, removes its profile and stops the server. */
  close(): Promise<void>;
}

/** Starts a static server with `options`, then Chromium with a fresh temporary profile; returns its first page. */
export async function openServedPage(options: StaticServerOptions): Promise<ServedPage> {
  requireChromium();
  const server = await startStaticServer(options);
  const profileDir = await mkdtemp(join(tmpdir(), 'mtia-sim-chromium-'));
  const context = await launchChromium(profileDir);
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  recordProblems(page, problems);
  return {
    origin: server.origin,
    page,
    problems,
    close: async () => {
      try {
        await context.close();
      } finally {
        await rm(profileDir, { recursive: true, force: true });
        await server.close();
      }
    },
  };
}
