// The op record: how one command spent its cycles. One record per ring position
// (layout.ts RECORDS_LOCATION); the queue points `record` at the running command's before it
// runs, the op's timing module (gemm.ts, elementwise.ts, ...) fills in the body, and the queue
// adds where it landed in simulated time (queue.ts). The host's profiler reads records as
// mtia.profiler.opStats() (src/profiler/); src/runtime/layout.ts mirrors the field numbers.
//
//   f64 word  0 start, end              when the job ran on the PE grid (cycles)
//             2 launch                  dispatch-to-start latency it waited (launch or replace)
//             3 issue                   cycles the PEs' RISC-V cores spent issuing instructions
//             4 compute                 busy cycles of the op's compute engine on one PE
//             5 stall                   body cycles the compute engine was not busy
//             6 dpe se re mlu fabric    busy cycles per PE unit (6..10)
//            11 localMemory sram dram pcie   bytes moved at each level (11..14)
//            15 sramHitRate             operand bytes found in SRAM / operand bytes read
//            16 utilisation             the compute engine's work / (its peak × total cycles)
//            17 bound                   BOUND_* code: what set the time
//            18 engine                  ENGINE_* of the compute engine
//            19 body                    cycles from start to end without contention
//            20 work                    MACs (DPE) or element-passes (SE, RE) or bytes (MLU, PCIe)
//            21 pes, steps              PEs used, pipeline steps (tiles) per PE
//            23 tileM, tileN, tileK     GEMM tile; kSplit (26): PEs sharing one output tile's K
//            27 pcieDirection           ENGINE_PCIE_H2D or ENGINE_PCIE_D2H
//            28 peakRate                the compute engine's peak work per cycle over the grid
//            29 operandBytes, operandHitBytes   operand bytes read from SRAM/DRAM, and found in SRAM
//            31 systolicFolds           a GEMM on the systolic array (systolic.ts): its folds,
//            32 mappingEfficiency       and SCALE-Sim v2's COMPUTE_REPORT.csv columns, in percent:
//            33 computeUtilisation        "Mapping Efficiency %", "Compute Util %",
//            34 overallUtilisation        "Overall Util %" (all 0 when no array ran the op)
//            35 reservedFrom[10]        when the op's reservation of each engine began and
//            45 reservedTo[10]          ended (schedule.ts), by ENGINE_DPE .. ENGINE_FABRIC;
//                                       both 0 for an engine it did not use
//            55 fabricBusy              cycles the fabric interface's busier direction was
//                                       busy per PE: what the op holds ENGINE_FABRIC for
//            56 path[8]                 the op's time along its critical path, by what it
//                                       waited on, indexed by BOUND_* code (launch, issue,
//                                       compute, sram, dram, pcie, none: waiting past its own
//                                       pipeline for an engine another job held, fabric):
//                                       they add up to end − start + launch (schedule.ts)
//            64 waitBound               BOUND_* of the engine path[BOUND_NONE] waited for
//
// Queue operations (event records and waits, clock advances, graph launches) run no job: their
// record has only start and end, the stream's clock before and after them (queue.ts).

import { ENGINE_NONE, RECORD_SIZE } from "../layout";

