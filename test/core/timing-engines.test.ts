// Issue 20 ("Never faster than physics, never cheaper for more work"), findings 3, 4, 6 and 10,
// through the core's exports in timing-only mode (so gigabyte rows cost nothing):
//
//   3   a row too long for local memory takes one pass over it per dependent step (softmax:
//       max, sum of exp, normalise), each re-reading it (assembly/timing/reductions.ts)
//   4   each PE's instruction issue and fabric interface are engines two streams share
//       (assembly/timing/schedule.ts)
//   6   SRAM and local-memory bandwidths are per cycle: an SRAM-bound op follows the clock
//   10  a gather waiting on its DMA descriptors is `fabric`-bound, not `sram`-bound
//
// Each expected figure is hand arithmetic from the MTIA 2i profile (src/profiles.ts), compared
// to 1e-6 relative; the properties run fast-check with a fixed seed.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import type { HardwareProfile } from '../../src/profiles.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { physicalFloorNs } from '../support/physical-floor.js';

const KiB = 1024;
const MiB = 1 << 20;
const GiB = 2 ** 30;
// MTIA 2i at 1.35 GHz, per cycle.
const clockHz = 1.35e9;
const dramLatency = 120e-9 * clockHz; // 162
const sramLatency = 40e-9 * clockHz; // 54
const dramPerCycle = (204.8e9 * 0.97) / clockHz; // 147.15 B
const sramPerCycle = 2000; // B, all PEs: 2.7 TB/s at 1.35 GHz
const issue = 16; // cycles per custom instruction
const seRate = 32; // SE elements per cycle per PE
const reRate = 32; // RE elements per cycle per PE
const fabricRate = 64; // B per cycle per PE
const descriptor = 8; // cycles per DMA descriptor
const lut = 4; // SE passes per LUT function

/** A booted timing-only core over `bytes` of virtual device memory. */
function timingCore(profile: Partial<HardwareProfile> = {}, bytes = 16 * GiB): CoreHarness {
  const h = new CoreHarness(0, profile, L.ABI_VERSION, bytes);
  expect(h.core.boot()).toBe(S.STATUS_OK);
  return h;
}

/** Pushes a float32 add of `n` elements on `slot`. */
function pushAdd(h: CoreHarness, n: number, a: number, b: number, dst: number, slot = 0): void {
  h.push({ opcode: L.OP_ADD, dtype: L.DTYPE_FLOAT32, dst, src0: a, src1: b, count: n }, slot);
}

/** Pushes OP_ROWS of `kind` over `rows` contiguous float32 rows of `length` on `slot`. */
function pushRows(h: CoreHarness, kind: number, rows: number, length: number, src: number, dst: number, slot = 0): void {
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_RANK] = 2;
  h.u32[word + L.ARGS_KIND] = kind;
  h.u32[word + L.ARGS_DTYPE] = L.DTYPE_FLOAT32;
  h.setWide(word + L.ARGS_SHAPE, rows);
  h.setWide(word + L.ARGS_SHAPE + 2, length);
  for (const operand of [0, 1]) {
    h.setWide(word + L.ARGS_STRIDES + 16 * operand, length);
    h.setWide(word + L.ARGS_STRIDES + 16 * operand + 2, 1);
  }
  h.f32[word + L.ARGS_PARAMS + 4] = 1e-5;
  h.push({ opcode: L.OP_ROWS, dtype: L.DTYPE_FLOAT32, dst, src0: src, count: rows * length, arg0: args }, slot);
}

/** Where a gather's operands live. */
interface Bag {
  table: number;
  tableRows: number;
  dim: number;
  indices: number;
  count: number;
  offsets: number;
  bags: number;
  out: number;
}

/** Pushes a float32 embedding-bag sum (OP_EMBEDDING_BAG) on `slot`. */
function pushGather(h: CoreHarness, g: Bag, slot = 0): void {
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_KIND] = L.BAG_SUM;
  [g.tableRows, g.dim, g.count, g.bags, g.offsets % 2 ** 32, Math.floor(g.offsets / 2 ** 32), g.dim, 1]
    .forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
  h.push({ opcode: L.OP_EMBEDDING_BAG, dtype: L.DTYPE_FLOAT32, dst: g.out, src0: g.table, src1: g.indices, count: g.bags * g.dim, arg0: args }, slot);
}

