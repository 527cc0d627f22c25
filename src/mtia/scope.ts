// Python `with` blocks as scoped callbacks: run a function inside a disposable context.

/**
 * Runs `fn` inside `context` and disposes it afterwards, even if `fn` throws; when `fn`
 * returns a promise, the context lasts until it settles.
 */
export function runInScope<T>(context: Disposable, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (error) {
    context[Symbol.dispose]();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => context[Symbol.dispose]()) as T;
  context[Symbol.dispose]();
  return result;
}
