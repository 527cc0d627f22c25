// The on-chip SRAM as a hardware-managed last-level cache (LLC) in front of LPDDR5 (ISCA'25
// §4.1: 32 MB granules of the 256 MB SRAM can each be LLC or software-managed scratch; the
// simulator models all of it as LLC). It is shared by every stream and every op of a device:
// what fits stays resident across ops, so a GEMM whose operands a previous op produced or read
// finds them in SRAM.
//
//   op operand [start, end) ──► tag table (CACHE_ENTRIES resident regions, layout.ts)
//                                 hit bytes = overlap with resident regions → read from SRAM
//                                 miss bytes → read from DRAM once, then resident
//   op output  [start, end) ──► resident and dirty (write-allocate, no DRAM read)
//   full (residentBytes > SRAM capacity) ──► evict least recently used bytes; dirty ones are
//                                 written back to DRAM (write-back policy)
//   host-to-device copy ──► the DMA writes DRAM; resident copies of the range are dropped
//
// Regions are whole operand spans (ops/args.ts operandSpan), not cache lines: a hit is "these
// bytes of the operand are resident", which is what the timing model needs at tile level.
// A region larger than the SRAM leaves only its last SRAM-capacity bytes resident (LRU order
// within a streamed region). Freed tensors are not dropped (the software hints of ISCA'25 §4.2
// that skip dead tensors' write-back are not modelled): their dirty bytes are written back when
// evicted. The table keeps the regions packed in [0, count); when it is full, the least
// recently used region is evicted to make room, whatever the bytes.

import { CACHE_ENTRIES, cacheEntry } from "../layout";
import { sramBytes } from "../profile";

const ENTRY_START: usize = 0;
const ENTRY_END: usize = 8;
const ENTRY_LAST_USE: usize = 16;
const ENTRY_DIRTY: usize = 24;

/** Regions in the table, packed in entries [0, count). */
let count: u32 = 0;
/** Bytes resident. */
export let residentBytes: f64 = 0;
/** Access counter: an entry's last use, for LRU. */
let tick: f64 = 0;
/** Bytes of the last access found resident. */
export let hitBytes: f64 = 0;
/** Dirty bytes the last access evicted: written back to DRAM. */
export let writebackBytes: f64 = 0;

/** Empties the cache (at boot). */
export function resetCache(): void {
  count = 0;
  residentBytes = 0;
  tick = 0;
}

// @ts-ignore: decorator
@inline function startOf(e: u32): f64 { return load<f64>(cacheEntry(e) + ENTRY_START); }
// @ts-ignore: decorator
@inline function endOf(e: u32): f64 { return load<f64>(cacheEntry(e) + ENTRY_END); }
// @ts-ignore: decorator
@inline function dirtyOf(e: u32): bool { return load<f64>(cacheEntry(e) + ENTRY_DIRTY) != 0; }

function put(e: u32, start: f64, end: f64, lastUse: f64, dirty: bool): void {
  const at = cacheEntry(e);
  store<f64>(at + ENTRY_START, start);
  store<f64>(at + ENTRY_END, end);
  store<f64>(at + ENTRY_LAST_USE, lastUse);
  store<f64>(at + ENTRY_DIRTY, dirty ? 1 : 0);
}

/** Removes entry `e` (its bytes are no longer resident), keeping the table packed. */
function remove(e: u32): void {
  residentBytes -= endOf(e) - startOf(e);
  count--;
  if (e != count) memory.copy(cacheEntry(e), cacheEntry(count), 32);
}

/**
 * Evicts `bytes` from the least recently used region (all of it if it is smaller), never the
 * region just made resident (last use `tick`); returns the bytes evicted.
 */
