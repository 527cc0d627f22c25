// Which build of the core the host loads (src/runtime/environment.ts): the relaxed-SIMD build
// where the engine validates relaxed SIMD, the plain-SIMD build elsewhere. Node 20's V8 has
// relaxed SIMD only behind --experimental-wasm-relaxed-simd, so a child Node with the flag and
// one with --no-experimental-wasm-relaxed-simd are the two kinds of engine; each runs
// environment.ts bundled by esbuild and reports what it chose.

import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { selectCore } from '../../src/runtime/environment.js';

const root = new URL('../../', import.meta.url);
const dist = new URL('dist/', root);

/**
 * Runs `script` (with hasRelaxedSimd, selectCore, compileCore and coreBuilds in scope) in a child
 * Node started with `flag`; returns what it printed.
 */
function inChildNode(flag: string, script: string): string {
  const { outputFiles } = buildSync({
    stdin: {
      contents: `import { compileCore, coreBuilds, hasRelaxedSimd, selectCore } from './src/runtime/environment.ts';\n${script}`,
      resolveDir: root.pathname,
      loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent',
  });
  const child = spawnSync(process.execPath, [flag, '--input-type=module', '-e', outputFiles[0]!.text], { encoding: 'utf8', timeout: 30_000 });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return child.stdout.trim();
}

describe('selectCore', () => {
  test('picks the relaxed-SIMD build when relaxed SIMD is available and the plain one when not', () => {
    const builds = { simd: 'core.wasm', relaxedSimd: 'core-relaxed.wasm' };
    expect(selectCore(builds, true)).toBe('core-relaxed.wasm');
    expect(selectCore(builds, false)).toBe('core.wasm');
  });

  test.each([
    ['--experimental-wasm-relaxed-simd', 'true relaxed'],
    ['--no-experimental-wasm-relaxed-simd', 'false simd'],
  ])('an engine started with %s validates relaxed SIMD and chooses: %s', (flag, expected) => {
    expect(inChildNode(flag, `console.log(hasRelaxedSimd(), selectCore({ simd: 'simd', relaxedSimd: 'relaxed' }));`)).toBe(expected);
  });
});

describe('compileCore', () => {
  // Each child is given a missing file for the build it must not read: compiling succeeds only
  // if it reads the other one, and the module it compiles is the real core (it has drain()).
  const missing = new URL('no-such-core.wasm', dist).href;
  test.each([
    ['--experimental-wasm-relaxed-simd', `{ simd: new URL(${JSON.stringify(missing)}), relaxedSimd: new URL(${JSON.stringify(new URL('core-relaxed.wasm', dist).href)}) }`],
    ['--no-experimental-wasm-relaxed-simd', `{ simd: new URL(${JSON.stringify(new URL('core.wasm', dist).href)}), relaxedSimd: new URL(${JSON.stringify(missing)}) }`],
  ])('with %s compiles the build selectCore picks', (flag, builds) => {
    const script = `const module = await compileCore(${builds});
console.log(WebAssembly.Module.exports(module).some((e) => e.name === 'drain'));`;
    expect(inChildNode(flag, script)).toBe('true');
  });

  test('without relaxed SIMD, the relaxed build is refused by the engine: the fallback is needed', () => {
    const script = `const { readFileSync } = await import('node:fs');
console.log(WebAssembly.validate(readFileSync(new URL(${JSON.stringify(new URL('core-relaxed.wasm', dist).href)}))),
  WebAssembly.validate(readFileSync(new URL(${JSON.stringify(new URL('core.wasm', dist).href)}))));`;
    expect(inChildNode('--no-experimental-wasm-relaxed-simd', script)).toBe('false true');
  });
});
