// Status codes: one per failure, never a catch-all. The host translates them to error classes
// in exactly one place (src/runtime/status.ts), which mirrors this list.

export const STATUS_OK: u32 = 0;
/** The header's ABI version is not the one this core was built for. */
export const STATUS_ABI_MISMATCH: u32 = 1;
/** The core's static data overlaps the heap: asconfig memoryBase and layout.ts disagree. */
export const STATUS_LAYOUT_MISMATCH: u32 = 2;
/** A command's opcode is unknown. */
export const STATUS_BAD_OPCODE: u32 = 3;
/** A command's dtype is unknown. */
export const STATUS_BAD_DTYPE: u32 = 4;
/** The opcode has no kernel for this dtype. */
export const STATUS_UNSUPPORTED_DTYPE: u32 = 5;
/** An operand range lies outside the heap (below HEAP_LOCATION or past the memory's end). */
export const STATUS_OUT_OF_BOUNDS: u32 = 6;
/** An operand address is not aligned to its element size. */
export const STATUS_MISALIGNED: u32 = 7;
/** A COPY command names an unknown CopyPath. */
export const STATUS_BAD_COPY_PATH: u32 = 8;
/** The core trapped (a bug in the core); the device is faulted. Set by the worker. */
export const STATUS_TRAP: u32 = 9;
/** The profile block holds a non-positive clock or rate. */
export const STATUS_BAD_PROFILE: u32 = 10;
/** A command names a stream slot that does not exist; the device faults (no stream to blame). */
export const STATUS_BAD_STREAM: u32 = 11;
/** An event command names an event slot that does not exist. */
export const STATUS_BAD_EVENT: u32 = 12;
/** A tensor op's argument block is malformed: rank, sizes, kind or workspace. */
export const STATUS_BAD_ARGS: u32 = 13;
/** An index tensor held a value outside [0, size) of the dim it indexes. */
export const STATUS_INDEX_OUT_OF_RANGE: u32 = 14;
/** Embedding-bag offsets do not start at 0, decrease, or pass the number of indices. */
export const STATUS_BAD_OFFSETS: u32 = 15;
