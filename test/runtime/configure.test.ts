// configure(): checked options, only before initialization, and again after shutdown().

import { afterAll, describe, expect, test } from 'vitest';
import { MtiaError, ValueError } from '../../src/errors.js';
import * as mtia from '../../src/mtia/index.js';
import { resolveConfig, runtime } from '../../src/runtime/runtime.js';
import { tensor } from '../../src/tensor/factories.js';
import { runInRealm } from '../support/in-realm.js';

runInRealm(runtime);
afterAll(() => mtia.shutdown());

describe('resolveConfig', () => {
  test('defaults: 2 devices, MTIA 2i, 256 MiB', () => {
    const config = resolveConfig({});
    expect(config.deviceCount).toBe(2);
    expect(config.profile.name).toBe('mtia-v2');
    expect(config.memoryBytes).toBe(256 * 1024 * 1024);
  });

  test('custom profiles start from a built-in one', () => {
    const config = resolveConfig({ profile: { name: 'slow-v1', base: 'mtia-v1', clockHz: 1e8 } });
    expect(config.profile).toMatchObject({ name: 'slow-v1', chipName: 'MTIA 1', clockHz: 1e8, dramBytesPerSecond: 176e9 });
  });

  test.each([
    [{ deviceCount: 0 }, ValueError, 'configure(): deviceCount must be an integer in [1, 64], but got: 0'],
    [{ deviceCount: 1.5 }, ValueError, 'deviceCount must be an integer in [1, 64], but got: 1.5'],
    [{ deviceCount: '2' }, TypeError, 'configure(): deviceCount must be a number, but got: string'],
    [{ memoryBytes: 1000 }, ValueError, 'memoryBytes must be an integer in [1048576,'],
    [{ profile: 'mtia-v3' }, ValueError, "profile must be one of 'mtia-v1', 'mtia-v2' or a custom profile object, but got: 'mtia-v3'"],
    [{ profile: { name: 'x', clockHz: -1 } }, ValueError, 'configure(): profile.clockHz must be a positive number, but got: -1'],
    [{ profile: { name: 'x', dramEfficiency: 1.5 } }, ValueError, 'profile.dramEfficiency must be a number in (0, 1], but got: 1.5'],
    // The on-chip bandwidths became per cycle (issue 20 finding 6): the old names say what replaced them.
    [{ profile: { name: 'x', sramBytesPerSecond: 2.7e12 } }, TypeError, 'configure(): profile.sramBytesPerSecond is no longer a field; use sramBytesPerCycle'],
    [{ profile: { name: 'x', localMemoryBytesPerSecondPerPe: 1e12 } }, TypeError, 'profile.localMemoryBytesPerSecondPerPe is no longer a field; use localMemoryBytesPerCyclePerPe'],
    // The fixed gather hit rate went in issue 20 (gathers hit where the SRAM model holds the rows).
    [{ profile: { name: 'x', gatherSramHitRate: 0.5 } }, TypeError, 'configure(): profile.gatherSramHitRate is no longer a field; it was removed in issue 20'],
    [{ profile: { name: 'x', sramBytesPerCycle: 0 } }, ValueError, 'configure(): profile.sramBytesPerCycle must be a positive number, but got: 0'],
    [{ devices: 2 }, TypeError, "configure() got an unexpected keyword argument 'devices'; accepted: deviceCount, profile, memoryBytes, controlTimeoutMs"],
  ] as const)('%o throws', (options, kind, message) => {
    expect(() => resolveConfig(options as never)).toThrow(kind);
    expect(() => resolveConfig(options as never)).toThrow(message);
  });
});

describe('configure and the runtime lifecycle', () => {
  test('configure after init throws and changes nothing; after shutdown it works again', async () => {
    mtia.configure({ deviceCount: 3, memoryBytes: 8 << 20 });
    expect(mtia.isInitialized()).toBe(false);
    await mtia.init();
    expect(mtia.isInitialized()).toBe(true);
    expect(() => mtia.configure({ deviceCount: 1 })).toThrow(MtiaError);
    expect(() => mtia.configure({ deviceCount: 1 })).toThrow('mtia.configure() must be called before MTIA is initialized');
    expect(mtia.deviceCount()).toBe(3);
    expect(Array.from(await tensor([1, 2], { device: 2 }).toArray())).toEqual([1, 2]);

    await mtia.shutdown();
    expect(mtia.isInitialized()).toBe(false);
    mtia.configure({ deviceCount: 1, profile: 'mtia-v1' });
    expect(mtia.getDeviceProperties().name).toBe('MTIA 1 (simulated)');
    expect(Array.from(await tensor([3]).toArray())).toEqual([3]);
    expect(mtia.isInitialized()).toBe(true);
  });
});
