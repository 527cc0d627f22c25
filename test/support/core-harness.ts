// A core instance on a small memory of its own, with just enough header written to boot,
// and a writer for raw commands: the core test tier talks to the wasm exports directly.

import * as L from '../../src/runtime/layout.js';
import { profileFields } from '../../src/runtime/profile-block.js';
import { profiles, type HardwareProfile } from '../../src/profiles.js';
import { instantiateCore } from './in-realm.js';

/** The core's exported functions. */
export interface Core {
  boot(): number;
  drain(budget: number): number;
}

/** The MTIA 2i profile (src/profiles.ts has every number's source). */
export const v2 = profiles['mtia-v2'];

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

  /** Argument blocks handed out by argsBlock(), in all. */
  private argsHandedOut = 0;

  constructor(
    heapBytes = 4 << 20, profile: Partial<HardwareProfile> = {}, abiVersion = L.ABI_VERSION, timingOnlyBytes = 0,
    module?: WebAssembly.Module,
  ) {
    const pages = Math.ceil((L.HEAP_LOCATION + (timingOnlyBytes > 0 ? 0 : heapBytes)) / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const buffer = this.memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.u32 = new Uint32Array(buffer);
    this.f32 = new Float32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.i32[L.HEADER_ABI_VERSION / 4] = abiVersion;
    this.f64.set(profileFields({ ...v2, ...profile }), L.PROFILE_LOCATION / 8);
    if (timingOnlyBytes > 0) {
      this.i32[L.HEADER_TIMING_ONLY / 4] = 1;
      this.f64[L.HEADER_MEMORY_END / 8] = L.HEAP_LOCATION + timingOnlyBytes;
    }
    this.core = instantiateCore(this.memory, module).exports as unknown as Core;
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
    this.setWide(word + L.COMMAND_COUNT / 4, command.count ?? 0);
    this.u32[word + L.COMMAND_ARG0 / 4] = command.arg0 ?? 0;
    this.u32[word + L.COMMAND_STREAM / 4] = slot;
    for (const [field, value] of [[L.COMMAND_DST, command.dst], [L.COMMAND_SRC0, command.src0], [L.COMMAND_SRC1, command.src1]] as const) {
      new BigUint64Array(this.memory.buffer, word * 4 + field, 1)[0] = BigInt(value ?? 0);
    }
    this.f64[(word * 4 + L.COMMAND_SCALAR) / 8] = command.scalar ?? 0;
    Atomics.store(this.u32, L.HEADER_RING_HEAD / 4, ++this.pushed);
    return ++this.perStream[slot]!;
  }

  /** Writes the integer `value` as a 64-bit two's-complement word pair at word index `word` (sizes and strides of an argument block, a command's count). */
  setWide(word: number, value: number): void {
    const high = Math.floor(value / 2 ** 32);
    this.u32[word] = value - high * 2 ** 32;
    this.u32[word + 1] = high;
  }

  /** Address of a fresh argument block (cleared) in the ring's argument area. */
  argsBlock(): number {
    const address = L.ARGS_LOCATION + (this.argsHandedOut++ % L.RING_COMMANDS) * L.ARGS_BLOCK_SIZE;
    this.u32.fill(0, address / 4, (address + L.ARGS_BLOCK_SIZE) / 4);
    return address;
  }

  /** f64 field `field` of the op record of the command pushed `back` commands ago (0: the last). */
  record(field: number, back = 0): number {
    const count = this.pushed - 1 - back;
    return this.f64[(L.RECORDS_LOCATION + (count % L.RING_COMMANDS) * L.RECORD_SIZE) / 8 + field]!;
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
