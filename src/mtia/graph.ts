// Graph capture and replay: torch.mtia.MTIAGraph, graph, graph_pool_handle and
// is_current_stream_capturing (pytorch/pytorch torch/mtia/mtia_graph.py), with CUDA graphs'
// semantics and errors where MTIA's are unpublished (torch.cuda.CUDAGraph, torch.cuda.graph,
// aten/src/ATen/cuda/CUDAGraph.cpp), "CUDA" read as "MTIA". docs/graphs.md has the model.
//
// captureBegin() makes the current stream record the commands enqueued on it instead of
// running them (src/runtime/stream-capture.ts) and its allocations come from the graph's
// private memory pool (CachingAllocator.beginAllocateToPool); captureEnd() stops both and
// instantiates the recording: one OP_GRAPH_LAUNCH followed by the recorded commands.
// replay() pushes them on the capture stream with one ring write, and the control core
// charges one launch for all of them (assembly/timing/control-core.ts). A replay reads and
// writes the addresses the capture used: outputs allocated during the capture are overwritten
// in place, and inputs changed in place (copy_) between replays give new results.

import { MtiaError } from '../errors.js';
import type { PoolId } from '../memory/private-pools.js';
import { checkOptions, describeValue } from '../options.js';
import { runtime } from '../runtime/runtime.js';
import { graphObserver, setCapturing } from '../runtime/op-observer.js';
import { StreamCapture, notPermittedWhileCapturing, type CapturedOp } from '../runtime/stream-capture.js';
import { currentStream, stream as enterStream, type StreamContext, withStream } from './stream-context.js';
import { Stream } from './stream.js';

/** A memory pool id: (0, 0) means "a new private pool" to captureBegin (PyTorch's `_POOL_HANDLE`). */
export type PoolHandle = readonly [number, number];

/** Capture ids, the first element of a graph's own pool id (CUDA's capture_id_, from 1). */
let nextCaptureId = 1;
/** Ids graphPoolHandle() hands out, the second element of a shared pool's id. */
let nextPoolHandle = 1;

/**
 * A new pool id for graphs to share (torch.mtia.graph_pool_handle): pass it to the captureBegin
 * or mtia.graph of several graphs and they allocate from one private pool.
 */
export function graphPoolHandle(): PoolHandle {
  return Object.freeze([0, nextPoolHandle++] as const);
}

/**
 * True if the current stream of the current device is capturing
 * (torch.mtia.is_current_stream_capturing); false, without starting the devices, before
 * they have started.
 */
export function isCurrentStreamCapturing(): boolean {
  return runtime.initialized && currentStream().isCapturing();
}

/** Options of `new mtia.MTIAGraph()`. */
export interface MTIAGraphOptions {
  /**
   * Keep the captured graph after captureEnd() (default false): instantiate() may then be
   * called, and is called by the first replay() if not (CUDA's keep_graph).
   */
  keepGraph?: boolean;
}

/** The instantiated graph: its launch's ring entries (StreamCapture.launchEntries). */
type Executable = ReturnType<StreamCapture['launchEntries']>;

/** Work captured on a stream, replayed as one launch (torch.mtia.MTIAGraph, torch.cuda.CUDAGraph). */
export class MTIAGraph {
  readonly keepGraph: boolean;
  /** The stream captured on, where replays go. */
  private stream: Stream | undefined;
  /** The recording: while capturing, and after captureEnd() with keepGraph. */
  private recording: StreamCapture | undefined;
  private executable: Executable | undefined;
  /** The op of each captured command, as the op observer named it, for the profiler to name a replay's ops. */
  private capturedOps: readonly (CapturedOp | undefined)[] = [];
  private poolId: PoolHandle | undefined;
  private capturing = false;
  private captureEnded = false;

  constructor(options: MTIAGraphOptions = {}) {
    checkOptions('MTIAGraph', options, ['keepGraph']);
    const { keepGraph = false } = options;
    if (typeof keepGraph !== 'boolean') {
      throw new TypeError(`MTIAGraph(): argument 'keepGraph' must be a boolean, but got: ${describeValue(keepGraph)}`);
    }
    this.keepGraph = keepGraph;
  }

  /**
   * Starts capturing the work submitted to the current stream into this graph, allocating from
   * `pool` (default (0, 0): a new private pool; else graphPoolHandle() or another graph's pool()).
   */
  captureBegin(pool: PoolHandle = [0, 0]): void {
    checkPool('captureBegin', pool);
    if (this.capturing || this.captureEnded) {
      throw new MtiaError('This MTIAGraph instance already owns a captured graph. To capture a new graph, create a new instance.');
    }
    const stream = currentStream();
    stream.simulated.assertAlive();
    if (stream.isCapturing()) throw notPermittedWhileCapturing('captureBegin(): the current stream is already capturing');
    const captureId = nextCaptureId++;
    this.poolId = Object.freeze(pool[0] === 0 && pool[1] === 0 ? ([captureId, 0] as const) : ([pool[0], pool[1]] as const));
    stream.simulated.allocator.beginAllocateToPool(this.poolId as PoolId, stream.queue);
    this.recording = stream.queue.capture = new StreamCapture();
    this.stream = stream;
    this.capturing = true;
    setCapturing(true);
  }

