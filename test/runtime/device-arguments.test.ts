// Device arguments, normalised as torch.mtia's _get_device_index does
// (pytorch/pytorch torch/mtia/_utils.py), and the device-selection functions built on them.

import { afterEach, describe, expect, test } from 'vitest';
import { Device, deviceIndex } from '../../src/device.js';
import { MtiaError, ValueError } from '../../src/errors.js';
import * as mtia from '../../src/mtia/index.js';
import { runtime } from '../../src/runtime/runtime.js';

const current = () => 7;

afterEach(() => {
  runtime.currentDevice = 0;
});

describe('deviceIndex', () => {
  test.each([
    [3, {}, 3],
    [-1, {}, -1],
    ['mtia:2', {}, 2],
    [new Device('mtia', 1), {}, 1],
    [{ idx: 4 }, {}, 4],
    [undefined, { optional: true }, 7],
    [null, { optional: true }, 7],
    ['mtia', { optional: true }, 7],
    ['cpu', { allowCpu: true }, -1],
  ] as const)('%o with %o is %i', (device, options, expected) => {
    expect(deviceIndex(device as never, current, options)).toBe(expected);
  });

  test.each([
    ['cuda:0', ValueError, 'Expected a mtia or cpu device, but got: cuda:0'],
    ['cpu', ValueError, 'Expected a non cpu device, but got: cpu'],
    ['mtia', ValueError, 'Expected a torch.device with a specified index or an integer, but got: mtia'],
    [undefined, ValueError, 'Expected a torch.device with a specified index or an integer, but got: undefined'],
    ['mtia:x', MtiaError, "Invalid device string: 'mtia:x'"],
    ['mtia:-1', MtiaError, "Invalid device string: 'mtia:-1'"],
    ['gpu:0', MtiaError, 'Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: gpu:0'],
    [1.5, TypeError, 'device must be an integer index, but got: 1.5'],
    [{}, TypeError, 'device must be a number, a device string, a Device or a device context, but got: Object'],
    [true, TypeError, 'device must be a number, a device string, a Device or a device context, but got: true'],
  ] as const)('%o throws %s', (device, kind, message) => {
    const call = () => deviceIndex(device as never, current);
    expect(call).toThrow(kind);
    expect(call).toThrow(message);
  });
});

describe('Device', () => {
  test('parses and prints like torch.device', () => {
    expect(String(Device.parse('mtia:1'))).toBe('mtia:1');
    expect(String(Device.parse('mtia'))).toBe('mtia');
    expect(Device.parse('cpu').index).toBeNull();
    expect(Device.parse('mtia:0').equals(new Device('mtia', 0))).toBe(true);
  });
});

describe('device selection (2 devices, not started)', () => {
  test('setDevice switches; a negative index is a no-op', () => {
    mtia.setDevice(1);
    expect(mtia.currentDevice()).toBe(1);
    mtia.setDevice('mtia:0');
    mtia.setDevice(-1);
    expect(mtia.currentDevice()).toBe(0);
    expect(mtia.isInitialized()).toBe(false);
  });

  test("setDevice(5), setDevice('cuda:0'), setDevice('mtia') throw and change nothing", () => {
    mtia.setDevice(1);
    expect(() => mtia.setDevice(5)).toThrow('Device index out of range: 5 (mtia-sim has 2 devices: mtia:0 to mtia:1');
    expect(() => mtia.setDevice('cuda:0')).toThrow(new ValueError('Expected a mtia or cpu device, but got: cuda:0'));
    expect(() => mtia.setDevice('mtia')).toThrow(ValueError);
    expect(mtia.currentDevice()).toBe(1);
    mtia.setDevice(0);
    expect(mtia.currentDevice()).toBe(0);
  });

  test('device() switches until disposed; nested contexts restore in order', () => {
    {
      using _outer = mtia.device(1);
      expect(mtia.currentDevice()).toBe(1);
      {
        using _inner = mtia.device('mtia:0');
        expect(mtia.currentDevice()).toBe(0);
      }
      expect(mtia.currentDevice()).toBe(1);
    }
    expect(mtia.currentDevice()).toBe(0);
    using none = mtia.device(null);
    expect([none.idx, none.prevIdx]).toEqual([0, 0]);
  });

  test('a DeviceContext acts when entered, not when constructed, and can be entered again after dispose', () => {
    const context = new mtia.DeviceContext('mtia:1');
    expect([context.idx, context.prevIdx, mtia.currentDevice()]).toEqual([1, -1, 0]);
    for (let round = 0; round < 2; round++) {
      {
        using _ = context.enter();
        expect([mtia.currentDevice(), context.prevIdx]).toEqual([1, 0]);
        expect(() => context.enter()).toThrow(new MtiaError('mtia.device(1) is already entered; dispose it before entering it again'));
      }
      expect(mtia.currentDevice()).toBe(0);
    }
    context[Symbol.dispose](); // not entered: nothing to restore
    expect(mtia.currentDevice()).toBe(0);
    expect(() => new mtia.DeviceContext(2)).toThrow('Device index out of range: 2');
    expect(new mtia.DeviceContext(-1).enter().idx).toBe(-1); // a negative index selects nothing
    expect(mtia.currentDevice()).toBe(0);
  });

  test('withDevice restores after a throw and after a promise settles', async () => {
    expect(() => mtia.withDevice(1, () => { throw new Error('boom'); })).toThrow('boom');
    expect(mtia.currentDevice()).toBe(0);
    const pending = mtia.withDevice(1, async () => {
      await Promise.resolve();
      return mtia.currentDevice();
    });
    expect(mtia.currentDevice()).toBe(0); // the scope's device is its own, not its caller's
    expect(await pending).toBe(1);
    expect(mtia.currentDevice()).toBe(0);
    expect(mtia.withDevice(1, () => mtia.currentDevice())).toBe(1);
  });

  test('queries take the same device arguments and check their range', () => {
    expect(mtia.deviceCount()).toBe(2);
    expect(mtia.getDeviceCapability()).toEqual([2, 0]);
    expect(mtia.getDeviceProperties('mtia:1')).toMatchObject({
      name: 'MTIA 2i (simulated)', profile: 'mtia-v2', totalMemory: 256 * 1024 * 1024, dramBytes: 128 * 2 ** 30,
      clockHz: 1.35e9, peNumRows: 8, peNumCols: 8, peCount: 64,
    });
    expect(() => mtia.getDeviceProperties(2)).toThrow('Device index out of range: 2');
    expect(() => mtia.getDeviceCapability('cpu')).toThrow('Expected a non cpu device, but got: cpu');
    expect(mtia.getDeviceProperties(-1)).toEqual(mtia.getDeviceProperties(0));
    expect(mtia.getDeviceCapability(null)).toEqual([2, 0]);
    expect(() => mtia.getDeviceCapability(-2)).toThrow(new MtiaError('Device index -2 is out of range for DeviceIndex [-1, 63]'));
    expect(() => mtia.getDeviceCapability(64)).toThrow('Device index 64 is out of range for DeviceIndex [-1, 63]');
    expect(() => mtia.synchronize(2)).toThrow('Device index out of range: 2');
    expect(mtia.memoryStats(-1)).toEqual({});
    expect(() => mtia.memoryStats(7)).toThrow('Device index out of range: 7');
    expect(mtia.isBf16Supported()).toBe(true);
    expect(mtia.isInitialized()).toBe(false);
  });
});
