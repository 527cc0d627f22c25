// embeddingBag (TBE) as MTIA 2i runs it (ISCA'25 §3.3, §4.2): the fabric interface gathers
// the indexed table rows with indexed DMA (one descriptor per row), and the SE accumulates up
// to seAccumulateRows rows (ISCA'25 §3.3: 128 on MTIA 2i, 32 on MTIA 1) per instruction into each bag.
//
//   bags over the PEs; rows gathered (i) ─► per PE and step: up to seAccumulateRows rows (ISCA'25 §3.3: 128 on MTIA 2i, 32 on MTIA 1),
//                                           each a DMA descriptor and d · s bytes in
//   SE accumulate                        ─► rows · d / SE rate cycles per step
//   bags (b) written                     ─► b · d · s bytes out
//
// A sparse table's rows are found in SRAM at gatherSramHitRate (ISCA'25 §4.2: 40–60 % of
// sparse accesses were served from SRAM), unless the whole table is resident (a small table
// the device just wrote or read), when all are. Gathered rows are not made resident.

import { ENGINE_SE } from "../layout";
import {
  gatherSramHitRate, issueCyclesPerInstruction, peCount, seAccumulateRows, seElementsPerCycle,
} from "../profile";
import {
  RECORD_DRAM_BYTES, RECORD_LOCAL_MEMORY_BYTES, RECORD_OPERAND_BYTES, RECORD_OPERAND_HIT_BYTES,
  RECORD_PEAK_RATE, RECORD_SRAM_BYTES, RECORD_WORK, add, set,
} from "./record";
import { residentIn } from "./sram-cache";
import { runPipeline, setStages } from "./pipeline";

/** Custom instructions per step: one indexed DMA_IN, one SE accumulation. */
export const GATHER_INSTRUCTIONS_PER_STEP: f64 = 2;

/**
 * Times gathering `indices` rows of `dim` elements of `size` bytes from the table at
 * [table, table + tableBytes) into `bags` bags.
 */
export function timeGather(indices: f64, dim: f64, size: f64, bags: f64, table: f64, tableBytes: f64): void {
  const rowBytes = dim * size;
  const gathered = indices * rowBytes;
  const resident = tableBytes > 0 && residentIn(table, table + tableBytes) >= tableBytes;
  const hitRate = resident ? 1 : gatherSramHitRate;
  add(RECORD_OPERAND_BYTES, gathered);
  add(RECORD_OPERAND_HIT_BYTES, gathered * hitRate);
  add(RECORD_DRAM_BYTES, gathered * (1 - hitRate));
  add(RECORD_SRAM_BYTES, gathered + bags * rowBytes);
  add(RECORD_LOCAL_MEMORY_BYTES, 2 * (gathered + bags * rowBytes));
  set(RECORD_WORK, indices * dim);
  set(RECORD_PEAK_RATE, seElementsPerCycle * peCount);
  const pes = max(1, min(peCount, bags));
  const rowsPerPe = indices / pes;
  const steps = max(1, Math.ceil(rowsPerPe / seAccumulateRows));
  const rows = rowsPerPe / steps;
  setStages(
    GATHER_INSTRUCTIONS_PER_STEP * issueCyclesPerInstruction, 0, 0, (rows * dim) / seElementsPerCycle, 0,
    rows * rowBytes, (bags / pes / steps) * rowBytes, rows,
  );
  runPipeline(steps, pes, 0, ENGINE_SE);
}
