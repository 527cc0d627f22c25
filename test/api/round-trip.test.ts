// Round trips with real device workers: an op then its value read back, over and over, as an
// interactive loop does it, back to back (the firmware still polling for work) and after a
// pause (the firmware asleep: workers/firmware.ts); both must return the right values, in
// stream order, over both transports, and leave an idle device asleep.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { add, mtia, tensor, type DType } from 'mtia-sim';

afterEach(() => mtia.shutdown());

const root = fileURLToPath(new URL('../..', import.meta.url));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A pause well past the firmware's poll for work (25 µs), so the next op wakes it from its sleep. */
const PAST_POLL_MS = 6;

/** Values exact in every dtype below (small integers, in int8's and bool's range). */
function expected(i: number, n: number, dtype: DType): number[] {
  return Array.from({ length: n }, (_, k) => (dtype === 'bool' ? ((i + k) % 2 === 0 ? 1 : 0) : ((i * 7 + k) % 50) - (dtype === 'int8' ? 25 : 0)));
}

for (const transport of ['shared-memory', 'postMessage'] as const) {
  describe(`round trips over ${transport}`, () => {
    test('an add then its value read back, 300 times back to back and 20 times after a pause: every value right', async () => {
      mtia.configure({ transport });
      const one = tensor(new Float32Array([1]));
      let x = tensor(new Float32Array([0]));
      for (let i = 1; i <= 320; i++) {
        if (i > 300) await pause(PAST_POLL_MS);
        const next = add(x, one);
        x.free();
        x = next;
        // Exact in float32: the count itself.
        expect(Array.from(await x.toArray())).toEqual([i]);
      }
    });

    test('read-backs of every dtype at sizes from 1 element to 64 KiB and past it, right after the op that wrote them', async () => {
      mtia.configure({ transport });
      const dtypes: DType[] = ['float32', 'float16', 'bfloat16', 'int32', 'int8', 'int64', 'bool'];
      let i = 0;
      for (const dtype of dtypes) {
        for (const n of [1, 2, 3, 15, 16, 17, 255, 256, 257, 16383, 16384, 16385]) {
          i++;
          const values = expected(i, n, dtype);
          const x = tensor(dtype === 'int64' ? BigInt64Array.from(values, BigInt) : values, { dtype });
          // x + 0 is x in every dtype (bool + bool is logical or, as PyTorch's); int64 has no
          // add on the device, so its read-back follows the upload itself.
          const zero = dtype === 'int64' ? undefined : tensor(new Array(n).fill(0), { dtype });
          const y = zero === undefined ? x : add(x, zero);
          const back = Array.from(await y.toArray(), Number);
          expect(back, `${dtype}, ${n} elements`).toEqual(values);
          for (const t of new Set([x, zero, y])) t?.free();
          if (i % 8 === 0) await pause(PAST_POLL_MS);
        }
      }
    });

    test('an upload is ordered after earlier work on its stream and, through an event, on another stream', async () => {
      mtia.configure({ transport });
      const n = 1 << 16;
      // Long work on the default stream writes `busy`; freed at once, its block may not go to
      // the upload while that work is still queued (the upload writes now, the work later).
      const big = tensor(new Float32Array(n).fill(1));
      let busy = add(big, big);
      for (let k = 0; k < 20; k++) {
        const next = add(busy, big);
        busy.free();
        busy = next;
      }
      busy.free();
      const values = Float32Array.from({ length: n }, (_, k) => k % 1000);
      const up = tensor(values);
      expect(Array.from(await up.toArray())).toEqual(Array.from(values));
      // Uploaded on a second stream, used on the default stream after an event.
      const s = new mtia.Stream();
      const other = mtia.withStream(s, () => tensor(values));
      const ready = s.recordEvent();
      mtia.currentStream().waitEvent(ready);
      const sum = add(other, up);
      expect(Array.from(await sum.toArray())).toEqual(Array.from(values, (v) => 2 * v));
      for (const t of [big, up, other, sum]) t.free();
    });
  });

  test(`over ${transport}: a script of round trips exits by itself, without shutdown()`, () => {
    const script = fileURLToPath(new URL('./scripts/round-trips.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, transport], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(run.error).toBeUndefined(); // a timeout would show up here
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ last: 100 });
  });
}

describe('an idle device', () => {
  test('sleeps: after round trips, a second of nothing costs the process well under a core', async () => {
    mtia.configure({ transport: 'shared-memory' });
    const x = tensor(new Float32Array([1]));
    for (let i = 0; i < 50; i++) await add(x, x).toArray();
    await pause(50);
    const before = process.cpuUsage();
    const start = performance.now();
    await pause(1000);
    const used = process.cpuUsage(before);
    const fraction = (used.user + used.system) / 1000 / (performance.now() - start);
    // A device polling instead of sleeping would cost a whole core (fraction ≈ 1); an asleep one
    // costs nothing, and the test runner's own threads a little (measured: under 1 %).
    expect(fraction).toBeLessThan(0.25);
    x.free();
  });
});
