// SCALE-Sim v2's double-buffered SRAMs (scale-sim-v2 @ 22f88b1:
// memory/double_buffered_scratchpad_mem.py service_memory_requests, memory/
// read_buffer_estimate_bw.py (CALC), memory/read_buffer.py (USER), memory/write_buffer.py,
// memory/read_port.py, memory/write_port.py): each demand-matrix row is one cycle, its addresses
// generated in SCALE-Sim's column order from the layer's mapping (no matrices are built), and the
// three buffers' rules applied to them. The DRAM columns and stall cycles come out exactly as
// SCALE-Sim writes them. replayMemory goes request by request (USER mode always); simulateCalc,
// CALC mode's path, fold by fold where the rules allow (see it), held equal to the replay by
// test/runtime/scalesim-memory.test.ts.
//
// Read buffers (IFMAP, filter), "estimate bandwidth" mode. The SRAM of S words holds
// sets of ⌊S / 100⌋ distinct addresses; 50 sets are active. A request whose address is in the
// sets filled since the last prefetch is a hit; any other address joins the current set and is one
// DRAM read. When 50 sets have been filled since the last prefetch (an *epoch*: 50·⌊S/100⌋
// distinct addresses), the buffer issues a prefetch and forgets them all: an address seen before
// the epoch began is read from DRAM again. The first prefetch is placed before cycle 0, ending
// 2 cycles before the first request, at 10 words per cycle; each later one occupies the cycles
// between the previous two prefetch points. So:
//   DRAM reads = distinct addresses summed over epochs;
//   DRAM start = first request − ⌈epoch / 10⌉ (or −⌈sets·⌊S/100⌋ / 10⌉ if no epoch fills);
//   DRAM stop  = 1 + the cycle the last epoch filled (or −1 if none did).
// Write buffer (OFMAP): S words, half draining; lines of `bw` words (the array's width in CALC
// mode). When more than half is occupied and no drain is under way, the partial line is closed
// and up to ⌈S/2 / bw⌉ lines drain, one per cycle from the current cycle; a drain counts its
// lines as full except the last (SCALE-Sim's quirk: a partial line closed early and drained in
// the middle of a batch counts bw words, hence reports like 65567 writes for 65536 words). A
// full buffer during a drain stalls the array. At the end the rest drains from the last cycle.
//
// Read buffers in USER mode (memory/read_buffer.py, Bandwidth words per cycle): the operand's
// prefetch matrix (the compute module's get_prefetch_matrices: its fold blocks stacked, read by
// anti-diagonals for os's two operands, ws's IFMAP and is's filter) is cut into lines of
// ⌈S / 100⌉ requests; ⌈(S/2) / ⌈S/100⌉⌉ lines are active. Before cycle 0 the first ⌈(S/2) / bw⌉
// rows of bw words arrive; a request whose address is in no active line waits for the next
// prefetch: the window moves on by the prefetch lines and ⌈(S/2) / bw⌉ more rows are fetched,
// back to back after the previous prefetch (never earlier), the array stalling until they land.
// DRAM reads count whole rows of bw words. The stalls are the largest of the three buffers'
// per row, as service_memory_requests adds them.

import type { ScaleSimDataflow } from './config.js';
import type { ScaleSimLayer } from './topology.js';

/** First and last cycle of an operand's DRAM traffic and its word count (DETAILED_ACCESS_REPORT). */
export interface ScaleSimDramAccess {
  readonly startCycle: number;
  readonly stopCycle: number;
  readonly accesses: number;
}

/** What the memory model returns for one layer. */
export interface ScaleSimMemoryResult {
  readonly ifmapDram: ScaleSimDramAccess;
  readonly filterDram: ScaleSimDramAccess;
  readonly ofmapDram: ScaleSimDramAccess;
  /** Serviced cycles of each operand's first and last demand rows with a request (the SRAM columns). */
  readonly ifmapSram: { readonly startCycle: number; readonly stopCycle: number };
  readonly filterSram: { readonly startCycle: number; readonly stopCycle: number };
  readonly ofmapSram: { readonly startCycle: number; readonly stopCycle: number };
  /** Cycles the array waited on the memory (CALC: only on a full OFMAP buffer). */
  readonly stallCycles: number;
  /** The last OFMAP demand row's serviced cycle (SCALE-Sim's Total Cycles). */
  readonly totalCycles: number;
}

/** SRAM sizes and the bandwidth mode the memory model needs (a ScaleSimConfig is one). */
export interface ScaleSimMemoryConfig {
  readonly ifmapSramSzkB: number;
  readonly filterSramSzkB: number;
  readonly ofmapSramSzkB: number;
  /** CALC (DRAM bandwidth estimated, no read stalls) or USER (`bandwidth[0]` words per cycle). */
  readonly interfaceBandwidth: 'CALC' | 'USER';
  readonly bandwidth: readonly number[];
}

/** SCALE-Sim's fixed prefetch rate in CALC mode: "10 elems per cycle is arbitrary" (single_layer_sim.py). */
const ESTIMATE_PREFETCH_WORDS_PER_CYCLE = 10;
/** Sets per buffer (read_buffer_estimate_bw.py: ⌊size / 100⌋ words a set) and active sets (active fraction 0.5). */
const SETS = 100;
const ACTIVE_SETS = 50;

/** read_buffer_estimate_bw.py's ReadBufferEstimateBw, with a stamp per address for its sets. */
class EstimateReadBuffer {
  private readonly stamp: Int32Array;
  private readonly itemsPerSet: number;
  private readonly epochCapacity: number;
  private epoch = 1;
  private inEpoch = 0;
  private misses = 0;
  private firstRequestCycle = -1;
  private triggered = false;
  private lastStart = 0;
  private lastEnd = 0;
  private dramStart = 0;

  /** Per band of distinct addresses (readBand): the epoch of its last pass and the stream position from which it is in that epoch. */
  private bandEpoch: Int32Array;
  private bandTail: Int32Array;

  /** `addresses`: the operand's address range, for per-address stamps (0 if only readBand is used); `bands`: readBand's bands. */
  constructor(sramKiB: number, addresses: number, bands = 0) {
    this.stamp = new Int32Array(addresses);
    this.bandEpoch = new Int32Array(bands);
    this.bandTail = new Int32Array(bands);
    this.itemsPerSet = Math.floor((sramKiB * 1024) / SETS);
    this.epochCapacity = ACTIVE_SETS * this.itemsPerSet;
  }

  /** The per-address stamps, for a caller's inlined hit test: `a` is a hit iff stamps[a] === epochId. */
  get stamps(): Int32Array {
    return this.stamp;
  }

  /** A request for `a` that the stamps say missed, in the row of `cycle`. */
  miss(a: number, cycle: number): void {
    if (this.firstRequestCycle < 0) this.firstRequestCycle = cycle;
    this.stamp[a] = this.epoch;
    this.misses++;
    if (++this.inEpoch === this.epochCapacity) this.prefetch(cycle);
  }

