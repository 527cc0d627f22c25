// Views (torch.Tensor.view, reshape, transpose, permute, slicing, split, expand, squeeze,
// unsqueeze, flatten, contiguous) and cat. A view
// is a new Tensor over the same Storage with other shape, strides and offset: nothing is
// queued. reshape and contiguous copy only where PyTorch copies (when no strides can express
// the result); cat copies each input into its slice of the output.

import { MtiaError } from '../errors.js';
import { describeValue } from '../options.js';
import { resultType } from './dtype.js';
import { checkSameDevice, checkTensor } from './launch.js';
import { allocateTensor, copyContiguous, copyInto, filling } from './ops.js';
import { checkShape, contiguousStrides, numelOf, wrapDim } from './shape.js';
import { Tensor } from './tensor.js';

/** The shape `shape` with one -1 inferred from `numel` (PyTorch's infer_size). */
function inferSize(shape: readonly number[], numel: number): number[] {
  const sizes = [...shape];
  let inferred = -1;
  let known = 1;
  sizes.forEach((size, d) => {
    if (!Number.isInteger(size)) throw new TypeError(`shape must be a list of integers, but got: [${shape.join(', ')}]`);
    if (size === -1) {
      if (inferred >= 0) throw new MtiaError('only one dimension can be inferred');
      inferred = d;
    } else if (size < 0) {
      throw new MtiaError(`invalid shape dimension ${size}`);
    } else {
      known *= size;
    }
  });
  const invalid = () => new MtiaError(`shape '[${shape.join(', ')}]' is invalid for input of size ${numel}`);
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0) throw invalid();
    sizes[inferred] = numel / known;
  } else if (known !== numel) {
    throw invalid();
  }
  return sizes;
}

