// The host's mirror of the core's ABI: memory map (assembly/layout.ts), command format and
// codes (assembly/abi.ts), profile fields (assembly/profile.ts). test/core/layout.test.ts
// checks every number here against the compiled core's exports.

/** Version of the core ABI this host speaks. */
export const ABI_VERSION = 11;

/** Byte offsets of the header words (all 32-bit). */
export const HEADER_LOCATION = 0;
export const HEADER_SIZE = 256;
export const HEADER_ABI_VERSION = 0;
export const HEADER_DEVICE_INDEX = 4;
export const HEADER_DEVICE_STATE = 8;
export const HEADER_FAULT = 12;
export const HEADER_TIMING_ONLY = 16;
/** f64: end of device memory (real, or virtual in timing-only mode). */
export const HEADER_MEMORY_END = 24;
export const HEADER_RING_HEAD = 64;
export const HEADER_RING_TAIL = 128;
export const HEADER_PROGRESS = 132;
export const HEADER_BLOCKED_EVENT = 136;
/** Who runs the core now: CORE_FREE, CORE_FIRMWARE or CORE_HOST (host-core.ts). */
export const HEADER_CORE_OWNER = 140;
export const HEADER_SLEEPING = 192;
export const CORE_FREE = 0;
export const CORE_FIRMWARE = 1;
export const CORE_HOST = 2;

export const PROFILE_LOCATION = HEADER_LOCATION + HEADER_SIZE;
export const PROFILE_FIELDS = 48;
export const PROFILE_SIZE = PROFILE_FIELDS * 8;

export const STREAM_SLOTS = 32;
export const STREAM_SIZE = 64;
export const STREAM_DONE = 4;
export const STREAM_FAULT = 8;
export const STREAM_FAULT_SEQ = 12;
export const STREAM_CLOCK_CYCLES = 16;
export const STREAM_FAULT_COUNT = 24;
export const STREAM_DISPATCH_CYCLES = 32;
export const STREAM_GRAPH_JOBS = 40;
export const STREAMS_LOCATION = PROFILE_LOCATION + PROFILE_SIZE;
export const STREAMS_SIZE = STREAM_SLOTS * STREAM_SIZE;

export const ENGINE_CONTROL = 0;
export const ENGINE_DPE = 1;
export const ENGINE_SE = 2;
export const ENGINE_RE = 3;
export const ENGINE_MLU = 4;
export const ENGINE_SRAM = 5;
export const ENGINE_DRAM = 6;
export const ENGINE_PCIE_H2D = 7;
export const ENGINE_PCIE_D2H = 8;
export const ENGINE_ISSUE = 9;
export const ENGINE_FABRIC = 10;
export const ENGINE_COUNT = 11;
export const ENGINE_NONE = ENGINE_COUNT;
export const ENGINE_SIZE = 16;
export const ENGINE_FREE_CYCLES = 0;
export const ENGINE_BUSY_CYCLES = 8;
export const ENGINES_LOCATION = STREAMS_LOCATION + STREAMS_SIZE;
export const ENGINES_SIZE = 16 * ENGINE_SIZE;

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

export const ARGS_BLOCK_SIZE = 512;
export const ARGS_LOCATION = RING_LOCATION + RING_SIZE;
export const ARGS_SIZE = RING_COMMANDS * ARGS_BLOCK_SIZE;

export const RECORD_SIZE = 520;
export const RECORDS_LOCATION = ARGS_LOCATION + ARGS_SIZE;
export const RECORDS_SIZE = RING_COMMANDS * RECORD_SIZE;

export const CACHE_STATE_SIZE = 64;
export const CACHE_COUNT = 0;
export const CACHE_RESIDENT_BYTES = 8;
export const CACHE_TICK = 16;
export const CACHE_ENTRIES = 1024;
export const CACHE_ENTRY_SIZE = 32;
export const CACHE_LOCATION = RECORDS_LOCATION + RECORDS_SIZE;
export const CACHE_SIZE = CACHE_STATE_SIZE + CACHE_ENTRIES * CACHE_ENTRY_SIZE;

export const CORE_DATA_LOCATION = CACHE_LOCATION + CACHE_SIZE;
export const CORE_DATA_SIZE = 64 * 1024;

