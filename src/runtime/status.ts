// Device status codes (mirror of assembly/status.ts) and their translation into errors:
// the one place where a code from the core becomes something a user reads.

import { MtiaError } from '../errors.js';

export const STATUS_OK = 0;
export const STATUS_ABI_MISMATCH = 1;
export const STATUS_LAYOUT_MISMATCH = 2;
export const STATUS_BAD_OPCODE = 3;
export const STATUS_BAD_DTYPE = 4;
export const STATUS_UNSUPPORTED_DTYPE = 5;
export const STATUS_OUT_OF_BOUNDS = 6;
export const STATUS_MISALIGNED = 7;
export const STATUS_BAD_COPY_PATH = 8;
export const STATUS_TRAP = 9;
export const STATUS_BAD_PROFILE = 10;
export const STATUS_BAD_STREAM = 11;
export const STATUS_BAD_EVENT = 12;
export const STATUS_BAD_ARGS = 13;
export const STATUS_INDEX_OUT_OF_RANGE = 14;
export const STATUS_BAD_OFFSETS = 15;

const descriptions: Record<number, string> = {
  [STATUS_ABI_MISMATCH]: 'the core was built for a different ABI version than this host',
  [STATUS_LAYOUT_MISMATCH]: "the core's static data overlaps the device heap",
  [STATUS_BAD_OPCODE]: 'a command had an unknown opcode',
  [STATUS_BAD_DTYPE]: 'a command had an unknown dtype',
  [STATUS_UNSUPPORTED_DTYPE]: 'the device has no kernel for this dtype',
  [STATUS_OUT_OF_BOUNDS]: 'a command addressed memory outside the device heap',
  [STATUS_MISALIGNED]: 'a command addressed memory not aligned to its element size',
  [STATUS_BAD_COPY_PATH]: 'a copy command named an unknown copy path',
  [STATUS_TRAP]: 'the device core trapped',
  [STATUS_BAD_PROFILE]: 'the hardware profile has a non-positive clock or rate',
  [STATUS_BAD_STREAM]: 'a command named a stream slot that does not exist',
  [STATUS_BAD_EVENT]: 'an event command named an event slot that does not exist',
  [STATUS_BAD_ARGS]: "a tensor op's argument block was malformed (rank, sizes, kind or workspace)",
  [STATUS_INDEX_OUT_OF_RANGE]: 'index out of range in self: an index tensor held a value outside the indexed dim',
  [STATUS_BAD_OFFSETS]: 'embedding bag offsets must start at 0, never decrease and stay within the indices',
};

/** Human-readable meaning of a status code. */
export function describeStatus(status: number): string {
  return descriptions[status] ?? `unknown status ${status}`;
}

/**
 * The error for work on `device` (`what`) in which `count` commands failed, the latest with
 * `status`.
 */
export function statusError(status: number, device: number, what: string, count = 1): MtiaError {
  const failures = count === 1 ? '' : ` (${count} commands failed; the latest:)`;
  return new MtiaError(`MTIA error on mtia:${device}: ${what} failed${failures}: ${describeStatus(status)} (status ${status})`);
}
