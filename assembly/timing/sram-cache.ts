// The on-chip SRAM as a hardware-managed last-level cache (LLC) in front of LPDDR5 (ISCA'25
// §4.1: 32 MB granules of the 256 MB SRAM can each be LLC or software-managed scratch; the
// simulator models all of it as LLC). It is shared by every stream and every op of a device:
// what fits stays resident across ops, so a GEMM whose operands a previous op produced or read
// finds them in SRAM. Write-back, write-allocate, least recently used (LRU) replacement.
//
//   op operand [start, end) ──► streamed in address order against the tag table
//                                 (CACHE_ENTRIES resident ranges, layout.ts)
//     byte still resident when reached    → hit, read from SRAM, becomes most recent
//     byte not resident                   → miss: read from DRAM (write: allocated, no read),
//                                           becomes most recent; room is made first by
//                                           evicting the least recently used bytes
//   evicted dirty bytes ──► written back to DRAM (write-back policy)
//   host-to-device DMA ──► DRAM written behind the SRAM: resident copies dropped
//   freed block (OP_DISCARD) ──► its bytes dropped without write-back: the data is dead (assumed)
//
// Ranges, not cache lines: a table entry is a byte range with one last use and one dirty bit.
// Within an entry the lower addresses were used first (an access streams in address order), so
// eviction takes the oldest entry's head; entries of one access share its stamp and are
// evicted lowest address first. Dirtiness is per range: an access that reads dirty and clean
// bytes leaves dirty and clean entries, so only the dirty bytes are ever written back.
//
// MTIA's replacement policy is unpublished; strict LRU is assumed, the policy the docs name
// (issue 20, finding 8). It has the classic consequence: a scan larger than the SRAM gets no
// reuse, since every byte is evicted shortly before it is read again, and three tensors read in
// turn whose sizes add up to more than the SRAM get none either. An output larger than the
// SRAM leaves its last SRAM-capacity bytes resident and dirty and writes the rest back to DRAM
// as it streams past (finding 1). An op's operands are looked up one after another (readOperand,
// writeOperand), each whole; a tiled op interleaves them, which under LRU would leave less of
// each resident: the model keeps the most an ideal replacement could, never less traffic than
// physics allows.

import { CACHE_COUNT, CACHE_ENTRIES, CACHE_LOCATION, CACHE_RESIDENT_BYTES, CACHE_TICK, cacheEntry } from "../layout";
import { sramBytes } from "../profile";

const ENTRY_START: usize = 0;
const ENTRY_END: usize = 8;
const ENTRY_LAST_USE: usize = 16;
const ENTRY_DIRTY: usize = 24;
const NONE: u32 = 0xffffffff;

// The cache's state lives in device memory (layout.ts CACHE_STATE_SIZE), not in globals, so
// that the firmware's core and the host's (src/runtime/host-core.ts) see one cache.
const countAt: usize = CACHE_LOCATION + CACHE_COUNT;
const residentAt: usize = CACHE_LOCATION + CACHE_RESIDENT_BYTES;
const tickAt: usize = CACHE_LOCATION + CACHE_TICK;

/** Ranges in the table, packed in entries [0, count()). */
// @ts-ignore: decorator
@inline function count(): u32 { return load<u32>(countAt); }
// @ts-ignore: decorator
@inline function setCount(n: u32): void { store<u32>(countAt, n); }
/** Bytes resident. */
// @ts-ignore: decorator
@inline function residentBytes(): f64 { return load<f64>(residentAt); }
// @ts-ignore: decorator
@inline function addResident(bytes: f64): void { store<f64>(residentAt, load<f64>(residentAt) + bytes); }
/** Access counter: an entry's last use, for LRU; the current access's stamp while it runs. */
// @ts-ignore: decorator
@inline function tick(): f64 { return load<f64>(tickAt); }

/** Bytes of the last access found resident when the access reached them. */
export let hitBytes: f64 = 0;
/** Dirty bytes the last access evicted (or, for an output larger than the SRAM, streamed past): written back to DRAM. */
export let writebackBytes: f64 = 0;

/** Empties the cache (at boot). */
export function resetCache(): void {
  setCount(0);
  store<f64>(residentAt, 0);
  store<f64>(tickAt, 0);
}

