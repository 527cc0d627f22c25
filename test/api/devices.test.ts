// The torch.mtia surface of the built package, with real device workers.

import { afterAll, describe, expect, test } from 'vitest';
import { add, DeviceLostError, mtia, MtiaError, tensor, ValueError, zeros } from 'mtia-sim';

afterAll(() => mtia.shutdown());

describe('devices in workers', () => {
  test('lazy start on first use; init() resolves once every worker has booted', async () => {
    expect(mtia.isAvailable()).toBe(true);
    expect(mtia.isInitialized()).toBe(false);
    const t = zeros([4]);
    expect(mtia.isInitialized()).toBe(true);
    await mtia.init();
    expect(Array.from(await t.toArray())).toEqual([0, 0, 0, 0]);
  });

  test('bad device arguments and configure() after init throw, and the library keeps working', async () => {
    expect(() => mtia.setDevice(5)).toThrow(MtiaError);
    expect(() => mtia.setDevice(5)).toThrow('Device index out of range: 5');
    expect(() => mtia.setDevice('cuda:0')).toThrow(new ValueError('Expected a mtia or cpu device, but got: cuda:0'));
    expect(() => mtia.setDevice('mtia')).toThrow(
      new ValueError('Expected a torch.device with a specified index or an integer, but got: mtia'),
    );
    expect(() => mtia.configure({ deviceCount: 4 })).toThrow('mtia.configure() must be called before MTIA is initialized');
    mtia.setDevice(1);
    const sum = add(tensor([1, 2]), tensor([10, 20]));
    expect(String(sum.device)).toBe('mtia:1');
    expect(Array.from(await sum.toArray())).toEqual([11, 22]);
    mtia.setDevice(0);
  });

  test('both devices compute at the same time and synchronize() waits for all their work', async () => {
    const n = 1 << 18;
    const results = [0, 1].map((device) => {
      let x = tensor(new Float32Array(n).fill(device + 1), { device });
      for (let k = 0; k < 50; k++) x = add(x, x);
      return x;
    });
    await Promise.all([mtia.synchronize(0), mtia.synchronize('mtia:1')]);
    const [first, second] = await Promise.all(results.map((x) => x.toArray()));
    expect(first![0]).toBe(2 ** 50);
    expect(second![n - 1]).toBe(2 ** 51);
  });

  test('after shutdown(), old tensors report the lost device and new ones start fresh workers', async () => {
    const old = tensor([1, 2, 3]);
    await mtia.shutdown();
    expect(mtia.isInitialized()).toBe(false);
    await expect(old.toArray()).rejects.toThrow(DeviceLostError);
    mtia.configure({ deviceCount: 1, profile: 'mtia-v1' });
    // totalMemory: what the device can allocate (the simulated heap); dramBytes: the hardware's DRAM (ISCA25 Table 2).
    expect(mtia.getDeviceProperties()).toMatchObject({ name: 'MTIA 1 (simulated)', clockHz: 0.8e9, totalMemory: 256 * 2 ** 20, dramBytes: 64 * 2 ** 30 });
    expect(Array.from(await tensor([7]).toArray())).toEqual([7]);
  });
});
