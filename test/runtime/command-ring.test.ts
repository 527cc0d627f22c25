// The host ends of the command ring and of stream queues, against the real core drained by
// hand in this realm.

import { describe, expect, test } from 'vitest';
import { CommandRing, WAKE_BATCH } from '../../src/runtime/command-ring.js';
import * as L from '../../src/runtime/layout.js';
import { memoryViews } from '../../src/runtime/memory-views.js';
import * as S from '../../src/runtime/status.js';
import { StreamCapture } from '../../src/runtime/stream-capture.js';
import { StreamQueue } from '../../src/runtime/stream-queue.js';
import { CoreHarness } from '../support/core-harness.js';

function setup() {
  const h = new CoreHarness();
  expect(h.core.boot()).toBe(S.STATUS_OK);
  const views = memoryViews(h.memory);
  const ring = new CommandRing(views);
  return { h, ring, stream: (slot: number) => new StreamQueue(ring, views, slot) };
}

/** Enqueues "store k at p" as an int32 FILL of one element. */
function store(queue: StreamQueue, p: number, k: number): number {
  return queue.enqueue(L.OP_FILL, L.DTYPE_INT32, p, 0, 0, 1, 0, k);
}

describe('StreamQueue', () => {
  test('sequence numbers count from 1 per stream; completion follows the device', () => {
    const { h, ring, stream } = setup();
    const [s5, s9] = [stream(5), stream(9)];
    const p = h.heap(0);
    expect(store(s5, p, 10)).toBe(1);
    expect(store(s9, p, 20)).toBe(1);
    expect(store(s5, p, 11)).toBe(2);
    expect(s5.isComplete(1)).toBe(false);
    ring.flush();
    expect(h.core.drain(2)).toBe(2);
    expect([s5.isComplete(1), s5.isComplete(2), s9.isComplete(1), s5.completed()]).toEqual([true, false, true, 1]);
    h.core.drain(10);
    expect(s5.completed()).toBe(2);
    expect(h.i32[p / 4]).toBe(11);
  });

  test('a command not yet published has not completed, whatever DONE says; published ones follow DONE', () => {
    const { h, ring, stream } = setup();
    const [s, other] = [stream(3), stream(4)];
    const p = h.heap(0);
    const first = store(s, p, 1);
    ring.flush();
    h.core.drain(10);
    expect(s.isComplete(first)).toBe(true);
    const second = store(s, p, 2);
    store(other, p, 5);
    const third = store(s, p, 3); // second and third wait in the host's batch of 32
    // Only the device writes DONE; forged here, it shows that isComplete() does not read it
    // for commands the device cannot have seen, and reads it for the others.
    Atomics.store(h.i32, s.doneWordIndex, third);
    expect([s.isComplete(second), s.isComplete(third), s.isComplete(first)]).toEqual([false, false, true]);
    ring.flush();
    expect([s.isComplete(second), s.isComplete(third)]).toEqual([true, true]);
    Atomics.store(h.i32, s.doneWordIndex, first);
    h.core.drain(10);
    const fourth = store(s, p, 4);
    expect([s.isComplete(third), s.isComplete(fourth), other.isComplete(1)]).toEqual([true, false, true]);
    ring.flush();
    h.core.drain(10);
    expect([s.isComplete(fourth), s.completed(), h.i32[p / 4]]).toEqual([true, fourth, 4]);
  });

  test('takeFaults reports failures once, with their count and the latest', () => {
    const { h, ring, stream } = setup();
    const s = stream(0);
    store(s, h.heap(0), 1);
    s.enqueue(L.OPCODE_COUNT + 3, 0, 0, 0, 0, 0, 0, 0);
    const bad = s.enqueue(L.OP_COPY, 0, h.heap(0), h.heap(0), 0, 4, 7, 0);
    ring.flush();
    h.core.drain(10);
    expect(s.takeFaults()).toEqual({ count: 2, status: S.STATUS_BAD_COPY_PATH, seq: bad });
    expect(s.takeFaults()).toBeUndefined();
  });

  test('the clock is the device-side stream clock', () => {
    const { h, ring, stream } = setup();
    const s = stream(2);
    s.enqueue(L.OP_NOP, 0, 0, 0, 0, 0, 0, 0);
    ring.flush();
    h.core.drain(1);
    expect(s.clockCycles()).toBe(h.clockCycles(2));
    expect(s.clockCycles()).toBeGreaterThan(0);
  });
});

