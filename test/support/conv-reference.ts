// Float64 references of convolution and pooling as direct loops over NCHW arrays, written from
// PyTorch's definitions (torch.nn.functional.conv2d, conv_transpose2d, max_pool2d, avg_pool2d,
// adaptive_avg_pool2d docs and ATen's CPU kernels' window rules), independently of the core.

import { erf } from './reference.js';

/** An NCHW array: its values (row-major) and its shape. */
export interface Nchw {
  data: ArrayLike<number>;
  shape: [number, number, number, number];
}

/** Geometry of a conv2d: stride, pads [top, left, bottom, right], dilation, groups. */
export interface ConvGeometry {
  stride: [number, number];
  pads: [number, number, number, number];
  dilation: [number, number];
  groups: number;
}

/** torch.nn.functional's activations in float64 (gelu with the exact erf). */
export function activationReference(name: string | null, x: number): number {
  switch (name) {
    case null: return x;
    case 'relu': return Math.max(x, 0);
    case 'relu6': return Math.min(Math.max(x, 0), 6);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'silu': return x / (1 + Math.exp(-x));
    case 'gelu': return 0.5 * x * (1 + erf(x / Math.SQRT2));
    default: throw new Error(`unknown activation ${name}`);
  }
}

/** conv2d of x [N, C_in, H, W] and weight [C_out, C_in/g, kH, kW] (+ bias) in float64. */
export function conv2dReference(x: Nchw, weight: Nchw, bias: ArrayLike<number> | null, g: ConvGeometry, activation: string | null = null): Nchw {
  const [n, cIn, h, w] = x.shape;
  const [cOut, cInG, kH, kW] = weight.shape;
  const [sH, sW] = g.stride;
  const [pT, pL, pB, pR] = g.pads;
  const [dH, dW] = g.dilation;
  const oh = Math.floor((h + pT + pB - dH * (kH - 1) - 1) / sH) + 1;
  const ow = Math.floor((w + pL + pR - dW * (kW - 1) - 1) / sW) + 1;
  const cOutG = cOut / g.groups;
  const out = new Float64Array(n * cOut * oh * ow);
  let i = 0;
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cOut; co++) {
      const grp = Math.floor(co / cOutG);
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let sum = bias ? bias[co]! : 0;
          for (let c = 0; c < cInG; c++) {
            const ci = grp * cInG + c;
            for (let kh = 0; kh < kH; kh++) {
              const iy = y * sH - pT + kh * dH;
              if (iy < 0 || iy >= h) continue;
              for (let kw = 0; kw < kW; kw++) {
                const ix = xo * sW - pL + kw * dW;
                if (ix < 0 || ix >= w) continue;
                sum += x.data[((b * cIn + ci) * h + iy) * w + ix]! * weight.data[((co * cInG + c) * kH + kh) * kW + kw]!;
              }
            }
          }
          out[i++] = activationReference(activation, sum);
        }
      }
    }
  }
  void cIn;
  return { data: out, shape: [n, cOut, oh, ow] };
}

/**
 * conv_transpose2d of x [N, C_in, H, W] and weight [C_in, C_out/g, kH, kW] (+ bias) in float64,
 * by scattering each input element (the definition: the adjoint of conv2d).
 */
export function convTranspose2dReference(
  x: Nchw, weight: Nchw, bias: ArrayLike<number> | null, stride: [number, number], padding: [number, number],
  outputPadding: [number, number], dilation: [number, number], groups: number,
): Nchw {
  const [n, cIn, h, w] = x.shape;
  const [, cOutG, kH, kW] = weight.shape;
  const cOut = cOutG * groups;
  const cInG = cIn / groups;
  const oh = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kH - 1) + outputPadding[0] + 1;
  const ow = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kW - 1) + outputPadding[1] + 1;
  const out = new Float64Array(n * cOut * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cOut; co++) for (let p = 0; p < oh * ow; p++) out[(b * cOut + co) * oh * ow + p] = bias ? bias[co]! : 0;
    for (let ci = 0; ci < cIn; ci++) {
      const grp = Math.floor(ci / cInG);
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          const v = x.data[((b * cIn + ci) * h + iy) * w + ix]!;
          for (let c = 0; c < cOutG; c++) {
            const co = grp * cOutG + c;
            for (let kh = 0; kh < kH; kh++) {
              const y = iy * stride[0] - padding[0] + kh * dilation[0];
              if (y < 0 || y >= oh) continue;
              for (let kw = 0; kw < kW; kw++) {
                const xo = ix * stride[1] - padding[1] + kw * dilation[1];
                if (xo < 0 || xo >= ow) continue;
                out[((b * cOut + co) * oh + y) * ow + xo]! += v * weight.data[((ci * cOutG + c) * kH + kh) * kW + kw]!;
              }
            }
          }
        }
      }
    }
  }
  return { data: out, shape: [n, cOut, oh, ow] };
}

/** Output size of a pooling window along one dim (ceil mode drops a window starting in the end padding). */
export function pooledSizeReference(size: number, k: number, before: number, after: number, s: number, d: number, ceil: boolean): number {
  const span = size + before + after - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + before) out--;
  return out;
}

/** Options of poolReference. */
export interface PoolGeometry {
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
  dilation?: [number, number];
  ceil?: boolean;
  countIncludePad?: boolean;
}

/** max_pool2d or avg_pool2d of x in float64. */
export function poolReference(kind: 'max' | 'avg', x: Nchw, g: PoolGeometry): Nchw {
  const [n, c, h, w] = x.shape;
  const [kH, kW] = g.kernel;
  const [sH, sW] = g.stride;
  const [pT, pL, pB, pR] = g.pads;
  const [dH, dW] = g.dilation ?? [1, 1];
  const oh = pooledSizeReference(h, kH, pT, pB, sH, dH, g.ceil ?? false);
  const ow = pooledSizeReference(w, kW, pL, pR, sW, dW, g.ceil ?? false);
  const out = new Float64Array(n * c * oh * ow);
  let i = 0;
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const values: number[] = [];
        let padded = 0; // window positions inside the padded input (count_include_pad's divisor)
        for (let kh = 0; kh < kH; kh++) {
          for (let kw = 0; kw < kW; kw++) {
            const iy = y * sH - pT + kh * dH;
            const ix = xo * sW - pL + kw * dW;
            if (iy < h + pB && ix < w + pR) padded++;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) values.push(x.data[(plane * h + iy) * w + ix]!);
          }
        }
        if (kind === 'max') {
          out[i++] = values.some(Number.isNaN) ? NaN : Math.max(...values);
        } else {
          const sum = values.reduce((a, v) => a + v, 0);
          out[i++] = values.length === 0 ? 0 : sum / ((g.countIncludePad ?? true) ? padded : values.length);
        }
      }
    }
  }
  return { data: out, shape: [n, c, oh, ow] };
}

/** adaptive_avg_pool2d of x to [oh, ow] in float64: window i spans [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉). */
export function adaptiveAvgPoolReference(x: Nchw, oh: number, ow: number): Nchw {
  const [n, c, h, w] = x.shape;
  const out = new Float64Array(n * c * oh * ow);
  let i = 0;
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < oh; y++) {
      const [y0, y1] = [Math.floor((y * h) / oh), Math.ceil(((y + 1) * h) / oh)];
      for (let xo = 0; xo < ow; xo++) {
        const [x0, x1] = [Math.floor((xo * w) / ow), Math.ceil(((xo + 1) * w) / ow)];
        let sum = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += x.data[(plane * h + iy) * w + ix]!;
        out[i++] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
  return { data: out, shape: [n, c, oh, ow] };
}
