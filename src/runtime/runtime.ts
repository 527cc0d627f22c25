// The process-wide runtime: configuration, the devices and the current device. It starts
// lazily on first use (like torch.mtia's _lazy_init) and ends with shutdown(), after which it
// can be configured and started again.

import { MtiaError, ValueError } from '../errors.js';
import { checkOptions } from '../options.js';
import { resolveProfile, type CustomProfile, type HardwareProfile, type ProfileName } from '../profiles.js';
import { scopes } from './current-scope.js';
import { assetUrls, compileCore, coreBuilds, hasDeviceSupport, kernelThreadBuilds } from './environment.js';
import { HEAP_LOCATION, KERNEL_THREAD_SLOTS } from './layout.js';
import { LazyCalls } from './lazy-calls.js';
import type { DeviceConnector } from './protocol.js';
import { SimulatedDevice } from './simulated-device.js';
import { resolveTransport, TRANSPORT_OPTIONS, type TransportKind, type TransportOption } from './transport.js';
import { WorkerLink } from './worker-link.js';

/** Options of mtia.configure(). */
export interface ConfigureOptions {
  /** Number of simulated devices (default 2). */
  deviceCount?: number;
  /** Hardware profile: 'mtia-v2' (MTIA 2i, default), 'mtia-v1', or a custom profile. */
  profile?: ProfileName | CustomProfile;
  /**
   * Device memory per device in bytes (default 256 MiB; in timing-only mode the profile's DRAM,
   * 128 GiB on MTIA 2i).
   */
  memoryBytes?: number;
  /**
   * Timing-only mode (default false): tensors have shapes, device memory and simulated time but
   * no data, so models far larger than this machine's memory can be timed; reading values throws.
   */
  timingOnly?: boolean;
  /**
   * Milliseconds a control call to a device worker may take (default 30 000; boot gets at least
   * 30 000). A worker that does not answer in time is lost; a wait that sees no progress for
   * this long checks that the worker still answers.
   */
  controlTimeoutMs?: number;
  /**
   * How commands and data reach the device workers (an mtia-sim extension; default 'auto'):
   * 'shared-memory' (a shared WebAssembly.Memory and Atomics), 'postMessage' (messages, for
   * pages that are not cross-origin isolated; slower, same semantics), or 'auto': shared memory
   * where it can be used, else postMessage. getDeviceProperties().transport says which is used.
   */
  transport?: TransportOption;
  /**
   * Host threads each device may compute a large float32 matmul on (an mtia-sim extension;
   * default 'auto'): an integer from 1 (the device worker alone) to 8, whose helper threads
   * start with the device, or 'auto': as many as the host has logical processors (at most 8),
   * started at the device's first large matmul. Results and simulated times are the same
   * whatever the count; over the postMessage transport a device always computes alone.
   */
  kernelThreads?: number | 'auto';
  /**
   * Whether the host runs small work it waits for itself (an mtia-sim extension; default true):
   * when a wait (a read-back, synchronize(), an event's synchronize()) finds a few small ops
   * not yet run and the device worker idle, the host runs them on its own instance of the
   * device's core instead of waking the worker, which saves two thread wake-ups per round trip.
   * Results, simulated times and profiles are the same either way. Over the postMessage
   * transport the host never does.
   */
  hostRunsSmallWork?: boolean;
}

/** @internal The configuration in force, with defaults applied. */
export interface RuntimeConfig {
  readonly deviceCount: number;
  readonly profile: HardwareProfile;
  readonly memoryBytes: number;
  /** True when memoryBytes was configured rather than defaulted from the mode and profile. */
  readonly memoryBytesGiven: boolean;
  readonly controlTimeoutMs: number;
  readonly timingOnly: boolean;
  readonly transport: TransportOption;
  readonly kernelThreads: number | 'auto';
  readonly hostRunsSmallWork: boolean;
}

const WASM32_MAX_BYTES = 65536 * 65536;
/** Largest virtual device memory of timing-only mode: 2^50 bytes (1 PiB) keeps addresses exact in a double. */
const VIRTUAL_MAX_BYTES = 2 ** 50;
const COMPUTE_MEMORY_BYTES = 256 * 1024 * 1024;
/** @internal Most devices one process may configure (each is a worker thread and a memory). */
export const MAX_DEVICES = 64;

