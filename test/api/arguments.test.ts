// Bad arguments fail where they are passed (issue 11, findings 5-7): a typed error naming the
// argument, what was expected and what was given; misspelled options are errors; the exported
// Tensor constructor refuses views past the end of their storage.

import { afterAll, describe, expect, test } from 'vitest';
import {
  add, arange, argmax, DeviceLostError, max, mean, MtiaError, mtia, OutOfMemoryError, sum, Tensor, tensor, zeros,
  ones, empty, full, rand, randn, randint, layerNorm, embeddingBag, sub, manualSeed, CpuTensor, Device,
} from 'mtia-sim';

// Their constructors are internal (not in the published declarations); a program can still call
// them at run time, so their argument checks are tested through these untyped handles.
const TensorOnStorage = Tensor as unknown as new (...args: unknown[]) => Tensor;
const CpuTensorOf = CpuTensor as unknown as new (...args: unknown[]) => CpuTensor;

afterAll(() => mtia.shutdown());

describe('finding 5: bad values fail at the call, typed', () => {
  test('slice with a non-integer or NaN start/end/step throws TypeError at the call', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => t.slice(1, 1.5, 3)).toThrow(new TypeError("slice(): argument 'start' must be an integer or null, but got: 1.5"));
    expect(() => t.slice(1, NaN, 3)).toThrow(new TypeError("slice(): argument 'start' must be an integer or null, but got: NaN"));
    expect(() => t.slice(1, 0, Infinity)).toThrow(new TypeError("slice(): argument 'end' must be an integer or null, but got: Infinity"));
    expect(() => t.slice(1, 0, 3, 0.5)).toThrow(new TypeError("slice(): argument 'step' must be an integer, but got: 0.5"));
    expect(() => t.slice(1, 0, 3, 0)).toThrow(new MtiaError('slice step must be positive'));
    const view = t.slice(1, null, 2);
    expect(view.shape).toEqual([2, 2]);
    view.free();
    t.free();
  });

  test('arange(0, 1e12) is an OutOfMemoryError (as on CUDA), counted, not a RangeError', () => {
    const before = mtia.memoryStats()['num_ooms'] as number;
    // Values past int32: int64, 8 bytes each (as PyTorch's int64 arange).
    expect(() => arange(0, 1e12)).toThrow(OutOfMemoryError);
    expect(() => arange(0, 1e12)).toThrow('MTIA out of memory. Tried to allocate 7.28 TiB.');
    expect(mtia.memoryStats()['num_ooms']).toBe(before + 2);
    expect(mtia.memoryAllocated()).toBe(0);
  });

  test("to('float64') names both things to() takes, and what it got", () => {
    const t = tensor([1, 2]);
    expect(() => t.to('float64' as never)).toThrow(
      new TypeError("to(): expected a dtype (float32, float16, bfloat16, int8, int32, bool, int64) or a device ('cpu', 'mtia' or 'mtia:N'), but got: 'float64'"),
    );
    expect(() => t.to('cuda:0')).toThrow('Expected a mtia or cpu device, but got: cuda:0');
    t.free();
  });

  test('more arguments checked at the call: seeds, eps, to(device) range, CpuTensor lengths', () => {
    expect(() => manualSeed('x' as never)).toThrow(new TypeError("manualSeed(): seed must be an integer or a bigint, but got: 'x'"));
    const t = tensor([[1, 2], [3, 4]]);
    expect(() => layerNorm(t, [2], { eps: 'x' as never })).toThrow(new TypeError('layerNorm(): eps must be a finite number, but got: x'));
    expect(() => layerNorm(t, [2], { eps: NaN })).toThrow(TypeError);
    expect(() => t.to(5)).toThrow('Device index out of range: 5'); // thrown, not a rejected promise
    expect(() => new CpuTensorOf([2], 'float32', new Float32Array(1))).toThrow(
      new MtiaError('CpuTensor(): a tensor of shape [2] needs 2 values, but got: 1'),
    );
    t.free();
  });

  test('non-finite sizes are TypeErrors naming the value', () => {
    expect(() => zeros([2, NaN])).toThrow(new TypeError('size must be an integer or an array of integers, but got: [2, NaN]'));
    expect(() => ones(Infinity)).toThrow(new TypeError('size must be an integer or an array of integers, but got: Infinity'));
  });
});

