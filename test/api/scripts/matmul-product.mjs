// A float32 matmul through the public API, for the relaxed-SIMD test: prints the operands, the
// product as read back, and a 1 × 2 · 2 × 1 product whose result tells whether its two steps
// were fused (see test/api/relaxed-simd.test.ts). Exits without calling shutdown().
import { matmul, tensor } from 'mtia-sim';

const [m, n, k] = [37, 130, 300];
let state = 12345;
/** xorshift32 in [-1, 1), rounded to float32 (test data only). */
const next = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return Math.fround(state / 2 ** 31 - 1);
};
const a = Float32Array.from({ length: m * k }, next);
const b = Float32Array.from({ length: k * n }, next);
const c = await matmul(tensor(a).view([m, k]), tensor(b).view([k, n])).toArray();
const x = 1 + 2 ** -12;
const probe = (await matmul(tensor([[-1, x]]), tensor([[1], [x]])).toArray())[0];
console.log(JSON.stringify({ m, n, k, a: Array.from(a), b: Array.from(b), c: Array.from(c), probe }));