  /** Misses so far. */
  get missCount(): number {
    return this.misses;
  }

  /** Passes not replayed, each a copy of one that was: `misses` more, the last prefetch at `lastPrefetchCycle`. */
  extend(misses: number, lastPrefetchCycle: number): void {
    this.misses += misses;
    this.lastStart = this.lastEnd + 1;
    this.lastEnd = lastPrefetchCycle;
  }

  /** A row at `cycle` made requests (hits or misses). */
  requested(cycle: number): void {
    if (this.firstRequestCycle < 0) this.firstRequestCycle = cycle;
    this.lastRequestCycle = cycle;
  }

  /** Whether every address of `band`, read in a pass without a prefetch, is in the current epoch. */
  holds(band: number): boolean {
    return this.bandEpoch[band] === this.epoch && this.bandTail[band] === 0;
  }

  /** Marks `band` as read whole in the current epoch (a pass of `read`s without a prefetch). */
  hold(band: number): void {
    this.bandEpoch[band] = this.epoch;
    this.bandTail[band] = 0;
  }

  /** The current epoch (a pass that sees it change had a prefetch in it). */
  get epochId(): number {
    return this.epoch;
  }

  /**
   * A fold that streams `length` addresses, all distinct, of `band` (bands share no address),
   * in the same order on every pass: the same misses and prefetches as `length` reads, in O(1)
   * per prefetch. Each pass leaves a suffix of the band's stream in the epoch (all of it if no
   * prefetch came); the next pass hits exactly that suffix unless a prefetch comes first.
   * `cycleAt(q)`: the cycle of the row holding stream position q.
   */
  readBand(band: number, length: number, firstCycle: number, lastCycle: number, cycleAt: (q: number) => number): void {
    if (length === 0) return;
    if (this.firstRequestCycle < 0) this.firstRequestCycle = firstCycle;
    this.lastRequestCycle = lastCycle;
    let hitFrom = this.bandEpoch[band] === this.epoch ? this.bandTail[band]! : length;
    let pos = 0, tail = 0;
    while (pos < hitFrom) {
      const room = this.epochCapacity - this.inEpoch;
      if (hitFrom - pos < room) {
        this.misses += hitFrom - pos;
        this.inEpoch += hitFrom - pos;
        break;
      }
      const q = pos + room - 1;
      this.misses += room;
      this.prefetch(cycleAt(q));
      pos = q + 1;
      hitFrom = length; // the new epoch holds none of the band
      tail = pos;
    }
    this.bandEpoch[band] = this.epoch;
    this.bandTail[band] = tail;
  }

  /** The cycle of the last request (the row loop's test of whether a row read anything). */
  lastRequestCycle = -1;

  /** One request for address index `a` (address − operand offset) in the row of `cycle`; never stalls. */
  read(a: number, cycle: number, due: number): number {
    if (this.firstRequestCycle < 0) this.firstRequestCycle = cycle;
    this.lastRequestCycle = cycle;
    if (this.stamp[a] === this.epoch) return due;
    this.stamp[a] = this.epoch;
    this.misses++;
    if (++this.inEpoch === this.epochCapacity) this.prefetch(cycle);
    return due;
  }

  /** The 50th set of an epoch filled at `cycle`: manage_prefetches' prefetch and window slide. */
  private prefetch(cycle: number): void {
    if (!this.triggered) {
      this.lastEnd = this.firstRequestCycle - 2; // first request − 1 − the read port's latency
      this.lastStart = this.lastEnd - Math.ceil(this.epochCapacity / ESTIMATE_PREFETCH_WORDS_PER_CYCLE) + 1;
      this.dramStart = this.lastStart + 1; // the read port answers one cycle later
      this.triggered = true;
    }
    this.lastStart = this.lastEnd + 1;
    this.lastEnd = cycle;
    this.epoch++;
    this.inEpoch = 0;
  }

  /** complete_all_prefetches and the trace's first and last rows. */
  finish(): ScaleSimDramAccess {
    if (this.triggered) return { startCycle: this.dramStart, stopCycle: this.lastEnd + 1, accesses: this.misses };
    const sets = Math.ceil(this.misses / this.itemsPerSet);
    const cycles = Math.ceil((sets * this.itemsPerSet) / ESTIMATE_PREFETCH_WORDS_PER_CYCLE);
    return { startCycle: -2 - cycles + 2, stopCycle: -1, accesses: this.misses };
  }
}

/** read_buffer.py's read_buffer (USER mode): a window of lines of the prefetch matrix, refilled at `bw` words per cycle. */
class UserReadBuffer {
  /** Lines holding each address (CSR: lineStart[a] .. lineStart[a + 1] in `lineOf`, ascending). */
  private readonly lineStart: Int32Array;
  private readonly lineOf: Int32Array;
  private readonly numLines: number;
  private readonly activeLines: number;
  private readonly prefetchLines: number;
  private readonly firstRows: number;
  private readonly prefetchRows: number;
  private readonly bw: number;
  private started = false;
  private activeStart = 0;
  private activeEnd = 0;
  private lastPrefetch = 0;
  private accesses = 0;
  private dramStart = 0;
  /** The cycle of the last request (the row loop's test of whether a row read anything). */
  lastRequestCycle = -1;

  /** `order`: the prefetch matrix's valid addresses in fetch order; `elements`: its size with the −1 padding. */
  constructor(sramKiB: number, wordsPerCycle: number, order: Int32Array, elements: number, addresses: number) {
    const total = sramKiB * 1024;
    const active = Math.ceil(total * 0.5), prefetch = total - active;
    const perLine = Math.ceil(total / SETS);
    this.bw = wordsPerCycle;
    this.numLines = Math.floor(order.length / perLine) + 1; // prepare_hashed_buffer keeps a last, maybe empty, line
    this.activeLines = Math.min(Math.ceil(active / perLine), this.numLines);
    this.prefetchLines = Math.min(Math.ceil(prefetch / perLine), this.numLines - this.activeLines);
    this.firstRows = Math.min(Math.ceil(active / wordsPerCycle), Math.ceil(elements / wordsPerCycle));
    this.prefetchRows = Math.ceil(prefetch / wordsPerCycle);
    this.lineStart = new Int32Array(addresses + 1);
    for (let k = 0; k < order.length; k++) this.lineStart[order[k]! + 1]!++;
    for (let a = 0; a < addresses; a++) this.lineStart[a + 1]! += this.lineStart[a]!;
    this.lineOf = new Int32Array(order.length);
    const fill = this.lineStart.slice(0, addresses);
    for (let k = 0; k < order.length; k++) this.lineOf[fill[order[k]!]!++] = Math.floor(k / perLine);
  }

