// The host's mirror of the core's ABI: memory map (assembly/layout.ts), command format and
// codes (assembly/abi.ts), profile fields (assembly/profile.ts). test/core/layout.test.ts
// checks every number here against the compiled core's exports.

/** Version of the core ABI this host speaks. */
export const ABI_VERSION = 4;

/** Byte offsets of the header words (all 32-bit). */
export const HEADER_LOCATION = 0;
export const HEADER_SIZE = 256;
export const HEADER_ABI_VERSION = 0;
export const HEADER_DEVICE_INDEX = 4;
export const HEADER_DEVICE_STATE = 8;
export const HEADER_FAULT = 12;
export const HEADER_RING_HEAD = 64;
export const HEADER_RING_TAIL = 128;
export const HEADER_PROGRESS = 132;
export const HEADER_BLOCKED_EVENT = 136;
export const HEADER_SLEEPING = 192;

export const PROFILE_LOCATION = HEADER_LOCATION + HEADER_SIZE;
export const PROFILE_FIELDS = 32;
export const PROFILE_SIZE = PROFILE_FIELDS * 8;

export const STREAM_SLOTS = 32;
export const STREAM_SIZE = 64;
export const STREAM_DONE = 4;
export const STREAM_FAULT = 8;
export const STREAM_FAULT_SEQ = 12;
export const STREAM_CLOCK_CYCLES = 16;
export const STREAM_FAULT_COUNT = 24;
export const STREAMS_LOCATION = PROFILE_LOCATION + PROFILE_SIZE;
export const STREAMS_SIZE = STREAM_SLOTS * STREAM_SIZE;

export const ENGINE_CONTROL = 0;
export const ENGINE_SIMD = 1;
export const ENGINE_DPE = 2;
export const ENGINE_DMA = 3;
export const ENGINE_PCIE_H2D = 4;
export const ENGINE_PCIE_D2H = 5;
export const ENGINE_COUNT = 6;
export const ENGINE_NONE = ENGINE_COUNT;
export const ENGINE_SIZE = 16;
export const ENGINE_FREE_CYCLES = 0;
export const ENGINE_BUSY_CYCLES = 8;
export const ENGINES_LOCATION = STREAMS_LOCATION + STREAMS_SIZE;
export const ENGINES_SIZE = 8 * ENGINE_SIZE;

export const EVENT_SLOTS = 4096;
export const EVENT_SIZE = 16;
export const EVENT_TIME_CYCLES = 0;
export const EVENT_GENERATION = 8;
export const EVENTS_LOCATION = ENGINES_LOCATION + ENGINES_SIZE;
export const EVENTS_SIZE = EVENT_SLOTS * EVENT_SIZE;

export const RING_COMMANDS = 16384;
export const COMMAND_SIZE = 64;
export const RING_LOCATION = EVENTS_LOCATION + EVENTS_SIZE;
export const RING_SIZE = RING_COMMANDS * COMMAND_SIZE;

export const CORE_DATA_LOCATION = RING_LOCATION + RING_SIZE;
export const CORE_DATA_SIZE = 64 * 1024;
export const HEAP_ALIGNMENT = 64 * 1024;
export const HEAP_LOCATION =
  Math.ceil((CORE_DATA_LOCATION + CORE_DATA_SIZE) / HEAP_ALIGNMENT) * HEAP_ALIGNMENT;

/** Byte offsets of a command's fields. */
export const COMMAND_OPCODE = 0;
export const COMMAND_DTYPE = 4;
export const COMMAND_DST = 8;
export const COMMAND_SRC0 = 12;
export const COMMAND_SRC1 = 16;
export const COMMAND_COUNT = 20;
export const COMMAND_ARG0 = 24;
export const COMMAND_STREAM = 28;
export const COMMAND_SCALAR = 56;

export const OP_NOP = 0;
export const OP_FILL = 1;
export const OP_COPY = 2;
export const OP_ADD = 3;
export const OP_RECORD_EVENT = 4;
export const OP_WAIT_EVENT = 5;
export const OP_ADVANCE_CLOCK = 6;
export const OPCODE_COUNT = 7;
export const OP_UNARY = 16;
export const OP_BINARY = 17;
export const OP_WHERE = 18;
export const OP_REDUCE = 19;
export const OP_MATMUL = 20;
export const OP_ROWS = 21;
export const OP_EMBEDDING_BAG = 22;
export const OP_RANDOM = 23;

