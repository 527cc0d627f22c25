// embeddingBag (TBE) as MTIA 2i runs it (ISCA'25 §3.3, §4.2): the fabric interface gathers
// the indexed table rows with indexed DMA (one descriptor per row), and the SE accumulates up
// to seAccumulateRows rows (ISCA'25 §3.3: 128 on MTIA 2i, 32 on MTIA 1) per instruction into each bag.
//
//   bags over the PEs; rows gathered (i) ─► per PE and step: up to seAccumulateRows rows (ISCA'25 §3.3: 128 on MTIA 2i, 32 on MTIA 1),
//                                           each a DMA descriptor and d · s bytes in
//   SE accumulate                        ─► rows · d / SE rate cycles per step
//   bags (b) written                     ─► b · d · s bytes out
//
// Where the rows come from is the SRAM model's (sram-cache.ts): a row is a hit where the LLC
// holds it. The indices are device data the timing model does not read (timing-only mode has
// none, and both modes time alike), so a gather's rows are taken as spread over the table
// (assumed): a share `resident` of the table in SRAM serves that share of the rows, and every
// index may name a different row, so min(i, rows) rows are fetched at most, those not resident
// from DRAM. This is the most DRAM traffic the indices could cause, never less than physics:
//
//   DRAM bytes = min(i, rows) · d · s · (1 − resident)      hits = the rest of i · d · s
//
// The fetched rows then stay resident, as an LLC keeps what it filled (placed at the table's
// lowest missing addresses, which only the share matters for), and the resident ones become
// the most recently used: a table gathered again, or read whole just before, is served from
// SRAM; a cold one (just uploaded) from DRAM. ISCA'25 §4.2's 40–60 % of sparse accesses from
// SRAM is a production mix this reproduces only as far as its tables fit.

import { ENGINE_SE } from "../layout";
import {
  issueCyclesPerInstruction, peCount, seAccumulateRows, seElementsPerCycle,
} from "../profile";
import {
  RECORD_DRAM_BYTES, RECORD_LOCAL_MEMORY_BYTES, RECORD_OPERAND_BYTES, RECORD_OPERAND_HIT_BYTES,
  RECORD_PEAK_RATE, RECORD_SRAM_BYTES, RECORD_WORK, add, set,
} from "./record";
import { cacheGather, residentIn, writebackBytes } from "./sram-cache";
import { runPipeline, setStages } from "./pipeline";

/**
 * Looks up `count` gathered rows of `rowBytes` each in the SRAM model (see the file comment):
 * a table of `rows` rows at [table, table + tableBytes) serves its resident share from SRAM,
 * the rest of min(count, rows) rows from DRAM, which then stay resident. Puts the operand, hit
 * and DRAM bytes (with the write-backs its fills cause) on the record; returns the DRAM bytes read.
 * Shared by the TBE (timeGather) and torch.gather / index_select / embedding (indexing.ts).
 */
export function gatherRows(count: f64, rowBytes: f64, table: f64, tableBytes: f64, rows: f64): f64 {
  const gathered = count * rowBytes;
  const resident = tableBytes > 0 ? min(1, residentIn(table, table + tableBytes) / tableBytes) : 0;
  const fetched = min(count, rows);
  const fetchedShare = rows > 0 ? (fetched / rows) * (1 - resident) : 0;
  const missBytes = fetched * rowBytes * (1 - resident);
  cacheGather(table, table + tableBytes, fetchedShare * tableBytes);
  add(RECORD_OPERAND_BYTES, gathered);
  add(RECORD_OPERAND_HIT_BYTES, gathered - missBytes);
  add(RECORD_DRAM_BYTES, missBytes + writebackBytes);
  return missBytes;
}

/** Custom instructions per step: one indexed DMA_IN, one SE accumulation. */
export const GATHER_INSTRUCTIONS_PER_STEP: f64 = 2;

/**
 * Times gathering `indices` rows of `dim` elements of `size` bytes from the table of `rows`
 * rows at [table, table + tableBytes) into `bags` bags.
 */
export function timeGather(indices: f64, dim: f64, size: f64, bags: f64, table: f64, tableBytes: f64, rows: f64): void {
  const rowBytes = dim * size;
  const gathered = indices * rowBytes;
  gatherRows(indices, rowBytes, table, tableBytes, rows);
  add(RECORD_SRAM_BYTES, gathered + bags * rowBytes);
  add(RECORD_LOCAL_MEMORY_BYTES, 2 * (gathered + bags * rowBytes));
  set(RECORD_WORK, indices * dim);
  set(RECORD_PEAK_RATE, seElementsPerCycle * peCount);
  const pes = max(1, min(peCount, bags));
  const rowsPerPe = indices / pes;
  const steps = max(1, Math.ceil(rowsPerPe / seAccumulateRows));
  const rowsPerStep = rowsPerPe / steps;
  setStages(
    GATHER_INSTRUCTIONS_PER_STEP * issueCyclesPerInstruction, 0, 0, (rowsPerStep * dim) / seElementsPerCycle, 0,
    rowsPerStep * rowBytes, (bags / pes / steps) * rowBytes, rowsPerStep,
  );
  runPipeline(steps, pes, 0, ENGINE_SE);
}
