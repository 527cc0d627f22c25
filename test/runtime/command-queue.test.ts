// The host end of a stream ring against the real core, drained by hand in this realm.

import { describe, expect, test } from 'vitest';
import { CommandQueue, memoryViews } from '../../src/runtime/command-queue.js';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness } from '../support/core-harness.js';

function setup(slot = 0) {
  const h = new CoreHarness();
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return { h, queue: new CommandQueue(memoryViews(h.memory), slot) };
}

/** Enqueues "store k at p" as an int32 FILL of one element. */
function store(queue: CommandQueue, p: number, k: number): number {
  return queue.enqueue(L.OP_FILL, L.DTYPE_INT32, p, 0, 0, 1, 0, k);
}

describe('CommandQueue', () => {
  test('sequence numbers count from 1 and completion follows the device', () => {
    const { h, queue } = setup(5);
    const p = h.heap(0);
    expect(store(queue, p, 10)).toBe(1);
    expect(store(queue, p, 11)).toBe(2);
    expect(queue.isComplete(1)).toBe(false);
    expect(h.core.drain(1)).toBe(1);
    expect([queue.isComplete(1), queue.isComplete(2), queue.completed()]).toEqual([true, false, 1]);
    h.core.drain(10);
    expect(queue.completed()).toBe(2);
    expect(h.i32[p / 4]).toBe(11);
  });

  test('each publish bumps the doorbell; a sleeping device is notified', async () => {
    const { h, queue } = setup();
    const doorbell = L.HEADER_DOORBELL / 4;
    store(queue, h.heap(0), 1);
    expect(h.i32[doorbell]).toBe(1);
    h.i32[L.HEADER_SLEEPING / 4] = 1;
    const waiting = Atomics.waitAsync(h.i32, doorbell, 1);
    expect(waiting.async).toBe(true);
    store(queue, h.heap(0), 2);
    expect(await waiting.value).toBe('ok');
  });

  test('a full ring spills into the backlog without waiting; flush() moves it in order', () => {
    const { h, queue } = setup();
    const p = h.heap(0);
    const total = L.RING_COMMANDS * 3 + 17;
    for (let k = 1; k <= total; k++) store(queue, p, k);
    expect(queue.enqueued).toBe(total);
    expect(queue.backlogLength).toBe(total - L.RING_COMMANDS);
    expect(h.u32[h.streamWord(0, L.STREAM_HEAD)]).toBe(L.RING_COMMANDS);
    let rounds = 0;
    while (!queue.isComplete(total)) {
      h.core.drain(1000);
      queue.flush();
      rounds++;
    }
    expect(rounds).toBeGreaterThan(3);
    expect(queue.backlogLength).toBe(0);
    expect(h.i32[p / 4]).toBe(total);
    expect(h.fault()).toEqual({ status: 0, seq: 0 });
  });

  test('commands keep their order across ring, backlog and flush', () => {
    const { h, queue } = setup();
    const base = h.heap(0);
    const count = L.RING_COMMANDS + 500;
    for (let k = 0; k < count; k++) {
      // Command k writes k to word k: a lost or repeated command leaves a wrong word.
      queue.enqueue(L.OP_FILL, L.DTYPE_INT32, base + 4 * k, 0, 0, 1, 0, k);
      if (k % 777 === 0) h.core.drain(300);
    }
    while (!queue.isComplete(count)) {
      h.core.drain(1 << 16);
      queue.flush();
    }
    expect(Array.from(h.i32.subarray(base / 4, base / 4 + count))).toEqual(Array.from({ length: count }, (_, k) => k));
  });

  test('takeFault reports the failing command once', () => {
    const { h, queue } = setup();
    store(queue, h.heap(0), 1);
    const bad = queue.enqueue(L.OPCODE_COUNT + 3, 0, 0, 0, 0, 0, 0, 0);
    h.core.drain(10);
    expect(queue.takeFault()).toEqual({ status: S.STATUS_BAD_OPCODE, seq: bad });
    expect(queue.takeFault()).toBeUndefined();
  });

  test('the clock is the device-side stream clock', () => {
    const { h, queue } = setup(2);
    queue.enqueue(L.OP_NOP, 0, 0, 0, 0, 0, 0, 0);
    h.core.drain(1);
    expect(queue.clockCycles()).toBe(h.clockCycles(2));
    expect(queue.clockCycles()).toBeGreaterThan(0);
  });
});
