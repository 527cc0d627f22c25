// One op as the profiler reports it: what the host knew when it enqueued the op (name, device,
// stream, shapes, dtype) joined to the op record the core wrote when it ran it
// (assembly/timing/record.ts says what each field means; src/runtime/layout.ts mirrors the
// field numbers). Cycles are f64 counts of the device's clock; times are nanoseconds of
// simulated device time on that device's clock (each device has its own).

import {
  BOUND_COMPUTE, BOUND_DRAM, BOUND_FABRIC, BOUND_ISSUE, BOUND_LAUNCH, BOUND_PCIE, BOUND_SRAM, ENGINE_DPE, ENGINE_MLU,
  ENGINE_PCIE_D2H, ENGINE_PCIE_H2D, ENGINE_RE, ENGINE_SE, RECORD_COMPUTE_CYCLES,
  RECORD_DPE_CYCLES, RECORD_DRAM_BYTES, RECORD_END_CYCLES, RECORD_ENGINE, RECORD_FABRIC_CYCLES,
  RECORD_ISSUE_CYCLES, RECORD_K_SPLIT, RECORD_LAUNCH_CYCLES, RECORD_LOCAL_MEMORY_BYTES, RECORD_MLU_CYCLES,
  RECORD_OPERAND_BYTES, RECORD_PCIE_BYTES, RECORD_PES, RECORD_RE_CYCLES, RECORD_SE_CYCLES, RECORD_SRAM_BYTES,
  RECORD_SRAM_HIT_RATE, RECORD_STALL_CYCLES, RECORD_START_CYCLES, RECORD_STEPS, RECORD_SYSTOLIC_COMPUTE_UTILISATION,
  RECORD_SYSTOLIC_FOLDS, RECORD_SYSTOLIC_MAPPING_EFFICIENCY, RECORD_SYSTOLIC_OVERALL_UTILISATION, RECORD_TILE_K,
  RECORD_TILE_M, RECORD_TILE_N, RECORD_UTILISATION, RECORD_BOUND,
  RECORD_WORK, BOUND_NONE, RECORD_PATH_CYCLES, RECORD_WAIT_BOUND,
} from '../runtime/layout.js';
import type { HardwareProfile } from '../profiles.js';
import { opEnergy, type OpEnergy } from './energy.js';

/** What set an op's time (the record's BOUND_* code). */
export type OpBound = 'launch' | 'issue' | 'compute' | 'fabric' | 'sram' | 'dram' | 'pcie' | 'none';

/** The op's compute engine (the record's ENGINE_* code); 'none' when no engine did work. */
export type OpEngine = 'dpe' | 'se' | 're' | 'mlu' | 'pcie' | 'none';

/** Cycles of the device clock an op spent, and where. */
export interface OpCycles {
  /** From the moment the job was ready to its end: launch + compute + stall. */
  readonly total: number;
  /** Waiting for the control core to launch the job (dispatch-to-start latency, or a replace). */
  readonly launch: number;
  /** Cycles the PEs' RISC-V cores spent issuing instructions. */
  readonly issue: number;
  /** Busy cycles of the op's compute engine on one PE. */
  readonly compute: number;
  /** Cycles after the launch in which the compute engine was not busy (waiting on memory, issue, other jobs). */
  readonly stall: number;
  /** Busy cycles of the dot-product engine (DPE) per PE. */
  readonly dpe: number;
  /** Busy cycles of the SIMD engine (SE) per PE. */
  readonly se: number;
  /** Busy cycles of the reduction engine (RE) per PE. */
  readonly re: number;
  /** Busy cycles of the memory layout unit (MLU) per PE. */
  readonly mlu: number;
  /** Busy cycles of the PE's fabric interface (DMA in plus DMA out, with descriptors) per PE. */
  readonly fabric: number;
}

/**
 * An op's time split along its critical path by what it waited on (assembly/timing/record.ts
 * `path`): the parts add up to cycles.total, and `bound` names the largest (`wait` counting as
 * `waitedFor`). The pipeline's first tile passes every stage once and each further tile waits
 * on the slowest stage (assembly/timing/pipeline.ts), so a stage that is not the slowest still
 * owns its first-tile cycles.
 */
export interface OpTimeParts {
  /** Cycles until the control core launched the job (dispatch-to-start latency, or a replace). */
  readonly launch: number;
  /** Cycles waiting for the PEs' RISC-V cores to issue instructions. */
  readonly issue: number;
  /** Cycles waiting for the compute engines (DPE, SE, RE, MLU; the last tile's drain included). */
  readonly compute: number;
  /** Cycles waiting for the PEs' fabric interfaces (DMA bytes per cycle and descriptors). */
  readonly fabric: number;
  /** Cycles waiting for the SRAM: its latency and its shared bandwidth. */
  readonly sram: number;
  /** Cycles waiting for the DRAM: its latency and its bandwidth. */
  readonly dram: number;
  /** Cycles waiting for the PCIe link (host copies). */
  readonly pcie: number;
  /** Cycles after its own pipeline until an engine another job held was free (or a queue operation's whole time). */
  readonly wait: number;
  /** What `wait` waited for ('none' when it did not wait, or for a queue operation). */
  readonly waitedFor: OpBound;
}

