// Types of serve.mjs, for the TypeScript tests that start the playground's server.

import type { Server } from 'node:http';

/** The built playground, dist/playground/. */
export const playgroundRoot: string;

/** Options of startPlaygroundServer. */
export interface PlaygroundServerOptions {
  /** Directory to serve (default dist/playground/). */
  root?: string;
  /** Port (default 0: a free one). */
  port?: number;
  /** Address (default 127.0.0.1). */
  host?: string;
  /** Send COOP/COEP/CORP headers (default true). */
  isolation?: boolean;
}

/** Starts a static server; resolves to it and its origin, http://host:port. */
export function startPlaygroundServer(options?: PlaygroundServerOptions): Promise<{ server: Server; origin: string }>;
