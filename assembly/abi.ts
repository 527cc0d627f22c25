// The command ABI: what the host writes into a stream ring and how the core reads it.
//
// A command is COMMAND_SIZE (64) bytes:
//
//   byte  0 ┌─────────┬─────────┬───────────────────┬───────────────────┬─────────┬─────────┐
//           │ opcode  │ dtype   │ reserved          │ count (u64)       │ arg0    │ stream  │ (u32)
//        32 ├─────────┴─────────┴──────┬────────────┴───────────────────┴───┬─────┴─────────┤
//           │ dst (u64)                │ src0 (u64)                         │ src1 (u64)    │
//        56 ├──────────────────────────┴────────────────────────────────────┴───────────────┤
//           │ scalar (f64)                                                                 │
//        64 └──────────────────────────────────────────────────────────────────────────────┘
//
// Tensor addresses (dst, src0, src1) are 64-bit byte addresses in device memory: in timing-only
// mode device memory is the profile's whole DRAM (128 GB on MTIA 2i), far past what a wasm32
// memory holds, and the core only checks and times them (layout.ts HEADER_TIMING_ONLY). arg0,
// the op's argument block, always lies in the real memory (layout.ts ARGS_LOCATION). count is
// in elements (bytes for COPY), a u64: in timing-only mode an op may pass 2^32 elements (issue 21
// finding 5); in values mode it never does (device memory is a wasm32 memory), so a kernel may
// take its low word once the op is timed. Queue operations (event records and waits, graph
// launches) keep a generation or a job count in it, which the host keeps below 2^32. The host
// mirrors these numbers in src/runtime/layout.ts.

/** Bumped whenever the memory map, the command format or a code below changes. */
export const ABI_VERSION: u32 = 11;

export const COMMAND_OPCODE: u32 = 0;
export const COMMAND_DTYPE: u32 = 4;
/** Elements (bytes for COPY), a u64; its low word alone for queue operations. */
export const COMMAND_COUNT: u32 = 16;
export const COMMAND_ARG0: u32 = 24;
/** Stream slot (0 .. STREAM_SLOTS-1) whose in-order queue the command belongs to. */
export const COMMAND_STREAM: u32 = 28;
export const COMMAND_DST: u32 = 32;
export const COMMAND_SRC0: u32 = 40;
export const COMMAND_SRC1: u32 = 48;
export const COMMAND_SCALAR: u32 = 56;

/** Does nothing but take the launch cost; useful for tests and as a timing mark. */
export const OP_NOP: u32 = 0;
/** dst[0..count) = scalar converted to dtype, for every dtype (ops/elementwise.ts full). */
export const OP_FILL: u32 = 1;
/** Copies count bytes from src0 to dst; arg0 is the CopyPath that sets its cost. */
export const OP_COPY: u32 = 2;
/** dst[i] = src0[i] + src1[i] for i < count, in dtype. */
export const OP_ADD: u32 = 3;
/** Records event slot arg0 with generation count at the stream's clock (queue ops: no launch). */
export const OP_RECORD_EVENT: u32 = 4;
/** Waits for event slot arg0 to hold generation count; the stream's clock moves to its time. */
export const OP_WAIT_EVENT: u32 = 5;
/**
 * Moves the stream's clock to at least `scalar` cycles: the host saw the device reach that time
 * (a synchronize) before it issued what follows, so that cannot start earlier.
 */
export const OP_ADVANCE_CLOCK: u32 = 6;
/**
 * Launches a captured graph (src/mtia/graph.ts): the stream's next `count` commands are its
 * jobs. The control core charges one launch (or replacement) here and none for those jobs,
 * whose work-queue descriptors it broadcasts at once (timing/control-core.ts).
 */