describe('CommandRing', () => {
  test('commands are published in batches of 32, at the end of the task, or on flush()', async () => {
    const { h, ring, stream } = setup();
    const head = () => h.i32[L.HEADER_RING_HEAD / 4];
    const s = stream(0);
    for (let k = 0; k < 31; k++) store(s, h.heap(0), k);
    expect(head()).toBe(0);
    store(s, h.heap(0), 31);
    expect(head()).toBe(32);
    store(s, h.heap(0), 32);
    expect(head()).toBe(32);
    await Promise.resolve();
    expect(head()).toBe(33);
    store(s, h.heap(0), 33);
    ring.flush();
    expect(head()).toBe(34);
  });

  test('a sleeping device is notified on publish, an awake one is not', async () => {
    const { h, ring, stream } = setup();
    const head = L.HEADER_RING_HEAD / 4;
    const s = stream(0);
    const unnotified = Atomics.waitAsync(h.i32, head, 0, 50);
    store(s, h.heap(0), 1);
    ring.flush();
    expect(await unnotified.value).toBe('timed-out');
    h.i32[L.HEADER_SLEEPING / 4] = 1;
    const waiting = Atomics.waitAsync(h.i32, head, 1);
    store(s, h.heap(0), 2);
    ring.flush();
    expect(await waiting.value).toBe('ok');
  });

  test('a busy host never wakes an awake device, and wakes a sleeping one once per burst', async () => {
    const { h, ring, stream } = setup();
    const head = () => h.i32[L.HEADER_RING_HEAD / 4];
    const sleeping = L.HEADER_SLEEPING / 4;
    const s = stream(0);
    // The firmware polls (SLEEPING clear): batches are published, nobody is woken.
    for (let k = 0; k < 10 * 32; k++) store(s, h.heap(0), k);
    expect(head()).toBe(320);
    await Promise.resolve();
    ring.flush();
    expect(ring.wakeUps).toBe(0);
    // It sleeps: batches are still published, but the wake-up waits for the end of the task.
    h.i32[sleeping] = 1;
    const woken = Atomics.waitAsync(h.i32, L.HEADER_RING_HEAD / 4, 320);
    for (let k = 0; k < 5 * 32; k++) store(s, h.heap(0), k);
    expect(head()).toBe(480);
    expect(ring.wakeUps).toBe(0);
    await Promise.resolve();
    expect(ring.wakeUps).toBe(1);
    expect(await woken.value).toBe('ok');
    // Still asleep (the harness never clears SLEEPING): a task longer than WAKE_BATCH commands
    // wakes it once WAKE_BATCH commands wait, then once more at its end, not once per batch.
    for (let k = 0; k < WAKE_BATCH + 64; k++) store(s, h.heap(0), k);
    expect(ring.wakeUps).toBe(2);
    await Promise.resolve();
    expect(ring.wakeUps).toBe(3);
    // A wait flushes, and wakes at once.
    store(s, h.heap(0), 0);
    ring.flush();
    expect(ring.wakeUps).toBe(4);
    expect(head()).toBe(480 + WAKE_BATCH + 64 + 1);
  });

  test('a full ring spills into the backlog without waiting; flush() moves it in, in order', () => {
    const { h, ring, stream } = setup();
    const s = stream(0);
    const p = h.heap(0);
    const total = L.RING_COMMANDS * 3 + 17;
    for (let k = 1; k <= total; k++) store(s, p, k);
    expect(s.enqueued).toBe(total);
    expect(ring.backlogLength).toBe(total - L.RING_COMMANDS);
    expect(h.u32[L.HEADER_RING_HEAD / 4]).toBe(L.RING_COMMANDS);
    let rounds = 0;
    while (!s.isComplete(total)) {
      h.core.drain(5000);
      ring.flush();
      rounds++;
    }
    expect(rounds).toBeGreaterThan(3);
    expect(ring.backlogLength).toBe(0);
    expect(h.i32[p / 4]).toBe(total);
    expect(h.fault()).toEqual({ status: 0, seq: 0, count: 0 });
  });

  test('backlogged pushes move into freed ring space once per batch and at the end of the task', async () => {
    const { h, ring, stream } = setup();
    const head = () => h.u32[L.HEADER_RING_HEAD / 4]!;
    const s = stream(0);
    const p = h.heap(0);
    for (let k = 1; k <= L.RING_COMMANDS + 32; k++) store(s, p, k); // 32 in the backlog: one flush on the 32nd
    expect([head(), ring.backlogLength]).toEqual([L.RING_COMMANDS, 32]);
    h.core.drain(1000);
    for (let k = 0; k < 31; k++) store(s, p, k); // the ring has room now, but pushes go on behind the backlog
    expect([head(), ring.backlogLength]).toEqual([L.RING_COMMANDS, 63]);
    store(s, p, 31);
    expect([head(), ring.backlogLength]).toEqual([L.RING_COMMANDS + 64, 0]);
    for (let k = 1; k <= 936 + 5; k++) store(s, p, k); // fills the ring again (936 free), 5 in the backlog
    expect([head(), ring.backlogLength]).toEqual([L.RING_COMMANDS + 992, 5]); // the last 8 in the ring wait for the end of the task
    h.core.drain(1000);
    await Promise.resolve();
    expect([head(), ring.backlogLength]).toEqual([L.RING_COMMANDS + 1005, 0]);
    while (!s.isComplete(s.enqueued)) h.core.drain(5000);
    expect(h.i32[p / 4]).toBe(941);
  });

  test('commands of several streams keep their issue order across ring, backlog and flush', () => {
    const { h, ring, stream } = setup();
    const streams = [stream(0), stream(1), stream(7)];
    const base = h.heap(0);
    const count = L.RING_COMMANDS + 5000;
    for (let k = 0; k < count; k++) {
      // Command k writes k to word k, then k+1 to word 0: a lost or reordered command leaves a wrong word.
      streams[k % 3]!.enqueue(L.OP_FILL, L.DTYPE_INT32, base + 4 * (k + 1), 0, 0, 1, 0, k);
      streams[(k + 1) % 3]!.enqueue(L.OP_FILL, L.DTYPE_INT32, base, 0, 0, 1, 0, k + 1);
      if (k % 777 === 0) h.core.drain(3000);
    }
    while (ring.backlogLength > 0 || h.core.drain(1 << 16) > 0) ring.flush();
    expect(h.i32[base / 4]).toBe(count);
    expect(Array.from(h.i32.subarray(base / 4 + 1, base / 4 + 1 + count))).toEqual(Array.from({ length: count }, (_, k) => k));
    expect(streams.reduce((sum, s) => sum + s.completed(), 0)).toBe(2 * count);
  });

  test('a capture records instead of pushing; its launch goes in with one publish, or through the backlog in order', () => {
    const { h, ring, stream } = setup();
    const head = () => h.i32[L.HEADER_RING_HEAD / 4];
    const s = stream(3);
    const base = h.heap(0);
    const capture = (s.capture = new StreamCapture());
    for (let k = 0; k < 50; k++) expect(s.enqueue(L.OP_FILL, L.DTYPE_INT32, base + 4 * k, 0, 0, 1, 0, k + 1)).toBe(0);
    s.capture = undefined;
    expect([capture.length, s.enqueued, ring.pushedCount]).toEqual([50, 0, 0]);
    const { entries, relocations, count } = capture.launchEntries(s.slot);
    expect(count).toBe(51);
    expect(s.enqueueEntries(entries, relocations, count)).toBe(51);
    expect(head()).toBe(51); // one publish for the launch and its 50 commands
    h.core.drain(100);
    expect(Array.from(h.i32.subarray(base / 4, base / 4 + 50))).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
    expect(s.completed()).toBe(51);
    // A ring with no room: the launch waits in the backlog, behind what is there, in order.
    h.i32.fill(0, base / 4, base / 4 + 50);
    for (let k = 0; k < L.RING_COMMANDS - 10; k++) store(s, base + 4 * 60, k);
    s.enqueueEntries(entries, relocations, count);
    expect(ring.backlogLength).toBe(count - 10);
    for (let round = 0; round < 100 && !s.isComplete(51 + L.RING_COMMANDS - 10 + 51); round++) {
      h.core.drain(1 << 16);
      ring.flush();
    }
    expect(Array.from(h.i32.subarray(base / 4, base / 4 + 50))).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
    expect(s.completed()).toBe(51 + L.RING_COMMANDS - 10 + 51);
    expect(h.fault(3).count).toBe(0);
  });
});
