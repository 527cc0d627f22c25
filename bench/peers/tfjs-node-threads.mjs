// Lets @tensorflow/tfjs-backend-wasm 4.22.0 run its threaded build
// (tfjs-backend-wasm-threaded-simd.wasm: Emscripten pthreads, XNNPACK's pthreadpool) in Node,
// which the package does not support (https://github.com/tensorflow/tfjs/issues/3830; a fix,
// https://github.com/tensorflow/tfjs/pull/8059, was closed unmerged). Three things stop it, all
// in the package's dist/tf-backend-wasm.node.js and its wasm:
//
// 1. The flag WASM_HAS_MULTITHREAD_SUPPORT answers false whenever IS_NODE. The caller sets it to
//    true instead (tf.env().set), which makes tfjs pick the threaded binary and factory.
// 2. tfjs's locateFile answers Emscripten's request for the pthread worker script with a
//    `blob:nodedata:` object URL of a Blob holding the script's text, and passes the factory the
//    workers import as another Blob (mainScriptUrlOrBlob). Node's Worker takes no blob: URL:
//      TypeError [ERR_WORKER_PATH]: The worker script or module filename must be an absolute
//      path or a relative path starting with './' or '../'. Received "blob:nodedata:…"
//    (thrown in PThread.allocateUnusedWorker, so setBackend('wasm') fails), and the worker's
//    importScripts reads only files. Here: Blobs made of strings record their text, object URLs
//    remember which text they name, and worker_threads' Worker (which the Emscripten glue takes
//    from require('worker_threads') when the factory runs) starts a blob: URL's worker from that
//    text with `eval: true`; the worker's "load" message carries a marker in place of the
//    factory's Blob, and the worker's importScripts evaluates the factory's text for it. That
//    text is one function cut out of the bundle, so the bundle's names it uses (require$$0…4,
//    commonjsGlobal, _scriptDir and TypeScript's __values / __read / __spreadArray) are defined
//    first in the worker.
// 3. init_with_threads_count (the package's src/cc/backend.cc) caps the pool at the logical core
//    count / 2 ("many x86-64 processors have 2 threads per core"), which Emscripten reads in Node
//    as os.cpus().length once, when the wasm is instantiated: on a 2-core machine, one thread
//    whatever setThreadsCount says. For `threads` pool threads, os.cpus() reports 2 × threads
//    entries until restore().
//
// Emscripten also refs a worker while it runs a pthread and XNNPACK's pool threads run until
// the process ends, so these workers' ref() does nothing (they would keep Node from exiting).
// Nothing here touches the computation: the binary, XNNPACK and its thread pool are tfjs's own.

import os from 'node:os';
import workerThreads from 'node:worker_threads';

/** tfjs-backend-wasm's pool limit (max_num_threads in its backend.cc; 8 workers preallocated). */
export const TFJS_MAX_THREADS = 8;

/** The string the worker's "load" message carries in place of the factory's Blob. */
const FACTORY_MARKER = 'bench/peers: tfjs-backend-wasm threaded SIMD factory';

/** Defined in the worker before the factory's text: the bundle's names that text refers to. */
const FACTORY_PRELUDE = `
var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os');
var commonjsGlobal = globalThis, _scriptDir = undefined;
var __values = (o) => o[Symbol.iterator]();
var __read = (o, n) => { const a = []; if (n === 0) return a; for (const v of o) { a.push(v); if (a.length === n) break; } return a; };
var __spreadArray = (to, from) => to.concat(Array.prototype.slice.call(from));
`;

/**
 * Installs the three work-arounds above for a pool of `threads` threads (at most
 * TFJS_MAX_THREADS); call before tf.setBackend('wasm') and call the returned restore() once
 * tf.ready() has resolved: Emscripten has made its 8 workers by then, and the pool needs no more.
 */
export function allowTfjsThreadsInNode(threads) {
  const blobText = new WeakMap();
  const urlText = new Map();
  let factoryText = null;

  const NodeBlob = globalThis.Blob;
  const createObjectURL = URL.createObjectURL;
  const NodeWorker = workerThreads.Worker;
  const cpus = os.cpus;

  globalThis.Blob = class RecordedBlob extends NodeBlob {
    constructor(parts, options) {
      super(parts, options);
      if (Array.isArray(parts) && parts.every((part) => typeof part === 'string')) {
        const text = parts.join('');
        blobText.set(this, text);
        if (text.startsWith('var WasmBackendModuleThreadedSimd')) factoryText = text;
      }
    }
  };
  URL.createObjectURL = (blob) => {
    const url = createObjectURL(blob);
    if (blobText.has(blob)) urlText.set(url, blobText.get(blob));
    return url;
  };
  workerThreads.Worker = class ScriptTextWorker extends NodeWorker {
    constructor(file, options) {
      if (typeof file === 'string' && urlText.has(file)) {
        if (factoryText === null) throw new Error('bench/peers: tfjs started a pthread worker before making its factory Blob');
        const importFactory = `{ const importFile = importScripts; globalThis.importScripts = (f) => f === ${JSON.stringify(FACTORY_MARKER)} ? (0, eval)(${JSON.stringify(FACTORY_PRELUDE)} + require('node:worker_threads').workerData) : importFile(f); }`;
        super(`${urlText.get(file)}\n;${importFactory}`, { ...options, eval: true, workerData: factoryText });
      } else {
        super(file, options);
      }
    }

    /** A no-op: see the top of this file. */
    ref() {}

    /** Sends the factory marker in place of the factory's Blob. */
    postMessage(message, transfer) {
      const replaced = message?.cmd === 'load' && blobText.has(message.urlOrBlob) ? { ...message, urlOrBlob: FACTORY_MARKER } : message;
      return super.postMessage(replaced, transfer);
    }
  };
  os.cpus = () => {
    const real = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]);
  };

  return function restore() {
    globalThis.Blob = NodeBlob;
    URL.createObjectURL = createObjectURL;
    workerThreads.Worker = NodeWorker;
    os.cpus = cpus;
  };
}
