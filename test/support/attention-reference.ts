// Scaled dot-product attention in float64, written from torch.nn.functional.scaled_dot_product_attention's
// documented definition (the "equivalent" reference code in its docstring) on Nd arrays:
//
//   attn_bias = 0 (L × S); causal: −∞ where j > i; bool mask: −∞ where false; float mask: added
//   weights   = softmax(Q·Kᵀ · scale + attn_bias, dim=-1), a row of all −∞ giving 0 (torch's
//               math kernel, at::_safe_softmax)
//   out       = weights · V
//
// Batch dims broadcast like torch.matmul; enableGqa repeats key and value heads (dim −3)
// repeat_interleave style. The whole L × S matrix is formed here, unlike the device kernel.

import { Nd, forEachIndex } from './ndarray.js';

/** Options of attentionReference, as the device function takes them (mask as an Nd of 0/1 or floats). */
export interface AttentionReferenceOptions {
  mask?: { nd: Nd; bool: boolean };
  isCausal?: boolean;
  scale?: number;
  enableGqa?: boolean;
}

/** The broadcast of shapes `a` and `b` (NumPy rules; throws when they do not broadcast). */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, d) => {
    const x = a[d - (rank - a.length)] ?? 1;
    const y = b[d - (rank - b.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    return x === 1 ? y : x;
  });
}

/** Element of `nd` at `index` of a (broadcast) shape with at least nd's rank. */
function at(nd: Nd, index: readonly number[]): number {
  const lead = index.length - nd.shape.length;
  return nd.get(nd.shape.map((size, d) => (size === 1 ? 0 : index[lead + d]!)));
}

/** softmax(scale·QKᵀ + mask)·V in float64; returns [batch..., L, Ev]. */
export function attentionReference(q: Nd, k: Nd, v: Nd, options: AttentionReferenceOptions = {}): Nd {
  const [l, e] = q.shape.slice(-2) as [number, number];
  const s = k.shape.at(-2)!;
  const ev = v.shape.at(-1)!;
  const scale = options.scale ?? 1 / Math.sqrt(e);
  const qHeads = q.shape.length >= 3 ? q.shape.at(-3)! : 1;
  const kHeads = k.shape.length >= 3 ? k.shape.at(-3)! : 1;
  const vHeads = v.shape.length >= 3 ? v.shape.at(-3)! : 1;
  const kGroup = options.enableGqa && kHeads !== qHeads ? qHeads / kHeads : 1;
  const vGroup = options.enableGqa && vHeads !== qHeads ? qHeads / vHeads : 1;
  /** k's batch index for an output batch index: its head is ⌊h / group⌋ under GQA. */
  const grouped = (index: number[], group: number) => {
    if (group === 1) return index;
    const copy = [...index];
    copy[copy.length - 1] = Math.floor(copy.at(-1)! / group);
    return copy;
  };
  const kBatch = k.shape.slice(0, -2).map((size, d, all) => (d === all.length - 1 ? size * kGroup : size));
  const vBatch = v.shape.slice(0, -2).map((size, d, all) => (d === all.length - 1 ? size * vGroup : size));
  const batch = broadcastShape(broadcastShape(q.shape.slice(0, -2), kBatch), vBatch);
  const out: number[] = [];
  forEachIndex(batch.length ? batch : [1], (raw) => {
    const index = batch.length ? raw : [];
    const kIndex = grouped(index.slice(index.length - (k.shape.length - 2)), kGroup);
    const vIndex = grouped(index.slice(index.length - (v.shape.length - 2)), vGroup);
    const qIndex = index.slice(index.length - (q.shape.length - 2));
    for (let i = 0; i < l; i++) {
      const scores = new Array<number>(s);
      for (let j = 0; j < s; j++) {
        let dot = 0;
        for (let c = 0; c < e; c++) dot += at(q, [...qIndex, i, c]) * at(k, [...kIndex, j, c]);
        let bias = 0;
        if (options.isCausal && j > i) bias = -Infinity;
        if (options.mask) {
          const m = at(options.mask.nd, [...index, i, j]);
          bias += options.mask.bool ? (m ? 0 : -Infinity) : m;
        }
        scores[j] = dot * scale + bias;
      }
      const top = Math.max(...scores);
      const allMasked = scores.every((x) => x === -Infinity);
      const p = scores.map((x) => (allMasked ? 0 : Math.exp(x - top)));
      const z = p.reduce((sum, x) => sum + x, 0);
      for (let c = 0; c < ev; c++) {
        let sum = 0;
        for (let j = 0; j < s; j++) sum += p[j]! * at(v, [...vIndex, j, c]);
        out.push(allMasked ? 0 : sum / z);
      }
    }
  });
  return new Nd([...batch, l, ev], out);
}
