// Fault injection with real device workers (issue 11): a core that traps, a worker that dies
// and a worker that stops answering each reject every pending and later wait on their device
// with DeviceLostError, leave the other device's results correct, and let shutdown() return
// at once (finding 3); a script that suffered them exits by itself.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { add, DeviceLostError, matmul, mtia, ones, tensor, ValueError, type Tensor } from 'mtia-sim';

const root = fileURLToPath(new URL('../..', import.meta.url));

afterEach(() => mtia.shutdown());

/** Rejects if `promise` has not settled after `ms`: a hang shows up as a failure, not a stuck run. */
function settles<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} never settled`)), ms);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/**
 * mtia:1 works through 8 768×768 matmuls and then records an event; mtia:0 waits for that
 * event, then computes 1 + 2. So mtia:0 is stopped at the cross-device wait (its worker idle
 * but for the wait) while a host wait on its result is pending.
 */
function pendingOnDevice0(): { pending: Promise<Float32Array>; product: Tensor; m: Tensor; onDevice0: Tensor[] } {
  const m = ones([768, 768], { device: 1 });
  let product = matmul(m, m);
  for (let k = 1; k < 8; k++) {
    const next = matmul(m, m);
    product.free();
    product = next;
  }
  const event = mtia.defaultStream(1).recordEvent();
  mtia.defaultStream(0).waitEvent(event);
  const onDevice0 = [tensor([1], { device: 0 }), tensor([2], { device: 0 })];
  onDevice0.push(add(onDevice0[0]!, onDevice0[1]!));
  return { pending: onDevice0[2]!.toArray() as Promise<Float32Array>, product, m, onDevice0 };
}

describe('fault injection', () => {
  const cases: [fault: mtia.debug.DebugFault, controlTimeoutMs: number, reason: RegExp][] = [
    ['trap', 3_600_000, /^mtia:0 faulted: the device core trapped$/],
    ['exit', 3_600_000, /^mtia:0 was lost: worker exited with code 1$/],
    // 2 s, not less: mtia:1's 768³ matmul must not look like a hang on a loaded machine.
    ['hang', 2000, /^mtia:0 was lost: properties\(\) got no answer within 2000 ms$/],
  ];
  for (const [fault, controlTimeoutMs, reason] of cases) {
    test(`'${fault}': pending and later waits on mtia:0 reject with DeviceLostError; mtia:1 stays correct; shutdown returns at once`, async () => {
      mtia.configure({ deviceCount: 2, controlTimeoutMs });
      await mtia.init();
      const { pending, product, m, onDevice0 } = pendingOnDevice0();
      expect(mtia.memoryAllocated(0)).toBe(3 * 512);
      const pendingSync = mtia.synchronize(0);
      pendingSync.catch(() => {}); // checked below
      const outcome = pending.then(() => undefined, (error: unknown) => error);
      await mtia.debug.injectFault(0, fault);
      const lost = await settles(outcome, 'the pending toArray');
      expect(lost).toBeInstanceOf(DeviceLostError);
      expect((lost as DeviceLostError).device).toBe(0);
      expect((lost as Error).message).toMatch(reason);
      await expect(settles(pendingSync, 'the pending synchronize')).rejects.toThrow(DeviceLostError);
      // Later waits, and later work, on mtia:0.
      expect(() => tensor([1], { device: 0 })).toThrow(DeviceLostError);
      await expect(mtia.synchronize(0)).rejects.toThrow(DeviceLostError);
      expect(() => new mtia.Stream({ device: 0 }).query()).toThrow(DeviceLostError);
      // mtia:1 goes on: 768 ones summed per element.
      const values = await settles(product.toArray(), 'mtia:1');
      expect(values.length).toBe(768 * 768);
      expect(values.every((v) => v === 768)).toBe(true);
      const three = tensor([3], { device: 1 });
      const sum = add(three, 4);
      expect(Array.from(await sum.toArray())).toEqual([7]);
      for (const t of [product, m, three, sum]) t.free();
      expect(mtia.memoryAllocated(1)).toBe(0);
      // A lost device's memory comes back when its tensors are freed (finding 5).
      for (const t of onDevice0) t.free();
      expect(mtia.memoryAllocated(0)).toBe(0);
      // Finding 3: no control call to a dead or hung worker, so no control timeout to wait out.
      await settles(mtia.shutdown(), 'shutdown()', 10_000);
      expect(mtia.isInitialized()).toBe(false);
    });
  }

  test('shutdown() right after a worker died returns at once (finding 3)', async () => {
    mtia.configure({ deviceCount: 2, controlTimeoutMs: 3_600_000 });
    await mtia.init();
    await mtia.debug.injectFault(1, 'exit');
    await expect(settles(mtia.synchronize(1), 'synchronize')).rejects.toThrow(DeviceLostError);
    await settles(mtia.shutdown(), 'shutdown()', 10_000);
  });

  test('injectFault checks its arguments where they are passed', async () => {
    expect(() => mtia.debug.injectFault(0, 'explode' as never)).toThrow(
      new ValueError("injectFault(): fault must be one of 'trap', 'exit', 'hang', but got: explode"),
    );
    expect(() => mtia.debug.injectFault(7, 'trap')).toThrow('Device index out of range: 7');
  });

  test('a script that suffered all three faults exits by itself', () => {
    const script = fileURLToPath(new URL('./scripts/faults-then-exit.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.error).toBeUndefined(); // a process that does not exit shows up here
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ lost: ['DeviceLostError', 'DeviceLostError', 'DeviceLostError'], survivor: [7, 7, 7] });
  });
});