export const RECORD_START_CYCLES: u32 = 0;
export const RECORD_END_CYCLES: u32 = 1;
export const RECORD_LAUNCH_CYCLES: u32 = 2;
export const RECORD_ISSUE_CYCLES: u32 = 3;
export const RECORD_COMPUTE_CYCLES: u32 = 4;
export const RECORD_STALL_CYCLES: u32 = 5;
export const RECORD_DPE_CYCLES: u32 = 6;
export const RECORD_SE_CYCLES: u32 = 7;
export const RECORD_RE_CYCLES: u32 = 8;
export const RECORD_MLU_CYCLES: u32 = 9;
export const RECORD_FABRIC_CYCLES: u32 = 10;
export const RECORD_LOCAL_MEMORY_BYTES: u32 = 11;
export const RECORD_SRAM_BYTES: u32 = 12;
export const RECORD_DRAM_BYTES: u32 = 13;
export const RECORD_PCIE_BYTES: u32 = 14;
export const RECORD_SRAM_HIT_RATE: u32 = 15;
export const RECORD_UTILISATION: u32 = 16;
export const RECORD_BOUND: u32 = 17;
export const RECORD_ENGINE: u32 = 18;
export const RECORD_BODY_CYCLES: u32 = 19;
export const RECORD_WORK: u32 = 20;
export const RECORD_PES: u32 = 21;
export const RECORD_STEPS: u32 = 22;
export const RECORD_TILE_M: u32 = 23;
export const RECORD_TILE_N: u32 = 24;
export const RECORD_TILE_K: u32 = 25;
export const RECORD_K_SPLIT: u32 = 26;
export const RECORD_PCIE_DIRECTION: u32 = 27;
export const RECORD_PEAK_RATE: u32 = 28;
export const RECORD_OPERAND_BYTES: u32 = 29;
export const RECORD_OPERAND_HIT_BYTES: u32 = 30;
export const RECORD_SYSTOLIC_FOLDS: u32 = 31;
export const RECORD_SYSTOLIC_MAPPING_EFFICIENCY: u32 = 32;
export const RECORD_SYSTOLIC_COMPUTE_UTILISATION: u32 = 33;
export const RECORD_SYSTOLIC_OVERALL_UTILISATION: u32 = 34;
/** Field of the first engine's reservation start: engine e's is RECORD_RESERVED_FROM + e − ENGINE_DPE. */
export const RECORD_RESERVED_FROM: u32 = 35;
/** Field of the first engine's reservation end: engine e's is RECORD_RESERVED_TO + e − ENGINE_DPE. */
export const RECORD_RESERVED_TO: u32 = 45;
/**
 * Cycles per PE the busier direction of the fabric interface (in: DMA into local memory with
 * its descriptors; out: DMA back) was busy. The two directions run concurrently (the pipeline's
 * FI in and FI out stages), so this, not `fabric` (their sum), is what another stream waits for.
 */
export const RECORD_FABRIC_BUSY_CYCLES: u32 = 55;
/**
 * First of 8 fields: the op's cycles along its critical path, by what it waited on, at
 * RECORD_PATH_CYCLES + BOUND_* (BOUND_NONE: past its own pipeline, for an engine another job
 * held; a queue operation's whole time). They add up to the op's time, end − start + launch:
 * runPipeline() attributes the body (pipeline.ts), scheduleJob() the launch and the wait.
 */
export const RECORD_PATH_CYCLES: u32 = 56;
/** BOUND_* of the engine whose reservation the op waited for past its pipeline (path[BOUND_NONE] > 0). */
export const RECORD_WAIT_BOUND: u32 = 64;
export const RECORD_FIELDS: u32 = 65;

// What set an op's time (RECORD_BOUND).
export const BOUND_LAUNCH: u32 = 0;
export const BOUND_ISSUE: u32 = 1;
export const BOUND_COMPUTE: u32 = 2;
export const BOUND_SRAM: u32 = 3;
export const BOUND_DRAM: u32 = 4;
export const BOUND_PCIE: u32 = 5;
/** Queue operations (event records and waits, clock advances): no job ran. */
export const BOUND_NONE: u32 = 6;
/**
 * The PEs' fabric interfaces (the DMA between local memory and the NoC: bytes at
 * fabricBytesPerCyclePerPe and descriptors at dmaDescriptorCycles), not the SRAM behind them:
 * an indexed gather of short rows waits on its descriptors while the SRAM idles.
 */
export const BOUND_FABRIC: u32 = 7;

/** The record of the command being run. */
export let record: usize = 0;

/** Points `record` at `address` and clears it for a new command. */
export function openRecord(address: usize): void {
  record = address;
  memory.fill(address, 0, RECORD_SIZE);
  store<f64>(address + (<usize>RECORD_ENGINE << 3), <f64>ENGINE_NONE);
  store<f64>(address + (<usize>RECORD_BOUND << 3), <f64>BOUND_NONE);
}

/** Field `field` of the current record. */
// @ts-ignore: decorator
@inline export function get(field: u32): f64 {
  return load<f64>(record + (<usize>field << 3));
}

/** Sets field `field` of the current record. */
// @ts-ignore: decorator
@inline export function set(field: u32, value: f64): void {
  store<f64>(record + (<usize>field << 3), value);
}

/** Adds `value` to field `field` of the current record. */
// @ts-ignore: decorator
@inline export function add(field: u32, value: f64): void {
  store<f64>(record + (<usize>field << 3), get(field) + value);
}
