// Source maps for memory-history frames (src/memory/source-maps.ts, stack-frames.ts): the
// v3 mappings decoder against maps esbuild writes, and stack frames mapped to the user's file
// with the library's (mapped into its src/) dropped. Loading maps over HTTP is tested in
// Chromium (test/browser/bundle.test.ts).

import { transform } from 'esbuild';
import { expect, test } from 'vitest';
import { SourceMap } from '../../src/memory/source-maps.js';
import { libraryRootOf, parseStack } from '../../src/memory/stack-frames.js';

/** 1-based line and column of the first `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not found`);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

test("esbuild's map of a transformed file maps each call back to its original line", async () => {
  const source = [
    'export function first(a: number): number {',
    '  return helper(a) + 1;',
    '}',
    '',
    'function helper(x: number): number {',
    '  const y: number = x * 2;',
    '  return y;',
    '}',
    '',
    '// a comment that does not survive',
    'export const third = (z: number): number => first(z) * helper(z);',
  ].join('\n');
  const out = await transform(source, { loader: 'ts', sourcemap: 'external', sourcefile: 'lib/calls.ts', minifyWhitespace: true });
  const map = new SourceMap(out.map, 'http://example.test/dist/calls.js.map');
  for (const [needle, line] of [['x*2', 6], ['return y', 7], ['helper(a)+1', 2], ['first(z)*helper(z)', 11]] as const) {
    const position = positionOf(out.code, needle);
    expect(map.originalPosition(position.line, position.column), needle).toEqual({ source: 'http://example.test/dist/lib/calls.ts', line });
  }
  expect(map.originalPosition(99, 1)).toBeUndefined();
});

test('a source map that is not version 3 is refused, naming its URL', () => {
  expect(() => new SourceMap('{"version":2,"sources":[],"mappings":""}', 'http://x.test/a.js.map')).toThrow(
    'http://x.test/a.js.map is not a version 3 source map',
  );
});

test('mapped frames name the original file and line; frames mapped into the library are dropped', () => {
  const stack = [
    'Error',
    '    at captureFrames (http://site.test/app.js:300:10)',
    '    at CachingAllocator.malloc (http://site.test/app.js:900:3)',
    '    at main (http://site.test/app.js:5000:7)',
    '    at http://site.test/other.js:3:1',
  ].join('\n');
  const mapper = (url: string, line: number) =>
    url.endsWith('/other.js') ? undefined
    : line < 4000 ? { source: 'http://site.test/node_modules/mtia-sim/src/memory/stack-frames.ts', line: line / 10 }
    : { source: 'http://site.test/src/main.ts', line: 42 };
  const root = libraryRootOf('http://site.test/node_modules/mtia-sim/src/memory/stack-frames.ts');
  expect(root).toBe('http://site.test/node_modules/mtia-sim/src/');
  expect(parseStack(stack, root, mapper)).toEqual([
    { filename: 'http://site.test/src/main.ts', line: 42, name: 'main' },
    { filename: 'http://site.test/other.js', line: 3, name: '<anonymous>' },
  ]);
});

test("the library's root: src/ from source or a map, dist/ or dist/browser/ unmapped, none inside another bundle", () => {
  expect(libraryRootOf('/repo/src/memory/stack-frames.ts')).toBe('/repo/src/');
  expect(libraryRootOf('/app/node_modules/mtia-sim/dist/index.js')).toBe('/app/node_modules/mtia-sim/dist/');
  expect(libraryRootOf('http://site.test/assets/mtia-sim/dist/browser/index.js')).toBe('http://site.test/assets/mtia-sim/dist/browser/');
  expect(libraryRootOf('http://site.test/page.js')).toBe('\0');
});
