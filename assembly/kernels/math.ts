// Scalar float32 activation functions with PyTorch's definitions (torch.nn.functional).

/**
 * erf(x) with fractional error below 1.2e-7 everywhere: the Chebyshev fit of erfc of
 * Numerical Recipes (Press et al., 3rd ed., §6.2.2, "erfccheb"), evaluated in f64 but for its
 * exponential (f32).
 */
export function erf(x: f64): f64 {
  const z = abs(x);
  const t = 1 / (1 + 0.5 * z);
  // The exponential in f32 (Mathf.exp, a few times cheaper than f64's software exp, and within
  // the fit's 1.2e-7 relative error): erf's callers round to float32.
  const erfc = t * <f64>Mathf.exp(<f32>(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))))));
  return x >= 0 ? 1 - erfc : erfc - 1;
}

/** gelu(x) = x/2 · (1 + erf(x/√2)): PyTorch's default, approximate='none'. */
export function gelu(x: f32): f32 {
  return <f32>(0.5 * <f64>x * (1 + erf(<f64>x * Math.SQRT1_2)));
}

/** sigmoid(x) = 1 / (1 + e^-x). */
// @ts-ignore: decorator
@inline export function sigmoid(x: f32): f32 {
  return <f32>1 / (<f32>1 + Mathf.exp(-x));
}

/**
 * erf(x) to f64 rounding error for float32 use (torch.erf): for |x| < 3 the series
 * erf(x) = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6), whose
 * terms are all positive, so no digits cancel; beyond, 1 - erfc with erfc < 2.3e-5 from the
 * fit above (error below 3e-12 there).
 */
export function erfPrecise(x: f64): f64 {
  const z = abs(x);
  if (z != z) return x;
  if (z >= 3) return erf(x);
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (2 * z2) / <f64>(2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const value = 2 / Math.sqrt(Math.PI) * Math.exp(-z2) * sum;
  return x < 0 ? -value : value;
}
