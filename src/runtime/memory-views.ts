// Typed views over a device's memory (shared), or over the host's mirror of its first bytes
// (the postMessage transport). Neither ever grows, so views made once stay valid.

/** The views the host reads and writes device memory through. */
export interface MemoryViews {
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
}

/** Creates the typed views of a device memory, or of a buffer (a mirror of one). */
export function memoryViews(memory: WebAssembly.Memory | ArrayBufferLike): MemoryViews {
  const buffer = memory instanceof WebAssembly.Memory ? memory.buffer : memory;
  return { i32: new Int32Array(buffer), u32: new Uint32Array(buffer), f64: new Float64Array(buffer) };
}
