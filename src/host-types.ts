// The host platform's types that the shipped declarations name (device memory and the compiled
// core as WebAssembly.Memory and WebAssembly.Module, a worker's control port as MessagePort):
// declared here, empty, so that the declarations compile in a Node project whose `lib` has no
// `dom` (say ["es2022"] with @types/node 20, which declares neither the WebAssembly namespace nor
// a MessagePort type). Empty interfaces merge with lib.dom's and @types/node's where those are
// present, so they change nothing there.

export {};

declare global {
  namespace WebAssembly {
    /** A WebAssembly memory (lib.dom declares its members). */
    interface Memory {}
    /** A compiled WebAssembly module (lib.dom declares its members). */
    interface Module {}
  }

  /** One end of a MessageChannel (lib.dom and node:worker_threads declare its members). */
  interface MessagePort {}
}
