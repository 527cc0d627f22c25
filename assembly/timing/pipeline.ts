// The PE pipeline: how a tiled op runs on the grid, in closed form. Every PE in use runs the
// same sequence of `steps` tiles through a coarse-grained pipeline of units coupled by
// circular buffers (ISCA'25 §3.2):
//
//   RISC-V issue ─► FI in (DMA: SRAM/DRAM → LS) ─► DPE ─► RE ─► SE / MLU ─► FI out (LS → SRAM)
//        t_issue          t_in                     t_dpe  t_re  t_se t_mlu     t_out
//
// With double buffering each unit works on tile i while its neighbours work on tiles i ± 1, so
// after the first tile has passed every stage (fill) a tile leaves every max(t) cycles:
//
//   body = latency + Σ t  +  (steps − 1) · max(t)  +  drain
//
// latency is the first DMA's access latency (SRAM or DRAM), drain the work only the last tile
// has (a GEMM's output conversion, a K-split's reduction). t_in is the slowest of the PE's own
// fabric interface and its share of the grid's SRAM and DRAM bandwidth per step, so an op whose
// operands come from DRAM is DRAM-bound when DRAM cannot feed a tile per max(t).
//
// t_in also pays the fabric interface's time per DMA descriptor (one per operand tile; one per
// row for an indexed gather). A lowering (gemm.ts, streaming.ts, gather.ts) sets the stage
// times per step and calls
// runPipeline(); it writes the body, the bound and every engine's busy cycles to the record.
//
// The bound names the resource behind the slowest stage: `issue` (the RISC-V cores), `compute`
// (an engine), `fabric` (the PE's own fabric interface: its bytes per cycle and descriptors,
// in or out), `sram` or `dram` (the PE's share of the shared bandwidth). A gather of short
// rows waits on its FI's descriptors while the SRAM behind it idles: that is `fabric`, not
// `sram`, so the profiler points at the part a kernel writer can change (fewer, larger DMAs).
//
// The body is also the length of the pipeline's critical path: the first tile through every
// stage, then the slowest stage once per remaining tile. runPipeline() writes it to the
// record's path by the resource each term waited on, so that the parts add up to the body:
//
//   latency → sram or dram (whichever the first DMA came from)   t_in → the in-stage's bound
//   t_issue → issue   t_dpe + t_re + t_se + t_mlu + drain → compute   t_out → fabric
//   (steps − 1) · max(t) → the slowest stage's bound

import {
  ENGINE_DPE, ENGINE_MLU, ENGINE_RE, ENGINE_SE,
} from "../layout";
import {
  dmaDescriptorCycles, dramBytesPerCycle, dramLatencyCycles, fabricBytesPerCycle, sramBytesPerCycle, sramLatencyCycles,
} from "../profile";
import {
  BOUND_COMPUTE, BOUND_DRAM, BOUND_FABRIC, BOUND_ISSUE, BOUND_SRAM, RECORD_BODY_CYCLES, RECORD_BOUND,
  RECORD_COMPUTE_CYCLES, RECORD_DPE_CYCLES, RECORD_DRAM_BYTES, RECORD_ENGINE, RECORD_FABRIC_BUSY_CYCLES, RECORD_FABRIC_CYCLES,
  RECORD_ISSUE_CYCLES, RECORD_MLU_CYCLES, RECORD_PATH_CYCLES, RECORD_PES, RECORD_RE_CYCLES, RECORD_SE_CYCLES,
  RECORD_SRAM_BYTES, RECORD_STEPS, add, get, set,
} from "./record";

/** Cycles per step of each stage; a lowering sets the ones it uses (resetStages() clears them). */
export let issueStage: f64 = 0;
export let dpeStage: f64 = 0;
export let reStage: f64 = 0;
export let seStage: f64 = 0;
export let mluStage: f64 = 0;
/** Bytes per step one PE moves in and out through its fabric interface. */
export let fabricInBytes: f64 = 0;
export let fabricOutBytes: f64 = 0;
/** DMA descriptors per step the fabric interface processes to bring the bytes in. */
export let fabricInDescriptors: f64 = 0;

/**
 * Sets the per-step stage times (cycles) of one PE, the bytes its fabric interface moves in
 * and out per step, and the DMA descriptors it takes to move them in.
 */
export function setStages(issue: f64, dpe: f64, re: f64, se: f64, mlu: f64, inBytes: f64, outBytes: f64, inDescriptors: f64): void {
  issueStage = issue;
  dpeStage = dpe;
  reStage = re;
  seStage = se;
  mluStage = mlu;
  fabricInBytes = inBytes;
  fabricOutBytes = outBytes;
  fabricInDescriptors = inDescriptors;
}

/**
 * The body (cycles) runPipeline() would give `steps` tiles with the stages set now and the
 * record's SRAM and DRAM bytes, without writing the record: the cost a lowering minimises when
 * it chooses its step count (streaming.ts). Same formula as runPipeline().
 */
