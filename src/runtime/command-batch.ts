// The wire form of a burst of ring commands for the postMessage transport: the 64-byte
// commands of consecutive ring counts, then the 256-byte argument block of each command that
// has one (its arg0 is the address of its own ring position's block, as CommandRing.push and
// pushEntries make it), in the same order. The host packs them out of its mirror of the ring
// (message-transport.ts); the firmware unpacks them into the same ring positions of its own
// memory (workers/posted-firmware.ts), so both memories hold the same ring.

import { ARGS_BLOCK_SIZE, ARGS_LOCATION, COMMAND_ARG0, COMMAND_SIZE, RING_COMMANDS, RING_LOCATION } from './layout.js';

const COMMAND_WORDS = COMMAND_SIZE / 4;
const ARGS_WORDS = ARGS_BLOCK_SIZE / 4;
const ringWord = RING_LOCATION / 4;
const argsWord = ARGS_LOCATION / 4;

/** Address of the argument block of ring position `position`. */
function blockAddress(position: number): number {
  return ARGS_LOCATION + position * ARGS_BLOCK_SIZE;
}

/** Packs the commands with ring counts [from, to) (and their argument blocks) out of `ring`, words over device memory. */
export function packCommands(ring: Uint32Array, from: number, to: number): Uint32Array {
  const n = to - from;
  let withArgs = 0;
  for (let i = 0; i < n; i++) {
    const position = (from + i) & (RING_COMMANDS - 1);
    if (ring[ringWord + position * COMMAND_WORDS + COMMAND_ARG0 / 4] === blockAddress(position)) withArgs++;
  }
  const packed = new Uint32Array(n * COMMAND_WORDS + withArgs * ARGS_WORDS);
  let at = n * COMMAND_WORDS;
  for (let i = 0; i < n; i++) {
    const position = (from + i) & (RING_COMMANDS - 1);
    const word = ringWord + position * COMMAND_WORDS;
    packed.set(ring.subarray(word, word + COMMAND_WORDS), i * COMMAND_WORDS);
    if (ring[word + COMMAND_ARG0 / 4] !== blockAddress(position)) continue;
    const block = argsWord + position * ARGS_WORDS;
    packed.set(ring.subarray(block, block + ARGS_WORDS), at);
    at += ARGS_WORDS;
  }
  return packed;
}

/** Writes `n` packed commands (packCommands) into the ring positions of counts from `from` on in `ring`. */
export function unpackCommands(ring: Uint32Array, from: number, n: number, packed: Uint32Array): void {
  let at = n * COMMAND_WORDS;
  for (let i = 0; i < n; i++) {
    const position = (from + i) & (RING_COMMANDS - 1);
    const word = ringWord + position * COMMAND_WORDS;
    ring.set(packed.subarray(i * COMMAND_WORDS, (i + 1) * COMMAND_WORDS), word);
    if (packed[i * COMMAND_WORDS + COMMAND_ARG0 / 4] !== blockAddress(position)) continue;
    ring.set(packed.subarray(at, at + ARGS_WORDS), argsWord + position * ARGS_WORDS);
    at += ARGS_WORDS;
  }
  if (at !== packed.length) throw new Error(`command batch: ${packed.length} words are not ${n} commands and their blocks`);
}
