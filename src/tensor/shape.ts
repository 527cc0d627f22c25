// Shapes: validation, element counts and broadcasting (NumPy rules, as in PyTorch).

import { MtiaError } from '../errors.js';
import { describeValue } from '../options.js';

/** Number of elements of a tensor of `shape` (1 for a 0-d tensor). */
export function numelOf(shape: readonly number[]): number {
  let numel = 1;
  for (const size of shape) numel *= size;
  return numel;
}

/** Checks a shape argument (a size or a list of sizes) and returns it as an array. */
export function checkShape(shape: unknown, argument = 'size'): number[] {
  const sizes = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(sizes) || sizes.some((size) => typeof size !== 'number' || !Number.isInteger(size))) {
    throw new TypeError(`${argument} must be an integer or an array of integers, but got: ${describeValue(shape)}`);
  }
  const negative = sizes.find((size) => size < 0);
  if (negative !== undefined) {
    throw new MtiaError(`Trying to create tensor with negative dimension ${negative}: [${sizes.join(', ')}]`);
  }
  return [...sizes];
}

/** The broadcast shape of `a` and `b`; throws PyTorch's error when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 1; i <= rank; i++) {
    const sa = a[a.length - i] ?? 1;
    const sb = b[b.length - i] ?? 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw new MtiaError(
        `The size of tensor a (${sa}) must match the size of tensor b (${sb}) at non-singleton dimension ${rank - i}`,
      );
    }
    out[rank - i] = sa === 1 ? sb : sa;
  }
  return out;
}

/** True if both shapes have the same sizes. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  return true;
}

/** Row-major (contiguous) strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= Math.max(shape[d]!, 1);
  }
  return strides;
}

/** Wraps dim `dim` of a `rank`-dim tensor as PyTorch does (negative counts from the end). */
export function wrapDim(dim: number, rank: number): number {
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, but got: ${String(dim)}`);
  const low = -Math.max(rank, 1);
  const high = Math.max(rank, 1) - 1;
  if (dim < low || dim > high) {
    throw new MtiaError(`Dimension out of range (expected to be in range of [${low}, ${high}], but got ${dim})`);
  }
  return dim < 0 ? dim + Math.max(rank, 1) : dim;
}