  /** Whether address `a` is in an active line (active_buffer_hit, its window wrapping around). */
  private hit(a: number): boolean {
    const s = this.activeStart, e = this.activeEnd;
    for (let k = this.lineStart[a]!, end = this.lineStart[a + 1]!; k < end; k++) {
      const line = this.lineOf[k]!;
      if (s < e ? line >= s && line < e : line >= s || line < e) return true;
    }
    return false;
  }

  /** One request for address `a` in the row of `cycle`, the row serviced at `due` so far; returns the new due cycle. */
  read(a: number, cycle: number, due: number): number {
    if (!this.started) this.begin(cycle);
    this.lastRequestCycle = cycle;
    while (!this.hit(a)) {
      this.activeStart = (this.activeStart + this.prefetchLines) % this.numLines;
      this.activeEnd = (this.activeStart + this.activeLines) % this.numLines;
      this.accesses += this.prefetchRows * this.bw;
      this.lastPrefetch += this.prefetchRows + 1; // back to back after the last one, + the port's latency
      if (this.lastPrefetch > due) due = this.lastPrefetch;
    }
    return due;
  }

  /** prefetch_active_buffer, on the first row: the active lines' rows, ending the cycle before it. */
  begin(cycle: number): void {
    if (this.started) return;
    this.started = true;
    this.accesses += this.firstRows * this.bw;
    this.dramStart = cycle - this.firstRows;
    this.lastPrefetch = cycle - 1;
    this.activeStart = 0;
    this.activeEnd = this.activeLines;
  }

  /** The DRAM trace's first and last cycles and its words. */
  finish(): ScaleSimDramAccess {
    return { startCycle: this.dramStart, stopCycle: this.lastPrefetch, accesses: this.accesses };
  }
}

/** A read buffer of either mode. */
type ReadBuffer = EstimateReadBuffer | UserReadBuffer;

/** write_buffer.py's write_buffer: lines of `bw` words, half the SRAM draining at `bw` words per cycle. */
class WriteBuffer {
  private readonly total: number;
  private readonly drainSize: number;
  private readonly activeSize: number;
  private readonly bw: number;
  private free: number;
  private lineFill = 0;
  private lines: Int32Array = new Int32Array(1024);
  private numLines = 0;
  private drainStartLine = 0;
  private drainEnd = 0;
  private accesses = 0;
  private firstDrain = -1;

  constructor(sramKiB: number, wordsPerCycle: number) {
    this.total = sramKiB * 1024;
    this.activeSize = Math.ceil(this.total * 0.5);
    this.drainSize = this.total - this.activeSize;
    this.bw = wordsPerCycle;
    this.free = this.total;
  }

  private push(valid: number): void {
    if (this.numLines === this.lines.length) {
      const grown = new Int32Array(this.lines.length * 2);
      grown.set(this.lines);
      this.lines = grown;
    }
    this.lines[this.numLines++] = valid;
  }

  /** Words the buffer can still take. */
  get freeWords(): number {
    return this.free;
  }

  /** The active half: more than this many words held (free below it) starts a drain. */
  get activeWords(): number {
    return this.activeSize;
  }

  /** The last cycle of the drain under way (a cycle before it is draining). */
  get drainEndCycle(): number {
    return this.drainEnd;
  }

  /** `count` writes that the caller knows start no drain and fill nothing (free − count ≥ the event thresholds). */
  bulk(count: number): void {
    this.free -= count;
    this.lineFill += count;
    while (this.lineFill >= this.bw) { this.push(this.bw); this.lineFill -= this.bw; }
  }

  /** `count` writes in one demand row at `cycle`; returns the cycle the row is serviced. */
  write(count: number, cycle: number): number {
    let current = cycle;
    for (let k = 0; k < count;) {
      // Writes before the next event (a full buffer while draining, or more than half full) go in bulk.
      const quiet = Math.min(count - k, Math.max(0, current < this.drainEnd ? this.free - 1 : this.free - this.activeSize));
      if (quiet > 0) {
        this.free -= quiet;
        this.lineFill += quiet;
        while (this.lineFill >= this.bw) { this.push(this.bw); this.lineFill -= this.bw; }
        k += quiet;
        continue;
      }
      this.free--;
      if (++this.lineFill === this.bw) { this.push(this.bw); this.lineFill = 0; }
      if (current < this.drainEnd) {
        if (this.free <= 0) current = this.drainEnd;
      } else if (this.free < this.activeSize) {
        if (this.lineFill > 0) { this.push(this.lineFill); this.lineFill = 0; }
        this.drain(current);
      }
      k++;
    }
    return current;
  }

  /** empty_drain_buf: up to ⌈drain size / bw⌉ lines, one a cycle from `start`. */
  private drain(start: number): number {
    const end = Math.min(this.drainStartLine + Math.ceil(this.drainSize / this.bw), this.numLines);
    const lines = end - this.drainStartLine;
    const words = lines * this.bw - (this.bw - this.lines[end - 1]!);
    this.accesses += words;
    this.free += words;
    if (this.firstDrain < 0) this.firstDrain = start;
    this.drainEnd = start + lines - 1;
    this.drainStartLine = end;
    return this.drainEnd;
  }

  /** empty_all_buffers from the last row's cycle, and the trace's first and last cycles. */
  finish(cycle: number): ScaleSimDramAccess {
    if (this.lineFill > 0) { this.push(this.lineFill); this.lineFill = 0; }
    let at = cycle;
    while (this.drainStartLine < this.numLines) at = this.drain(at) + 1;
    return { startCycle: this.firstDrain, stopCycle: this.drainEnd, accesses: this.accesses };
  }
}

/** Σ_{u=1}^{x} min(u, width): the writes of a skewed block's first x anti-diagonals, before the block's rows run out. */
function ramp(x: number, width: number): number {
  if (x <= 0) return 0;
  return x <= width ? (x * (x + 1)) / 2 : (width * (width + 1)) / 2 + (x - width) * width;
}

/** Writes in skewed demand rows 0 .. j − 1 of a block whose unskewed valid rows are a..b, `width` columns. */
function skewedBefore(j: number, a: number, b: number, width: number): number {
  return ramp(j - a, width) - ramp(j - b - 1, width);
}

/** Writes in skewed demand row `j` of a block whose unskewed valid rows are a..b, `width` columns. */
function skewedCount(j: number, a: number, b: number, width: number): number {
  const hi = Math.min(width - 1, j - a);
  const lo = Math.max(0, j - b);
  return hi >= lo ? hi - lo + 1 : 0;
}

/** An operand's SRAM trace span: serviced cycles of the first and last demand rows with a request. */
interface SramSpan { startCycle: number; stopCycle: number }

/**
 * An operand's prefetch matrix (the compute module's get_prefetch_matrices): `blocks` fold
 * blocks of `blockRows` × `width` stacked, entry (block, row, column) → address index or −1,
 * read row by row or, `diagonal`, by anti-diagonals (row descending). Returns the valid
 * addresses in that order and the matrix's size, padding included.
 */
