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
