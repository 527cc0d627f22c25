// The timing model's worked examples (docs/timing-model.md), through the core's exports only:
// each expected figure is the hand arithmetic of the doc, written out from the MTIA 2i
// profile's numbers (src/profiles.ts), and compared with what the core computed, to 1e-6
// relative. Further down, the properties the model must have: contention on shared memory
// levels, overlap across engines, clock scaling, the SRAM's write-back LRU, timing-only mode.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import type { HardwareProfile } from '../../src/profiles.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { cheapestSteps } from '../support/streaming-steps.js';

const MiB = 1 << 20;
// MTIA 2i at 1.35 GHz, per cycle (src/profiles.ts has the sources).
const launch = 750e-9 * 1.35e9; // 1012.5 cycles
const replace = 300e-9 * 1.35e9; // 405
const dramLatency = 120e-9 * 1.35e9; // 162
const sramLatency = 40e-9 * 1.35e9; // 54
const dramPerCycle = (204.8e9 * 0.97) / 1.35e9; // 147.15 B/cycle
const sramPerCycle = 2.7e12 / 1.35e9; // 2000 B/cycle
const localMemoryPerCycle = 1.0e12 / 1.35e9; // 740.7 B/cycle per PE
const fabricPerCycle = 64; // B/cycle per PE
const descriptor = 8; // cycles per DMA descriptor
const issue = 16; // cycles per custom instruction

/** A booted core; `timingOnlyBytes` > 0 makes its memory virtual (timing-only mode). */
function core(profile: Partial<HardwareProfile> = {}, heapBytes = 64 * MiB, timingOnlyBytes = 0): CoreHarness {
  const h = new CoreHarness(heapBytes, profile, L.ABI_VERSION, timingOnlyBytes);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** Pushes a float32 add of `n` elements (OP_ADD) on `slot` and runs it. */
function add(h: CoreHarness, n: number, a: number, b: number, dst: number, slot = 0): void {
  h.push({ opcode: L.OP_ADD, dtype: L.DTYPE_FLOAT32, dst, src0: a, src1: b, count: n }, slot);
  h.core.drain(1);
  expect(h.fault(slot).count).toBe(0);
}

/** Pushes a contiguous M×K · K×N matmul of `dtype` (element `size` bytes) on `slot` and runs it. */
function matmul(h: CoreHarness, m: number, n: number, k: number, dtype: number, a: number, b: number, c: number, workspace: number, slot = 0): void {
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_DTYPE] = dtype;
  h.u32[word + L.ARGS_DTYPE + 1] = dtype;
  // M N K, A strides (k, 1), B strides (n, 1), no bias, workspace address and bytes.
  [m, n, k, k, 1, n, 1, 0, 0, 0, workspace, 0, 0x7fffffff].forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
  h.push({ opcode: L.OP_MATMUL, dtype, dst: c, src0: a, src1: b, count: m * n, arg0: args }, slot);
  h.core.drain(1);
  expect(h.fault(slot).count).toBe(0);
}

const record = (h: CoreHarness, field: number) => h.record(field);

