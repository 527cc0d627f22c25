// The playground's print() (examples/playground/printing.ts) writes arrays and tensors as
// PyTorch 2.x prints tensors (torch/_tensor_str.py, default print options). Each expected text
// below is what `print(torch.tensor(...))` writes for the same values, copied by hand.

import { describe, expect, test } from 'vitest';
import { formatArray, formatTensor, formatValue, tensorMarker } from '../../examples/playground/printing.js';

describe('formatArray, as PyTorch writes a tensor\'s data', () => {
  test('integers plain; integral floats with a point; other floats with 4 decimals, one width', () => {
    expect(formatArray(new Int32Array([1, 2, 3]))).toBe('[1, 2, 3]');
    expect(formatArray(new Float32Array([1, 2, 3]))).toBe('[1., 2., 3.]');
    expect(formatArray(Float64Array.of(0.1, 2, 3))).toBe('[0.1000, 2.0000, 3.0000]');
    expect(formatArray(Float64Array.of(-1.5, 10.25))).toBe('[-1.5000, 10.2500]');
    expect(formatArray(Int32Array.of(5, -7))).toBe('[ 5, -7]');
  });

  test('scientific when values leave [1e-4, 1e8) or span more than 1000×, with Python\'s two-digit exponent', () => {
    expect(formatArray(Float64Array.of(1e-5, 1))).toBe('[1.0000e-05, 1.0000e+00]');
    expect(formatArray(Float64Array.of(0.5, 5000.5))).toBe('[5.0000e-01, 5.0005e+03]');
    expect(formatArray(Float64Array.of(NaN, Infinity, 1.5))).toBe('[   nan,    inf, 1.5000]');
  });

  test('BigInt64Array as integers (int64 tensors\' values)', () => {
    expect(formatArray(BigInt64Array.of(1n, -20n, 300n))).toBe('[  1, -20, 300]');
  });

  test('a shape nests rows, a blank line between the blocks of a 3-d array', () => {
    expect(formatArray(Float32Array.of(1, 2, 3, 4), [2, 2])).toBe('[[1., 2.],\n [3., 4.]]');
    expect(formatArray(Int32Array.from({ length: 8 }, (_, i) => i), [2, 2, 2])).toBe('[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]');
    expect(() => formatArray(Int32Array.of(1, 2, 3), [2, 2])).toThrow(/shape \[2, 2\] has 4 elements, but the array has 3/);
  });

  test('over 1000 elements: the first and last 3 of each dim, as torch.arange(2000) prints', () => {
    expect(formatArray(Int32Array.from({ length: 2000 }, (_, i) => i))).toBe('[   0,    1,    2,  ..., 1997, 1998, 1999]');
    const rows = formatArray(Int32Array.from({ length: 40 * 40 }, (_, i) => i), [40, 40]).split('\n');
    expect(rows).toHaveLength(7);
    expect(rows[0]).toBe('[[   0,    1,    2,  ...,   37,   38,   39],');
    expect(rows[3]).toBe(' ...,');
    expect(rows[6]).toBe(' [1560, 1561, 1562,  ..., 1597, 1598, 1599]]');
  });

  test('a long row wraps at 80 characters, continuation lines indented under the first element', () => {
    const text = formatArray(Float64Array.from({ length: 20 }, (_, i) => i + 0.5), [20], 7);
    const lines = text.split('\n');
    for (const line of lines) expect(line.length + (line === lines[0] ? 7 : 0)).toBeLessThanOrEqual(80);
    expect(lines[1]!.startsWith(' '.repeat(8))).toBe(true);
    expect(text.replace(/\s+/g, ' ')).toContain('[ 0.5000, 1.5000,');
  });
});

describe('formatTensor, as print(t) of a PyTorch tensor', () => {
  test('values, the device, and the dtype unless float32 or int64', () => {
    expect(formatTensor({ shape: [2, 2], dtype: 'float32', device: 'mtia:0', values: Float32Array.of(1, 2, 3, 4) }))
      .toBe("tensor([[1., 2.],\n        [3., 4.]], device='mtia:0')");
    expect(formatTensor({ shape: [3], dtype: 'int32', device: 'mtia:1', values: Int32Array.of(1, 2, 3) }))
      .toBe("tensor([1, 2, 3], device='mtia:1', dtype=int32)");
    expect(formatTensor({ shape: [2], dtype: 'bool', device: 'mtia:0', values: Uint8Array.of(1, 0) }))
      .toBe("tensor([True, False], device='mtia:0', dtype=bool)");
    expect(formatTensor({ shape: [], dtype: 'float32', device: 'mtia:0', values: Float32Array.of(2.5) }))
      .toBe("tensor(2.5000, device='mtia:0')");
  });

  test('timing-only: no values, the size instead', () => {
    expect(formatTensor({ shape: [4096, 4096], dtype: 'float16', device: 'mtia:0', values: null }))
      .toBe("tensor(<no values: timing-only>, size=[4096, 4096], device='mtia:0', dtype=float16)");
  });
});

describe('formatValue, one argument of print()', () => {
  test('a typed array as an array, not {"0":1,"1":2,"2":3}', () => {
    expect(formatValue(new Float32Array([1, 2, 3]))).toBe('[1., 2., 3.]');
    expect(formatValue(new Uint8Array([1, 2, 3]))).toBe('[1, 2, 3]');
  });

  test('strings as they are at the top, quoted inside; nested arrays, objects, Maps, Sets, bigints', () => {
    expect(formatValue('hello')).toBe('hello');
    expect(formatValue([[1, 2], [3, 4.5]])).toBe('[[1, 2], [3, 4.5]]');
    expect(formatValue({ name: 'x', values: Int32Array.of(1, 2), 'two words': 3n })).toBe('{ name: "x", values: [1, 2], "two words": 3n }');
    expect(formatValue(new Map([['a', 1]]))).toBe('Map {"a" => 1}');
    expect(formatValue(new Set([1, 2]))).toBe('Set {1, 2}');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(new RangeError('no'))).toBe('RangeError: no');
    const cycle: unknown[] = [1];
    cycle.push(cycle);
    expect(formatValue(cycle)).toBe('[1, [circular]]');
  });

  test('a tensor\'s text (read by the runner) as it is, also inside an array', () => {
    expect(formatValue([tensorMarker("tensor([1.], device='mtia:0')"), 2])).toBe("[tensor([1.], device='mtia:0'), 2]");
  });
});