/** Bytes an op moved at each level of the memory hierarchy. */
export interface OpBytes {
  /** Bytes moved in the PEs' local memory. */
  readonly localMemory: number;
  /** Bytes moved to or from the on-chip SRAM. */
  readonly sram: number;
  /** Bytes moved to or from device DRAM. */
  readonly dram: number;
  /** Bytes moved over PCIe (host copies). */
  readonly pcie: number;
  /** Operand bytes the op read from beyond its PEs (SRAM or DRAM): what sramHitRate is a fraction of. */
  readonly operands: number;
}

/** A GEMM's tiling on the PE grid. */
export interface OpTile {
  /** Rows of one output tile. */
  readonly m: number;
  /** Columns of one output tile. */
  readonly n: number;
  /** Depth of one tile's K step. */
  readonly k: number;
  /** PEs sharing one output tile's K (1: no split). */
  readonly kSplit: number;
}

/**
 * A GEMM on the systolic teaching profile's array: SCALE-Sim v2's COMPUTE_REPORT.csv columns
 * for it, in percent as SCALE-Sim writes them (docs/teaching.md; its "Total Cycles" is
 * cycles.compute).
 */
export interface OpSystolic {
  /** Folds the array ran: ⌈S_r / rows⌉ · ⌈S_c / cols⌉ per batch, summed over batches. */
  readonly folds: number;
  /** "Mapping Efficiency %": the mean over folds of the array's MAC units mapped, 0 to 100. */
  readonly mappingEfficiencyPercent: number;
  /** "Compute Util %": the mean over folds of busy MAC-cycles / (units × the fold's cycles as SCALE-Sim counts them), 0 to 100. */
  readonly computeUtilisationPercent: number;
  /** "Overall Util %": M·N·K / (cycles.compute per batch × units), 0 to 100. */
  readonly overallUtilisationPercent: number;
}

/** One op as mtia.profiler.opStats() reports it. */
export interface OpStats {
  /** The op's name: 'matmul', 'add', 'softmax', 'fill', 'copy_h2d', 'copy_d2h', ... */
  readonly name: string;
  /**
   * The name of the mtia.profiler.recordFunction scope the op was enqueued in (an imported ONNX
   * model's node name), or undefined outside every scope.
   */
  readonly label: string | undefined;
  /** Index of the device it ran on (mtia:N). */
  readonly device: number;
  /** Id of the stream it was enqueued on (0: the default stream). */
  readonly stream: number;
  /** Shapes of its tensors, inputs then outputs; a host copy has one, its size in bytes. */
  readonly shapes: readonly (readonly number[])[];
  /** The output's dtype ('uint8' for host copies, which move bytes). */
  readonly dtype: string;
  /** When the job was ready to run, in ns of the device's simulated time. */
  readonly startNs: number;
  /** When it ended, in ns of the device's simulated time. */
  readonly endNs: number;
  /** Where its cycles went. */
  readonly cycles: OpCycles;
  /** Bytes it moved at each memory level. */
  readonly bytes: OpBytes;
  /** Operand bytes found in SRAM / operand bytes read (1 when it read none). */
  readonly sramHitRate: number;
  /** The compute engine's work / (its peak rate × total cycles), 0 to 1. */
  readonly utilisation: number;
  /** What set its time: the largest of timeParts. */
  readonly bound: OpBound;
  /** Its time split by what it waited on; the parts add up to cycles.total. */
  readonly timeParts: OpTimeParts;
  /** Its compute engine. */
  readonly engine: OpEngine;
  /** PEs it used. */
  readonly pes: number;
  /** Pipeline steps (tiles) per PE. */
  readonly steps: number;
  /** The GEMM tiling for matmuls (on the systolic profile: one fold's extent); undefined for other ops. */
  readonly tile: OpTile | undefined;
  /** SCALE-Sim's figures for a matmul on the systolic profile's array; undefined otherwise. */
  readonly systolic: OpSystolic | undefined;
  /** Its energy from the profile's per-access energies: joules, average watts, and where they went (src/profiler/energy.ts). */
  readonly energy: OpEnergy;
}

/** What the host knows of an op when it enqueues it. */
export type OpIssue = Pick<OpStats, 'name' | 'label' | 'device' | 'stream' | 'shapes' | 'dtype'>;

/** OpBound by BOUND_* code. */
const BOUNDS: readonly OpBound[] = boundNames();
/** OpEngine by ENGINE_* code. */
const ENGINES: readonly OpEngine[] = engineNames();

function boundNames(): OpBound[] {
  const names: OpBound[] = [];
  names[BOUND_LAUNCH] = 'launch';
  names[BOUND_ISSUE] = 'issue';
  names[BOUND_COMPUTE] = 'compute';
  names[BOUND_FABRIC] = 'fabric';
  names[BOUND_SRAM] = 'sram';
  names[BOUND_DRAM] = 'dram';
  names[BOUND_PCIE] = 'pcie';
  return names;
}

