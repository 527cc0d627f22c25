// The current stream of each device and the ways to change it: torch.mtia's current_stream,
// default_stream, set_stream, stream / StreamContext (pytorch/pytorch torch/mtia/__init__.py,
// torch/csrc/Stream.cpp, torch/cuda/streams.py). The current stream is kept per device, in the
// running async context's scope (src/runtime/current-scope.ts); setStream also makes the stream's
// device current.

import type { DeviceLike } from '../device.js';
import { MtiaError } from '../errors.js';
import { describeValue } from '../options.js';
import { runtime } from '../runtime/runtime.js';
import { resolveDevice } from './devices.js';
import { scopes } from '../runtime/current-scope.js';
import { Stream } from './stream.js';

/** The current stream of `device` (default: the current device); starts the devices if needed. */
export function currentStream(device?: DeviceLike | null): Stream {
  const simulated = runtime.device(resolveDevice(device));
  return (scopes.current().streams.get(simulated)?.owner as Stream | undefined) ?? Stream.defaultOf(simulated);
}

/** The default stream (id 0) of `device` (default: the current device). */
export function defaultStream(device?: DeviceLike | null): Stream {
  return Stream.defaultOf(runtime.device(resolveDevice(device)));
}

/**
 * Makes `stream` the current stream of its device and its device the current device
 * (torch.mtia.set_stream); null or undefined does nothing.
 */
export function setStream(stream: Stream | null | undefined): void {
  if (stream === null || stream === undefined) return;
  if (!(stream instanceof Stream)) throw new TypeError(`setStream(): stream must be an mtia.Stream, but got: ${String(stream)}`);
  stream.simulated.assertAlive();
  const scope = scopes.current();
  scope.device = stream.simulated.index;
  scopes.setStreamOf(scope, stream.simulated, { queue: stream.queue, streamId: stream.streamId, owner: stream });
}

/**
 * torch.mtia.StreamContext: makes a stream (and its device) current while it is entered. As in
 * PyTorch, constructing it only checks the stream; `enter()` (Python's `__enter__`) switches,
 * and disposing (`__exit__`) restores the streams and the device that were current, so one
 * object can be entered again after it is disposed. `mtia.stream(s)` constructs and enters at
 * once, which is what `using` needs. A null stream selects nothing.
 */
export class StreamContext implements Disposable {
  private previousStream: Stream | undefined;
  private previousOnTarget: Stream | undefined;
  private entered = false;

  constructor(readonly stream: Stream | null | undefined) {
    if (stream !== null && stream !== undefined && !(stream instanceof Stream)) {
      throw new TypeError(`stream(): stream must be an mtia.Stream or null, but got: ${describeValue(stream)}`);
    }
  }

  /** Makes the stream current (PyTorch's `__enter__`); returns this context, to dispose. */
  enter(): this {
    const { stream } = this;
    if (stream === null || stream === undefined) return this;
    if (this.entered) throw new MtiaError(`mtia.stream(${stream}) is already entered; dispose it before entering it again`);
    this.previousStream = currentStream();
    this.previousOnTarget = this.previousStream.simulated !== stream.simulated ? currentStream(stream.simulated.index) : undefined;
    setStream(stream);
    scopes.open(this);
    this.entered = true;
    return this;
  }

  /**
   * Restores the streams (and so the device) that were current before; does nothing if not
   * entered. Throws instead if a context entered after this one in the same scope is still
   * open (interleaved contexts).
   */
  [Symbol.dispose](): void {
    if (!this.entered) return;
    this.entered = false;
    scopes.close(this, `mtia.stream(${this.stream})`);
    if (this.previousOnTarget !== undefined) setStream(this.previousOnTarget);
    if (this.previousStream !== undefined) setStream(this.previousStream);
  }
}

/** Makes `stream` current until the returned, entered context is disposed (torch.mtia.stream). */
export function stream(stream: Stream | null | undefined): StreamContext {
  return new StreamContext(stream).enter();
}

/**
 * Runs `fn` with `stream` (and its device) current, in a scope of its own: in Node the stream
 * stays current for `fn`'s async continuations only, so concurrent scopes never see each
 * other's stream, and the caller's streams are unchanged afterwards.
 */
export function withStream<T>(stream: Stream | null | undefined, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`withStream(): fn must be a function, but got: ${typeof fn}`);
  if (stream !== null && stream !== undefined && !(stream instanceof Stream)) {
    throw new TypeError(`withStream(): stream must be an mtia.Stream, but got: ${String(stream)}`);
  }
  return scopes.run(() => setStream(stream), fn);
}