function prefetchOrder(
  blocks: number, blockRows: number, width: number, diagonal: boolean,
  entry: (block: number, row: number, column: number) => number,
): { order: Int32Array; elements: number } {
  const m = blocks * blockRows, elements = m * width;
  const order = new Int32Array(elements);
  let n = 0;
  const take = (row: number, column: number): void => {
    const a = entry(Math.floor(row / blockRows), row % blockRows, column);
    if (a >= 0) order[n++] = a;
  };
  if (diagonal) {
    for (let d = 0; d < m + width - 1; d++) {
      for (let row = Math.min(d, m - 1), low = Math.max(0, d - width + 1); row >= low; row--) take(row, d - row);
    }
  } else {
    for (let row = 0; row < m; row++) for (let column = 0; column < width; column++) take(row, column);
  }
  return { order: order.subarray(0, n), elements };
}

/**
 * Replays one layer's demand matrices through SCALE-Sim's memory system (see the file comment)
 * on an R × C array; returns the DRAM columns, the SRAM spans, stalls and total cycles.
 */
export function simulateMemory(
  layer: ScaleSimLayer, dataflow: ScaleSimDataflow, rows: number, cols: number,
  config: ScaleSimMemoryConfig,
): ScaleSimMemoryResult {
  return config.interfaceBandwidth === 'USER'
    ? replayMemory(layer, dataflow, rows, cols, config)
    : simulateCalc(layer, dataflow, rows, cols, config);
}

/**
 * Every request of every demand row through the buffers, in either mode (USER mode's reads may
 * stall, so it always runs this way); CALC mode's fold-level path must give the same numbers
 * (test/runtime/scalesim-memory.test.ts holds the two together).
 */
export function replayMemory(
  layer: ScaleSimLayer, dataflow: ScaleSimDataflow, rows: number, cols: number,
  config: ScaleSimMemoryConfig,
): ScaleSimMemoryResult {
  const H = layer.ifmapHeight, W = layer.ifmapWidth, C = layer.channels;
  const oh = Math.ceil((H - layer.filterHeight + layer.strideHeight) / layer.strideHeight);
  const ow = Math.ceil((W - layer.filterWidth + layer.strideWidth) / layer.strideWidth);
  const pixels = oh * ow;
  const window = layer.filterHeight * layer.filterWidth * C;
  const filters = layer.numFilters;
  // operand_matrix.calc_ifmap_elem_addr split into a per-pixel and a per-window-element part.
  const pixelBase = new Int32Array(pixels), rowRoom = new Int32Array(pixels), colRoom = new Int32Array(pixels);
  for (let p = 0; p < pixels; p++) {
    const iRow = Math.floor(p / ow) * layer.strideHeight, iCol = (p % ow) * layer.strideWidth;
    pixelBase[p] = (iRow * W + iCol) * C;
    rowRoom[p] = H - iRow;
    colRoom[p] = W - iCol;
  }
  const windowOffset = new Int32Array(window), windowRow = new Int32Array(window), windowCol = new Int32Array(window);
  for (let w = 0; w < window; w++) {
    const cRow = Math.floor(w / (layer.filterWidth * C)), k = w % (layer.filterWidth * C);
    const cCol = Math.floor(k / C);
    windowOffset[w] = (cRow * W + cCol) * C + (k % C);
    windowRow[w] = cRow;
    windowCol[w] = cCol;
  }
  /** The IFMAP address index of (pixel p, window element w), −1 where the window leaves the input. */
  const ifmapAt = (p: number, w: number): number =>
    (windowRow[w]! < rowRoom[p]! && windowCol[w]! < colRoom[p]! ? pixelBase[p]! + windowOffset[w]! : -1);

  const sr = dataflow === 'os' ? pixels : window;
  const sc = dataflow === 'is' ? pixels : filters;
  const t = dataflow === 'os' ? window : dataflow === 'ws' ? pixels : filters;
  const rowFolds = Math.ceil(sr / rows), colFolds = Math.ceil(sc / cols);
  const foldCycles = dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2;

  const user = config.interfaceBandwidth === 'USER';
  const dramWords = user ? config.bandwidth[0]! : 0;
  let ifmap: ReadBuffer, filter: ReadBuffer;
  if (user) {
    // The prefetch matrices, as each compute module builds them.
    const ifmapFetch = dataflow === 'os'
      ? prefetchOrder(rowFolds, t, rows, true, (f, r, c) => (f * rows + c < sr ? ifmapAt(f * rows + c, r) : -1))
      : dataflow === 'ws'
        ? prefetchOrder(rowFolds, t, rows, true, (f, r, c) => (f * rows + c < sr ? ifmapAt(r, f * rows + c) : -1))
        : prefetchOrder(colFolds, sr, cols, false, (f, r, c) => (f * cols + c < sc ? ifmapAt(f * cols + c, r) : -1));
    const filterFetch = dataflow === 'os'
      ? prefetchOrder(colFolds, t, cols, true, (f, r, c) => (f * cols + c < sc ? (f * cols + c) * window + r : -1))
      : dataflow === 'ws'
        ? prefetchOrder(colFolds, sr, cols, false, (f, r, c) => (f * cols + c < sc ? (f * cols + c) * window + r : -1))
        : prefetchOrder(rowFolds, t, rows, true, (f, r, c) => (f * rows + c < sr ? r * window + f * rows + c : -1));
    const userIfmap = new UserReadBuffer(config.ifmapSramSzkB, dramWords, ifmapFetch.order, ifmapFetch.elements, H * W * C);
    const userFilter = new UserReadBuffer(config.filterSramSzkB, dramWords, filterFetch.order, filterFetch.elements, window * filters);
    userIfmap.begin(0);
    userFilter.begin(0);
    ifmap = userIfmap;
    filter = userFilter;
  } else {
    ifmap = new EstimateReadBuffer(config.ifmapSramSzkB, H * W * C);
    filter = new EstimateReadBuffer(config.filterSramSzkB, window * filters);
  }
  const ofmap = new WriteBuffer(config.ofmapSramSzkB, user ? dramWords : cols);
  const ifmapSram: SramSpan = { startCycle: -1, stopCycle: -1 };
  const filterSram: SramSpan = { startCycle: -1, stopCycle: -1 };
  const ofmapSram: SramSpan = { startCycle: -1, stopCycle: -1 };
  const mark = (span: SramSpan, cycle: number): void => {
    if (span.startCycle < 0) span.startCycle = cycle;
    span.stopCycle = cycle;
  };

  let stalls = 0;
  let row = 0;
  let lastOut = 0;
  for (let fc = 0; fc < colFolds; fc++) {
    const c0 = fc * cols, cu = Math.min(cols, sc - c0);
    for (let fr = 0; fr < rowFolds; fr++) {
      const r0 = fr * rows, ru = Math.min(rows, sr - r0);
      for (let j = 0; j < foldCycles; j++, row++) {
        const cycle = row + stalls;
        // Each read buffer services the row from cycle + 1 (its hit latency), later if it stalls.
        let ifmapDue = cycle + 1, filterDue = cycle + 1;
        if (dataflow === 'os') {
          // IFMAP: T × R (pixels r0.., window t) skewed; filter: T × C (window t, filters c0..) skewed.
          for (let c = Math.max(0, j - t + 1), end = Math.min(ru - 1, j); c <= end; c++) {
            const a = ifmapAt(r0 + c, j - c);
            if (a >= 0) ifmapDue = ifmap.read(a, cycle, ifmapDue);
          }
          for (let c = Math.max(0, j - t + 1), end = Math.min(cu - 1, j); c <= end; c++) filterDue = filter.read((c0 + c) * window + (j - c), cycle, filterDue);
        } else if (dataflow === 'ws') {
          // IFMAP: R gap, T × R (pixel t, window r0..) skewed; filter: R rows flipped, stationary.
          for (let c = Math.max(0, j - rows - t + 1), end = Math.min(ru - 1, j - rows); c <= end; c++) {
            const a = ifmapAt(j - rows - c, r0 + c);
            if (a >= 0) ifmapDue = ifmap.read(a, cycle, ifmapDue);
          }
          if (j < rows && j >= rows - ru) {
            const w = r0 + rows - 1 - j;
            for (let c = 0; c < cu; c++) filterDue = filter.read((c0 + c) * window + w, cycle, filterDue);
          }
        } else {
          // IFMAP: R rows flipped (window r0.., pixels c0..), stationary; filter: R gap, T × R (filter t, window r0..) skewed.
          if (j < rows && j >= rows - ru) {
            const w = r0 + rows - 1 - j;
            for (let c = 0; c < cu; c++) {
              const a = ifmapAt(c0 + c, w);
              if (a >= 0) ifmapDue = ifmap.read(a, cycle, ifmapDue);
            }
          }
          for (let c = Math.max(0, j - rows - t + 1), end = Math.min(ru - 1, j - rows); c <= end; c++) filterDue = filter.read((j - rows - c) * window + r0 + c, cycle, filterDue);
        }
        if (ifmap.lastRequestCycle === cycle) mark(ifmapSram, ifmapDue);
        if (filter.lastRequestCycle === cycle) mark(filterSram, filterDue);
        const writes = dataflow === 'os'
          ? skewedCount(j, t - 1 + rows - ru, t + rows - 2, cu)
          : skewedCount(j, 2 * rows - 1, 2 * rows + t - 2, cu);
        lastOut = writes > 0 ? ofmap.write(writes, cycle) : cycle;
        if (writes > 0) mark(ofmapSram, lastOut);
        stalls += Math.max(ifmapDue - cycle - 1, filterDue - cycle - 1, lastOut - cycle);
      }
    }
  }
  return {
    ifmapDram: ifmap.finish(),
    filterDram: filter.finish(),
    ofmapDram: ofmap.finish(lastOut),
    ifmapSram, filterSram, ofmapSram,
    stallCycles: stalls,
    totalCycles: lastOut,
  };
}

