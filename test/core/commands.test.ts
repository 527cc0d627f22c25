// The command decoder and stream queues, through the core's exports only. Results are checked
// against plain JavaScript arithmetic (Math.fround for float32, | 0 for int32). The timing
// model's worked examples are in timing-model.test.ts.

import { beforeEach, describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness, v2 } from '../support/core-harness.js';

let h: CoreHarness;
beforeEach(() => {
  h = new CoreHarness();
  expect(h.core.boot()).toBe(S.STATUS_OK);
});

/** Deterministic pseudo-random floats in [-100, 100). */
function floats(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 2 ** 32) * 200 - 100;
  });
}

const sizes = [0, 1, 3, 4, 5, 7, 8, 17, 1000, 4099];
const GUARD = 0x7eadbeef;

describe('FILL', () => {
  test.each(sizes)('float32 and int32, %i elements, nothing past the end', (count) => {
    const f = h.heap(0);
    const i = h.heap(64 * 1024);
    h.u32[f / 4 + count] = GUARD;
    h.u32[i / 4 + count] = GUARD;
    h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: f, count, scalar: 1.1 });
    h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_INT32, dst: i, count, scalar: -7 });
    expect(h.core.drain(100)).toBe(2);
    expect(Array.from(h.f32.subarray(f / 4, f / 4 + count))).toEqual(new Array(count).fill(Math.fround(1.1)));
    expect(Array.from(h.i32.subarray(i / 4, i / 4 + count))).toEqual(new Array(count).fill(-7));
    expect(h.u32[f / 4 + count]).toBe(GUARD);
    expect(h.u32[i / 4 + count]).toBe(GUARD);
    expect(h.fault()).toEqual({ status: 0, seq: 0, count: 0 });
  });
});

describe('ADD', () => {
  test.each(sizes)('float32, %i elements, equals Math.fround(a + b)', (count) => {
    const a = floats(count, 1 + count);
    const b = floats(count, 2 + count);
    const [pa, pb, pc] = [h.heap(0), h.heap(1 << 20), h.heap(2 << 20)];
    h.f32.set(a, pa / 4);
    h.f32.set(b, pb / 4);
    h.u32[pc / 4 + count] = GUARD;
    h.push({ opcode: L.OP_ADD, dtype: L.DTYPE_FLOAT32, dst: pc, src0: pa, src1: pb, count });
    h.core.drain(1);
    const expected = Array.from(a, (x, k) => Math.fround(x + b[k]!));
    expect(Array.from(h.f32.subarray(pc / 4, pc / 4 + count))).toEqual(expected);
    expect(h.u32[pc / 4 + count]).toBe(GUARD);
  });

  test('int32 wraps on overflow, as PyTorch int32 does', () => {
    const [pa, pb, pc] = [h.heap(0), h.heap(64), h.heap(128)];
    h.i32.set([2147483647, -2147483648, 5, -5, 1], pa / 4);
    h.i32.set([1, -1, 6, 5, 2], pb / 4);
    h.push({ opcode: L.OP_ADD, dtype: L.DTYPE_INT32, dst: pc, src0: pa, src1: pb, count: 5 });
    h.core.drain(1);
    expect(Array.from(h.i32.subarray(pc / 4, pc / 4 + 5))).toEqual([-2147483648, 2147483647, 11, 0, 3]);
  });

  test('the output may alias an input (a += a)', () => {
    const p = h.heap(0);
    const a = floats(9, 3);
    h.f32.set(a, p / 4);
    h.push({ opcode: L.OP_ADD, dtype: L.DTYPE_FLOAT32, dst: p, src0: p, src1: p, count: 9 });
    h.core.drain(1);
    expect(Array.from(h.f32.subarray(p / 4, p / 4 + 9))).toEqual(Array.from(a, (x) => Math.fround(2 * x)));
  });
});

