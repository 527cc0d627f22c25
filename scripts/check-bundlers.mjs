// Checks that Vite and webpack take the package as it is: packs it (`npm pack`, as published),
// installs it with vite and webpack into a temp project, builds test/browser/bundled-page.js
// with each one's defaults (`vite build`; `webpack --mode production --entry ./page.js`),
// fails on any warning, then runs each output in Chromium with COOP/COEP and checks the page's
// matmul against its CPU reference. Not part of `npm test`: it installs the two bundlers from
// the npm registry (esbuild's case is test/browser/bundle.test.ts). Run `npm run build` first:
//   node scripts/check-bundlers.mjs
// Chromium: $MTIA_SIM_CHROMIUM, else /usr/bin/chromium.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const VERSIONS = { vite: '8.3.8', webpack: '5.112.2', 'webpack-cli': '7.3.1' };
const CHROMIUM = process.env.MTIA_SIM_CHROMIUM || '/usr/bin/chromium';
const repo = fileURLToPath(new URL('..', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'mtia-sim-bundlers-'));
const sh = (command, args) => execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Runs a bundler command and returns its output; throws if it printed a warning. */
function bundle(name, command, args) {
  const output = execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (/warn|\(!\)/i.test(output)) throw new Error(`${name} warned:\n${output}`);
  console.log(`${name}: built without warnings`);
}

/** Serves `root` with COOP/COEP, opens it in Chromium and returns window.runBundledCheck()'s report. */
async function runInChromium(root) {
  const server = createServer((request, response) => {
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    const path = normalize(request.url === '/' ? '/index.html' : request.url.split('?')[0]);
    try {
      const body = readFileSync(join(root, path));
      response.setHeader('Content-Type', { '.html': 'text/html', '.js': 'text/javascript' }[extname(path)] ?? 'application/octet-stream');
      response.end(body);
    } catch {
      response.statusCode = path === '/favicon.ico' ? 204 : 404;
      response.end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(String(error)));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => 'runBundledCheck' in globalThis, undefined, { timeout: 30_000 });
    const report = await page.evaluate(() => globalThis.runBundledCheck());
    return { ...report, problems };
  } finally {
    await browser.close();
    server.close();
  }
}

try {
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: repo, encoding: 'utf8' }));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bundler-check', private: true, type: 'module' }));
  sh('npm', ['install', '--no-audit', '--no-fund', '-D', '-E', ...Object.entries(VERSIONS).map(([name, version]) => `${name}@${version}`), `./${filename}`]);
  copyFileSync(join(repo, 'test/browser/bundled-page.js'), join(project, 'page.js'));
  writeFileSync(join(project, 'index.html'), '<!doctype html><meta charset="utf-8"><title>vite</title><script type="module" src="./page.js"></script>\n');

  bundle(`vite ${VERSIONS.vite}`, 'npx', ['vite', 'build']);
  bundle(`webpack ${VERSIONS.webpack}`, 'npx', ['webpack', '--mode', 'production', '--entry', './page.js', '--output-path', 'webpack-dist']);
  writeFileSync(join(project, 'webpack-dist', 'index.html'), '<!doctype html><meta charset="utf-8"><title>webpack</title><script src="./main.js"></script>\n');

  let failed = false;
  for (const [name, folder] of [['vite', 'dist'], ['webpack', 'webpack-dist']]) {
    const report = await runInChromium(join(project, folder));
    const ok = report.error === null && report.crossOriginIsolated && report.problems.length === 0
      && JSON.stringify(report.got) === JSON.stringify(report.expected);
    console.log(`${name} bundle in Chromium: ${ok ? 'matmul on mtia:0 equals the CPU reference' : `FAILED ${JSON.stringify(report)}`}`);
    failed ||= !ok;
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(project, { recursive: true, force: true });
}