/** Pushes a contiguous M×K · K×N bfloat16 matmul on `slot`. */
function pushMatmul(h: CoreHarness, m: number, n: number, k: number, a: number, b: number, c: number, workspace: number, slot = 0): void {
  const args = h.argsBlock();
  const word = args / 4;
  h.u32[word + L.ARGS_DTYPE] = L.DTYPE_BFLOAT16;
  h.u32[word + L.ARGS_DTYPE + 1] = L.DTYPE_BFLOAT16;
  [m, n, k, k, 1, n, 1, 0, 0, 0, workspace, 0, 0x7fffffff].forEach((value, i) => (h.u32[word + L.ARGS_PARAMS + i] = value));
  h.push({ opcode: L.OP_MATMUL, dtype: L.DTYPE_BFLOAT16, dst: c, src0: a, src1: b, count: m * n, arg0: args }, slot);
}

/** Runs the `count` commands pushed last and checks none faulted. */
function run(h: CoreHarness, count = 1): void {
  h.core.drain(count);
  for (const slot of [0, 1]) expect(h.fault(slot).count).toBe(0);
}

/** Moves both streams' clocks to the later of the two; returns it. */
function alignClocks(h: CoreHarness): number {
  const t0 = Math.max(h.clockCycles(0), h.clockCycles(1));
  h.push({ opcode: L.OP_ADVANCE_CLOCK, scalar: t0 }, 0);
  h.push({ opcode: L.OP_ADVANCE_CLOCK, scalar: t0 }, 1);
  run(h, 2);
  return t0;
}

/** Busy cycles of every engine of the device since boot, by engine code. */
function engineBusy(h: CoreHarness): number[] {
  const busy: number[] = [];
  for (let engine = L.ENGINE_DPE; engine < L.ENGINE_COUNT; engine++) {
    busy.push(h.f64[(L.ENGINES_LOCATION + engine * L.ENGINE_SIZE + L.ENGINE_BUSY_CYCLES) / 8]!);
  }
  return busy;
}

/** A softmax pipeline pass's body (pipeline.ts): `steps` steps of the given per-step stage times. */
function passBody(latency: number, steps: number, stages: { issue: number; memory: number; re?: number; se?: number; out?: number }): number {
  const { re = 0, se = 0, out = 0 } = stages;
  const fill = stages.issue + stages.memory + re + se + out;
  return latency + fill + (steps - 1) * Math.max(stages.issue, stages.memory, re, se, out);
}

