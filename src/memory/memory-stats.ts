// The caching allocator's counters, with PyTorch's names and semantics
// (c10/core/CachingDeviceAllocator.h `DeviceStats`, `Stat`; torch.cuda.memory_stats in
// pytorch/pytorch torch/cuda/memory.py). The allocator updates them in the functions that do
// the work (caching-allocator.ts); this module only holds them and renders PyTorch's dict.

/** Stat index of the small pool (PyTorch's StatType::SMALL_POOL). */
export const SMALL_POOL = 1;
/** Stat index of the large pool (PyTorch's StatType::LARGE_POOL). */
export const LARGE_POOL = 2;
/** Which pool a stat update belongs to; every update also hits the aggregate (index 0). */
export type Pool = typeof SMALL_POOL | typeof LARGE_POOL;

/** The stat groups of memory_stats, in PyTorch's spelling (the count group is `allocation`). */
export const STAT_NAMES = [
  'active', 'active_bytes', 'allocated_bytes', 'allocation', 'inactive_split', 'inactive_split_bytes',
  'requested_bytes', 'reserved_bytes', 'segment',
] as const;

/** One stat group name (`allocated_bytes`, `segment`, ...). */
export type StatName = (typeof STAT_NAMES)[number];
/** The pools a stat group is split by. */
export type StatPool = 'all' | 'large_pool' | 'small_pool';
/** The four metrics of every stat. */
export type StatMetric = 'allocated' | 'current' | 'freed' | 'peak';
/** The plain counters of memory_stats. */
export type CounterName = 'num_alloc_retries' | 'num_device_alloc' | 'num_device_free' | 'num_ooms' | 'num_sync_all_streams';

/** MTIA's nested `dram` entry: what torch.mtia.memory_allocated / max_memory_allocated read. */
export interface DramStats {
  /** Bytes in blocks handed to tensors now (= `allocated_bytes.all.current`). */
  readonly allocated_bytes: number;
  /** Most `allocated_bytes` since start or resetPeakMemoryStats (= `allocated_bytes.all.peak`). */
  readonly peak_bytes: number;
  /** Bytes reserved from the device in segments (= `reserved_bytes.all.current`). */
  readonly reserved_bytes: number;
  /** Most `reserved_bytes` since start or resetPeakMemoryStats (= `reserved_bytes.all.peak`). */
  readonly peak_reserved_bytes: number;
  /** Device memory capacity in bytes. */
  readonly total_bytes: number;
}

/** torch.mtia.memory_stats(): PyTorch's flat keys, sorted, plus MTIA's nested `dram`. */
export type MemoryStats = {
  readonly [K in `${StatName}.${StatPool}.${StatMetric}` | CounterName]: number;
} & { readonly dram: DramStats };

/** One counter with PyTorch's four metrics (c10 `Stat`). */
export class Stat {
  current = 0;
  peak = 0;
  /** Cumulative increase. */
  allocated = 0;
  /** Cumulative decrease. */
  freed = 0;

  // PyTorch's update_stat(stat, amount) takes either sign: an increase counts in `allocated`
  // and may raise `peak`, a decrease counts in `freed`. Every caller knows its sign, so the
  // two halves are separate methods (no sign test on the allocator's hot path).

  /** Adds `amount` (≥ 0): update_stat with a positive amount. */
  increase(amount: number): void {
    const current = (this.current += amount);
    this.allocated += amount;
    if (current > this.peak) this.peak = current;
  }

  /** Subtracts `amount` (≥ 0): update_stat with a negative amount. */
  decrease(amount: number): void {
    this.current -= amount;
    this.freed += amount;
  }
}

/** A stat group: index 0 is `all` (PyTorch's AGGREGATE), then SMALL_POOL and LARGE_POOL. */
export type StatArray = readonly [Stat, Stat, Stat];

function statArray(): StatArray {
  return [new Stat(), new Stat(), new Stat()];
}

/** @internal Adds `amount` (≥ 0) to the aggregate and to `pool`'s stat of a group (PyTorch's update_stat of both). */
export function increaseStat(stats: StatArray, pool: Pool, amount: number): void {
  stats[0].increase(amount);
  stats[pool].increase(amount);
}

/** @internal Subtracts `amount` (≥ 0) from the aggregate and from `pool`'s stat of a group. */
export function decreaseStat(stats: StatArray, pool: Pool, amount: number): void {
  stats[0].decrease(amount);
  stats[pool].decrease(amount);
}

/** @internal Every counter of one device's caching allocator (PyTorch's DeviceStats). */
export class DeviceStats {
  /** Allocation requests being served (allocated and not yet freed by the user). */
  readonly allocation = statArray();
  /** Bytes in allocated blocks (rounded sizes). */
  readonly allocated_bytes = statArray();
  /** Segments reserved from the device heap. */
  readonly segment = statArray();
  /** Bytes reserved from the device heap. */
  readonly reserved_bytes = statArray();
  /** Blocks allocated or awaiting a cross-stream free. */
  readonly active = statArray();
  /** Bytes in active blocks. */
  readonly active_bytes = statArray();
  /** Free blocks that are part of a split segment (cannot be released). */
  readonly inactive_split = statArray();
  /** Bytes in inactive split blocks. */
  readonly inactive_split_bytes = statArray();
  /** Bytes callers asked for, before rounding. */
  readonly requested_bytes = statArray();
  /** Device mallocs that failed and were retried after releasing the cache. */
  num_alloc_retries = 0;
  /** OutOfMemoryErrors raised. */
  num_ooms = 0;
  /** Always 0: the simulator never synchronizes every stream inside the allocator. */
  num_sync_all_streams = 0;
  /** Segments obtained from the device heap ("cudaMalloc" calls that succeeded). */
  num_device_alloc = 0;
  /** Segments returned to the device heap ("cudaFree" calls). */
  num_device_free = 0;

  /** Sets every peak to its current value (torch.mtia.reset_peak_memory_stats). */
  resetPeaks(): void {
    for (const name of STAT_NAMES) for (const stat of this[name]) stat.peak = stat.current;
  }

  /** PyTorch's memory_stats dict: flat dotted keys and MTIA's `dram`, in sorted key order. */
  toDict(totalBytes: number): MemoryStats {
    const entries: [string, unknown][] = [];
    const pools: [StatPool, number][] = [['all', 0], ['large_pool', LARGE_POOL], ['small_pool', SMALL_POOL]];
    for (const name of STAT_NAMES) {
      for (const [pool, index] of pools) {
        const stat = this[name][index]!;
        entries.push(
          [`${name}.${pool}.allocated`, stat.allocated],
          [`${name}.${pool}.current`, stat.current],
          [`${name}.${pool}.freed`, stat.freed],
          [`${name}.${pool}.peak`, stat.peak],
        );
      }
    }
    entries.push(
      ['num_alloc_retries', this.num_alloc_retries],
      ['num_device_alloc', this.num_device_alloc],
      ['num_device_free', this.num_device_free],
      ['num_ooms', this.num_ooms],
      ['num_sync_all_streams', this.num_sync_all_streams],
    );
    const [allocated, reserved] = [this.allocated_bytes[0], this.reserved_bytes[0]];
    const dram: DramStats = {
      allocated_bytes: allocated.current,
      peak_bytes: allocated.peak,
      reserved_bytes: reserved.current,
      peak_reserved_bytes: reserved.peak,
      total_bytes: totalBytes,
    };
    entries.push(['dram', dram]);
    // PyTorch returns an OrderedDict sorted by key (torch/cuda/memory.py memory_stats).
    entries.sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(entries) as MemoryStats;
  }
}