const defaults: RuntimeConfig = {
  deviceCount: 2,
  profile: resolveProfile('mtia-v2'),
  memoryBytes: COMPUTE_MEMORY_BYTES,
  memoryBytesGiven: false,
  controlTimeoutMs: 30_000,
  timingOnly: false,
  transport: 'auto',
  kernelThreads: 'auto',
  hostRunsSmallWork: true,
};

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw new TypeError(`configure(): ${name} must be a number, but got: ${typeof value}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValueError(`configure(): ${name} must be an integer in [${min}, ${max}], but got: ${value}`);
  }
  return value;
}

/** @internal Checks configure() options and merges them over `base`. */
export function resolveConfig(options: ConfigureOptions, base: RuntimeConfig = defaults): RuntimeConfig {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`configure(): options must be an object, but got: ${String(options)}`);
  }
  checkOptions('configure', options, ['deviceCount', 'profile', 'memoryBytes', 'controlTimeoutMs', 'timingOnly', 'transport', 'kernelThreads', 'hostRunsSmallWork']);
  if (options.transport !== undefined && !TRANSPORT_OPTIONS.includes(options.transport)) {
    const accepted = TRANSPORT_OPTIONS.map((name) => `'${name}'`).join(', ');
    if (typeof options.transport !== 'string') {
      throw new TypeError(`configure(): transport must be a string (${accepted}), but got: ${typeof options.transport}`);
    }
    throw new ValueError(`configure(): transport must be one of ${accepted}, but got: '${options.transport}'`);
  }
  for (const name of ['timingOnly', 'hostRunsSmallWork'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') {
      throw new TypeError(`configure(): ${name} must be a boolean, but got: ${typeof options[name]}`);
    }
  }
  const timingOnly = options.timingOnly ?? base.timingOnly;
  const profile = options.profile === undefined ? base.profile : resolveProfile(options.profile);
  const memoryBytesGiven = options.memoryBytes !== undefined || base.memoryBytesGiven;
  const maxBytes = timingOnly ? VIRTUAL_MAX_BYTES : WASM32_MAX_BYTES - HEAP_LOCATION;
  const memoryBytes = options.memoryBytes !== undefined ? options.memoryBytes
    : memoryBytesGiven ? base.memoryBytes
    : timingOnly ? profile.dramBytes : COMPUTE_MEMORY_BYTES;
  return {
    deviceCount: options.deviceCount === undefined ? base.deviceCount : checkInteger('deviceCount', options.deviceCount, 1, MAX_DEVICES),
    profile,
    memoryBytes: checkInteger('memoryBytes', memoryBytes, 1 << 20, maxBytes),
    memoryBytesGiven,
    controlTimeoutMs: options.controlTimeoutMs === undefined ? base.controlTimeoutMs : checkInteger('controlTimeoutMs', options.controlTimeoutMs, 1, 3_600_000),
    timingOnly,
    transport: options.transport ?? base.transport,
    kernelThreads: options.kernelThreads === undefined || options.kernelThreads === 'auto'
      ? options.kernelThreads ?? base.kernelThreads
      : checkInteger("kernelThreads (or 'auto')", options.kernelThreads, 1, KERNEL_THREAD_SLOTS),
    hostRunsSmallWork: options.hostRunsSmallWork ?? base.hostRunsSmallWork,
  };
}

/**
 * Starts each device as a worker running the built core (its relaxed-SIMD build where the engine
 * supports it), compiled once for all of them; over shared memory, with the kernel-thread module
 * too (workers/kernel-threads.ts).
 */
function workerConnector(config: RuntimeConfig): DeviceConnector {
  const shared = resolveTransport(config.transport) === 'shared-memory';
  const module = compileCore(coreBuilds(), shared);
  const kernelThread = shared ? compileCore(kernelThreadBuilds()) : undefined;
  module.catch(() => {}); // reported by each device's boot
  kernelThread?.catch(() => {});
  return async (memory, name, onLost) => {
    const kernelThreads = kernelThread && { module: await kernelThread, threads: config.kernelThreads };
    return WorkerLink.start(assetUrls.worker, name, await module, memory, config.controlTimeoutMs, onLost, kernelThreads);
  };
}

/** @internal The library's one runtime. */
export class Runtime {
  config: RuntimeConfig = defaults;
  /** Index of the current device of the running async context (current-scope.ts). */
  get currentDevice(): number {
    return scopes.current().device;
  }

  set currentDevice(index: number) {
    scopes.current().device = index;
  }

  private devices: SimulatedDevice[] | undefined;
  private booted: Promise<void> | undefined;
  /** Devices stopped after a failed initialization, which shutdown() waits for. */
  private stopping: Promise<void> | undefined;

  /** Calls made before initialization (mtia.setRngState, mtia.manualSeed, ...), replayed by init(). */
  readonly lazyCalls = new LazyCalls();

  /**
   * Called with true when the devices have been created (before the queued calls run, as
   * _mtia_init builds torch.mtia.default_generators first) and with false when they stop.
   */
  readonly lifecycleListeners: ((initialized: boolean) => void)[] = [];

  private notify(initialized: boolean): void {
    for (const listener of this.lifecycleListeners) listener(initialized);
  }

  /**
   * How each device's firmware is started: by default a worker per device running the built
   * core. The runtime test tier sets one that runs the firmware in the test's own realm.
   */
  connector: (config: RuntimeConfig) => DeviceConnector = workerConnector;

  /** The transport the devices use (or will use) under the configuration in force: see ConfigureOptions.transport. */
  get transport(): TransportKind {
    return resolveTransport(this.config.transport);
  }

  /** True once devices have been started (and not shut down since). */
  get initialized(): boolean {
    return this.devices !== undefined;
  }

  /** Replaces the configuration; only before initialization. */
  configure(options: ConfigureOptions): void {
    if (this.initialized) {
      throw new MtiaError(
        'mtia.configure() must be called before MTIA is initialized, but the devices are already running; ' +
          'call it before the first tensor or device call, or await mtia.shutdown() first',
      );
    }
    this.config = resolveConfig(options, this.config);
  }

  /** Starts the devices if needed; the promise settles when every worker has booted. */
  init(): Promise<void> {
    if (this.devices === undefined) {
      if (!hasDeviceSupport()) {
        throw new MtiaError(
          'MTIA devices cannot run here: mtia-sim needs WebAssembly, MessageChannel and workers (module workers in a browser)',
        );
      }
      const transport = this.transport;
      const { deviceCount, profile, memoryBytes, timingOnly, hostRunsSmallWork } = this.config;
      const connect = this.connector(this.config);
      this.devices = Array.from(
        { length: deviceCount },
        (_, index) => {
          const device = new SimulatedDevice(index, profile, memoryBytes, connect, timingOnly, transport, hostRunsSmallWork);
          device.stallCheckMs = this.config.controlTimeoutMs;
          return device;
        },
      );
      this.booted = Promise.all(this.devices.map((device) => device.booted)).then(() => {});
      this.booted.catch(() => {});
      this.notify(true);
      this.replayLazyCalls();
    }
    return this.booted!;
  }

  /**
   * Runs the calls queued before initialization. If one fails, the devices just started are
   * stopped again and its DeferredMtiaCallError is thrown: MTIA stays uninitialized and the
   * next call that starts it replays the queue again (torch.mtia._lazy_init, §1.3).
   */
  private replayLazyCalls(): void {
    try {
      this.lazyCalls.replay();
    } catch (error) {
      const devices = this.devices!;
      this.devices = undefined;
      this.booted = undefined;
      this.notify(false);
      this.stopping = Promise.all(devices.map((device) => device.shutdown())).then(() => {}, () => {});
      throw error;
    }
  }

  /** The device with index `index` (already range-checked), starting the runtime if needed. */
  device(index: number): SimulatedDevice {
    void this.init();
    return this.devices![index]!;
  }

  /** Every device, starting the runtime if needed. */
  allDevices(): readonly SimulatedDevice[] {
    void this.init();
    return this.devices!;
  }

  /**
   * Stops every device worker; the runtime returns to its uninitialized state. Calls still
   * queued for initialization are dropped (the way out after a DeferredMtiaCallError).
   */
  async shutdown(): Promise<void> {
    this.lazyCalls.clear();
    const devices = this.devices;
    this.devices = undefined;
    this.booted = undefined;
    scopes.reset();
    if (devices !== undefined) this.notify(false);
    const stopping = this.stopping;
    this.stopping = undefined;
    if (devices !== undefined) await Promise.all(devices.map((device) => device.shutdown()));
    await stopping;
  }
}

/** @internal The runtime behind the public API. */
export const runtime = new Runtime();
