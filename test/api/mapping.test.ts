// Every row of docs/api.md marked "yes" names something the package exports.

import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import * as pkg from 'mtia-sim';

const table = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| PyTorch') && !line.startsWith('|---'))
  .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\|$/g, '').trim()));

/** Resolves 'mtia.setDevice' or 'Tensor.prototype.add' on the package's exports. */
function resolve(path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], pkg);
}

test('the mapping table has rows of both kinds', () => {
  expect(table.filter((row) => row[2] === 'yes').length).toBeGreaterThan(20);
  expect(table.every((row) => row[2] === 'yes' || row[2] === 'no')).toBe(true);
});

test.each(table.filter((row) => row[2] === 'yes').map((row) => [row[1]!]))('%s is exported', (names) => {
  const paths = [...names.matchAll(/`([\w.]+)`/g)].map((match) => match[1]!);
  expect(paths.length).toBeGreaterThan(0);
  for (const path of paths) expect({ path, exported: resolve(path) !== undefined }).toEqual({ path, exported: true });
});

test.each(table.filter((row) => row[2] === 'no').map((row) => [row[1]!]))('%s is not claimed yet', (names) => {
  const first = /`([\w.]+)`/.exec(names)![1]!;
  expect(resolve(first)).toBeUndefined();
});