/**
 * Strides that let a tensor of `oldShape`/`oldStrides` be viewed as `newShape`, or undefined if
 * none exist (PyTorch's computeStride, aten/src/ATen/TensorUtils.cpp).
 */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | undefined {
  if (oldShape.length === 0) return newShape.map(() => 1);
  const numel = numelOf(oldShape);
  if (numel === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD]!;
    if (tensorD === 0 || (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return undefined;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : undefined;
}

/** A view of `input` in `shape` (one size may be -1); throws when the strides do not allow it. */
export function view(input: Tensor, shape: readonly number[]): Tensor {
  checkTensor('view', input, 'input');
  const sizes = inferSize(shape, input.numel);
  const strides = viewStrides(input.shape, input.strides, sizes);
  if (strides === undefined) {
    throw new MtiaError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  return new Tensor(input.storage, sizes, input.dtype, strides, input.offset);
}

/** `input` in `shape`: a view when possible, else a contiguous copy (torch.reshape). */
export function reshape(input: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', input, 'input');
  const sizes = inferSize(shape, input.numel);
  const strides = viewStrides(input.shape, input.strides, sizes);
  if (strides !== undefined) return new Tensor(input.storage, sizes, input.dtype, strides, input.offset);
  const copy = copyContiguous(input);
  try {
    return new Tensor(copy.storage, sizes, copy.dtype);
  } finally {
    copy.free();
  }
}

/** A view with dims `dim0` and `dim1` swapped (torch.transpose). */
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor('transpose', input, 'input');
  const a = wrapDim(dim0, input.ndim);
  const b = wrapDim(dim1, input.ndim);
  if (input.ndim === 0) return new Tensor(input.storage, [], input.dtype, [], input.offset);
  const order = input.shape.map((_, d) => (d === a ? b : d === b ? a : d));
  return permute(input, order);
}

/** A view with dims in the order `dims` (torch.permute). */
export function permute(input: Tensor, dims: readonly number[]): Tensor {
  checkTensor('permute', input, 'input');
  if (dims.length !== input.ndim) {
    throw new MtiaError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${input.ndim} is not equal to len(dims) = ${dims.length}`);
  }
  const wrapped = dims.map((dim) => wrapDim(dim, input.ndim));
  if (new Set(wrapped).size !== wrapped.length) throw new MtiaError('permute(): duplicate dims are not allowed.');
  return new Tensor(input.storage, wrapped.map((d) => input.shape[d]!), input.dtype, wrapped.map((d) => input.strides[d]!), input.offset);
}

/** A view of [start, end) with `step` along `dim`, clamped like Python slicing. */
export function slice(input: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  checkTensor('slice', input, 'input');
  if (input.ndim === 0) throw new MtiaError('slice() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, input.ndim);
  for (const [name, value] of [['start', start], ['end', end]] as const) {
    if (value !== undefined && value !== null && !Number.isInteger(value)) {
      throw new TypeError(`slice(): argument '${name}' must be an integer or null, but got: ${describeValue(value)}`);
    }
  }
  if (!Number.isInteger(step)) throw new TypeError(`slice(): argument 'step' must be an integer, but got: ${describeValue(step)}`);
  if (step <= 0) throw new MtiaError('slice step must be positive');
  const size = input.shape[d]!;
  const clampIndex = (index: number) => Math.min(Math.max(index < 0 ? index + size : index, 0), size);
  const from = clampIndex(start ?? 0);
  const to = Math.max(clampIndex(end ?? size), from);
  const shape = [...input.shape];
  const strides = [...input.strides];
  shape[d] = Math.ceil((to - from) / step);
  strides[d] = input.strides[d]! * step;
  return new Tensor(input.storage, shape, input.dtype, strides, input.offset + from * input.strides[d]!);
}

/** `input` if already contiguous (as a new view of it), else a contiguous copy (torch.Tensor.contiguous). */
export function contiguous(input: Tensor): Tensor {
  checkTensor('contiguous', input, 'input');
  if (input.isContiguous()) return new Tensor(input.storage, input.shape, input.dtype, input.strides, input.offset);
  return copyContiguous(input);
}

/** The tensors joined along `dim`, with type promotion (torch.cat). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors)) throw new TypeError('cat(): argument \'tensors\' must be an array of Tensors');
  if (tensors.length === 0) throw new MtiaError('torch.cat(): expected a non-empty list of Tensors');
  tensors.forEach((t, i) => checkTensor('cat', t, `tensors[${i}]`));
  const device = checkSameDevice('cat', tensors);
  // 1-d empty tensors are skipped, as PyTorch's legacy cat behaviour allows.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.numel === 0));
  const reference = parts[0] ?? tensors[0]!;
  if (reference.ndim === 0) throw new MtiaError(`zero-dimensional tensor (at position 0) cannot be concatenated`);
  const d = wrapDim(dim, reference.ndim);
  parts.forEach((t, i) => {
    if (t.ndim !== reference.ndim) {
      throw new MtiaError(`Tensors must have same number of dimensions: got ${reference.ndim} and ${t.ndim}`);
    }
    t.shape.forEach((size: number, k: number) => {
      if (k !== d && size !== reference.shape[k]) {
        throw new MtiaError(`Sizes of tensors must match except in dimension ${d}. Expected size ${reference.shape[k]} but got size ${size} for tensor number ${tensors.indexOf(t) === -1 ? i : tensors.indexOf(t)} in the list.`);
      }
    });
  });
  const dtype = resultType(tensors);
  const shape = [...reference.shape];
  shape[d] = parts.reduce((total, t) => total + t.shape[d]!, 0);
  const out = allocateTensor(device, checkShape(shape), dtype);
  let at = 0;
  for (const part of parts) {
    const target = slice(out, d, at, at + part.shape[d]!);
    try {
      filling([out], () => copyInto(target, part));
    } finally {
      target.free();
    }
    at += part.shape[d]!;
  }
  return out;
}

/**
 * `input` split along `dim` into views (torch.split): chunks of `splitSizeOrSections` entries
 * (the last may be smaller), or one view per entry of a list of sizes that sums to the dim.
 */
export function split(input: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  checkTensor('split', input, 'input');
  if (input.ndim === 0) throw new MtiaError('split expects at least a 1-dimensional tensor');
  const d = wrapDim(dim, input.ndim);
  const size = input.shape[d]!;
  let sizes: number[];
  if (Array.isArray(splitSizeOrSections)) {
    const sections = splitSizeOrSections as readonly number[];
    if (sections.some((s) => !Number.isInteger(s))) throw new TypeError(`split(): split_size_or_sections must be integers, but got: [${sections.join(', ')}]`);
    if (sections.some((s) => s < 0)) throw new MtiaError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[${sections.join(', ')}]`);
    if (sections.reduce((a, b) => a + b, 0) !== size) {
      throw new MtiaError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=[${sections.join(', ')}]`);
    }
    sizes = [...sections];
  } else {
    const chunk = splitSizeOrSections as number;
    if (!Number.isInteger(chunk)) throw new TypeError(`split(): split_size_or_sections must be an integer or a list of integers, but got: ${describeValue(chunk)}`);
    if (chunk < 0) throw new MtiaError(`split expects split_size be non-negative, but got split_size=${chunk}`);
    if (chunk === 0 && size !== 0) throw new MtiaError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    const count = chunk === 0 ? 1 : Math.max(Math.ceil(size / chunk), 1);
    sizes = Array.from({ length: count }, (_, i) => Math.min(chunk, size - i * chunk));
  }
  let at = 0;
  return sizes.map((length) => {
    const part = slice(input, d, at, at + length);
    at += length;
    return part;
  });
}

/**
 * A view of `input` broadcast to `sizes` (torch.Tensor.expand): size-1 dims repeat with stride
 * 0, new leading dims are added with stride 0, and -1 keeps a dim's size. Nothing is copied.
 */
export function expand(input: Tensor, sizes: readonly number[]): Tensor {
  checkTensor('expand', input, 'input');
  if (!Array.isArray(sizes) || sizes.some((s) => !Number.isInteger(s))) {
    throw new TypeError(`expand(): argument 'size' must be a list of integers, but got: ${describeValue(sizes)}`);
  }
  const describe = `expand(${input.dtype}{[${input.shape.join(', ')}]}, size=[${sizes.join(', ')}])`;
  if (sizes.length < input.ndim) {
    throw new MtiaError(`${describe}: the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${input.ndim})`);
  }
  const lead = sizes.length - input.ndim;
  const shape: number[] = [];
  const strides: number[] = [];
  sizes.forEach((target, k) => {
    if (k < lead) {
      if (target < 0) throw new MtiaError(`The expanded size of the tensor (${target}) isn't allowed in a leading, non-existing dimension ${k}`);
      shape.push(target);
      strides.push(0);
      return;
    }
    const own = input.shape[k - lead]!;
    const size = target === -1 ? own : target;
    if (size === own) {
      shape.push(own);
      strides.push(input.strides[k - lead]!);
    } else if (own === 1 && size >= 0) {
      shape.push(size);
      strides.push(0);
    } else {
      throw new MtiaError(`The expanded size of the tensor (${target}) must match the existing size (${own}) at non-singleton dimension ${k}.  Target sizes: [${sizes.join(', ')}].  Tensor sizes: [${input.shape.join(', ')}]`);
    }
  });
  return new Tensor(input.storage, shape, input.dtype, strides, input.offset);
}

