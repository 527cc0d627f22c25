// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw, "Parallel Random
// Numbers: As Easy as 1, 2, 3" (SC'11), as in Random123 and cuRAND: ten rounds of two 32 × 32
// → 64-bit multiplies over a 128-bit counter, with a 64-bit key bumped by Weyl constants.
// Output block b of seed s is philox(counter = b as a 128-bit number, key = s); results never
// depend on which thread or in which order blocks are computed.

const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

/** The four 32-bit outputs of the last philox() call. */
export const philoxOut = memory.data(16, 16);

/** Computes Philox4x32-10 of counter (c0, c1, c2, c3) and key (k0, k1) into philoxOut. */
export function philox(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let round = 0; round < 10; round++) {
    const p0 = M0 * <u64>c0;
    const p1 = M1 * <u64>c2;
    const n0 = <u32>(p1 >> 32) ^ c1 ^ k0;
    const n2 = <u32>(p0 >> 32) ^ c3 ^ k1;
    c1 = <u32>p1;
    c3 = <u32>p0;
    c0 = n0;
    c2 = n2;
    k0 += W0;
    k1 += W1;
  }
  store<u32>(philoxOut, c0);
  store<u32>(philoxOut, c1, 4);
  store<u32>(philoxOut, c2, 8);
  store<u32>(philoxOut, c3, 12);
}
