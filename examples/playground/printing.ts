// How the playground's print() writes values: typed arrays and tensors as PyTorch prints a
// tensor (torch/_tensor_str.py: every element in one format, 4 decimals for floats, `1.` for
// integral floats, scientific when the magnitudes span more than 1000× or leave [1e-4, 1e8),
// columns padded to one width, rows wrapped at 80 characters, only the first and last 3 of each
// dim once there are more than 1000 elements), other values as JavaScript literals. Pure: no DOM,
// no device; script-runner.ts reads a tensor's values before calling formatTensor.

/** A flat array of numbers or bigints, as toArray() returns them. */
export type NumericArray = ArrayLike<number> | ArrayLike<bigint>;

/** PyTorch's print options (torch.set_printoptions defaults). */
const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/** True for the typed arrays (not DataView). */
function isTypedArray(value: unknown): value is NumericArray & { readonly constructor: { readonly name: string } } {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** True when the array's values are floats: Float16/32/64Array, or numbers that are not all integers. */
function isFloatArray(values: NumericArray): boolean {
  if (isTypedArray(values)) return /^Float/.test(values.constructor.name);
  return false;
}

/** The indices along one dim that are printed: all, or the first and last EDGE_ITEMS (null marks '...'). */
function shownIndices(size: number, summarize: boolean): (number | null)[] {
  if (!summarize || size <= 2 * EDGE_ITEMS) return Array.from({ length: size }, (_, i) => i);
  return [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), null, ...Array.from({ length: EDGE_ITEMS }, (_, i) => size - EDGE_ITEMS + i)];
}

/** The flat indices of the elements that are printed, for choosing their common format. */
function shownElements(shape: readonly number[], summarize: boolean): number[] {
  let flat = [0];
  let stride = shape.reduce((a, b) => a * b, 1);
  for (const size of shape) {
    stride /= size;
    const along = shownIndices(size, summarize).filter((i): i is number => i !== null);
    flat = flat.flatMap((base) => along.map((i) => base + i * stride));
  }
  return flat;
}

/** `n` in scientific notation as Python's '{:.4e}' writes it: a sign and at least two exponent digits (1.0000e-05). */
function scientific(n: number): string {
  return n.toExponential(PRECISION).replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`);
}

/** One element's text, in the format PyTorch's _Formatter picks for all of `values` shown. */
function elementFormatter(values: NumericArray, shown: readonly number[], float: boolean): (value: number | bigint) => string {
  if (!float) return (value) => String(value);
  const finite = shown.map((i) => Number(values[i])).filter(Number.isFinite);
  const nonZero = finite.map(Math.abs).filter((v) => v !== 0);
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (finite.every(Number.isInteger)) {
    // Integral floats: '1.', unless they are too large to read that way.
    const max = Math.max(0, ...nonZero);
    if (max > 1e8) return (v) => (Number.isFinite(Number(v)) ? scientific(Number(v)) : special(Number(v)));
    return (v) => (Number.isFinite(Number(v)) ? `${Number(v).toFixed(0)}.` : special(Number(v)));
  }
  const max = Math.max(...nonZero);
  const min = Math.min(...nonZero);
  const sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) return special(n);
    return sciMode ? scientific(n) : n.toFixed(PRECISION);
  };
}

/**
 * `values` (row-major) of `shape` as PyTorch writes a tensor's data: '[[1., 2.],\n [3., 4.]]'.
 * `indent` is the column the text starts at (continuation lines are indented to it).
 */
export function formatArray(values: NumericArray, shape: readonly number[] = [values.length], indent = 0): string {
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== values.length) throw new Error(`formatArray(): shape [${shape.join(', ')}] has ${numel} elements, but the array has ${values.length}`);
  const summarize = numel > THRESHOLD;
  const shown = shownElements(shape, summarize);
  const format = elementFormatter(values, shown, isFloatArray(values));
  const width = Math.max(1, ...shown.map((i) => format(values[i]!).length));
  const cell = (i: number) => format(values[i]!).padStart(width);
  if (shape.length === 0) return format(values[0]!);

  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const block = (dim: number, base: number, column: number): string => {
    const size = shape[dim]!;
    const indices = shownIndices(size, summarize);
    if (dim === shape.length - 1) {
      // The last dim: elements on lines of at most LINE_WIDTH characters.
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - column) / (width + 2)));
      // PyTorch writes the elided elements of the last dim as ' ...'.
      const items = indices.map((i) => (i === null ? ' ...' : cell(base + i * strides[dim]!)));
      const lines: string[] = [];
      for (let start = 0; start < items.length; start += perLine) lines.push(items.slice(start, start + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(column + 1)}`)}]`;
    }
    // Outer dims: one sub-block per line, a blank line between blocks of 3 or more dims.
    const gap = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(column + 1)}`;
    const parts = indices.map((i) => (i === null ? '...' : block(dim + 1, base + i * strides[dim]!, column + 1)));
    return `[${parts.join(gap)}]`;
  };
  return block(0, 0, indent);
}

