// Where the built assets are, in the browser build (dist/browser/index.js, the package's
// `browser` export condition): carried inside the bundle, so that a bundler needs no flags and
// no copied files. scripts/build.mjs builds it with this module in place of assets.ts and
// defines MTIA_SIM_INLINED_ASSETS; both modules export the same names. Wasm becomes a data:
// URL, the worker bundle a blob: URL, made on first use. A blob: worker is same-origin and
// inherits the page's cross-origin isolation, so it can share the device memory.

/**
 * The built assets the browser build carries, by file name: wasm as base64, scripts as text
 * (scripts/build.mjs defines it in that build only).
 */
declare const MTIA_SIM_INLINED_ASSETS: { readonly [file: string]: string };

/** True: this module is the browser build's (assets.ts is the default build's). */
export const browserBuild: boolean = true;

/** The file each inlined asset URL made so far stands for, by href (for error messages). */
const inlinedFiles = new Map<string, string>();

/** An inlined asset as a URL: a data: URL for wasm, a blob: URL for scripts; made once. */
function inlinedAssetUrl(file: string): () => URL {
  let url: URL | undefined;
  return () => {
    if (url !== undefined) return url;
    const contents = MTIA_SIM_INLINED_ASSETS[file];
    if (contents === undefined) throw new Error(`mtia-sim's browser build does not carry ${file}`);
    url = file.endsWith('.wasm')
      ? new URL(`data:application/wasm;base64,${contents}`)
      : new URL(URL.createObjectURL(new Blob([contents], { type: 'text/javascript' })));
    inlinedFiles.set(url.href, file);
    return url;
  };
}

const core = inlinedAssetUrl('core.wasm');
const coreRelaxedSimd = inlinedAssetUrl('core-relaxed.wasm');
const kernelThread = inlinedAssetUrl('kernel-thread.wasm');
const kernelThreadRelaxedSimd = inlinedAssetUrl('kernel-thread-relaxed.wasm');
const worker = inlinedAssetUrl('device-worker.js');

/** The inlined core, kernel-thread and worker URLs, made when first read. */
export const assetUrls = {
  get core(): URL {
    return core();
  },
  get coreRelaxedSimd(): URL {
    return coreRelaxedSimd();
  },
  get kernelThread(): URL {
    return kernelThread();
  },
  get kernelThreadRelaxedSimd(): URL {
    return kernelThreadRelaxedSimd();
  },
  get worker(): URL {
    return worker();
  },
};

/** Which inlined file `href` stands for (an asset URL made above), or undefined. */
export function inlinedFileOf(href: string): string | undefined {
  return inlinedFiles.get(href);
}