export const KERNEL_THREAD_SLOTS = 8;
export const KERNEL_THREAD_SLOT_SIZE = 64 * 1024;
export const KERNEL_THREAD_STATE = 0;
export const KERNEL_THREAD_ARGS = 4;
export const KERNEL_THREAD_SYNC = 64;
export const KERNEL_THREAD_EDGE = 128;
export const KERNEL_THREAD_WORKSPACE = 256;
export const KERNEL_THREADS_LOCATION = CORE_DATA_LOCATION + CORE_DATA_SIZE;
export const KERNEL_PANEL_LOCATION = KERNEL_THREADS_LOCATION + KERNEL_THREAD_SLOTS * KERNEL_THREAD_SLOT_SIZE;
export const KERNEL_PANEL_SIZE = 16 << 20;
export const KERNEL_THREADS_SIZE = KERNEL_THREAD_SLOTS * KERNEL_THREAD_SLOT_SIZE + KERNEL_PANEL_SIZE;
export const THREAD_ABSENT = 0;
export const THREAD_IDLE = 1;
export const THREAD_RUN = 2;
export const THREAD_DONE = 3;
export const THREAD_FAILED = 4;
export const THREAD_EXIT = 5;

export const HEAP_ALIGNMENT = 64 * 1024;
export const HEAP_LOCATION =
  Math.ceil((KERNEL_THREADS_LOCATION + KERNEL_THREADS_SIZE) / HEAP_ALIGNMENT) * HEAP_ALIGNMENT;

/** Byte offsets of a command's fields. */
export const COMMAND_OPCODE = 0;
export const COMMAND_DTYPE = 4;
export const COMMAND_COUNT = 16;
export const COMMAND_ARG0 = 24;
export const COMMAND_STREAM = 28;
/** u64 tensor addresses. */
export const COMMAND_DST = 32;
export const COMMAND_SRC0 = 40;
export const COMMAND_SRC1 = 48;
export const COMMAND_SCALAR = 56;

export const OP_NOP = 0;
export const OP_FILL = 1;
export const OP_COPY = 2;
export const OP_ADD = 3;
export const OP_RECORD_EVENT = 4;
export const OP_WAIT_EVENT = 5;
export const OP_ADVANCE_CLOCK = 6;
export const OP_GRAPH_LAUNCH = 7;
export const OPCODE_COUNT = 8;
export const OP_UNARY = 16;
export const OP_BINARY = 17;
export const OP_WHERE = 18;
export const OP_REDUCE = 19;
export const OP_MATMUL = 20;
export const OP_ROWS = 21;
export const OP_EMBEDDING_BAG = 22;
export const OP_RANDOM = 23;
export const OP_QUANTIZE = 24;
export const OP_QUANTIZED_LINEAR = 25;
export const OP_PAD = 31;
export const OP_RESIZE = 32;
export const OP_CUMSUM = 33;
export const OP_TOPK = 34;
export const OP_DISCARD = 35;
export const OP_GATHER = 30;
export const OP_NORM = 28;
export const OP_ATTENTION = 29;
export const OP_CONV = 26;
export const OP_POOL = 27;

export const DTYPE_FLOAT32 = 0;
export const DTYPE_FLOAT16 = 1;
export const DTYPE_BFLOAT16 = 2;
export const DTYPE_INT8 = 3;
export const DTYPE_INT32 = 4;
export const DTYPE_BOOL = 5;
export const DTYPE_INT64 = 6;
export const DTYPE_COUNT = 7;

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
export const PROFILE_JOB_REPLACE_NS = 10;
export const PROFILE_DPE_FP32_FRACTION = 11;
export const PROFILE_LOCAL_MEMORY_BYTES = 12;
export const PROFILE_LOCAL_MEMORY_BYTES_PER_CYCLE_PER_PE = 13;
export const PROFILE_SRAM_BYTES = 14;
export const PROFILE_SRAM_BYTES_PER_CYCLE = 15;
export const PROFILE_DRAM_ECC = 16;
export const PROFILE_DRAM_ECC_EFFICIENCY = 17;
export const PROFILE_FABRIC_BYTES_PER_CYCLE_PER_PE = 18;
export const PROFILE_SRAM_LATENCY_NS = 19;
export const PROFILE_DRAM_LATENCY_NS = 20;
export const PROFILE_ISSUE_CYCLES_PER_INSTRUCTION = 21;
export const PROFILE_RE_ELEMENTS_PER_CYCLE_PER_PE = 22;
export const PROFILE_REDUCTION_LINK_BYTES_PER_CYCLE = 23;
export const PROFILE_SE_LUT_PASSES = 24;
export const PROFILE_MLU_BYTES_PER_CYCLE_PER_PE = 25;
export const PROFILE_DMA_DESCRIPTOR_CYCLES = 26;
export const PROFILE_SE_ACCUMULATE_ROWS = 28;
export const PROFILE_SYSTOLIC_ROWS = 29;
export const PROFILE_SYSTOLIC_COLS = 30;
export const PROFILE_SYSTOLIC_DATAFLOW = 31;
/** Systolic dataflows (PROFILE_SYSTOLIC_DATAFLOW): output, weight, input stationary. */
export const DATAFLOW_OS = 0;
export const DATAFLOW_WS = 1;
export const DATAFLOW_IS = 2;

