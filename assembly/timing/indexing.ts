// Gathers (torch.gather, index_select, embedding) as indexed DMA, the way MTIA's fabric
// interface gathers embedding rows (ISCA'25 §3.3, §4.2; timing/gather.ts for the TBE): one DMA
// descriptor per gathered row segment (a run of elements contiguous in both the input and the
// output), no compute engine; the segments go straight back out to SRAM.
//
//   segments over the PEs (≤ peCount) ─► steps of up to seAccumulateRows segments per PE,
//                                         at least two steps for two or more segments
//   per step: issue 2 instructions (indexed DMA_IN, DMA_OUT)
//             FI in: r · (segment + index) bytes + r descriptors; FI out: r · segment bytes
//
// Where the segments come from is the SRAM model's, as for the TBE (gather.ts gatherRows()): the
// input's resident share serves that share of them, the rest of min(segments, input segments)
// comes from DRAM (every index may name another segment; the indices are data the timing model
// does not read) and then stays resident. The indices and the output go through
// readOperand/writeOperand like any operand.

import { ENGINE_NONE } from "../layout";
import {
  fabricBytesPerCycle, issueCyclesPerInstruction, peCount, seAccumulateRows,
} from "../profile";
import {
  RECORD_LOCAL_MEMORY_BYTES, RECORD_PEAK_RATE, RECORD_SRAM_BYTES, RECORD_WORK, add, set,
} from "./record";
import { gatherRows } from "./gather";
import { runPipeline, setStages } from "./pipeline";

/** Custom instructions per step of a gather: one indexed DMA_IN, one DMA_OUT. */
export const INDEXING_INSTRUCTIONS_PER_STEP: f64 = 2;

/**
 * Times gathering `segments` row segments of `segmentBytes` each (`indexBytes` of indices in
 * all) from the input at [input, input + inputBytes). The caller has read the indices and
 * written the output through memory-levels.ts.
 */
export function timeIndexing(segments: f64, segmentBytes: f64, indexBytes: f64, input: f64, inputBytes: f64): void {
  const gathered = segments * segmentBytes;
  // The input as a table of its distinct segments (at least one).
  gatherRows(segments, segmentBytes, input, inputBytes, segmentBytes > 0 ? max(1, Math.floor(inputBytes / segmentBytes)) : 0);
  add(RECORD_SRAM_BYTES, 2 * gathered + indexBytes);
  add(RECORD_LOCAL_MEMORY_BYTES, 2 * gathered + indexBytes);
  set(RECORD_WORK, gathered);
  set(RECORD_PEAK_RATE, fabricBytesPerCycle * peCount);
  if (segments <= 0) {
    setStages(0, 0, 0, 0, 0, 0, 0, 0);
    runPipeline(1, 1, 0, ENGINE_NONE);
    return;
  }
  const pes = max(1, min(peCount, segments));
  const perPe = segments / pes;
  // Double-buffered: a PE with two or more segments splits them into at least two steps, so
  // that its DMA out of one batch overlaps the DMA in of the next.
  const steps = max(min(2, Math.floor(perPe)), Math.ceil(perPe / seAccumulateRows));
  const rows = perPe / steps;
  setStages(
    INDEXING_INSTRUCTIONS_PER_STEP * issueCyclesPerInstruction, 0, 0, 0, 0,
    rows * segmentBytes + (indexBytes / segments) * rows, rows * segmentBytes, rows,
  );
  runPipeline(steps, pes, 0, ENGINE_NONE);
}
