// Calls made before initialization, replayed when it happens: torch.mtia's _lazy_call queue and
// torch._utils._LazySeedTracker (pytorch/pytorch torch/mtia/__init__.py, torch/_utils.py). Ordinary
// calls (setRngState) run first, in the order they were made; then at most one manual_seed-type and
// one manual_seed_all-type call, the latest of each, in the order of their latest calls. A call
// that fails raises DeferredMtiaCallError with the stack of the place it was made.

import { DeferredMtiaCallError } from '../errors.js';

/** What kind of deferred call: ordinary, or one of the two seed slots of the tracker. */
export type LazyCallKind = 'call' | 'seed' | 'seedAll';

/** A deferred call and the stack of the place it was made (PyTorch's traceback.format_stack()). */
interface QueuedCall {
  readonly run: () => void;
  readonly stack: string;
}

/**
 * The stack of the caller of `publicFn`, outermost frame last, without the library's own frames
 * above it: JavaScript frames stand for Python's.
 */
export function callerStack(publicFn: (...args: never[]) => unknown): string {
  const holder: { stack?: string } = {};
  if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(holder, publicFn);
  else holder.stack = new Error().stack;
  const lines = (holder.stack ?? '').split('\n');
  // V8 starts with the "Error" line; other engines list frames only.
  const frames = lines[0]?.startsWith('Error') ? lines.slice(1) : lines;
  return frames.map((line) => `${line}\n`).join('');
}

/**
 * The error for a queued call that threw `cause`, with torch.mtia._lazy_init's message: the
 * error, then where the call was made; `cause` as `raise ... from e` sets it.
 */
function deferredCallError(cause: unknown, stack: string): DeferredMtiaCallError {
  return new DeferredMtiaCallError(
    `MTIA call failed lazily at initialization with error: ${cause instanceof Error ? cause.message : String(cause)}\n\n` +
      `MTIA call was originally invoked at:\n\n${stack}`,
    { cause },
  );
}

/** The queue of one runtime. */
export class LazyCalls {
  private readonly queued: QueuedCall[] = [];
  private seedCall: QueuedCall | undefined;
  private seedAllCall: QueuedCall | undefined;
  /** The seed slots in the order of their latest calls (the tracker's call_order). */
  private seedOrder: ('seed' | 'seedAll')[] = [];

  /** Number of calls waiting (ordinary calls plus filled seed slots). */
  get size(): number {
    return this.queued.length + (this.seedCall === undefined ? 0 : 1) + (this.seedAllCall === undefined ? 0 : 1);
  }

  /** Queues `run`; a seed-kind call replaces the earlier one of its kind. */
  add(kind: LazyCallKind, run: () => void, stack: string): void {
    const call = { run, stack };
    if (kind === 'call') {
      this.queued.push(call);
      return;
    }
    if (kind === 'seed') this.seedCall = call;
    else this.seedAllCall = call;
    this.seedOrder = [...this.seedOrder.filter((k) => k !== kind), kind];
  }

  /**
   * Runs every queued call; on success the queue is empty. A failure throws
   * DeferredMtiaCallError and keeps the queue, so the next initialization replays it all again,
   * as PyTorch's (whose queue is never cleared and whose init is retried).
   */
  replay(): void {
    const seeds = this.seedOrder.map((kind) => (kind === 'seed' ? this.seedCall : this.seedAllCall)!);
    for (const call of [...this.queued, ...seeds]) {
      try {
        call.run();
      } catch (error) {
        throw deferredCallError(error, call.stack);
      }
    }
    this.clear();
  }

  /** Forgets every queued call. */
  clear(): void {
    this.queued.length = 0;
    this.seedCall = undefined;
    this.seedAllCall = undefined;
    this.seedOrder = [];
  }
}