export const DTYPE_FLOAT32 = 0;
export const DTYPE_FLOAT16 = 1;
export const DTYPE_BFLOAT16 = 2;
export const DTYPE_INT8 = 3;
export const DTYPE_INT32 = 4;
export const DTYPE_BOOL = 5;
export const DTYPE_COUNT = 6;

export const COPY_HOST_TO_DEVICE = 0;
export const COPY_DEVICE_TO_HOST = 1;
export const COPY_DEVICE_TO_DEVICE = 2;

export const DEVICE_BOOTING = 0;
export const DEVICE_RUNNING = 1;
export const DEVICE_FAULTED = 2;

/** Indices of the f64 profile fields. */
export const PROFILE_CLOCK_HZ = 0;
export const PROFILE_PE_ROWS = 1;
export const PROFILE_PE_COLS = 2;
export const PROFILE_DRAM_BYTES_PER_SECOND = 3;
export const PROFILE_DRAM_EFFICIENCY = 4;
export const PROFILE_PCIE_BYTES_PER_SECOND = 5;
export const PROFILE_SE_ELEMENTS_PER_CYCLE_PER_PE = 6;
export const PROFILE_JOB_LAUNCH_NS = 7;
export const PROFILE_DPE_FP16_MACS_PER_CYCLE_PER_PE = 8;
export const PROFILE_DPE_INT8_MACS_PER_CYCLE_PER_PE = 9;

/** Tensor-op argument blocks (assembly/ops/args.ts): u32 word indices and sizes. */
export const MAX_RANK = 8;
export const ARGS_BYTES = 256;
export const ARGS_RANK = 0;
export const ARGS_KIND = 1;
export const ARGS_DTYPE = 2;
export const ARGS_ADDRESS3 = 5;
export const ARGS_SHAPE = 8;
export const ARGS_STRIDES = 16;
export const ARGS_PARAMS = 48;

/** Kinds of OP_UNARY (assembly/ops/elementwise.ts). */
export const UNARY_NEG = 0;
export const UNARY_EXP = 1;
export const UNARY_LOG = 2;
export const UNARY_SQRT = 3;
export const UNARY_RELU = 4;
export const UNARY_GELU = 5;
export const UNARY_SILU = 6;
export const UNARY_SIGMOID = 7;
export const UNARY_TANH = 8;
export const UNARY_CLAMP = 9;
export const UNARY_COPY = 10;
export const UNARY_KINDS = 11;
/** Kinds of OP_BINARY. */
export const BINARY_ADD = 0;
export const BINARY_SUB = 1;
export const BINARY_MUL = 2;
export const BINARY_DIV = 3;
export const BINARY_MAXIMUM = 4;
export const BINARY_MINIMUM = 5;
export const BINARY_KINDS = 6;
/** Kinds of OP_REDUCE (assembly/ops/reduce.ts). */
export const REDUCE_SUM = 0;
export const REDUCE_MEAN = 1;
export const REDUCE_MAX = 2;
export const REDUCE_MIN = 3;
export const REDUCE_ARGMAX = 4;
export const REDUCE_KINDS = 5;
/** Kinds of OP_ROWS (assembly/ops/rows.ts). */
export const ROWS_SOFTMAX = 0;
export const ROWS_LOG_SOFTMAX = 1;
export const ROWS_LAYER_NORM = 2;
export const ROWS_KINDS = 3;
/** Kinds of OP_RANDOM (assembly/ops/random.ts). */
export const RANDOM_UNIFORM = 0;
export const RANDOM_NORMAL = 1;
export const RANDOM_RANDINT = 2;
export const RANDOM_KINDS = 3;
/** Modes of OP_EMBEDDING_BAG (assembly/ops/embedding.ts). */
export const BAG_SUM = 0;
export const BAG_MEAN = 1;
/** Matmul blocking (assembly/kernels/matmul.ts): the host sizes the workspace with them. */
export const TILE_M = 4;
export const TILE_N = 8;
export const BLOCK_K = 256;
export const BLOCK_M = 64;
export const BLOCK_N = 512;
