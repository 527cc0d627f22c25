// Types of served.mjs, for the TypeScript browser test.

/** Serves the built playground with `mtia-sim serve --port 0` ([--no-isolation]); resolves to its origin and a stop(). */
export function servePlayground(options?: { isolation?: boolean }): Promise<{ origin: string; stop(): Promise<void> }>;
