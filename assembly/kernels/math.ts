// Scalar float32 activation functions with PyTorch's definitions (torch.nn.functional).

/**
 * erf(x) with fractional error below 1.2e-7 everywhere: the Chebyshev fit of erfc of
 * Numerical Recipes (Press et al., 3rd ed., §6.2.2, "erfccheb"), evaluated in f64.
 */
export function erf(x: f64): f64 {
  const z = abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
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
