// Takes the README's picture of the playground, docs/playground.png: serves the built page
// (`mtia-sim serve`, cross-origin isolated), runs the two-stream copy/compute workload on MTIA 2i
// (one device, opened from a link with the settings in its hash, run with Ctrl+Enter) in
// headless Chromium, hovers the memory chart (its readout and cursor) and saves the whole page. `npm run build` first, then
// `node examples/playground/screenshot.mjs [output.png]`. Chromium: $MTIA_SIM_CHROMIUM, default
// /usr/bin/chromium. With --scalesim, the SCALE-Sim panel alone, on its default files, to the
// given file (docs/playground-scalesim.png).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { servePlayground } from './served.mjs';

const scalesim = process.argv.includes('--scalesim');
const output = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../../docs/playground.png', import.meta.url));
const executablePath = process.env.MTIA_SIM_CHROMIUM || '/usr/bin/chromium';

const { origin, stop } = await servePlayground();
const profileDir = await mkdtemp(join(tmpdir(), 'mtia-sim-screenshot-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1500 }, // the whole page: a full-page shot of a smaller one resizes it, redrawing the charts
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/#profile=mtia-v2&devices=1&timing-only=0&workload=overlap`);
  await page.waitForSelector('body[data-state="ready"]');
  if (scalesim) {
    await page.waitForSelector('#scalesim-table tbody tr');
    await page.locator('#scalesim-panel').screenshot({ path: output });
  } else {
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 120_000 });
    if ((await page.getAttribute('body', 'data-state')) !== 'done') {
      throw new Error(`the run failed: ${await page.locator('#status').textContent()}`);
    }
    const memory = await page.locator('#memory svg').first().boundingBox();
    if (memory !== null) await page.mouse.move(memory.x + memory.width * 0.42, memory.y + memory.height / 2);
    await page.waitForSelector('#memory .memory-readout:not([hidden])');
    await page.screenshot({ path: output, fullPage: true });
  }
  console.log(`saved ${output}`);
} finally {
  await context.close();
  await stop();
  await rm(profileDir, { recursive: true, force: true });
}
