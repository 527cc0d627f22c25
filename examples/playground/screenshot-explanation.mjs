// Takes docs' pictures of the op explanation and the heat map (docs/playground.md): runs a
// workload on a profile in headless Chromium, selects one op and saves the two panels.
// `npm run build` first, then
//   node examples/playground/screenshot-explanation.mjs            both pictures of the docs
//   node examples/playground/screenshot-explanation.mjs PROFILE WORKLOAD OP OUTPUT.png
// docs/playground-explanation.png is the softmax (op 12) of the attention workload on MTIA 2i,
// docs/playground-systolic.png the first score matmul (op 10) of the same workload on the
// output-stationary systolic profile. Chromium: $MTIA_SIM_CHROMIUM, default /usr/bin/chromium.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { servePlayground } from './served.mjs';

const docs = (name) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
const shots = process.argv.length > 2
  ? [{ profile: process.argv[2], workload: process.argv[3], op: Number(process.argv[4]), output: process.argv[5] }]
  : [
    { profile: 'mtia-v2', workload: 'attention', op: 12, output: docs('playground-explanation.png') },
    { profile: 'systolic-32x32-os', workload: 'attention', op: 10, output: docs('playground-systolic.png') },
  ];
const executablePath = process.env.MTIA_SIM_CHROMIUM || '/usr/bin/chromium';

const { origin, stop } = await servePlayground();
const profileDir = await mkdtemp(join(tmpdir(), 'mtia-sim-screenshot-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 2400 },
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  for (const { profile, workload, op, output } of shots) {
    await page.goto(`${origin}/`);
    await page.waitForSelector('body[data-state="ready"]');
    await page.selectOption('#profile', profile);
    await page.selectOption('#devices', '1');
    await page.selectOption('#workload', workload);
    await page.click('#run');
    await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 120_000 });
    if ((await page.getAttribute('body', 'data-state')) !== 'done') {
      throw new Error(`the run failed: ${await page.locator('#status').textContent()}`);
    }
    await page.locator(`#op-table tr[data-op="${op}"]`).click();
    // The heat map's panel and the explanation's, side by side.
    const a = (await page.locator('#heat-map').locator('xpath=..').boundingBox());
    const b = (await page.locator('#explanation').locator('xpath=..').boundingBox());
    const x = Math.min(a.x, b.x);
    const y = Math.min(a.y, b.y);
    const clip = { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
    await page.screenshot({ path: output, clip });
    console.log(`saved ${output}: ${await page.locator('#explanation h3').textContent()}`);
  }
} finally {
  await context.close();
  await stop();
  await rm(profileDir, { recursive: true, force: true });
}
