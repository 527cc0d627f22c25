// `mtia-sim serve`: the browser playground (built into dist/playground/) on 127.0.0.1, with the
// cross-origin isolation headers unless --no-isolation; runs until interrupted.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './arguments.js';
import { serveStatic, type StaticServer } from './static-server.js';

/** The built playground, next to the CLI bundle (dist/cli.js → dist/playground/). */
export const playgroundDir = fileURLToPath(new URL('./playground/', import.meta.url));

/** Starts serving `dir` (default the playground); throws if the folder is missing. */
export async function startServe(dir: string | undefined, port: number, isolation: boolean): Promise<StaticServer> {
  if (dir !== undefined && !existsSync(dir)) throw new UsageError(`--dir: expected a folder to serve, got '${dir}', which does not exist`);
  const root = dir ?? playgroundDir;
  if (!existsSync(root)) throw new Error(`the playground is not built: ${root} is missing (npm run build makes it)`);
  try {
    return await serveStatic({ root, port, isolation });
  } catch (error) {
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(`--port ${port}: 127.0.0.1:${port} is already in use; choose another port, or --port 0 for any free one`);
    }
    throw error;
  }
}