describe('COPY', () => {
  test.each([0, 1, 3, 15, 16, 17, 4097])('%i bytes on every path, nothing past the end', (bytes) => {
    for (const path of [L.COPY_HOST_TO_DEVICE, L.COPY_DEVICE_TO_HOST, L.COPY_DEVICE_TO_DEVICE]) {
      const [src, dst] = [h.heap(0), h.heap(1 << 20)];
      const data = Uint8Array.from({ length: bytes }, (_, k) => (k * 31 + path) & 255);
      h.u8.set(data, src);
      h.u8[dst + bytes] = 0xa5;
      h.push({ opcode: L.OP_COPY, dst, src0: src, count: bytes, arg0: path });
      h.core.drain(1);
      expect(h.u8.subarray(dst, dst + bytes)).toEqual(data);
      expect(h.u8[dst + bytes]).toBe(0xa5);
    }
  });
});

describe('rejected commands', () => {
  const heapEnd = () => h.memory.buffer.byteLength;
  test.each([
    ['an unknown opcode', () => ({ opcode: L.OPCODE_COUNT }), S.STATUS_BAD_OPCODE],
    ['an unknown dtype', () => ({ opcode: L.OP_FILL, dtype: L.DTYPE_COUNT, dst: h.heap(0), count: 1 }), S.STATUS_BAD_DTYPE],
    ['a dtype without a kernel', () => ({ opcode: L.OP_ADD, dtype: L.DTYPE_BFLOAT16, dst: h.heap(0), src0: h.heap(0), src1: h.heap(0), count: 1 }), S.STATUS_UNSUPPORTED_DTYPE],
    ['a write into the control region', () => ({ opcode: L.OP_FILL, dtype: L.DTYPE_INT32, dst: L.STREAMS_LOCATION, count: 4, scalar: 9 }), S.STATUS_OUT_OF_BOUNDS],
    ['a range past the end of memory', () => ({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: heapEnd() - 8, count: 3 }), S.STATUS_OUT_OF_BOUNDS],
    ['a count that overflows 32 bits', () => ({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: h.heap(0), count: 0xffffffff }), S.STATUS_OUT_OF_BOUNDS],
    ['a copy reading outside the heap', () => ({ opcode: L.OP_COPY, dst: h.heap(0), src0: 0, count: 16, arg0: L.COPY_DEVICE_TO_DEVICE }), S.STATUS_OUT_OF_BOUNDS],
    ['a misaligned float32 operand', () => ({ opcode: L.OP_ADD, dtype: L.DTYPE_FLOAT32, dst: h.heap(2), src0: h.heap(0), src1: h.heap(0), count: 1 }), S.STATUS_MISALIGNED],
    ['an unknown copy path', () => ({ opcode: L.OP_COPY, dst: h.heap(0), src0: h.heap(64), count: 4, arg0: 3 }), S.STATUS_BAD_COPY_PATH],
  ])('%s sets the stream fault, writes nothing and still completes', (_, command, expected) => {
    const seq = h.push(command());
    const before = h.u8.slice(0, L.HEAP_LOCATION + 4096);
    expect(h.core.drain(10)).toBe(1);
    expect(h.done()).toBe(seq);
    expect(h.fault()).toEqual({ status: expected, seq, count: 1 });
    const after = h.u8.slice(0, L.HEAP_LOCATION + 4096);
    // Only the ring tail, the progress word, the stream's own control block, the control
    // core's engine block (the launch is still charged) and the command's op record may change.
    const changed = after.reduce<number[]>((list, byte, k) => (byte !== before[k] ? [...list, k] : list), []);
    const allowed = new Set<number>();
    for (const word of [L.HEADER_RING_TAIL, L.HEADER_PROGRESS]) for (let k = word; k < word + 4; k++) allowed.add(k);
    for (let k = L.STREAMS_LOCATION; k < L.STREAMS_LOCATION + L.STREAM_SIZE; k++) allowed.add(k);
    const control = L.ENGINES_LOCATION + L.ENGINE_CONTROL * L.ENGINE_SIZE;
    for (let k = control; k < control + L.ENGINE_SIZE; k++) allowed.add(k);
    const record = L.RECORDS_LOCATION + ((seq - 1) % L.RING_COMMANDS) * L.RECORD_SIZE;
    for (let k = record; k < record + L.RECORD_SIZE; k++) allowed.add(k);
    expect(changed.filter((k) => !allowed.has(k))).toEqual([]);
  });

  test('failures are counted per stream, the latest kept; later commands still run', () => {
    const p = h.heap(0);
    h.push({ opcode: 99 });
    h.push({ opcode: L.OP_COPY, dst: p, src0: p, count: 4, arg0: 9 });
    h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_INT32, dst: p, count: 1, scalar: 42 });
    h.push({ opcode: 99 }, 4);
    h.core.drain(10);
    expect(h.fault()).toEqual({ status: S.STATUS_BAD_COPY_PATH, seq: 2, count: 2 });
    expect(h.fault(4)).toEqual({ status: S.STATUS_BAD_OPCODE, seq: 1, count: 1 });
    expect(h.i32[p / 4]).toBe(42);
  });

  test('a command naming a stream slot that does not exist faults the device and stops the drain', () => {
    h.push({ opcode: L.OP_NOP });
    h.push({ opcode: L.OP_NOP }, L.STREAM_SLOTS);
    h.push({ opcode: L.OP_NOP });
    expect(h.core.drain(10)).toBe(1);
    expect(h.i32[L.HEADER_DEVICE_STATE / 4]).toBe(L.DEVICE_FAULTED);
    expect(h.i32[L.HEADER_FAULT / 4]).toBe(S.STATUS_BAD_STREAM);
  });
});

