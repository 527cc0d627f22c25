// torch.Stream for MTIA (torch.mtia.Stream is torch.Stream): an in-order queue of work on one
// device. Semantics and texts: pytorch/pytorch torch/csrc/Stream.cpp, torch/cuda/streams.py.

import { Device, type DeviceLike } from '../device.js';
import { ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { runtime } from '../runtime/runtime.js';
import type { SimulatedDevice } from '../runtime/simulated-device.js';
import type { StreamQueue } from '../runtime/stream-queue.js';
import { resolveDevice } from './devices.js';
import { Event } from './event.js';

/** Each device's default stream object. */
const defaultStreams = new WeakMap<SimulatedDevice, Stream>();

/** Options of `new mtia.Stream()`. */
export interface StreamOptions {
  /** Device of the stream (default: the current device). */
  device?: DeviceLike | null;
  /** 0 or negative; negative means higher priority (kept, but the simulated schedule ignores it). */
  priority?: number;
}

/** An in-order queue of work on one simulated device (torch.Stream). */
export class Stream {
  /**
   * The stream's id on its device: 0 for the default stream, else its queue in the device's
   * pool (1 to 31). As with CUDA's stream pool (c10/cuda/CUDAStream.cpp getStreamFromPool),
   * new streams take the pool's queues round-robin, and two streams on one queue are the same
   * stream: the same id, equal, capturing together (issue 21 finding 3).
   */
  readonly streamId: number;
  readonly priority: number;
  /** @internal The simulated device the stream belongs to. */
  readonly simulated: SimulatedDevice;
  /** @internal The device queue this stream's work goes to. */
  readonly queue: StreamQueue;

  /** A new stream on `device` (default: the current device); starts the devices if needed. */
  constructor(options: StreamOptions = {}) {
    checkOptions('Stream', options, ['device', 'priority']);
    const { device, priority = 0 } = options;
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority > 0) {
      throw new ValueError(`Stream(): priority should be 0 or a negative integer, but got: ${String(priority)}`);
    }
    this.simulated = runtime.device(resolveDevice(device));
    this.priority = priority;
    this.queue = this.simulated.newStreamQueue();
    this.streamId = this.queue.slot;
  }

  /** @internal The default stream (id 0) of `simulated`. */
  static defaultOf(simulated: SimulatedDevice): Stream {
    let stream = defaultStreams.get(simulated);
    if (stream === undefined) {
      stream = Object.create(Stream.prototype) as Stream;
      Object.assign(stream, { streamId: 0, priority: 0, simulated, queue: simulated.defaultQueue });
      defaultStreams.set(simulated, stream);
    }
    return stream;
  }

  /** The device the stream belongs to. */
  get device(): Device {
    return new Device('mtia', this.simulated.index);
  }

  /** Index of the stream's device. */
  get deviceIndex(): number {
    return this.simulated.index;
  }

  /** True if all work submitted to this stream so far has completed (a memory read). */
  query(): boolean {
    this.simulated.assertAlive();
    if (this.queue.capture !== undefined) throw this.queue.capture.invalidate('Stream.query()');
    this.simulated.startWork();
    return this.queue.isComplete(this.queue.enqueued);
  }

  /** Resolves when all work submitted to this stream so far has completed. */
  synchronize(): Promise<void> {
    return this.simulated.fence(this.queue, 'work on this stream');
  }

  /** True while a graph captures the work submitted to this stream (torch.cuda.Stream.is_capturing; src/mtia/graph.ts). */
  isCapturing(): boolean {
    return this.queue.capture !== undefined;
  }

  /** Makes all future work on this stream wait for `event` (no-op if it was never recorded). */
  waitEvent(event: Event): void {
    if (!(event instanceof Event)) throw new TypeError(`waitEvent(): event must be an mtia.Event, but got: ${String(event)}`);
    event.wait(this);
  }

  /** Makes all future work on this stream wait for the work already submitted to `stream`. */
  waitStream(stream: Stream): void {
    if (!(stream instanceof Stream)) throw new TypeError(`waitStream(): stream must be an mtia.Stream, but got: ${String(stream)}`);
    const marker = stream.recordEvent();
    marker.wait(this);
    marker.dispose();
  }

  /** Records `event` (default: a new event with timing disabled) on this stream and returns it. */
  recordEvent(event: Event = new Event()): Event {
    if (!(event instanceof Event)) throw new TypeError(`recordEvent(): event must be an mtia.Event, but got: ${String(event)}`);
    event.record(this);
    return event;
  }

  /** True if `other` is the same stream: same id (so the same queue) on the same device. */
  equals(other: unknown): boolean {
    return other instanceof Stream && other.streamId === this.streamId && other.simulated === this.simulated;
  }

  toString(): string {
    return `mtia.Stream device_type=mtia, device_index=${this.simulated.index}, stream_id=${this.streamId}`;
  }
}
