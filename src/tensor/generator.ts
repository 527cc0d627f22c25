// Per-device random number generator state, as PyTorch keeps one Philox generator per CUDA
// device: a 64-bit seed and a 64-bit offset into the Philox4x32-10 stream (assembly/ops/random.ts).
// Each random op reads the state and advances the offset by the 32-bit values it consumes,
// rounded up to a multiple of 4 (one Philox block), as cuRAND-based PyTorch kernels do; so
// results depend only on the seed and the order of random ops, never on scheduling.

import { MtiaError } from '../errors.js';
import { describeValue } from '../options.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';

/** PyTorch's default seed (c10/core/GeneratorImpl.h, default_rng_seed_val). */
export const DEFAULT_SEED = 67280421310721n;
const U64 = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

/**
 * `seed` as the unsigned 64-bit seed PyTorch's Generator.manual_seed stores: integers in
 * [-2^63, 2^64 - 1], negative ones taken as their two's complement (torch/csrc/Generator.cpp
 * unpacks as uint64, then as int64). Anything else is an error naming `fn`'s seed argument.
 */
export function checkSeed(fn: string, seed: unknown): bigint {
  if (typeof seed === 'number') {
    if (!Number.isInteger(seed)) throw new TypeError(`${fn}(): seed must be an integer, but got: ${seed}`);
    if (!Number.isSafeInteger(seed)) {
      throw new TypeError(`${fn}(): seed ${seed} is not exactly representable as a number; pass it as a bigint (${BigInt(seed)}n is what the number holds)`);
    }
  } else if (typeof seed !== 'bigint') {
    throw new TypeError(`${fn}(): seed must be an integer or a bigint, but got: ${describeValue(seed)}`);
  }
  const value = BigInt(seed);
  if (value < I64_MIN || value > U64) {
    throw new MtiaError(
      `Overflow when unpacking long: ${fn}(): seed must be in [-0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff], but got: ${value}`,
    );
  }
  return BigInt.asUintN(64, value);
}

/** A non-deterministic 64-bit seed, as Generator.seed() draws one from /dev/urandom. */
export function randomSeed(): bigint {
  const words = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(words[1]!) << 32n) | BigInt(words[0]!);
}

/** The Philox state of one device. */
export class Generator {
  /** The 64-bit seed (initial_seed()). */
  seed: bigint;
  /** The 64-bit offset (in 32-bit values) of the next random op; a multiple of 4. */
  offset = 0n;

  constructor(seed: bigint = DEFAULT_SEED) {
    this.seed = seed & U64;
  }

  /** Sets the seed (an unsigned 64-bit value, see checkSeed) and rewinds the offset. */
  manualSeed(seed: bigint): void {
    this.seed = seed & U64;
    this.offset = 0n;
  }

  /** Reserves `values` 32-bit values for one op; returns the offset the op starts at. */
  reserve(values: number): bigint {
    const start = this.offset;
    this.offset = (this.offset + BigInt(Math.ceil(values / 4) * 4)) & U64;
    return start;
  }

  /**
   * The state as 16 bytes, laid out as CUDAGeneratorImpl::get_state: seed (uint64 LE), then
   * philox_offset_per_thread (int64 LE) (get_rng_state).
   */
  getState(): Uint8Array {
    const state = new Uint8Array(16);
    const view = new DataView(state.buffer);
    view.setBigUint64(0, this.seed, true);
    view.setBigUint64(8, this.offset, true);
    return state;
  }

  /**
   * Restores a state (set_rng_state) with CUDAGeneratorImpl::set_state's checks and texts
   * (§1.6): a Uint8Array of 16 bytes (seed, offset), or 8 (seed only; offset 0); the offset a
   * multiple of 4.
   */
  setState(state: Uint8Array): void {
    checkStateType(state);
    if (state.byteLength !== 16 && state.byteLength !== 8) {
      throw new MtiaError(`RNG state is wrong size: expected 16 bytes (seed, offset) or 8 (seed), but got ${state.byteLength}`);
    }
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
    const offset = state.byteLength === 16 ? view.getBigUint64(8, true) : 0n;
    if (offset % 4n !== 0n) throw new MtiaError(`offset must be a multiple of 4, but got ${offset}`);
    this.seed = view.getBigUint64(0, true);
    this.offset = offset;
  }
}

/** Throws PyTorch's check_rng_state TypeError unless `state` is a Uint8Array (the ByteTensor here). */
export function checkStateType(state: unknown): asserts state is Uint8Array {
  if (!(state instanceof Uint8Array)) {
    throw new TypeError(`RNG state must be a torch.ByteTensor (here: a Uint8Array), but got: ${describeValue(state)}`);
  }
}

/** The seed new generators start from; manualSeedAll changes it for existing and future devices. */
let baseSeed = DEFAULT_SEED;
let seedGeneration = 0;
const generators = new WeakMap<SimulatedDevice, { generator: Generator; generation: number }>();

/** @internal The generator of `device`, created (or reseeded after seedEveryDevice) on first use. */
export function generatorFor(device: SimulatedDevice): Generator {
  const entry = generators.get(device);
  if (entry !== undefined && entry.generation === seedGeneration) return entry.generator;
  const generator = new Generator(baseSeed);
  generators.set(device, { generator, generation: seedGeneration });
  return generator;
}

/**
 * Seeds the generators of every device, existing and future (after shutdown() and a new
 * start), with a seed checked by checkSeed, and rewinds their offsets (manual_seed_all).
 */
export function seedEveryDevice(seed: bigint): void {
  baseSeed = seed & U64;
  seedGeneration++;
}