describe('finding 3: rows too long for local memory take a pass per step', () => {
  test('one cold 16 MiB float32 row through softmax: a max pass, a sum-of-exp pass, a normalise pass', () => {
    // 4 Mi elements = 16 MiB > 64 PEs × 384 KiB / 2 = 12 MiB: the row cannot stay in local
    // memory. It fits in the SRAM, so the first pass reads it from DRAM and the others from SRAM.
    const h = timingCore();
    const elements = 4 * MiB;
    const rowBytes = 4 * elements;
    pushRows(h, L.ROWS_SOFTMAX, 1, elements, h.heap(0), h.heap(GiB));
    run(h);
    // 65 536 elements per PE; each pass takes its cheapest step count (docs/timing-model.md
    // "The streaming step count"): ⌊B / 48⌋ for its slowest stage's B cycles in all, at most
    // 65 536 / 32 = 2048 (one SE vector per PE per step).
    // Max: DRAM B = 16 MiB / 147.15 = 114 012.4, B / 48 = 2375.3 > 2048: 2048 steps of 32.
    const dramTotal = rowBytes / dramPerCycle;
    expect(dramTotal / 48).toBeGreaterThan(2048);
    const t = 32;
    const max = passBody(dramLatency, 2048, {
      issue: 3 * issue, re: t / reRate,
      memory: Math.max((4 * t) / fabricRate + descriptor, rowBytes / sramPerCycle / 2048, dramTotal / 2048),
    });
    expect(max).toBeCloseTo(dramLatency + 48 + dramTotal + 2048 / 2048, 6);
    // Sum of exp, from SRAM: B = 16 MiB / 2000 = 8388.6 (SE 65 536 · 4 / 32 = 8192 just under
    // it): ⌊B / 48⌋ = 174 steps of 376.6.
    const sumSteps = Math.floor(rowBytes / sramPerCycle / 48);
    expect(sumSteps).toBe(174);
    const u = 65536 / sumSteps;
    const sumOfExp = passBody(sramLatency, sumSteps, {
      issue: 3 * issue, re: u / reRate, se: (u * lut) / seRate,
      memory: Math.max((4 * u) / fabricRate + descriptor, rowBytes / sramPerCycle / sumSteps),
    });
    expect(sumOfExp).toBeCloseTo(sramLatency + 48 + rowBytes / sramPerCycle + (2048 + 8192) / sumSteps, 6);
    // Normalise, 4 B in and 4 out: B = 32 MiB / 2000 = 16 777.2, ⌊B / 48⌋ = 349 steps; exp
    // again and a scale (SE 65 536 · 5 / 32 = 10 240 in all), FI out 65 536 · 4 / 64 = 4096.
    const normSteps = Math.floor((2 * rowBytes) / sramPerCycle / 48);
    expect(normSteps).toBe(349);
    const v = 65536 / normSteps;
    const normalise = passBody(sramLatency, normSteps, {
      issue: 3 * issue, se: (v * (lut + 1)) / seRate, out: (4 * v) / fabricRate,
      memory: Math.max((4 * v) / fabricRate + descriptor, (2 * rowBytes) / sramPerCycle / normSteps),
    });
    expect(normalise).toBeCloseTo(sramLatency + 48 + (2 * rowBytes) / sramPerCycle + (10240 + 4096) / normSteps, 6);
    expect(max + sumOfExp + normalise).toBeCloseTo(139693.1, 1);
    expect(h.record(L.RECORD_BODY_CYCLES)).toBeCloseTo(max + sumOfExp + normalise, 6);
    expect(h.record(L.RECORD_BODY_CYCLES) / (max + sumOfExp + normalise)).toBeCloseTo(1, 6);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(4 * rowBytes); // three reads, one write
    expect(h.record(L.RECORD_DRAM_BYTES)).toBe(rowBytes); // the first read only
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_DRAM); // the longest pass is the DRAM read
    expect(h.record(L.RECORD_SE_CYCLES)).toBeCloseTo(65536 * lut / seRate + 65536 * (lut + 1) / seRate, 6);
  });

  test('a row that fits stays in local memory: one read, one write, as before', () => {
    const h = timingCore();
    // 1024 rows of 3072 float32 (12 KiB): each PE keeps its 16 rows' 12 KiB ≤ 192 KiB.
    pushRows(h, L.ROWS_SOFTMAX, 1024, 3072, h.heap(0), h.heap(64 * MiB));
    run(h);
    expect(h.record(L.RECORD_SRAM_BYTES)).toBe(2 * 4 * 1024 * 3072);
  });

  test.each([
    ['softmax', L.ROWS_SOFTMAX],
    ['log-softmax', L.ROWS_LOG_SOFTMAX],
    ['layer norm', L.ROWS_LAYER_NORM],
  ] as const)('one 1 GiB %s row takes at least its multi-pass floor: each of 3 passes reads the row from DRAM', (_, kind) => {
    // The row is 4 × the SRAM: no pass finds it on chip. Floor: 3 GiB from DRAM, 4 GiB through SRAM.
    const h = timingCore({}, 4 * GiB);
    pushRows(h, kind, 1, GiB / 4, h.heap(0), h.heap(GiB));
    run(h);
    const bodyNs = (h.record(L.RECORD_BODY_CYCLES) / clockHz) * 1e9;
    const twoPassFloorNs = physicalFloorNs(v2, { dramBytes: 2 * GiB, sramBytes: 3 * GiB });
    const floorNs = physicalFloorNs(v2, { dramBytes: 3 * GiB, sramBytes: 4 * GiB });
    expect(bodyNs / twoPassFloorNs).toBeGreaterThanOrEqual(1);
    expect(bodyNs).toBeGreaterThanOrEqual(floorNs);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_DRAM);
  });

  test('random long rows are never faster than their multi-pass floor (fast-check, seed 20)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(L.ROWS_SOFTMAX, L.ROWS_LOG_SOFTMAX, L.ROWS_LAYER_NORM),
        fc.integer({ min: 1, max: 256 }),
        fc.double({ min: 1.01, max: 24, noNaN: true }),
        fc.boolean(),
        (kind, rows, over, resident) => {
          // A row `over` × longer than the local memory its PEs have for it (reductions.ts).
          const pesPerRow = Math.max(1, Math.floor(64 / rows));
          const length = Math.ceil((over * pesPerRow * 384 * KiB) / 2 / 4);
          const bytes = rows * length * 4;
          fc.pre(bytes <= 2 * GiB);
          const h = timingCore({}, 8 * GiB);
          if (resident) {
            h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: h.heap(0), count: rows * length });
            run(h);
          }
          pushRows(h, kind, rows, length, h.heap(0), h.heap(4 * GiB));
          run(h);
          const rowBytes = length * 4;
          // Every pass moves the rows through the SRAM; a row longer than the SRAM is re-read from DRAM.
          const reread = rowBytes > v2.sramBytes ? 2 * bytes : 0;
          const coldBytes = resident && bytes <= v2.sramBytes ? 0 : bytes;
          const floorNs = physicalFloorNs(v2, { sramBytes: 4 * bytes, dramBytes: coldBytes + reread });
          expect((h.record(L.RECORD_BODY_CYCLES) / clockHz) * 1e9).toBeGreaterThanOrEqual(floorNs * (1 - 1e-9));
        },
      ),
      { seed: 20, numRuns: 60 },
    );
  });
});

