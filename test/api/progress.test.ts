// Progress (issue 11, finding 1): a wait on one stream settles even when the device's command
// ring is full of another stream's work and more waits in the host-side backlog. Every wait
// form drains the backlog, on either device.

import { afterAll, describe, expect, test } from 'vitest';
import { add, matmul, mtia, ones, tensor, zeros, type Tensor } from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** Rejects if `promise` has not settled after `ms`: a hang shows up as a failure, not a stuck run. */
function settles<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} never settled`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/**
 * The adversarial load: six 768×768 matmuls keep `device` busy, then 25,000 tiny adds on
 * stream A overflow the ring, so about 8,600 commands wait in the host backlog. Returns the
 * last add's result (to check the backlog really ran) and stream A.
 */
function flood(device: number): { a: mtia.Stream; last: Tensor; inputs: Tensor[] } {
  const a = new mtia.Stream({ device });
  return mtia.withStream(a, () => {
    const m = ones([768, 768]);
    const products: Tensor[] = [];
    for (let k = 0; k < 6; k++) products.push(matmul(m, m));
    const x = tensor([1, 2, 3, 4]);
    let last = zeros([4]);
    for (let k = 0; k < 25_000; k++) {
      const next = add(last, x);
      last.free();
      last = next;
    }
    return { a, last, inputs: [m, x, ...products] };
  });
}

describe('every wait drains the host backlog', () => {
  for (const device of [0, 1]) {
    test(`mtia:${device}: toArray, Event.synchronize and Stream.synchronize on stream B settle behind a backlog on stream A`, async () => {
      const forms: [string, (b: mtia.Stream) => Promise<unknown>][] = [
        ['toArray of a tensor made on B', (b) => mtia.withStream(b, () => tensor([7, 8])).toArray()],
        ['Event.synchronize of an event recorded on B', (b) => b.recordEvent().synchronize()],
        ['B.synchronize()', (b) => b.synchronize()],
        ['mtia.synchronize(device)', () => mtia.synchronize(device)],
      ];
      for (const [what, wait] of forms) {
        const { last, inputs } = flood(device);
        const b = new mtia.Stream({ device });
        const result = await settles(wait(b), what);
        if (what.startsWith('toArray')) expect(Array.from(result as Float32Array)).toEqual([7, 8]);
        // The whole backlog ran: 25,000 adds of [1, 2, 3, 4] onto zeros.
        expect(Array.from(await settles(last.toArray(), `${what}: the backlog`))).toEqual([25_000, 50_000, 75_000, 100_000]);
        last.free();
        for (const t of inputs) t.free();
      }
    });
  }
});
