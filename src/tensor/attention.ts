// torch.nn.functional.scaled_dot_product_attention as one fused device op (OP_ATTENTION,
// assembly/ops/attention.ts): softmax(scale · Q·Kᵀ + mask) · V, flash-attention style, with no
// L × S score matrix in device memory. Batch dims broadcast as torch.matmul's do; the mask
// broadcasts to the attention weights' [..., L, S]; grouped-query attention (enableGqa) reads
// each key/value head for its group of query heads through stride-0 dims, without copies.

import { MtiaError } from '../errors.js';
import { checkOptions } from '../options.js';
import {
  ARGS_RANK, ATTENTION_CAUSAL, ATTENTION_KEY_BLOCK, ATTENTION_MASK_ADD, ATTENTION_MASK_BOOL, ATTENTION_MASK_NONE, ATTENTION_MAX_BATCH_RANK,
  OP_ATTENTION,
} from '../runtime/layout.js';
import { dtypeInfo, isFloatingDType } from './dtype.js';
import { addressOf, argsBlock, broadcastStrides, checkSameDevice, checkTensor, coalesce } from './launch.js';
import { allocateTensor, filling } from './ops.js';
import { broadcastShapes, contiguousStrides } from './shape.js';
import type { Tensor } from './tensor.js';

/** Options of scaledDotProductAttention (torch's keyword arguments). */
export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to the attention weights [..., L, S]: bool (true takes part in attention) or
   * float (added to the scores; float32 or the query's dtype).
   */
  attnMask?: Tensor | null;
  /** Dropout probability: only 0 (inference) is supported. */
  dropoutP?: number;
  /** Causal masking: query i attends to keys j ≤ i (the upper-left aligned triangle, as torch). */
  isCausal?: boolean;
  /** Multiplies Q·Kᵀ (default 1/√E). */
  scale?: number | null;
  /** Grouped-query attention: key and value heads (dim −3) each serve a group of query heads. */
  enableGqa?: boolean;
}

/** Workspace bytes OP_ATTENTION needs (mirrors assembly/ops/attention.ts attentionWorkspaceBytes). */
function workspaceBytes(s: number, e: number, ev: number): number {
  return (s * (e + ev) + e + ev + ATTENTION_KEY_BLOCK) * 4;
}

/** Strides of batch dims `shape` (with `strides`) broadcast to `batch` (0 along new or expanded dims). */
function broadcastBatch(shape: readonly number[], strides: readonly number[], batch: readonly number[]): number[] {
  const lead = batch.length - shape.length;
  return batch.map((size, d) => (d < lead || (shape[d - lead] === 1 && size !== 1) ? 0 : strides[d - lead]!));
}