describe('the command ring', () => {
  test('drain runs at most its budget, in order, and resumes where it stopped', () => {
    const p = h.heap(0);
    for (let k = 1; k <= 5; k++) h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_INT32, dst: p, count: 1, scalar: k });
    expect(h.core.drain(2)).toBe(2);
    expect(h.done()).toBe(2);
    expect(h.i32[p / 4]).toBe(2);
    expect(h.core.drain(100)).toBe(3);
    expect(h.i32[p / 4]).toBe(5);
    expect(h.core.drain(100)).toBe(0);
  });

  test('commands wrap around the ring', () => {
    const p = h.heap(0);
    for (let k = 1; k <= L.RING_COMMANDS * 2 + 3; k++) {
      h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_INT32, dst: p, count: 1, scalar: k });
      if (k % 1000 === 0) h.core.drain(1 << 20);
    }
    h.core.drain(1 << 20);
    expect(h.done()).toBe(L.RING_COMMANDS * 2 + 3);
    expect(h.i32[p / 4]).toBe(L.RING_COMMANDS * 2 + 3);
  });

  test('commands run in the order they were issued, across streams', () => {
    const p = h.heap(0);
    for (let k = 1; k <= 40; k++) h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_INT32, dst: p, count: 1, scalar: k }, k % 3);
    h.core.drain(100);
    expect(h.i32[p / 4]).toBe(40);
    expect([h.done(0), h.done(1), h.done(2)]).toEqual([13, 14, 13]);
  });

  test('the progress word names the stream slots that completed work', () => {
    h.push({ opcode: L.OP_NOP }, 0);
    h.push({ opcode: L.OP_NOP }, 3);
    h.push({ opcode: L.OP_NOP }, 31);
    h.core.drain(100);
    expect(h.progress() >>> 0).toBe(((1 << 0) | (1 << 3) | (1 << 31)) >>> 0);
    expect([h.done(0), h.done(3), h.done(31), h.done(1)]).toEqual([1, 1, 1, 0]);
    h.core.drain(100);
    expect(h.progress()).toBe(0);
  });
});

