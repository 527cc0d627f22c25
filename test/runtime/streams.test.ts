// Streams, events and the current stream, on in-realm devices (torch.Stream, torch.Event:
// pytorch/pytorch torch/csrc/Stream.cpp, torch/csrc/Event.cpp).

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MtiaError, ValueError } from '../../src/errors.js';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { zeros } from '../../src/tensor/factories.js';
import { add } from '../../src/tensor/ops.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => mtia.configure({ deviceCount: 2, memoryBytes: 16 << 20 }));
afterAll(() => mtia.shutdown());

describe('Stream', () => {
  test('ids: 0 is each default stream, new streams count up through the pool; equality by id and device', () => {
    const d0 = mtia.defaultStream();
    expect([d0.streamId, d0.deviceIndex, String(d0.device)]).toEqual([0, 0, 'mtia:0']);
    expect(mtia.currentStream().equals(d0)).toBe(true);
    expect(mtia.defaultStream(1).equals(d0)).toBe(false);
    const a = new mtia.Stream();
    const a2 = new mtia.Stream();
    expect(a2.streamId).toBe((a.streamId % 31) + 1);
    const b = new mtia.Stream({ device: 'mtia:1', priority: -1 });
    expect([b.deviceIndex, b.priority]).toEqual([1, -1]);
    expect(a.equals(a)).toBe(true);
    expect(a.equals(b)).toBe(false);
    expect(String(a)).toBe(`mtia.Stream device_type=mtia, device_index=0, stream_id=${a.streamId}`);
  });

  test('bad arguments', () => {
    expect(() => new mtia.Stream({ priority: 1 })).toThrow(new ValueError('Stream(): priority should be 0 or a negative integer, but got: 1'));
    expect(() => new mtia.Stream({ device: 5 })).toThrow('Device index out of range: 5');
    expect(() => new mtia.Stream({ device: 'cuda:0' })).toThrow('Expected a mtia or cpu device, but got: cuda:0');
    expect(() => mtia.defaultStream().waitEvent({} as never)).toThrow(TypeError);
    expect(() => mtia.setStream('s' as never)).toThrow(TypeError);
  });

  test('setStream also switches the current device; the current stream is kept per device', () => {
    const s1 = new mtia.Stream({ device: 1 });
    mtia.setStream(s1);
    expect(mtia.currentDevice()).toBe(1);
    expect(mtia.currentStream().equals(s1)).toBe(true);
    expect(mtia.currentStream(0).equals(mtia.defaultStream(0))).toBe(true);
    mtia.setDevice(0);
    expect(mtia.currentStream(1).equals(s1)).toBe(true);
    mtia.setStream(mtia.defaultStream(1));
    mtia.setDevice(0);
    mtia.setStream(null);
    expect(mtia.currentDevice()).toBe(0);
  });

  test('stream() contexts nest, across devices, and restore streams and device', () => {
    const s0 = new mtia.Stream({ device: 0 });
    const s1 = new mtia.Stream({ device: 1 });
    {
      using _outer = mtia.stream(s0);
      expect(mtia.currentStream().equals(s0)).toBe(true);
      {
        using _inner = mtia.stream(s1);
        expect(mtia.currentDevice()).toBe(1);
        expect(mtia.currentStream().equals(s1)).toBe(true);
      }
      expect(mtia.currentDevice()).toBe(0);
      expect(mtia.currentStream().equals(s0)).toBe(true);
      expect(mtia.currentStream(1).equals(mtia.defaultStream(1))).toBe(true);
    }
    expect(mtia.currentStream().equals(mtia.defaultStream())).toBe(true);
    expect(mtia.withStream(s1, () => mtia.currentStream().streamId)).toBe(s1.streamId);
    expect(mtia.currentDevice()).toBe(0);
    {
      using _none = mtia.stream(null);
      expect(mtia.currentStream().streamId).toBe(0);
    }
  });

  test('a StreamContext acts when entered, not when constructed, and can be entered again after dispose', () => {
    const s1 = new mtia.Stream({ device: 1 });
    const context = new mtia.StreamContext(s1);
    expect([mtia.currentDevice(), mtia.currentStream(1).streamId]).toEqual([0, 0]);
    for (let round = 0; round < 2; round++) {
      {
        using _ = context.enter();
        expect([mtia.currentDevice(), mtia.currentStream().streamId]).toEqual([1, s1.streamId]);
        expect(() => context.enter()).toThrow(`mtia.stream(${s1}) is already entered`);
      }
      expect([mtia.currentDevice(), mtia.currentStream(1).streamId]).toEqual([0, 0]);
    }
    context[Symbol.dispose](); // not entered: nothing to restore
    expect(mtia.currentDevice()).toBe(0);
    expect(() => mtia.stream(42 as never)).toThrow(new TypeError('stream(): stream must be an mtia.Stream or null, but got: 42'));
    expect(() => new mtia.StreamContext({} as never)).toThrow(new TypeError('stream(): stream must be an mtia.Stream or null, but got: Object'));
  });

  test('device arguments: undefined, null, -1 and mtia mean the current device; -2 and 2 are out of range', () => {
    mtia.setDevice(1);
    try {
      for (const device of [undefined, null, -1, 'mtia']) {
        expect(mtia.currentStream(device as never).deviceIndex).toBe(1);
        expect(mtia.defaultStream(device as never).deviceIndex).toBe(1);
        expect(new mtia.Stream({ device: device as never }).deviceIndex).toBe(1);
      }
      expect(mtia.memoryStats(-1)).toEqual(mtia.memoryStats(1));
      expect(() => mtia.currentStream(-2)).toThrow(new MtiaError('Device index -2 is out of range for DeviceIndex [-1, 63]'));
      expect(() => mtia.memoryStats(2)).toThrow('Device index out of range: 2');
      expect(() => mtia.memoryAllocated({} as never)).toThrow(
        new TypeError('device must be a number, a device string, a Device or a device context, but got: Object'),
      );
    } finally {
      mtia.setDevice(0);
    }
  });

  test('synchronize() of the current device by undefined, null or -1', async () => {
    const s = new mtia.Stream({ device: 1 });
    mtia.withStream(s, () => add(zeros([64]), 1));
    await mtia.withDevice(1, () => mtia.synchronize(-1));
    expect(s.query()).toBe(true);
    await expect(mtia.synchronize(null)).resolves.toBeUndefined();
    expect(() => mtia.synchronize(-3)).toThrow('Device index -3 is out of range for DeviceIndex [-1, 63]');
  });

  test('query() is false while work is queued and true after synchronize()', async () => {
    const s = new mtia.Stream();
    for (let k = 0; k < 20; k++) s.recordEvent();
    expect(s.query()).toBe(false);
    await s.synchronize();
    expect(s.query()).toBe(true);
  });

  // Issue 21 finding 3: the 32nd stream shares a queue with the 1st, but had another id, so an
  // eager op on it during the 1st's capture was recorded into the graph without a sign. As
  // with CUDA's pool (getStreamFromPool), streams on one queue are now the same stream.
  test('the 32nd new stream of a device is the same stream as the 1st: same id, equal, capturing together', async () => {
    const first = new mtia.Stream({ device: 1 });
    const others = Array.from({ length: 30 }, () => new mtia.Stream({ device: 1 }));
    const again = new mtia.Stream({ device: 1 });
    expect(new Set(others.map((s) => s.streamId)).size).toBe(30);
    expect(others.some((s) => s.equals(first))).toBe(false);
    expect([again.streamId, again.equals(first), String(again)]).toEqual([first.streamId, true, String(first)]);
    const x = mtia.withStream(first, () => zeros([3], { device: 1 }));
    await first.synchronize();
    const g = new mtia.MTIAGraph();
    mtia.withStream(first, () => g.captureBegin());
    expect(again.isCapturing()).toBe(true); // the user can tell: it is the capturing stream
    expect(others.some((s) => s.isCapturing())).toBe(false);
    const y = mtia.withStream(again, () => add(x, 1)); // captured, as on CUDA
    const z = mtia.withStream(others[0]!, () => add(x, 2)); // another stream: runs eagerly
    mtia.withStream(first, () => g.captureEnd());
    expect(g.commandCount).toBe(1);
    expect([...(await z.toArray())]).toEqual([2, 2, 2]);
    mtia.withStream(first, () => g.replay());
    expect([...(await y.toArray())]).toEqual([1, 1, 1]);
    g.reset();
  });
});

