// Finding and launching the Chromium the browser tier runs in: Debian's `chromium` package at
// /usr/bin/chromium, or the binary MTIA_SIM_CHROMIUM names. A missing binary fails the tier
// with a message saying how to get one; it is never skipped.

import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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