describe('events', () => {
  // A job on an idle device starts `launch` after submission; one queued behind its stream's
  // previous job starts `replace` after it (timing/control-core.ts). NOPs have no body.
  const launch = v2.jobLaunchNs * 1e-9 * v2.clockHz;
  const replace = v2.jobReplaceNs * 1e-9 * v2.clockHz;
  const eventGeneration = (slot: number) => h.u32[(L.EVENTS_LOCATION + slot * L.EVENT_SIZE + L.EVENT_GENERATION) / 4];
  const eventTime = (slot: number) => h.f64[(L.EVENTS_LOCATION + slot * L.EVENT_SIZE + L.EVENT_TIME_CYCLES) / 8];

  test('a record takes its stream clock; a wait moves the waiting stream to it; neither launches', () => {
    h.push({ opcode: L.OP_NOP }, 0);
    h.push({ opcode: L.OP_NOP }, 0);
    h.push({ opcode: L.OP_RECORD_EVENT, arg0: 7, count: 1 }, 0);
    h.push({ opcode: L.OP_WAIT_EVENT, arg0: 7, count: 1 }, 3);
    expect(h.core.drain(10)).toBe(4);
    expect(eventGeneration(7)).toBe(1);
    expect(eventTime(7)).toBeCloseTo(launch + replace, 9);
    expect(h.clockCycles(0)).toBeCloseTo(launch + replace, 9);
    expect(h.clockCycles(3)).toBeCloseTo(launch + replace, 9);
    expect(h.fault(3).count).toBe(0);
  });

  test('a wait never moves a clock backwards', () => {
    h.push({ opcode: L.OP_RECORD_EVENT, arg0: 1, count: 5 }, 0);
    h.push({ opcode: L.OP_NOP }, 2);
    h.push({ opcode: L.OP_NOP }, 2);
    h.push({ opcode: L.OP_WAIT_EVENT, arg0: 1, count: 5 }, 2);
    h.core.drain(10);
    expect(h.clockCycles(2)).toBeCloseTo(launch + replace, 9);
  });

  test('a wait for a record not yet made stops the ring there until the generation appears', () => {
    h.push({ opcode: L.OP_NOP }, 0);
    h.push({ opcode: L.OP_WAIT_EVENT, arg0: 9, count: 2 }, 1);
    h.push({ opcode: L.OP_NOP }, 0);
    expect(h.core.drain(10)).toBe(1);
    expect(h.u32[L.HEADER_BLOCKED_EVENT / 4]).toBe(10);
    expect(h.core.drain(10)).toBe(0);
    // What the host does to relay a record made on another device:
    h.f64[(L.EVENTS_LOCATION + 9 * L.EVENT_SIZE + L.EVENT_TIME_CYCLES) / 8] = 100 * launch;
    Atomics.store(h.u32, (L.EVENTS_LOCATION + 9 * L.EVENT_SIZE + L.EVENT_GENERATION) / 4, 2);
    expect(h.core.drain(10)).toBe(2);
    expect(h.u32[L.HEADER_BLOCKED_EVENT / 4]).toBe(0);
    expect(h.clockCycles(1)).toBeCloseTo(100 * launch, 9);
    expect(h.clockCycles(0)).toBeCloseTo(launch + replace, 9);
  });

  test('an advance moves the clock forward to its time, never back; the next job is a fresh launch', () => {
    h.push({ opcode: L.OP_ADVANCE_CLOCK, scalar: 50 * launch }, 1);
    h.push({ opcode: L.OP_ADVANCE_CLOCK, scalar: 10 * launch }, 1);
    h.push({ opcode: L.OP_NOP }, 1);
    h.core.drain(10);
    // The host submitted the NOP when it saw the device at 50 launches: it starts a launch later.
    expect(h.clockCycles(1)).toBeCloseTo(51 * launch, 9);
    const control = h.f64[(L.ENGINES_LOCATION + L.ENGINE_CONTROL * L.ENGINE_SIZE + L.ENGINE_BUSY_CYCLES) / 8]!;
    expect(control).toBeCloseTo(replace, 9);
  });

  test('an event slot that does not exist is a stream fault', () => {
    const seq = h.push({ opcode: L.OP_RECORD_EVENT, arg0: L.EVENT_SLOTS, count: 1 }, 0);
    h.push({ opcode: L.OP_WAIT_EVENT, arg0: L.EVENT_SLOTS + 1, count: 1 }, 0);
    h.core.drain(10);
    expect(h.fault()).toEqual({ status: S.STATUS_BAD_EVENT, seq: seq + 1, count: 2 });
  });
});