function evictLeastRecent(bytes: f64): f64 {
  let victim: u32 = 0xffffffff;
  let oldest = tick;
  for (let e: u32 = 0; e < count; e++) {
    const lastUse = load<f64>(cacheEntry(e) + ENTRY_LAST_USE);
    if (lastUse < oldest) {
      oldest = lastUse;
      victim = e;
    }
  }
  if (victim == 0xffffffff) return 0;
  const size = endOf(victim) - startOf(victim);
  const evicted = min(size, bytes);
  if (dirtyOf(victim)) writebackBytes += evicted;
  if (evicted >= size) remove(victim);
  else {
    store<f64>(cacheEntry(victim) + ENTRY_START, startOf(victim) + evicted);
    residentBytes -= evicted;
  }
  return evicted;
}

/**
 * Cuts [start, end) out of the middle of entry `e`: its head stays in `e`, its tail moves to a
 * new entry. With the table full the tail is evicted instead (written back if dirty).
 */
function splitAround(e: u32, start: f64, end: f64): void {
  const e0 = endOf(e);
  if (count < CACHE_ENTRIES) {
    put(count++, end, e0, load<f64>(cacheEntry(e) + ENTRY_LAST_USE), dirtyOf(e));
  } else {
    if (dirtyOf(e)) writebackBytes += e0 - end;
    residentBytes -= e0 - end;
  }
  store<f64>(cacheEntry(e) + ENTRY_END, start);
}

/**
 * Takes [start, end) out of every resident region. Sets hitBytes to the bytes it found; for a
 * read (`keepStart` < end), the dirty bytes below `keepStart` (those a streamed region will
 * not keep) go to writebackBytes. Returns whether any region it cut was dirty.
 */
function cut(start: f64, end: f64, keepStart: f64): bool {
  hitBytes = 0;
  writebackBytes = 0;
  let dirty = false;
  for (let e: u32 = 0; e < count; ) {
    const s0 = startOf(e);
    const e0 = endOf(e);
    if (e0 <= start || s0 >= end) {
      e++;
      continue;
    }
    const overlap = min(e0, end) - max(s0, start);
    hitBytes += overlap;
    if (dirtyOf(e)) {
      dirty = true;
      writebackBytes += max(0, min(e0, keepStart) - max(s0, start));
    }
    if (s0 >= start && e0 <= end) {
      remove(e); // the entry now in slot e is looked at next
      continue;
    }
    if (s0 < start && e0 > end) {
      splitAround(e, start, end);
    } else if (s0 < start) {
      store<f64>(cacheEntry(e) + ENTRY_END, start);
    } else {
      store<f64>(cacheEntry(e) + ENTRY_START, end);
    }
    residentBytes -= overlap;
    e++;
  }
  return dirty;
}

/**
 * Makes [start, end) resident after a read (`write` false) or a write (`write` true); sets
 * hitBytes to the bytes of it that were resident before and writebackBytes to the dirty bytes
 * it evicted. A read keeps the data's dirtiness; a write overwrites it (no write-back owed).
 */
export function cacheAccess(start: f64, end: f64, write: bool): void {
  if (end <= start) {
    hitBytes = writebackBytes = 0;
    return;
  }
  const keepStart = max(start, end - sramBytes);
  const wasDirty = cut(start, end, write ? start : keepStart);
  if (keepStart >= end) return; // no SRAM
  if (count == CACHE_ENTRIES) evictLeastRecent(Infinity);
  put(count++, keepStart, end, ++tick, write || wasDirty);
  residentBytes += end - keepStart;
  while (residentBytes > sramBytes) {
    if (evictLeastRecent(residentBytes - sramBytes) == 0) break;
  }
}

/**
 * Drops [start, end) from the cache without writing it back: DRAM was written behind it.
 * writebackBytes is what a full table made it evict instead of splitting a region.
 */
export function cacheInvalidate(start: f64, end: f64): void {
  cut(start, end, start);
}

/** Bytes of [start, end) resident, without touching the cache's state. */
export function residentIn(start: f64, end: f64): f64 {
  let bytes: f64 = 0;
  for (let e: u32 = 0; e < count; e++) {
    const overlap = min(endOf(e), end) - max(startOf(e), start);
    if (overlap > 0) bytes += overlap;
  }
  return bytes;
}
