// The baseline of bench/dispatch/run.mjs: a device that receives every command as a
// postMessage, as a naive worker RPC would send it. It runs the same core (dist/core.wasm) on
// its own shared memory and executes each command through the core's ring and drain(), so the
// only difference from the library is how a command travels from the host: a structured-clone
// message instead of a write into shared memory.
//
// Protocol (this file and run.mjs only): after boot the worker posts
//   { status, opcode, dtype, dst, src0, src1 }   — an ADD command ready to send, operands set up;
// then every message is a command { opcode, dtype, dst, src0, src1, count, reply }, and a
// command with reply: true is answered with { done, fault, value } once it has executed.

import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** 64 MiB: more than the core's control region and static data need, plus three operands. */
const MEMORY_PAGES = 1024;

const module = new WebAssembly.Module(readFileSync(new URL('../../dist/core.wasm', import.meta.url)));
const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES, shared: true });
const core = new WebAssembly.Instance(module, { env: { memory }, threads: { matmul: () => 0 } }).exports;
/** The core's layout and ABI numbers, read from its exported globals (nothing hard-coded). */
const L = Object.fromEntries(
  Object.entries(core).filter(([, value]) => value instanceof WebAssembly.Global).map(([name, value]) => [name, value.value]),
);
const i32 = new Int32Array(memory.buffer);
const u32 = new Uint32Array(memory.buffer);
const f32 = new Float32Array(memory.buffer);
const f64 = new Float64Array(memory.buffer);

// Header and profile block, as SimulatedDevice.writeHeader() writes them before boot.
i32[L.HEADER_ABI_VERSION / 4] = L.ABI_VERSION;
f64.set(workerData.profileBlock, L.PROFILE_LOCATION / 8);
const status = core.boot();

// Three float32 operands in the heap: src0 = 1, src1 = 2, dst.
const src0 = L.HEAP_LOCATION;
const src1 = src0 + 64;
const dst = src1 + 64;
f32[src0 / 4] = 1;
f32[src1 / 4] = 2;

const headIndex = L.HEADER_RING_HEAD / 4;
const doneIndex = (L.STREAMS_LOCATION + L.STREAM_DONE) / 4;
const faultCountIndex = (L.STREAMS_LOCATION + L.STREAM_FAULT_COUNT) / 4;
let head = Atomics.load(u32, headIndex);

/** Writes `command` for stream 0 at ring position head, publishes it and runs it in the core. */
function execute(command) {
  const at = L.RING_LOCATION + (head & (L.RING_COMMANDS - 1)) * L.COMMAND_SIZE;
  u32[(at + L.COMMAND_OPCODE) / 4] = command.opcode;
  u32[(at + L.COMMAND_DTYPE) / 4] = command.dtype;
  // Addresses are u64; these are below 4 GiB.
  u32.set([command.dst, 0, command.src0, 0, command.src1, 0], (at + L.COMMAND_DST) / 4);
  u32[(at + L.COMMAND_COUNT) / 4] = command.count;
  u32[(at + L.COMMAND_ARG0) / 4] = 0;
  u32[(at + L.COMMAND_STREAM) / 4] = 0;
  f64[(at + L.COMMAND_SCALAR) / 8] = 0;
  head = (head + 1) >>> 0;
  Atomics.store(u32, headIndex, head);
  core.drain(L.RING_COMMANDS);
}

parentPort.on('message', (command) => {
  execute(command);
  if (command.reply) {
    parentPort.postMessage({
      done: Atomics.load(u32, doneIndex),
      fault: Atomics.load(i32, faultCountIndex),
      value: f32[command.dst / 4],
    });
  }
});
parentPort.postMessage({ status, opcode: L.OP_ADD, dtype: L.DTYPE_FLOAT32, dst, src0, src1 });