export const OP_GRAPH_LAUNCH: u32 = 7;
export const OPCODE_COUNT: u32 = 8;
// Opcodes from 16 up are tensor ops (kernels/), each with its own decoder function.
// Tensor ops take their shapes and strides from an argument block at arg0 (ops/args.ts).
/** dst = f(src0) over a strided N-d iteration; the kind (neg, exp, copy, ...) is in the args. */
export const OP_UNARY: u32 = 16;
/** dst = src0 (op) src1 with broadcasting strides; the kind (add, sub, ...) is in the args. */
export const OP_BINARY: u32 = 17;
/** dst = cond ? src0 : src1 (torch.where); the condition is operand 3 of the args. */
export const OP_WHERE: u32 = 18;
/** Reduces the trailing dims of src0 into dst (sum, mean, max, min, argmax). */
export const OP_REDUCE: u32 = 19;
/** Batched, strided dst = src0 @ src1 (+ bias), float32 accumulation (ops/matmul.ts). */
export const OP_MATMUL: u32 = 20;
/** Row ops over the last dim: softmax, log-softmax, layer norm (ops/rows.ts). */
export const OP_ROWS: u32 = 21;
/** dst = embedding bags of src0 (weight) at src1 (int32 indices) with offsets (ops/embedding.ts). */
export const OP_EMBEDDING_BAG: u32 = 22;
/** dst[0..count) = random numbers from Philox4x32-10 at the args' seed and offset (ops/random.ts). */
export const OP_RANDOM: u32 = 23;
/** int8 quantization over rows: per tensor, per row (dynamic) or dequantize; kind in the args (ops/quantize.ts). */
export const OP_QUANTIZE: u32 = 24;
/** dst (float32) = (int8 src0 · int8 src1ᵀ in int32) · row scale · column scale (+ bias) (ops/quantized-linear.ts). */
export const OP_QUANTIZED_LINEAR: u32 = 25;
/** dst = torch.nn.functional.pad(src0): constant, reflect or replicate; kind and pads in the args (ops/padding.ts). */
export const OP_PAD: u32 = 31;
/** dst = ONNX Resize of src0 over H and W of NCHW: nearest or bilinear; modes and scales in the args (ops/resize.ts). */
export const OP_RESIZE: u32 = 32;
/** dst = torch.cumsum(src0) along the args' last dim, with ONNX CumSum's exclusive and reverse (ops/scan.ts). */
export const OP_CUMSUM: u32 = 33;
/** dst (values), addr3 (int32 indices) = torch.topk(src0, k) along the args' last dim (ops/topk.ts). */
export const OP_TOPK: u32 = 34;
/**
 * Drops [dst, dst + scalar bytes) from the SRAM without write-back: the caching allocator freed
 * the block, so its data is dead (timing/memory-levels.ts discardOperand). A queue operation: no
 * launch, no time; stream-ordered like the free.
 */
export const OP_DISCARD: u32 = 35;
/** dst = src0 gathered at src1 (int32 or int64 indices) along one dim: gather, index_select, embedding (ops/indexing.ts). */
export const OP_GATHER: u32 = 30;
/** Batch norm (inference), group norm and RMS norm over [N, C, M]; kind in the args (ops/normalization.ts). */
export const OP_NORM: u32 = 28;
/** Fused scaled dot-product attention, flash-attention style (ops/attention.ts). */
export const OP_ATTENTION: u32 = 29;
/** dst = conv2d or conv_transpose2d of src0 (input) and src1 (weight) (+ bias), fused activation (ops/conv.ts). */
export const OP_CONV: u32 = 26;
/** dst = max, average or adaptive average pooling of src0 over NCHW windows (ops/pool.ts). */
export const OP_POOL: u32 = 27;

// Element types. Each has a fixed element size (DTYPE_BYTES in kernels/dtype.ts).
export const DTYPE_FLOAT32: u32 = 0;
export const DTYPE_FLOAT16: u32 = 1;
export const DTYPE_BFLOAT16: u32 = 2;
export const DTYPE_INT8: u32 = 3;
export const DTYPE_INT32: u32 = 4;
export const DTYPE_BOOL: u32 = 5;
/** 64-bit integers (torch.int64, 'Long'): stored, converted, copied and used as indices; no arithmetic. */
export const DTYPE_INT64: u32 = 6;
export const DTYPE_COUNT: u32 = 7;

// Where a copy moves data, which decides the link it is charged to.
/** Host (staging) to device memory, over PCIe. */
export const COPY_HOST_TO_DEVICE: u32 = 0;
/** Device memory to host (staging), over PCIe. */
export const COPY_DEVICE_TO_HOST: u32 = 1;
/** Device memory to device memory, read and written through DRAM. */
export const COPY_DEVICE_TO_DEVICE: u32 = 2;

// HEADER_DEVICE_STATE values.
export const DEVICE_BOOTING: u32 = 0;
export const DEVICE_RUNNING: u32 = 1;
/** The core trapped; HEADER_FAULT says why. Every waiter is woken and must give up. */
export const DEVICE_FAULTED: u32 = 2;
