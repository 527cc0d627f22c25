// torch.mtia's random number generator functions: get_rng_state(_all), set_rng_state(_all),
// manual_seed(_all), seed(_all), initial_seed (torch/mtia/__init__.py, PR #169982; the state
// format of aten/src/ATen/cuda/CUDAGeneratorImpl.cpp), on the per-device Philox generators that
// rand/randn/randint use (src/tensor/generator.ts). The state is CUDA's 16 bytes: seed, offset.
//
// As in PyTorch, the getters and initialSeed start the devices; the setters and seeders called
// before initialization are queued with the caller's stack and replayed when the devices start
// (src/runtime/lazy-calls.ts), and a queued call that fails then throws DeferredMtiaCallError.

import { Device, type DeviceLike } from '../device.js';
import { callerStack, type LazyCallKind } from '../runtime/lazy-calls.js';
import { runtime } from '../runtime/runtime.js';
import { checkSeed, checkStateType, generatorFor, randomSeed, seedEveryDevice } from '../tensor/generator.js';
import { currentDevice, deviceCount, resolveDevice } from './devices.js';

/**
 * Runs `run` now if the devices have started, else queues it (torch.mtia._lazy_call) with the
 * stack of the caller of `publicFn`. Returns run's result, or undefined when queued.
 */
function lazyCall<T>(kind: LazyCallKind, run: () => T, publicFn: (...args: never[]) => unknown): T | undefined {
  if (runtime.initialized) return run();
  runtime.lazyCalls.add(kind, () => void run(), callerStack(publicFn));
  return undefined;
}

/** The generator of the current device, resolved when called. */
function currentGenerator() {
  return generatorFor(runtime.device(currentDevice()));
}

/**
 * The random number generator state of `device` (default: the current device) as 16 bytes:
 * seed (uint64 LE), then offset (int64 LE), CUDA's layout (torch.mtia.get_rng_state).
 * Starts the devices.
 */
export function getRngState(device?: DeviceLike | null): Uint8Array {
  const index = resolveDevice(device);
  return generatorFor(runtime.device(index)).getState();
}

/** The state of every device's generator, in device order (torch.mtia.get_rng_state_all). */
export function getRngStateAll(): Uint8Array[] {
  return Array.from({ length: deviceCount() }, (_, index) => getRngState(index));
}

/**
 * Restores the generator state of `device` (default: the current device, resolved now) from
 * getRngState() (torch.mtia.set_rng_state): 16 bytes (seed, offset), or 8 (seed; offset 0).
 * Before initialization the state is copied and the call queued; a bad state then fails at
 * initialization with DeferredMtiaCallError, as in PyTorch.
 */
export function setRngState(state: Uint8Array, device?: DeviceLike | null): void {
  checkStateType(state);
  const index = resolveDevice(device);
  const copy = runtime.initialized ? state : state.slice();
  lazyCall('call', () => generatorFor(runtime.device(index)).setState(copy), setRngState);
}

/** Restores every device's state from getRngStateAll() (torch.mtia.set_rng_state_all). */
export function setRngStateAll(states: readonly Uint8Array[]): void {
  if (!Array.isArray(states)) {
    throw new TypeError(`setRngStateAll(): states must be an array of Uint8Array, one per device, but got: ${typeof states}`);
  }
  states.forEach((state, index) => setRngState(state, index));
}

/**
 * Seeds the current device's generator (the device current when the call runs) and rewinds its
 * offset (torch.mtia.manual_seed). `seed`: an integer in [-2^63, 2^64 - 1] (a bigint beyond
 * 2^53); negative seeds are taken as their two's complement, as PyTorch does.
 */
export function manualSeed(seed: number | bigint): void {
  const value = checkSeed('manualSeed', seed);
  lazyCall('seed', () => currentGenerator().manualSeed(value), manualSeed);
}

/** Seeds every device's generator, existing and future (torch.mtia.manual_seed_all). */
export function manualSeedAll(seed: number | bigint): void {
  const value = checkSeed('manualSeedAll', seed);
  lazyCall('seedAll', () => seedEveryDevice(value), manualSeedAll);
}

/**
 * Seeds the current device's generator with a non-deterministic seed and returns it
 * (torch.mtia.seed); before initialization it is queued and returns undefined.
 */
export function seed(): bigint | undefined {
  return lazyCall('seed', () => {
    const value = randomSeed();
    currentGenerator().manualSeed(value);
    return value;
  }, seed);
}

/**
 * Seeds every device's generator with one non-deterministic seed and returns it
 * (torch.mtia.seed_all); before initialization it is queued and returns undefined.
 */
export function seedAll(): bigint | undefined {
  return lazyCall('seedAll', () => {
    const value = randomSeed();
    seedEveryDevice(value);
    return value;
  }, seedAll);
}

/** The seed of the current device's generator (torch.mtia.initial_seed); starts the devices. */
export function initialSeed(): bigint {
  return currentGenerator().seed;
}

/**
 * torch.manual_seed for the package: seeds every device's generator, existing and future
 * (torch.manual_seed calls torch.mtia.manual_seed_all); queued like it before initialization.
 */
export function manualSeedEveryDevice(seed: number | bigint): void {
  const value = checkSeed('manualSeed', seed);
  lazyCall('seedAll', () => seedEveryDevice(value), manualSeedEveryDevice);
}

/**
 * The default generator of one device (torch.Generator of torch.mtia.default_generators): the
 * same state getRngState/setRngState/manualSeed reach, with torch.Generator's method names.
 */
export class Generator {
  /** @internal Use mtia.defaultGenerators[i]. */
  constructor(private readonly index: number) {}

  /** The generator's device. */
  get device(): Device {
    return new Device('mtia', this.index);
  }

  /** The state as 16 bytes: seed, offset (Generator.get_state). */
  getState(): Uint8Array {
    return getRngState(this.index);
  }

  /** Restores a state (Generator.set_state); returns this generator. */
  setState(state: Uint8Array): this {
    setRngState(state, this.index);
    return this;
  }

  /** Seeds this generator and rewinds its offset (Generator.manual_seed); returns this generator. */
  manualSeed(seed: number | bigint): this {
    const value = checkSeed('manualSeed', seed);
    generatorFor(runtime.device(this.index)).manualSeed(value);
    return this;
  }

  /** Seeds this generator non-deterministically and returns the seed (Generator.seed). */
  seed(): bigint {
    const value = randomSeed();
    generatorFor(runtime.device(this.index)).manualSeed(value);
    return value;
  }

  /** The seed of this generator (Generator.initial_seed). */
  initialSeed(): bigint {
    return generatorFor(runtime.device(this.index)).seed;
  }

  toString(): string {
    return `mtia.Generator device=mtia:${this.index}`;
  }
}

/**
 * One default generator per device once the devices have started, empty before and after
 * shutdown() (torch.mtia.default_generators: `()` until _mtia_init builds them).
 */
export let defaultGenerators: readonly Generator[] = Object.freeze([]);

runtime.lifecycleListeners.push((initialized) => {
  defaultGenerators = Object.freeze(initialized ? Array.from({ length: deviceCount() }, (_, index) => new Generator(index)) : []);
});