describe('finding 4: issue and the fabric interface are shared by streams', () => {
  /** A pair's time on two streams over its time in sequence on one, and the pair's core. */
  function pairRatio(profile: Partial<HardwareProfile>, setup: (h: CoreHarness) => void, enqueue: (h: CoreHarness, i: number, slot: number) => void) {
    const sequence = timingCore(profile);
    setup(sequence);
    const s0 = alignClocks(sequence);
    enqueue(sequence, 0, 0);
    enqueue(sequence, 1, 0);
    run(sequence, 2);
    const together = timingCore(profile);
    setup(together);
    const t0 = alignClocks(together);
    enqueue(together, 0, 0);
    enqueue(together, 1, 1);
    run(together, 2);
    const parallel = Math.max(together.clockCycles(0), together.clockCycles(1)) - t0;
    return { ratio: parallel / (sequence.clockCycles(0) - s0), h: together };
  }

  test('two issue-bound adds on two streams take as long as in sequence: one RISC-V core per PE issues both', () => {
    // Slow issue (4000 cycles per instruction): a resident 1 Mi-element add issues 3 instructions
    // in each of its 7 steps, 84 000 cycles; its SRAM, SE and fabric need under 1200 per step.
    const profile = { issueCyclesPerInstruction: 4000 };
    const setup = (h: CoreHarness) => {
      for (const i of [0, 1]) pushAdd(h, MiB, h.heap(i * 16 * MiB), h.heap(i * 16 * MiB + 4 * MiB), h.heap(i * 16 * MiB + 8 * MiB));
      run(h, 2);
    };
    const enqueue = (h: CoreHarness, i: number, slot: number) =>
      pushAdd(h, MiB, h.heap(i * 16 * MiB), h.heap(i * 16 * MiB + 4 * MiB), h.heap(i * 16 * MiB + 8 * MiB), slot);
    const { ratio, h } = pairRatio(profile, setup, enqueue);
    expect(ratio).toBeGreaterThan(0.97);
    expect(ratio).toBeLessThanOrEqual(1);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_ISSUE);
    expect(h.record(L.RECORD_ISSUE_CYCLES)).toBeCloseTo(7 * 3 * 4000, 6);
    const from = L.RECORD_RESERVED_FROM + L.ENGINE_ISSUE - L.ENGINE_DPE;
    const to = L.RECORD_RESERVED_TO + L.ENGINE_ISSUE - L.ENGINE_DPE;
    expect(h.record(from)).toBeCloseTo(h.record(to, 1), 6); // the second's issue waits for the first's
    expect(h.record(to) - h.record(from)).toBeCloseTo(84000, 6);
  });

  test('two fabric-bound gathers on two streams take as long as in sequence: one fabric interface per PE', () => {
    // 1 Mi indices into a resident 1024 × 32 float32 table, 1024 bags: 64 PEs × 128 steps of 128
    // rows. Per step the FI takes 128 · 128 B / 64 + 128 descriptors · 8 = 1280 cycles; the SRAM
    // (128 MiB + 128 KiB) / 2000 / 128 = 524.8; the SE 128; issue 32.
    const bag = (h: CoreHarness, i: number): Bag => ({
      table: h.heap(i * 64 * MiB), tableRows: 1024, dim: 32, indices: h.heap(i * 64 * MiB + MiB), count: MiB,
      offsets: h.heap(i * 64 * MiB + 8 * MiB), bags: 1024, out: h.heap(i * 64 * MiB + 16 * MiB),
    });
    const setup = (h: CoreHarness) => {
      for (const i of [0, 1]) {
        h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: bag(h, i).table, count: 1024 * 32 });
        pushGather(h, bag(h, i)); // the indices and offsets become resident
      }
      run(h, 4);
    };
    const { ratio, h } = pairRatio({}, setup, (c, i, slot) => pushGather(c, bag(c, i), slot));
    expect(ratio).toBeGreaterThan(0.97);
    expect(ratio).toBeLessThanOrEqual(1);
    expect(h.record(L.RECORD_FABRIC_BUSY_CYCLES)).toBeCloseTo(128 * 1280, 6);
    const from = L.RECORD_RESERVED_FROM + L.ENGINE_FABRIC - L.ENGINE_DPE;
    const to = L.RECORD_RESERVED_TO + L.ENGINE_FABRIC - L.ENGINE_DPE;
    expect(h.record(from)).toBeCloseTo(h.record(to, 1), 6);
  });

  test('two streams never get more than one device: a pair takes at least the busiest engine\'s summed time (fast-check, seed 4)', () => {
    type Op = { kind: 'add'; n: number } | { kind: 'gather'; count: number; dim: number } |
      { kind: 'rows'; rowsKind: number; rows: number; length: number } | { kind: 'matmul'; m: number; n: number; k: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), n: fc.integer({ min: 1, max: 8 * MiB }) }),
      fc.record({ kind: fc.constant('gather' as const), count: fc.integer({ min: 1, max: 2 * MiB }), dim: fc.constantFrom(4, 16, 32, 128) }),
      fc.record({
        kind: fc.constant('rows' as const), rowsKind: fc.constantFrom(L.ROWS_SOFTMAX, L.ROWS_LAYER_NORM),
        rows: fc.integer({ min: 1, max: 4096 }), length: fc.integer({ min: 1, max: 4 * MiB }),
      }),
      fc.record({ kind: fc.constant('matmul' as const), m: fc.integer({ min: 1, max: 2048 }), n: fc.integer({ min: 1, max: 2048 }), k: fc.integer({ min: 1, max: 2048 }) }),
    );
    /** Pushes `o` with operands in the `region`th GiB-sized slice of memory (each op has two). */
    const push = (h: CoreHarness, o: Op, region: number, slot: number) => {
      const at = (offset: number) => h.heap(region * 2 * GiB + offset);
      switch (o.kind) {
        case 'add': return pushAdd(h, o.n, at(0), at(64 * MiB), at(128 * MiB), slot);
        case 'gather': return pushGather(h, {
          table: at(0), tableRows: 1000, dim: o.dim, indices: at(MiB), count: o.count, offsets: at(16 * MiB), bags: 256, out: at(17 * MiB),
        }, slot);
        case 'rows': return pushRows(h, o.rowsKind, o.rows, Math.max(1, Math.floor(Math.min(o.length, 256 * MiB / o.rows))), at(0), at(GiB), slot);
        case 'matmul': return pushMatmul(h, o.m, o.n, o.k, at(0), at(16 * MiB), at(32 * MiB), at(48 * MiB), slot);
      }
    };
    fc.assert(
      fc.property(op, op, fc.boolean(), fc.constantFrom(16, 2000), fc.constantFrom(8, 256), (a, b, warm, issueCycles, descriptorCycles) => {
        const h = timingCore({ issueCyclesPerInstruction: issueCycles, dmaDescriptorCycles: descriptorCycles }, 8 * GiB);
        if (warm) {
          push(h, a, 0, 0);
          push(h, b, 1, 0);
          run(h, 2);
        }
        const t0 = alignClocks(h);
        const before = engineBusy(h);
        push(h, a, 0, 0);
        push(h, b, 1, 1);
        run(h, 2);
        const makespan = Math.max(h.clockCycles(0), h.clockCycles(1)) - t0;
        const busy = engineBusy(h).map((cycles, e) => cycles - before[e]!);
        // Read beside the engine counters, from the two records: the RISC-V cores' and the fabric
        // interfaces' busy cycles, which the pair cannot overlap either.
        busy.push(h.record(L.RECORD_ISSUE_CYCLES) + h.record(L.RECORD_ISSUE_CYCLES, 1));
        busy.push(h.record(L.RECORD_FABRIC_BUSY_CYCLES) + h.record(L.RECORD_FABRIC_BUSY_CYCLES, 1));
        expect(makespan).toBeGreaterThanOrEqual(Math.max(...busy) * (1 - 1e-9));
      }),
      { seed: 4, numRuns: 80 },
    );
  });
});

