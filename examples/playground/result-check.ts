// Checks a device result against the host reference (reference.ts) as torch.allclose does:
// every element within atol + rtol · |expected|. The playground shows each check as "correct"
// or as its first mismatch, so a user sees that the simulator's values are real.

/** Tolerances of a check, as torch.allclose's (defaults suit float32 with reordered sums). */
export interface Tolerance {
  /** Relative tolerance (default 1e-4). */
  rtol?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
}

/** The outcome of one check. */
export interface CheckResult {
  /** What was checked, as the workload named it. */
  readonly label: string;
  /** True when every element is within tolerance and the lengths agree. */
  readonly ok: boolean;
  /** Elements compared. */
  readonly count: number;
  /** Elements outside tolerance (NaN where expected is not NaN counts). */
  readonly mismatches: number;
  /** The first element outside tolerance, or null. */
  readonly first: { readonly index: number; readonly got: number; readonly expected: number } | null;
  /** Largest |got − expected| over all elements. */
  readonly maxAbsError: number;
  /** A one-line account: 'correct (…)' or the mismatch. */
  readonly summary: string;
}

/** Compares `got` to `expected` element by element. */
export function checkClose(
  label: string, got: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance = {},
): CheckResult {
  const { rtol = 1e-4, atol = 1e-5 } = tolerance;
  if (got.length !== expected.length) {
    return {
      label, ok: false, count: 0, mismatches: Math.max(got.length, expected.length), first: null, maxAbsError: Infinity,
      summary: `${label}: MISMATCH, ${got.length} values where the reference has ${expected.length}`,
    };
  }
  let mismatches = 0;
  let first: CheckResult['first'] = null;
  let maxAbsError = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const e = expected[i]!;
    const error = Math.abs(g - e);
    if (error > maxAbsError || Number.isNaN(error)) maxAbsError = Number.isNaN(error) ? Infinity : error;
    if (!(error <= atol + rtol * Math.abs(e)) && !(Number.isNaN(g) && Number.isNaN(e))) {
      mismatches++;
      first ??= { index: i, got: g, expected: e };
    }
  }
  const ok = mismatches === 0;
  const summary = ok
    ? `${label}: correct (${got.length} values within rtol ${rtol}, atol ${atol} of the JS reference; max |error| ${maxAbsError.toExponential(2)})`
    : `${label}: MISMATCH in ${mismatches} of ${got.length} values; first at [${first!.index}]: got ${first!.got}, reference ${first!.expected}`;
  return { label, ok, count: got.length, mismatches, first, maxAbsError, summary };
}
