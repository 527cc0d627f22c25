// The stream race detector: it catches a seeded race, naming both streams, both ops and both
// call sites, and is silent on correctly ordered code.

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';
import { tensor, zeros } from '../../src/tensor/factories.js';
import { add } from '../../src/tensor/ops.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
beforeAll(() => {
  mtia.configure({ deviceCount: 1, memoryBytes: 16 << 20 });
  mtia.sanitizer.enable();
});
afterEach(() => mtia.synchronize());
afterAll(() => {
  mtia.sanitizer.disable();
  return mtia.shutdown();
});

function race(run: () => unknown): mtia.StreamRaceError {
  try {
    run();
  } catch (error) {
    if (error instanceof mtia.StreamRaceError) return error;
    throw error;
  }
  throw new Error('no race reported');
}

describe('stream sanitizer', () => {
  test('reading on one stream what another stream writes, unordered, is reported at the call site', () => {
    const [producer, consumer] = [new mtia.Stream(), new mtia.Stream()];
    const y = tensor([1, 2, 3]);
    const x = mtia.withStream(producer, () => zeros([3])); // writes x on the producer stream
    const queued = consumer.queue.enqueued;
    const error = race(() => mtia.withStream(consumer, () => add(x, y))); // reads x on the consumer stream
    expect(consumer.queue.enqueued).toBe(queued); // nothing was queued
    expect(error.access).toMatchObject({ device: 0, streamId: consumer.streamId, op: 'add', kind: 'reading from' });
    expect(error.previous).toMatchObject({ device: 0, streamId: producer.streamId, op: 'zeros', kind: 'writing to' });
    expect(error.message).toContain('mtia sanitizer detected a possible data race on a tensor with data pointer');
    expect(error.message).toContain(`Access by stream ${consumer.streamId} on mtia:0 during add, reading from the tensor`);
    expect(error.message).toContain(`Previous access by stream ${producer.streamId} on mtia:0 during zeros, writing to the tensor`);
    // Both stacks point at this file: the consumer's line and the producer's line.
    expect(error.access.stack).toMatch(/stream-sanitizer\.test\.ts:\d+/);
    expect(error.previous.stack).toMatch(/stream-sanitizer\.test\.ts:\d+/);
    expect(error.access.stack).not.toBe(error.previous.stack);
  });

  test('a read back to the host on another stream is checked too', async () => {
    const side = new mtia.Stream();
    const x = mtia.withStream(side, () => zeros([4]));
    await expect(x.toArray()).rejects.toThrow(mtia.StreamRaceError);
  });

  test('silent when an event wait, a stream wait or a host synchronize orders the accesses', async () => {
    const [producer, consumer] = [new mtia.Stream(), new mtia.Stream()];
    const y = tensor([1, 2, 3]);
    await mtia.synchronize(); // y was written on the default stream
    const a = mtia.withStream(producer, () => zeros([3]));
    consumer.waitEvent(producer.recordEvent());
    mtia.withStream(consumer, () => add(a, y));

    const b = mtia.withStream(producer, () => zeros([3]));
    consumer.waitStream(producer);
    mtia.withStream(consumer, () => add(b, y));

    const c = mtia.withStream(producer, () => zeros([3]));
    await producer.synchronize();
    mtia.withStream(consumer, () => add(c, y));

    const d = mtia.withStream(producer, () => zeros([3]));
    await mtia.synchronize();
    expect(Array.from(await d.toArray())).toEqual([0, 0, 0]);
  });

  test('silent on one stream, and for reads on two streams of what both are ordered after', () => {
    const s = new mtia.Stream();
    const x = mtia.withStream(s, () => zeros([2]));
    const y = mtia.withStream(s, () => add(x, x));
    mtia.withStream(s, () => add(y, x));
    const [r1, r2] = [new mtia.Stream(), new mtia.Stream()];
    r1.waitStream(s);
    r2.waitStream(s);
    mtia.withStream(r1, () => add(x, y));
    mtia.withStream(r2, () => add(y, x));
  });

  test('an ordering through a third stream counts (happens-before is transitive)', () => {
    const [a, b, c] = [new mtia.Stream(), new mtia.Stream(), new mtia.Stream()];
    const x = mtia.withStream(a, () => zeros([2]));
    b.waitStream(a);
    c.waitStream(b);
    mtia.withStream(c, () => add(x, x));
  });

  test('off, it checks nothing', () => {
    mtia.sanitizer.disable();
    try {
      const side = new mtia.Stream();
      const x = mtia.withStream(side, () => zeros([2]));
      add(x, x);
      expect(mtia.sanitizer.enabled).toBe(false);
    } finally {
      mtia.sanitizer.enable();
    }
  });
});
