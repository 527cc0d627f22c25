// Every numbered example runs to completion by itself, as its README says.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const examples = readdirSync(`${root}/examples`).filter((name) => /^\d\d-/.test(name));

test('there are numbered examples, each with a README', () => {
  expect(examples.length).toBeGreaterThan(0);
  for (const name of examples) expect(existsSync(`${root}/examples/${name}/README.md`)).toBe(true);
});

test.each(examples)('examples/%s runs and exits 0 by itself', (name) => {
  const run = spawnSync(process.execPath, [`examples/${name}/index.mjs`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(run.error).toBeUndefined();
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout.length).toBeGreaterThan(0);
});

test.each([
  ['04-timing-only', /per token: ([\d.]+) ms/],
  ['05-dlrm', /per step: ([\d.]+) ms/],
])('examples/%s prints a positive total that its per-layer times add up to', (name, total) => {
  const run = spawnSync(process.execPath, [`examples/${name}/index.mjs`], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  const step = Number(total.exec(run.stdout)?.[1]);
  const layers = Number(/sum of the layers: ([\d.]+) ms/.exec(run.stdout)?.[1]);
  expect(Number.isFinite(step) && step > 0).toBe(true);
  expect(layers).toBeCloseTo(step, 3);
});

test('examples/06-clock-sweep: compute follows the clock, DRAM and PCIe do not', () => {
  const run = spawnSync(process.execPath, ['examples/06-clock-sweep/index.mjs'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  const speedup = (op: string) => Number(new RegExp(`${op}.*?([\\d.]+)×$`, 'm').exec(run.stdout)?.[1]);
  expect(speedup('GEMM 2048³ bf16 \\(compute\\)')).toBeGreaterThan(1.2);
  expect(speedup('FC 512×26592×2048 fp16 \\(dram\\)')).toBeLessThan(1.01);
  expect(speedup('upload 32 MiB \\(pcie\\)')).toBe(1);
});
