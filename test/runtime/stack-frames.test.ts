// Stack frames for memory history: V8 and Gecko stack lines become { filename, line, name },
// the library's own frames are dropped, and the user's call site comes first.

import { expect, test } from 'vitest';
import { captureFrames, parseStack } from '../../src/memory/stack-frames.js';

test('V8 and Gecko lines parse; frames under the library root are dropped; other lines are skipped', () => {
  const stack = [
    'Error: boom',
    '    at captureFrames (file:///lib/dist/index.js:10:5)',
    '    at CachingAllocator.malloc (/lib/dist/index.js:99:1)',
    '    at train (file:///home/me/model.mjs:42:17)',
    '    at async main (/home/me/main.mjs:7:3)',
    '    at file:///home/me/main.mjs:12:1',
    '    at async Promise.all (index 0)',
    'step@http://localhost:8000/app.js:5:9',
    '@http://localhost:8000/app.js:1:1',
  ].join('\n');
  expect(parseStack(stack, '/lib/dist/')).toEqual([
    { filename: '/home/me/model.mjs', line: 42, name: 'train' },
    { filename: '/home/me/main.mjs', line: 7, name: 'main' },
    { filename: '/home/me/main.mjs', line: 12, name: '<anonymous>' },
    { filename: 'http://localhost:8000/app.js', line: 5, name: 'step' },
    { filename: 'http://localhost:8000/app.js', line: 1, name: '<anonymous>' },
  ]);
  expect(parseStack('Error\n    at x (/lib/dist/index.js:1:1)', '/lib/dist/')).toEqual([]);
});

test("captureFrames starts at the caller's line, outside the library", () => {
  const frames = captureFrames(); const line = Number(new Error().stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1]);
  expect(frames[0]!.filename).toMatch(/test\/runtime\/stack-frames\.test\.ts$/);
  expect(frames[0]!.line).toBe(line);
  expect(frames.every((frame) => !frame.filename.includes('/src/memory/'))).toBe(true);
});
