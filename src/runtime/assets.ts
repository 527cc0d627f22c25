// Where the built assets are, in the default build (dist/index.js and dist/device-worker.js,
// for Node and for pages that serve dist/ as it is): next to the bundle, resolved against its
// import.meta.url. The browser build (dist/browser/index.js) is built with assets-browser.ts in
// this module's place (scripts/build.mjs), so that it holds no `new URL('./x', import.meta.url)`
// a bundler would try to resolve. Both modules export the same names.

/** False here; true in assets-browser.ts, which the browser build uses instead of this module. */
export const browserBuild: boolean = false;

/** The built assets, as URLs next to this bundle. */
export const assetUrls = {
  // Getters: the device-worker bundle imports this module too, and where it runs from a
  // blob: URL (the browser build's worker, and its kernel threads) no URL can be resolved
  // against its import.meta.url.
  /** The core built with plain SIMD (asconfig.json target release). */
  get core(): URL {
    return new URL('./core.wasm', import.meta.url);
  },
  /** The same core built with relaxed SIMD: fused multiply-add kernels (target release-relaxed). */
  get coreRelaxedSimd(): URL {
    return new URL('./core-relaxed.wasm', import.meta.url);
  },
  /** The kernel-thread module (asconfig.json target kernel-thread): the matmul that helper threads run. */
  get kernelThread(): URL {
    return new URL('./kernel-thread.wasm', import.meta.url);
  },
  /** The same built with relaxed SIMD (target kernel-thread-relaxed). */
  get kernelThreadRelaxedSimd(): URL {
    return new URL('./kernel-thread-relaxed.wasm', import.meta.url);
  },
  /** The device worker bundle (workers/device-worker.ts). */
  get worker(): URL {
    return new URL('./device-worker.js', import.meta.url);
  },
};

/** Which inlined file `href` stands for: never one in this build. */
export function inlinedFileOf(href: string): string | undefined {
  void href;
  return undefined;
}
