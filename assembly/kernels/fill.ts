// FILL kernels: 16 bytes per store with a splatted v128, then the tail element by element.

/** dst[0..count) = value as float32. */
export function fillFloat32(dst: usize, count: u32, value: f32): void {
  const splat = f32x4.splat(value);
  const vectorEnd = dst + ((<usize>count >> 2) << 4);
  const end = dst + (<usize>count << 2);
  let p = dst;
  for (; p < vectorEnd; p += 16) v128.store(p, splat);
  for (; p < end; p += 4) store<f32>(p, value);
}

/** dst[0..count) = value as int32. */
export function fillInt32(dst: usize, count: u32, value: i32): void {
  const splat = i32x4.splat(value);
  const vectorEnd = dst + ((<usize>count >> 2) << 4);
  const end = dst + (<usize>count << 2);
  let p = dst;
  for (; p < vectorEnd; p += 16) v128.store(p, splat);
  for (; p < end; p += 4) store<i32>(p, value);
}