/**
 * Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention): query
 * [..., L, E], key [..., S, E], value [..., S, Ev] → [..., L, Ev], in float32 accumulation; a
 * row whose keys are all masked out is 0 (as torch's math kernel).
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = 'scaledDotProductAttention';
  const q = checkTensor(op, query, 'query');
  const k = checkTensor(op, key, 'key');
  const v = checkTensor(op, value, 'value');
  checkOptions(op, options, ['attnMask', 'dropoutP', 'isCausal', 'scale', 'enableGqa']);
  const mask = options.attnMask === undefined || options.attnMask === null ? undefined : checkTensor(op, options.attnMask, 'attn_mask');
  const device = checkSameDevice(op, mask ? [q, k, v, mask] : [q, k, v]);
  const dropoutP = options.dropoutP ?? 0;
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) {
    throw new TypeError(`${op}(): dropout_p must be a number in [0, 1], but got: ${String(dropoutP)}`);
  }
  if (dropoutP !== 0) throw new MtiaError(`${op}(): dropout_p=${dropoutP} is not supported by mtia-sim: only inference (dropout_p=0)`);
  const isCausal = options.isCausal ?? false;
  const enableGqa = options.enableGqa ?? false;
  if (typeof isCausal !== 'boolean') throw new TypeError(`${op}(): is_causal must be a boolean, but got: ${String(isCausal)}`);
  if (typeof enableGqa !== 'boolean') throw new TypeError(`${op}(): enable_gqa must be a boolean, but got: ${String(enableGqa)}`);
  // validate_sdpa_input (aten/src/ATen/native/transformers/attention.cpp), in its words.
  if (q.dtype !== k.dtype || q.dtype !== v.dtype) {
    const name = (t: Tensor) => dtypeInfo(t.dtype).cppType;
    throw new MtiaError(`Expected query, key, and value to have the same dtype, but got query.dtype: ${name(q)} key.dtype: ${name(k)} and value.dtype: ${name(v)} instead.`);
  }
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new MtiaError(`Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: ${q.ndim} key.dim: ${k.ndim} and value.dim: ${v.ndim} instead.`);
  }
  if (mask && mask.dtype !== 'bool' && mask.dtype !== 'float32' && mask.dtype !== q.dtype) {
    throw new MtiaError(`Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ${dtypeInfo(mask.dtype).cppType} and  query.dtype: ${dtypeInfo(q.dtype).cppType} instead.`);
  }
  if (!isFloatingDType(q.dtype)) throw new MtiaError(`"scaled_dot_product_attention" not implemented for '${dtypeInfo(q.dtype).scalarType}'`);
  if (isCausal && mask) throw new MtiaError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True');
  const [l, e] = q.shape.slice(-2) as [number, number];
  const [s, ke] = k.shape.slice(-2) as [number, number];
  const [vs, ev] = v.shape.slice(-2) as [number, number];
  if (ke !== e) throw new MtiaError(`${op}(): query and key must have the same embedding dim E (the last), but got query [${q.shape.join(', ')}] and key [${k.shape.join(', ')}]`);
  if (vs !== s) throw new MtiaError(`${op}(): key and value must have the same sequence length S (dim -2), but got key [${k.shape.join(', ')}] and value [${v.shape.join(', ')}]`);
  const scale = options.scale ?? (e > 0 ? 1 / Math.sqrt(e) : 1); // E = 0: every score is 0 whatever the scale
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new TypeError(`${op}(): scale must be a finite number or null, but got: ${String(scale)}`);

  // Batch dims: torch.matmul's broadcasting, after grouped-query heads are matched.
  let qBatch = q.shape.slice(0, -2);
  let kBatch = k.shape.slice(0, -2);
  let vBatch = v.shape.slice(0, -2);
  let qStrides = q.strides.slice(0, -2);
  let kStrides = k.strides.slice(0, -2);
  let vStrides = v.strides.slice(0, -2);
  let group = 1;
  if (enableGqa && q.ndim >= 3 && k.ndim >= 3 && v.ndim >= 3) {
    const [hq, hk, hv] = [q.shape.at(-3)!, k.shape.at(-3)!, v.shape.at(-3)!];
    if (!(hq === hk && hk === hv) && !(hk > 0 && hv > 0 && hq % hk === 0 && hq % hv === 0)) {
      throw new MtiaError('Number of heads in key and value must divide the number of heads in query');
    }
    if (hk !== hv) throw new MtiaError(`${op}(): enable_gqa with different numbers of key (${hk}) and value (${hv}) heads is not supported by mtia-sim`);
    if (hq !== hk) {
      // Query head h reads key head ⌊h / group⌋: split the head dim into [hk, group].
      group = hq / hk;
      const split = (batch: number[], strides: number[], shared: boolean) => {
        const at = batch.length - 1;
        return {
          batch: [...batch.slice(0, at), hk, group],
          strides: [...strides.slice(0, at), shared ? strides[at]! : strides[at]! * group, shared ? 0 : strides[at]!],
        };
      };
      ({ batch: qBatch, strides: qStrides } = split(qBatch, qStrides, false));
      ({ batch: kBatch, strides: kStrides } = split(kBatch, kStrides, true));
      ({ batch: vBatch, strides: vStrides } = split(vBatch, vStrides, true));
    }
  }
  const batch = broadcastShapes(broadcastShapes(qBatch, kBatch), vBatch);
  // The output's shape is [..., L, Ev] over torch's batch dims (the head dim not split).
  const outBatch = group > 1 ? [...batch.slice(0, -2), batch.at(-2)! * group] : batch;
  const outShape = [...outBatch, l, ev];

  // The mask broadcasts to the attention weights' shape [..., L, S] (torch adds it in place).
  let maskStrides: number[] = [];
  if (mask) {
    const weights = [...outBatch, l, s];
    const fits = mask.ndim <= weights.length && mask.shape.every((size, d) => size === 1 || size === weights[weights.length - mask.ndim + d]);
    if (!fits) {
      throw new MtiaError(`${op}(): attn_mask of shape [${mask.shape.join(', ')}] does not broadcast to the attention weights' shape [${weights.join(', ')}]`);
    }
    const full = broadcastStrides(mask, weights);
    const lead = full.slice(0, -2);
    const heads = group > 1 ? [lead.at(-1)! * group, lead.at(-1)!] : [];
    maskStrides = [...(group > 1 ? [...lead.slice(0, -1), ...heads] : lead), full.at(-2)!, full.at(-1)!];
  }

  const out = allocateTensor(device, outShape, q.dtype);
  if (out.numel === 0) return out;
  const outStrides = contiguousStrides([...batch, l, ev]);
  const batchStrides = [
    outStrides.slice(0, -2), broadcastBatch(qBatch, qStrides, batch), broadcastBatch(kBatch, kStrides, batch),
    broadcastBatch(vBatch, vStrides, batch),
    mask ? maskStrides.slice(0, -2) : batch.map(() => 0),
  ];
  const merged = coalesce(batch, batchStrides);
  if (merged.shape.length > ATTENTION_MAX_BATCH_RANK) {
    throw new MtiaError(`${op}(): mtia-sim supports at most ${ATTENTION_MAX_BATCH_RANK} batch dims after merging contiguous ones, but got ${merged.shape.length}`);
  }
  const [mo, mq, mk, mv, mm] = merged.strides as [number[], number[], number[], number[], number[]];
  const maskKind = mask === undefined ? ATTENTION_MASK_NONE : mask.dtype === 'bool' ? ATTENTION_MASK_BOOL : ATTENTION_MASK_ADD;
  const flags = (isCausal ? ATTENTION_CAUSAL : 0) | (maskKind << 1) | ((mask && mask.dtype !== 'bool' ? dtypeInfo(mask.dtype).code : 0) << 8);
  const workspace = device.allocate(workspaceBytes(s, e, ev));
  try {
    const reads = mask ? [q, k, v, mask] : [q, k, v];
    filling([out], () => {
      const args = argsBlock().iteration([...merged.shape, l, s], [
        [...mo, ev, 1],
        [...mq, q.strides.at(-2)!, q.strides.at(-1)!],
        [...mk, k.strides.at(-2)!, k.strides.at(-1)!],
        [...mv, v.strides.at(-2)!, v.strides.at(-1)!],
        [],
        mask ? [...mm, maskStrides.at(-2)!, maskStrides.at(-1)!] : [],
      ]);
      // The iteration's rank is the batch's: L and S are sizes past it (ops/attention.ts).
      args.words[ARGS_RANK] = merged.shape.length;
      args
        .dtype(1, q.dtype)
        .dtype(2, k.dtype)
        .dtype(3, v.dtype)
        .address3(addressOf(v))
        .params(e, ev)
        .floatParam(2, scale)
        .param(3, flags)
        .addressParam(4, mask ? addressOf(mask) : 0)
        .addressParam(6, workspace)
        .enqueue(device, { op, reads, writes: [out] }, OP_ATTENTION, q.dtype, out.storage.address, addressOf(q), addressOf(k), out.numel);
    });
  } finally {
    device.release(workspace);
  }
  return out;
}
