// The current device and the current stream of each device, per async context. PyTorch keeps
// them per thread (c10::cuda::CUDAGuard, getCurrentCUDAStream); JavaScript runs many async
// tasks on one thread, so here they belong to the async context that set them.
//
// In Node an AsyncLocalStorage (node:async_hooks) carries a Scope through every await: a
// scoped callback (mtia.withDevice, mtia.withStream) runs in a copy of its caller's scope, so
// scoped callbacks that run concurrently (Promise.all of two withDevice) never see each
// other's device or stream, and nothing needs restoring when they end. setDevice/setStream
// change the scope they are called in, as a thread-local assignment would.
//
// Browsers have no async context yet (TC39's AsyncContext is a proposal), so there is one
// scope and a scoped callback sets and restores it. That is only safe if no other scope starts
// while an async callback is open; since nesting and interleaving cannot be told apart there,
// starting a scope while an async scoped callback is open, other than from inside its
// synchronous part, throws instead of misrouting work (docs/reliability.md).

import { MtiaError } from '../errors.js';
import { isNode } from './environment.js';
import type { StreamQueue } from './stream-queue.js';

/** A device's current stream as a scope records it. */
export interface ScopeStream {
  readonly queue: StreamQueue;
  readonly streamId: number;
  /** The public stream object (an mtia.Stream), kept for currentStream(). */
  readonly owner: object;
}

/** What is current in one async context. */
export interface Scope {
  /** Index of the current device. */
  device: number;
  /** The current stream of each device (keyed by SimulatedDevice) that has one set (ScopeContext.setStreamOf). */
  readonly streams: Map<object, ScopeStream>;
  /** Open disposable contexts (mtia.device(), mtia.stream()), innermost last. */
  readonly guards: object[];
}

/** The part of AsyncLocalStorage this module uses. */
export interface ScopeStorage {
  getStore(): Scope | undefined;
  run<T>(store: Scope, fn: () => T): T;
}

function freshScope(): Scope {
  return { device: 0, streams: new Map(), guards: [] };
}

function copyScope(scope: Scope): Scope {
  return { device: scope.device, streams: new Map(scope.streams), guards: [] };
}

/** The scopes of one runtime: per async context where the platform has one, else one shared scope. */
export class ScopeContext {
  private root = freshScope();
  /** Without async context: scoped callbacks whose promise has not settled. */
  private openAsync = 0;
  /** Without async context: scoped callbacks running their synchronous part. */
  private syncDepth = 0;

  constructor(private readonly storage: ScopeStorage | undefined) {}

  /** True where each async context has its own scope (Node). */
  get isolated(): boolean {
    return this.storage !== undefined;
  }

  /**
   * False until a stream is first made current in any scope (setStreamOf): until then every
   * scope's `streams` is empty, and the current stream of every device is its default one,
   * which SimulatedDevice.currentQueue then returns without looking up the scope (bench/dispatch).
   */
  anyStreamSet = false;

  /** Makes `entry` the current stream of `device` in `scope` (torch.mtia.set_stream). */
  setStreamOf(scope: Scope, device: object, entry: ScopeStream): void {
    this.anyStreamSet = true;
    scope.streams.set(device, entry);
  }

  /** The scope of the running code. */
  current(): Scope {
    return this.storage?.getStore() ?? this.root;
  }

  /** Forgets the outermost scope's choices (after shutdown: device 0, default streams). */
  reset(): void {
    this.root = freshScope();
  }

  /**
   * Runs `fn` in a scope of its own, a copy of the current one changed by `enter`; the
   * caller's scope is the same afterwards, also while and after a promise `fn` returns settles.
   */
  run<T>(enter: () => void, fn: () => T): T {
    if (this.storage !== undefined) {
      return this.storage.run(copyScope(this.current()), () => {
        enter();
        return fn();
      });
    }
    return this.runShared(enter, fn);
  }

  /** run() without async context: change the one scope, restore it when `fn` is done. */
  private runShared<T>(enter: () => void, fn: () => T): T {
    if (this.openAsync > 0 && this.syncDepth === 0) {
      throw new MtiaError(
        'a device or stream scope was started while an async mtia.withDevice/withStream callback is still running; ' +
          'this platform has no async context, so the two scopes would share one current device and stream and ' +
          'work could land on the wrong one. Await the open scope first, or pass { device } and streams explicitly',
      );
    }
    const scope = this.root;
    const saved = copyScope(scope);
    const restore = () => {
      scope.device = saved.device;
      scope.streams.clear();
      for (const [device, stream] of saved.streams) scope.streams.set(device, stream);
    };
    let result: T;
    this.syncDepth++;
    try {
      enter();
      result = fn();
    } catch (error) {
      restore();
      throw error;
    } finally {
      this.syncDepth--;
    }
    if (!(result instanceof Promise)) {
      restore();
      return result;
    }
    this.openAsync++;
    return result.finally(() => {
      this.openAsync--;
      restore();
    }) as T;
  }

  /** Registers a disposable context as the innermost one open in the current scope. */
  open(guard: object): void {
    this.current().guards.push(guard);
  }

  /**
   * Closes a disposable context, which may then restore what it changed; throws instead if
   * contexts opened after it in the current scope are still open.
   */
  close(guard: object, what: string): void {
    const guards = this.current().guards;
    const at = guards.lastIndexOf(guard);
    if (at === guards.length - 1) {
      guards.pop();
      return;
    }
    if (at >= 0) guards.splice(at, 1);
    throw new MtiaError(
      `${what} was disposed while a device or stream context opened after it is still open: the contexts ` +
        'were interleaved (two async functions sharing one scope?), so restoring would switch the other one ' +
        'too. Nothing was restored; use mtia.withDevice/withStream, which give each async function its own scope',
    );
  }
}

/**
 * node:async_hooks, got without a top-level await (which would make the library an async
 * module: `require('mtia-sim')` would fail, and some bundler setups break) and without a static
 * node: import (the default build is also served to browsers). process.getBuiltinModule is in
 * Node 20.16 and 22.3 (package.json engines).
 */
function nodeAsyncHooks(): typeof import('node:async_hooks') | undefined {
  if (!isNode) return undefined;
  if (typeof process.getBuiltinModule !== 'function') {
    throw new Error(`mtia-sim needs Node.js 20.16 or newer (22.3 on the 22 line); this is ${process.version}`);
  }
  return process.getBuiltinModule('node:async_hooks');
}

const asyncHooks = nodeAsyncHooks();

/** The library's scopes. */
export const scopes = new ScopeContext(asyncHooks === undefined ? undefined : new asyncHooks.AsyncLocalStorage<Scope>());
