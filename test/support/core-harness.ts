// A core instance on a small memory of its own, with just enough header written to boot,
// and a writer for raw commands: the core test tier talks to the wasm exports directly.

import * as L from '../../src/runtime/layout.js';
import { instantiateCore } from './in-realm.js';

/** The core's exported functions. */
export interface Core {
  boot(): number;
  drain(budget: number): number;
}

/** MTIA 2i numbers as the profile block takes them (src/mtia/profiles.ts has their sources). */
export const v2 = {
  clockHz: 1.35e9,
  peRows: 8,
  peCols: 8,
  dramBytesPerSecond: 204.8e9,
  dramEfficiency: 0.875,
  pcieBytesPerSecond: 32e9,
  seElementsPerCyclePerPe: 32,
  jobLaunchNs: 1000,
  dpeFp16MacsPerCyclePerPe: 1024,
  dpeInt8MacsPerCyclePerPe: 2048,
};

/** A raw command; omitted fields are 0. */
export interface RawCommand {
  opcode: number;
  dtype?: number;
  dst?: number;
  src0?: number;
  src1?: number;
  count?: number;
  arg0?: number;
  scalar?: number;
}

export class CoreHarness {
  readonly memory: WebAssembly.Memory;
  readonly core: Core;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  /** Commands pushed so far, in all, and per stream slot. */
  private pushed = 0;
  private readonly perStream = new Array<number>(L.STREAM_SLOTS).fill(0);

  constructor(heapBytes = 4 << 20, profile: Partial<typeof v2> = {}, abiVersion = L.ABI_VERSION) {
    const pages = Math.ceil((L.HEAP_LOCATION + heapBytes) / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const buffer = this.memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i32[L.HEADER_ABI_VERSION / 4] = abiVersion;
    const p = { ...v2, ...profile };
    const field = (index: number, value: number) => (this.f64[L.PROFILE_LOCATION / 8 + index] = value);
    field(L.PROFILE_CLOCK_HZ, p.clockHz);
    field(L.PROFILE_PE_ROWS, p.peRows);
    field(L.PROFILE_PE_COLS, p.peCols);
    field(L.PROFILE_DRAM_BYTES_PER_SECOND, p.dramBytesPerSecond);
    field(L.PROFILE_DRAM_EFFICIENCY, p.dramEfficiency);
    field(L.PROFILE_PCIE_BYTES_PER_SECOND, p.pcieBytesPerSecond);
    field(L.PROFILE_SE_ELEMENTS_PER_CYCLE_PER_PE, p.seElementsPerCyclePerPe);
    field(L.PROFILE_JOB_LAUNCH_NS, p.jobLaunchNs);
    field(L.PROFILE_DPE_FP16_MACS_PER_CYCLE_PER_PE, p.dpeFp16MacsPerCyclePerPe);
    field(L.PROFILE_DPE_INT8_MACS_PER_CYCLE_PER_PE, p.dpeInt8MacsPerCyclePerPe);
    this.core = instantiateCore(this.memory).exports as unknown as Core;
  }

  /** Address of heap byte `offset`. */
  heap(offset: number): number {
    return L.HEAP_LOCATION + offset;
  }

  /** Writes `command` for stream `slot` into the ring and publishes it; returns its sequence number in that stream. */
  push(command: RawCommand, slot = 0): number {
    const word = (L.RING_LOCATION + (this.pushed % L.RING_COMMANDS) * L.COMMAND_SIZE) / 4;
    this.u32.fill(0, word, word + L.COMMAND_SIZE / 4);
    this.u32[word] = command.opcode;
    this.u32[word + 1] = command.dtype ?? 0;
    this.u32[word + 2] = command.dst ?? 0;
    this.u32[word + 3] = command.src0 ?? 0;
    this.u32[word + 4] = command.src1 ?? 0;
    this.u32[word + 5] = command.count ?? 0;
    this.u32[word + 6] = command.arg0 ?? 0;
    this.u32[word + 7] = slot;
    this.f64[(word * 4 + L.COMMAND_SCALAR) / 8] = command.scalar ?? 0;
    Atomics.store(this.u32, L.HEADER_RING_HEAD / 4, ++this.pushed);
    return ++this.perStream[slot]!;
  }

  /** Word index of a stream control field. */
  streamWord(slot: number, field: number): number {
    return (L.STREAMS_LOCATION + slot * L.STREAM_SIZE + field) / 4;
  }

  done(slot = 0): number {
    return this.u32[this.streamWord(slot, L.STREAM_DONE)]!;
  }

  /** The latest failure of stream `slot` and how many commands of it failed. */
  fault(slot = 0): { status: number; seq: number; count: number } {
    return {
      status: this.u32[this.streamWord(slot, L.STREAM_FAULT)]!,
      seq: this.u32[this.streamWord(slot, L.STREAM_FAULT_SEQ)]!,
      count: this.u32[this.streamWord(slot, L.STREAM_FAULT_COUNT)]!,
    };
  }

  clockCycles(slot = 0): number {
    return this.f64[(L.STREAMS_LOCATION + slot * L.STREAM_SIZE + L.STREAM_CLOCK_CYCLES) / 8]!;
  }

  progress(): number {
    return this.u32[L.HEADER_PROGRESS / 4]!;
  }
}