describe('finding 6: SRAM and local memory are clocked with the PEs', () => {
  /** An op's body at `clock` (cycles), the second of two runs (operands resident). */
  const body = (clock: number, push: (h: CoreHarness) => void): number => {
    const h = timingCore({ clockHz: clock }, GiB);
    push(h);
    run(h);
    push(h);
    run(h);
    return h.record(L.RECORD_BODY_CYCLES);
  };
  const add = (h: CoreHarness) => pushAdd(h, MiB, h.heap(0), h.heap(4 * MiB), h.heap(8 * MiB));

  test('a resident 1 Mi-element add: the same cycles but the SRAM latency at any clock (hand arithmetic)', () => {
    // docs/timing-model.md: 131 steps of t = 125.1 (⌊B / 48⌋ for the SRAM's B = 12 MiB / 2000 =
    // 6291.5 cycles, a number of cycles at any clock); 48.03 per step.
    const steps = 131;
    const t = MiB / 64 / steps;
    const sram = (12 * MiB) / sramPerCycle / steps;
    const cycles = 3 * issue + sram + t / seRate + (4 * t) / fabricRate + (steps - 1) * sram;
    for (const clock of [1.1e9, 1.2e9, 1.35e9]) {
      expect(body(clock, add) / (40e-9 * clock + cycles)).toBeCloseTo(1, 6);
    }
  });

  test.each([
    ['a resident add', add],
    ['softmax over resident rows', (h: CoreHarness) => pushRows(h, L.ROWS_SOFTMAX, 1024, 1024, h.heap(0), h.heap(8 * MiB))],
    ['layer norm over resident rows', (h: CoreHarness) => pushRows(h, L.ROWS_LAYER_NORM, 1024, 1024, h.heap(0), h.heap(8 * MiB))],
  ] as const)('%s is SRAM-bound and its time but the latency scales with 1 / clock from 1.1 to 1.35 GHz', (_, push) => {
    const h = timingCore({}, GiB);
    push(h);
    run(h);
    push(h);
    run(h);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_SRAM);
    const seconds = (clock: number) => (body(clock, push) - 40e-9 * clock) / clock;
    expect(seconds(1.1e9) / seconds(1.35e9)).toBeCloseTo(1.35 / 1.1, 6);
  });
});

