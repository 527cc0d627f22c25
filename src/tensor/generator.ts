// Per-device random number generator state, as PyTorch keeps one Philox generator per CUDA
// device: a 64-bit seed and a 64-bit offset into the Philox4x32-10 stream (assembly/ops/random.ts).
// Each random op reads the state and advances the offset by the 32-bit values it consumes,
// rounded up to a multiple of 4 (one Philox block), as cuRAND-based PyTorch kernels do; so
// results depend only on the seed and the order of random ops, never on scheduling.

import type { SimulatedDevice } from '../runtime/simulated-device.js';

/** PyTorch's default seed (c10/core/GeneratorImpl.h, default_rng_seed_val). */
export const DEFAULT_SEED = 67280421310721n;
const U64 = (1n << 64n) - 1n;

/** The Philox state of one device. */
export class Generator {
  /** The 64-bit seed. */
  seed: bigint;
  /** The 64-bit offset (in 32-bit values) of the next random op; a multiple of 4. */
  offset = 0n;

  constructor(seed: bigint = DEFAULT_SEED) {
    this.seed = seed & U64;
  }

  /** Sets the seed and rewinds the offset (torch.manual_seed on this device). */
  manualSeed(seed: number | bigint): void {
    this.seed = BigInt.asUintN(64, BigInt(seed));
    this.offset = 0n;
  }

  /** Reserves `values` 32-bit values for one op; returns the offset the op starts at. */
  reserve(values: number): bigint {
    const start = this.offset;
    this.offset = (this.offset + BigInt(Math.ceil(values / 4) * 4)) & U64;
    return start;
  }

  /** The state as 16 bytes: seed (u64 LE), then offset (u64 LE) (get_rng_state). */
  getState(): Uint8Array {
    const state = new Uint8Array(16);
    const view = new DataView(state.buffer);
    view.setBigUint64(0, this.seed, true);
    view.setBigUint64(8, this.offset, true);
    return state;
  }

  /** Restores a state from getState() (set_rng_state); throws on a wrong size or an offset not a multiple of 4. */
  setState(state: Uint8Array): void {
    if (!(state instanceof Uint8Array) || state.byteLength !== 16) {
      throw new TypeError(`RNG state must be a Uint8Array of 16 bytes (seed u64 LE, offset u64 LE), but got ${state?.byteLength ?? typeof state} bytes`);
    }
    const view = new DataView(state.buffer, state.byteOffset, 16);
    const offset = view.getBigUint64(8, true);
    if (offset % 4n !== 0n) throw new RangeError(`RNG state offset must be a multiple of 4, but got ${offset}`);
    this.seed = view.getBigUint64(0, true);
    this.offset = offset;
  }
}

let baseSeed = DEFAULT_SEED;
let seedGeneration = 0;
const generators = new WeakMap<SimulatedDevice, { generator: Generator; generation: number }>();

/** The generator of `device`, created (or reseeded after manualSeed) on first use. */
export function generatorFor(device: SimulatedDevice): Generator {
  const entry = generators.get(device);
  if (entry !== undefined && entry.generation === seedGeneration) return entry.generator;
  const generator = new Generator(baseSeed);
  generators.set(device, { generator, generation: seedGeneration });
  return generator;
}

/** Seeds the generators of every device, existing and future, with `seed` (torch.manual_seed). */
export function manualSeed(seed: number | bigint): void {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) throw new TypeError(`seed must be an integer, but got: ${seed}`);
  if (typeof seed !== 'number' && typeof seed !== 'bigint') {
    throw new TypeError(`manualSeed(): seed must be an integer or a bigint, but got: ${typeof seed === 'string' ? `'${seed}'` : typeof seed}`);
  }
  baseSeed = BigInt.asUintN(64, BigInt(seed));
  seedGeneration++;
}