/** f64 fields of an op record (assembly/timing/record.ts) and the bound codes. */
export const RECORD_START_CYCLES = 0;
export const RECORD_END_CYCLES = 1;
export const RECORD_LAUNCH_CYCLES = 2;
export const RECORD_ISSUE_CYCLES = 3;
export const RECORD_COMPUTE_CYCLES = 4;
export const RECORD_STALL_CYCLES = 5;
export const RECORD_DPE_CYCLES = 6;
export const RECORD_SE_CYCLES = 7;
export const RECORD_RE_CYCLES = 8;
export const RECORD_MLU_CYCLES = 9;
export const RECORD_FABRIC_CYCLES = 10;
export const RECORD_LOCAL_MEMORY_BYTES = 11;
export const RECORD_SRAM_BYTES = 12;
export const RECORD_DRAM_BYTES = 13;
export const RECORD_PCIE_BYTES = 14;
export const RECORD_SRAM_HIT_RATE = 15;
export const RECORD_UTILISATION = 16;
export const RECORD_BOUND = 17;
export const RECORD_ENGINE = 18;
export const RECORD_BODY_CYCLES = 19;
export const RECORD_WORK = 20;
export const RECORD_PES = 21;
export const RECORD_STEPS = 22;
export const RECORD_TILE_M = 23;
export const RECORD_TILE_N = 24;
export const RECORD_TILE_K = 25;
export const RECORD_K_SPLIT = 26;
export const RECORD_PCIE_DIRECTION = 27;
export const RECORD_PEAK_RATE = 28;
export const RECORD_OPERAND_BYTES = 29;
export const RECORD_OPERAND_HIT_BYTES = 30;
export const RECORD_SYSTOLIC_FOLDS = 31;
export const RECORD_SYSTOLIC_MAPPING_EFFICIENCY = 32;
export const RECORD_SYSTOLIC_COMPUTE_UTILISATION = 33;
export const RECORD_SYSTOLIC_OVERALL_UTILISATION = 34;
export const RECORD_RESERVED_FROM = 35;
export const RECORD_RESERVED_TO = 45;
export const RECORD_FABRIC_BUSY_CYCLES = 55;
export const RECORD_PATH_CYCLES = 56;
export const RECORD_WAIT_BOUND = 64;
export const RECORD_FIELDS = 65;
export const BOUND_LAUNCH = 0;
export const BOUND_ISSUE = 1;
export const BOUND_COMPUTE = 2;
export const BOUND_SRAM = 3;
export const BOUND_DRAM = 4;
export const BOUND_PCIE = 5;
export const BOUND_NONE = 6;
export const BOUND_FABRIC = 7;