function engineNames(): OpEngine[] {
  const names: OpEngine[] = [];
  names[ENGINE_DPE] = 'dpe';
  names[ENGINE_SE] = 'se';
  names[ENGINE_RE] = 're';
  names[ENGINE_MLU] = 'mlu';
  names[ENGINE_PCIE_H2D] = 'pcie';
  names[ENGINE_PCIE_D2H] = 'pcie';
  return names;
}

/** @internal
 * Joins `issue` to an op record (assembly/timing/record.ts) whose fields start at word `at`
 * of `record`, of a device of hardware `profile` (its clock and per-access energies).
 */
export function decodeOpStats(issue: OpIssue, record: Float64Array, at: number, profile: HardwareProfile): OpStats {
  const clockHz = profile.clockHz;
  const start = record[at + RECORD_START_CYCLES]!;
  const end = record[at + RECORD_END_CYCLES]!;
  const launch = record[at + RECORD_LAUNCH_CYCLES]!;
  const tileM = record[at + RECORD_TILE_M]!;
  const folds = record[at + RECORD_SYSTOLIC_FOLDS]!;
  const engine = ENGINES[record[at + RECORD_ENGINE]!] ?? 'none';
  const startNs = ((start - launch) / clockHz) * 1e9;
  const endNs = (end / clockHz) * 1e9;
  const localMemory = record[at + RECORD_LOCAL_MEMORY_BYTES]!;
  const sram = record[at + RECORD_SRAM_BYTES]!;
  const dram = record[at + RECORD_DRAM_BYTES]!;
  const pcie = record[at + RECORD_PCIE_BYTES]!;
  const path = (bound: number) => record[at + RECORD_PATH_CYCLES + bound]!;
  const wait = path(BOUND_NONE);
  const bound = BOUNDS[record[at + RECORD_BOUND]!] ?? 'none';
  return {
    name: issue.name,
    label: issue.label,
    device: issue.device,
    stream: issue.stream,
    shapes: issue.shapes,
    dtype: issue.dtype,
    startNs,
    endNs,
    cycles: {
      total: end - start + launch,
      launch,
      issue: record[at + RECORD_ISSUE_CYCLES]!,
      compute: record[at + RECORD_COMPUTE_CYCLES]!,
      stall: record[at + RECORD_STALL_CYCLES]!,
      dpe: record[at + RECORD_DPE_CYCLES]!,
      se: record[at + RECORD_SE_CYCLES]!,
      re: record[at + RECORD_RE_CYCLES]!,
      mlu: record[at + RECORD_MLU_CYCLES]!,
      fabric: record[at + RECORD_FABRIC_CYCLES]!,
    },
    bytes: {
      localMemory,
      sram,
      dram,
      pcie,
      operands: record[at + RECORD_OPERAND_BYTES]!,
    },
    sramHitRate: record[at + RECORD_SRAM_HIT_RATE]!,
    utilisation: record[at + RECORD_UTILISATION]!,
    bound,
    timeParts: {
      launch: path(BOUND_LAUNCH),
      issue: path(BOUND_ISSUE),
      compute: path(BOUND_COMPUTE),
      fabric: path(BOUND_FABRIC),
      sram: path(BOUND_SRAM),
      dram: path(BOUND_DRAM),
      pcie: path(BOUND_PCIE),
      wait,
      waitedFor: wait > 0 && bound !== 'none' ? BOUNDS[record[at + RECORD_WAIT_BOUND]!] ?? 'none' : 'none',
    },
    engine,
    pes: record[at + RECORD_PES]!,
    steps: record[at + RECORD_STEPS]!,
    tile: tileM > 0
      ? { m: tileM, n: record[at + RECORD_TILE_N]!, k: record[at + RECORD_TILE_K]!, kSplit: record[at + RECORD_K_SPLIT]! }
      : undefined,
    systolic: folds > 0
      ? {
        folds,
        mappingEfficiencyPercent: record[at + RECORD_SYSTOLIC_MAPPING_EFFICIENCY]!,
        computeUtilisationPercent: record[at + RECORD_SYSTOLIC_COMPUTE_UTILISATION]!,
        overallUtilisationPercent: record[at + RECORD_SYSTOLIC_OVERALL_UTILISATION]!,
      }
      : undefined,
    energy: opEnergy(profile, {
      name: issue.name, engine, dtype: issue.dtype, work: record[at + RECORD_WORK]!, localMemoryBytes: localMemory, sramBytes: sram,
      dramBytes: dram, pcieBytes: pcie, durationNs: endNs - startNs, pes: record[at + RECORD_PES]!,
      dpeCycles: record[at + RECORD_DPE_CYCLES]!, seCycles: record[at + RECORD_SE_CYCLES]!, reCycles: record[at + RECORD_RE_CYCLES]!,
    }),
  };
}
