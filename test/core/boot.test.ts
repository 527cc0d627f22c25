import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import { CoreHarness } from '../support/core-harness.js';

describe('boot', () => {
  test('a correct header boots and marks the device running', () => {
    const h = new CoreHarness();
    expect(h.i32[L.HEADER_DEVICE_STATE / 4]).toBe(L.DEVICE_BOOTING);
    expect(h.core.boot()).toBe(S.STATUS_OK);
    expect(h.i32[L.HEADER_DEVICE_STATE / 4]).toBe(L.DEVICE_RUNNING);
  });

  test('a host speaking another ABI version is refused', () => {
    const h = new CoreHarness(1 << 20, {}, L.ABI_VERSION + 1);
    expect(h.core.boot()).toBe(S.STATUS_ABI_MISMATCH);
    expect(h.i32[L.HEADER_DEVICE_STATE / 4]).toBe(L.DEVICE_BOOTING);
  });

  test.each([
    ['clockHz', { clockHz: 0 }],
    ['dramBytesPerSecond', { dramBytesPerSecond: -1 }],
    ['pcieBytesPerSecond', { pcieBytesPerSecond: 0 }],
    ['seElementsPerCyclePerPe', { seElementsPerCyclePerPe: 0 }],
  ])('a profile with a non-positive %s is refused', (_, profile) => {
    expect(new CoreHarness(1 << 20, profile).core.boot()).toBe(S.STATUS_BAD_PROFILE);
  });
});