/** What print() knows of a tensor: its shape, dtype and device, and its values unless timing-only. */
export interface TensorText {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly device: string;
  /** The values, row-major (toArray()); null when the devices are timing-only (no values). */
  readonly values: NumericArray | null;
}

/** A tensor as PyTorch prints it: "tensor([1., 2.], device='mtia:0')", dtype named unless float32 or int64. */
export function formatTensor({ shape, dtype, device, values }: TensorText): string {
  const suffix = [`device='${device}'`, ...(dtype === 'float32' || dtype === 'int64' ? [] : [`dtype=${dtype}`])];
  if (values === null) return `tensor(<no values: timing-only>, size=[${shape.join(', ')}], ${suffix.join(', ')})`;
  const data = values.length === 0 ? '[]' : formatArray(values, shape, 'tensor('.length);
  // A bool tensor's values come back as 0 and 1; PyTorch writes True and False.
  const text = dtype === 'bool' ? data.replace(/\b[01]\b/g, (d) => (d === '1' ? 'True' : 'False')) : data;
  return `tensor(${text}, ${suffix.join(', ')})`;
}

/** The key of a tensor marker that script-runner.ts puts in place of a tensor before formatting. */
const TENSOR_MARK = Symbol('playground tensor text');

/** Wraps a tensor's text so formatValue prints it as it is inside arrays and objects. */
export function tensorMarker(text: string): object {
  return { [TENSOR_MARK]: text };
}

/**
 * One argument of print() as text: strings as they are; typed arrays (BigInt64Array too) as
 * formatArray writes them; arrays, objects, Maps and Sets as JavaScript literals with their
 * elements formatted the same way; numbers and bigints as JavaScript writes them.
 */
export function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : inner(value, new Set());
}

/** A value inside a printed structure (strings quoted); `seen` guards against cycles. */
function inner(value: unknown, seen: Set<object>): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'bigint': return `${value}n`;
    case 'undefined': return 'undefined';
    case 'function': return `[function ${value.name || '(anonymous)'}]`;
    case 'symbol': return value.toString();
    case 'number': case 'boolean': return String(value);
    default: break;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (TENSOR_MARK in object) return String((object as Record<symbol, unknown>)[TENSOR_MARK]);
  if (isTypedArray(object)) return formatArray(object);
  if (object instanceof Error) return `${object.name}: ${object.message}`;
  if (seen.has(object)) return '[circular]';
  seen.add(object);
  try {
    if (Array.isArray(object)) return `[${object.map((v) => inner(v, seen)).join(', ')}]`;
    if (object instanceof Map) return `Map {${[...object].map(([k, v]) => `${inner(k, seen)} => ${inner(v, seen)}`).join(', ')}}`;
    if (object instanceof Set) return `Set {${[...object].map((v) => inner(v, seen)).join(', ')}}`;
    const own = typeof (object as { toString?: unknown }).toString === 'function' && Object.getPrototypeOf(object) !== Object.prototype && Object.getPrototypeOf(object) !== null
      && (object as { toString: () => string }).toString !== Object.prototype.toString;
    if (own) return String(object);
    const entries = Object.entries(object);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inner(v, seen)}`).join(', ')} }`;
  } finally {
    seen.delete(object);
  }
}