describe('worked examples (MTIA 2i)', () => {
  test('a job on an idle device starts a launch after submission; one queued behind another, a replacement after it', () => {
    const h = core();
    h.push({ opcode: L.OP_NOP });
    h.push({ opcode: L.OP_NOP });
    h.core.drain(2);
    expect(h.clockCycles() / 1.35e9).toBeCloseTo(0.75e-6 + 0.3e-6, 15);
    expect(record(h, L.RECORD_LAUNCH_CYCLES)).toBeCloseTo(replace, 9);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_LAUNCH);
  });

  test('a graph launch is one launch: its jobs start without a launch or a replacement each, then jobs pay again', () => {
    const h = core();
    h.push({ opcode: L.OP_NOP });
    h.push({ opcode: L.OP_GRAPH_LAUNCH, count: 3 });
    for (let k = 0; k < 3; k++) h.push({ opcode: L.OP_NOP });
    expect(h.core.drain(5)).toBe(5);
    // NOP (launch), the graph (a replacement behind it), its three NOPs (nothing each).
    expect(h.clockCycles()).toBeCloseTo(launch + replace, 6);
    expect(record(h, L.RECORD_LAUNCH_CYCLES)).toBe(0);
    expect(h.record(L.RECORD_START_CYCLES, 2)).toBeCloseTo(launch + replace, 6);
    expect(h.u32[h.streamWord(0, L.STREAM_GRAPH_JOBS)]).toBe(0);
    h.push({ opcode: L.OP_NOP });
    h.core.drain(1);
    expect(h.clockCycles()).toBeCloseTo(launch + 2 * replace, 6);
    const control = h.f64[(L.ENGINES_LOCATION + L.ENGINE_CONTROL * L.ENGINE_SIZE + L.ENGINE_BUSY_CYCLES) / 8];
    expect(control).toBeCloseTo(3 * replace, 6); // the NOP, the graph, the last NOP
  });

  test('a cold 1 Mi-element float32 add is DRAM-bound: 512 pipelined tiles of one SE vector per PE', () => {
    const h = core();
    const n = MiB;
    add(h, n, h.heap(0), h.heap(4 * MiB), h.heap(8 * MiB));
    // 64 PEs × 16 384 elements; 12 B per element (two 4-byte inputs, one output). Both inputs
    // are cold: 8 MiB from DRAM, B = 8 MiB / 147.15 = 57 006.2 cycles in all, the slowest
    // stage. B / 48 = 1187.6 steps would make issue as slow as it, more than the most steps
    // (16 384 / 32 = 512, one SE vector per PE per step): 512 steps of t = 32.
    const dramTotal = (8 * MiB) / dramPerCycle;
    expect(dramTotal / (3 * issue)).toBeGreaterThan(512);
    const steps = 512;
    const t = 16384 / steps;
    const issueStage = 3 * issue; // DMA in, SE add, DMA out
    const se = t / 32; // 32 elements per cycle per PE
    const fabricOut = (t * 4) / fabricPerCycle;
    const dram = dramTotal / steps;
    const sram = (12 * MiB) / sramPerCycle / steps;
    const fabricIn = (t * 8) / fabricPerCycle + descriptor;
    expect(dram).toBeGreaterThan(Math.max(sram, fabricIn, se, issueStage, fabricOut));
    const body = dramLatency + (issueStage + dram + se + fabricOut) + (steps - 1) * dram;
    // The doc's short form: latency + 48 + B + R / s, R the rest of the fill (SE 512, FI out 1024).
    expect(body).toBeCloseTo(dramLatency + 48 + dramTotal + (512 + 1024) / steps, 6);
    expect(body).toBeCloseTo(57219.2, 1);
    const share = { latency: dramLatency, issue: issueStage, fabricIn: (16384 * 8) / fabricPerCycle, descriptor, sram: (12 * MiB) / sramPerCycle, dram: dramTotal, se: 512, fabricOut: 1024 };
    expect(cheapestSteps(share, 7, 512)).toEqual({ steps, body: expect.closeTo(body, 6) });
    expect(record(h, L.RECORD_STEPS)).toBe(steps);
    expect(record(h, L.RECORD_BODY_CYCLES)).toBeCloseTo(body, 6);
    expect(h.clockCycles()).toBeCloseTo(launch + body, 6);
    expect(h.clockCycles() / 1.35e9).toBeCloseTo(43.13e-6, 8);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_DRAM);
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(8 * MiB);
    expect(record(h, L.RECORD_SRAM_HIT_RATE)).toBe(0);

    // Again: now every operand is in SRAM, and the add is SRAM-bound: B = 12 MiB / 2000 =
    // 6291.5, ⌊B / 48⌋ = 131 steps; 132 would make issue the slowest stage, and cost more.
    const end = h.clockCycles();
    add(h, n, h.heap(0), h.heap(4 * MiB), h.heap(8 * MiB));
    const sramTotal = (12 * MiB) / sramPerCycle;
    const warmSteps = Math.floor(sramTotal / 48);
    expect(warmSteps).toBe(131);
    const warm = sramLatency + 48 + sramTotal + (512 + 1024) / warmSteps;
    expect(warm).toBeCloseTo(6405.2, 1);
    expect(sramLatency + (sramTotal + 512 + 1024) / 132 + 48 * 132).toBeCloseTo(6449.3, 1);
    expect(cheapestSteps({ ...share, latency: sramLatency, dram: 0 }, 7, 512)).toEqual({ steps: warmSteps, body: expect.closeTo(warm, 6) });
    expect(record(h, L.RECORD_STEPS)).toBe(warmSteps);
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(0);
    expect(record(h, L.RECORD_SRAM_HIT_RATE)).toBe(1);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_SRAM);
    expect(h.clockCycles() - end).toBeCloseTo(replace + warm, 6);
  });

  test('a cold int32 add of 2^32 + 2^30 elements (timing-only) is the same arithmetic, one SE vector per PE per step', () => {
    // Issue 21 finding 5: the command's count is a u64 (ABI 10); taken modulo 2^32 it was 2^30.
    const n = 2 ** 32 + 2 ** 30;
    const bytes = 4 * n; // 20 GiB per operand
    const h = core({}, 0, 64 * 2 ** 30);
    h.push({ opcode: L.OP_ADD, dtype: L.DTYPE_INT32, dst: h.heap(2 * bytes), src0: h.heap(0), src1: h.heap(bytes), count: n });
    h.core.drain(1);
    expect(h.fault().count).toBe(0);
    // 64 PEs × 83 886 080 elements. DRAM: both cold inputs (40 GiB), and the output's write-back:
    // 20 GiB through a 256 MiB write-back SRAM leaves all but the last 256 MiB written back
    // (memory-levels.ts). B = that over 147.15 B/cycle is the slowest stage in all; B / 48 would
    // make issue as slow as it, far more than the most steps (83 886 080 / 32 = 2 621 440, one
    // SE vector per PE per step, as the 1 Mi-element add above): 2 621 440 steps of t = 32.
    const perPe = n / 64;
    const dramBytes = 2 * bytes + (bytes - v2.sramBytes);
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(dramBytes);
    const dramTotal = dramBytes / dramPerCycle;
    const steps = perPe / 32;
    expect(dramTotal / (3 * issue)).toBeGreaterThan(steps);
    expect(record(h, L.RECORD_STEPS)).toBe(steps);
    const t = perPe / steps;
    const issueStage = 3 * issue;
    const se = t / 32;
    const fabricOut = (t * 4) / fabricPerCycle;
    const dram = dramTotal / steps;
    const sram = (3 * bytes) / sramPerCycle / steps;
    const fabricIn = (t * 8) / fabricPerCycle + descriptor;
    expect(dram).toBeGreaterThan(Math.max(sram, fabricIn, se, issueStage, fabricOut));
    const body = dramLatency + (issueStage + dram + se + fabricOut) + (steps - 1) * dram;
    // The doc's short form: latency + 48 + B + R / s, R the rest of the fill (SE, FI out).
    expect(body).toBeCloseTo(dramLatency + 48 + dramTotal + (perPe / 32 + (perPe * 4) / fabricPerCycle) / steps, 4);
    expect(record(h, L.RECORD_BODY_CYCLES)).toBeCloseTo(body, 4);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_DRAM);
    // docs/timing-model.md: 60 GiB − 256 MiB at 198.7 GB/s (204.8 × 0.97) = 322.95 ms.
    expect(((launch + body) / 1.35e9) * 1e3).toBeCloseTo(322.952, 3);
    expect(h.clockCycles()).toBeCloseTo(launch + body, 4);
  });

  test('a 2048³ bfloat16 GEMM on SRAM-resident operands is DPE-bound at 95.6 % of peak', () => {
    const h = core({}, 0, 64 * MiB);
    const [a, b, c, w] = [h.heap(0), h.heap(8 * MiB), h.heap(16 * MiB), h.heap(24 * MiB)];
    matmul(h, 2048, 2048, 2048, L.DTYPE_BFLOAT16, a, b, c, w);
    const first = h.clockCycles();
    matmul(h, 2048, 2048, 2048, L.DTYPE_BFLOAT16, a, b, c, w);
    // The cheapest mapping (gemm.ts): tiles 128 × 128, no K split; tk: 2 · (128 + 128) · 2 B · tk
    // + 128 · 128 · 4 B ≤ 384 KiB → tk ≤ 320 (10 passes of 32), and steps at least 5 passes
    // deep; of 7, 8, 10, 11 or 13 steps for K's 64 passes, 13 of 2048 / 13 are cheapest (the
    // pipeline fills with a shallower step); 256 output tiles = 4 waves of 64 PEs: 52 steps.
    const tk = 2048 / 13;
    const aTile = 128 * tk * 2;
    const bTile = tk * 128 * 2;
    const dpe = (128 * 128 * tk) / 1024 + bTile / localMemoryPerCycle; // MACs, then loading B into the DPE
    const re = (128 * 128) / 32;
    const convert = (128 * 128) / 32;
    const issueStage = (4 + 3 / 13) * issue;
    // Over the grid per step: A to every PE, B once per column of 8; plus the 256 output tiles.
    const sramBytes = 52 * (64 * aTile + 8 * bTile) + 256 * 128 * 128 * 2;
    const sram = sramBytes / sramPerCycle / 52;
    const fabricIn = (aTile + bTile) / fabricPerCycle + 2 * descriptor;
    const fabricOut = (128 * 128 * 2) / 13 / fabricPerCycle;
    expect(dpe).toBeGreaterThan(Math.max(sram, fabricIn, re, issueStage));
    expect(sram).toBeGreaterThan(fabricIn);
    const body = sramLatency + (issueStage + sram + dpe + re + convert / 13 + fabricOut) + 51 * dpe + convert;
    expect(body).toBeCloseTo(136660.2, 1);
    expect(record(h, L.RECORD_SRAM_BYTES)).toBeCloseTo(sramBytes, 0);
    expect(record(h, L.RECORD_BODY_CYCLES)).toBeCloseTo(body, 6);
    expect(h.clockCycles() - first).toBeCloseTo(replace + body, 6);
    const peakFraction = 2048 ** 3 / 65536 / (replace + body);
    expect(peakFraction).toBeGreaterThan(0.92);
    expect(peakFraction).toBeLessThan(0.96);
    expect(record(h, L.RECORD_UTILISATION)).toBeCloseTo(peakFraction, 9);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_COMPUTE);
    expect([record(h, L.RECORD_PES), record(h, L.RECORD_STEPS), record(h, L.RECORD_TILE_K)]).toEqual([64, 52, tk]);
    expect([record(h, L.RECORD_TILE_M), record(h, L.RECORD_TILE_N), record(h, L.RECORD_K_SPLIT)]).toEqual([128, 128, 1]);
  });

  test('a GEMM with too few output tiles splits K over PEs and sums it over the reduction network', () => {
    const h = core({}, 0, 64 * MiB);
    matmul(h, 256, 256, 2048, L.DTYPE_FLOAT16, h.heap(0), h.heap(2 * MiB), h.heap(4 * MiB), h.heap(6 * MiB));
    // The cheapest mapping (gemm.ts), the operands cold: 64 output tiles of 32 × 32, K split
    // over 32 PEs each, 2 passes of 32 (tk = 64) per PE: 2048 PE-tiles = 32 waves of one step.
    // Each tile's partial sums flow down a chain of 32: 4 KiB / 64 B per cycle + 31 vectors of
    // 128 B, the last one drains the pipeline; the RE takes in a neighbour's partial tile per tile.
    expect([record(h, L.RECORD_TILE_M), record(h, L.RECORD_TILE_N), record(h, L.RECORD_TILE_K)]).toEqual([32, 32, 64]);
    expect([record(h, L.RECORD_K_SPLIT), record(h, L.RECORD_PES), record(h, L.RECORD_STEPS)]).toEqual([32, 64, 32]);
    const aTile = 32 * 64 * 2;
    const bTile = 64 * 32 * 2;
    const dpe = (32 * 32 * 64) / 1024 + bTile / localMemoryPerCycle;
    const re = (32 * 32) / 32 + Math.max((32 * 32) / 32, (32 * 32 * 4) / 64);
    const convert = (32 * 32) / 32;
    const reduction = (32 * 32 * 4) / 64 + (31 * 128) / 64;
    const dram = (2 * 256 * 2048 * 2) / dramPerCycle / 32; // A and B cold, over the 32 steps
    // A to every PE, B once per column of 8 (8 rows of tiles), the 64 output tiles.
    const sramBytes = 32 * (64 * aTile + 8 * bTile) + 64 * 32 * 32 * 2;
    expect(record(h, L.RECORD_SRAM_BYTES)).toBeCloseTo(sramBytes, 0);
    const fabricIn = (aTile + bTile) / fabricPerCycle + 2 * descriptor;
    const fabricOut = (32 * 32 * 2) / fabricPerCycle;
    expect(dram).toBeGreaterThan(Math.max(fabricIn, sramBytes / sramPerCycle / 32, dpe, re, (4 + 3) * issue));
    const body = dramLatency + ((4 + 3) * issue + dram + dpe + re + convert + fabricOut) + 31 * dram + convert + reduction;
    expect(record(h, L.RECORD_BODY_CYCLES)).toBeCloseTo(body, 6);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_DRAM);
  });

  test('the FC layer of ISCA\'25 §4.2 (512 × 26592 × 2048, float16) streams its cold 109 MB weight at 95–98 % of DRAM bandwidth', () => {
    const h = core({}, 0, 512 * MiB);
    const weightBytes = 2048 * 26592 * 2;
    const [x, w, y, ws] = [h.heap(0), h.heap(4 * MiB), h.heap(128 * MiB), h.heap(192 * MiB)];
    // The activations were just produced: resident in SRAM (write them with a fill).
    h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT16, dst: x, count: 512 * 2048 });
    h.core.drain(1);
    const before = h.clockCycles();
    matmul(h, 512, 26592, 2048, L.DTYPE_FLOAT16, x, w, y, ws);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_DRAM);
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(weightBytes);
    const seconds = (h.clockCycles() - before) / 1.35e9;
    const fraction = weightBytes / seconds / 204.8e9;
    expect(fraction).toBeGreaterThan(0.95);
    expect(fraction).toBeLessThan(0.98);
  });
});

