// What a user sees when a command fails, a core traps, a worker dies or cannot boot: a clear
// error on every pending and later wait of that device, no hang, and the other devices keep
// working.

import { afterEach, describe, expect, test } from 'vitest';
import { DeviceLostError, MtiaError } from '../../src/errors.js';
import * as mtia from '../../src/mtia/index.js';
import type { DeviceConnector } from '../../src/runtime/protocol.js';
import { runtime } from '../../src/runtime/runtime.js';
import { tensor } from '../../src/tensor/factories.js';
import { DeviceFirmware, type CoreExports } from '../../workers/firmware.js';
import { deviceControl } from '../../workers/control.js';
import { inRealmConnector, instantiateCore } from '../support/in-realm.js';

afterEach(() => mtia.shutdown());

/** In-realm devices, except that device `index` is started by `special`. */
function connectWith(index: number, special: DeviceConnector): void {
  runtime.connector = () => (memory, name, onLost) =>
    (name === `mtia:${index}` ? special : inRealmConnector)(memory, name, onLost);
}

/** A device whose core boots normally but traps in its first drain. */
const trappingDevice: DeviceConnector = async (memory) => {
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('this test runs over shared memory');
  const core = instantiateCore(memory).exports as unknown as CoreExports;
  const firmware = new DeviceFirmware({ boot: () => core.boot(), drain: () => { throw new WebAssembly.RuntimeError('unreachable'); } }, memory);
  const control = deviceControl(firmware);
  return { concurrent: false, hold() {}, release() {}, call: async (method, ...args) => (control[method] as (...a: unknown[]) => unknown)(...args) as never, close: async () => control.shutdown() };
};

describe('device faults', () => {
  test('a rejected command surfaces at the next wait, and later work still runs', async () => {
    runtime.connector = () => inRealmConnector;
    const device = runtime.device(0);
    device.defaultQueue.enqueue(77, 0, 0, 0, 0, 0, 0, 0);
    await expect(mtia.synchronize(0)).rejects.toThrow(
      new MtiaError('MTIA error on mtia:0: work on this device failed: a command had an unknown opcode (status 3)'),
    );
    expect(Array.from(await tensor([5, 6]).toArray())).toEqual([5, 6]);
  });

  test('a trapping core loses only its device, and no wait hangs', async () => {
    const original = console.error;
    console.error = () => {};
    try {
      connectWith(1, trappingDevice);
      const lost = tensor([1, 2], { device: 1 });
      await expect(lost.toArray()).rejects.toThrow(new DeviceLostError(1, 'mtia:1 faulted: the device core trapped'));
      await expect(mtia.synchronize(1)).rejects.toThrow(DeviceLostError);
      expect(() => tensor([1], { device: 1 })).toThrow('mtia:1 faulted');
      expect(Array.from(await tensor([3], { device: 0 }).toArray())).toEqual([3]);
    } finally {
      console.error = original;
    }
  });

  test('a device that cannot start rejects init() and every wait with the reason', async () => {
    connectWith(0, async () => {
      throw new Error('worker script not found');
    });
    const pending = tensor([1]).toArray();
    await expect(mtia.init()).rejects.toThrow('mtia:0 failed to boot: worker script not found');
    await expect(pending).rejects.toThrow(DeviceLostError);
    expect(Array.from(await tensor([2], { device: 1 }).toArray())).toEqual([2]);
  });

  test('a worker that dies while the host waits rejects the wait', async () => {
    let kill: (reason: Error) => void = () => {};
    connectWith(0, async (memory, name, onLost) => {
      kill = onLost;
      const link = await inRealmConnector(memory, name, onLost);
      await link.call('boot');
      await link.call('shutdown'); // the firmware stops: nothing will ever complete
      return { ...link, call: async (method, ...args) => (method === 'boot' ? { status: 0, report: await link.call('properties') } : link.call(method, ...args)) as never };
    });
    await mtia.init();
    const pending = tensor([1, 2, 3]).toArray();
    await new Promise((resolve) => setTimeout(resolve, 20));
    kill(new Error('worker exited with code 1'));
    await expect(pending).rejects.toThrow(new DeviceLostError(0, 'mtia:0 was lost: worker exited with code 1'));
  });

  test('a stream waiting for an event on a device that dies goes on instead of hanging', async () => {
    let kill: (reason: Error) => void = () => {};
    connectWith(0, async (memory, name, onLost) => {
      kill = onLost;
      const link = await inRealmConnector(memory, name, onLost);
      await link.call('boot');
      await link.call('shutdown'); // mtia:0 will never reach the event
      return { ...link, call: async (method, ...args) => (method === 'boot' ? { status: 0, report: await link.call('properties') } : link.call(method, ...args)) as never };
    });
    await mtia.init();
    const event = mtia.defaultStream(0).recordEvent();
    const waiting = new mtia.Stream({ device: 1 });
    waiting.waitEvent(event);
    const after = waiting.recordEvent();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(after.query()).toBe(false); // mtia:1 is held at the wait
    kill(new Error('worker exited with code 1'));
    await after.synchronize(); // released when mtia:0 is lost
    await expect(event.synchronize()).rejects.toThrow(DeviceLostError);
  });
});
