// docs/api-mapping.md: every public name of torch.mtia (pytorch/pytorch docs/source/mtia.md)
// has a row, and every row is done: exported by the package as the kind it says.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as pkg from 'mtia-sim';

/** torch.mtia's __all__ (newest, @033cb4c), then the public names outside it (§1.1). */
const torchMtiaNames = [
  'init', 'is_available', 'is_initialized', 'synchronize', 'device_count', 'current_device', 'current_stream',
  'default_stream', 'memory_stats', 'max_memory_allocated', 'memory_allocated', 'reset_peak_memory_stats',
  'get_device_capability', 'get_device_properties', 'record_memory_history', 'snapshot',
  'attach_out_of_memory_observer', 'empty_cache', 'set_device', 'set_stream', 'stream', 'device', 'set_rng_state',
  'get_rng_state', 'set_rng_state_all', 'get_rng_state_all', 'manual_seed', 'manual_seed_all', 'seed', 'seed_all',
  'initial_seed', 'is_bf16_supported', 'MTIAGraph', 'graph', 'graph_pool_handle',
  'is_current_stream_capturing', 'StreamContext', 'DeferredMtiaCallError', 'Event', 'Stream', 'Stream.is_capturing',
  'default_generators',
];

interface Row {
  readonly torch: string;
  readonly path: string;
  readonly kind: string;
  readonly status: string;
}

const rows: Row[] = readFileSync(new URL('../../docs/api-mapping.md', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => {
    const [torch, path, kind, status] = line.slice(2, -2).split(' | ').map((cell) => cell.trim());
    return { torch: torch!.replaceAll('`', ''), path: path!.replaceAll('`', ''), kind: kind!, status: status! };
  });

/** Resolves 'mtia.setDevice' or 'mtia.Stream.prototype.isCapturing' on the package's exports. */
function resolve(path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], pkg);
}

/** True if `value` is what the kind column says. */
function isKind(value: unknown, kind: string): boolean {
  if (kind === 'array') return Array.isArray(value);
  if (kind === 'class') return typeof value === 'function' && typeof (value as { prototype?: unknown }).prototype === 'object';
  return typeof value === 'function';
}

describe('docs/api-mapping.md', () => {
  test('lists every public name of torch.mtia once, in camelCase, with a kind and a status', () => {
    expect(rows.map((row) => row.torch)).toEqual(torchMtiaNames);
    for (const row of rows) {
      const camel = row.torch.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).replace('.is', '.prototype.is');
      expect({ row: row.torch, path: row.path }).toEqual({ row: row.torch, path: `mtia.${camel}` });
      expect(['function', 'class', 'array']).toContain(row.kind);
      expect(row.status).toBe('done');
    }
  });

  test.each(rows.filter((row) => row.status === 'done').map((row) => [row.path, row.kind] as const))(
    '%s is exported as a %s',
    (path, kind) => {
      const value = resolve(path);
      expect({ path, kind, exported: value !== undefined, matches: isKind(value, kind) }).toEqual({ path, kind, exported: true, matches: true });
    },
  );

  test('the functions that only read work when called: values, not just names', async () => {
    expect(pkg.mtia.isBf16Supported()).toBe(true);
    expect(pkg.mtia.deviceCount()).toBe(2);
    expect(pkg.mtia.currentDevice()).toBe(0);
    expect(pkg.mtia.getDeviceCapability()).toEqual([2, 0]);
    expect(pkg.mtia.getRngState(1)).toHaveLength(16);
    expect(pkg.mtia.getRngStateAll()).toHaveLength(2);
    expect(pkg.mtia.defaultGenerators).toHaveLength(2);
    expect(typeof pkg.mtia.initialSeed()).toBe('bigint');
    await pkg.mtia.synchronize();
    await pkg.mtia.shutdown();
  });
});
