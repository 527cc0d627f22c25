// The memory levels an op's operands come from, as seen from the PE grid: local memory (LS)
// inside each PE, the on-chip SRAM (as an LLC, sram-cache.ts), and LPDDR5 behind it. An op
// reads each operand once from SRAM or DRAM into the grid (re-reads of tiles are SRAM traffic
// its lowering counts) and writes its output into SRAM; the record keeps the bytes per level,
// DRAM's including the dirty bytes written back (evicted, or an output larger than the SRAM
// streaming past). The runtime's dead-data hint (OP_DISCARD, when the caching allocator frees
// a block) drops a block's bytes without write-back.

import { HEAP_LOCATION } from "../layout";
import { add } from "./record";
import {
  RECORD_DRAM_BYTES, RECORD_OPERAND_BYTES, RECORD_OPERAND_HIT_BYTES,
} from "./record";
import { cacheAccess, cacheDrop, hitBytes, writebackBytes } from "./sram-cache";

/**
 * The op reads [start, start + bytes): hits come from SRAM, misses from DRAM (and stay
 * resident). A number operand held in the op's argument block (below the heap) is a constant
 * of the instruction stream, not memory traffic.
 */
export function readOperand(start: f64, bytes: f64): void {
  if (bytes <= 0 || start < <f64>HEAP_LOCATION) return;
  cacheAccess(start, start + bytes, false);
  add(RECORD_OPERAND_BYTES, bytes);
  add(RECORD_OPERAND_HIT_BYTES, hitBytes);
  add(RECORD_DRAM_BYTES, bytes - hitBytes + writebackBytes);
}

/** The op writes [start, start + bytes) into SRAM (write-allocate); evicted dirty bytes go to DRAM. */
export function writeOperand(start: f64, bytes: f64): void {
  if (bytes <= 0) return;
  cacheAccess(start, start + bytes, true);
  add(RECORD_DRAM_BYTES, writebackBytes);
}

/** A DMA from the host writes [start, start + bytes) of DRAM; copies in SRAM are dropped. */
export function writeDramFromHost(start: f64, bytes: f64): void {
  if (bytes <= 0) return;
  cacheDrop(start, start + bytes);
  add(RECORD_DRAM_BYTES, bytes + writebackBytes);
}

/**
 * The runtime freed [start, start + bytes) (OP_DISCARD): its bytes leave the SRAM without being
 * written back, since no one can read them again (ISCA'25 §4.1–4.2: memory hints can skip the
 * write-back of dead tensors; when the runtime gives them is assumed, src/runtime/simulated-device.ts).
 * A split a full table cannot make evicts a range's tail instead, charged to no op.
 */
export function discardOperand(start: f64, bytes: f64): void {
  if (!(bytes > 0)) return;
  cacheDrop(start, start + bytes);
}
