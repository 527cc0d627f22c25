// The current stream of each device and the ways to change it: torch.mtia's current_stream,
// default_stream, set_stream, stream / StreamContext (shared/reference/torch-mtia-api.md §1.4,
// §2.4, §2.5). The current stream is kept per device, in the running async context's scope
// (src/runtime/current-scope.ts); setStream also makes the stream's device current.

import type { DeviceLike } from '../device.js';
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
  scope.streams.set(stream.simulated, { queue: stream.queue, streamId: stream.streamId, owner: stream });
}

/**
 * Makes a stream current until disposed (torch.mtia.StreamContext): `using _ = mtia.stream(s)`.
 * Restores the previous current stream and device on dispose. Nesting works; a null stream
 * selects nothing.
 */
export class StreamContext implements Disposable {
  private readonly previousStream: Stream | undefined;
  private readonly previousOnTarget: Stream | undefined;

  constructor(readonly stream: Stream | null | undefined) {
    if (stream === null || stream === undefined) return;
    if (!(stream instanceof Stream)) throw new TypeError(`stream(): stream must be an mtia.Stream, but got: ${String(stream)}`);
    this.previousStream = currentStream();
    if (this.previousStream.simulated !== stream.simulated) this.previousOnTarget = currentStream(stream.simulated.index);
    setStream(stream);
    scopes.open(this);
  }

  /**
   * Restores the streams (and so the device) that were current before. Throws instead if a
   * context opened after this one in the same scope is still open (interleaved contexts).
   */
  [Symbol.dispose](): void {
    if (this.stream === null || this.stream === undefined) return;
    scopes.close(this, `mtia.stream(${this.stream})`);
    if (this.previousOnTarget !== undefined) setStream(this.previousOnTarget);
    if (this.previousStream !== undefined) setStream(this.previousStream);
  }
}

/** Makes `stream` current until the returned context is disposed (torch.mtia.stream). */
export function stream(stream: Stream | null | undefined): StreamContext {
  return new StreamContext(stream);
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
