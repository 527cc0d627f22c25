// Stream capture: while a stream captures (an MTIAGraph's captureBegin, src/mtia/graph.ts),
// the commands enqueued on it are recorded here instead of being pushed into the command ring,
// as CUDA's stream capture records work into a cudaGraph_t instead of running it
// (cudaStreamBeginCapture). A recorded command is a ring entry (command-ring.ts ENTRY_WORDS:
// the command's words, then its argument block's); fields that point into the command's own
// argument block (its scalar operands, src/tensor/launch.ts) are kept as offsets, because a
// replay's commands take other ring positions, and so other blocks.
//
// What cannot be captured (the host waiting for the stream, reading values, host writes into
// device memory) throws CUDA's error and, as in CUDA, invalidates the capture: its end then
// fails too (cudaErrorStreamCaptureInvalidated).

import { MtiaError } from '../errors.js';
import {
  COMMAND_WORDS, ENTRY_WORDS, RELOCATE_ADDRESS3, RELOCATE_ARGS, RELOCATE_SRC0, RELOCATE_SRC1,
  writeCommand,
} from './command-ring.js';
import { ARGS_ADDRESS3, ARGS_BLOCK_SIZE, OP_GRAPH_LAUNCH } from './layout.js';

/** What the op observer said of a captured command: the op's name, its tensors' shapes, its dtype. */
export interface CapturedOp {
  readonly name: string;
  readonly shapes: readonly (readonly number[])[];
  readonly dtype: string;
}

/** The commands of one capture, in the order they were enqueued. */
export class StreamCapture {
  /** Per recorded command, the op that enqueued it (noteOp), for the profiler to name a replay's ops. */
  readonly ops: (CapturedOp | undefined)[] = [];
  /** Recorded entries, ENTRY_WORDS words each; `length` are in use. */
  private words = new Uint32Array(ENTRY_WORDS * 16);
  private doubles = new Float64Array(this.words.buffer);
  /** RELOCATE_* bits of each entry. */
  private relocations = new Uint8Array(16);
  /** Commands recorded. */
  length = 0;
  /** The call that invalidated the capture, if one did. */
  invalidatedBy: string | undefined;

  /**
   * Records one command of stream slot `stream` (fields as in CommandRing.push). `block` is the
   * address its argument block would have had in the ring (CommandRing.nextArgsAddress()):
   * operand addresses inside that block are recorded as offsets into it.
   */
  record(
    block: number, stream: number, opcode: number, dtype: number, dst: number, src0: number, src1: number,
    count: number, arg0: number, scalar: number, args?: Uint32Array,
  ): void {
    if (this.length === this.relocations.length) this.grow();
    const word = this.length * ENTRY_WORDS;
    const inBlock = (address: number) => address >= block && address < block + ARGS_BLOCK_SIZE;
    let relocation = 0;
    if (args !== undefined) {
      relocation = RELOCATE_ARGS;
      if (inBlock(src0)) (relocation |= RELOCATE_SRC0), (src0 -= block);
      if (inBlock(src1)) (relocation |= RELOCATE_SRC1), (src1 -= block);
      this.words.set(args, word + COMMAND_WORDS);
      const address3 = args[ARGS_ADDRESS3]!;
      if (args[ARGS_ADDRESS3 + 1] === 0 && inBlock(address3)) {
        relocation |= RELOCATE_ADDRESS3;
        this.words[word + COMMAND_WORDS + ARGS_ADDRESS3] = address3 - block;
      }
    }
    writeCommand(this.words, this.doubles, word, stream, opcode, dtype, dst, src0, src1, count, arg0, scalar);
    this.relocations[this.length++] = relocation;
  }

  /**
   * The recording as one graph launch for stream slot `stream`: an OP_GRAPH_LAUNCH entry, then
   * the recorded ones (CommandRing.pushEntries pushes them).
   */
  launchEntries(stream: number): { entries: Uint32Array; relocations: Uint8Array; count: number } {
    const count = this.length + 1;
    const entries = new Uint32Array(count * ENTRY_WORDS);
    writeCommand(entries, new Float64Array(entries.buffer), 0, stream, OP_GRAPH_LAUNCH, 0, 0, 0, 0, this.length, 0, 0);
    entries.set(this.words.subarray(0, this.length * ENTRY_WORDS), ENTRY_WORDS);
    const relocations = new Uint8Array(count);
    relocations.set(this.relocations.subarray(0, this.length), 1);
    return { entries, relocations, count };
  }

  /** Names the command recorded last (the op observer calls this right after the op recorded it). */
  noteOp(name: string, shapes: readonly (readonly number[])[], dtype: string): void {
    if (this.length > 0) this.ops[this.length - 1] = { name, shapes, dtype };
  }

  /** Marks the capture invalid because of `call` and returns the error that call throws. */
  invalidate(call: string): MtiaError {
    this.invalidatedBy ??= call;
    return notPermittedWhileCapturing(call);
  }

  private grow(): void {
    const words = new Uint32Array(this.words.length * 2);
    words.set(this.words);
    this.words = words;
    this.doubles = new Float64Array(words.buffer);
    const relocations = new Uint8Array(this.relocations.length * 2);
    relocations.set(this.relocations);
    this.relocations = relocations;
  }
}

/**
 * CUDA's error for a call not permitted while a stream captures (cudaErrorStreamCaptureUnsupported,
 * as PyTorch's C10_CUDA_CHECK words it), naming the call.
 */
export function notPermittedWhileCapturing(call: string): MtiaError {
  return new MtiaError(`MTIA error: operation not permitted when stream is capturing (${call})`);
}