describe('properties of the model', () => {
  test('a streaming op takes the cheapest step count of its range: every count tried, cold and warm adds (fast-check, seed 20)', () => {
    // docs/timing-model.md "The streaming step count": between the fewest steps whose tiles fit
    // 32 KiB (in + out) and one SE vector per PE per step, the count of least body. The core's
    // search tries a few candidates; this tries every count with the doc's closed form.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 22 }), (n) => {
        const h = core({}, 64 * MiB);
        // The busiest PE's share: whole SE vectors, ⌈vectors / PEs⌉ of them.
        const pes = Math.min(64, Math.ceil(n / 32));
        const perPe = Math.ceil(Math.ceil(n / 32) / pes) * 32;
        const lo = Math.ceil(perPe / Math.floor(32768 / 12));
        const hi = Math.max(lo, Math.floor(perPe / 32));
        const share = {
          latency: dramLatency, issue: 3 * issue, fabricIn: (perPe * 8) / fabricPerCycle, descriptor,
          sram: (12 * n) / sramPerCycle, dram: (8 * n) / dramPerCycle, se: perPe / 32, fabricOut: (perPe * 4) / fabricPerCycle,
        };
        for (const cold of [true, false]) {
          add(h, n, h.heap(0), h.heap(16 * MiB), h.heap(32 * MiB));
          const best = cheapestSteps(cold ? share : { ...share, latency: sramLatency, dram: 0 }, lo, hi);
          expect(record(h, L.RECORD_BODY_CYCLES) / best.body, `${n} ${cold ? 'cold' : 'warm'}`).toBeCloseTo(1, 9);
        }
      }),
      { seed: 20, numRuns: 60 },
    );
  });

  test('two DRAM-bound adds on two streams take about as long as in sequence: they share the DRAM', () => {
    const n = MiB;
    const sequence = core();
    add(sequence, n, sequence.heap(0), sequence.heap(4 * MiB), sequence.heap(8 * MiB));
    add(sequence, n, sequence.heap(12 * MiB), sequence.heap(16 * MiB), sequence.heap(20 * MiB));
    const together = core();
    add(together, n, together.heap(0), together.heap(4 * MiB), together.heap(8 * MiB), 0);
    add(together, n, together.heap(12 * MiB), together.heap(16 * MiB), together.heap(20 * MiB), 1);
    const parallel = Math.max(together.clockCycles(0), together.clockCycles(1));
    expect(parallel / sequence.clockCycles()).toBeGreaterThan(0.97);
    expect(parallel / sequence.clockCycles()).toBeLessThanOrEqual(1);
    expect(together.record(L.RECORD_BOUND)).toBe(L.BOUND_DRAM);
  });

  test("a job's record holds each engine reservation; the second stream's DRAM reservation queues behind the first's", () => {
    const n = MiB;
    const h = core();
    const dram = L.RECORD_RESERVED_FROM + L.ENGINE_DRAM - L.ENGINE_DPE;
    const dramEnd = L.RECORD_RESERVED_TO + L.ENGINE_DRAM - L.ENGINE_DPE;
    const se = L.RECORD_RESERVED_FROM + L.ENGINE_SE - L.ENGINE_DPE;
    const seEnd = L.RECORD_RESERVED_TO + L.ENGINE_SE - L.ENGINE_DPE;
    add(h, n, h.heap(0), h.heap(4 * MiB), h.heap(8 * MiB), 0);
    const first = { start: h.record(L.RECORD_START_CYCLES), end: h.record(L.RECORD_END_CYCLES), dramFrom: h.record(dram), dramTo: h.record(dramEnd) };
    // Starts with the job; lasts its DRAM bytes at the DRAM's rate (ECC off: 0.97 of 204.8 GB/s).
    expect(first.dramFrom).toBeCloseTo(first.start, 6);
    expect(first.dramTo - first.dramFrom).toBeCloseTo(h.record(L.RECORD_DRAM_BYTES) / ((204.8e9 * 0.97) / 1.35e9), 6);
    expect(h.record(se)).toBeCloseTo(first.start, 6);
    expect(h.record(seEnd) - h.record(se)).toBeCloseTo(h.record(L.RECORD_SE_CYCLES), 9);
    for (const engine of [L.ENGINE_DPE, L.ENGINE_RE, L.ENGINE_MLU, L.ENGINE_PCIE_H2D, L.ENGINE_PCIE_D2H]) {
      expect([h.record(L.RECORD_RESERVED_FROM + engine - L.ENGINE_DPE), h.record(L.RECORD_RESERVED_TO + engine - L.ENGINE_DPE)]).toEqual([0, 0]);
    }
    add(h, n, h.heap(12 * MiB), h.heap(16 * MiB), h.heap(20 * MiB), 1);
    expect(h.record(L.RECORD_START_CYCLES)).toBeLessThan(first.dramTo); // the job starts beside the first
    expect(h.record(dram)).toBeCloseTo(first.dramTo, 6); // but its DRAM traffic waits for the first's
    expect(h.record(L.RECORD_END_CYCLES)).toBeGreaterThanOrEqual(h.record(dramEnd));
  });

  test("an event record's and a wait's records hold the stream's clock before and after them", () => {
    const h = core();
    add(h, 4096, h.heap(0), h.heap(MiB), h.heap(2 * MiB), 0);
    const recorded = h.clockCycles(0);
    h.push({ opcode: L.OP_RECORD_EVENT, arg0: 3, count: 1 }, 0);
    h.push({ opcode: L.OP_WAIT_EVENT, arg0: 3, count: 1 }, 1);
    h.core.drain(2);
    expect([h.record(L.RECORD_START_CYCLES, 1), h.record(L.RECORD_END_CYCLES, 1)]).toEqual([recorded, recorded]);
    expect([h.record(L.RECORD_START_CYCLES), h.record(L.RECORD_END_CYCLES)]).toEqual([0, recorded]);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_NONE);
    expect(h.clockCycles(1)).toBe(recorded);
  });

  test('a DRAM-bound add beside an SRAM-resident GEMM overlaps it: they use different engines and levels', () => {
    // GEMM on stream 1 (operands resident after a first run); on stream 0 a cold add.
    const setup = () => {
      const h = core({}, 0, 256 * MiB);
      matmul(h, 1024, 1024, 1024, L.DTYPE_BFLOAT16, h.heap(0), h.heap(2 * MiB), h.heap(4 * MiB), h.heap(6 * MiB), 1);
      const t0 = h.clockCycles(1);
      h.push({ opcode: L.OP_ADVANCE_CLOCK, scalar: t0 }, 0);
      h.push({ opcode: L.OP_ADVANCE_CLOCK, scalar: t0 }, 1);
      h.core.drain(2);
      return { h, t0 };
    };
    const gemm = (h: CoreHarness) => matmul(h, 1024, 1024, 1024, L.DTYPE_BFLOAT16, h.heap(0), h.heap(2 * MiB), h.heap(4 * MiB), h.heap(6 * MiB), 1);
    const alone = setup();
    gemm(alone.h);
    const gemmAlone = alone.h.clockCycles(1) - alone.t0;
    const { h, t0 } = setup();
    // A cold add of 256 Ki elements: 128 steps (one SE vector per PE each; its DRAM stage
    // B = 2 MiB / 147.15 = 14 251.5 would allow 296), so it holds the RISC-V issue engine for
    // 128 · 48 = 6144 cycles from its start; the GEMM's issue (first come, first served) waits
    // for them and still ends within its own body. (A 1 Mi-element add's 512 steps, 24 576
    // issue cycles, would hold the GEMM back: an engine is held as a whole, docs/timing-model.md
    // "Known limits".)
    add(h, MiB / 4, h.heap(64 * MiB), h.heap(68 * MiB), h.heap(72 * MiB), 0);
    expect(record(h, L.RECORD_STEPS)).toBe(128);
    gemm(h);
    const addTime = h.clockCycles(0) - t0;
    expect(h.clockCycles(1) - t0).toBeCloseTo(gemmAlone, 6); // the GEMM is not slowed
    expect(addTime).toBeGreaterThan(0.5 * gemmAlone); // and the add ran beside it, not before it
    expect(Math.max(addTime, h.clockCycles(1) - t0)).toBeLessThan(addTime + 0.5 * gemmAlone);
  });

  test('compute scales with the clock, DRAM bandwidth does not (1.1 GHz against 1.35 GHz)', () => {
    const time = (clockHz: number, op: (h: CoreHarness) => void): number => {
      const h = core({ clockHz }, 0, 1024 * MiB);
      op(h); // warm-up: operands resident, or outputs placed
      const before = h.clockCycles();
      op(h);
      return (h.clockCycles() - before) / clockHz;
    };
    const gemm = (h: CoreHarness) => matmul(h, 2048, 2048, 2048, L.DTYPE_BFLOAT16, h.heap(0), h.heap(8 * MiB), h.heap(16 * MiB), h.heap(24 * MiB));
    // A DRAM-bound add: operands far larger than the 256 MiB SRAM, so they never stay resident.
    const stream = (h: CoreHarness) => add(h, 64 * MiB, h.heap(0), h.heap(256 * MiB), h.heap(512 * MiB));
    // The launch and the SRAM/DRAM latencies are in ns, so the GEMM scales a little less than
    // the clock: within 0.2 % of 1.35 / 1.1 = 1.227 (SRAM and local memory are per cycle).
    const gemmRatio = time(1.1e9, gemm) / time(1.35e9, gemm);
    expect(gemmRatio).toBeGreaterThan((1.35 / 1.1) * 0.998);
    expect(gemmRatio).toBeLessThanOrEqual(1.35 / 1.1);
    expect(time(1.1e9, stream) / time(1.35e9, stream)).toBeCloseTo(1, 2);
  });

  test('slow instruction issue (a custom profile) makes a GEMM issue-bound', () => {
    const h = core({ issueCyclesPerInstruction: 2000 }, 0, 64 * MiB);
    matmul(h, 2048, 2048, 2048, L.DTYPE_BFLOAT16, h.heap(0), h.heap(8 * MiB), h.heap(16 * MiB), h.heap(24 * MiB));
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_ISSUE);
    expect(record(h, L.RECORD_ISSUE_CYCLES)).toBeCloseTo(28 * (4 + 3 / 7) * 2000, 6);
  });

  test('the SRAM is a write-back LRU cache: evicted dirty bytes go to DRAM, re-reads hit what stayed', () => {
    const h = core({ sramBytes: 1.5 * MiB });
    const fill = (dst: number) => {
      h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst, count: MiB / 4, scalar: 1 });
      h.core.drain(1);
    };
    const read = (src: number) => {
      h.push({ opcode: L.OP_COPY, dst: src, src0: src, count: MiB, arg0: L.COPY_DEVICE_TO_HOST });
      h.core.drain(1);
    };
    const [a, b] = [h.heap(0), h.heap(2 * MiB)];
    fill(a); // A resident and dirty
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(0);
    fill(b); // B needs 0.5 MiB of room: the oldest half MiB of A (its head, written first) is written back
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(MiB / 2);
    read(b); // B, the most recent, is all there
    expect(record(h, L.RECORD_SRAM_HIT_RATE)).toBe(1);
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(0);
    // Reading A from its start: its head comes from DRAM and needs room; the least recently used
    // bytes are A's own tail (older than B), written back before the read reaches them, then B's
    // head. Strict LRU: a scan whose rest is the oldest in the SRAM finds none of it.
    read(a);
    expect(record(h, L.RECORD_SRAM_HIT_RATE)).toBe(0);
    expect(record(h, L.RECORD_DRAM_BYTES)).toBe(MiB + MiB / 2 + MiB / 2); // 1 MiB in, A's tail and B's head out
  });

  test('a 2048³ int8 layer: dynamic quantization SRAM-bound on the RE and SE, the GEMM at the int8 rate', () => {
    const h = core({}, 0, 64 * MiB);
    const [x, xq, sx, wq, sw, c, w] = [0, 8, 12, 13, 17, 18, 34].map((at) => h.heap(at * MiB));
    const n = 2048;
    // quantizeDynamic(x): float16 rows of 2048 into int8 and one float32 scale per row.
    const quantize = () => {
      const args = h.argsBlock();
      const word = args / 4;
      h.u32[word + L.ARGS_RANK] = 2;
      h.u32[word + L.ARGS_KIND] = L.QUANTIZE_PER_ROW;
      h.u32[word + L.ARGS_DTYPE] = L.DTYPE_FLOAT16;
      [n, n].forEach((size, d) => (h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
      [[n, 1], [n, 1]].forEach((list, k) => list.forEach((stride, d) => (h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, stride))));
      [sx!, 0].forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
      h.push({ opcode: L.OP_QUANTIZE, dtype: L.DTYPE_INT8, dst: xq, src0: x, count: n * n, arg0: args });
      h.core.drain(1);
    };
    // quantizedLinear(xq, wq): the weight [out, in] read as B = weightᵀ (strides 1 along k, n along n).
    const linear = () => {
      const args = h.argsBlock();
      const word = args / 4;
      h.u32[word + L.ARGS_DTYPE] = L.DTYPE_INT8;
      h.u32[word + L.ARGS_DTYPE + 1] = L.DTYPE_INT8;
      [n, n, n, n, 1, 1, n, sx!, 0, sw!, 0, w!, 0].forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
      h.push({ opcode: L.OP_QUANTIZED_LINEAR, dtype: L.DTYPE_FLOAT32, dst: c, src0: xq, src1: wq, count: n * n, arg0: args });
      h.core.drain(1);
    };
    quantize();
    linear();
    quantize(); // the second run: everything resident in SRAM
    expect(h.fault().count).toBe(0);
    // 4 Mi elements, 65 536 per PE; (2 + 1) B per element plus 8 KiB of scales. One RE pass
    // (the row's min/max) and one SE pass (scale, round, convert) per element. In SRAM, the
    // slowest stage is the SRAM's B = (8 MiB + 4 MiB + 8 KiB) / 2000 = 6295.6 cycles in all:
    // ⌊B / 48⌋ = 131 steps of t = 65 536 / 131.
    const [inBytes, outBytes] = [2 * n * n, n * n + 4 * n];
    const sramTotal = (inBytes + outBytes) / sramPerCycle;
    const steps = Math.floor(sramTotal / (3 * issue));
    expect(steps).toBe(131);
    const t = 65536 / steps;
    const sramQ = sramTotal / steps;
    const fabricInQ = (t * inBytes) / (n * n) / fabricPerCycle + descriptor;
    const fabricOutQ = (t * outBytes) / (n * n) / fabricPerCycle;
    expect(sramQ).toBeGreaterThan(Math.max(fabricInQ, t / 32, 3 * issue, fabricOutQ));
    const bodyQ = sramLatency + (3 * issue + sramQ + t / 32 + t / 32 + fabricOutQ) + (steps - 1) * sramQ;
    // The doc's short form: latency + 48 + B + R / s, R = RE 2048 + SE 2048 + FI out 1026.
    expect(bodyQ).toBeCloseTo(sramLatency + 48 + sramTotal + (2048 + 2048 + (65536 * outBytes) / (n * n) / fabricPerCycle) / steps, 6);
    const share = { latency: sramLatency, issue: 3 * issue, fabricIn: 65536 * 2 / fabricPerCycle, descriptor, sram: sramTotal, re: 2048, se: 2048, fabricOut: (65536 * outBytes) / (n * n) / fabricPerCycle };
    expect(cheapestSteps(share, 7, 2048)).toEqual({ steps, body: expect.closeTo(bodyQ, 6) });
    expect(record(h, L.RECORD_STEPS)).toBe(steps);
    expect(record(h, L.RECORD_BODY_CYCLES)).toBeCloseTo(bodyQ, 6);
    expect(record(h, L.RECORD_RE_CYCLES)).toBeCloseTo(2048, 9);
    expect(record(h, L.RECORD_SE_CYCLES)).toBeCloseTo(2048, 9);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_SRAM);
    linear();
    expect(h.fault().count).toBe(0);
    // 1-byte operands: 2 · (128 + 128) · tk + 128 · 128 · 4 ≤ 384 KiB → tk ≤ 640 (20 passes of
    // 32), steps at least 10 passes deep; of 4, 5, 6 or 7 steps for K's 64 passes, 7 are the
    // cheapest (gemm.ts); 256 tiles = 4 waves at 2048 int8 MACs per cycle per PE: 28 steps.
    const tk = 2048 / 7;
    const aTile = 128 * tk;
    const bTile = tk * 128;
    const dpe = (128 * 128 * tk) / 2048 + bTile / localMemoryPerCycle;
    const re = (128 * 128) / 32;
    const convert = (128 * 128) / 32; // the int32 → float32 scale-back, one SE pass
    const issueStage = (4 + 3 / 7) * issue;
    // A to every PE, B once per column; the float32 output tiles; the two scale vectors.
    const sramBytes = 28 * (64 * aTile + 8 * bTile) + 256 * 128 * 128 * 4 + 2 * n * 4;
    const sram = sramBytes / sramPerCycle / 28;
    const fabricIn = (aTile + bTile) / fabricPerCycle + 2 * descriptor;
    const fabricOut = (128 * 128 * 4) / 7 / fabricPerCycle;
    expect(dpe).toBeGreaterThan(Math.max(sram, fabricIn, re, issueStage));
    const body = sramLatency + (issueStage + sram + dpe + re + convert / 7 + fabricOut) + 27 * dpe + convert;
    expect(record(h, L.RECORD_SRAM_BYTES)).toBeCloseTo(sramBytes, 0);
    expect(record(h, L.RECORD_BODY_CYCLES)).toBeCloseTo(body, 6);
    expect(record(h, L.RECORD_BOUND)).toBe(L.BOUND_COMPUTE);
    expect([record(h, L.RECORD_PES), record(h, L.RECORD_STEPS), record(h, L.RECORD_TILE_K)]).toEqual([64, 28, tk]);
    // docs/timing-model.md: 6437 and 69 968 cycles (+ launch or replacement).
    expect(bodyQ).toBeCloseTo(6436.7, 0);
    expect(body).toBeCloseTo(69967.9, 0);
  });

  test('timing-only mode times exactly as compute mode, touches no byte of device memory, and reaches past 4 GB', () => {
    const run = (h: CoreHarness, base: number) => {
      add(h, 4096, base, base + 16384, base + 32768);
      matmul(h, 64, 64, 64, L.DTYPE_FLOAT32, base, base + 16384, base + 32768, base + 65536);
      return h.clockCycles();
    };
    const compute = core({}, 4 * MiB);
    const timing = core({}, 0, 64 * 2 ** 30);
    expect(run(timing, timing.heap(0))).toBe(run(compute, compute.heap(0)));
    const far = core({}, 0, 64 * 2 ** 30);
    expect(run(far, far.heap(32 * 2 ** 30))).toBe(run(core({}, 4 * MiB), L.HEAP_LOCATION));
    expect(timing.memory.buffer.byteLength).toBe(L.HEAP_LOCATION);
    // Past the virtual memory's end is still out of bounds.
    timing.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: timing.heap(64 * 2 ** 30 - 8), count: 4 });
    timing.core.drain(1);
    expect(timing.fault().status).toBe(S.STATUS_OUT_OF_BOUNDS);
  });
});

// The profile every example above assumes.
test('the examples use the mtia-v2 profile numbers', () => {
  expect([v2.clockHz, v2.jobLaunchNs, v2.jobReplaceNs, v2.dramLatencyNs, v2.sramLatencyNs]).toEqual([1.35e9, 750, 300, 120, 40]);
  expect([v2.dramBytesPerSecond, v2.dramEfficiency, v2.dramEcc, v2.sramBytesPerCycle]).toEqual([204.8e9, 0.97, false, 2000]);
  expect([v2.fabricBytesPerCyclePerPe, v2.dmaDescriptorCycles, v2.issueCyclesPerInstruction, v2.localMemoryBytesPerCyclePerPe]).toEqual([64, 8, 16, 1e12 / 1.35e9]);
});
