// The error hierarchy of src/errors.ts and docs/api.md, held to what the package really throws:
// argument type errors are TypeErrors; everything else is an MtiaError, and each subclass is
// raised where docs/api.md says.

import { afterAll, describe, expect, test } from 'vitest';
import {
  DeferredMtiaCallError, DeviceLostError, MtiaError, mtia, OutOfMemoryError, StreamRaceError, ValueError, zeros,
} from 'mtia-sim';
import * as library from 'mtia-sim';

afterAll(() => mtia.shutdown());

/** The error `fn` throws (or the rejection of the promise it returns). */
async function caught(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
}

/** The classes on `error`'s prototype chain, innermost first, up to Error. */
function chain(error: Error): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(error); proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    names.push(proto.constructor.name);
  }
  return names;
}

describe('error hierarchy', () => {
  test('a wrong-typed argument is a TypeError naming the argument, not an MtiaError', async () => {
    const error = await caught(() => mtia.stream(42 as never));
    expect(chain(error)).toEqual(['TypeError', 'Error']);
    expect(error).not.toBeInstanceOf(MtiaError);
    expect(error.message).toBe('stream(): stream must be an mtia.Stream or null, but got: 42');
    expect((await caught(() => mtia.recordMemoryHistory({ maxEntry: 3 } as never)))).toBeInstanceOf(TypeError);
  });

  test("MtiaError is PyTorch's RuntimeError", async () => {
    const error = await caught(() => mtia.getDeviceCapability(-2));
    expect(chain(error)).toEqual(['MtiaError', 'Error']);
    expect([error.name, error.message]).toEqual(['MtiaError', 'Device index -2 is out of range for DeviceIndex [-1, 63]']);
  });

  test("ValueError is PyTorch's ValueError and an MtiaError", async () => {
    const error = await caught(() => mtia.setDevice('cuda:0'));
    expect(chain(error)).toEqual(['ValueError', 'MtiaError', 'Error']);
    expect([error.name, error.message]).toEqual(['ValueError', 'Expected a mtia or cpu device, but got: cuda:0']);
  });

  test('DeferredMtiaCallError: a queued call failed at initialization; also mtia.DeferredMtiaCallError', async () => {
    mtia.setRngState(new Uint8Array(3));
    const error = await caught(() => mtia.init());
    expect(chain(error)).toEqual(['DeferredMtiaCallError', 'MtiaError', 'Error']);
    expect(mtia.DeferredMtiaCallError).toBe(DeferredMtiaCallError);
    expect(error.message).toMatch(/^MTIA call failed lazily at initialization with error: RNG state is wrong size: .*\n\nMTIA call was originally invoked at:\n\n {4}at .*errors\.test\.ts:\d+:\d+/);
    expect(error.cause).toBeInstanceOf(MtiaError);
    expect(mtia.isInitialized()).toBe(false);
    // The queue is kept, as PyTorch's, so every start fails alike; shutdown() drops it.
    expect(await caught(() => zeros([1]))).toBeInstanceOf(DeferredMtiaCallError);
    await mtia.shutdown();
    await mtia.init();
    expect(mtia.isInitialized()).toBe(true);
  });

  test('OutOfMemoryError and DeviceLostError are MtiaErrors carrying their numbers', async () => {
    const oom = await caught(() => zeros([1 << 27]));
    expect(chain(oom)).toEqual(['OutOfMemoryError', 'MtiaError', 'Error']);
    expect(oom).toMatchObject({ name: 'OutOfMemoryError', device: 0, requestedBytes: 1 << 29, totalBytes: 256 << 20 });
    const stream = new mtia.Stream({ device: 1 });
    await mtia.shutdown();
    const lost = await caught(() => stream.synchronize());
    expect(chain(lost)).toEqual(['DeviceLostError', 'MtiaError', 'Error']);
    expect(lost).toMatchObject({ name: 'DeviceLostError', device: 1, message: 'mtia:1 was shut down' });
  });

  test("StreamRaceError, the stream sanitizer's report, is an MtiaError", () => {
    expect(Object.getPrototypeOf(mtia.StreamRaceError.prototype)).toBe(MtiaError.prototype);
  });

  test('every error class is exported at the top level, StreamRaceError too (and stays at mtia.StreamRaceError)', () => {
    const errorClasses = Object.entries(library)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error).map(([name]) => name).sort();
    expect(errorClasses).toEqual(['DeferredMtiaCallError', 'DeviceLostError', 'MtiaError', 'OutOfMemoryError', 'StreamRaceError', 'ValueError']);
    expect(StreamRaceError).toBe(mtia.StreamRaceError);
  });
});
