// The SRAM as a write-back, write-allocate LRU cache (assembly/timing/sram-cache.ts) through the
// core's exports, in timing-only mode so that tensors of gigabytes cost nothing: issue 20's
// findings 1, 2, 7, 8 and 9, each against hand arithmetic and against the op's physical floor
// (test/support/physical-floor.ts: the DRAM bytes that must cross at the raw 204.8 GB/s), and
// a property test over random ops, sizes and cache states: no op's body is below its floor.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as L from '../../src/runtime/layout.js';
import * as S from '../../src/runtime/status.js';
import type { HardwareProfile } from '../../src/profiles.js';
import { CoreHarness, v2 } from '../support/core-harness.js';
import { physicalFloorNs } from '../support/physical-floor.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** The MTIA 2i SRAM's capacity (ISCA'25 Table 2). */
const SRAM = v2.sramBytes;

/** A booted timing-only core over 64 GiB of virtual device memory, with a bump allocator. */
class Device {
  readonly h: CoreHarness;
  private next = 0;

  constructor(profile: Partial<HardwareProfile> = {}) {
    this.h = new CoreHarness(0, profile, L.ABI_VERSION, 64 * GiB);
    expect(this.h.core.boot()).toBe(S.STATUS_OK);
  }

  /** A fresh (never touched, so cold) range of `bytes`; returns its address. */
  alloc(bytes: number): number {
    const address = this.h.heap(this.next);
    this.next += Math.ceil(bytes / 65536) * 65536 + 65536;
    return address;
  }

  private run(command: Parameters<CoreHarness['push']>[0]): void {
    this.h.push(command);
    expect(this.h.core.drain(1)).toBe(1);
    expect(this.h.fault().count).toBe(0);
  }

  private args(kind: number, dtypes: number[], shape: number[], strides: number[][], params: number[] = []): number {
    const address = this.h.argsBlock();
    const word = address / 4;
    this.h.u32[word + L.ARGS_RANK] = shape.length;
    this.h.u32[word + L.ARGS_KIND] = kind;
    dtypes.forEach((dtype, k) => (this.h.u32[word + L.ARGS_DTYPE + k] = dtype));
    shape.forEach((size, d) => (this.h.setWide(word + L.ARGS_SHAPE + 2 * d, size)));
    strides.forEach((list, k) => list.forEach((s, d) => (this.h.setWide(word + L.ARGS_STRIDES + 16 * k + 2 * d, s))));
    params.forEach((p, i) => (this.h.u32[word + L.ARGS_PARAMS + i] = p));
    return address;
  }

  /** c = a + b over `n` float32 (OP_ADD). */
  add(n: number, a: number, b: number, c: number): void {
    this.run({ opcode: L.OP_ADD, dtype: L.DTYPE_FLOAT32, dst: c, src0: a, src1: b, count: n });
  }

  /** dst = relu(src) over `n` float32 (OP_UNARY). */
  relu(n: number, src: number, dst: number): void {
    const args = this.args(L.UNARY_RELU, [L.DTYPE_FLOAT32], [n], [[1], [1]]);
    this.run({ opcode: L.OP_UNARY, dtype: L.DTYPE_FLOAT32, dst, src0: src, count: n, arg0: args });
  }

  /** dst[0] = the sum of `n` float32 at src (OP_REDUCE: it writes its 4-byte output, then reads src). */
  sum(n: number, src: number, dst: number): void {
    const args = this.args(L.REDUCE_SUM, [L.DTYPE_FLOAT32], [n], [[0], [1]], [1]);
    this.run({ opcode: L.OP_REDUCE, dtype: L.DTYPE_FLOAT32, dst, src0: src, count: 1, arg0: args });
  }

  /** dst[0..n) = 1 (OP_FILL: a write, resident and dirty). */
  fill(n: number, dst: number): void {
    this.run({ opcode: L.OP_FILL, dtype: L.DTYPE_FLOAT32, dst, count: n, scalar: 1 });
  }

  /** A contiguous float32 (m × k) · (k × n) (OP_MATMUL), with a workspace of its own. */
  matmul(m: number, n: number, k: number, a: number, b: number, c: number): void {
    const workspace = this.alloc(64 * MiB);
    const address = this.h.argsBlock();
    const word = address / 4;
    this.h.u32[word + L.ARGS_DTYPE] = L.DTYPE_FLOAT32;
    this.h.u32[word + L.ARGS_DTYPE + 1] = L.DTYPE_FLOAT32;
    [m, n, k, k, 1, n, 1, 0, 0, 0, workspace % 2 ** 32, Math.floor(workspace / 2 ** 32), 64 * MiB].forEach((value, i) => (this.h.u32[word + L.ARGS_PARAMS + i] = value));
    this.run({ opcode: L.OP_MATMUL, dtype: L.DTYPE_FLOAT32, dst: c, src0: a, src1: b, count: m * n, arg0: address });
  }

  /** Sum-mode embedding bags of `count` int32 indices into `bags` bags over a rows × dim float32 table. */
  embeddingBag(rows: number, dim: number, table: number, count: number, indices: number, bags: number, offsets: number, out: number): void {
    const args = this.args(0, [L.DTYPE_FLOAT32], [], [], [rows, dim, count, bags, offsets % 2 ** 32, Math.floor(offsets / 2 ** 32), dim, 1]);
    this.run({ opcode: L.OP_EMBEDDING_BAG, dtype: L.DTYPE_FLOAT32, dst: out, src0: table, src1: indices, count: bags * dim, arg0: args });
  }

  /** The runtime's dead-data hint for a freed block (OP_DISCARD, a queue op). */
  discard(start: number, bytes: number): void {
    this.h.push({ opcode: L.OP_DISCARD, dst: start, scalar: bytes });
    expect(this.h.core.drain(1)).toBe(1);
    expect(this.h.fault().count).toBe(0);
  }

  get dramBytes(): number {
    return this.h.record(L.RECORD_DRAM_BYTES);
  }

  get hitRate(): number {
    return this.h.record(L.RECORD_SRAM_HIT_RATE);
  }

  /** The last op's body (its time less the launch), in ns. */
  get bodyNs(): number {
    return (this.h.record(L.RECORD_BODY_CYCLES) / v2.clockHz) * 1e9;
  }
}

/** The floor of a streamed op: `dramBytes` must cross DRAM, `sramBytes` the SRAM, `elements` one SE pass. */
const floorNs = (dramBytes: number, sramBytes: number, elements = 0) =>
  physicalFloorNs(v2, { dramBytes, sramBytes, seElements: elements });

describe('finding 1: an output larger than the SRAM is written back', () => {
  test('add of two cold 512 MiB float32: 1024 MiB read and 256 MiB of the output written back, not faster than 6.55 ms', () => {
    const d = new Device();
    const n = 128 * MiB; // 512 MiB of float32
    const [a, b, c] = [d.alloc(4 * n), d.alloc(4 * n), d.alloc(4 * n)];
    d.add(n, a, b, c);
    // a and b stream in from DRAM (each leaves its last 256 MiB resident, clean); c's last
    // 256 MiB stay dirty in SRAM and its first 256 MiB are written back as they stream past.
    expect(d.dramBytes).toBe(512 * MiB + 512 * MiB + (512 * MiB - SRAM));
    const floor = floorNs(1280 * MiB, 3 * 512 * MiB, n);
    expect(floor / 1e6).toBeCloseTo(6.554, 3); // 1280 MiB at 204.8 GB/s
    expect(d.bodyNs).toBeGreaterThanOrEqual(floor);
    // DRAM-bound at the calibrated 97 % efficiency, so within 4 % of the floor.
    expect(d.bodyNs).toBeLessThan(1.04 * floor);

    // A later sum of c reads its first half from DRAM (it was written back, so DRAM has it);
    // making room evicts c's older resident half (dirty: written back) before the scan reaches
    // it, so that half comes from DRAM too. Strict LRU: 256 MiB + 256 MiB + 256 MiB.
    d.sum(n, c, d.alloc(4));
    expect(d.hitRate).toBe(0);
    expect(d.dramBytes).toBe(3 * 256 * MiB + 4); // + the sum's own 4-byte output, evicted by its scan
  });

  test('relu of a cold 1 GiB float32: 1 GiB read, 768 MiB written back', () => {
    const d = new Device();
    const n = 256 * MiB;
    d.relu(n, d.alloc(4 * n), d.alloc(4 * n));
    expect(d.dramBytes).toBe(GiB + (GiB - SRAM));
    const floor = floorNs(1792 * MiB, 2 * GiB, n);
    expect(floor / 1e6).toBeCloseTo(9.175, 3);
    expect(d.bodyNs).toBeGreaterThanOrEqual(floor);
  });

  test('a K = 1 float32 GEMM with a 2.23 GB output (bmm B=50 M=384 N=29075 as one GEMM) writes back all but 256 MiB of it', () => {
    const d = new Device();
    const [m, n] = [50 * 384, 29075];
    const [a, b, c] = [d.alloc(4 * m), d.alloc(4 * n), d.alloc(4 * m * n)];
    d.matmul(m, n, 1, a, b, c);
    const out = 4 * m * n;
    expect(d.dramBytes).toBe(4 * (m + n) + out - SRAM);
    expect(d.bodyNs).toBeGreaterThanOrEqual(floorNs(4 * (m + n) + out - SRAM, 4 * (m + n) + out));
  });

  test('an output that fits stays resident and dirty: written back only when evicted', () => {
    const d = new Device();
    const n = 32 * MiB; // 128 MiB
    const [a, c] = [d.alloc(4 * n), d.alloc(4 * n)];
    d.relu(n, a, c);
    expect(d.dramBytes).toBe(4 * n); // a in, c stays
    d.sum(75e6, d.alloc(300e6), d.alloc(4)); // a 300 MB scan evicts everything
    expect(d.dramBytes).toBe(300e6 + 4 * n + 4); // + c's write-back and the sum's own output
  });
});

describe('finding 2: gathers hit where the SRAM holds the table', () => {
  const rows = 262144;
  const dim = 64;
  const bags = rows / 64;
  const tableBytes = rows * dim * 4; // 64 MiB

  function gatherSetup() {
    const d = new Device();
    const [table, indices, offsets, out] = [d.alloc(tableBytes), d.alloc(4 * rows), d.alloc(4 * bags), d.alloc(4 * bags * dim)];
    const gather = () => d.embeddingBag(rows, dim, table, rows, indices, bags, offsets, out);
    return { d, table, gather };
  }

  test('262 144 rows of a cold 64-wide float32 table come from DRAM: not faster than 64 MiB at 204.8 GB/s', () => {
    const { d, gather } = gatherSetup();
    gather();
    // The table's 64 MiB (262 144 indices may name 262 144 different rows) and the cold
    // indices (1 MiB) and offsets (16 KiB); the 1 MiB output stays in SRAM.
    expect(d.dramBytes).toBe(tableBytes + 4 * rows + 4 * bags);
    expect(d.hitRate).toBe(0);
    const floor = floorNs(tableBytes + 4 * rows + 4 * bags, tableBytes + 4 * rows + 4 * bags + 4 * bags * dim);
    expect(d.bodyNs).toBeGreaterThanOrEqual(floor);
  });

  test('the same gather again finds every row in SRAM (the first one left them resident)', () => {
    const { d, gather } = gatherSetup();
    gather();
    gather();
    expect(d.dramBytes).toBe(0);
    expect(d.hitRate).toBe(1);
  });

  test('a table just read whole is served from SRAM; one just uploaded from DRAM', () => {
    const { d, table, gather } = gatherSetup();
    d.sum(tableBytes / 4, table, d.alloc(4));
    gather();
    expect(d.dramBytes).toBe(4 * rows + 4 * bags); // only the cold indices and offsets
    // The host DMA writes DRAM behind the SRAM: the resident copy is dropped.
    d.h.push({ opcode: L.OP_COPY, dst: table, src0: table, count: tableBytes, arg0: L.COPY_HOST_TO_DEVICE });
    d.h.core.drain(1);
    gather();
    expect(d.dramBytes).toBe(tableBytes);
  });

  test('a few rows of a half-resident table: hits in proportion, each index a row of its own at most', () => {
    const { d, table } = gatherSetup();
    d.sum(tableBytes / 8, table, d.alloc(4)); // the first half of the table read: resident
    const [indices, offsets, out] = [d.alloc(4 * 1000), d.alloc(4 * 10), d.alloc(4 * 10 * dim)];
    d.sum(1000, indices, d.alloc(4));
    d.sum(10, offsets, d.alloc(4));
    d.embeddingBag(rows, dim, table, 1000, indices, 10, offsets, out);
    // 1000 rows of 256 B, half of them where the table is resident.
    expect(d.dramBytes).toBe(1000 * dim * 4 * 0.5);
  });
});

describe('finding 7: dirtiness is tracked per byte range', () => {
  test('a 200 MB tensor with only its 65 MiB tail dirty writes back 65 MiB when evicted', () => {
    const d = new Device();
    const bytes = 200e6;
    const t = d.alloc(bytes);
    d.sum(bytes / 4, t, d.alloc(4)); // resident, clean
    d.fill((65 * MiB) / 4, t + bytes - 65 * MiB); // its tail overwritten: dirty
    expect(d.dramBytes).toBe(0);
    d.sum(bytes / 4, t, d.alloc(4)); // read whole again: only the tail stays dirty
    expect(d.hitRate).toBe(1);
    d.sum(75e6, d.alloc(300e6), d.alloc(4)); // a cold 300 MB scan evicts all of it
    // 300 MB in; written back: the 65 MiB tail and the three sums' 4-byte outputs.
    expect(d.dramBytes).toBe(300e6 + 65 * MiB + 3 * 4);
  });

  test('a warm float32 add costs no less for more elements (64.26 M against 67.11 M and around)', () => {
    const time = (n: number) => {
      const d = new Device();
      const [a, b, c] = [d.alloc(4 * n), d.alloc(4 * n), d.alloc(4 * n)];
      d.add(n, a, b, c);
      d.discard(c, 4 * n); // the first result freed, as a program loop would
      d.add(n, a, b, c);
      return d.bodyNs;
    };
    const sizes = [32e6, 60e6, 63e6, 64.26e6, 65e6, 66e6, 67.108864e6, 67.11e6, 68e6, 70e6, 80e6];
    const times = sizes.map(time);
    for (let i = 1; i < sizes.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
  });
});

describe('finding 8: the cache is LRU', () => {
  test('a 300 MB working set read twice gets no reuse; a 200 MB one is all reused', () => {
    const d = new Device();
    const x = d.alloc(300e6);
    d.sum(75e6, x, d.alloc(4));
    d.sum(75e6, x, d.alloc(4));
    expect(d.hitRate).toBe(0);
    const y = d.alloc(200e6);
    d.sum(50e6, y, d.alloc(4));
    d.sum(50e6, y, d.alloc(4));
    expect(d.hitRate).toBe(1);
    expect(d.dramBytes).toBe(0);
  });

  test('three 100 MB tensors read in turn miss every time; three 80 MB ones hit every time', () => {
    for (const [bytes, rate] of [[100e6, 0], [80e6, 1]] as const) {
      const d = new Device();
      const ts = [d.alloc(bytes), d.alloc(bytes), d.alloc(bytes)];
      for (const t of ts) d.sum(bytes / 4, t, d.alloc(4));
      for (const t of ts) {
        d.sum(bytes / 4, t, d.alloc(4));
        expect(d.hitRate).toBe(rate);
      }
    }
  });
});

describe("finding 9: a freed block's dead data is dropped without write-back", () => {
  test('OP_DISCARD takes no time and spares the write-back the block would have cost', () => {
    for (const freed of [false, true]) {
      const d = new Device();
      const block = d.alloc(64 * MiB);
      d.fill((64 * MiB) / 4, block); // dirty in SRAM
      const before = d.h.clockCycles();
      if (freed) {
        d.discard(block, 64 * MiB);
        expect(d.h.clockCycles()).toBe(before); // a queue op: no launch, no time
        expect(d.h.record(L.RECORD_END_CYCLES)).toBe(before);
      }
      d.sum(75e6, d.alloc(300e6), d.alloc(4));
      expect(d.dramBytes).toBe(300e6 + 4 + (freed ? 0 : 64 * MiB));
    }
  });

  test('a discard drops only its range: the rest of a dirty region is still written back', () => {
    const d = new Device();
    const block = d.alloc(64 * MiB);
    d.fill((64 * MiB) / 4, block);
    d.discard(block + 16 * MiB, 32 * MiB);
    d.sum(75e6, d.alloc(300e6), d.alloc(4));
    expect(d.dramBytes).toBe(300e6 + 4 + 32 * MiB);
  });
});

describe('property: no op is faster than physics', () => {
  type Op = { kind: 'add' | 'relu' | 'sum' | 'gather'; bytes: number; warm: boolean; dim: number; rowsShare: number };
  const op = fc.record({
    kind: fc.constantFrom('add', 'relu', 'sum', 'gather'),
    // From 4 KiB to 1.5 GiB per operand, log-uniform: below, around and far above the 256 MiB SRAM.
    bytes: fc.double({ min: 12, max: Math.log2(1.5 * GiB), noNaN: true }).map((e) => Math.max(4096, Math.round(2 ** e / 4096) * 4096)),
    warm: fc.boolean(),
    dim: fc.constantFrom(16, 64, 128),
    rowsShare: fc.double({ min: 0.01, max: 4, noNaN: true }),
  }) as fc.Arbitrary<Op>;

  /**
   * Runs `o` (a second time when warm, on the same operands) and returns its body and its
   * floor: cold operands must come from DRAM whole; warm ones may be resident but no more than
   * the SRAM holds; an output larger than the SRAM must be written back beyond its capacity.
   */
  function runOp(d: Device, o: Op): { bodyNs: number; floorNs: number } {
    const n = o.bytes / 4;
    const runs = o.warm ? 2 : 1;
    let dram = 0;
    let sram = 0;
    let elements = 0;
    if (o.kind === 'add' || o.kind === 'relu') {
      const inputs = o.kind === 'add' ? 2 : 1;
      const ins = Array.from({ length: inputs }, () => d.alloc(o.bytes));
      const out = d.alloc(o.bytes);
      for (let r = 0; r < runs; r++) {
        if (o.kind === 'add') d.add(n, ins[0]!, ins[1]!, out);
        else d.relu(n, ins[0]!, out);
      }
      const inBytes = inputs * o.bytes;
      dram = (o.warm ? Math.max(0, inBytes - SRAM) : inBytes) + Math.max(0, o.bytes - SRAM);
      sram = inBytes + o.bytes;
      elements = n;
    } else if (o.kind === 'sum') {
      const src = d.alloc(o.bytes);
      for (let r = 0; r < runs; r++) d.sum(n, src, d.alloc(4));
      dram = o.warm ? Math.max(0, o.bytes - SRAM) : o.bytes;
      sram = o.bytes;
    } else {
      // A table of o.bytes; indices a share of its row count (fewer or more than its rows).
      const rowBytes = o.dim * 4;
      const rows = Math.max(1, Math.floor(o.bytes / rowBytes));
      const count = Math.max(1, Math.min(2 ** 24, Math.round(rows * o.rowsShare)));
      const bags = Math.max(1, Math.min(count, 4096));
      const [table, indices, offsets, out] = [d.alloc(rows * rowBytes), d.alloc(4 * count), d.alloc(4 * bags), d.alloc(bags * rowBytes)];
      for (let r = 0; r < runs; r++) d.embeddingBag(rows, o.dim, table, count, indices, bags, offsets, out);
      // The indices could name min(count, rows) different rows, all of which must cross once
      // when the table is cold; warm, no more than the SRAM can have kept.
      const rowsBytes = Math.min(count, rows) * rowBytes;
      const small = 4 * (count + bags);
      dram = o.warm ? Math.max(0, rowsBytes + small - SRAM) : rowsBytes + small;
      sram = count * rowBytes + small;
    }
    return { bodyNs: d.bodyNs, floorNs: floorNs(dram, sram, elements) };
  }

  test('random elementwise, reduction and gather ops, cold and warm, from 4 KiB to 1.5 GiB: body ≥ floor (seed 20)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 4 }), (ops) => {
        const d = new Device();
        for (const o of ops) {
          const { bodyNs, floorNs } = runOp(d, o);
          expect(bodyNs, JSON.stringify(o)).toBeGreaterThanOrEqual(floorNs * (1 - 1e-12));
        }
      }),
      { seed: 20, numRuns: 150 },
    );
  });

  // At any size: the streaming lowering chooses its step count (streaming.ts), so its tiling no
  // longer makes a larger op cheaper. The slack, 1e-5 relative: a reduction's output bytes per
  // input element fall as its rows lengthen, so the busiest PE's FI out can shrink by a few
  // bytes while the op grows (12 KiB → 16 KiB `sum`: 2.8e-6).
  test('the same op, cold or warm, costs no less for more bytes (seed 21)', () => {
    fc.assert(
      fc.property(op, fc.double({ min: 1, max: 4, noNaN: true }), (o, growth) => {
        const bigger = { ...o, bytes: Math.round((o.bytes * growth) / 4096) * 4096 };
        const small = runOp(new Device(), o).bodyNs;
        const large = runOp(new Device(), bigger).bodyNs;
        expect(large, JSON.stringify([o, bigger.bytes])).toBeGreaterThanOrEqual(small * (1 - 1e-5));
      }),
      { seed: 21, numRuns: 150 },
    );
  });
});
