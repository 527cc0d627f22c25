// The playground's host reference: the same maths as the device ops, written plainly in
// JavaScript (float64 accumulation, one float32 rounding per result), so a workload can check
// the simulator's values against numbers computed without it. Also the seeded host data the
// workloads feed to both. Layouts are row-major and flat, as Tensor.toArray() returns them.

/** A seeded uniform generator in [0, 1): mulberry32 (a public-domain 32-bit PRNG), as `mtia-sim run` uses. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded uniform values in [-scale, scale) (seeded()). */
export function hostRandom(shape: number | readonly number[], seed: number, scale = 1): Float32Array {
  const count = typeof shape === 'number' ? shape : shape.reduce((a, b) => a * b, 1);
  const random = seeded(seed);
  return Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

/** Seeded integers in [0, high). */
export function hostIntegers(count: number, high: number, seed: number): Int32Array {
  const uniform = hostRandom(count, seed);
  return Int32Array.from(uniform, (u) => Math.min(high - 1, Math.floor(((u + 1) / 2) * high)));
}

/** C[m×n] = A[m×k] · B[k×n]. */
export function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      for (let j = 0; j < n; j++) row[j]! += av * b[p * n + j]!;
    }
    for (let j = 0; j < n; j++) out[i * n + j] = row[j]!;
  }
  return out;
}

/** x[m×k] · weightᵀ + bias, weight [n×k] as torch.nn.Linear stores it. */
export function linear(x: Float32Array, weight: Float32Array, bias: Float32Array | null, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias === null ? 0 : bias[j]!;
      for (let p = 0; p < k; p++) sum += x[i * k + p]! * weight[j * k + p]!;
      out[i * n + j] = sum;
    }
  }
  return out;
}

/** [rows×cols] → [cols×rows]. */
export function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

/** max(x, 0) elementwise. */
export function relu(x: Float32Array): Float32Array {
  return x.map((v) => (v > 0 ? v : 0));
}

/** 1 / (1 + e^-x) elementwise. */
export function sigmoid(x: Float32Array): Float32Array {
  return x.map((v) => 1 / (1 + Math.exp(-v)));
}

/** x · s elementwise. */
export function scale(x: Float32Array, s: number): Float32Array {
  return x.map((v) => v * s);
}

/** a + b elementwise, same shapes. */
export function add(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]!);
}

/** Softmax over each row of x[rows×cols]. */
export function softmaxRows(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, x[i * cols + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[i * cols + j]! - max);
    for (let j = 0; j < cols; j++) out[i * cols + j] = Math.exp(x[i * cols + j]! - max) / sum;
  }
  return out;
}

/** Sum of weight rows per bag (torch embedding_bag, mode 'sum'): bag b is indices[offsets[b] .. offsets[b+1]). */
export function embeddingBagSum(weight: Float32Array, dim: number, indices: Int32Array, offsets: Int32Array): Float32Array {
  const bags = offsets.length;
  const out = new Float32Array(bags * dim);
  const acc = new Float64Array(dim);
  for (let b = 0; b < bags; b++) {
    acc.fill(0);
    const end = b + 1 < bags ? offsets[b + 1]! : indices.length;
    for (let i = offsets[b]!; i < end; i++) {
      const row = indices[i]!;
      for (let d = 0; d < dim; d++) acc[d]! += weight[row * dim + d]!;
    }
    for (let d = 0; d < dim; d++) out[b * dim + d] = acc[d]!;
  }
  return out;
}

/** Rows of a[rows×ca] and b[rows×cb] side by side: [rows×(ca+cb)] (torch.cat on dim 1). */
export function catColumns(parts: readonly { values: Float32Array; cols: number }[], rows: number): Float32Array {
  const width = parts.reduce((sum, p) => sum + p.cols, 0);
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    let at = i * width;
    for (const { values, cols } of parts) {
      out.set(values.subarray(i * cols, (i + 1) * cols), at);
      at += cols;
    }
  }
  return out;
}