// @ts-ignore: decorator
@inline function startOf(e: u32): f64 { return load<f64>(cacheEntry(e) + ENTRY_START); }
// @ts-ignore: decorator
@inline function endOf(e: u32): f64 { return load<f64>(cacheEntry(e) + ENTRY_END); }
// @ts-ignore: decorator
@inline function lastUseOf(e: u32): f64 { return load<f64>(cacheEntry(e) + ENTRY_LAST_USE); }
// @ts-ignore: decorator
@inline function dirtyOf(e: u32): bool { return load<f64>(cacheEntry(e) + ENTRY_DIRTY) != 0; }

function put(e: u32, start: f64, end: f64, lastUse: f64, dirty: bool): void {
  const at = cacheEntry(e);
  store<f64>(at + ENTRY_START, start);
  store<f64>(at + ENTRY_END, end);
  store<f64>(at + ENTRY_LAST_USE, lastUse);
  store<f64>(at + ENTRY_DIRTY, dirty ? 1 : 0);
}

/** Removes entry `e` from the table (its bytes already counted out), keeping the table packed. */
function remove(e: u32): void {
  const last = count() - 1;
  setCount(last);
  if (e != last) memory.copy(cacheEntry(e), cacheEntry(last), 32);
}

/** The entry evicted next: the oldest last use, and of equal ones the lowest address; NONE when empty. */
function leastRecent(): u32 {
  let victim = NONE;
  for (let e: u32 = 0, n = count(); e < n; e++) {
    if (victim == NONE) {
      victim = e;
      continue;
    }
    const use = lastUseOf(e);
    const oldest = lastUseOf(victim);
    if (use < oldest || (use == oldest && startOf(e) < startOf(victim))) victim = e;
  }
  return victim;
}

/** Evicts the `bytes` least recently used resident bytes (fewer if fewer are resident); dirty ones are written back. */
function evict(bytes: f64): void {
  while (bytes > 0 && count() > 0) {
    const victim = leastRecent();
    const size = endOf(victim) - startOf(victim);
    const evicted = min(size, bytes);
    if (dirtyOf(victim)) writebackBytes += evicted;
    addResident(-evicted);
    if (evicted >= size) remove(victim);
    else store<f64>(cacheEntry(victim) + ENTRY_START, startOf(victim) + evicted);
    bytes -= evicted;
  }
}

/**
 * Adds [start, end) to the table as used by the current access (stamp `tick`), extending the
 * access's previous range when it ends at `start` with the same dirtiness. With the table full,
 * the least recently used entry is evicted whole to make a slot.
 */
function append(start: f64, end: f64, dirty: bool): void {
  addResident(end - start);
  const stamp = tick();
  for (let e: u32 = 0, n = count(); e < n; e++) {
    if (lastUseOf(e) == stamp && endOf(e) == start && dirtyOf(e) == dirty) {
      store<f64>(cacheEntry(e) + ENTRY_END, end);
      return;
    }
  }
  if (count() == CACHE_ENTRIES) {
    const victim = leastRecent();
    const size = endOf(victim) - startOf(victim);
    if (dirtyOf(victim)) writebackBytes += size;
    addResident(-size);
    remove(victim);
  }
  const n = count();
  put(n, start, end, stamp, dirty);
  setCount(n + 1);
}

/**
 * Takes [start, end) out of entry `e`, which covers it: those bytes leave the table (the caller
 * says where they go); the entry's bytes before and after stay, with its last use and
 * dirtiness. Splitting needs a slot: with the table full, the bytes after are evicted instead
 * (written back if dirty). Returns whether entry `e` was removed (slot `e` then holds another).
 */
function carve(e: u32, start: f64, end: f64): bool {
  const s0 = startOf(e);
  const e0 = endOf(e);
  addResident(start - end);
  if (s0 >= start && e0 <= end) {
    remove(e);
    return true;
  }
  if (s0 < start && e0 > end) {
    const n = count();
    if (n < CACHE_ENTRIES) {
      put(n, end, e0, lastUseOf(e), dirtyOf(e));
      setCount(n + 1);
    } else {
      if (dirtyOf(e)) writebackBytes += e0 - end;
      addResident(end - e0);
    }
    store<f64>(cacheEntry(e) + ENTRY_END, start);
  } else if (s0 < start) {
    store<f64>(cacheEntry(e) + ENTRY_END, start);
  } else {
    store<f64>(cacheEntry(e) + ENTRY_START, end);
  }
  return false;
}