/**
 * CALC mode's clock: places each fold's rows on cycles. Its reads never stall, so only the OFMAP
 * writes do: they go in bulk between the write buffer's events (a drain starting, a full buffer
 * while draining, a drain ending), one by one at them. A fold's rows' cycles are kept as runs of
 * consecutive cycles (segmentRow[i] starts a run at segmentCycle[i]).
 */
class FoldClock {
  /** Demand rows so far, stall cycles so far, the last row's serviced cycle. */
  row = 0;
  stalls = 0;
  lastOut = 0;
  segments = 0;
  readonly segmentRow: Int32Array;
  readonly segmentCycle: Float64Array;
  /** The OFMAP SRAM trace's first and last cycles. */
  ofmapStart = -1;
  ofmapStop = -1;

  constructor(foldCycles: number) {
    this.segmentRow = new Int32Array(foldCycles + 1);
    this.segmentCycle = new Float64Array(foldCycles + 1);
  }

  private markOfmap(cycle: number): void {
    if (this.ofmapStart < 0) this.ofmapStart = cycle;
    this.ofmapStop = cycle;
  }

  /** One fold of `foldCycles` rows whose OFMAP writes are those of a skewed block (unskewed rows writesFrom..writesTo, `cu` wide). */
  place(ofmap: WriteBuffer, foldCycles: number, writesFrom: number, writesTo: number, cu: number): void {
    const segmentRow = this.segmentRow, segmentCycle = this.segmentCycle;
    let segments = 0;
    for (let j = 0; j < foldCycles;) {
      const cycle = this.row + this.stalls;
      const draining = cycle < ofmap.drainEndCycle;
      const quiet = draining ? ofmap.freeWords - 1 : ofmap.freeWords - ofmap.activeWords;
      const limit = draining ? Math.min(foldCycles - j, ofmap.drainEndCycle - cycle) : foldCycles - j;
      const before = skewedBefore(j, writesFrom, writesTo, cu);
      let k = limit;
      if (skewedBefore(j + k, writesFrom, writesTo, cu) - before > quiet) {
        let lo = 0, hi = limit; // the largest k whose writes stay quiet
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (skewedBefore(j + mid, writesFrom, writesTo, cu) - before <= quiet) lo = mid; else hi = mid - 1;
        }
        k = lo;
      }
      segmentRow[segments] = j;
      segmentCycle[segments++] = cycle;
      if (k > 0) {
        const words = skewedBefore(j + k, writesFrom, writesTo, cu) - before;
        if (words > 0) {
          ofmap.bulk(words);
          this.markOfmap(cycle + Math.max(j, writesFrom) - j);
          this.markOfmap(cycle + Math.min(j + k - 1, writesTo + cu - 1) - j);
        }
        this.lastOut = cycle + k - 1;
        this.row += k;
        j += k;
      } else {
        const writes = skewedCount(j, writesFrom, writesTo, cu);
        this.lastOut = writes > 0 ? ofmap.write(writes, cycle) : cycle;
        if (writes > 0) this.markOfmap(this.lastOut);
        this.stalls += this.lastOut - cycle;
        this.row++;
        j++;
      }
    }
    this.segments = segments;
  }

  /** The cycle of the current fold's row j. */
  cycleOf(j: number): number {
    const segmentRow = this.segmentRow;
    let lo = 0, hi = this.segments - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segmentRow[mid]! <= j) lo = mid; else hi = mid - 1;
    }
    return this.segmentCycle[lo]! + j - segmentRow[lo]!;
  }

  /** The current fold's rows' cycles, row by row, into `rowCycle`. */
  fill(rowCycle: Float64Array, foldCycles: number): void {
    const segmentRow = this.segmentRow, segmentCycle = this.segmentCycle, segments = this.segments;
    for (let j = 0, s = 0; j < foldCycles; j++) {
      if (s + 1 < segments && segmentRow[s + 1] === j) s++;
      rowCycle[j] = segmentCycle[s]! + j - segmentRow[s]!;
    }
  }
}

