// A tiny row-major n-d array in plain JavaScript (float64) for reference results: broadcasting,
// views by materialising copies, reductions. Written from NumPy's definitions, independently of
// the device kernels and of the host's stride arithmetic.

/** A row-major array of numbers with a shape. */
export class Nd {
  constructor(readonly shape: number[], readonly data: number[]) {
    if (data.length !== shape.reduce((n, s) => n * s, 1)) throw new Error(`data length ${data.length} for shape [${shape}]`);
  }

  /** The array of `shape` whose element at each index is `f(index)`. */
  static from(shape: number[], f: (index: number[]) => number): Nd {
    const data: number[] = [];
    forEachIndex(shape, (index) => data.push(f(index)));
    return new Nd(shape, data);
  }

  get(index: readonly number[]): number {
    let flat = 0;
    for (let d = 0; d < this.shape.length; d++) flat = flat * this.shape[d]! + index[d]!;
    return this.data[flat]!;
  }

  /** Materialised permutation of the dims. */
  permute(dims: number[]): Nd {
    return Nd.from(dims.map((d) => this.shape[d]!), (index) => {
      const source = new Array<number>(dims.length);
      dims.forEach((d, i) => (source[d] = index[i]!));
      return this.get(source);
    });
  }

  /** Materialised Python slice start:end:step along `dim` (start, end already in range). */
  slice(dim: number, start: number, end: number, step: number): Nd {
    const shape = [...this.shape];
    shape[dim] = Math.max(0, Math.ceil((end - start) / step));
    return Nd.from(shape, (index) => {
      const source = [...index];
      source[dim] = start + index[dim]! * step;
      return this.get(source);
    });
  }

  /** Elementwise map. */
  map(f: (x: number) => number): Nd {
    return new Nd([...this.shape], this.data.map(f));
  }

  /** Reduction over `dims` with `f` (receives the values of one block in row-major order). */
  reduce(dims: number[], keepdim: boolean, f: (values: number[]) => number): Nd {
    const outShape = this.shape.map((s, d) => (dims.includes(d) ? 1 : s));
    const blocks = new Map<number, number[]>();
    forEachIndex(this.shape, (index) => {
      let key = 0;
      for (let d = 0; d < index.length; d++) key = key * outShape[d]! + (dims.includes(d) ? 0 : index[d]!);
      const block = blocks.get(key) ?? [];
      block.push(this.get(index));
      blocks.set(key, block);
    });
    const count = outShape.reduce((n, s) => n * s, 1);
    const data = Array.from({ length: count }, (_, key) => f(blocks.get(key) ?? []));
    return new Nd(keepdim ? outShape : this.shape.filter((_, d) => !dims.includes(d)), data);
  }
}

/** Calls `f` with every index of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], f: (index: number[]) => void): void {
  if (shape.some((s) => s === 0)) return;
  const index = new Array<number>(shape.length).fill(0);
  for (;;) {
    f([...index]);
    let d = shape.length - 1;
    while (d >= 0 && ++index[d]! === shape[d]) index[d--] = 0;
    if (d < 0) return;
  }
}

/** NumPy broadcasting of two arrays through `f`. */
export function broadcast(a: Nd, b: Nd, f: (x: number, y: number) => number): Nd {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [sa, sb] = [pad(a.shape), pad(b.shape)];
  const shape = sa.map((x, d) => (x === 1 ? sb[d]! : x));
  const pa = new Nd(sa, a.data);
  const pb = new Nd(sb, b.data);
  return Nd.from(shape, (index) => f(pa.get(index.map((i, d) => (sa[d] === 1 ? 0 : i))), pb.get(index.map((i, d) => (sb[d] === 1 ? 0 : i)))));
}
