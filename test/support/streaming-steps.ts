// A streaming op's body for any step count, restated from docs/timing-model.md ("The
// streaming step count", "How an op's time is made") in plain JS, independent of the core: the
// worked examples check that the count the core chose is the one the doc's arithmetic names,
// and that no count in the legal range is cheaper.

/** One PE's share of a streaming op, in cycles in all (β: each step takes β / s) and per step (α). */
export interface StreamingShare {
  /** Access latency of the first DMA (cycles): DRAM's when any operand comes from DRAM. */
  readonly latency: number;
  /** Issue cycles per step (α): 3 instructions × 16 on MTIA 2i. */
  readonly issue: number;
  /** FI in: the PE's input bytes over its fabric rate (β), and its descriptor cycles per step (α). */
  readonly fabricIn: number;
  readonly descriptor: number;
  /** The PE's share of the op's SRAM and DRAM bytes over their rates (β; the grid's bytes / rate). */
  readonly sram: number;
  readonly dram?: number;
  /** RE, SE, MLU passes and FI out (β). */
  readonly re?: number;
  readonly se?: number;
  readonly mlu?: number;
  readonly fabricOut?: number;
}

/** The pipeline's body with `s` steps: latency + Σ stages + (s − 1) · the slowest (pipeline.ts). */
export function streamingBody(share: StreamingShare, s: number): number {
  const memory = Math.max(share.fabricIn / s + share.descriptor, share.sram / s, (share.dram ?? 0) / s);
  const stages = [share.issue, memory, ...[share.re, share.se, share.mlu, share.fabricOut].map((b) => (b ?? 0) / s)];
  return share.latency + stages.reduce((a, b) => a + b, 0) + (s - 1) * Math.max(...stages);
}

/** The count in [lo, hi] with the least body (fewer steps on a tie), tried one by one. */
export function cheapestSteps(share: StreamingShare, lo: number, hi: number): { steps: number; body: number } {
  let best = { steps: lo, body: Infinity };
  for (let s = lo; s <= hi; s++) {
    const body = streamingBody(share, s);
    if (body < best.body) best = { steps: s, body };
  }
  return best;
}