describe('Tensor.recordStream', () => {
  test('a freed tensor used on another stream is not reused before that stream has passed it', async () => {
    const side = new mtia.Stream();
    const reuse = async (record: boolean) => {
      const x = zeros([1024]);
      await mtia.synchronize();
      const address = x.storage.address;
      const y = mtia.withStream(side, () => add(x, x)); // queued on side, not run yet (in-realm)
      if (record) x.recordStream(side);
      x.free();
      const z = zeros([1024]); // default stream, same size
      const reused = z.storage.address === address;
      await mtia.synchronize();
      y.free();
      z.free();
      return reused;
    };
    expect(await reuse(false)).toBe(true); // its own stream may reuse it at once: stream order
    expect(await reuse(true)).toBe(false);
    expect(() => zeros([1]).recordStream(mtia.defaultStream(1))).toThrow('recordStream(): the stream is on mtia:1 but the tensor is on mtia:0');
  });
});

describe('Event', () => {
  test('an unrecorded event is complete; waiting on it does nothing', async () => {
    const e = new mtia.Event();
    expect([e.query(), e.eventId, e.device, e.enableTiming]).toEqual([true, 0, null, false]);
    await e.synchronize();
    const s = new mtia.Stream();
    const before = s.queue.enqueued;
    s.waitEvent(e);
    expect(s.queue.enqueued).toBe(before);
  });

  test('record binds the device; recording on another device throws PyTorch\'s error', () => {
    const e = new mtia.Event();
    e.record();
    expect(String(e.device)).toBe('mtia:0');
    expect(e.eventId).toBeGreaterThan(0);
    expect(() => e.record(mtia.defaultStream(1))).toThrow(
      new MtiaError("Event device index 0 does not match recording stream's device index 1."),
    );
  });

  test('recordEvent() without an argument makes a timing-disabled event', async () => {
    const s = mtia.currentStream();
    const [a, b] = [s.recordEvent(), s.recordEvent()];
    await b.synchronize();
    expect(a.enableTiming).toBe(false);
    expect(() => a.elapsedTime(b)).toThrow(new ValueError("Both events must be created with argument 'enable_timing=True'."));
  });

  test('elapsedTime checks, in PyTorch\'s order: recorded, completed, timing; then the device', async () => {
    const timed = () => new mtia.Event({ enableTiming: true });
    const [start, end] = [timed(), timed()];
    expect(() => start.elapsedTime(end)).toThrow(new ValueError('Both events must be recorded before calculating elapsed time.'));
    start.record();
    expect(() => start.elapsedTime(end)).toThrow(ValueError);
    end.record();
    // Both recorded, not yet run: the completion check comes before the timing check.
    const untimed = new mtia.Event();
    untimed.record();
    expect(() => start.elapsedTime(untimed)).toThrow(new MtiaError('Both events must be completed before calculating elapsed time.'));
    expect(() => start.elapsedTime(end)).toThrow('Both events must be completed before calculating elapsed time.');
    await Promise.all([end.synchronize(), untimed.synchronize()]);
    expect(() => start.elapsedTime(untimed)).toThrow("Both events must be created with argument 'enable_timing=True'.");
    expect(start.elapsedTime(end)).toBe(0);
    const other = timed();
    other.record(mtia.defaultStream(1));
    await other.synchronize();
    expect(() => start.elapsedTime(other)).toThrow(
      'elapsedTime(): the events were recorded on different devices (mtia:0 and mtia:1)',
    );
  });

  test('elapsedTime is simulated device time in ms: on MTIA 2i 100 jobs are a 0.75 µs launch and 99 0.3 µs replacements', async () => {
    const s = new mtia.Stream();
    const [start, end] = [new mtia.Event({ enableTiming: true }), new mtia.Event({ enableTiming: true })];
    start.record(s);
    for (let k = 0; k < 100; k++) s.queue.enqueue(0 /* NOP */, 0, 0, 0, 0, 0, 0, 0);
    end.record(s);
    const hostStart = performance.now();
    await end.synchronize();
    expect(start.elapsedTime(end)).toBeCloseTo(0.75e-3 + 99 * 0.3e-3, 12);
    expect(performance.now() - hostStart).toBeLessThan(10_000); // host time is unrelated
  });

  test('a wait moves the waiting stream to the event time; re-recording moves the mark', async () => {
    const [busy, waiting] = [new mtia.Stream(), new mtia.Stream()];
    const e = new mtia.Event({ enableTiming: true });
    for (let k = 0; k < 10; k++) busy.queue.enqueue(0, 0, 0, 0, 0, 0, 0, 0);
    e.record(busy);
    waiting.waitEvent(e);
    const after = waiting.recordEvent(new mtia.Event({ enableTiming: true }));
    for (let k = 0; k < 5; k++) busy.queue.enqueue(0, 0, 0, 0, 0, 0, 0, 0);
    const first = new mtia.Event({ enableTiming: true });
    first.record(busy);
    e.record(busy); // moves the mark past the five extra launches
    await mtia.synchronize();
    expect(e.elapsedTime(after)).toBeCloseTo(-5 * 0.3e-3, 12); // the wait saw the first record, 5 replacements before
    expect(first.elapsedTime(e)).toBe(0);
  });

  test('after a synchronize, work on another stream starts no earlier than what the host saw', async () => {
    const [busy, idle] = [new mtia.Stream(), new mtia.Stream()];
    const start = new mtia.Event({ enableTiming: true });
    start.record(busy);
    for (let k = 0; k < 50; k++) busy.queue.enqueue(0, 0, 0, 0, 0, 0, 0, 0);
    const end = busy.recordEvent(new mtia.Event({ enableTiming: true }));
    await busy.synchronize();
    const later = idle.recordEvent(new mtia.Event({ enableTiming: true }));
    await later.synchronize();
    // The idle stream's clock was far behind; the host saw the device at the busy stream's end.
    expect(end.elapsedTime(later)).toBeGreaterThanOrEqual(0);
    expect(start.elapsedTime(later)).toBeCloseTo(start.elapsedTime(end), 12);
  });

  test('events can be recorded and waited on in a loop without running out of slots', async () => {
    const [a, b] = [new mtia.Stream(), new mtia.Stream()];
    for (let k = 0; k < 10_000; k++) {
      b.waitStream(a);
      a.waitStream(b);
      if (k % 1000 === 0) await mtia.synchronize();
    }
    await mtia.synchronize();
    expect(a.query() && b.query()).toBe(true);
  });
});