describe('finding 10: the fabric interface has a bound of its own', () => {
  test('a gather of 32-wide rows from a resident table waits on its descriptors: fabric-bound at 0.41 of the SRAM', () => {
    const h = timingCore();
    const g: Bag = {
      table: h.heap(0), tableRows: 1024, dim: 32, indices: h.heap(MiB), count: MiB, offsets: h.heap(8 * MiB), bags: 1024, out: h.heap(16 * MiB),
    };
    h.push({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst: g.table, count: 1024 * 32 });
    pushGather(h, g);
    run(h, 2);
    pushGather(h, g);
    run(h);
    // Per step: FI in 1280 (128 rows of 128 B at 64 B/cycle, 128 descriptors at 8) against the
    // SRAM's 524.8: body = 54 + (32 + 1280 + 128 + 0.25) + 127 · 1280.
    const fabricIn = (128 * 128) / fabricRate + 128 * descriptor;
    const expected = sramLatency + 2 * issue + fabricIn + 128 + ((1024 / 64 / 128) * 128) / fabricRate + 127 * fabricIn;
    expect(h.record(L.RECORD_BODY_CYCLES) / expected).toBeCloseTo(1, 6);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_FABRIC);
    const sramShare = h.record(L.RECORD_SRAM_BYTES) / sramPerCycle / h.record(L.RECORD_BODY_CYCLES);
    expect(sramShare).toBeCloseTo((MiB * 128 + 1024 * 128) / 2000 / expected, 6);
    expect(sramShare).toBeLessThan(0.5);
  });

  test('an add whose SRAM traffic outruns its fabric interface stays SRAM-bound', () => {
    const h = timingCore();
    pushAdd(h, MiB, h.heap(0), h.heap(4 * MiB), h.heap(8 * MiB));
    run(h);
    pushAdd(h, MiB, h.heap(0), h.heap(4 * MiB), h.heap(8 * MiB));
    run(h);
    expect(h.record(L.RECORD_BOUND)).toBe(L.BOUND_SRAM);
  });
});
