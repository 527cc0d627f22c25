// What differs between Node and browsers: how the core's bytes are loaded and how a worker
// is started, kept alive and stopped. Everything else is shared.

/** True under Node.js (worker_threads), false in browsers. */
export const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** Where the built assets live, next to this bundle (dist/). */
export const assetUrls = {
  /** The core built with plain SIMD (asconfig.json target release). */
  core: new URL('./core.wasm', import.meta.url),
  /** The same core built with relaxed SIMD: fused multiply-add kernels (target release-relaxed). */
  coreRelaxedSimd: new URL('./core-relaxed.wasm', import.meta.url),
  worker: new URL('./device-worker.js', import.meta.url),
};

/** The two builds of the core, as URLs or bytes: plain SIMD, and relaxed SIMD. */
export interface CoreBuilds<T> {
  /** Runs on every engine with WebAssembly SIMD128 and threads. */
  simd: T;
  /** Needs relaxed SIMD (WebAssembly 3.0; Chromium 114+, Node 22+, or Node 20 with --experimental-wasm-relaxed-simd). */
  relaxedSimd: T;
}

/** The built core's two builds, next to this bundle. */
export const coreBuilds: CoreBuilds<URL> = { simd: assetUrls.core, relaxedSimd: assetUrls.coreRelaxedSimd };

/**
 * The smallest module that uses relaxed SIMD: (func (param v128 v128 v128) (result v128)
 * (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))), opcode 0xfd 0x105 of the
 * relaxed-SIMD proposal (github.com/WebAssembly/relaxed-simd, Overview.md).
 */
const relaxedSimdProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type section: (v128 v128 v128) → v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code
]);

/** True where the engine validates relaxed-SIMD code. */
export function hasRelaxedSimd(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(relaxedSimdProbe);
}

/**
 * The core build this engine should run: the relaxed-SIMD one where it validates relaxed SIMD,
 * else the plain-SIMD one. The one place the choice is made, for URLs (compileCore) or for
 * bytes a bundle carries inline.
 */
export function selectCore<T>(builds: CoreBuilds<T>, relaxedSimd: boolean = hasRelaxedSimd()): T {
  return relaxedSimd ? builds.relaxedSimd : builds.simd;
}

/** True where devices can run: WebAssembly threads (shared memory) and workers exist. */
export function hasDeviceSupport(): boolean {
  if (typeof WebAssembly !== 'object' || typeof SharedArrayBuffer !== 'function') return false;
  if (typeof Atomics?.waitAsync !== 'function') return false;
  return isNode || typeof Worker === 'function';
}

/**
 * Compiles the core: the build selectCore() picks from `source`, or the one file `source` names.
 * Node reads the file; browsers stream it (Node's fetch cannot read file:).
 */
export async function compileCore(source: URL | CoreBuilds<URL> = coreBuilds): Promise<WebAssembly.Module> {
  const url = source instanceof URL ? source : selectCore(source);
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  return WebAssembly.compileStreaming(fetch(url));
}

/** A started worker, with the lifetime controls the host needs. */
export interface WorkerHandle {
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Keep the host process alive while this worker runs (no-op in browsers). */
  ref(): void;
  /** Let the host process exit even though this worker runs (no-op in browsers). */
  unref(): void;
  terminate(): Promise<void>;
}

/** Starts a module worker from `url`; `onLost` is called once if it dies or fails to load. */
export async function spawnWorker(
  url: URL,
  name: string,
  onLost: (reason: Error) => void,
): Promise<WorkerHandle> {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const worker = new Worker(url, { name });
    let exiting = false;
    worker.on('error', (error) => onLost(error));
    worker.on('exit', (code) => {
      if (!exiting) onLost(new Error(`worker exited with code ${code}`));
    });
    return {
      postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: async () => {
        exiting = true;
        await worker.terminate();
      },
    };
  }
  const worker = new Worker(url, { type: 'module', name });
  worker.addEventListener('error', (event) => onLost(new Error(event.message || 'worker failed to load')));
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    ref: () => {},
    unref: () => {},
    terminate: async () => worker.terminate(),
  };
}

/** Lets a port stop keeping the Node process alive (MessagePort.unref exists only in Node). */
export function unrefPort(port: MessagePort): void {
  (port as MessagePort & { unref?: () => void }).unref?.();
}
