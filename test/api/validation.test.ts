// `mtia-sim validate`: every published MTIA 2i target the timing model covers is within its
// band (the figures and bands are src/validation.ts's; docs/validation.md is its table).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('`mtia-sim validate` passes every target and exits 0 by itself', () => {
  const run = spawnSync(process.execPath, ['dist/cli.js', 'validate'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  expect(run.error).toBeUndefined();
  expect(run.stderr).toBe('');
  const targets = run.stdout.slice(0, run.stdout.indexOf('Invariants:'));
  const rows = targets.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| target'));
  expect(rows.length).toBe(12); // 8 timing targets, 4 power checks (src/typical-power.ts)
  for (const row of rows) expect(row.endsWith('| yes |'), row).toBe(true);
  expect(run.stdout).toContain('All 12 targets passed.');
  // The invariants section (src/invariants.ts): every check holds.
  const invariants = run.stdout.slice(run.stdout.indexOf('Invariants:')).split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| check'));
  expect(invariants.length).toBeGreaterThanOrEqual(2);
  for (const row of invariants) expect(row.endsWith('| yes |'), row).toBe(true);
  expect(run.status).toBe(0);
}, 200_000);
