// The host's mirror of the core ABI (src/runtime/layout.ts, src/runtime/status.ts) must equal
// what the compiled core exports, name for name.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as layout from '../../src/runtime/layout.js';
import * as status from '../../src/runtime/status.js';
import { coreModule } from '../support/in-realm.js';
import { CoreHarness } from '../support/core-harness.js';

const exported = new CoreHarness().core as unknown as Record<string, unknown>;
const coreConstants = Object.fromEntries(
  WebAssembly.Module.exports(coreModule)
    .filter((entry) => entry.kind === 'global')
    .map((entry) => [entry.name, (exported[entry.name] as WebAssembly.Global).value as number]),
);
const hostConstants: Record<string, number> = {
  ...Object.fromEntries(Object.entries(layout).filter(([, value]) => typeof value === 'number')),
  ...Object.fromEntries(Object.entries(status).filter(([name]) => name.startsWith('STATUS_'))),
} as Record<string, number>;

describe('ABI mirror', () => {
  test('every constant the core exports has the same value on the host', () => {
    expect(Object.keys(coreConstants).length).toBeGreaterThan(50);
    for (const [name, value] of Object.entries(coreConstants)) {
      expect({ name, value: hostConstants[name] }).toEqual({ name, value });
    }
  });

  test('every host constant exists in the core', () => {
    for (const name of Object.keys(hostConstants)) expect(coreConstants).toHaveProperty(name);
  });

  test("asconfig's memoryBase is where the layout puts the core's data", () => {
    const asconfig = JSON.parse(readFileSync(new URL('../../asconfig.json', import.meta.url), 'utf8'));
    expect(asconfig.options.memoryBase).toBe(layout.CORE_DATA_LOCATION);
  });

  test('regions are chained, non-overlapping and the heap is 64 KiB aligned', () => {
    expect(layout.PROFILE_LOCATION).toBe(layout.HEADER_LOCATION + layout.HEADER_SIZE);
    expect(layout.STREAMS_LOCATION).toBe(layout.PROFILE_LOCATION + layout.PROFILE_SIZE);
    expect(layout.ENGINES_LOCATION).toBe(layout.STREAMS_LOCATION + layout.STREAMS_SIZE);
    expect(layout.ENGINES_SIZE).toBeGreaterThanOrEqual(layout.ENGINE_COUNT * layout.ENGINE_SIZE);
    expect(layout.EVENTS_LOCATION).toBe(layout.ENGINES_LOCATION + layout.ENGINES_SIZE);
    expect(layout.RING_LOCATION).toBe(layout.EVENTS_LOCATION + layout.EVENTS_SIZE);
    expect(layout.ARGS_LOCATION).toBe(layout.RING_LOCATION + layout.RING_SIZE);
    expect(layout.RECORDS_LOCATION).toBe(layout.ARGS_LOCATION + layout.ARGS_SIZE);
    expect(layout.CACHE_LOCATION).toBe(layout.RECORDS_LOCATION + layout.RECORDS_SIZE);
    expect(layout.CORE_DATA_LOCATION).toBe(layout.CACHE_LOCATION + layout.CACHE_SIZE);
    expect(layout.RECORD_SIZE).toBeGreaterThanOrEqual(layout.RECORD_FIELDS * 8);
    expect(layout.ARGS_BYTES).toBe(layout.ARGS_BLOCK_SIZE);
    expect(layout.KERNEL_THREADS_LOCATION).toBe(layout.CORE_DATA_LOCATION + layout.CORE_DATA_SIZE);
    expect(layout.HEAP_LOCATION).toBeGreaterThanOrEqual(layout.KERNEL_THREADS_LOCATION + layout.KERNEL_THREADS_SIZE);
    expect(layout.HEAP_LOCATION % 65536).toBe(0);
    expect(layout.RING_COMMANDS & (layout.RING_COMMANDS - 1)).toBe(0);
    expect(layout.COMMAND_SCALAR % 8).toBe(0);
    for (const field of [layout.COMMAND_DST, layout.COMMAND_SRC0, layout.COMMAND_SRC1]) expect(field % 8).toBe(0);
  });

  test("a kernel thread's slot holds its state, the job's 14 words, the sync block, an edge tile and an A block", () => {
    expect(layout.KERNEL_THREAD_ARGS).toBeGreaterThanOrEqual(layout.KERNEL_THREAD_STATE + 4);
    expect(layout.KERNEL_THREAD_SYNC).toBeGreaterThanOrEqual(layout.KERNEL_THREAD_ARGS + 14 * 4);
    expect(layout.KERNEL_THREAD_EDGE).toBeGreaterThanOrEqual(layout.KERNEL_THREAD_SYNC + layout.SYNC_BYTES);
    expect(layout.KERNEL_THREAD_WORKSPACE).toBeGreaterThanOrEqual(layout.KERNEL_THREAD_EDGE + layout.TILE_M * layout.TILE_N * 4);
    expect(layout.KERNEL_THREAD_SLOT_SIZE).toBeGreaterThanOrEqual(layout.KERNEL_THREAD_WORKSPACE + layout.SHARED_BLOCK_BYTES);
    for (const offset of [layout.KERNEL_THREADS_LOCATION, layout.KERNEL_THREAD_EDGE, layout.KERNEL_THREAD_WORKSPACE, layout.KERNEL_THREAD_SLOT_SIZE]) expect(offset % 16).toBe(0);
    expect(layout.KERNEL_PANEL_LOCATION).toBe(layout.KERNEL_THREADS_LOCATION + layout.KERNEL_THREAD_SLOTS * layout.KERNEL_THREAD_SLOT_SIZE);
    expect(layout.KERNEL_PANEL_SIZE).toBe(layout.SHARED_PANEL_BYTES);
    expect(layout.KERNEL_THREADS_SIZE).toBe(layout.KERNEL_PANEL_LOCATION + layout.KERNEL_PANEL_SIZE - layout.KERNEL_THREADS_LOCATION);
  });
});