/** An IFMAP address split as operand_matrix.calc_ifmap_elem_addr computes it: (pixel p, window element w) → pixelBase[p] + windowOffset[w], valid iff windowRow[w] < rowRoom[p] and windowCol[w] < colRoom[p] (checked on every read: a branch on whether the layer has edge windows left V8's optimized loop without feedback for the check, deoptimizing on every call). */
interface IfmapGeometry {
  readonly pixelBase: Int32Array;
  readonly windowOffset: Int32Array;
  readonly windowRow: Int32Array;
  readonly windowCol: Int32Array;
  readonly rowRoom: Int32Array;
  readonly colRoom: Int32Array;
}

/** readIfmapFold*'s results in an Int32Array: the fold's reads, its last prefetch's read (1-based, −1 if none) and row, its first and last rows with a read. */
const FOLD_READS = 0, FOLD_FLIP_READ = 1, FOLD_FLIP_ROW = 2, FOLD_FIRST_ROW = 3, FOLD_LAST_ROW = 4, FOLD_FIELDS = 5;

/**
 * os: one fold's IFMAP reads (T × R skewed, pixels r0.., window element j − c in row j) address
 * by address through `buffer`, rows at `rowCycle`; results in `out` (FOLD_*). One small loop per
 * dataflow, so V8 optimizes each early and for one shape (a single loop over all three kept
 * deoptimizing on the dataflows it had not seen yet).
 */
function readIfmapFoldOs(
  buffer: EstimateReadBuffer, g: IfmapGeometry, r0: number, ru: number, t: number, foldCycles: number,
  rowCycle: Float64Array, out: Int32Array,
): void {
  const stamps = buffer.stamps, pixelBase = g.pixelBase, windowOffset = g.windowOffset;
  const windowRow = g.windowRow, windowCol = g.windowCol, rowRoom = g.rowRoom, colRoom = g.colRoom;
  let epoch = buffer.epochId, reads = 0, flipRead = -1, flipRow = -1, firstRow = -1, lastRow = -1;
  for (let j = 0; j < foldCycles; j++) {
    const before = reads;
    for (let c = Math.max(0, j - t + 1), end = Math.min(ru - 1, j); c <= end; c++) {
      const p = r0 + c, w = j - c;
      if (windowRow[w]! >= rowRoom[p]! || windowCol[w]! >= colRoom[p]!) continue;
      const a = pixelBase[p]! + windowOffset[w]!;
      reads++;
      if (stamps[a] !== epoch) {
        buffer.miss(a, rowCycle[j]!);
        if (buffer.epochId !== epoch) { epoch = buffer.epochId; flipRead = reads; flipRow = j; }
      }
    }
    if (reads > before) { if (firstRow < 0) firstRow = j; lastRow = j; }
  }
  out[FOLD_READS] = reads; out[FOLD_FLIP_READ] = flipRead; out[FOLD_FLIP_ROW] = flipRow;
  out[FOLD_FIRST_ROW] = firstRow; out[FOLD_LAST_ROW] = lastRow;
}

/** ws: one fold's IFMAP reads (R gap, then T × R skewed: pixel j − R − c, window element r0 + c), as readIfmapFoldOs. */
function readIfmapFoldWs(
  buffer: EstimateReadBuffer, g: IfmapGeometry, r0: number, ru: number, t: number, rows: number, foldCycles: number,
  rowCycle: Float64Array, out: Int32Array,
): void {
  const stamps = buffer.stamps, pixelBase = g.pixelBase, windowOffset = g.windowOffset;
  const windowRow = g.windowRow, windowCol = g.windowCol, rowRoom = g.rowRoom, colRoom = g.colRoom;
  let epoch = buffer.epochId, reads = 0, flipRead = -1, flipRow = -1, firstRow = -1, lastRow = -1;
  for (let j = rows; j < foldCycles; j++) {
    const before = reads;
    for (let c = Math.max(0, j - rows - t + 1), end = Math.min(ru - 1, j - rows); c <= end; c++) {
      const p = j - rows - c, w = r0 + c;
      if (windowRow[w]! >= rowRoom[p]! || windowCol[w]! >= colRoom[p]!) continue;
      const a = pixelBase[p]! + windowOffset[w]!;
      reads++;
      if (stamps[a] !== epoch) {
        buffer.miss(a, rowCycle[j]!);
        if (buffer.epochId !== epoch) { epoch = buffer.epochId; flipRead = reads; flipRow = j; }
      }
    }
    if (reads > before) { if (firstRow < 0) firstRow = j; lastRow = j; }
  }
  out[FOLD_READS] = reads; out[FOLD_FLIP_READ] = flipRead; out[FOLD_FLIP_ROW] = flipRow;
  out[FOLD_FIRST_ROW] = firstRow; out[FOLD_LAST_ROW] = lastRow;
}

/** is: one fold's IFMAP reads (stationary: row j < R reads window element r0 + R − 1 − j of pixels c0 .. c0 + c_u − 1), as readIfmapFoldOs. */
function readIfmapFoldIs(
  buffer: EstimateReadBuffer, g: IfmapGeometry, r0: number, c0: number, cu: number, rows: number, ru: number,
  rowCycle: Float64Array, out: Int32Array,
): void {
  const stamps = buffer.stamps, pixelBase = g.pixelBase, windowOffset = g.windowOffset;
  const windowRow = g.windowRow, windowCol = g.windowCol, rowRoom = g.rowRoom, colRoom = g.colRoom;
  let epoch = buffer.epochId, reads = 0, flipRead = -1, flipRow = -1, firstRow = -1, lastRow = -1;
  for (let j = rows - ru; j < rows; j++) {
    const before = reads;
    const w = r0 + rows - 1 - j;
    for (let c = 0; c < cu; c++) {
      const p = c0 + c;
      if (windowRow[w]! >= rowRoom[p]! || windowCol[w]! >= colRoom[p]!) continue;
      const a = pixelBase[p]! + windowOffset[w]!;
      reads++;
      if (stamps[a] !== epoch) {
        buffer.miss(a, rowCycle[j]!);
        if (buffer.epochId !== epoch) { epoch = buffer.epochId; flipRead = reads; flipRow = j; }
      }
    }
    if (reads > before) { if (firstRow < 0) firstRow = j; lastRow = j; }
  }
  out[FOLD_READS] = reads; out[FOLD_FLIP_READ] = flipRead; out[FOLD_FLIP_ROW] = flipRow;
  out[FOLD_FIRST_ROW] = firstRow; out[FOLD_LAST_ROW] = lastRow;
}

