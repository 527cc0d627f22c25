// Typed views over a device's shared memory. The memory never grows (its initial and maximum
// sizes are equal), so views made once stay valid.

/** The views the host reads and writes device memory through. */
export interface MemoryViews {
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
}

/** Creates the typed views of a device memory. */
export function memoryViews(memory: WebAssembly.Memory): MemoryViews {
  const buffer = memory.buffer;
  return { i32: new Int32Array(buffer), u32: new Uint32Array(buffer), f64: new Float64Array(buffer) };
}
