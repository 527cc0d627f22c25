// What differs between Node and browsers: how the core's bytes are loaded and how a worker
// is started, kept alive and stopped. Everything else is shared.
//
// Two builds are made of the library (scripts/build.mjs), differing only in where the assets
// are (assets.ts; the browser build swaps in assets-browser.ts at build time). The default one
// (dist/index.js, for Node and for pages that serve dist/ as it is) finds core.wasm and
// device-worker.js next to itself. The browser one (dist/browser/index.js, the package's
// `browser` export condition) carries both inside it.

import { assetUrls, browserBuild, inlinedFileOf } from './assets.js';
import { unshareMemoryImport } from './unshared-core.js';

export { assetUrls };

/** True in the browser build (scripts/build.mjs defines it); absent from the default build. */
declare const MTIA_SIM_BROWSER_BUILD: boolean | undefined;

/**
 * True under Node.js (worker_threads), false in browsers and always in the browser build. The
 * browser build also defines MTIA_SIM_BROWSER_BUILD, so that this folds to false there and
 * the bundler drops the Node-only code.
 */
export const isNode = !(typeof MTIA_SIM_BROWSER_BUILD !== 'undefined' && MTIA_SIM_BROWSER_BUILD)
  && !browserBuild && typeof process !== 'undefined' && process.versions?.node !== undefined;

/** How an asset URL reads in an error: itself, or which inlined file it is (not its contents). */
export function describeAssetUrl(url: URL): string {
  const inlined = inlinedFileOf(url.href);
  if (inlined !== undefined) return `${inlined} (inlined in mtia-sim's browser build)`;
  if (url.protocol === 'data:') return `${url.href.slice(0, 40)}...`;
  return url.protocol === 'file:' ? decodeURI(url.pathname) : url.href;
}

/** The two builds of the core, as URLs or bytes: plain SIMD, and relaxed SIMD. */
export interface CoreBuilds<T> {
  /** Runs on every engine with WebAssembly SIMD128 and threads. */
  simd: T;
  /** Needs relaxed SIMD (WebAssembly 3.0; Chromium 114+, Node 22+, or Node 20 with --experimental-wasm-relaxed-simd). */
  relaxedSimd: T;
}

/** The built core's two builds: next to this bundle, or carried by the browser build. */
export function coreBuilds(): CoreBuilds<URL> {
  return { simd: assetUrls.core, relaxedSimd: assetUrls.coreRelaxedSimd };
}

/** The kernel-thread module's two builds (workers/kernel-threads.ts), chosen as the core's are. */
export function kernelThreadBuilds(): CoreBuilds<URL> {
  return { simd: assetUrls.kernelThread, relaxedSimd: assetUrls.kernelThreadRelaxedSimd };
}

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

/**
 * True where devices can run: WebAssembly, workers and MessageChannel exist. Shared memory is
 * not needed: without it the postMessage transport carries the queues (transport.ts).
 */
export function hasDeviceSupport(): boolean {
  if (typeof WebAssembly !== 'object' || typeof MessageChannel !== 'function') return false;
  return isNode || typeof Worker === 'function';
}

/**
 * Compiles the core: the build selectCore() picks from `source` (by default the built pair), or
 * the one file `source` names. Node reads the file; browsers fetch it (Node's fetch
 * cannot read file:) and stream-compile it when it is served as application/wasm. With `shared`
 * false, the copy whose memory import is not shared (unshared-core.ts), for the postMessage
 * transport. A failure names the file or URL.
 */
export async function compileCore(source: URL | CoreBuilds<URL> = coreBuilds(), shared = true): Promise<WebAssembly.Module> {
  const url = source instanceof URL ? source : selectCore(source);
  try {
    if (isNode) {
      const { readFile } = await import('node:fs/promises');
      const bytes = await readFile(url);
      return await WebAssembly.compile(shared ? bytes : unshareMemoryImport(bytes));
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP status ${response.status} ${response.statusText}`.trimEnd());
    if (!shared) return await WebAssembly.compile(unshareMemoryImport(await response.arrayBuffer()));
    // Static hosts that do not know .wasm serve it with another type, which compileStreaming refuses.
    const type = response.headers.get('content-type') ?? '';
    if (type.split(';', 1)[0]!.trim() === 'application/wasm') return await WebAssembly.compileStreaming(response);
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not load the device core from ${describeAssetUrl(url)}: ${reason}`, { cause: error });
  }
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
  worker.addEventListener('error', (event) => {
    const detail = event.message ? `: ${event.message}` : ' (see the console for why)';
    onLost(new Error(`the device worker ${describeAssetUrl(url)} failed to load or threw${detail}`));
  });
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    ref: () => {},
    unref: () => {},
    terminate: async () => worker.terminate(),
  };
}

/** Logical processors of this host: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export async function hostProcessors(): Promise<number> {
  if (isNode) return (await import('node:os')).availableParallelism();
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** Lets a port stop keeping the Node process alive (MessagePort.unref exists only in Node). */
export function unrefPort(port: MessagePort): void {
  (port as MessagePort & { unref?: () => void }).unref?.();
}
