// The global types of explicit resource management (`using`, ES2026) that the public classes
// implement: declared here so that the shipped declarations compile in a project whose `lib`
// lacks them (say ["es2022", "dom"], no @types/node). They are written as lib.esnext.disposable
// and @types/node write them, so the declarations merge where those are present too.

export {};

declare global {
  interface SymbolConstructor {
    /** The method a `using` declaration calls when its block ends. */
    readonly dispose: unique symbol;
  }

  /** An object a `using` declaration can dispose of. */
  interface Disposable {
    /** Releases what the object holds. */
    [Symbol.dispose](): void;
  }
}