/** Tensor-op argument blocks (assembly/ops/args.ts): u32 word indices and sizes. */
export const MAX_RANK = 8;
export const ARGS_BYTES = ARGS_BLOCK_SIZE;
export const ARGS_RANK = 0;
export const ARGS_KIND = 1;
export const ARGS_DTYPE = 2;
export const ARGS_ADDRESS3 = 6;
export const ARGS_SHAPE = 8;
export const ARGS_STRIDES = 24;
export const ARGS_PARAMS = 88;

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
export const UNARY_ERF = 11;
export const UNARY_ABS = 12;
export const UNARY_RECIPROCAL = 13;
export const UNARY_LEAKY_RELU = 14;
export const UNARY_HARD_SIGMOID = 15;
export const UNARY_HARD_SWISH = 16;
export const UNARY_LOGICAL_NOT = 17;
export const UNARY_KINDS = 18;
/** Kinds of OP_BINARY. */
export const BINARY_ADD = 0;
export const BINARY_SUB = 1;
export const BINARY_MUL = 2;
export const BINARY_DIV = 3;
export const BINARY_MAXIMUM = 4;
export const BINARY_MINIMUM = 5;
export const BINARY_POW = 6;
export const BINARY_EQ = 7;
export const BINARY_NE = 8;
export const BINARY_LT = 9;
export const BINARY_LE = 10;
export const BINARY_GT = 11;
export const BINARY_GE = 12;
export const BINARY_LOGICAL_AND = 13;
export const BINARY_LOGICAL_OR = 14;
export const BINARY_LOGICAL_XOR = 15;
export const BINARY_KINDS = 16;
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
/** Modes of OP_PAD (assembly/ops/padding.ts). */
export const PAD_CONSTANT = 0;
export const PAD_REFLECT = 1;
export const PAD_REPLICATE = 2;
export const PAD_KINDS = 3;
/** Modes, coordinate transformations and nearest modes of OP_RESIZE (assembly/ops/resize.ts). */
export const RESIZE_NEAREST = 0;
export const RESIZE_LINEAR = 1;
export const RESIZE_KINDS = 2;
export const TRANSFORM_HALF_PIXEL = 0;
export const TRANSFORM_ASYMMETRIC = 1;
export const TRANSFORM_ALIGN_CORNERS = 2;
export const TRANSFORM_PYTORCH_HALF_PIXEL = 3;
export const TRANSFORM_TORCH_NEAREST = 4;
export const TRANSFORM_KINDS = 5;
export const NEAREST_ROUND_PREFER_FLOOR = 0;
export const NEAREST_ROUND_PREFER_CEIL = 1;
export const NEAREST_FLOOR = 2;
export const NEAREST_CEIL = 3;
export const NEAREST_KINDS = 4;
/** Kinds of OP_QUANTIZE (assembly/ops/quantize.ts). */
export const QUANTIZE_PER_TENSOR = 0;
export const DEQUANTIZE_PER_TENSOR = 1;
export const QUANTIZE_PER_ROW = 2;
export const DEQUANTIZE_PER_ROW = 3;
export const QUANTIZE_KINDS = 4;
/** Largest K of OP_QUANTIZED_LINEAR: its int32 sums cannot overflow (assembly/kernels/matmul-int8.ts). */
export const INT8_MATMUL_MAX_K = 131071;
/** Kinds of OP_NORM (assembly/ops/normalization.ts). */
export const NORM_BATCH = 0;
export const NORM_GROUP = 1;
export const NORM_RMS = 2;
export const NORM_KINDS = 3;
/** OP_ATTENTION's mask kinds and flags (assembly/ops/attention.ts). */
export const ATTENTION_MASK_NONE = 0;
export const ATTENTION_MASK_BOOL = 1;
export const ATTENTION_MASK_ADD = 2;
export const ATTENTION_CAUSAL = 1;
export const ATTENTION_KEY_BLOCK = 64;
export const ATTENTION_MAX_BATCH_RANK = 6;
/** Modes of OP_EMBEDDING_BAG (assembly/ops/embedding.ts). */
export const BAG_SUM = 0;
export const BAG_MEAN = 1;
/** Kinds of OP_GATHER (assembly/ops/indexing.ts): gather, index_select, embedding. */
export const GATHER_ELEMENTS = 0;
export const GATHER_INDEX_SELECT = 1;
export const GATHER_EMBEDDING = 2;
export const GATHER_KINDS = 3;
/** Fused activations of OP_CONV (assembly/ops/conv.ts) and its im2col chunk bytes. */
export const CONV_ACTIVATION_NONE = 0;
export const CONV_ACTIVATION_RELU = 1;
export const CONV_ACTIVATION_RELU6 = 2;
export const CONV_ACTIVATION_SIGMOID = 3;
export const CONV_ACTIVATION_SILU = 4;
export const CONV_ACTIVATION_GELU = 5;
export const CONV_ACTIVATIONS = 6;
export const CONV_COLUMN_BYTES = 1 << 22;
/** Kinds of OP_POOL (assembly/ops/pool.ts). */
export const POOL_MAX = 0;
export const POOL_AVG = 1;
export const POOL_ADAPTIVE_AVG = 2;
export const POOL_KINDS = 3;
/** Matmul blocking (assembly/kernels/matmul.ts): the host sizes the workspace with them. */
export const TILE_M = 4;
export const TILE_N = 8;
export const BLOCK_K = 256;
export const BLOCK_M = 64;
export const BLOCK_N = 512;
/** Shared matmul (assembly/kernels/matmul-shared.ts): rows per block, buffer sizes, sync block bytes. */
export const SHARED_BLOCK_M = 8;
export const SHARED_PANEL_BYTES = 16 << 20;
export const SHARED_MAX_K = (SHARED_PANEL_BYTES / (TILE_N * 4 * BLOCK_K)) * BLOCK_K;
export const SHARED_BLOCK_BYTES = SHARED_BLOCK_M * BLOCK_K * 4;
export const SYNC_BYTES = 16;