export function pipelineBodyCycles(steps: f64, drain: f64): f64 {
  if (steps < 1) steps = 1;
  const fabricIn = fabricInBytes / fabricBytesPerCycle + fabricInDescriptors * dmaDescriptorCycles;
  const fabricOut = fabricOutBytes / fabricBytesPerCycle;
  const memory = max(fabricIn, max(get(RECORD_SRAM_BYTES) / sramBytesPerCycle / steps, get(RECORD_DRAM_BYTES) / dramBytesPerCycle / steps));
  const latency = get(RECORD_DRAM_BYTES) > 0 ? dramLatencyCycles : sramLatencyCycles;
  const compute = max(max(dpeStage, reStage), max(seStage, mluStage));
  const slowest = max(max(issueStage, memory), max(compute, fabricOut));
  const fill = issueStage + memory + dpeStage + reStage + seStage + mluStage + fabricOut;
  return latency + fill + (steps - 1) * slowest + drain;
}

/**
 * Runs `steps` tiles on `pes` PEs through the pipeline with `drain` extra cycles at the end;
 * the record's SRAM and DRAM bytes (set by the lowering before) are spread evenly over the
 * steps. `engine` is the op's compute engine (ENGINE_DPE, ...). Writes the body, bound and
 * per-engine busy cycles to the record.
 */
export function runPipeline(steps: f64, pes: f64, drain: f64, engine: u32): void {
  if (steps < 1) steps = 1;
  const fabricIn = fabricInBytes / fabricBytesPerCycle + fabricInDescriptors * dmaDescriptorCycles;
  const fabricOut = fabricOutBytes / fabricBytesPerCycle;
  const sramPerStep = get(RECORD_SRAM_BYTES) / sramBytesPerCycle / steps;
  const dramPerStep = get(RECORD_DRAM_BYTES) / dramBytesPerCycle / steps;
  // The in-stage waits for the slowest of the PE's fabric link, SRAM and DRAM.
  let memory = fabricIn;
  let memoryBound = BOUND_FABRIC;
  if (sramPerStep >= memory) {
    memory = sramPerStep;
    memoryBound = BOUND_SRAM;
  }
  if (dramPerStep > memory) {
    memory = dramPerStep;
    memoryBound = BOUND_DRAM;
  }
  const latency = get(RECORD_DRAM_BYTES) > 0 ? dramLatencyCycles : sramLatencyCycles;
  const compute = max(max(dpeStage, reStage), max(seStage, mluStage));
  const slowest = max(max(issueStage, memory), max(compute, fabricOut));
  const fill = issueStage + memory + dpeStage + reStage + seStage + mluStage + fabricOut;
  const body = latency + fill + (steps - 1) * slowest + drain;

  let bound = BOUND_COMPUTE;
  if (slowest == issueStage && issueStage > compute) bound = BOUND_ISSUE;
  if (slowest == memory && memory > compute && memory >= issueStage) bound = memoryBound;
  if (slowest == fabricOut && fabricOut > compute && fabricOut > memory && fabricOut > issueStage) bound = BOUND_FABRIC;

  set(RECORD_BODY_CYCLES, body);
  set(RECORD_BOUND, <f64>bound);
  // The critical path by resource (see the file comment): sums to the body.
  set(RECORD_PATH_CYCLES + BOUND_ISSUE, issueStage);
  set(RECORD_PATH_CYCLES + BOUND_COMPUTE, dpeStage + reStage + seStage + mluStage + drain);
  set(RECORD_PATH_CYCLES + BOUND_FABRIC, fabricOut);
  set(RECORD_PATH_CYCLES + BOUND_SRAM, 0);
  set(RECORD_PATH_CYCLES + BOUND_DRAM, 0);
  add(RECORD_PATH_CYCLES + (get(RECORD_DRAM_BYTES) > 0 ? BOUND_DRAM : BOUND_SRAM), latency);
  add(RECORD_PATH_CYCLES + memoryBound, memory);
  add(RECORD_PATH_CYCLES + bound, (steps - 1) * slowest);
  set(RECORD_ENGINE, <f64>engine);
  set(RECORD_PES, pes);
  set(RECORD_STEPS, steps);
  set(RECORD_ISSUE_CYCLES, steps * issueStage);
  set(RECORD_DPE_CYCLES, steps * dpeStage);
  set(RECORD_RE_CYCLES, steps * reStage);
  set(RECORD_SE_CYCLES, steps * seStage);
  set(RECORD_MLU_CYCLES, steps * mluStage);
  set(RECORD_FABRIC_CYCLES, steps * (fabricIn + fabricOut));
  set(RECORD_FABRIC_BUSY_CYCLES, steps * max(fabricIn, fabricOut));
  const busy = engine == ENGINE_DPE ? dpeStage : engine == ENGINE_RE ? reStage : engine == ENGINE_SE ? seStage : engine == ENGINE_MLU ? mluStage : 0;
  set(RECORD_COMPUTE_CYCLES, steps * busy);
}