  /**
   * Ends the capture, on the stream it began on. Without keepGraph the graph is instantiated
   * here. Throws if a call during the capture was not permitted (it invalidated the capture).
   */
  captureEnd(): void {
    const stream = this.stream;
    if (!this.capturing || stream === undefined) throw new MtiaError('Called MTIAGraph::capture_end without a preceding capture_begin.');
    // A device shut down (or lost) during the capture has no current stream to compare with:
    // the capture ends as invalidated (finishCapture), and reset() or a new capture may follow.
    if (stream.simulated.alive && !currentStream(stream.simulated.index).equals(stream)) {
      throw new MtiaError('Capture must end on the same stream it began on.');
    }
    this.finishCapture();
  }

  /**
   * @internal captureEnd() without the current-stream check: mtia.graph's callback form ends
   * the capture it began, also from a promise's continuation (where a browser's scope is gone).
   */
  finishCapture(): void {
    if (!this.capturing) throw new MtiaError('Called MTIAGraph::capture_end without a preceding capture_begin.');
    const stream = this.stream!;
    const recording = this.recording!;
    if (!stream.simulated.alive) recording.invalidatedBy ??= `mtia:${stream.simulated.index} was shut down or lost during the capture`;
    stream.queue.capture = undefined;
    setCapturing(false);
    stream.simulated.allocator.endAllocateToPool(stream.queue);
    this.capturing = false;
    if (recording.invalidatedBy !== undefined) {
      stream.simulated.allocator.releasePool(this.poolId as PoolId);
      this.recording = this.stream = this.poolId = undefined;
      throw new MtiaError(`MTIA error: operation failed due to a previous error during capture (${recording.invalidatedBy})`);
    }
    this.captureEnded = true;
    this.capturedOps = Array.from({ length: recording.length }, (_, index) => recording.ops[index]);
    if (!this.keepGraph) {
      this.executable = recording.launchEntries(stream.queue.slot);
      this.recording = undefined;
    }
  }

  /** Instantiates the captured graph (again); only with keepGraph once captureEnd() has. */
  instantiate(): void {
    if (!this.captureEnded) throw new MtiaError('capture_end() must have been called before calling instantiate');
    if (!this.keepGraph) throw new MtiaError('instantiate() is intended to be called by the user only when keep_graph=true');
    this.executable = this.recording!.launchEntries(this.stream!.queue.slot);
  }

  /**
   * Launches the captured work again on the capture stream, on the same addresses: one graph
   * launch in simulated time, one ring write on the host.
   */
  replay(): void {
    if (!this.captureEnded) throw new MtiaError('Called MTIAGraph::replay without a preceding successful capture.');
    const stream = this.stream!;
    stream.simulated.assertAlive();
    if (stream.isCapturing()) throw new MtiaError('MTIAGraph.replay(): mtia-sim cannot capture a graph replay into another graph');
    if (this.executable === undefined) this.instantiate();
    const { entries, relocations, count } = this.executable!;
    stream.queue.enqueueEntries(entries, relocations, count);
    graphObserver?.(stream.simulated, stream.queue, this.capturedOps);
  }

  /**
   * Destroys the captured graph and resets the states: the graph's use of its pool ends (the
   * pool's memory is released by emptyCache once no graph uses it), and captureBegin() may be
   * called again. Also ends a capture whose device was shut down or lost meanwhile.
   */
  reset(): void {
    if (this.capturing && this.stream!.simulated.alive) throw new MtiaError('MTIAGraph.reset(): the graph is capturing; call captureEnd() first');
    if (this.capturing) endAfterError(this); // its device is gone: nothing of the capture can be used
    if (this.captureEnded && this.stream!.simulated.alive) this.stream!.simulated.allocator.releasePool(this.poolId as PoolId);
    this.recording = this.executable = this.stream = this.poolId = undefined;
    this.captureEnded = false;
  }

  /** This graph's pool id, to share its pool with another graph's capture. */
  pool(): PoolHandle {
    if (this.poolId === undefined || this.capturing) {
      throw new MtiaError('Called MTIAGraph::pool() without a preceding successful capture.');
    }
    return this.poolId;
  }

  /** Commands captured (not counting the launch), or 0 before a capture. */
  get commandCount(): number {
    return this.executable !== undefined ? this.executable.count - 1 : (this.recording?.length ?? 0);
  }
}