/** The entry holding the lowest resident byte of [pos, end), or NONE. */
function nextResident(pos: f64, end: f64): u32 {
  let found = NONE;
  let foundAt = end;
  for (let e: u32 = 0, n = count(); e < n; e++) {
    if (endOf(e) <= pos) continue;
    const at = max(startOf(e), pos);
    if (at < foundAt) {
      foundAt = at;
      found = e;
    }
  }
  return found;
}

/**
 * Brings the missing bytes [start, end) in as the most recent, dirty for a write: first the
 * least recently used bytes make room. A range larger than the SRAM evicts everything and
 * streams through: only its last SRAM-capacity bytes stay, and a written range's bytes before
 * them are written back to DRAM as they pass.
 */
function bring(start: f64, end: f64, dirty: bool): void {
  const bytes = end - start;
  if (bytes >= sramBytes) {
    evict(residentBytes());
    if (dirty) writebackBytes += bytes - sramBytes;
    if (sramBytes > 0) append(end - sramBytes, end, dirty);
    return;
  }
  evict(residentBytes() + bytes - sramBytes);
  append(start, end, dirty);
}

/**
 * One access to [start, end) in address order (see the file comment): sets hitBytes and
 * writebackBytes. `write`: the bytes are overwritten (dirty after, and nothing is owed for what
 * they held); else a hit keeps its dirtiness and a miss is clean. At most `fillBytes` missing
 * bytes are brought in, the lowest first (a gather's rows, gather.ts); the rest stay out.
 */
function access(start: f64, end: f64, write: bool, fillBytes: f64): void {
  hitBytes = 0;
  writebackBytes = 0;
  store<f64>(tickAt, tick() + 1);
  let fill = fillBytes;
  let pos = start;
  while (pos < end) {
    const e = nextResident(pos, end);
    const gapEnd = e == NONE ? end : max(startOf(e), pos);
    if (gapEnd > pos) {
      const bytes = min(gapEnd - pos, fill);
      if (bytes > 0) {
        bring(pos, pos + bytes, write);
        fill -= bytes;
      }
      pos = gapEnd; // the gap's bytes are in; what is resident beyond is looked up again
      continue;
    }
    const hitEnd = min(endOf(e), end);
    const dirty = write || dirtyOf(e);
    carve(e, pos, hitEnd);
    append(pos, hitEnd, dirty);
    hitBytes += hitEnd - pos;
    pos = hitEnd;
  }
}

/**
 * Reads (`write` false) or writes [start, end) through the cache: sets hitBytes to the bytes
 * found resident and writebackBytes to the dirty bytes written back to DRAM meanwhile.
 */
export function cacheAccess(start: f64, end: f64, write: bool): void {
  if (end <= start) {
    hitBytes = writebackBytes = 0;
    return;
  }
  access(start, end, write, Infinity);
}

/**
 * A gather over the table [start, end): its resident bytes become the most recent, and
 * `fetchedBytes` of its missing bytes (the rows it fetched, placed at the lowest missing
 * addresses) become resident and clean. Sets writebackBytes to what that evicted.
 */
export function cacheGather(start: f64, end: f64, fetchedBytes: f64): void {
  if (end <= start) {
    hitBytes = writebackBytes = 0;
    return;
  }
  access(start, end, false, fetchedBytes);
}

/**
 * Drops [start, end) from the cache without writing it back: DRAM was written behind it (a
 * host DMA), or the data is dead (a freed block). writebackBytes is what a full table made it
 * evict instead of splitting a range.
 */
export function cacheDrop(start: f64, end: f64): void {
  hitBytes = 0;
  writebackBytes = 0;
  for (let e: u32 = 0; e < count(); ) {
    const s0 = startOf(e);
    const e0 = endOf(e);
    if (e0 <= start || s0 >= end) {
      e++;
      continue;
    }
    if (!carve(e, max(s0, start), min(e0, end))) e++;
  }
}

/** Bytes of [start, end) resident, without touching the cache's state. */
export function residentIn(start: f64, end: f64): f64 {
  let bytes: f64 = 0;
  for (let e: u32 = 0, n = count(); e < n; e++) {
    const overlap = min(endOf(e), end) - max(startOf(e), start);
    if (overlap > 0) bytes += overlap;
  }
  return bytes;
}

