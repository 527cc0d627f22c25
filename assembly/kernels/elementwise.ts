// Elementwise kernels over contiguous operands: four lanes per v128, then the tail.
// Operands may alias (out = a + a, a += b): each element is read before it is written.

/** dst[i] = a[i] + b[i] in float32. */
export function addFloat32(dst: usize, a: usize, b: usize, count: u32): void {
  const vectorBytes = (<usize>count >> 2) << 4;
  const bytes = <usize>count << 2;
  let i: usize = 0;
  for (; i < vectorBytes; i += 16) {
    v128.store(dst + i, f32x4.add(v128.load(a + i), v128.load(b + i)));
  }
  for (; i < bytes; i += 4) store<f32>(dst + i, load<f32>(a + i) + load<f32>(b + i));
}

/** dst[i] = a[i] + b[i] in int32, wrapping on overflow as PyTorch does. */
export function addInt32(dst: usize, a: usize, b: usize, count: u32): void {
  const vectorBytes = (<usize>count >> 2) << 4;
  const bytes = <usize>count << 2;
  let i: usize = 0;
  for (; i < vectorBytes; i += 16) {
    v128.store(dst + i, i32x4.add(v128.load(a + i), v128.load(b + i)));
  }
  for (; i < bytes; i += 4) store<i32>(dst + i, load<i32>(a + i) + load<i32>(b + i));
}