/** Options of mtia.graph(). */
export interface GraphOptions {
  /** The pool to allocate from (default: a new private pool of the graph's own). */
  pool?: PoolHandle | null;
  /** The stream to capture on (default: the current stream). */
  stream?: Stream | null;
}

/**
 * torch.mtia.graph as a context manager. Constructing it checks the arguments; enter()
 * (Python's `__enter__`) makes `stream` current as mtia.stream() does, empties the cache and
 * begins the capture; disposing (`__exit__`) ends the capture and restores the streams.
 * `mtia.graph(g)` constructs and enters at once, which is what `using` needs.
 */
export class GraphContext implements Disposable {
  private readonly pool: PoolHandle | null | undefined;
  /** The capture stream. */
  readonly stream: Stream;
  private streamContext: StreamContext | undefined;

  constructor(readonly graph: MTIAGraph, options: GraphOptions = {}) {
    ({ pool: this.pool, stream: this.stream } = graphArguments(graph, options));
  }

  /** Begins the capture on the capture stream, made current; returns this context, to dispose. */
  enter(): this {
    if (this.streamContext !== undefined) throw new MtiaError('mtia.graph(): this context is already entered; dispose it first');
    this.stream.simulated.allocator.emptyCache();
    const context = enterStream(this.stream);
    try {
      this.graph.captureBegin(this.pool ?? [0, 0]);
    } catch (error) {
      context[Symbol.dispose]();
      throw error;
    }
    this.streamContext = context;
    return this;
  }

  /** Ends the capture and restores the streams that were current before; nothing if not entered. */
  [Symbol.dispose](): void {
    const context = this.streamContext;
    if (context === undefined) return;
    this.streamContext = undefined;
    try {
      this.graph.captureEnd();
    } finally {
      context[Symbol.dispose]();
    }
  }
}

/**
 * torch.mtia.graph: with `fn`, captures what `fn` submits into `graph` and returns what `fn`
 * returns (for an async `fn`, the capture ends when its promise settles); without, an entered
 * GraphContext to dispose (`using`). `stream` (default: the current stream) is current for
 * the capture. PyTorch synchronizes the device first; a capture here only records, so work
 * queued before it runs on undisturbed and no wait is needed.
 */
export function graph(graph: MTIAGraph, options?: GraphOptions): GraphContext;
export function graph<T>(graph: MTIAGraph, options: GraphOptions | undefined, fn: () => T): T;
export function graph<T>(target: MTIAGraph, options: GraphOptions = {}, fn?: () => T): GraphContext | T {
  if (fn === undefined) return new GraphContext(target, options).enter();
  if (typeof fn !== 'function') throw new TypeError(`graph(): argument 'fn' must be a function, but got: ${describeValue(fn)}`);
  const { pool, stream } = graphArguments(target, options);
  stream.simulated.allocator.emptyCache();
  return withStream(stream, () => {
    target.captureBegin(pool ?? [0, 0]);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      endAfterError(target);
      throw error;
    }
    if (!(result instanceof Promise)) {
      target.finishCapture();
      return result;
    }
    return result.then(
      (value) => (target.finishCapture(), value),
      (error: unknown) => {
        endAfterError(target);
        throw error;
      },
    ) as T;
  });
}

/** Checks mtia.graph's arguments; the capture stream defaults to the current stream. */
function graphArguments(target: MTIAGraph, options: GraphOptions): { pool: PoolHandle | null | undefined; stream: Stream } {
  if (!(target instanceof MTIAGraph)) throw new TypeError(`graph(): argument 'mtia_graph' must be an mtia.MTIAGraph, but got: ${describeValue(target)}`);
  checkOptions('graph', options, ['pool', 'stream']);
  const { pool, stream } = options;
  if (pool !== undefined && pool !== null) checkPool('graph', pool);
  if (stream !== undefined && stream !== null && !(stream instanceof Stream)) {
    throw new TypeError(`graph(): argument 'stream' must be an mtia.Stream, but got: ${describeValue(stream)}`);
  }
  return { pool, stream: stream ?? currentStream() };
}

/** Ends a capture whose code threw: the code's error is the one that propagates. */
function endAfterError(target: MTIAGraph): void {
  try {
    target.finishCapture();
  } catch {
    // the capture was invalidated by the same failure, or never began
  }
}

/** Throws a TypeError unless `pool` is a pair of non-negative integers. */
function checkPool(fn: string, pool: unknown): asserts pool is PoolHandle {
  const valid = Array.isArray(pool) && pool.length === 2 && pool.every((id) => Number.isInteger(id) && id >= 0);
  if (!valid) {
    throw new TypeError(`${fn}(): argument 'pool' must be a pool handle, a pair of ints from mtia.graphPoolHandle() or MTIAGraph.pool(), but got: ${describeValue(pool)}`);
  }
}