/**
 * CALC mode, fold by fold. Its read buffers never stall, so a fold's reads only change which
 * addresses are in the epoch: a filter fold (and an IFMAP fold whose windows do not overlap, as a
 * GEMM's) streams distinct addresses that no other band shares, so `readBand` counts it in O(1);
 * an IFMAP fold of overlapping windows is read address by address (readIfmapFoldOs/Ws/Is, after
 * FoldClock has placed the fold's rows), skipped when the same band was read whole earlier in the
 * current epoch (all hits), and whole column-fold passes are counted, not replayed, once they
 * repeat. The OFMAP rows go in bulk between the write buffer's events (FoldClock); the SRAM spans
 * come from the fold layouts.
 */
function simulateCalc(
  layer: ScaleSimLayer, dataflow: ScaleSimDataflow, rows: number, cols: number,
  config: ScaleSimMemoryConfig,
): ScaleSimMemoryResult {
  const H = layer.ifmapHeight, W = layer.ifmapWidth, C = layer.channels;
  const oh = Math.ceil((H - layer.filterHeight + layer.strideHeight) / layer.strideHeight);
  const ow = Math.ceil((W - layer.filterWidth + layer.strideWidth) / layer.strideWidth);
  const pixels = oh * ow;
  const window = layer.filterHeight * layer.filterWidth * C;
  const filters = layer.numFilters;
  // `edge`: the rounded-up output size puts windows past the input (their reads are −1). Windows
  // that do not overlap (a stride at least the filter's size, or one output, in each direction;
  // a GEMM's 1 × K filter on its M × K input) and no edge: every IFMAP read of a band is a
  // distinct address, and no two bands share one.
  const edge = (oh - 1) * layer.strideHeight + layer.filterHeight > H || (ow - 1) * layer.strideWidth + layer.filterWidth > W;
  const unique = !edge && (oh === 1 || layer.strideHeight >= layer.filterHeight) && (ow === 1 || layer.strideWidth >= layer.filterWidth);
  const pixelBase = new Int32Array(pixels), rowRoom = new Int32Array(pixels), colRoom = new Int32Array(pixels);
  const windowOffset = new Int32Array(window), windowRow = new Int32Array(window), windowCol = new Int32Array(window);
  if (!unique) {
    for (let p = 0; p < pixels; p++) {
      const iRow = Math.floor(p / ow) * layer.strideHeight, iCol = (p % ow) * layer.strideWidth;
      pixelBase[p] = (iRow * W + iCol) * C;
      rowRoom[p] = H - iRow;
      colRoom[p] = W - iCol;
    }
    for (let w = 0; w < window; w++) {
      const cRow = Math.floor(w / (layer.filterWidth * C)), k = w % (layer.filterWidth * C);
      const cCol = Math.floor(k / C);
      windowOffset[w] = (cRow * W + cCol) * C + (k % C);
      windowRow[w] = cRow;
      windowCol[w] = cCol;
    }
  }
  const sr = dataflow === 'os' ? pixels : window;
  const sc = dataflow === 'is' ? pixels : filters;
  const t = dataflow === 'os' ? window : dataflow === 'ws' ? pixels : filters;
  const rowFolds = Math.ceil(sr / rows), colFolds = Math.ceil(sc / cols);
  const foldCycles = dataflow === 'os' ? t + rows + cols - 2 : 2 * rows + cols + t - 2;
  const ifmapBands = dataflow === 'is' ? rowFolds * colFolds : rowFolds;
  const filterBands = dataflow === 'os' ? colFolds : dataflow === 'is' ? rowFolds : rowFolds * colFolds;
  const ifmap = new EstimateReadBuffer(config.ifmapSramSzkB, unique ? 0 : H * W * C, ifmapBands);
  const filter = new EstimateReadBuffer(config.filterSramSzkB, 0, filterBands);
  const geometry: IfmapGeometry = { pixelBase, windowOffset, windowRow, windowCol, rowRoom, colRoom };
  const fold = new Int32Array(FOLD_FIELDS);
  const ofmap = new WriteBuffer(config.ofmapSramSzkB, cols);
  const ifmapSram: SramSpan = { startCycle: -1, stopCycle: -1 };
  const filterSram: SramSpan = { startCycle: -1, stopCycle: -1 };
  const mark = (span: SramSpan, cycle: number): void => {
    if (span.startCycle < 0) span.startCycle = cycle;
    span.stopCycle = cycle;
  };
  // Each operand's stream in a fold: skewed (rows skewFrom.., T deep, `width` wide) or
  // stationary (rows R − r_u .. R − 1, c_u wide). os: both skewed from 0; ws: IFMAP skewed from R,
  // filter stationary; is: IFMAP stationary, filter skewed from R.
  const ifmapSkewFrom = dataflow === 'os' ? 0 : dataflow === 'ws' ? rows : -1;
  const filterSkewFrom = dataflow === 'os' ? 0 : dataflow === 'is' ? rows : -1;
  // The rows' cycles (FoldClock), and rowCycle: the current fold's row by row for readIfmapFold*.
  const clock = new FoldClock(foldCycles);
  const rowCycle = new Float64Array(foldCycles);
  const cycleOf = (j: number): number => clock.cycleOf(j);
  // The first and last fold rows with an IFMAP read, per band, from its last address-by-address
  // pass: a skipped pass reads the same rows (same band, same fold shape), for the SRAM span.
  const bandFirstRow = new Int32Array(ifmapBands).fill(-1), bandLastRow = new Int32Array(ifmapBands).fill(-1);
  const bandReads = new Int32Array(ifmapBands);
  // os and ws stream the same IFMAP folds in every column-fold pass. A pass with a prefetch leaves
  // the buffer in a state set by the stream position of its last prefetch alone (the epoch holds
  // the stream's suffix after it). So once a pass ends with its last prefetch where an earlier
  // pass i's did, the passes after it repeat passes i + 1 .. that one, in a cycle: their misses,
  // and their last prefetches at the same (fold, row). Those passes are counted, not replayed.
  const periodicPasses = !unique && dataflow !== 'is';
  let periodic = false, passFlip = -1, passFlipFold = -1, passFlipRow = -1;
  let passOffset = 0, passMisses = 0, skippedMisses = 0, finalFlipCycle = -1;
  /** Per pass replayed: its last prefetch's stream position (−1: none), its misses, that prefetch's fold (−1: none) and row. */
  const passFlipAt = new Float64Array(colFolds).fill(-1), passMissCount = new Float64Array(colFolds);
  const passFlipFoldAt = new Int32Array(colFolds).fill(-1), passFlipRowAt = new Int32Array(colFolds);
  /** The cycle of passes repeated: the first pass of it, its length, the first pass counted, and the pass the current one repeats. */
  let cycleFirst = 0, cyclePeriod = 1, cycleStart = 0, cyclePass = 0;
  /** The fold row holding stream position q of an operand's stream. */
  const rowOf = (skewFrom: number, width: number, stationaryWidth: number, ru: number, q: number): number => {
    if (skewFrom < 0) return rows - ru + Math.floor(q / stationaryWidth);
    let seen = 0;
    for (let j = skewFrom; ; j++) {
      seen += skewedCount(j, skewFrom, skewFrom + t - 1, width);
      if (seen > q) return j;
    }
  };

  // readBand's arguments for a fold's operand: its stream's first and last rows, its length, and
  // (bandCycleAt, one closure for every fold: none allocated per fold) the cycle of its position q.
  let bandSkewFrom = 0, bandWidth = 0, bandRu = 0, bandCu = 0;
  const bandCycleAt = (q: number): number => cycleOf(rowOf(bandSkewFrom, bandWidth, bandCu, bandRu, q));
  const bandRead = (buffer: EstimateReadBuffer, band: number, skewFrom: number, width: number, ru: number, cu: number): void => {
    const first = skewFrom >= 0 ? skewFrom : rows - ru;
    const last = skewFrom >= 0 ? skewFrom + t - 1 + width - 1 : rows - 1;
    const length = skewFrom >= 0 ? t * width : ru * cu;
    bandSkewFrom = skewFrom; bandWidth = width; bandRu = ru; bandCu = cu;
    buffer.readBand(band, length, cycleOf(first), cycleOf(last), bandCycleAt);
  };

  for (let fc = 0; fc < colFolds; fc++) {
    const c0 = fc * cols, cu = Math.min(cols, sc - c0);
    if (periodic) {
      cyclePass = cycleFirst + ((fc - cycleStart) % cyclePeriod);
      skippedMisses += passMissCount[cyclePass]!;
    }
    passOffset = 0;
    passFlip = -1;
    passMisses = ifmap.missCount;
    for (let fr = 0; fr < rowFolds; fr++) {
      const r0 = fr * rows, ru = Math.min(rows, sr - r0);
      const ifmapBand = dataflow === 'is' ? fc * rowFolds + fr : fr;
      const filterBand = dataflow === 'os' ? fc : dataflow === 'is' ? fr : fc * rowFolds + fr;
      const ifmapWidth = dataflow === 'os' || dataflow === 'ws' ? ru : cu;
      const filterWidth = dataflow === 'os' ? cu : dataflow === 'is' ? ru : cu;
      const lastFold = fc === colFolds - 1 && fr === rowFolds - 1;
      // Address by address unless the band is all hits (never the last fold: it ends the SRAM span).
      const perAddress = !unique && !periodic && (lastFold || !ifmap.holds(ifmapBand));
      if (!unique && !perAddress) passOffset += bandReads[ifmapBand]!;
      const epochBefore = ifmap.epochId;
      if (perAddress) bandReads[ifmapBand] = 0;
      const writesFrom = dataflow === 'os' ? t - 1 + rows - ru : 2 * rows - 1;
      const writesTo = dataflow === 'os' ? t + rows - 2 : 2 * rows + t - 2;
      clock.place(ofmap, foldCycles, writesFrom, writesTo, cu);
      if (periodic && fr === passFlipFoldAt[cyclePass]) finalFlipCycle = cycleOf(passFlipRowAt[cyclePass]!);
      if (unique) {
        const first = ifmapSkewFrom >= 0 ? ifmapSkewFrom : rows - ru;
        mark(ifmapSram, cycleOf(first) + 1);
        mark(ifmapSram, cycleOf(ifmapSkewFrom >= 0 ? ifmapSkewFrom + t - 1 + ifmapWidth - 1 : rows - 1) + 1);
      }
      mark(filterSram, cycleOf(filterSkewFrom >= 0 ? filterSkewFrom : rows - ru) + 1);
      mark(filterSram, cycleOf(filterSkewFrom >= 0 ? filterSkewFrom + t - 1 + filterWidth - 1 : rows - 1) + 1);
      if (perAddress) {
        // The IFMAP reads address by address, in a small loop per dataflow (readIfmapFold).
        clock.fill(rowCycle, foldCycles);
        if (dataflow === 'os') readIfmapFoldOs(ifmap, geometry, r0, ru, t, foldCycles, rowCycle, fold);
        else if (dataflow === 'ws') readIfmapFoldWs(ifmap, geometry, r0, ru, t, rows, foldCycles, rowCycle, fold);
        else readIfmapFoldIs(ifmap, geometry, r0, c0, cu, rows, ru, rowCycle, fold);
        const reads = fold[FOLD_READS]!, firstRow = fold[FOLD_FIRST_ROW]!, lastRow = fold[FOLD_LAST_ROW]!;
        if (fold[FOLD_FLIP_READ]! >= 0) { passFlip = passOffset + fold[FOLD_FLIP_READ]!; passFlipFold = fr; passFlipRow = fold[FOLD_FLIP_ROW]!; }
        if (reads > 0) {
          ifmap.requested(rowCycle[firstRow]!);
          ifmap.requested(rowCycle[lastRow]!);
          mark(ifmapSram, rowCycle[firstRow]! + 1);
          mark(ifmapSram, rowCycle[lastRow]! + 1);
          if (bandFirstRow[ifmapBand]! < 0 || firstRow < bandFirstRow[ifmapBand]!) bandFirstRow[ifmapBand] = firstRow;
          bandLastRow[ifmapBand] = lastRow;
        }
        passOffset += reads;
        bandReads[ifmapBand] = reads;
      }
      if (unique) bandRead(ifmap, ifmapBand, ifmapSkewFrom, ifmapWidth, ru, cu);
      else if (!perAddress && bandFirstRow[ifmapBand]! >= 0) {
        mark(ifmapSram, cycleOf(bandFirstRow[ifmapBand]!) + 1);
        mark(ifmapSram, cycleOf(bandLastRow[ifmapBand]!) + 1);
      } else if (perAddress && ifmap.epochId === epochBefore) ifmap.hold(ifmapBand);
      bandRead(filter, filterBand, filterSkewFrom, filterWidth, ru, cu);
    }
    if (periodicPasses && !periodic) {
      passFlipAt[fc] = passFlip;
      passMissCount[fc] = ifmap.missCount - passMisses;
      if (passFlip >= 0) { passFlipFoldAt[fc] = passFlipFold; passFlipRowAt[fc] = passFlipRow; }
      for (let i = 0; passFlip >= 0 && i < fc; i++) {
        if (passFlipAt[i] === passFlip) {
          periodic = true;
          cycleFirst = i + 1;
          cyclePeriod = fc - i;
          cycleStart = fc + 1;
          break;
        }
      }
    }
  }
  if (skippedMisses > 0) ifmap.extend(skippedMisses, finalFlipCycle);
  return {
    ifmapDram: ifmap.finish(),
    filterDram: filter.finish(),
    ofmapDram: ofmap.finish(clock.lastOut),
    ifmapSram, filterSram,
    ofmapSram: { startCycle: clock.ofmapStart, stopCycle: clock.ofmapStop },
    stallCycles: clock.stalls,
    totalCycles: clock.lastOut,
  };
}
