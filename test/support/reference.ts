// Independent reference implementations for checking the device's numerics: plain JavaScript in
// float64 (or Math.fround where float32 storage is the point), written from the definitions,
// never from the kernels. 16-bit rounding is done arithmetically (scale, round half to even),
// not with the bit tricks the core uses.

/** Rounds `x` to the nearest multiple of `quantum`, ties to even. */
function roundToQuantum(x: number, quantum: number): number {
  const scaled = x / quantum;
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  const rounded = fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded * quantum;
}

/** `x` rounded to a binary float with `mantissaBits` explicit bits and minimum normal exponent `minExponent`. */
function roundToFormat(x: number, mantissaBits: number, minExponent: number, maxFinite: number): number {
  if (Number.isNaN(x) || x === 0 || !Number.isFinite(x)) return x;
  const exponent = Math.max(Math.floor(Math.log2(Math.abs(x))), minExponent);
  // log2 can be off by one at exact powers of two; fix it up.
  let e = exponent;
  if (2 ** e > Math.abs(x) && e > minExponent) e--;
  if (2 ** (e + 1) <= Math.abs(x)) e++;
  const rounded = roundToQuantum(x, 2 ** (e - mantissaBits));
  const halfwayToInfinity = maxFinite + 2 ** (Math.floor(Math.log2(maxFinite)) - mantissaBits - 1);
  if (Math.abs(rounded) > maxFinite) return Math.abs(x) >= halfwayToInfinity ? Math.sign(x) * Infinity : Math.sign(x) * maxFinite;
  return rounded;
}

/** The value of `x` after rounding to IEEE binary16 (float16), nearest-even. */
export function toFloat16(x: number): number {
  return roundToFormat(Math.fround(x), 10, -14, 65504);
}

/** The value of `x` after rounding to bfloat16, nearest-even. */
export function toBfloat16(x: number): number {
  return roundToFormat(Math.fround(x), 7, -126, 3.3895313892515355e38);
}

/** The value a float32 `x` has once stored in `dtype`. */
export function storeAs(dtype: string, x: number): number {
  switch (dtype) {
    case 'float32': return Math.fround(x);
    case 'float16': return toFloat16(x);
    case 'bfloat16': return toBfloat16(x);
    // Floats become integers by truncation toward zero, saturating at the int32 range (NaN → 0);
    // int8 then keeps the low 8 bits (two's complement wrap), as mtia-sim documents.
    case 'int32': return Number.isNaN(x) ? 0 : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.trunc(x))) + 0;
    case 'int8': return ((((storeAs('int32', x) % 256) + 256 + 128) % 256) - 128) + 0;
    case 'bool': return x !== 0 ? 1 : 0;
    default: throw new Error(dtype);
  }
}

/** C = A · B for row-major A (m × k) and B (k × n), in float64. */
export function matmulReference(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + x * b[p * n + j]!;
    }
  }
  return c;
}

/**
 * erf(x) to ~1e-15: its Maclaurin series for |x| < 2.5, else the Laplace continued fraction of
 * erfc (Abramowitz & Stegun 7.1.5 and 7.1.14).
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  let result: number;
  if (z < 2.5) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 80; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    result = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let fraction = 0;
    for (let n = 60; n >= 1; n--) fraction = (n / 2) / (z + fraction);
    result = 1 - Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + fraction);
  }
  return x < 0 ? -result : result;
}

const M0 = 0xd2511f53n;
const M1 = 0xcd9e8d57n;
const MASK = 0xffffffffn;

/** Philox4x32-10 of a 128-bit counter (4 words) and 64-bit key (2 words), with BigInt products. */
export function philox4x32(counter: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = counter.map((x) => BigInt(x)) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map((x) => BigInt(x)) as [bigint, bigint];
  for (let round = 0; round < 10; round++) {
    const p0 = M0 * c0;
    const p1 = M1 * c2;
    [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1 ^ k0, p1 & MASK, (p0 >> 32n) ^ c3 ^ k1, p0 & MASK];
    k0 = (k0 + 0x9e3779b9n) & MASK;
    k1 = (k1 + 0xbb67ae85n) & MASK;
  }
  return [c0, c1, c2, c3].map(Number);
}

/** 32-bit words [offset, offset + count) of the Philox stream of 64-bit `seed`. */
export function philoxWords(seed: bigint, offset: bigint, count: number): number[] {
  const key = [Number(seed & MASK), Number(seed >> 32n)];
  const words: number[] = [];
  for (let j = 0n; j < BigInt(count); j++) {
    const position = offset + j;
    const block = position >> 2n;
    words.push(philox4x32([Number(block & MASK), Number(block >> 32n), 0, 0], key)[Number(position & 3n)]!);
  }
  return words;
}

/** Largest |actual - expected| / (atol + rtol · |expected|) over the arrays; ≤ 1 passes. */
export function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const error = Math.abs(a - e) / (atol + rtol * Math.abs(e));
    if (!(error <= worst)) worst = Number.isNaN(error) ? Infinity : error;
  }
  return worst;
}

/** Deterministic pseudo-random numbers in [low, high) (xorshift32; test data only). */
export function randomValues(count: number, seed: number, low = -1, high = 1): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length: count }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return low + ((state >>> 0) / 2 ** 32) * (high - low);
  });
}