describe('finding 6: a misspelled option is a TypeError naming it and the accepted ones', () => {
  test('Event({ enable_timing }) throws instead of making an event without timing', () => {
    expect(() => new mtia.Event({ enable_timing: true } as never)).toThrow(
      new TypeError("Event() got an unexpected keyword argument 'enable_timing' (did you mean 'enableTiming'?); accepted: enableTiming, blocking, interprocess"),
    );
    expect(() => new mtia.Event({ enableTiming: 'yes' } as never)).toThrow(new TypeError("Event(): enableTiming must be a boolean, but got: 'yes'"));
    expect(new mtia.Event({ enableTiming: true }).enableTiming).toBe(true);
  });

  const t = () => tensor([[1, 2], [3, 4]]);
  test.each([
    ['tensor', () => tensor([1], { dtpye: 'int32' } as never), "tensor() got an unexpected keyword argument 'dtpye' (did you mean 'dtype'?); accepted: dtype, device"],
    ['zeros', () => zeros([1], { devcie: 1 } as never), "zeros() got an unexpected keyword argument 'devcie' (did you mean 'device'?); accepted: dtype, device"],
    ['ones', () => ones([1], { dtypes: 'int32' } as never), "ones() got an unexpected keyword argument 'dtypes' (did you mean 'dtype'?)"],
    ['empty', () => empty([1], { pin_memory: true } as never), "empty() got an unexpected keyword argument 'pin_memory'; accepted: dtype, device"],
    ['full', () => full([1], 2, { Dtype: 'int32' } as never), "full() got an unexpected keyword argument 'Dtype' (did you mean 'dtype'?)"],
    ['arange', () => arange(3, { devise: 0 } as never), "arange() got an unexpected keyword argument 'devise' (did you mean 'device'?)"],
    ['rand', () => rand([1], { seed: 1 } as never), "rand() got an unexpected keyword argument 'seed'"],
    ['randn', () => randn([1], { generator: 1 } as never), "randn() got an unexpected keyword argument 'generator'"],
    ['randint', () => randint(5, [1], { dtyp: 'int32' } as never), "randint() got an unexpected keyword argument 'dtyp' (did you mean 'dtype'?)"],
    ['Stream', () => new mtia.Stream({ devcie: 1 } as never), "Stream() got an unexpected keyword argument 'devcie' (did you mean 'device'?); accepted: device, priority"],
    ['add', () => add(t(), t(), { alhpa: 2 } as never), "add() got an unexpected keyword argument 'alhpa' (did you mean 'alpha'?); accepted: alpha"],
    ['sub', () => sub(t(), 1, { aplha: 2 } as never), "sub() got an unexpected keyword argument 'aplha' (did you mean 'alpha'?)"],
    ['sum', () => sum(t(), 0, { keepDim: true } as never), "sum() got an unexpected keyword argument 'keepDim' (did you mean 'keepdim'?); accepted: keepdim"],
    ['mean', () => mean(t(), 0, { keep_dim: true } as never), "mean() got an unexpected keyword argument 'keep_dim' (did you mean 'keepdim'?)"],
    ['max', () => max(t(), 0, { keepDims: true } as never), "max() got an unexpected keyword argument 'keepDims'"],
    ['argmax', () => argmax(t(), 0, { keepdims: true } as never), "argmax() got an unexpected keyword argument 'keepdims' (did you mean 'keepdim'?)"],
    ['layerNorm', () => layerNorm(t(), [2], { epsilon: 1e-5 } as never), "layerNorm() got an unexpected keyword argument 'epsilon'"],
    ['embeddingBag', () => embeddingBag(tensor([[0, 1]], { dtype: 'int32' }), t(), null, { mdoe: 'sum' } as never), "embeddingBag() got an unexpected keyword argument 'mdoe' (did you mean 'mode'?)"],
    ['recordMemoryHistory', () => mtia.recordMemoryHistory({ max_entries: 5 } as never), "recordMemoryHistory() got an unexpected keyword argument 'max_entries' (did you mean 'maxEntries'?)"],
    ['sum keepdim type', () => sum(t(), 0, { keepdim: 1 } as never), "sum(): keepdim must be a boolean, but got: 1"],
  ])('%s', (_, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  test('configure() too, with a TypeError like the others', async () => {
    await mtia.shutdown();
    expect(() => mtia.configure({ devices: 2 } as never)).toThrow(
      new TypeError("configure() got an unexpected keyword argument 'devices'; accepted: deviceCount, profile, memoryBytes, controlTimeoutMs, timingOnly, transport, kernelThreads, hostRunsSmallWork"),
    );
  });
});

// Issue 21 finding 6: values a dtype cannot hold are PyTorch's errors, never wrapped or
// saturated silently (c10 checked_convert's and random_'s check_from_to_in_range's messages).
describe('issue 21 finding 6: values a dtype cannot hold', () => {
  test('randint: bounds outside the dtype are "to - 1 is out of bounds for <dtype>" / "from is ..."; inside, every value is in [low, high)', async () => {
    expect(() => randint(0, 300, [1000], { dtype: 'int8' })).toThrow(new MtiaError('to - 1 is out of bounds for signed char'));
    expect(() => randint(-129, 0, [4], { dtype: 'int8' })).toThrow(new MtiaError('from is out of bounds for signed char'));
    expect(() => randint(0, 70_000, [1000], { dtype: 'float16' })).toThrow(new MtiaError('to - 1 is out of bounds for c10::Half'));
    expect(() => randint(0, 3, [1000], { dtype: 'bool' })).toThrow(new MtiaError('to - 1 is out of bounds for bool'));
    const cases = [[-128, 128, 'int8'], [0, 65_505, 'float16'], [0, 2, 'bool']] as const;
    for (const [low, high, dtype] of cases) {
      const t = randint(low, high, [4000], { dtype });
      const values = Array.from(await t.toArray(), Number);
      expect(values.every((v) => Number.isInteger(v) && v >= low && v < high)).toBe(true);
      expect(new Set(values).size).toBeGreaterThan(1);
      t.free();
    }
  });

  test('tensor() and full(): an integral value past the dtype is "value cannot be converted to type ... without overflow"', async () => {
    expect(() => tensor([300], { dtype: 'int8' })).toThrow(new MtiaError('value cannot be converted to type int8_t without overflow'));
    expect(() => tensor([2 ** 40], { dtype: 'int32' })).toThrow(new MtiaError('value cannot be converted to type int without overflow'));
    expect(() => tensor(new Float32Array([-129]), { dtype: 'int8' })).toThrow(new MtiaError('value cannot be converted to type int8_t without overflow'));
    expect(() => tensor([2 ** 63], { dtype: 'int64' })).toThrow(new MtiaError('value cannot be converted to type int64_t without overflow'));
    expect(() => full([2], 300, { dtype: 'int8' })).toThrow(new MtiaError('value cannot be converted to type int8_t without overflow'));
    expect(() => full([2], 1.5e39, { dtype: 'float32' })).toThrow(new MtiaError('value cannot be converted to type float without overflow'));
    expect(() => full([2], -1.5e39, { dtype: 'bfloat16' })).toThrow(new MtiaError('value cannot be converted to type c10::BFloat16 without overflow'));
    // In range (truncated toward zero, as PyTorch casts), and infinities, which are no overflow:
    const fits = [
      [tensor([127.9, -128], { dtype: 'int8' }), ['127', '-128']],
      [tensor([2 ** 31 - 1], { dtype: 'int32' }), [String(2 ** 31 - 1)]],
      [tensor([2 ** 40], { dtype: 'int64' }), [String(2 ** 40)]],
      [full([1], -Infinity, { dtype: 'float32' }), ['-Infinity']],
      [full([1], 3e38, { dtype: 'float32' }), [String(Math.fround(3e38))]],
    ] as const;
    for (const [t, expected] of fits) {
      expect(Array.from(await t.toArray(), String)).toEqual(expected);
      t.free();
    }
  });

  test('arange: all-integer values past int32 give int64 (PyTorch: always int64); int32 asked for is the overflow error', async () => {
    const t = arange(2 ** 31 - 2, 2 ** 31 + 2);
    expect(t.dtype).toBe('int64');
    expect(Array.from(await t.toArray(), String)).toEqual(['2147483646', '2147483647', '2147483648', '2147483649']);
    t.free();
    const small = arange(-3, 3);
    expect(small.dtype).toBe('int32');
    small.free();
    expect(() => arange(2 ** 31 - 2, 2 ** 31 + 2, { dtype: 'int32' })).toThrow(new MtiaError('value cannot be converted to type int without overflow'));
  });
});

describe('finding 7: the exported Tensor constructor checks the view against its storage', () => {
  test('a view past the end of its storage throws (PyTorch setStorage words); one inside is fine', () => {
    const t = tensor([1, 2, 3, 4, 5, 6]);
    const storage = (t as unknown as { storage: never }).storage;
    expect(() => new TensorOnStorage(storage, [100], 'float32')).toThrow(
      new MtiaError('setStorage: sizes [100], strides [1], storage offset 0, and itemsize 4 requiring a storage size of 400 are out of bounds for storage of size 24'),
    );
    expect(() => new TensorOnStorage(storage, [2, 3], 'float32', [3, 1], 1)).toThrow(MtiaError);
    expect(() => new TensorOnStorage(storage, [2], 'float32', [-1], 5)).toThrow('sizes and strides must be non-negative integers');
    expect(() => new TensorOnStorage(storage, [2], 'float32', [1], 0.5)).toThrow('storage offset must be a non-negative integer, but got: 0.5');
    expect(() => new TensorOnStorage(storage, [2], 'float64' as never)).toThrow(TypeError);
    expect(() => new TensorOnStorage({} as never, [2], 'float32')).toThrow(TypeError);
    const view = new TensorOnStorage(storage, [2, 3], 'float32', [3, 1], 0);
    expect(view.numel).toBe(6);
    view.free();
    t.free();
  });

  test('the exported Device constructor checks its type and index', () => {
    expect(() => new Device('gpu', 0)).toThrow('device type, but got: gpu');
    expect(() => new Device('mtia', -1)).toThrow(new MtiaError('Device index must not be negative and must be an integer, but got: -1'));
    expect(() => new Device('mtia', 1.5)).toThrow(MtiaError);
    expect(String(new Device('mtia', 1))).toBe('mtia:1');
  });

  test('a lost device is reported as such, not as a bad argument', async () => {
    await mtia.shutdown();
    const t = zeros([2]);
    await mtia.shutdown();
    expect(() => t.slice(0, 0, 1)).toThrow(DeviceLostError);
    await expect(t.toArray()).rejects.toThrow(DeviceLostError);
  });
});
