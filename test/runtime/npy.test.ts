// The .npy reader and writer of `mtia-sim run` (src/cli/npy.ts) against files numpy 2.4 wrote
// (np.save, embedded here as base64): the same values read, the same bytes written, and clear
// errors for the types and forms it does not read.

import { describe, expect, test } from 'vitest';
import { NpyError, readNpy, writeNpy, type NpyArray } from '../../src/cli/npy.js';

/** np.save output, by what was saved. */
const NUMPY = {
  // np.array([[0.5, -1.25, 2], [65504, -0.0001, 1]], dtype=np.float16)
  f16: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGYyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAOAC9AED/e46GADw=',
  // np.array([1, -2, 3000000000], dtype=np.int64)
  i64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAP7/////////AF7QsgAAAAA=',
  // np.array([[True, False], [False, True]])
  b1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAB',
  // np.array(7, dtype=np.int32)
  i4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAA',
  // np.array([1.5, -2.25], dtype=np.float32)
  f4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAQwA==',
  // np.array([1.5], dtype=np.float64)
  f8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4Pw==',
  // np.array([1.5, -2.25], dtype='>f4')
  f4big: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/wAAAwBAAAA==',
};
const bytes = (key: keyof typeof NUMPY) => Uint8Array.from(Buffer.from(NUMPY[key], 'base64'));

describe('readNpy on files numpy wrote', () => {
  test('float32, float16 (to the nearest half), int64, bool, a 0-d int32 and big-endian float32', () => {
    expect(readNpy(bytes('f4'))).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2.25) });
    const half = readNpy(bytes('f16'));
    expect(half.dtype).toBe('float16');
    expect(half.shape).toEqual([2, 3]);
    // -0.0001 is held as the nearest float16, -0.00010001659393310547 (bits 0x868e).
    expect(Array.from(half.data as Float32Array)).toEqual([0.5, -1.25, 2, 65504, -0.00010001659393310547, 1]);
    expect(readNpy(bytes('i64'))).toEqual({ dtype: 'int64', shape: [3], data: BigInt64Array.of(1n, -2n, 3000000000n) });
    expect(readNpy(bytes('b1'))).toEqual({ dtype: 'bool', shape: [2, 2], data: Uint8Array.of(1, 0, 0, 1) });
    expect(readNpy(bytes('i4'))).toEqual({ dtype: 'int32', shape: [], data: Int32Array.of(7) });
    expect(readNpy(bytes('f4big'))).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2.25) });
  });

  test('refuses other element types by name, Fortran order, truncated data and non-npy bytes', () => {
    expect(() => readNpy(bytes('f8'), 'x.npy')).toThrow(new NpyError("x.npy: .npy element type float64 ('<f8') is not supported; mtia-sim reads float32, float16, int32, int64 and bool (convert with numpy's astype)"));
    const fortran = new TextDecoder('latin1').decode(bytes('f4')).replace("'fortran_order': False", "'fortran_order': True ");
    expect(() => readNpy(Uint8Array.from(fortran, (c) => c.charCodeAt(0)))).toThrow(/Fortran-ordered/);
    expect(() => readNpy(bytes('f4').subarray(0, 130), 'x.npy')).toThrow('x.npy: a float32 array of shape (2) needs 8 bytes of data, but the file has 2 (truncated?)');
    expect(() => readNpy(bytes('f4').subarray(0, 50), 'x.npy')).toThrow('x.npy: truncated .npy header');
    expect(() => readNpy(new TextEncoder().encode('not an array at all'), 'x.npy')).toThrow('x.npy: not a .npy file');
  });
});

describe('writeNpy', () => {
  test('writes the bytes numpy writes', () => {
    const cases: [keyof typeof NUMPY, NpyArray][] = [
      ['f4', { dtype: 'float32', shape: [2], data: Float32Array.of(1.5, -2.25) }],
      ['i64', { dtype: 'int64', shape: [3], data: BigInt64Array.of(1n, -2n, 3000000000n) }],
      ['b1', { dtype: 'bool', shape: [2, 2], data: Uint8Array.of(1, 0, 0, 1) }],
      ['i4', { dtype: 'int32', shape: [], data: Int32Array.of(7) }],
      ['f16', { dtype: 'float16', shape: [2, 3], data: Float32Array.of(0.5, -1.25, 2, 65504, -0.0001, 1) }],
    ];
    for (const [key, array] of cases) expect(writeNpy(array), key).toEqual(bytes(key));
  });

  test('round-trips through readNpy, and refuses data that does not fill the shape', () => {
    const array: NpyArray = { dtype: 'float32', shape: [3, 1, 2], data: Float32Array.from({ length: 6 }, (_, i) => i / 3) };
    expect(readNpy(writeNpy(array))).toEqual(array);
    expect(() => writeNpy({ dtype: 'int32', shape: [4], data: Int32Array.of(1) })).toThrow('writeNpy: shape (4) has 4 elements but the data has 1');
  });
});
