// src/scalesim/memory.ts: CALC mode's fold-level path (readBand for bands of distinct addresses,
// skipped passes over bands already in the epoch, bulk OFMAP writes) against the plain
// request-by-request replay of the same rules, over random layers, arrays and SRAM sizes small
// enough that the epochs turn over many times. The replay itself is held to SCALE-Sim's reports
// by test/runtime/scalesim.test.ts (every fixture, byte for byte).

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { replayMemory, simulateMemory } from '../../src/scalesim/memory.js';
import type { ScaleSimDataflow } from '../../src/scalesim/config.js';

const layerArb = fc.record({
  ifmapHeight: fc.integer({ min: 1, max: 12 }),
  ifmapWidth: fc.integer({ min: 1, max: 12 }),
  filterHeight: fc.integer({ min: 1, max: 4 }),
  filterWidth: fc.integer({ min: 1, max: 4 }),
  channels: fc.integer({ min: 1, max: 9 }),
  numFilters: fc.integer({ min: 1, max: 40 }),
  strideHeight: fc.integer({ min: 1, max: 3 }),
  strideWidth: fc.integer({ min: 1, max: 3 }),
}).filter((l) => l.filterHeight <= l.ifmapHeight && l.filterWidth <= l.ifmapWidth);

describe('CALC mode: the fold-level model equals the request-by-request replay', () => {
  test('random layers × dataflows × arrays × SRAM sizes (fixed seed)', () => {
    fc.assert(fc.property(
      layerArb,
      fc.constantFrom<ScaleSimDataflow>('os', 'ws', 'is'),
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }),
      (shape, dataflow, rows, cols, ifmapKiB, filterKiB, ofmapKiB) => {
        const layer = { name: 'l', ...shape };
        const config = { ifmapSramSzkB: ifmapKiB, filterSramSzkB: filterKiB, ofmapSramSzkB: ofmapKiB, interfaceBandwidth: 'CALC' as const, bandwidth: [] };
        expect(simulateMemory(layer, dataflow, rows, cols, config)).toEqual(replayMemory(layer, dataflow, rows, cols, config));
      },
    ), { seed: 22, numRuns: 400 });
  });
});