/** A view without size-1 dims: all of them, or those of `dim` (a number or list) that are size 1 (torch.squeeze). */
export function squeeze(input: Tensor, dim?: number | readonly number[] | null): Tensor {
  checkTensor('squeeze', input, 'input');
  const dims = dim === undefined || dim === null
    ? input.shape.map((_, d) => d)
    : (Array.isArray(dim) ? (dim as readonly number[]) : [dim as number]).map((d) => wrapDim(d, input.ndim));
  if (new Set(dims).size !== dims.length) throw new MtiaError(`dim ${dims.find((d, i) => dims.indexOf(d) !== i)} appears multiple times in the list of dims`);
  const keep = input.shape.map((size, d) => !(size === 1 && dims.includes(d)));
  return new Tensor(input.storage, input.shape.filter((_, d) => keep[d]), input.dtype, input.strides.filter((_, d) => keep[d]), input.offset);
}

/** A view with a size-1 dim inserted at `dim` (torch.unsqueeze; dim counts in the result's ndim). */
export function unsqueeze(input: Tensor, dim: number): Tensor {
  checkTensor('unsqueeze', input, 'input');
  const d = wrapDim(dim, input.ndim + 1);
  const shape = [...input.shape];
  const strides = [...input.strides];
  const stride = d >= input.ndim ? 1 : input.shape[d]! * input.strides[d]!;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return new Tensor(input.storage, shape, input.dtype, strides, input.offset);
}

/** Dims `startDim` .. `endDim` merged into one (torch.flatten): a view when the strides allow, else a copy. */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor('flatten', input, 'input');
  if (input.ndim === 0) return reshape(input, [1]);
  const start = wrapDim(startDim, input.ndim);
  const end = wrapDim(endDim, input.ndim);
  if (start > end) throw new MtiaError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (start === end) return new Tensor(input.storage, input.shape, input.dtype, input.strides, input.offset);
  const merged = input.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
  return reshape(input, [...input.shape.slice(0, start), merged, ...input.shape.slice(end + 1)]);
}
